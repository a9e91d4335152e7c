//! The network's architecture: `inputs → layers… → outputs`.

use serde::{Deserialize, Serialize};

use super::Task;
use crate::check::{check_at_least, check_unit_interval};
use crate::{Activation, Error, Init, Loss, Network, Rng, Scalar};

/// The hidden layers and how each is made; the input and output widths come from the data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkSpec {
    /// Widths of the hidden layers, from input to output. Default `[16, 16]`.
    pub layers: Vec<usize>,
    /// σ of the hidden layers. Default tanh.
    pub activation: Activation,
    /// σ of the output layer; by default the task's ([`Task::output_activation`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_activation: Option<Activation>,
    /// Weight initialiser; by default [`Init::default_for`] each layer's activation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init: Option<Init>,
    /// Batch normalisation after each hidden layer. Default false.
    pub batch_norm: bool,
    /// Dropout probability after each hidden layer, in [0, 1); 0 for none (the default).
    pub dropout: f64,
}

impl Default for NetworkSpec {
    fn default() -> Self {
        Self {
            layers: vec![16, 16],
            activation: Activation::Tanh,
            output_activation: None,
            init: None,
            batch_norm: false,
            dropout: 0.0,
        }
    }
}

impl NetworkSpec {
    /// Fills in what depends on the task: the output activation.
    pub fn resolve(&mut self, task: Task, outputs: usize) {
        self.output_activation.get_or_insert(task.output_activation(outputs));
    }

    /// Checks every setting, naming the one at fault (`layers[1]`, `dropout`).
    pub fn validate(&self) -> Result<(), Error> {
        for (index, &width) in self.layers.iter().enumerate() {
            check_at_least(&format!("layers[{index}]"), width, 1)?;
        }
        check_unit_interval("dropout", self.dropout)
    }

    /// The network for `inputs` values in and `outputs` out, trained on `loss`, its weights
    /// drawn from `rng` (biases start at zero). Without an output activation, identity.
    pub fn build<S: Scalar>(
        &self,
        inputs: usize,
        outputs: usize,
        loss: Loss,
        rng: &mut Rng,
    ) -> Result<Network<S>, Error> {
        self.validate()?;
        let init = |activation| self.init.unwrap_or_else(|| Init::default_for(activation));
        let mut builder = Network::builder(inputs);
        for &width in &self.layers {
            builder = builder.dense_with_init(width, self.activation, init(self.activation), Init::Zeros);
            if self.batch_norm {
                builder = builder.batch_norm();
            }
            if self.dropout > 0.0 {
                builder = builder.dropout(self.dropout);
            }
        }
        let output = self.output_activation.unwrap_or(Activation::Identity);
        builder.dense_with_init(outputs, output, init(output), Init::Zeros).loss(loss).build(rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_the_layer_and_the_setting() {
        let spec = NetworkSpec { layers: vec![16, 0], ..NetworkSpec::default() };
        assert_eq!(spec.validate().unwrap_err().to_string(), "invalid layers[1]: must be at least 1, got 0");
        let spec = NetworkSpec { dropout: 1.0, ..NetworkSpec::default() };
        assert_eq!(spec.validate().unwrap_err().to_string(), "invalid dropout: must be in [0, 1), got 1");
    }

    #[test]
    fn the_network_has_the_layers_described() {
        let mut spec = NetworkSpec { batch_norm: true, dropout: 0.5, ..NetworkSpec::default() };
        spec.resolve(Task::Classification, 3);
        let network: Network<f64> = spec.build(4, 3, Task::Classification.loss(3), &mut crate::seeded_rng(1)).unwrap();
        let kinds: Vec<String> = network.layers().iter().map(|layer| layer.describe()).collect();
        let hidden = ["dense tanh", "batch_norm", "dropout(0.5)"];
        assert_eq!(kinds, [&hidden[..], &hidden[..], &["dense softmax"]].concat());
        assert_eq!((network.inputs(), network.outputs()), (4, 3));
    }
}
