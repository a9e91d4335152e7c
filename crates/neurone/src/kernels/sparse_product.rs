//! The first layer's product for sparse inputs (TF-IDF, one-hot words): `Z = X·Wᵀ` with the rows
//! of X in compressed sparse form, computed from their stored values only, to the bits of the
//! dense product of `X.toarray()`.
//!
//! The dense kernels compute each value of Z by one chain of fused multiply-adds along the
//! depth, in slices of [`depth_slice`], each from zero (`kernels/packed_gemm.rs`). A zero input
//! x_p adds `fma(0, w, sum)` to the chain, which is `sum` itself, with two exceptions:
//! - a weight that is not finite: 0·∞ and 0·NaN are NaN. Such weights are refused here
//!   ([`SparseProduct::new`]), and the caller makes the rows dense;
//! - the sign of a zero: `-0 + (+0)` is `+0`. Skipping zeros can only leave a sum at `-0`
//!   where the dense chain has `+0` (a product too small for the format rounds to `-0`), so a
//!   slice's sum that ends at `-0` is computed again over every depth of its slice, zeros included.
//!
//! Each stored value enters as `0 + x`, as `toarray()` writes it (a stored `-0` is a `+0`
//! there), and the rows must be canonical (columns sorted, none twice): the chain's order.

use std::ops::Range;

use super::gemm::Op;
use super::packed_gemm::depth_slice;
use super::plan::{Path, in_use, plan};
use crate::Scalar;
use crate::data::SparseRows;

/// `X·Wᵀ` for sparse rows X and a dense layer's weights W (`outputs × inputs`), which it holds
/// transposed (`inputs × outputs`), so that a stored x_p multiplies the contiguous row p of Wᵀ:
/// one loop along the outputs for each stored value, which vectorises. Its buffers are kept
/// when it takes new weights ([`SparseProduct::set_weights`]), so that a training step
/// allocates nothing.
#[derive(Clone, Debug)]
pub(crate) struct SparseProduct<S> {
    transposed_weights: Vec<S>,
    /// One row's sums over a slice of the depth, one per output.
    sums: Vec<S>,
    inputs: usize,
    outputs: usize,
}

impl<S> Default for SparseProduct<S> {
    fn default() -> Self {
        Self { transposed_weights: Vec::new(), sums: Vec::new(), inputs: 0, outputs: 0 }
    }
}

impl<S: Scalar> SparseProduct<S> {
    /// The product with W (`outputs × inputs`, row-major), or `None` where it could not give the
    /// dense product's bits ([`SparseProduct::set_weights`]).
    pub(crate) fn new(weights: &[S], outputs: usize) -> Option<Self> {
        let mut product = Self::default();
        product.set_weights(weights, outputs).then_some(product)
    }

    /// Takes W (`outputs × inputs`, row-major) into the buffers it keeps, and says whether the
    /// product can give the dense product's bits: not if a weight is not finite, or if a batch's
    /// dense product takes other loops than the fused chain (a single output or input).
    pub(crate) fn set_weights(&mut self, weights: &[S], outputs: usize) -> bool {
        let Some(inputs) = weights.len().checked_div(outputs) else {
            return false;
        };
        let chained = plan((2, inputs, outputs), Op::Plain, Op::Transposed, S::SCALAR, in_use()) != Path::Loops;
        if !chained || !all_finite(weights) {
            return false;
        }
        (self.inputs, self.outputs) = (inputs, outputs);
        self.transposed_weights.resize(weights.len(), S::ZERO);
        self.sums.resize(outputs, S::ZERO);
        transpose(weights, (outputs, inputs), &mut self.transposed_weights);
        true
    }

    /// `z ← X·Wᵀ` for the rows `range` of `x` (canonical, of W's width), one row of z per row,
    /// each value by the dense kernels' chain.
    ///
    /// # Panics
    /// If the rows are not canonical or not as wide as W, or `z` is too short.
    pub(crate) fn rows_times_weights(&mut self, x: SparseRows<'_, S>, range: Range<usize>, z: &mut [S]) {
        assert!(x.is_canonical() && x.width() == self.inputs, "sparse product: rows of another form");
        assert!(z.len() >= range.len() * self.outputs, "sparse product: z too short");
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            #[target_feature(enable = "avx2,fma")]
            fn with_fma<S: Scalar>(
                product: &mut SparseProduct<S>,
                x: SparseRows<'_, S>,
                range: Range<usize>,
                z: &mut [S],
            ) {
                product.chains(x, range, z);
            }
            // SAFETY: both features were just detected.
            return unsafe { with_fma(self, x, range, z) };
        }
        self.chains(x, range, z);
    }

    /// [`SparseProduct::rows_times_weights`]'s loops, inlined into each of its versions. A slice
    /// of the depth without stored values has the sum +0, so that `z ← 0 + z` is all it does:
    /// it is done once for a run of them, before the next stored value or at the row's end.
    #[inline(always)]
    fn chains(&mut self, x: SparseRows<'_, S>, range: Range<usize>, z: &mut [S]) {
        let (inputs, outputs) = (self.inputs, self.outputs);
        let slice = depth_slice(inputs);
        let mut sums = std::mem::take(&mut self.sums);
        for (index, z_row) in range.zip(z.chunks_exact_mut(outputs)) {
            let (columns, values) = x.row(index);
            // The first slice's sum, if it stores nothing.
            z_row.fill(S::ZERO);
            let (mut stored, mut empty_slices) = (0, false);
            for depth in (0..inputs).step_by(slice) {
                let depths = depth..inputs.min(depth + slice);
                // The stored values of this slice of the depth.
                let first = stored;
                stored += columns[first..].iter().take_while(|&&column| column < depths.end).count();
                let slice_values = (&columns[first..stored], &values[first..stored]);
                if first == stored {
                    empty_slices |= depth > 0;
                    continue;
                }
                // sum ← x_p·w_p + sum, fused, from zero, over the stored x_p only.
                for (position, (&column, &value)) in slice_values.0.iter().zip(slice_values.1).enumerate() {
                    let value = S::ZERO + value;
                    let weights = &self.transposed_weights[column * outputs..][..outputs];
                    if position == 0 {
                        sums.iter_mut().zip(weights).for_each(|(sum, &weight)| *sum = value.mul_add(weight, S::ZERO));
                    } else {
                        sums.iter_mut().zip(weights).for_each(|(sum, &weight)| *sum = value.mul_add(weight, *sum));
                    }
                }
                // (A fold without a shortcut, so that it vectorises.)
                if sums.iter().fold(false, |zero, &sum| zero | (sum == S::ZERO)) {
                    for (output, sum) in sums.iter_mut().enumerate() {
                        if *sum == S::ZERO && sum.to_f64().is_sign_negative() {
                            *sum = self.dense_chain(output, depths.clone(), slice_values);
                        }
                    }
                }
                // The dense kernels' α·sum + β·z with α = 1, and β = 0 on the first slice.
                if depth == 0 {
                    z_row.copy_from_slice(&sums);
                } else {
                    if std::mem::take(&mut empty_slices) {
                        z_row.iter_mut().for_each(|z| *z = S::ZERO + *z);
                    }
                    z_row.iter_mut().zip(&sums).for_each(|(z, &sum)| *z = sum + *z);
                }
            }
            if empty_slices {
                z_row.iter_mut().for_each(|z| *z = S::ZERO + *z);
            }
        }
        self.sums = sums;
    }

    /// Output `output`'s sum over `depths` by the dense chain, every depth's x_p included (its
    /// stored value, else zero).
    fn dense_chain(&self, output: usize, depths: Range<usize>, (columns, values): (&[usize], &[S])) -> S {
        let mut stored = columns.iter().zip(values).peekable();
        depths.fold(S::ZERO, |sum, depth| {
            let value = stored.next_if(|&(&column, _)| column == depth).map_or(S::ZERO, |(_, &value)| S::ZERO + value);
            value.mul_add(self.transposed_weights[depth * self.outputs + output], sum)
        })
    }
}

/// Whether every value is finite: a fold without a shortcut, so that it vectorises (`any` stopping
/// at the first took a tenth of a sparse training step).
pub(super) fn all_finite<S: Scalar>(values: &[S]) -> bool {
    values.iter().fold(true, |finite, value| finite & value.is_finite())
}

/// `to` (`columns × rows`) ← the transpose of `from` (`rows × columns`), in square blocks whose
/// rows stay in L1 (a 5,000 × 100 layer's transpose took as long as its sparse product when
/// written one row of `from` at a time).
pub(super) fn transpose<S: Copy>(from: &[S], (rows, columns): (usize, usize), to: &mut [S]) {
    const BLOCK: usize = 32;
    let (from, to) = (&from[..rows * columns], &mut to[..rows * columns]);
    for first_row in (0..rows).step_by(BLOCK) {
        let block_rows = first_row..rows.min(first_row + BLOCK);
        for first_column in (0..columns).step_by(BLOCK) {
            for column in first_column..columns.min(first_column + BLOCK) {
                let to = &mut to[column * rows..][block_rows.clone()];
                for (to, row) in to.iter_mut().zip(block_rows.clone()) {
                    *to = from[row * columns + column];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::gemm;

    /// Rows of `width` values, about one in `every` stored, with the given stored values.
    fn sparse(
        rows: usize,
        width: usize,
        every: usize,
        value: impl Fn(usize) -> f64,
    ) -> (Vec<f64>, Vec<usize>, Vec<usize>) {
        let (mut values, mut columns, mut row_starts) = (Vec::new(), Vec::new(), vec![0]);
        for row in 0..rows {
            for column in (0..width).filter(|column| (row * 7 + column * 13) % every == 0) {
                values.push(value(values.len()));
                columns.push(column);
            }
            row_starts.push(values.len());
        }
        (values, columns, row_starts)
    }

    /// The dense product of the rows made dense, and the sparse product, as bits.
    fn both<S: Scalar>(x: SparseRows<'_, S>, weights: &[S], outputs: usize) -> (Vec<u64>, Vec<u64>) {
        let (rows, inputs) = (x.len(), x.width());
        let mut dense = vec![S::ZERO; rows * inputs];
        for (index, row) in dense.chunks_exact_mut(inputs).enumerate() {
            x.write_row(index, row);
        }
        let bits = |values: &[S]| values.iter().map(|value| value.to_f64().to_bits()).collect::<Vec<_>>();
        let mut want = vec![S::ZERO; rows * outputs];
        gemm((rows, inputs, outputs), S::ONE, &dense, Op::Plain, weights, Op::Transposed, S::ZERO, &mut want);
        let mut got = vec![S::from_f64(f64::NAN); rows * outputs];
        SparseProduct::new(weights, outputs).expect("finite weights").rows_times_weights(x, 0..rows, &mut got);
        (bits(&got), bits(&want))
    }

    #[test]
    fn the_stored_values_alone_give_the_dense_products_bits() {
        fn check<S: Scalar>() {
            // A depth of one slice, of two (600: two slices of 300), of four; of twelve, most of
            // them without a stored value; a shallow one.
            let shapes = [(9, 200, 17, 5), (6, 600, 33, 11), (4, 1000, 8, 3), (8, 3000, 16, 401), (5, 7, 10, 2)];
            for (rows, inputs, outputs, every) in shapes {
                let (values, columns, row_starts) = sparse(rows, inputs, every, |i| (i as f64 * 0.61).sin() * 3.0);
                let values: Vec<S> = values.into_iter().map(S::from_f64).collect();
                let x = SparseRows::new(&values, &columns, &row_starts, inputs).unwrap();
                let weights: Vec<S> = (0..outputs * inputs).map(|i| S::from_f64((i as f64 * 0.37).cos())).collect();
                let (got, want) = both(x, &weights, outputs);
                assert_eq!(got, want, "{} {rows}×{inputs}×{outputs}", S::NAME);
            }
        }
        check::<f32>();
        check::<f64>();
    }

    #[test]
    fn a_sum_left_at_minus_zero_takes_the_dense_chains_sign() {
        // Row 0: one product too small for f32, rounded to -0, then zeros times positive
        // weights, which the dense chain adds: -0 + 0 = +0. Row 1: a stored -0 (+0 in
        // toarray()) beside a stored 1 times a zero weight.
        let (inputs, outputs) = (40, 2);
        let values = [-1e-30f32, -0.0, 1.0];
        let x = SparseRows::new(&values, &[3, 5, 39], &[0, 1, 3], inputs).unwrap();
        let mut weights = vec![1.0f32; outputs * inputs];
        weights[3] = 1e-30;
        weights[39] = 0.0;
        let (got, want) = both(x, &weights, outputs);
        assert_eq!(got, want);
        assert_eq!(want[0], 0.0f64.to_bits(), "the dense chain ends at +0");
    }

    #[test]
    fn weights_that_are_not_finite_or_a_single_output_are_refused() {
        assert!(SparseProduct::new(&[1.0f32, f32::INFINITY, 0.0, 1.0], 2).is_none());
        assert!(SparseProduct::new(&[1.0f64, 2.0, f64::NAN, 1.0], 2).is_none());
        // One output: a batch's dense product takes gemm's loops, not the chain.
        assert!(SparseProduct::new(&[1.0f32; 20], 1).is_none());
        assert!(SparseProduct::new(&[1.0f32; 20], 2).is_some());
    }
}
