//! Double-precision products of small depth (iris's 4 → 100 and the backward pass from 3 classes,
//! in float64), row after row: each value of C is `sum ← a·b + sum` fused along the K ≤ 8
//! depths from zero, then `α·sum + β·C`, the chain the packed kernel computes, so which of the
//! two runs changes no bit. Plain Rust with the depth known at compile time, compiled for the
//! instruction set in use: the loop along a row of C becomes 4- or 8-lane fused multiply-adds
//! (2-lane on NEON), B read where it lies.
//!
//! The packed kernel's tiles cost more to set up and to call than such a product computes (a
//! tile 4 deep spends longer loading its arguments than multiplying): this loop computes iris's
//! 150×4×100 and 150×3×100 without them.

use super::gemm::{Product, Strided};
use super::packed_gemm::Element;
use super::plan::{InstructionSet, SHALLOW_DEPTH};

/// `C ← α·A·B + β·C` for `A` m×k, `B` k×n and `C` m×n row-major, with k ≤ [`SHALLOW_DEPTH`], by
/// the instruction set `set`. B is read in place where its rows are contiguous, else copied so
/// first. With `β = 0`, C's contents are ignored.
pub(super) fn shallow_chain<S: Element>(set: InstructionSet, product: Product<'_, S>, c: &mut [S]) {
    let Product { shape: (m, k, n), alpha, a, b, beta } = product;
    assert!(0 < k && k <= SHALLOW_DEPTH && c.len() >= m * n);
    assert!(a.data.len() > (m - 1) * a.row_stride + (k - 1) * a.column_stride);
    assert!(b.data.len() > (k - 1) * b.row_stride + (n - 1) * b.column_stride);
    S::with_packed(|_, packed_b| {
        let b_rows = if b.column_stride == 1 {
            (b.data, b.row_stride)
        } else {
            packed_b.clear();
            packed_b.extend((0..k).flat_map(|p| (0..n).map(move |j| b.at(p, j))));
            (&packed_b[..], n)
        };
        let rows = Rows { k, n, alpha, a, b: b_rows, beta };
        let c = &mut c[..m * n];
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "avx2,fma")]
            fn with_avx2<S: Element>(rows: Rows<'_, S>, c: &mut [S]) {
                at_its_depth(rows, c);
            }
            #[target_feature(enable = "avx512f,avx2,fma")]
            fn with_avx512<S: Element>(rows: Rows<'_, S>, c: &mut [S]) {
                at_its_depth(rows, c);
            }
            match set {
                // SAFETY: the CPU runs the instruction set, as its kernel's proof says.
                InstructionSet::Avx2 if super::avx2::Avx2::detect().is_some() => return unsafe { with_avx2(rows, c) },
                // SAFETY: as above.
                InstructionSet::Avx512 if super::avx512::Avx512::detect().is_some() => {
                    return unsafe { with_avx512(rows, c) };
                }
                _ => {}
            }
        }
        // NEON, aarch64's baseline, fuses as compiled (`set` chooses among x86-64's only).
        let _ = set;
        at_its_depth(rows, c);
    });
}

/// What [`rows_at_depth`] needs: B's rows `b.1` apart, C's `n`.
#[derive(Clone, Copy)]
struct Rows<'a, S> {
    k: usize,
    n: usize,
    alpha: S,
    a: Strided<'a, S>,
    b: (&'a [S], usize),
    beta: S,
}

/// [`rows_at_depth`] at the product's depth, known at compile time so that the chain unrolls.
/// (Inlined into each instruction set's version of [`shallow_chain`].)
#[inline(always)]
fn at_its_depth<S: Element>(rows: Rows<'_, S>, c: &mut [S]) {
    match rows.k {
        1 => rows_at_depth::<S, 1>(rows, c),
        2 => rows_at_depth::<S, 2>(rows, c),
        3 => rows_at_depth::<S, 3>(rows, c),
        4 => rows_at_depth::<S, 4>(rows, c),
        5 => rows_at_depth::<S, 5>(rows, c),
        6 => rows_at_depth::<S, 6>(rows, c),
        7 => rows_at_depth::<S, 7>(rows, c),
        8 => rows_at_depth::<S, 8>(rows, c),
        _ => unreachable!("a shallow product is 1 to {SHALLOW_DEPTH} deep"),
    }
}

/// C's rows at depth `K`: for each, A's K values, then the row of C along which the compiler
/// vectorises the chain.
#[inline(always)]
fn rows_at_depth<S: Element, const K: usize>(rows: Rows<'_, S>, c: &mut [S]) {
    let Rows { n, alpha, a, b: (b_rows, b_row_stride), beta, .. } = rows;
    let mut b_row = [&b_rows[..0]; K];
    for (p, row) in b_row.iter_mut().enumerate() {
        *row = &b_rows[p * b_row_stride..p * b_row_stride + n];
    }
    for (i, c_row) in c.chunks_exact_mut(n).enumerate() {
        let mut a_row = [S::ZERO; K];
        for (p, value) in a_row.iter_mut().enumerate() {
            *value = a.at(i, p);
        }
        for (j, c) in c_row.iter_mut().enumerate() {
            let mut sum = S::ZERO;
            for p in 0..K {
                sum = a_row[p].mul_add(b_row[p][j], sum);
            }
            let value = alpha * sum;
            *c = if beta == S::ZERO { value } else { value + beta * *c };
        }
    }
}
