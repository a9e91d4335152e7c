//! A dense layer reading sparse input rows (a network's first layer, on TF-IDF or one-hot
//! words): `Z = X·Wᵀ + b` and `dW = Δᵀ·X` from the stored values alone, with the bits of the
//! same rows dense. Where the stored values cannot give those bits (weights or δ that are not
//! finite, rows that are not canonical, a single output or row), the rows are made dense one
//! slice of rows at a time — the slices the dense product sums one after the other — never all
//! at once. The first layer hands no ∂J/∂a(0) down: X needs none.

use super::{Dense, product_without_bias};
use crate::Scalar;
use crate::data::{Inputs, SparseRows};
use crate::kernels::{Op, SparseGradient, SparseProduct, gemm, row_slices};

/// What a dense layer keeps between steps to read sparse rows, so that a step allocates
/// nothing: Wᵀ, dW's sums, and rows made dense. Buffers, not state: a clone starts without them.
#[derive(Debug)]
pub(crate) struct SparseRowBuffers<S> {
    product: SparseProduct<S>,
    gradient: SparseGradient<S>,
    dense_rows: Vec<S>,
}

impl<S> Default for SparseRowBuffers<S> {
    fn default() -> Self {
        Self { product: SparseProduct::default(), gradient: SparseGradient::default(), dense_rows: Vec::new() }
    }
}

impl<S> Clone for SparseRowBuffers<S> {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl<S: Scalar> Dense<S> {
    /// [`Dense::forward`] on input rows dense or sparse.
    pub(crate) fn forward_inputs(&mut self, input: Inputs<'_, S>, rows: usize) {
        let x = match input {
            Inputs::Dense(input) => return self.forward(input, rows),
            Inputs::Sparse(x) => x,
        };
        if rows == 1 {
            return self.with_first_row_dense(x, |layer, row| layer.forward(row, 1));
        }
        self.prepare(rows);
        let outputs = self.outputs;
        if x.is_canonical() && self.sparse.product.set_weights(&self.weights, outputs) {
            // Z = X·Wᵀ + b, a = σ(z)
            self.sparse.product.rows_times_weights(x, 0..rows, &mut self.z[..rows * outputs]);
        } else {
            let mut dense = std::mem::take(&mut self.sparse.dense_rows);
            for slice in row_slices(rows) {
                let z = &mut self.z[slice.start * outputs..slice.end * outputs];
                product_without_bias(&self.weights, write_rows(x, slice.clone(), &mut dense), slice.len(), z);
            }
            self.sparse.dense_rows = dense;
        }
        self.add_bias_and_activate(rows * outputs);
    }

    /// [`Dense::backward`] on input rows dense or sparse (sparse rows: with no `input_gradient`).
    pub(crate) fn backward_inputs(&mut self, input: Inputs<'_, S>, input_gradient: Option<&mut [S]>) {
        match input {
            Inputs::Dense(input) => self.backward(input, input_gradient),
            Inputs::Sparse(x) if self.rows == 1 => self.with_first_row_dense(x, |layer, row| layer.backward(row, None)),
            Inputs::Sparse(x) => {
                self.delta_and_bias_gradient();
                self.sparse_weight_gradient(x);
            }
        }
    }

    /// [`Dense::backward_from_delta`] on input rows dense or sparse (sparse rows: with no
    /// `input_gradient`).
    pub(crate) fn backward_from_delta_inputs(&mut self, input: Inputs<'_, S>, input_gradient: Option<&mut [S]>) {
        match input {
            Inputs::Dense(input) => self.backward_from_delta(input, input_gradient),
            Inputs::Sparse(x) if self.rows == 1 => {
                self.with_first_row_dense(x, |layer, row| layer.backward_from_delta(row, None))
            }
            Inputs::Sparse(x) => {
                self.sum_bias_gradient();
                self.sparse_weight_gradient(x);
            }
        }
    }

    /// The one-sample pass `pass` on the first row of `x` made dense.
    fn with_first_row_dense(&mut self, x: SparseRows<'_, S>, pass: impl FnOnce(&mut Self, &[S])) {
        let mut dense = std::mem::take(&mut self.sparse.dense_rows);
        pass(self, write_rows(x, 0..1, &mut dense));
        self.sparse.dense_rows = dense;
    }

    /// ∂J/∂W = δ xᵀ summed over a batch of more than one sparse row x, δ(l) in the delta buffer.
    fn sparse_weight_gradient(&mut self, x: SparseRows<'_, S>) {
        let (rows, outputs, inputs) = (self.rows, self.outputs, self.inputs);
        let delta = &self.delta[..rows * outputs];
        // dW = Δᵀ·X from the stored values, if they give the dense bits.
        if !self.sparse.gradient.delta_times_rows(delta, x, &mut self.weight_gradient) {
            let mut dense = std::mem::take(&mut self.sparse.dense_rows);
            // Slice after slice: dW ← Δᵀ·X for the first, dW ← Δᵀ·X + dW for the next ones,
            // as the dense product sums its slices of rows.
            for slice in row_slices(rows) {
                let (shape, beta) = ((outputs, slice.len(), inputs), if slice.start == 0 { S::ZERO } else { S::ONE });
                let (delta, rows) =
                    (&delta[slice.start * outputs..slice.end * outputs], write_rows(x, slice, &mut dense));
                gemm(shape, S::ONE, delta, Op::Transposed, rows, Op::Plain, beta, &mut self.weight_gradient);
            }
            self.sparse.dense_rows = dense;
        }
    }
}

/// The rows `range` of `x` made dense in `buffer` (grown to the largest slice, then reused).
fn write_rows<'b, S: Scalar>(x: SparseRows<'_, S>, range: std::ops::Range<usize>, buffer: &'b mut Vec<S>) -> &'b [S] {
    let width = x.width();
    if buffer.len() < range.len() * width {
        buffer.resize(range.len() * width, S::ZERO);
    }
    let dense = &mut buffer[..range.len() * width];
    for (index, row) in range.zip(dense.chunks_exact_mut(width)) {
        x.write_row(index, row);
    }
    dense
}
