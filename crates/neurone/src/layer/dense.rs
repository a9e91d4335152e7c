//! The dense (fully connected) layer: `z(l) = W(l) a(l-1) + b(l)`, `a(l) = σ(z(l))`.

use std::ops::Range;

use self::sparse_rows::SparseRowBuffers;
use super::{Parameter, ParameterMut};
use crate::data::SparseRows;
use crate::kernels::{Op, SparseProduct, gemm, in_one_pass, outer, row_times_weights, vectorised, weights_times_row};
use crate::{Activation, Init, Loss, Rng, Scalar};

/// A fully connected layer with its activation, its gradients and its per-batch buffers.
///
/// A batch is stored as rows, so the course's `z = W a + b` reads `Z = A·Wᵀ + b` here, with
/// `W` shaped out × in (like PyTorch's `nn.Linear`).
#[derive(Clone, Debug)]
pub struct Dense<S> {
    inputs: usize,
    outputs: usize,
    activation: Activation,
    /// W(l), `outputs × inputs`, row-major.
    weights: Vec<S>,
    /// b(l), one value per output.
    bias: Vec<S>,
    /// ∂J/∂W(l), same shape as `weights`.
    weight_gradient: Vec<S>,
    /// ∂J/∂b(l).
    bias_gradient: Vec<S>,
    /// z(l) for the current batch, `rows × outputs`; grown to the largest batch seen, never shrunk.
    z: Vec<S>,
    /// a(l) = σ(z(l)) for the current batch.
    a: Vec<S>,
    /// ∂J/∂a(l) written by the layer above, turned into δ(l) = ∂J/∂z(l) in `backward`.
    delta: Vec<S>,
    /// Number of samples in the current batch.
    rows: usize,
    /// What the layer keeps between steps to read sparse input rows (`dense/sparse_rows.rs`).
    sparse: SparseRowBuffers<S>,
}

mod sparse_rows;

impl<S: Scalar> Dense<S> {
    /// A layer mapping `inputs` values to `outputs` values, with weights and biases drawn from
    /// the given initialisers.
    pub fn new(
        inputs: usize,
        outputs: usize,
        activation: Activation,
        weight_init: Init,
        bias_init: Init,
        rng: &mut Rng,
    ) -> Self {
        let mut weights = vec![S::ZERO; outputs * inputs];
        weight_init.fill(&mut weights, inputs, outputs, rng);
        let mut bias = vec![S::ZERO; outputs];
        bias_init.fill(&mut bias, inputs, outputs, rng);
        Self {
            inputs,
            outputs,
            activation,
            weight_gradient: vec![S::ZERO; weights.len()],
            bias_gradient: vec![S::ZERO; outputs],
            weights,
            bias,
            z: Vec::new(),
            a: Vec::new(),
            delta: Vec::new(),
            rows: 0,
            sparse: SparseRowBuffers::default(),
        }
    }

    /// Width of the input `a(l-1)`.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Width of the output `a(l)`.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The activation σ(l).
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// W(l), `outputs × inputs`, row-major.
    pub fn weights(&self) -> &[S] {
        &self.weights
    }

    /// W(l), mutably (e.g. to load trained values).
    pub fn weights_mut(&mut self) -> &mut [S] {
        &mut self.weights
    }

    /// b(l).
    pub fn bias(&self) -> &[S] {
        &self.bias
    }

    /// b(l), mutably.
    pub fn bias_mut(&mut self) -> &mut [S] {
        &mut self.bias
    }

    /// ∂J/∂W(l) from the last backward pass.
    pub fn weight_gradient(&self) -> &[S] {
        &self.weight_gradient
    }

    /// ∂J/∂b(l) from the last backward pass.
    pub fn bias_gradient(&self) -> &[S] {
        &self.bias_gradient
    }

    /// z(l) of the last forward pass, one row of `outputs` values per sample.
    pub fn z(&self) -> &[S] {
        &self.z[..self.rows * self.outputs]
    }

    /// a(l) = σ(z(l)) of the last forward pass, one row per sample.
    pub fn a(&self) -> &[S] {
        self.output()
    }

    /// δ(l) = ∂J/∂z(l) of the last backward pass, one row per sample (the rows of Δ(l)).
    pub fn delta(&self) -> &[S] {
        &self.delta[..self.rows * self.outputs]
    }

    /// Number of trainable values: `outputs × inputs + outputs`.
    pub fn parameter_count(&self) -> usize {
        self.weights.len() + self.bias.len()
    }

    /// Grows the batch buffers to hold `rows` samples, if they are not already large enough.
    pub(crate) fn prepare(&mut self, rows: usize) {
        self.rows = rows;
        let needed = rows * self.outputs;
        if self.z.len() < needed {
            self.z.resize(needed, S::ZERO);
            self.a.resize(needed, S::ZERO);
            self.delta.resize(needed, S::ZERO);
        }
    }

    /// Forward pass on a batch of `rows` inputs, keeping `z(l)` and `a(l)` for backpropagation.
    pub(crate) fn forward(&mut self, input: &[S], rows: usize) {
        self.prepare(rows);
        if rows == 1 {
            return self.forward_one_sample(input);
        }
        let n = rows * self.outputs;
        product_without_bias(&self.weights, input, rows, &mut self.z[..n]);
        self.add_bias_and_activate(n);
    }

    /// z += b and a = σ(z) for the batch's first `n` values of z, which hold W a: in one pass
    /// over the product's output where σ is cheap, else a pass each.
    fn add_bias_and_activate(&mut self, n: usize) {
        let z = &mut self.z[..n];
        if fused_with_bias(self.activation) {
            let pass = (z, &self.bias[..], self.activation, &mut self.a[..n]);
            in_one_pass(
                pass,
                #[inline(always)]
                |pass| add_bias_and_activate(pass),
            );
        } else {
            vectorised(&add_to_rows, (&mut *z, &self.bias[..]));
            // a = σ(z)
            self.activation.apply(z, &mut self.a[..n], self.outputs);
        }
    }

    /// [`Dense::forward`] for one sample, in one pass compiled for the instruction set in use:
    /// the one-row product's loops, then b and σ, each value by the operations of a batch's
    /// product, bias and activation passes (the same bits, without their three dispatches).
    fn forward_one_sample(&mut self, input: &[S]) {
        let (z, a) = (&mut self.z[..self.outputs], &mut self.a[..self.outputs]);
        let pass = (&self.weights[..], &self.bias[..], self.activation, input, (z, a));
        in_one_pass(
            pass,
            #[inline(always)]
            |pass| forward_one_sample(pass),
        );
    }

    /// Forward pass without keeping anything: writes `a(l)` for `rows` inputs into `output`.
    pub(crate) fn infer(&self, input: &[S], rows: usize, output: &mut [S]) {
        affine(&self.weights, &self.bias, input, rows, output);
        self.activation.apply_in_place(output, self.outputs);
    }

    /// z(l) for `rows` inputs, written into `z` (used where the loss needs the logits).
    pub(crate) fn affine_into(&self, input: &[S], rows: usize, z: &mut [S]) {
        affine(&self.weights, &self.bias, input, rows, z);
    }

    /// z(l) for the rows `range` of sparse inputs, by `product` (of this layer's weights),
    /// written into `z`: the bits of [`Dense::affine_into`] on the rows made dense.
    pub(crate) fn sparse_affine_into(
        &self,
        product: &mut SparseProduct<S>,
        x: SparseRows<'_, S>,
        range: Range<usize>,
        z: &mut [S],
    ) {
        let z = &mut z[..range.len() * self.outputs];
        product.rows_times_weights(x, range, z);
        vectorised(&add_to_rows, (z, &self.bias[..]));
    }

    /// Copies W(l) and b(l) from a layer of the same shape.
    pub(crate) fn copy_learned_from(&mut self, other: &Dense<S>) {
        self.weights.copy_from_slice(&other.weights);
        self.bias.copy_from_slice(&other.bias);
    }

    /// Starts backpropagation at the output layer: writes δ(L) from the loss and the batch's
    /// `targets` (and their weights, if any) into the delta buffer, and returns J.
    pub(crate) fn start_backward(&mut self, loss: Loss, targets: &[S], weights: Option<&[S]>) -> f64 {
        let n = self.rows * self.outputs;
        let (z, a) = (&self.z[..n], &self.a[..n]);
        loss.output_delta(self.activation, (z, a, targets), &mut self.delta[..n], self.outputs, weights);
        loss.value(z, a, targets, self.outputs, weights)
    }

    /// The current batch's a(l).
    pub(crate) fn output(&self) -> &[S] {
        &self.a[..self.rows * self.outputs]
    }

    /// The buffer the layer above writes ∂J/∂a(l) into.
    pub(crate) fn delta_mut(&mut self) -> &mut [S] {
        &mut self.delta[..self.rows * self.outputs]
    }

    /// a(l), the input of the layer above, with the buffer that layer writes ∂J/∂a(l) into.
    pub(crate) fn output_and_delta_mut(&mut self) -> (&[S], &mut [S]) {
        let n = self.rows * self.outputs;
        (&self.a[..n], &mut self.delta[..n])
    }

    /// Backward pass, with ∂J/∂a(l) in the delta buffer: applies σ' to get δ(l), then
    /// continues as [`Dense::backward_from_delta`].
    pub(crate) fn backward(&mut self, input: &[S], input_gradient: Option<&mut [S]>) {
        if self.rows == 1 {
            return self.backward_one_sample(input, Some(self.activation), input_gradient);
        }
        self.delta_and_bias_gradient();
        self.weight_and_input_gradients(input, input_gradient);
    }

    /// δ(l) = ∂J/∂a(l) ⊙ σ'(z(l)) in the delta buffer, and ∂J/∂b = δ summed over the batch: in
    /// one pass over δ where σ is cheap, else a pass each.
    fn delta_and_bias_gradient(&mut self) {
        let n = self.rows * self.outputs;
        if fused_with_bias(self.activation) {
            let (z, a) = (&self.z[..n], &self.a[..n]);
            let pass = (self.activation, (z, a), &mut self.delta[..n], &mut self.bias_gradient[..]);
            in_one_pass(
                pass,
                #[inline(always)]
                |pass| backprop_and_sum_rows(pass),
            );
        } else {
            // δ(l) = ∂J/∂a(l) ⊙ σ'(z(l))
            self.activation.backprop_in_place(&self.z[..n], &self.a[..n], &mut self.delta[..n], self.outputs);
            self.sum_bias_gradient();
        }
    }

    /// Backward pass with δ(l) already in the delta buffer: computes ∂J/∂W(l) and ∂J/∂b(l),
    /// and writes ∂J/∂a(l-1) = W(l)ᵀ δ(l) into `input_gradient` when the layer below needs it.
    pub(crate) fn backward_from_delta(&mut self, input: &[S], input_gradient: Option<&mut [S]>) {
        if self.rows == 1 {
            return self.backward_one_sample(input, None, input_gradient);
        }
        self.sum_bias_gradient();
        self.weight_and_input_gradients(input, input_gradient);
    }

    /// ∂J/∂b = δ summed over the batch (in 8-lane registers where the CPU has them).
    fn sum_bias_gradient(&mut self) {
        let delta = &self.delta[..self.rows * self.outputs];
        vectorised(&sum_rows, (&mut self.bias_gradient[..], delta, self.outputs));
    }

    /// ∂J/∂W and ∂J/∂a(l-1) from δ(l), for [`Dense::backward_from_delta`] once ∂J/∂b is summed.
    fn weight_and_input_gradients(&mut self, input: &[S], input_gradient: Option<&mut [S]>) {
        let (rows, outputs, inputs) = (self.rows, self.outputs, self.inputs);
        let delta = &self.delta[..rows * outputs];
        // ∂J/∂W = δ a(l-1)ᵀ, summed over the batch: dW = Δᵀ·A
        gemm(
            (outputs, rows, inputs),
            S::ONE,
            delta,
            Op::Transposed,
            input,
            Op::Plain,
            S::ZERO,
            &mut self.weight_gradient,
        );
        // ∂J/∂a(l-1) = W(l)ᵀ δ(l): Δ·W; the layer below multiplies by its own σ'.
        if let Some(input_gradient) = input_gradient {
            gemm((rows, outputs, inputs), S::ONE, delta, Op::Plain, &self.weights, Op::Plain, S::ZERO, input_gradient);
        }
    }

    /// [`Dense::backward`] for one sample (with σ to turn ∂J/∂a(l) into δ(l)), or
    /// [`Dense::backward_from_delta`] (without), in one pass compiled for the instruction set in
    /// use, each value by the operations of a batch's passes and products (the same bits).
    fn backward_one_sample(&mut self, input: &[S], activation: Option<Activation>, input_gradient: Option<&mut [S]>) {
        let n = self.outputs;
        let delta = (&self.z[..n], &self.a[..n], &mut self.delta[..n]);
        let gradients = (&mut self.weight_gradient[..], &mut self.bias_gradient[..]);
        let pass = (activation, delta, input, &self.weights[..], gradients, input_gradient);
        in_one_pass(
            pass,
            #[inline(always)]
            |pass| backward_one_sample(pass),
        );
    }

    /// W(l) and b(l) with their gradients; only W is subject to weight penalties.
    pub(crate) fn parameters(&self) -> [Parameter<'_, S>; 2] {
        [
            Parameter { name: "weight", regularised: true, value: &self.weights, gradient: &self.weight_gradient },
            Parameter { name: "bias", regularised: false, value: &self.bias, gradient: &self.bias_gradient },
        ]
    }

    /// [`Dense::parameters`], mutably.
    pub(crate) fn parameters_mut(&mut self) -> [ParameterMut<'_, S>; 2] {
        [
            ParameterMut {
                name: "weight",
                regularised: true,
                value: &mut self.weights,
                gradient: &mut self.weight_gradient,
            },
            ParameterMut { name: "bias", regularised: false, value: &mut self.bias, gradient: &mut self.bias_gradient },
        ]
    }
}

/// z = W a + b and a = σ(z) for one sample: [`Dense::forward_one_sample`]'s pass, given W, b,
/// σ, a(l-1) and where z and a go.
#[inline(always)]
fn forward_one_sample<S: Scalar>((weights, bias, activation, input, (z, a)): OneSample<'_, S>) {
    weights_times_row(weights, input, z);
    add_to_rows((&mut *z, bias));
    activation.apply_to_row(z, a);
}

/// What [`forward_one_sample`] reads and writes.
type OneSample<'a, S> = (&'a [S], &'a [S], Activation, &'a [S], (&'a mut [S], &'a mut [S]));

/// δ(l) = ∂J/∂a(l) ⊙ σ'(z(l)) if σ is given, then ∂J/∂W = δ a(l-1)ᵀ, ∂J/∂b = δ and
/// ∂J/∂a(l-1) = W(l)ᵀ δ(l) for one sample: [`Dense::backward_one_sample`]'s pass.
#[inline(always)]
fn backward_one_sample<S: Scalar>(
    (activation, (z, a, delta), input, weights, (weight_gradient, bias_gradient), input_gradient): OneDelta<'_, S>,
) {
    if let Some(activation) = activation {
        activation.backprop_row(z, a, delta);
    }
    outer(delta, input, weight_gradient);
    sum_rows((bias_gradient, &*delta, delta.len()));
    if let Some(input_gradient) = input_gradient {
        row_times_weights(delta, weights, input_gradient);
    }
}

/// What [`backward_one_sample`] reads and writes: σ if δ is still ∂J/∂a, (z, a, δ), a(l-1), W,
/// (∂J/∂W, ∂J/∂b) and where ∂J/∂a(l-1) goes, if the layer below needs it.
type OneDelta<'a, S> = (
    Option<Activation>,
    (&'a [S], &'a [S], &'a mut [S]),
    &'a [S],
    &'a [S],
    (&'a mut [S], &'a mut [S]),
    Option<&'a mut [S]>,
);

/// z = W a + b for a batch of rows: `Z ← A·Wᵀ`, then b added to each row in 8-lane registers
/// (starting each row as a copy of b instead cost a call to memmove per row, and a read of Z
/// in the product).
fn affine<S: Scalar>(weights: &[S], bias: &[S], input: &[S], rows: usize, z: &mut [S]) {
    let z = &mut z[..rows * bias.len()];
    product_without_bias(weights, input, rows, z);
    vectorised(&add_to_rows, (z, bias));
}

/// W a for each of the `rows` inputs: Z = A·Wᵀ, into `z` (rows × outputs).
fn product_without_bias<S: Scalar>(weights: &[S], input: &[S], rows: usize, z: &mut [S]) {
    let outputs = z.len() / rows;
    let inputs = weights.len() / outputs;
    gemm((rows, inputs, outputs), S::ONE, input, Op::Plain, weights, Op::Transposed, S::ZERO, z);
}

/// Whether a batch's bias and σ are applied in one pass over z, and σ' and the bias gradient's
/// sum in one pass over δ: for ReLU, whose passes are a cheap element-wise loop, where reading
/// z or δ a second time costs as much as the work (ReLU's passes and the bias's were a third of
/// a float64 iris fit). Each value goes through the same operations in the same order as in
/// separate passes, so the bits are those of separate passes. (tanh and the others keep their
/// own pass, which long batches share among the threads; the identity's a = z is one copy of
/// the whole batch, cheaper than one per row, which made the sine's fit 5 % slower.)
fn fused_with_bias(activation: Activation) -> bool {
    activation == Activation::Relu
}

type BackpropAndSum<'a, S> = (Activation, (&'a [S], &'a [S]), &'a mut [S], &'a mut [S]);

/// z += b, then a = σ(z), row by row.
#[inline(always)]
fn add_bias_and_activate<S: Scalar>((z, bias, activation, a): (&mut [S], &[S], Activation, &mut [S])) {
    for (z, a) in z.chunks_exact_mut(bias.len()).zip(a.chunks_exact_mut(bias.len())) {
        add_to_rows((&mut *z, bias));
        activation.apply_to_row(z, a);
    }
}

/// δ = ∂J/∂a ⊙ σ'(z), then ∂J/∂b = δ summed over the rows, row by row.
#[inline(always)]
fn backprop_and_sum_rows<S: Scalar>((activation, (z, a), delta, sums): BackpropAndSum<'_, S>) {
    let width = sums.len();
    sums.fill(S::ZERO);
    for ((z, a), delta) in z.chunks_exact(width).zip(a.chunks_exact(width)).zip(delta.chunks_exact_mut(width)) {
        activation.backprop_row(z, a, delta);
        sums.iter_mut().zip(&*delta).for_each(|(sum, &value)| *sum += value);
    }
}

/// Adds `row` to each row of `values` (as long as it).
#[inline(always)]
fn add_to_rows<S: Scalar>((values, row): (&mut [S], &[S])) {
    for values in values.chunks_exact_mut(row.len()) {
        values.iter_mut().zip(row).for_each(|(value, &addend)| *value += addend);
    }
}

/// Writes the sum of the rows of `values` (`width` values each) into `sums`.
#[inline(always)]
fn sum_rows<S: Scalar>((sums, values, width): (&mut [S], &[S], usize)) {
    sums.fill(S::ZERO);
    for row in values.chunks_exact(width) {
        sums.iter_mut().zip(row).for_each(|(sum, &value)| *sum += value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeded_rng;

    /// A 2 → 2 identity layer with hand-picked weights.
    fn layer() -> Dense<f64> {
        let mut layer = Dense::new(2, 2, Activation::Identity, Init::Zeros, Init::Zeros, &mut seeded_rng(0));
        layer.weights_mut().copy_from_slice(&[1.0, 2.0, 3.0, 4.0]);
        layer.bias_mut().copy_from_slice(&[0.5, -0.5]);
        layer
    }

    #[test]
    fn forward_computes_w_a_plus_b() {
        let mut layer = layer();
        // Two samples: (1, 1) and (2, 0).
        layer.forward(&[1.0, 1.0, 2.0, 0.0], 2);
        // W (1,1) + b = (3.5, 6.5); W (2,0) + b = (2.5, 5.5)
        assert_eq!(layer.output(), &[3.5, 6.5, 2.5, 5.5]);
    }

    #[test]
    fn backward_computes_the_course_equations_by_hand() {
        let mut layer = layer();
        let input = [1.0, 1.0, 2.0, 0.0];
        layer.forward(&input, 2);
        layer.delta_mut().copy_from_slice(&[1.0, 0.0, 0.0, 2.0]);
        let mut input_gradient = [0.0; 4];
        layer.backward(&input, Some(&mut input_gradient));
        // ∂J/∂W = Σ δ aᵀ = (1,0)ᵀ(1,1) + (0,2)ᵀ(2,0) = [[1,1],[4,0]]
        assert_eq!(layer.weight_gradient(), &[1.0, 1.0, 4.0, 0.0]);
        assert_eq!(layer.bias_gradient(), &[1.0, 2.0]);
        // Wᵀδ for each sample: Wᵀ(1,0) = (1,2); Wᵀ(0,2) = (6,8)
        assert_eq!(input_gradient, [1.0, 2.0, 6.0, 8.0]);
    }

    #[test]
    fn buffers_grow_for_larger_batches_and_are_reused_for_smaller_ones() {
        let mut layer = layer();
        layer.forward(&[1.0; 8], 4);
        let capacity = layer.z.as_ptr();
        layer.forward(&[1.0; 2], 1);
        assert_eq!(layer.output().len(), 2);
        assert_eq!(layer.z.as_ptr(), capacity, "a smaller batch must not reallocate");
    }
}
