//! From an experiment file to data and an untrained network.

use neurone::{Dataset, Init, Network, Rng, Scalar, datasets};

use crate::config::{DatasetName, Experiment};

/// The data of one run: what it trains on, validates on, and is judged on.
pub struct Data<S> {
    pub train: Dataset<S>,
    pub validation: Option<Dataset<S>>,
    pub test: Dataset<S>,
}

impl<S: Scalar> Data<S> {
    /// Generates or reads the experiment's data, drawing from `rng` where it is random.
    pub fn load(experiment: &Experiment, rng: &mut Rng) -> Self {
        let data = &experiment.data;
        match data.dataset {
            DatasetName::Sine => Data {
                train: datasets::sine(data.samples, rng),
                validation: (data.validation_samples > 0).then(|| datasets::sine(data.validation_samples, rng)),
                test: datasets::sine_grid(data.grid_points),
            },
        }
    }
}

/// The experiment's network, sized for the data: input width from the inputs, output width from
/// the targets.
pub fn build_network<S: Scalar>(
    experiment: &Experiment,
    train: &Dataset<S>,
    rng: &mut Rng,
) -> Result<Network<S>, neurone::Error> {
    let model = &experiment.model;
    let layer_init = |activation| model.init.unwrap_or_else(|| Init::default_for(activation));
    let mut builder = Network::builder(train.inputs().cols());
    for &width in &model.layers {
        builder = builder.dense_with_init(width, model.activation, layer_init(model.activation), Init::Zeros);
        if model.batch_norm {
            builder = builder.batch_norm();
        }
        if model.dropout > 0.0 {
            builder = builder.dropout(model.dropout);
        }
    }
    let output = model.output_activation;
    builder = builder.dense_with_init(train.targets().cols(), output, layer_init(output), Init::Zeros);
    builder.loss(experiment.train.loss).build(rng)
}
