//! Layers: the building blocks a [`Network`](crate::Network) stacks.

mod batch_norm;
mod dense;
mod dropout;
mod parameter;

pub use batch_norm::BatchNorm;
pub use dense::Dense;
pub use dropout::Dropout;
pub use parameter::{Parameter, ParameterMut};

use crate::data::Inputs;
use crate::{Mode, Rng, Scalar};

/// A layer of a network.
#[derive(Clone, Debug)]
pub enum Layer<S> {
    /// Fully connected, with its activation: `a = σ(W a(l-1) + b)`.
    Dense(Dense<S>),
    /// Inverted dropout, active in training only.
    Dropout(Dropout<S>),
    /// Batch normalisation.
    BatchNorm(BatchNorm<S>),
}

impl<S: Scalar> Layer<S> {
    /// The dense layer, if this is one.
    pub fn as_dense(&self) -> Option<&Dense<S>> {
        match self {
            Layer::Dense(dense) => Some(dense),
            _ => None,
        }
    }

    /// The dense layer, mutably, if this is one.
    pub fn as_dense_mut(&mut self) -> Option<&mut Dense<S>> {
        match self {
            Layer::Dense(dense) => Some(dense),
            _ => None,
        }
    }

    /// Copies what training has learned from `other`, a layer of the same kind and shape:
    /// parameters and running statistics, not gradients nor batch buffers.
    pub(crate) fn copy_learned_from(&mut self, other: &Layer<S>) {
        match (self, other) {
            (Layer::Dense(layer), Layer::Dense(other)) => layer.copy_learned_from(other),
            (Layer::BatchNorm(layer), Layer::BatchNorm(other)) => layer.copy_learned_from(other),
            (Layer::Dropout(_), Layer::Dropout(_)) => {}
            _ => unreachable!("copies are made between networks of the same architecture"),
        }
    }

    /// Width of the layer's output.
    pub fn outputs(&self) -> usize {
        match self {
            Layer::Dense(layer) => layer.outputs(),
            Layer::Dropout(layer) => layer.outputs(),
            Layer::BatchNorm(layer) => layer.outputs(),
        }
    }

    /// Number of trainable values.
    pub fn parameter_count(&self) -> usize {
        match self {
            Layer::Dense(layer) => layer.parameter_count(),
            Layer::Dropout(_) => 0,
            Layer::BatchNorm(layer) => layer.parameter_count(),
        }
    }

    /// A short description for summaries: the kind and its settings.
    pub fn describe(&self) -> String {
        match self {
            Layer::Dense(layer) => format!("dense {}", layer.activation()),
            Layer::Dropout(layer) => format!("dropout({})", layer.probability()),
            Layer::BatchNorm(_) => "batch_norm".into(),
        }
    }

    /// Forward pass on a batch, keeping what backpropagation needs.
    pub(crate) fn forward(&mut self, input: &[S], rows: usize, mode: Mode, rng: &mut Rng) {
        match self {
            Layer::Dense(layer) => layer.forward(input, rows),
            Layer::Dropout(layer) => layer.forward(input, rows, mode, rng),
            Layer::BatchNorm(layer) => layer.forward(input, rows, mode),
        }
    }

    /// [`Layer::forward`] on the network's inputs, dense or sparse: sparse rows reach a dense
    /// first layer only ([`Batches`](crate::train::Batches) makes them dense for others).
    pub(crate) fn forward_inputs(&mut self, input: Inputs<'_, S>, rows: usize, mode: Mode, rng: &mut Rng) {
        match (self, input) {
            (Layer::Dense(layer), input) => layer.forward_inputs(input, rows),
            (layer, Inputs::Dense(input)) => layer.forward(input, rows, mode, rng),
            (_, Inputs::Sparse(_)) => unreachable!("sparse rows are made dense for a first layer that is not dense"),
        }
    }

    /// Evaluation-mode forward pass into `output`, keeping nothing.
    pub(crate) fn infer(&self, input: &[S], rows: usize, output: &mut [S]) {
        match self {
            Layer::Dense(layer) => layer.infer(input, rows, output),
            Layer::Dropout(layer) => layer.infer(input, rows, output),
            Layer::BatchNorm(layer) => layer.infer(input, rows, output),
        }
    }

    /// The last forward pass's output, one row per sample: what the next layer reads (a dense
    /// layer's a, batch norm's γ x̂ + β, dropout's kept values).
    pub fn output(&self) -> &[S] {
        match self {
            Layer::Dense(layer) => layer.output(),
            Layer::Dropout(layer) => layer.output(),
            Layer::BatchNorm(layer) => layer.output(),
        }
    }

    /// The output, with the buffer the layer above writes ∂J/∂output into.
    pub(crate) fn output_and_delta_mut(&mut self) -> (&[S], &mut [S]) {
        match self {
            Layer::Dense(layer) => layer.output_and_delta_mut(),
            Layer::Dropout(layer) => layer.output_and_delta_mut(),
            Layer::BatchNorm(layer) => layer.output_and_delta_mut(),
        }
    }

    /// Backward pass with ∂J/∂output in the delta buffer: fills the parameter gradients and
    /// writes ∂J/∂input into `input_gradient` when the layer below needs it.
    pub(crate) fn backward(&mut self, input: Inputs<'_, S>, input_gradient: Option<&mut [S]>) {
        match self {
            Layer::Dense(layer) => layer.backward_inputs(input, input_gradient),
            Layer::Dropout(layer) => layer.backward(input_gradient),
            Layer::BatchNorm(layer) => layer.backward(input_gradient),
        }
    }

    /// The parameter tensors with their gradients, weight then bias (none for dropout).
    pub(crate) fn parameters(&self) -> impl Iterator<Item = Parameter<'_, S>> {
        let parameters = match self {
            Layer::Dense(layer) => Some(layer.parameters()),
            Layer::Dropout(_) => None,
            Layer::BatchNorm(layer) => Some(layer.parameters()),
        };
        parameters.into_iter().flatten()
    }

    /// [`Layer::parameters`], mutably.
    pub(crate) fn parameters_mut(&mut self) -> impl Iterator<Item = ParameterMut<'_, S>> {
        let parameters = match self {
            Layer::Dense(layer) => Some(layer.parameters_mut()),
            Layer::Dropout(_) => None,
            Layer::BatchNorm(layer) => Some(layer.parameters_mut()),
        };
        parameters.into_iter().flatten()
    }
}
