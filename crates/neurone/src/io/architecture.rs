//! The `architecture` metadata of a model file: the network's shape as JSON, and its
//! rebuilding from that JSON and the file's tensors.
//!
//! ```json
//! {"inputs": 4, "loss": "cross_entropy", "layers": [
//!   {"type": "dense", "units": 16, "activation": "relu"},
//!   {"type": "batch_norm", "momentum": 0.1, "epsilon": 0.00001},
//!   {"type": "dropout", "probability": 0.2},
//!   {"type": "dense", "units": 3, "activation": "softmax"}]}
//! ```
//!
//! Activations and losses are written by their `Display` names (`leaky_relu(0.1)`,
//! `huber(1)`), which parse back to the same values.

use serde::{Deserialize, Serialize};

use super::tensor_file::{TensorData, TensorFile};
use crate::layer::{BatchNorm, Dense, Dropout, Layer};
use crate::{Activation, Error, Init, Loss, Network, Scalar, seeded_rng};

/// The network's description, without its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Architecture {
    /// Number of input values per sample.
    pub inputs: usize,
    /// The loss, by name.
    pub loss: String,
    /// The layers, from input to output.
    pub layers: Vec<LayerSpec>,
}

/// One layer's kind and settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum LayerSpec {
    Dense { units: usize, activation: String },
    Dropout { probability: f64 },
    BatchNorm { momentum: f64, epsilon: f64 },
}

impl Architecture {
    /// The description of `network`.
    pub(crate) fn of<S: Scalar>(network: &Network<S>) -> Self {
        let layers = network
            .layers()
            .iter()
            .map(|layer| match layer {
                Layer::Dense(dense) => {
                    LayerSpec::Dense { units: dense.outputs(), activation: dense.activation().to_string() }
                }
                Layer::Dropout(dropout) => LayerSpec::Dropout { probability: dropout.probability() },
                Layer::BatchNorm(batch_norm) => {
                    let (momentum, epsilon) = batch_norm.settings();
                    LayerSpec::BatchNorm { momentum, epsilon }
                }
            })
            .collect();
        Self { inputs: network.inputs(), loss: network.loss().to_string(), layers }
    }
}

/// The tensors of `network`, named as PyTorch names an `nn.Sequential`'s: `layers.{i}.weight`
/// (out × in), `layers.{i}.bias`, and for batch normalisation also `running_mean`,
/// `running_var` and `num_batches_tracked`; each name after `prefix` (empty in a model file).
pub(crate) fn tensors_of<S: Scalar>(network: &Network<S>, prefix: &str) -> Vec<TensorData> {
    let mut tensors = Vec::new();
    for (index, layer) in network.layers().iter().enumerate() {
        let name = |suffix: &str| format!("{prefix}layers.{index}.{suffix}");
        match layer {
            Layer::Dense(dense) => {
                let shape = vec![dense.outputs(), dense.inputs()];
                tensors.push(TensorData::float(name("weight"), shape, dense.weights()));
                tensors.push(TensorData::float(name("bias"), vec![dense.outputs()], dense.bias()));
            }
            Layer::Dropout(_) => {}
            Layer::BatchNorm(batch_norm) => {
                let shape = || vec![batch_norm.outputs()];
                tensors.push(TensorData::float(name("weight"), shape(), batch_norm.gamma()));
                tensors.push(TensorData::float(name("bias"), shape(), batch_norm.beta()));
                tensors.push(TensorData::float(name("running_mean"), shape(), batch_norm.running_mean()));
                tensors.push(TensorData::float(name("running_var"), shape(), batch_norm.running_variance()));
                tensors.push(TensorData::counter(name("num_batches_tracked"), batch_norm.batches_tracked()));
            }
        }
    }
    tensors
}

/// Rebuilds the network `architecture` describes with the tensors of `file` whose names start
/// with `prefix`. Every size is checked against a tensor in the file before anything that size
/// is allocated, so a lying architecture cannot make the reader allocate more than the file
/// holds.
pub(crate) fn rebuild<S: Scalar>(
    architecture: &Architecture,
    file: &mut TensorFile<'_>,
    prefix: &str,
) -> Result<Network<S>, Error> {
    let loss: Loss = architecture.loss.parse().map_err(|error: Error| culprit(file, "loss", error))?;
    if architecture.inputs == 0 {
        return Err(culprit(file, "inputs", "a network needs at least one input"));
    }
    let mut width = architecture.inputs;
    let mut layers = Vec::with_capacity(architecture.layers.len().min(1024));
    for (index, spec) in architecture.layers.iter().enumerate() {
        let place = format!("layers[{index}]");
        let name = |suffix: &str| format!("{prefix}layers.{index}.{suffix}");
        let layer = match spec {
            LayerSpec::Dense { units, activation } => {
                let activation: Activation = activation.parse().map_err(|error: Error| culprit(file, &place, error))?;
                if *units == 0 {
                    return Err(culprit(file, &place, "a layer needs at least one unit, got 0"));
                }
                let weights = file.take_float::<S>(&name("weight"), &[*units, width])?;
                let bias = file.take_float::<S>(&name("bias"), &[*units])?;
                let mut dense = Dense::new(width, *units, activation, Init::Zeros, Init::Zeros, &mut seeded_rng(0));
                dense.weights_mut().copy_from_slice(&weights);
                dense.bias_mut().copy_from_slice(&bias);
                Layer::Dense(dense)
            }
            LayerSpec::Dropout { probability } => {
                Layer::Dropout(Dropout::new(width, *probability).map_err(|error| culprit(file, &place, error))?)
            }
            LayerSpec::BatchNorm { momentum, epsilon } => {
                let gamma = file.take_float::<S>(&name("weight"), &[width])?;
                let beta = file.take_float::<S>(&name("bias"), &[width])?;
                let mean = file.take_float::<S>(&name("running_mean"), &[width])?;
                let variance = file.take_float::<S>(&name("running_var"), &[width])?;
                if variance.iter().any(|&v| v < S::ZERO) {
                    return Err(file.error(format!("tensor `{}` holds a negative variance", name("running_var"))));
                }
                let batches = file.take_counter(&name("num_batches_tracked"))?;
                // Only now that the tensors vouch for the width: `with` allocates it.
                let mut batch_norm =
                    BatchNorm::with(width, *momentum, *epsilon).map_err(|error| culprit(file, &place, error))?;
                batch_norm.restore(&gamma, &beta, (&mean, &variance), batches);
                Layer::BatchNorm(batch_norm)
            }
        };
        width = layer.outputs();
        layers.push(layer);
    }
    Network::from_layers(architecture.inputs, layers, loss)
        .map_err(|error| file.error(format!("metadata `architecture`: {error}")))
}

/// An error about the architecture JSON, naming the part at fault.
fn culprit(file: &TensorFile<'_>, place: &str, reason: impl std::fmt::Display) -> Error {
    file.error(format!("metadata `architecture`, {place}: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_each_layer_by_type() {
        let architecture = Architecture {
            inputs: 2,
            loss: "mse".into(),
            layers: vec![
                LayerSpec::Dense { units: 3, activation: "leaky_relu(0.1)".into() },
                LayerSpec::BatchNorm { momentum: 0.1, epsilon: 1e-5 },
                LayerSpec::Dropout { probability: 0.25 },
            ],
        };
        let json = serde_json::to_string(&architecture).unwrap();
        assert_eq!(
            json,
            r#"{"inputs":2,"loss":"mse","layers":[{"type":"dense","units":3,"activation":"leaky_relu(0.1)"},{"type":"batch_norm","momentum":0.1,"epsilon":0.00001},{"type":"dropout","probability":0.25}]}"#
        );
        assert_eq!(serde_json::from_str::<Architecture>(&json).unwrap(), architecture);
    }

    #[test]
    fn unknown_layer_types_and_fields_are_rejected() {
        let error = serde_json::from_str::<Architecture>(r#"{"inputs":2,"loss":"mse","layers":[{"type":"conv"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown variant `conv`"), "{error}");
        let error = serde_json::from_str::<Architecture>(
            r#"{"inputs":2,"loss":"mse","layers":[{"type":"dropout","probability":0.1,"seed":3}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("unknown field `seed`"), "{error}");
    }
}
