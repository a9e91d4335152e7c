//! The products of one sample, as a dense layer computes them at a batch size of one (online
//! learning, a single prediction): z = W a, ∂J/∂W = δ aᵀ and ∂J/∂a(l-1) = Wᵀ δ.
//!
//! Each value is computed by the chain the batch kernels compute it by (`sum ← a·b + sum`
//! fused along the depth, in order, from zero, in the same depth slices, then `α·sum + β·C`),
//! so that a row computed alone has the bits it has in any batch, on every CPU and path (the
//! tests compare them bit for bit). The products that [`plan`](super::plan) gives plain loops
//! whatever the batch — a depth of one, a single output — take those loops' operations here
//! too. Without packing: the chains of several outputs side by side, in plain Rust inlined into
//! the layer's one pass over the sample, which [`vectorised`](super::vectorised) compiles for
//! the instruction set in use. A step of the course's 1 → 16 → 16 → 1 sine makes eight such
//! products: a packed kernel's dispatch and packing would cost more than their arithmetic.

use std::ops::Range;

use super::gemm::{Op, dot};
use super::packed_gemm::depth_slice;
use crate::Scalar;

/// Outputs of `W·x` computed together, and columns of `δ·W`: each value's operations are its
/// own, so the blocks change the speed (independent chains side by side, in registers), never
/// the bits. Sixteen (a 16-lane register, or two 8-lane ones) took the online sine 5–7 % less
/// time a step than eight, with AVX-512 and with AVX2.
const BLOCK: usize = 16;

/// `z ← W·x` for one sample x (k values) and W of `z.len()` rows of k: what
/// `gemm((1, k, n), 1, x, Plain, W, Transposed, 0, z)` computes, and the same row in a batch.
#[inline(always)]
pub(crate) fn weights_times_row<S: Scalar>(weights: &[S], x: &[S], z: &mut [S]) {
    match (x.len(), z.len()) {
        // Depth one: gemm's outer-product loop.
        (1, _) => outer(x, weights, z),
        // One output: gemm's dot product.
        (k, 1) => z[0] = S::ZERO + dot(x, &weights[..k]),
        _ => fused_row(S::ONE, x, (weights, Op::Transposed), S::ZERO, z),
    }
}

/// `C ← δ xᵀ`, `δ.len()` rows of `x.len()` values: what `gemm((m, 1, n), 1, δ, Transposed, x,
/// Plain, 0, C)` computes.
#[inline(always)]
pub(crate) fn outer<S: Scalar>(delta: &[S], x: &[S], c: &mut [S]) {
    if let [x] = x {
        // A single column (a layer of one input), down the column.
        return c.iter_mut().zip(delta).for_each(|(c, &delta)| *c = S::ZERO + delta * *x);
    }
    for (c_row, &delta) in c.chunks_exact_mut(x.len()).zip(delta) {
        c_row.iter_mut().zip(x).for_each(|(c, &x)| *c = S::ZERO + delta * x);
    }
}

/// `c ← δ·W` for one sample δ (m values) and W of m rows of `c.len()`: what `gemm((1, m, n), 1,
/// δ, Plain, W, Plain, 0, c)` computes, and the same row in a batch.
#[inline(always)]
pub(crate) fn row_times_weights<S: Scalar>(delta: &[S], weights: &[S], c: &mut [S]) {
    if delta.len() == 1 {
        // Depth one: gemm's outer-product loop.
        return outer(delta, weights, c);
    }
    fused_row(S::ONE, delta, (weights, Op::Plain), S::ZERO, c);
}

/// `c ← α·x·op(W) + β·c` for one row x of k values, W stored `k × n` (`Plain`) or `n × k`
/// (`Transposed`), c of n values, each by the packed kernels' chain: [`Path::OneRow`]'s product
/// (with `β = 0`, c's contents are ignored).
///
/// [`Path::OneRow`]: super::Path::OneRow
#[inline(always)]
pub(super) fn fused_row<S: Scalar>(alpha: S, x: &[S], (weights, op): (&[S], Op), beta: S, c: &mut [S]) {
    let (k, n) = (x.len(), c.len());
    assert!(weights.len() >= k * n);
    let slice = depth_slice(k);
    for start in (0..k).step_by(slice) {
        let depths = start..k.min(start + slice);
        // C holds the sum of the slices before this one.
        let beta = if start == 0 { beta } else { S::ONE };
        match op {
            Op::Transposed => down_columns(alpha, x, weights, depths, beta, c),
            Op::Plain => along_rows(alpha, x, weights, depths, beta, c),
        }
    }
}

/// One depth slice of [`fused_row`] with W `n × k`: the outputs of a block of W's rows side by
/// side, W read down its columns.
#[inline(always)]
fn down_columns<S: Scalar>(alpha: S, x: &[S], weights: &[S], depths: Range<usize>, beta: S, c: &mut [S]) {
    let (k, start) = (x.len(), c.len() - c.len() % BLOCK);
    let mut blocks = c.chunks_exact_mut(BLOCK);
    for (block, c) in (&mut blocks).enumerate() {
        let rows = &weights[block * BLOCK * k..(block + 1) * BLOCK * k];
        // W's value in row i of the block, column p, unchecked so that a column is read as
        // one vector.
        let w = |i: usize, p: usize| {
            debug_assert!(i < BLOCK && p < k);
            // SAFETY: every call is made with i < BLOCK and p < k, so i·k + p < BLOCK·k, the
            // length of `rows`.
            unsafe { *rows.get_unchecked(i * k + p) }
        };
        let mut sums = [S::ZERO; BLOCK];
        for p in depths.clone() {
            let x = x[p];
            for (i, sum) in sums.iter_mut().enumerate() {
                *sum = x.mul_add(w(i, p), *sum);
            }
        }
        finish(alpha, &sums, beta, c);
    }
    for (c, row) in blocks.into_remainder().iter_mut().zip(weights[start * k..].chunks_exact(k)) {
        let sum = depths.clone().fold(S::ZERO, |sum, p| x[p].mul_add(row[p], sum));
        finish(alpha, &[sum], beta, std::slice::from_mut(c));
    }
}

/// One depth slice of [`fused_row`] with W `k × n`: a block of columns' sums kept in registers
/// from the slice's first row of W to its last (a block of fixed length: one cut to the
/// columns left was kept in memory, behind masked stores), then the columns left one by one.
#[inline(always)]
fn along_rows<S: Scalar>(alpha: S, x: &[S], weights: &[S], depths: Range<usize>, beta: S, c: &mut [S]) {
    let n = c.len();
    let start = n - n % BLOCK;
    let (blocks, rest) = c.split_at_mut(start);
    for (block, c) in blocks.chunks_exact_mut(BLOCK).enumerate() {
        let mut sums = [S::ZERO; BLOCK];
        for p in depths.clone() {
            let (x, row) = (x[p], &weights[p * n + block * BLOCK..][..BLOCK]);
            for (sum, &w) in sums.iter_mut().zip(row) {
                *sum = x.mul_add(w, *sum);
            }
        }
        finish(alpha, &sums, beta, c);
    }
    for (j, c) in (start..n).zip(rest) {
        let sum = depths.clone().fold(S::ZERO, |sum, p| x[p].mul_add(weights[p * n + j], sum));
        finish(alpha, &[sum], beta, std::slice::from_mut(c));
    }
}

/// `c ← α·sum + β·c`, the kernels' last step (`β = 0`: c ignored).
#[inline(always)]
fn finish<S: Scalar>(alpha: S, sums: &[S], beta: S, c: &mut [S]) {
    for (c, &sum) in c.iter_mut().zip(sums) {
        let value = alpha * sum;
        *c = if beta == S::ZERO { value } else { value + beta * *c };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::gemm::{GemmKernel, Strided};
    use crate::kernels::{InstructionSet, Path, ScalarType, gemm, plan, vectorised};

    /// Values of every sign and magnitude, zeros of both signs among them.
    fn values<S: Scalar>(count: usize, seed: usize) -> Vec<S> {
        (0..count)
            .map(|i| match (7 * i + seed) % 11 {
                0 => 0.0,
                5 => -0.0,
                r => ((i * 7919 + seed * 104_729) % 2001) as f64 / 1000.0 - 1.0 + 1e-3 * r as f64,
            })
            .map(S::from_f64)
            .collect()
    }

    /// The bits, so that a zero's sign counts.
    fn bits<S: Scalar>(values: &[S]) -> Vec<u64> {
        values.iter().map(|value| value.to_f64().to_bits()).collect()
    }

    /// `product` as called plainly and within `vectorised` (compiled for the instruction set in
    /// use: marked `#[inline(always)]` by the caller), both compared with `expected`.
    fn check<S: Scalar>(what: &str, expected: &[S], product: impl Fn(&mut [S])) {
        let mut plain = vec![S::from_f64(f64::NAN); expected.len()];
        product(&mut plain);
        let mut compiled = vec![S::from_f64(f64::NAN); expected.len()];
        vectorised(&product, &mut compiled[..]);
        assert_eq!(bits(&plain), bits(expected), "{} {what}", S::NAME);
        assert_eq!(bits(&compiled), bits(expected), "{} {what}, vectorised", S::NAME);
    }

    /// Row `row` of `op(A)·op(B)` (`rows × k` by `k × n`, A's rows given plain) by every path of
    /// every instruction set this CPU runs that computes such a batch (by `gemm` where that is
    /// the loops), each checked to give the same bits; the first is returned.
    fn row_of_batch<S: Scalar>((rows, k, n): (usize, usize, usize), a: &[S], w: (&[S], Op), row: usize) -> Vec<S> {
        let scalar = if S::NAME == "f32" { ScalarType::F32 } else { ScalarType::F64 };
        let paths: Vec<_> =
            InstructionSet::available().map(|set| plan((rows, k, n), Op::Plain, w.1, scalar, set)).collect();
        let mut rows_by_path = paths.iter().map(|&path| {
            let mut c = vec![S::from_f64(f64::NAN); rows * n];
            if path == Path::Loops {
                gemm((rows, k, n), S::ONE, a, Op::Plain, w.0, w.1, S::ZERO, &mut c);
            } else {
                let (a, b) = (Strided::of(a, (rows, k), Op::Plain), Strided::of(w.0, (k, n), w.1));
                S::product(path, (rows, k, n), S::ONE, a, b, S::ZERO, &mut c);
            }
            c[row * n..(row + 1) * n].to_vec()
        });
        let first = rows_by_path.next().expect("the portable set");
        for (path, other) in paths[1..].iter().zip(rows_by_path) {
            assert_eq!(bits(&other), bits(&first), "{} {rows}×{k}×{n} by {path:?}", S::NAME);
        }
        first
    }

    #[test]
    fn a_row_alone_has_the_bits_it_has_in_a_batch_on_every_path() {
        one_row_products_give_the_bits_of_a_batch::<f32>();
        one_row_products_give_the_bits_of_a_batch::<f64>();
    }

    fn one_row_products_give_the_bits_of_a_batch<S: Scalar + GemmKernel>() {
        // Depth one, one output, shallow depths, whole blocks and remainders, and depths of
        // several slices (784 is four of 196).
        let shapes = [
            (1, 1),
            (1, 16),
            (2, 3),
            (4, 100),
            (8, 9),
            (15, 4),
            (16, 16),
            (16, 1),
            (17, 5),
            (37, 9),
            (300, 17),
            (784, 20),
        ];
        for (k, n) in shapes {
            let rows = 3;
            // z = W a: three samples of k inputs, W of n rows of k.
            let (x, weights) = (values::<S>(rows * k, 1), values::<S>(n * k, 2));
            for row in 0..rows {
                let sample = &x[row * k..(row + 1) * k];
                let expected = row_of_batch((rows, k, n), &x, (&weights, Op::Transposed), row);
                check(
                    &format!("W·x, {k}×{n}, row {row}"),
                    &expected,
                    #[inline(always)]
                    |z| weights_times_row(&weights, sample, z),
                );
                check(
                    &format!("gemm's W·x, {k}×{n}, row {row}"),
                    &expected,
                    #[inline(always)]
                    |z| gemm((1, k, n), S::ONE, sample, Op::Plain, &weights, Op::Transposed, S::ZERO, z),
                );
            }

            // ∂J/∂a(l-1) = δ·W: three samples' δ of k values (the layer's outputs), W of k rows
            // of n (its inputs).
            let delta = values::<S>(rows * k, 3);
            for row in 0..rows {
                let sample = &delta[row * k..(row + 1) * k];
                let expected = row_of_batch((rows, k, n), &delta, (&weights, Op::Plain), row);
                check(
                    &format!("δ·W, {k}×{n}, row {row}"),
                    &expected,
                    #[inline(always)]
                    |c| row_times_weights(sample, &weights, c),
                );
                check(
                    &format!("gemm's δ·W, {k}×{n}, row {row}"),
                    &expected,
                    #[inline(always)]
                    |c| gemm((1, k, n), S::ONE, sample, Op::Plain, &weights, Op::Plain, S::ZERO, c),
                );
            }

            // ∂J/∂W = δ xᵀ of one sample: a product of depth one.
            let (delta, x) = (&delta[..k], &values::<S>(n, 4));
            let mut expected = vec![S::ZERO; k * n];
            gemm((k, 1, n), S::ONE, delta, Op::Transposed, x, Op::Plain, S::ZERO, &mut expected);
            check(
                &format!("δ xᵀ, {k}×{n}"),
                &expected,
                #[inline(always)]
                |c| outer(delta, x, c),
            );
        }
    }

    #[test]
    fn alpha_and_beta_end_the_chain_as_in_the_kernels() {
        // C ← α·x·op(W) + β·C by the one-row path, against row 1 of the same product of a
        // batch by the packed kernel of each instruction set.
        for (k, n) in [(16, 16), (300, 17)] {
            let (x, weights, start) = (values::<f32>(3 * k, 5), values::<f32>(k * n, 6), values::<f32>(3 * n, 7));
            for op in [Op::Plain, Op::Transposed] {
                for (alpha, beta) in [(0.5, -0.25), (1.0, 1.0)] {
                    for set in InstructionSet::available() {
                        let mut batch = start.clone();
                        let (a, b) = (Strided::of(&x[..], (3, k), Op::Plain), Strided::of(&weights[..], (k, n), op));
                        f32::product(Path::Packed(set), (3, k, n), alpha, a, b, beta, &mut batch);
                        let mut alone = start[n..2 * n].to_vec();
                        gemm((1, k, n), alpha, &x[k..2 * k], Op::Plain, &weights, op, beta, &mut alone);
                        assert_eq!(bits(&alone), bits(&batch[n..2 * n]), "{k}×{n} {op:?} α={alpha} β={beta} {set}");
                    }
                }
            }
        }
    }
}
