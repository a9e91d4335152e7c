//! The network: an ordered stack of layers with a loss; forward, backward and predict.

use std::fmt;

use rand::SeedableRng;

use crate::check::check_unit_interval;
use crate::data::{Inputs, SparseRows};
use crate::kernels::SparseProduct;
use crate::layer::{BatchNorm, Dense, Dropout, Layer, Parameter, ParameterMut};
use crate::optim::Step;
use crate::{Activation, Error, Init, Loss, Matrix, Optimizer, Rng, Scalar};

/// Whether a forward pass is part of training or not. Layers such as dropout behave
/// differently in the two; it is always an explicit argument, never hidden state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Training: dropout drops, batch normalisation uses the batch's statistics.
    Train,
    /// Evaluation and prediction: deterministic.
    Eval,
}

/// The most rows a forward pass in evaluation mode computes at once: evaluating a large set
/// (MNIST's 10,000 test images) holds one chunk's activations, not the whole set's. A row's
/// outputs do not depend on the rows computed beside it (a single row's products compute each
/// value as a batch's do, see [`plan`](crate::plan)), so the chunks change no bit.
const INFERENCE_ROWS: usize = 256;

/// A multi-layer perceptron: layers applied in order, and the loss it is trained on.
///
/// `S` is the scalar type: `f32` by default, `f64` for gradient checks.
///
/// ```
/// use neurone::{Activation, Loss, Matrix, Network, seeded_rng};
///
/// let network: Network = Network::builder(2)
///     .dense(8, Activation::Tanh)
///     .dense(1, Activation::Sigmoid)
///     .loss(Loss::BinaryCrossEntropy)
///     .build(&mut seeded_rng(42))?;
/// assert_eq!(network.parameter_count(), (2 * 8 + 8) + (8 * 1 + 1));
///
/// let x = Matrix::from_rows(&[[0.0, 1.0], [1.0, 1.0]])?;
/// let probabilities = network.predict(&x)?;
/// assert_eq!(probabilities.shape(), (2, 1));
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Network<S: Scalar = f32> {
    inputs: usize,
    layers: Vec<Layer<S>>,
    loss: Loss,
    /// Draws dropout masks; seeded from the generator the network was built with.
    rng: Rng,
}

/// Describes a network layer by layer; [`NetworkBuilder::build`] checks it and draws the weights.
#[derive(Clone, Debug)]
pub struct NetworkBuilder {
    inputs: usize,
    layers: Vec<LayerSpec>,
    loss: Loss,
}

#[derive(Clone, Debug)]
enum LayerSpec {
    Dense { units: usize, activation: Activation, weight_init: Init, bias_init: Init },
    Dropout { probability: f64 },
    BatchNorm,
}

impl Network {
    /// Starts describing a network that takes `inputs` values per sample.
    pub fn builder(inputs: usize) -> NetworkBuilder {
        NetworkBuilder { inputs, layers: Vec::new(), loss: Loss::MeanSquaredError }
    }
}

impl NetworkBuilder {
    /// Appends a dense layer of `units` outputs with the activation σ, its weights drawn from
    /// [`Init::default_for`] that activation and its biases set to zero.
    pub fn dense(self, units: usize, activation: Activation) -> Self {
        self.dense_with_init(units, activation, Init::default_for(activation), Init::Zeros)
    }

    /// Appends a dense layer with chosen initialisers for its weights and biases.
    pub fn dense_with_init(mut self, units: usize, activation: Activation, weight_init: Init, bias_init: Init) -> Self {
        self.layers.push(LayerSpec::Dense { units, activation, weight_init, bias_init });
        self
    }

    /// Appends an inverted dropout layer dropping each value with `probability` in training.
    pub fn dropout(mut self, probability: f64) -> Self {
        self.layers.push(LayerSpec::Dropout { probability });
        self
    }

    /// Appends a batch normalisation layer (PyTorch's defaults: momentum 0.1, ε = 1e-5).
    pub fn batch_norm(mut self) -> Self {
        self.layers.push(LayerSpec::BatchNorm);
        self
    }

    /// Sets the loss the network is trained on (mean squared error by default).
    pub fn loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// Checks the description and draws the initial parameters from `rng`.
    pub fn build<S: Scalar>(self, rng: &mut Rng) -> Result<Network<S>, Error> {
        if self.inputs == 0 {
            return Err(Error::invalid("inputs", "a network needs at least one input"));
        }
        let Some(LayerSpec::Dense { units: outputs, activation, .. }) = self.layers.last() else {
            let reason = if self.layers.is_empty() {
                "a network needs at least one layer"
            } else {
                "the last layer must be dense"
            };
            return Err(Error::invalid("layers", reason));
        };
        self.loss.check_output(*activation)?;
        if self.loss == Loss::CategoricalCrossEntropy && *outputs < 2 {
            return Err(Error::invalid("loss", "cross_entropy needs at least two output classes"));
        }
        let mut width = self.inputs;
        let mut layers = Vec::with_capacity(self.layers.len());
        for (index, spec) in self.layers.iter().enumerate() {
            let layer = match *spec {
                LayerSpec::Dense { units: 0, .. } => {
                    return Err(Error::invalid(format!("layers[{index}]"), "a layer needs at least one unit, got 0"));
                }
                LayerSpec::Dense { units, activation, weight_init, bias_init } => {
                    Layer::Dense(Dense::new(width, units, activation, weight_init, bias_init, rng))
                }
                LayerSpec::Dropout { probability } => Layer::Dropout(Dropout::new(width, probability)?),
                LayerSpec::BatchNorm => Layer::BatchNorm(BatchNorm::new(width)),
            };
            width = layer.outputs();
            layers.push(layer);
        }
        Ok(Network { inputs: self.inputs, layers, loss: self.loss, rng: Rng::from_rng(rng) })
    }
}

impl<S: Scalar> Network<S> {
    /// Number of input values per sample.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Number of output values per sample.
    pub fn outputs(&self) -> usize {
        self.output_layer().outputs()
    }

    /// The layers, from input to output.
    pub fn layers(&self) -> &[Layer<S>] {
        &self.layers
    }

    /// The layers, mutably (e.g. to set weights by hand).
    pub fn layers_mut(&mut self) -> &mut [Layer<S>] {
        &mut self.layers
    }

    /// The loss the network is trained on.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// Number of trainable values.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(Layer::parameter_count).sum()
    }

    /// Forward pass on a batch (one sample per row), keeping what [`Network::backward`] needs.
    /// Returns the output `a(L)`, one row per sample.
    pub fn forward(&mut self, x: &Matrix<S>, mode: Mode) -> Result<&[S], Error> {
        self.check_inputs(x)?;
        self.forward_rows(Inputs::Dense(x.as_slice()), x.rows(), mode);
        Ok(self.output_layer().output())
    }

    /// Backpropagation after [`Network::forward`] on the same `x`: fills every layer's gradients
    /// for the targets `y` and returns the loss J on the batch.
    pub fn backward(&mut self, x: &Matrix<S>, y: &Matrix<S>) -> Result<f64, Error> {
        self.check_inputs(x)?;
        self.check_targets(y, x.rows())?;
        if self.output_layer().output().len() != y.as_slice().len() {
            return Err(Error::Shape("backward needs a forward pass on the same batch first".into()));
        }
        Ok(self.backward_rows(Inputs::Dense(x.as_slice()), y.as_slice(), None))
    }

    /// A forward pass in training mode followed by backpropagation; returns the loss J.
    pub fn compute_gradients(&mut self, x: &Matrix<S>, y: &Matrix<S>) -> Result<f64, Error> {
        self.forward(x, Mode::Train)?;
        self.backward(x, y)
    }

    /// Applies `step` of `optimizer` to every parameter tensor, using the current gradients.
    pub fn update<O: Optimizer<S> + ?Sized>(&mut self, optimizer: &mut O, step: Step) {
        // The slots of `parameters_mut`, without its nested iterators: at one sample a step,
        // walking them took a fifth of the time.
        let mut slot = 0;
        for layer in &mut self.layers {
            let parameters = match layer {
                Layer::Dense(dense) => dense.parameters_mut(),
                Layer::BatchNorm(batch_norm) => batch_norm.parameters_mut(),
                Layer::Dropout(_) => continue,
            };
            for parameter in parameters {
                optimizer.update(slot, parameter, step);
                slot += 1;
            }
        }
    }

    /// Each parameter tensor with its gradient, after its layer's index, in a fixed order: layer
    /// by layer, weight then bias (the order of the optimizers' slots).
    ///
    /// ```
    /// use neurone::{Activation, Network, seeded_rng};
    ///
    /// let network: Network = Network::builder(3).dense(2, Activation::Tanh).build(&mut seeded_rng(0))?;
    /// let shapes: Vec<_> =
    ///     network.parameters().map(|(layer, parameter)| (layer, parameter.name, parameter.value.len())).collect();
    /// assert_eq!(shapes, [(0, "weight", 6), (0, "bias", 2)]);
    /// # Ok::<(), neurone::Error>(())
    /// ```
    pub fn parameters(&self) -> impl Iterator<Item = (usize, Parameter<'_, S>)> {
        self.layers
            .iter()
            .enumerate()
            .flat_map(|(index, layer)| layer.parameters().map(move |parameter| (index, parameter)))
    }

    /// [`Network::parameters`] with the values and gradients mutable.
    pub fn parameters_mut(&mut self) -> impl Iterator<Item = (usize, ParameterMut<'_, S>)> {
        self.layers
            .iter_mut()
            .enumerate()
            .flat_map(|(index, layer)| layer.parameters_mut().map(move |parameter| (index, parameter)))
    }

    /// The network's outputs for a batch of inputs, in evaluation mode.
    pub fn predict(&self, x: &Matrix<S>) -> Result<Matrix<S>, Error> {
        self.check_inputs(x)?;
        let (_, a) = self.infer(x.as_slice(), x.rows());
        Matrix::new(x.rows(), self.outputs(), a)
    }

    /// The network's outputs for sparse inputs (scipy's CSR), in evaluation mode: the bits of
    /// [`Network::predict`] on the rows made dense, without making them dense where the first
    /// layer is dense, its weights finite and the rows canonical (its product then reads the
    /// stored values alone: `kernels/sparse_product.rs`); else a chunk of rows at a time.
    ///
    /// ```
    /// use neurone::{Activation, Matrix, Network, seeded_rng};
    /// use neurone::data::SparseRows;
    /// let network: Network = Network::builder(3).dense(4, Activation::Relu).dense(2, Activation::Identity).build(&mut seeded_rng(1))?;
    /// // [[0, 2, 0], [1, 0, 3]]
    /// let sparse = SparseRows::new(&[2.0, 1.0, 3.0], &[1, 0, 2], &[0, 1, 3], 3)?;
    /// let dense = Matrix::from_rows(&[[0.0, 2.0, 0.0], [1.0, 0.0, 3.0]])?;
    /// assert_eq!(network.predict_sparse(sparse)?, network.predict(&dense)?);
    /// # Ok::<(), neurone::Error>(())
    /// ```
    pub fn predict_sparse(&self, x: SparseRows<'_, S>) -> Result<Matrix<S>, Error> {
        self.check_width(x.width())?;
        let (_, a) = self.infer_sparse(x);
        Matrix::new(x.len(), self.outputs(), a)
    }

    /// The loss J on a batch, in evaluation mode.
    pub fn evaluate(&self, x: &Matrix<S>, y: &Matrix<S>) -> Result<f64, Error> {
        Ok(self.evaluate_and_predict(x, y)?.0)
    }

    /// The loss J on a batch and the outputs, in evaluation mode, from one forward pass.
    pub fn evaluate_and_predict(&self, x: &Matrix<S>, y: &Matrix<S>) -> Result<(f64, Matrix<S>), Error> {
        self.check_inputs(x)?;
        self.check_targets(y, x.rows())?;
        let (z, a) = self.infer(x.as_slice(), x.rows());
        let loss = self.loss.value(&z, &a, y.as_slice(), self.outputs(), None);
        Ok((loss, Matrix::new(x.rows(), self.outputs(), a)?))
    }

    /// A table of the layers, their output shapes and parameter counts, like Keras' `summary()`.
    pub fn summary(&self) -> String {
        self.to_string()
    }

    /// The generator behind dropout masks (checkpoints save it).
    pub fn rng(&self) -> &Rng {
        &self.rng
    }

    /// Replaces the generator behind dropout masks.
    pub fn set_rng(&mut self, rng: Rng) {
        self.rng = rng;
    }

    /// Sets the dropout between layers to `probability`, as a training goes on: a dropout
    /// layer before every dense layer but the first (after each hidden layer and its batch
    /// norm, where [`NetworkSpec::build`](crate::spec::NetworkSpec::build) puts them), none at
    /// 0. What the network has learned, and the generator of its masks, stay as they are.
    pub fn set_dropout(&mut self, probability: f64) -> Result<(), Error> {
        check_unit_interval("dropout", probability)?;
        let mut layers = Vec::with_capacity(self.layers.len());
        for layer in std::mem::take(&mut self.layers) {
            match layer {
                Layer::Dropout(_) => continue,
                Layer::Dense(ref dense) if probability > 0.0 && !layers.is_empty() => {
                    layers.push(Layer::Dropout(Dropout::new(dense.inputs(), probability)?));
                }
                _ => {}
            }
            layers.push(layer);
        }
        self.layers = layers;
        Ok(())
    }

    /// A network from layers already holding their parameters (e.g. read from a model file):
    /// checks that each layer takes the width the one below gives, that the last is dense and
    /// that the loss suits its activation. Dropout masks are drawn from a generator seeded
    /// with 0 until [`Network::set_rng`] replaces it.
    pub(crate) fn from_layers(inputs: usize, layers: Vec<Layer<S>>, loss: Loss) -> Result<Self, Error> {
        if inputs == 0 {
            return Err(Error::invalid("inputs", "a network needs at least one input"));
        }
        let Some(Layer::Dense(output_layer)) = layers.last() else {
            return Err(Error::invalid("layers", "the last layer must be dense"));
        };
        loss.check_output(output_layer.activation())?;
        if loss == Loss::CategoricalCrossEntropy && output_layer.outputs() < 2 {
            return Err(Error::invalid("loss", "cross_entropy needs at least two output classes"));
        }
        let mut width = inputs;
        for (index, layer) in layers.iter().enumerate() {
            let layer_inputs = match layer {
                Layer::Dense(dense) => dense.inputs(),
                Layer::Dropout(_) | Layer::BatchNorm(_) => layer.outputs(),
            };
            if layer_inputs != width || layer.outputs() == 0 {
                return Err(Error::invalid(
                    format!("layers[{index}]"),
                    format!("takes {layer_inputs} values and gives {}, after a width of {width}", layer.outputs()),
                ));
            }
            width = layer.outputs();
        }
        Ok(Network { inputs, layers, loss, rng: Rng::seed_from_u64(0) })
    }

    /// Copies what training has learned from `other`, a network of the same architecture (a
    /// clone of this one): parameters, batch-norm statistics and the dropout generator. The
    /// gradients and batch buffers are left as they are — the training loop's snapshots need
    /// no more, and copying them would cost more than the parameters themselves.
    pub(crate) fn copy_learned_from(&mut self, other: &Network<S>) {
        for (layer, other) in self.layers.iter_mut().zip(&other.layers) {
            layer.copy_learned_from(other);
        }
        self.rng.clone_from(&other.rng);
    }

    /// Forward pass on `rows` samples, dense row after row or sparse (sparse rows need a dense
    /// first layer, which reads their stored values).
    pub(crate) fn forward_rows(&mut self, input: Inputs<'_, S>, rows: usize, mode: Mode) {
        for index in 0..self.layers.len() {
            let (below, rest) = self.layers.split_at_mut(index);
            match below.last() {
                Some(below) => rest[0].forward(below.output(), rows, mode, &mut self.rng),
                None => rest[0].forward_inputs(input, rows, mode, &mut self.rng),
            }
        }
    }

    /// Backpropagation from the output down, after `forward_rows` on the same `input`; the loss
    /// weighs each sample by its weight, if given.
    pub(crate) fn backward_rows(&mut self, input: Inputs<'_, S>, targets: &[S], weights: Option<&[S]>) -> f64 {
        let (mut loss, loss_function) = (0.0, self.loss);
        self.backpropagate(input, |output_layer, layer_input, input_gradient| {
            // δ(L) comes from the loss.
            loss = output_layer.start_backward(loss_function, targets, weights);
            output_layer.backward_from_delta_inputs(layer_input, input_gradient);
        });
        loss
    }

    /// Backpropagation of ∂(·)/∂a(L) written by `seed` into the output layer's delta buffer
    /// (one row per sample), after `forward_rows` on the same `input`: what the Jacobian of the
    /// outputs is made of, one output at a time.
    pub(crate) fn backward_from_output(&mut self, input: Inputs<'_, S>, seed: impl FnOnce(&mut [S])) {
        self.backpropagate(input, |output_layer, layer_input, input_gradient| {
            seed(output_layer.delta_mut());
            output_layer.backward_inputs(layer_input, input_gradient);
        });
    }

    /// Backpropagation from the output down: `start` turns the output layer's δ(L) into its
    /// gradients (given the layer's input and where ∂/∂a(L-1) goes), the layers below follow.
    fn backpropagate(
        &mut self,
        input: Inputs<'_, S>,
        start: impl FnOnce(&mut Dense<S>, Inputs<'_, S>, Option<&mut [S]>),
    ) {
        let top = self.layers.len() - 1;
        let mut start = Some(start);
        for index in (0..=top).rev() {
            let (below, rest) = self.layers.split_at_mut(index);
            // The layer's input a(l-1), and the buffer where it hands ∂J/∂a(l-1) down.
            let (layer_input, input_gradient) = match below.last_mut() {
                Some(previous) => {
                    let (a, delta) = previous.output_and_delta_mut();
                    (Inputs::Dense(a), Some(delta))
                }
                None => (input, None),
            };
            match &mut rest[0] {
                Layer::Dense(output_layer) if index == top => {
                    let start = start.take().expect("one output layer");
                    start(output_layer, layer_input, input_gradient);
                }
                // δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ σ'(z(l)), through whatever layers lie between.
                layer => layer.backward(layer_input, input_gradient),
            }
        }
    }

    /// Evaluation-mode forward pass: returns the output layer's `z(L)` and `a(L)`, each sample's
    /// the same alone as in any batch.
    fn infer(&self, x: &[S], rows: usize) -> (Vec<S>, Vec<S>) {
        if rows <= INFERENCE_ROWS {
            return self.infer_rows(x, rows);
        }
        let outputs = self.outputs();
        let (mut z, mut a) = (Vec::with_capacity(rows * outputs), Vec::with_capacity(rows * outputs));
        for chunk in x.chunks(INFERENCE_ROWS * self.inputs) {
            let (chunk_z, chunk_a) = self.infer_rows(chunk, chunk.len() / self.inputs);
            z.extend_from_slice(&chunk_z);
            a.extend_from_slice(&chunk_a);
        }
        (z, a)
    }

    /// [`Network::infer`] on rows inferred at once.
    fn infer_rows(&self, x: &[S], rows: usize) -> (Vec<S>, Vec<S>) {
        self.infer_layers(&self.layers, x, rows)
    }

    /// `layers` (the network's last ones) on `rows` inputs `x`: the output layer's z(L) and a(L).
    fn infer_layers(&self, layers: &[Layer<S>], x: &[S], rows: usize) -> (Vec<S>, Vec<S>) {
        let mut activations: Option<Vec<S>> = None;
        for layer in &layers[..layers.len() - 1] {
            let mut a = vec![S::ZERO; rows * layer.outputs()];
            layer.infer(activations.as_deref().unwrap_or(x), rows, &mut a);
            activations = Some(a);
        }
        let output_layer = self.output_layer();
        let mut z = vec![S::ZERO; rows * output_layer.outputs()];
        output_layer.affine_into(activations.as_deref().unwrap_or(x), rows, &mut z);
        let mut a = z.clone();
        output_layer.activation().apply_in_place(&mut a, output_layer.outputs());
        (z, a)
    }

    /// [`Network::infer`] for sparse rows, in chunks of [`INFERENCE_ROWS`]: the first dense
    /// layer's product from the stored values ([`SparseProduct`], which gives the dense
    /// product's bits) where it can be used, else the rows made dense.
    fn infer_sparse(&self, x: SparseRows<'_, S>) -> (Vec<S>, Vec<S>) {
        let first = self.layers[0].as_dense().filter(|_| x.is_canonical());
        let mut product = first.and_then(|layer| SparseProduct::new(layer.weights(), layer.outputs()));
        let outputs = self.outputs();
        let (mut z, mut a) = (Vec::with_capacity(x.len() * outputs), Vec::with_capacity(x.len() * outputs));
        let mut dense = Vec::new();
        for start in (0..x.len()).step_by(INFERENCE_ROWS) {
            let range = start..x.len().min(start + INFERENCE_ROWS);
            let rows = range.len();
            let (chunk_z, chunk_a) = match (first, &mut product) {
                (Some(layer), Some(product)) => {
                    let mut first_z = vec![S::ZERO; rows * layer.outputs()];
                    layer.sparse_affine_into(product, x, range, &mut first_z);
                    if self.layers.len() == 1 {
                        let mut first_a = first_z.clone();
                        layer.activation().apply_in_place(&mut first_a, layer.outputs());
                        (first_z, first_a)
                    } else {
                        layer.activation().apply_in_place(&mut first_z, layer.outputs());
                        self.infer_layers(&self.layers[1..], &first_z, rows)
                    }
                }
                _ => {
                    dense.resize(rows * self.inputs, S::ZERO);
                    for (index, row) in range.zip(dense.chunks_exact_mut(self.inputs)) {
                        x.write_row(index, row);
                    }
                    self.infer(&dense, rows)
                }
            };
            z.extend_from_slice(&chunk_z);
            a.extend_from_slice(&chunk_a);
        }
        (z, a)
    }

    /// The output layer, dense by construction.
    fn output_layer(&self) -> &Dense<S> {
        self.layers.last().and_then(Layer::as_dense).expect("a built network ends with a dense layer")
    }

    fn check_inputs(&self, x: &Matrix<S>) -> Result<(), Error> {
        self.check_width(x.cols())
    }

    fn check_width(&self, columns: usize) -> Result<(), Error> {
        if columns != self.inputs {
            return Err(Error::Shape(format!("the inputs have {columns} columns, the network takes {}", self.inputs)));
        }
        Ok(())
    }

    fn check_targets(&self, y: &Matrix<S>, rows: usize) -> Result<(), Error> {
        if y.shape() != (rows, self.outputs()) {
            return Err(Error::Shape(format!(
                "the targets are {}×{}, the network needs {rows}×{}",
                y.rows(),
                y.cols(),
                self.outputs()
            )));
        }
        Ok(())
    }
}

impl<S: Scalar> fmt::Display for Network<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = "─".repeat(62);
        writeln!(f, "{:<14}{:<20}{:<16}{:>12}", "Layer", "Kind", "Output shape", "Parameters")?;
        writeln!(f, "{rule}")?;
        writeln!(f, "{:<14}{:<20}{:<16}{:>12}", "input", "", format!("(n, {})", self.inputs), "")?;
        for (index, layer) in self.layers.iter().enumerate() {
            let name = format!("layers.{index}");
            let shape = format!("(n, {})", layer.outputs());
            writeln!(f, "{name:<14}{:<20}{shape:<16}{:>12}", layer.describe(), layer.parameter_count())?;
        }
        writeln!(f, "{rule}")?;
        write!(f, "Total parameters: {}   loss: {}   scalar: {}", self.parameter_count(), self.loss, S::NAME)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeded_rng;

    #[test]
    fn dropout_set_as_training_goes_on_is_where_the_builder_puts_it_and_keeps_the_weights() {
        let built = |probability: f64| {
            let builder = Network::builder(3).dense(4, Activation::Tanh).batch_norm();
            let builder = if probability > 0.0 { builder.dropout(probability) } else { builder };
            let builder = builder.dense(2, Activation::Tanh);
            let builder = if probability > 0.0 { builder.dropout(probability) } else { builder };
            builder.dense(1, Activation::Sigmoid).build::<f64>(&mut seeded_rng(5)).unwrap()
        };
        let kinds = |network: &Network<f64>| network.layers().iter().map(Layer::describe).collect::<Vec<_>>();
        let values = |network: &Network<f64>| {
            network.parameters().flat_map(|(_, parameter)| parameter.value.to_vec()).collect::<Vec<_>>()
        };
        let mut network = built(0.0);
        for probability in [0.3, 0.1, 0.0] {
            network.set_dropout(probability).unwrap();
            assert_eq!(kinds(&network), kinds(&built(probability)), "{probability}");
            assert_eq!(values(&network), values(&built(0.0)));
            assert_eq!(network.rng(), built(0.0).rng());
        }
        assert_eq!(network.set_dropout(1.0).unwrap_err().to_string(), "invalid dropout: must be in [0, 1), got 1");
    }

    #[test]
    fn inference_in_chunks_gives_the_bits_of_one_pass() {
        let mut rng = seeded_rng(4);
        let network: Network = Network::builder(5)
            .dense(24, Activation::Relu)
            .batch_norm()
            .dropout(0.3)
            .dense(3, Activation::Softmax)
            .build(&mut rng)
            .unwrap();
        // Three chunks, the last of a single row.
        let rows = 2 * INFERENCE_ROWS + 1;
        let x: Vec<f32> = (0..rows * 5).map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0).collect();
        assert_eq!(network.infer(&x, rows), network.infer_rows(&x, rows));
    }

    #[test]
    fn a_row_alone_gives_the_bits_it_has_in_a_batch() {
        // Products of every path: depths of 40, 24 and 16 (a row's fused chain), 6 (shallow in
        // a batch), 1 (one input) and one output, by the instruction set in use
        // (crates/neurone-cli/tests/kernel_paths.rs predicts with each).
        fn check<S: Scalar>(inputs: usize, network: NetworkBuilder) {
            let mut network: Network<S> = network.build(&mut seeded_rng(6)).unwrap();
            let (rows, outputs) = (9, network.outputs());
            let x: Vec<S> = (0..rows * inputs).map(|i| S::from_f64(((i * 37 % 101) as f64 / 50.0) - 1.0)).collect();
            let (batch_z, batch_a) = network.infer(&x, rows);
            for (row, input) in x.chunks(inputs).enumerate() {
                let (z, a) = network.infer(input, 1);
                let in_batch = (&batch_z[row * outputs..][..outputs], &batch_a[row * outputs..][..outputs]);
                assert_eq!((&z[..], &a[..]), in_batch, "{} row {row}", S::NAME);
                // Training's one-sample pass, too.
                network.forward_rows(Inputs::Dense(input), 1, Mode::Train);
                assert_eq!(network.output_layer().output(), in_batch.1, "{} row {row}, training", S::NAME);
            }
        }
        let deep = || {
            Network::builder(40)
                .dense(24, Activation::Relu)
                .dense(6, Activation::Tanh)
                .dense(16, Activation::Tanh)
                .dense(3, Activation::Softmax)
        };
        let sine = || {
            Network::builder(1).dense(16, Activation::Tanh).dense(16, Activation::Tanh).dense(1, Activation::Identity)
        };
        check::<f32>(40, deep());
        check::<f64>(40, deep());
        check::<f32>(1, sine());
        check::<f64>(1, sine());
    }

    fn sine_network() -> Network {
        Network::builder(1)
            .dense(16, Activation::Tanh)
            .dense(16, Activation::Tanh)
            .dense(1, Activation::Identity)
            .build(&mut seeded_rng(1))
            .unwrap()
    }

    #[test]
    fn builder_checks_the_description() {
        let error = Network::builder(0).dense(1, Activation::Identity).build::<f32>(&mut seeded_rng(0)).unwrap_err();
        assert!(error.to_string().contains("at least one input"), "{error}");
        let error = Network::builder(2).build::<f32>(&mut seeded_rng(0)).unwrap_err();
        assert!(error.to_string().contains("at least one layer"), "{error}");
        let error = Network::builder(2)
            .dense(4, Activation::Relu)
            .dense(0, Activation::Relu)
            .dense(1, Activation::Identity)
            .build::<f32>(&mut seeded_rng(0))
            .unwrap_err();
        assert_eq!(error.to_string(), "invalid layers[1]: a layer needs at least one unit, got 0");
        let error =
            Network::builder(2).dense(4, Activation::Relu).dropout(0.5).build::<f32>(&mut seeded_rng(0)).unwrap_err();
        assert_eq!(error.to_string(), "invalid layers: the last layer must be dense");
        let error =
            Network::builder(2).dropout(1.5).dense(1, Activation::Relu).build::<f32>(&mut seeded_rng(0)).unwrap_err();
        assert!(error.to_string().contains("must be in [0, 1), got 1.5"), "{error}");
        let error = Network::builder(2)
            .dense(3, Activation::Identity)
            .loss(Loss::CategoricalCrossEntropy)
            .build::<f32>(&mut seeded_rng(0))
            .unwrap_err();
        assert!(error.to_string().contains("needs a softmax output layer"), "{error}");
    }

    #[test]
    fn summary_lists_layers_shapes_and_parameter_counts() {
        let summary = sine_network().summary();
        assert!(summary.contains("layers.1      dense tanh          (n, 16)                  272"), "{summary}");
        assert!(summary.contains("Total parameters: 321"), "{summary}");
    }

    #[test]
    fn forward_and_predict_agree_and_check_shapes() {
        let mut network = sine_network();
        let x = Matrix::column(&[0.0, 1.0, 2.0]);
        let predicted = network.predict(&x).unwrap();
        let forward = network.forward(&x, Mode::Train).unwrap().to_vec();
        assert_eq!(predicted.as_slice(), forward.as_slice());
        let error = network.predict(&Matrix::zeros(2, 3)).unwrap_err();
        assert_eq!(error.to_string(), "shape mismatch: the inputs have 3 columns, the network takes 1");
        let error = network.evaluate(&x, &Matrix::zeros(2, 1)).unwrap_err();
        assert!(error.to_string().contains("the targets are 2×1, the network needs 3×1"), "{error}");
    }

    #[test]
    fn backward_loss_equals_evaluate() {
        let mut network: Network<f64> = Network::builder(1)
            .dense(4, Activation::Tanh)
            .dense(1, Activation::Identity)
            .build(&mut seeded_rng(3))
            .unwrap();
        let x = Matrix::column(&[0.5, -1.0]);
        let y = Matrix::column(&[1.0, 2.0]);
        let from_backward = network.compute_gradients(&x, &y).unwrap();
        assert_eq!(from_backward, network.evaluate(&x, &y).unwrap());
    }
}
