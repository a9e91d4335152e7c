//! The first layer's weight gradient for sparse inputs: `dW = Δᵀ·X` with the rows of X in
//! compressed sparse form, computed from their stored values only, to the bits of the dense
//! product of `X.toarray()`.
//!
//! The dense kernels compute each value of dW by one chain of fused multiply-adds along the
//! batch's rows, in slices of [`depth_slice`] rows, each from zero, then `dW ← sum` for the
//! first slice and `dW ← sum + dW` for the next ones. A row whose x_i is zero adds
//! `fma(δ, 0, sum)`, which is `sum` itself with the exceptions [`SparseProduct`] describes:
//! - a δ that is not finite (δ·0 is NaN): such a Δ is refused here, and the caller makes the
//!   rows dense;
//! - the sign of a zero: skipping zeros can only leave a sum at `-0` where the dense chain has
//!   `+0`, so a slice's sum that ends at `-0` is computed again over every row of its slice.
//!
//! [`SparseProduct`]: super::SparseProduct

use std::ops::Range;

use super::elementwise::in_one_pass;
use super::gemm::Op;
use super::packed_gemm::depth_slice;
use super::plan::{Path, in_use, plan};
use super::sparse_product::{all_finite, transpose};
use crate::Scalar;
use crate::data::SparseRows;

/// `Δᵀ·X` for sparse rows X, with the buffers it keeps between steps (grown to the largest
/// layer, never shrunk), so that a training step allocates nothing.
#[derive(Clone, Debug)]
pub(crate) struct SparseGradient<S> {
    /// dW summed over the slices of rows so far, transposed (`inputs × outputs`): a stored x_i
    /// then adds to a contiguous row, one loop along the outputs.
    transposed: Vec<S>,
    /// One slice's sums after the first, transposed likewise.
    slice_sums: Vec<S>,
}

impl<S> Default for SparseGradient<S> {
    fn default() -> Self {
        Self { transposed: Vec::new(), slice_sums: Vec::new() }
    }
}

impl<S: Scalar> SparseGradient<S> {
    /// `weight_gradient ← Δᵀ·X` (`outputs × inputs`) for δ of `outputs` values per row of `x`,
    /// each value by the dense kernels' chain; false, with nothing written, where it could not
    /// give the dense product's bits: a δ that is not finite, rows that are not canonical, or a
    /// dense product that takes gemm's loops (a single row or output).
    pub(crate) fn delta_times_rows(&mut self, delta: &[S], x: SparseRows<'_, S>, weight_gradient: &mut [S]) -> bool {
        let (rows, inputs) = (x.len(), x.width());
        let outputs = weight_gradient.len() / inputs.max(1);
        let chained = plan((outputs, rows, inputs), Op::Transposed, Op::Plain, S::SCALAR, in_use()) != Path::Loops;
        if !chained || !x.is_canonical() || !all_finite(delta) {
            return false;
        }
        let delta = &delta[..rows * outputs];
        self.transposed.clear();
        self.transposed.resize(inputs * outputs, S::ZERO);
        for slice_rows in row_slices(rows) {
            let first = slice_rows.start;
            if first > 0 {
                // Kept at zero between slices: sized once, on the first product that needs it.
                self.slice_sums.resize(inputs * outputs, S::ZERO);
            }
            // The first slice's sums are dW itself; the next ones' are added to it.
            let sums = if first == 0 { &mut self.transposed } else { &mut self.slice_sums };
            in_one_pass(
                (&mut sums[..], delta, x, slice_rows.clone()),
                #[inline(always)]
                |pieces| add_stored_products(pieces),
            );
            take_dense_zero_signs(sums, delta, x, slice_rows);
            if first > 0 {
                // dW ← sum + dW, and the slice's sums back to zero for the next slice.
                let slice_sums = self.slice_sums.iter_mut();
                self.transposed.iter_mut().zip(slice_sums).for_each(|(total, sum)| {
                    *total = *sum + *total;
                    *sum = S::ZERO;
                });
            }
        }
        transpose(&self.transposed, (inputs, outputs), weight_gradient);
        true
    }
}

/// The slices of a batch's `rows` that a product along them (`dW = Δᵀ·A`) sums from zero, one
/// after the other: rows made dense a slice at a time give the bits of the whole batch.
pub(crate) fn row_slices(rows: usize) -> impl Iterator<Item = Range<usize>> {
    let slice = depth_slice(rows.max(1));
    (0..rows).step_by(slice).map(move |first| first..rows.min(first + slice))
}

/// What [`add_stored_products`] reads and writes: the slice's sums (transposed, from zero), Δ,
/// the rows and the slice's rows.
type SlicePieces<'a, S> = (&'a mut [S], &'a [S], SparseRows<'a, S>, Range<usize>);

/// sum_i ← x_ri·δ_r + sum_i, fused, row after row of the slice, for the stored x_ri only (each
/// as `0 + x`, as `toarray()` writes it).
#[inline(always)]
fn add_stored_products<S: Scalar>((sums, delta, x, rows): SlicePieces<'_, S>) {
    let outputs = sums.len() / x.width();
    for row in rows {
        let delta = &delta[row * outputs..][..outputs];
        let (columns, values) = x.row(row);
        for (&column, &value) in columns.iter().zip(values) {
            let value = S::ZERO + value;
            let sums = &mut sums[column * outputs..][..outputs];
            sums.iter_mut().zip(delta).for_each(|(sum, &delta)| *sum = value.mul_add(delta, *sum));
        }
    }
}

/// Recomputes by the dense chain, every row of the slice included, each sum left at `-0`: only
/// the columns stored in the slice can hold one (the others are still +0).
fn take_dense_zero_signs<S: Scalar>(sums: &mut [S], delta: &[S], x: SparseRows<'_, S>, rows: Range<usize>) {
    let outputs = sums.len() / x.width();
    let minus_zero = |sum: &S| *sum == S::ZERO && sum.to_f64().is_sign_negative();
    for row in rows.clone() {
        for &column in x.row(row).0 {
            let column_sums = &mut sums[column * outputs..][..outputs];
            // (A fold without a shortcut, so that it vectorises.)
            if !column_sums.iter().fold(false, |any, sum| any | minus_zero(sum)) {
                continue;
            }
            for (output, sum) in column_sums.iter_mut().enumerate().filter(|(_, sum)| minus_zero(sum)) {
                *sum = rows.clone().fold(S::ZERO, |sum, row| {
                    let (columns, values) = x.row(row);
                    let value = columns.binary_search(&column).map_or(S::ZERO, |position| S::ZERO + values[position]);
                    value.mul_add(delta[row * outputs + output], sum)
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::gemm;

    /// The dense product Δᵀ·X of the rows made dense, and the sparse one, as bits.
    fn both<S: Scalar>(delta: &[S], x: SparseRows<'_, S>, outputs: usize) -> (Vec<u64>, Vec<u64>) {
        let (rows, inputs) = (x.len(), x.width());
        let mut dense = vec![S::ZERO; rows * inputs];
        for (index, row) in dense.chunks_exact_mut(inputs).enumerate() {
            x.write_row(index, row);
        }
        let bits = |values: &[S]| values.iter().map(|value| value.to_f64().to_bits()).collect::<Vec<_>>();
        let mut want = vec![S::ZERO; outputs * inputs];
        gemm((outputs, rows, inputs), S::ONE, delta, Op::Transposed, &dense, Op::Plain, S::ZERO, &mut want);
        let mut got = vec![S::from_f64(f64::NAN); outputs * inputs];
        assert!(SparseGradient::default().delta_times_rows(delta, x, &mut got), "finite δ, canonical rows");
        (bits(&got), bits(&want))
    }

    #[test]
    fn the_stored_values_alone_give_the_dense_gradients_bits() {
        fn check<S: Scalar>() {
            let mut gradient = SparseGradient::default();
            // One slice of rows, two (300: two slices of 150), three; a shallow product of 5
            // rows; rows without a stored value.
            for (rows, inputs, outputs, every) in [(40, 90, 17, 7), (300, 50, 9, 11), (700, 30, 4, 5), (5, 20, 3, 3)] {
                let (mut values, mut columns, mut row_starts) = (Vec::new(), Vec::new(), vec![0]);
                for row in 0..rows {
                    for column in (0..inputs).filter(|column| (row * 7 + column * 13) % every == 0 && row % 10 != 3) {
                        values.push(S::from_f64((values.len() as f64 * 0.61).sin() * 3.0));
                        columns.push(column);
                    }
                    row_starts.push(values.len());
                }
                let x = SparseRows::new(&values, &columns, &row_starts, inputs).unwrap();
                let delta: Vec<S> = (0..rows * outputs).map(|i| S::from_f64((i as f64 * 0.37).cos())).collect();
                let (got, want) = both(&delta, x, outputs);
                assert_eq!(got, want, "{} {rows}×{inputs}×{outputs}", S::NAME);
                // The buffers kept from a larger product give the same bits.
                let mut again = vec![S::ZERO; outputs * inputs];
                assert!(gradient.delta_times_rows(&delta, x, &mut again));
                assert_eq!(again.iter().map(|value| value.to_f64().to_bits()).collect::<Vec<_>>(), want);
            }
        }
        check::<f32>();
        check::<f64>();
    }

    #[test]
    fn a_sum_left_at_minus_zero_takes_the_dense_chains_sign() {
        // Column 0: one product too small for f32, rounded to -0, then a row without the column
        // and a positive δ, which the dense chain adds: -0 + 0 = +0. Column 1: a stored -0
        // (+0 in toarray()) times a negative δ.
        let values = [1e-30f32, -0.0, 1.0, 2.0];
        let x = SparseRows::new(&values, &[0, 1, 1, 1], &[0, 2, 3, 4], 2).unwrap();
        let delta = [-1e-30f32, -1.0, 1.0, 0.0, 0.0, 0.0];
        let (got, want) = both(&delta, x, 2);
        assert_eq!(got, want);
        assert_eq!(want[0], 0.0f64.to_bits(), "the dense chain ends at +0");
    }

    #[test]
    fn a_delta_that_is_not_finite_one_row_or_one_output_is_refused() {
        let x = SparseRows::new(&[1.0f64, 2.0], &[0, 1], &[0, 1, 2], 2).unwrap();
        let mut gradient = [0.0; 4];
        assert!(!SparseGradient::default().delta_times_rows(&[1.0, f64::NAN, 0.0, 1.0], x, &mut gradient));
        assert!(!SparseGradient::default().delta_times_rows(&[1.0, f64::INFINITY, 0.0, 1.0], x, &mut gradient));
        assert!(SparseGradient::default().delta_times_rows(&[1.0, 2.0, 0.0, 1.0], x, &mut gradient));
        // One output (gemm's loops for Δᵀ·X), one row (depth one).
        assert!(!SparseGradient::default().delta_times_rows(&[1.0, 2.0], x, &mut gradient[..2]));
        let one_row = SparseRows::new(&[1.0f64], &[1], &[0, 1], 2).unwrap();
        assert!(!SparseGradient::default().delta_times_rows(&[1.0, 2.0], one_row, &mut gradient));
    }
}
