//! Single-precision products of small depth: a layer of a few inputs (iris's 4 → 100, z = W a + b)
//! and the backward pass through a few outputs (∂J/∂a = Wᵀ δ from 3 classes). C is computed row
//! after row, a register's width of columns at a time, each value's multiply-adds held in one
//! register. Written once, as a macro given an instruction set's intrinsics (`kernels/avx2.rs`,
//! `kernels/avx512.rs` and `kernels/neon.rs` call it).
//!
//! At such depths the packed kernel's 6×16 tiles cost more to set up than to compute: iris's
//! 150×4×100 and 150×3×100 took it 3.5–3.7 and 3.2 µs, and this loop 3.1–3.3 and 2.8–3.0 µs
//! with AVX2 (`cargo bench --manifest-path bench/neurone-bench/Cargo.toml -- sgemm/neurone/iris`,
//! twice on each side). Each value of C is the same chain as there (`sum ← a·b + sum` fused along
//! the depth, in order, from zero, then `α·sum + β·C`), so which of the two kernels runs changes
//! no bit. Such products are never split across threads: they are bound by the stores of C.

use super::gemm::Strided;

/// Defines `shallow_sgemm(product, c, packed_b)` for an instruction set: `C ← α·A·B + β·C` for
/// `A` m×k, `B` k×n and `C` m×n row-major (row stride `n`), with k ≤
/// [`SHALLOW_DEPTH`](super::plan::SHALLOW_DEPTH). B is read in place where its rows are
/// contiguous, else copied so into `packed_b` (k·n values, at most 8n). With `β = 0`, C's
/// contents are ignored. `fused_multiply_add(a, b, sum)` is `a·b + sum` rounded once.
macro_rules! shallow_rows {
    (
        features: $features:literal,
        vector: $vector:ty,
        lane: $lane:expr,
        zero: $zero:path,
        splat: $splat:path,
        load: $load:path,
        store: $store:path,
        fused_multiply_add: $fmadd:path,
        multiply: $mul:path,
        add: $add:path $(,)?
    ) => {
        /// The shallow product (see [`shallow_rows`](super::shallow_gemm::shallow_rows)).
        ///
        /// # Safety
        /// The CPU runs the target features.
        #[target_feature(enable = $features)]
        unsafe fn shallow_sgemm(product: Product<'_>, c: &mut [f32], packed_b: &mut Vec<f32>) {
            let Product { shape: (m, k, n), alpha, a, b, beta } = product;
            assert!(0 < k && k <= super::plan::SHALLOW_DEPTH && c.len() >= m * n);
            assert!(a.data.len() > (m - 1) * a.row_stride + (k - 1) * a.column_stride);
            let b = super::shallow_gemm::contiguous_rows(b, (k, n), packed_b);
            let product = ShallowProduct { n, alpha, a, b, beta, c: &mut c[..m * n] };
            // SAFETY: the CPU runs the target features (this function's contract).
            unsafe {
                match k {
                    1 => shallow_rows::<1>(product),
                    2 => shallow_rows::<2>(product),
                    3 => shallow_rows::<3>(product),
                    4 => shallow_rows::<4>(product),
                    5 => shallow_rows::<5>(product),
                    6 => shallow_rows::<6>(product),
                    7 => shallow_rows::<7>(product),
                    8 => shallow_rows::<8>(product),
                    _ => unreachable!("a shallow product is 1 to 8 deep"),
                }
            }
        }

        /// What [`shallow_rows`] computes: C (row stride `n`) ← α·A·B + β·C, B's rows `b.1` apart.
        struct ShallowProduct<'a> {
            n: usize,
            alpha: f32,
            a: Strided<'a, f32>,
            b: (&'a [f32], usize),
            beta: f32,
            c: &'a mut [f32],
        }

        /// [`shallow_sgemm`] at depth `K`, known at compile time so that the chain is unrolled.
        ///
        /// # Safety
        /// The CPU runs the target features.
        #[target_feature(enable = $features)]
        #[inline]
        unsafe fn shallow_rows<const K: usize>(product: ShallowProduct<'_>) {
            let ShallowProduct { n, alpha, a, b: (b_rows, b_row_stride), beta, c } = product;
            let scalars = (alpha, beta);
            let (alpha, beta) = ($splat(alpha), (beta != 0.0).then(|| $splat(beta)));
            for (i, c_row) in c.chunks_exact_mut(n).enumerate() {
                let a_values: [f32; K] = std::array::from_fn(|p| a.data[i * a.row_stride + p * a.column_stride]);
                if n < $lane {
                    // Too narrow for a register: one value at a time, by the same operations.
                    let (alpha, beta) = scalars;
                    for (j, c) in c_row.iter_mut().enumerate() {
                        let sum = (0..K).fold(0.0f32, |sum, p| a_values[p].mul_add(b_rows[p * b_row_stride + j], sum));
                        let value = alpha * sum;
                        *c = if beta == 0.0 { value } else { value + beta * *c };
                    }
                    continue;
                }
                let mut a_row = [$zero(); K];
                for (a_value, &value) in a_row.iter_mut().zip(&a_values) {
                    *a_value = $splat(value);
                }
                // SAFETY: each call reads a register's width of B at each depth from its column
                // and writes as many values of C from it, all below column n.
                unsafe {
                    // The last columns, which overlap the last whole block when the register's
                    // width does not divide n: computed first, from C's values before this call,
                    // and stored last.
                    let last = shallow_columns(
                        &a_row,
                        (b_rows[n - $lane..].as_ptr(), b_row_stride),
                        (alpha, beta),
                        &c_row[n - $lane..],
                    );
                    for j in (0..n - $lane).step_by($lane) {
                        let values =
                            shallow_columns(&a_row, (b_rows[j..].as_ptr(), b_row_stride), (alpha, beta), &c_row[j..]);
                        $store(c_row[j..j + $lane].as_mut_ptr(), values);
                    }
                    $store(c_row[n - $lane..].as_mut_ptr(), last);
                }
            }
        }

        /// A register's width of columns of one row of C: `sum ← a·b + sum` along the depth (a's
        /// values broadcast, B's a register at a time, `b_step` apart), then `α·sum + β·C` with
        /// C's values from `c`.
        ///
        /// # Safety
        /// The CPU runs the target features; `b` must hold a register's width of values at each
        /// of the K depths, `c` at least as many.
        #[target_feature(enable = $features)]
        #[inline]
        unsafe fn shallow_columns<const K: usize>(
            a_row: &[$vector; K],
            (b, b_step): (*const f32, usize),
            (alpha, beta): ($vector, Option<$vector>),
            c: &[f32],
        ) -> $vector {
            assert!(c.len() >= $lane);
            // SAFETY: within the values at each depth that the caller vouches for, and within `c`.
            unsafe {
                let mut sum = $zero();
                for (p, &a_value) in a_row.iter().enumerate() {
                    sum = $fmadd(a_value, $load(b.add(p * b_step)), sum);
                }
                let values = $mul(alpha, sum);
                match beta {
                    Some(beta) => $add(values, $mul(beta, $load(c.as_ptr()))),
                    None => values,
                }
            }
        }
    };
}

pub(super) use shallow_rows;

/// B's k rows of n values, and the step from one to the next: B itself where its rows are
/// contiguous, else copied so into `packed_b`.
#[inline(always)]
pub(super) fn contiguous_rows<'a>(
    b: Strided<'a, f32>,
    (k, n): (usize, usize),
    packed_b: &'a mut Vec<f32>,
) -> (&'a [f32], usize) {
    assert!(b.data.len() > (k - 1) * b.row_stride + (n - 1) * b.column_stride);
    if b.column_stride == 1 {
        return (b.data, b.row_stride);
    }
    packed_b.resize(k * n, 0.0);
    for (p, row) in packed_b.chunks_exact_mut(n).enumerate() {
        for (j, value) in row.iter_mut().enumerate() {
            *value = b.data[p * b.row_stride + j * b.column_stride];
        }
    }
    (&packed_b[..], n)
}
