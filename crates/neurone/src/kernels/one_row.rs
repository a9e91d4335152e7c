//! The products of one sample, as a dense layer computes them at a batch size of one (online
//! learning): z = W a, ∂J/∂W = δ aᵀ and ∂J/∂a(l-1) = Wᵀ δ.
//!
//! [`plan`](super::plan) sends every one-row product to the plain loops of
//! [`gemm`](super::gemm); these compute each value by the operations of those loops — `dot`'s
//! and `axpy`'s, in the same order from the same zero, so the same bits on every CPU and every
//! path (the tests compare them bit for bit) — without the dispatch and the zeroing pass around
//! them, inlined into the layer's one pass over the sample, which
//! [`vectorised`](super::vectorised) compiles for the instruction set in use. A step of the
//! course's 1 → 16 → 16 → 1 sine makes eight such products: their dispatch and zeroing cost
//! more than their arithmetic.

use super::gemm::{LANES, axpy, dot};
use crate::Scalar;

/// Outputs of `W·x` computed together, and columns of `δ·W`: each value's operations are its
/// own, so the blocks change the speed (independent additions side by side, in registers),
/// never the bits.
const BLOCK: usize = 8;

/// `z ← W·x` for one sample x (k values) and W of `z.len()` rows of k: what
/// `gemm((1, k, n), 1, x, Plain, W, Transposed, 0, z)` computes, each value by [`dot`]'s
/// operations. `dot` ends by adding its 16 lanes one after the other, a chain of dependent
/// additions for each value: here the values of a block of W's rows go through theirs side by
/// side, W read down its columns (a tenth less time a step of the sine than adding the lanes
/// of each row in turn).
#[inline(always)]
pub(crate) fn weights_times_row<S: Scalar>(weights: &[S], x: &[S], z: &mut [S]) {
    let k = x.len();
    if k == 1 {
        // Depth one: gemm's outer-product loop.
        return outer(x, weights, z);
    }
    let (whole, outputs) = (k - k % LANES, z.len());
    assert!(weights.len() >= outputs * k);
    let mut blocks = z.chunks_exact_mut(BLOCK);
    for (block, z) in (&mut blocks).enumerate() {
        let rows = &weights[block * BLOCK * k..(block + 1) * BLOCK * k];
        // W's value in row i of the block, column p, unchecked so that a column is read as
        // one vector.
        let w = |i: usize, p: usize| {
            debug_assert!(i < BLOCK && p < k);
            // SAFETY: every call is made with i < BLOCK and p < k, so i·k + p < BLOCK·k, the
            // length of `rows`.
            unsafe { *rows.get_unchecked(i * k + p) }
        };
        // dot's lanes, each summing its products chunk after chunk, for the block's values.
        let mut lanes = [[S::ZERO; BLOCK]; LANES];
        for chunk in (0..whole).step_by(LANES) {
            for (lane, lanes) in lanes.iter_mut().enumerate() {
                let (p, x) = (chunk + lane, x[chunk + lane]);
                for (i, lane) in lanes.iter_mut().enumerate() {
                    *lane += x * w(i, p);
                }
            }
        }
        let mut sums = [S::ZERO; BLOCK];
        for lanes in &lanes {
            for (sum, &lane) in sums.iter_mut().zip(lanes) {
                *sum += lane;
            }
        }
        let mut tails = [S::ZERO; BLOCK];
        for (p, &x) in x.iter().enumerate().skip(whole) {
            for (i, tail) in tails.iter_mut().enumerate() {
                *tail += x * w(i, p);
            }
        }
        for ((z, &sum), &tail) in z.iter_mut().zip(&sums).zip(&tails) {
            *z = S::ZERO + (sum + tail);
        }
    }
    let rest = &weights[(outputs - outputs % BLOCK) * k..];
    for (z, row) in blocks.into_remainder().iter_mut().zip(rest.chunks_exact(k)) {
        *z = S::ZERO + dot(x, row);
    }
}

/// `C ← δ xᵀ`, `δ.len()` rows of `x.len()` values: what `gemm((m, 1, n), 1, δ, Transposed, x,
/// Plain, 0, C)` computes.
#[inline(always)]
pub(crate) fn outer<S: Scalar>(delta: &[S], x: &[S], c: &mut [S]) {
    for (c_row, &delta) in c.chunks_exact_mut(x.len()).zip(delta) {
        c_row.iter_mut().zip(x).for_each(|(c, &x)| *c = S::ZERO + delta * x);
    }
}

/// `c ← δ·W` for one sample δ (m values) and W of m rows of `c.len()`: what `gemm((1, m, n), 1,
/// δ, Plain, W, Plain, 0, c)` computes, each value by the same additions from zero, row after
/// row of W.
#[inline(always)]
pub(crate) fn row_times_weights<S: Scalar>(delta: &[S], weights: &[S], c: &mut [S]) {
    let n = c.len();
    assert!(weights.len() >= delta.len() * n);
    // The sums of a block of columns stay in registers from W's first row to its last.
    let mut blocks = c.chunks_exact_mut(BLOCK);
    for (block, c) in (&mut blocks).enumerate() {
        let mut sums = [S::ZERO; BLOCK];
        for (&delta, row) in delta.iter().zip(weights.chunks_exact(n)) {
            let row = &row[block * BLOCK..(block + 1) * BLOCK];
            for (sum, &w) in sums.iter_mut().zip(row) {
                *sum += delta * w;
            }
        }
        c.copy_from_slice(&sums);
    }
    let (start, c) = (n - n % BLOCK, blocks.into_remainder());
    if !c.is_empty() {
        c.fill(S::ZERO);
        for (&delta, row) in delta.iter().zip(weights.chunks_exact(n)) {
            axpy(delta, &row[start..], c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::{Op, gemm, vectorised};

    /// Values of every sign and magnitude, zeros of both signs among them.
    fn values(count: usize, seed: usize) -> Vec<f32> {
        (0..count)
            .map(|i| match (7 * i + seed) % 11 {
                0 => 0.0,
                5 => -0.0,
                r => ((i * 7919 + seed * 104_729) % 2001) as f32 / 1000.0 - 1.0 + 1e-3 * r as f32,
            })
            .collect()
    }

    /// The bits, so that a zero's sign counts.
    fn bits(values: &[f32]) -> Vec<u32> {
        values.iter().map(|value| value.to_bits()).collect()
    }

    /// `product` as called plainly and within `vectorised` (compiled for the instruction set in
    /// use: marked `#[inline(always)]` by the caller), both compared with what gemm writes.
    fn check(what: &str, expected: &[f32], product: impl Fn(&mut [f32])) {
        let mut plain = vec![f32::NAN; expected.len()];
        product(&mut plain);
        let mut compiled = vec![f32::NAN; expected.len()];
        vectorised(&product, &mut compiled[..]);
        assert_eq!(bits(&plain), bits(expected), "{what}");
        assert_eq!(bits(&compiled), bits(expected), "{what}, vectorised");
    }

    #[test]
    fn one_row_products_give_the_bits_of_gemm() {
        for (k, n) in [(1, 1), (1, 16), (2, 3), (15, 4), (16, 16), (16, 1), (17, 5), (37, 9), (784, 20)] {
            let (x, weights) = (values(k, 1), values(n * k, 2));
            let mut expected = vec![f32::NAN; n];
            gemm((1, k, n), 1.0, &x, Op::Plain, &weights, Op::Transposed, 0.0, &mut expected);
            check(
                &format!("W·x, {k}×{n}"),
                &expected,
                #[inline(always)]
                |z| weights_times_row(&weights, &x, z),
            );

            // δ has k values (the layer's outputs), x and ∂J/∂a(l-1) have n (its inputs).
            let (delta, x) = (values(k, 3), values(n, 4));
            let mut expected = vec![f32::NAN; n];
            gemm((1, k, n), 1.0, &delta, Op::Plain, &weights, Op::Plain, 0.0, &mut expected);
            check(
                &format!("δ·W, {k}×{n}"),
                &expected,
                #[inline(always)]
                |c| row_times_weights(&delta, &weights, c),
            );

            let mut expected = vec![f32::NAN; k * n];
            gemm((k, 1, n), 1.0, &delta, Op::Transposed, &x, Op::Plain, 0.0, &mut expected);
            check(
                &format!("δ xᵀ, {k}×{n}"),
                &expected,
                #[inline(always)]
                |c| outer(&delta, &x, c),
            );
        }
    }
}
