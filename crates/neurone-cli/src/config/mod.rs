//! The experiment file: a TOML description of data, model and training, with defaults.
//!
//! Every key is documented in `docs/config.md`. Unknown keys and out-of-range values are errors
//! that name the file, line and column.

mod data;
mod load;
mod optimization;

pub use data::{DataConfig, DatasetName, Scaling};
pub use optimization::{OptimizerConfig, ScheduleConfig};

use std::fmt::Display;
use std::str::FromStr;

use neurone::{Activation, Init, Loss, Metric, Monitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A whole experiment, as read from its TOML file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Names the run; the default output folder is `runs/<name>`.
    #[serde(deserialize_with = "run_name")]
    pub name: String,
    /// Drives initialisation, data generation and shuffling.
    #[serde(default = "defaults::seed")]
    pub seed: u64,
    pub data: DataConfig,
    #[serde(default)]
    pub model: ModelConfig,
    #[serde(default)]
    pub train: TrainConfig,
}

/// The network's architecture.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Widths of the hidden layers, from input to output.
    #[serde(default = "defaults::layers", deserialize_with = "layer_widths")]
    pub layers: Vec<usize>,
    /// σ of the hidden layers.
    #[serde(default = "defaults::activation", with = "text")]
    pub activation: Activation,
    /// σ of the output layer.
    /// By default identity for regression, sigmoid for one 0/1 target, softmax for classes.
    #[serde(default, with = "optional_text", skip_serializing_if = "Option::is_none")]
    pub output_activation: Option<Activation>,
    /// Weight initialiser; by default He for the ReLU family, Xavier otherwise.
    #[serde(default, with = "optional_text", skip_serializing_if = "Option::is_none")]
    pub init: Option<Init>,
    /// Batch normalisation after each hidden layer.
    #[serde(default)]
    pub batch_norm: bool,
    /// Dropout probability after each hidden layer (0 for none).
    #[serde(default, deserialize_with = "probability")]
    pub dropout: f64,
}

/// How to train.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// By default mse for regression, binary_cross_entropy for one 0/1 target, cross_entropy
    /// for classes.
    #[serde(default, with = "optional_text", skip_serializing_if = "Option::is_none")]
    pub loss: Option<Loss>,
    #[serde(default)]
    pub optimizer: OptimizerConfig,
    /// η, the gradient descent step; by default the optimizer's usual one.
    #[serde(default, deserialize_with = "optional_positive", skip_serializing_if = "Option::is_none")]
    pub learning_rate: Option<f64>,
    /// How η changes from epoch to epoch (constant when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleConfig>,
    #[serde(default = "defaults::epochs", deserialize_with = "at_least_one")]
    pub epochs: usize,
    /// Samples per step: 1 is online learning, at least the number of samples is full batch.
    #[serde(default = "defaults::batch_size", deserialize_with = "at_least_one")]
    pub batch_size: usize,
    /// Visit the samples in a new random order each epoch.
    #[serde(default = "defaults::shuffle")]
    pub shuffle: bool,
    /// Print a progress line every this many epochs.
    #[serde(default = "defaults::log_every", deserialize_with = "at_least_one")]
    pub log_every: usize,
    /// L1 penalty coefficient on the weights.
    #[serde(default, deserialize_with = "non_negative")]
    pub l1: f64,
    /// L2 penalty coefficient on the weights.
    #[serde(default, deserialize_with = "non_negative")]
    pub l2: f64,
    /// Rescale the gradients so that their global L2 norm is at most this.
    #[serde(default, deserialize_with = "optional_positive", skip_serializing_if = "Option::is_none")]
    pub clip_norm: Option<f64>,
    /// Clamp every gradient value into [−clip_value, clip_value].
    #[serde(default, deserialize_with = "optional_positive", skip_serializing_if = "Option::is_none")]
    pub clip_value: Option<f64>,
    /// Metrics measured on the validation set every epoch (by default accuracy for
    /// classification, R² for regression).
    #[serde(default, with = "optional_text_list", skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<Metric>>,
    /// Stop when a monitored quantity stops improving.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_stopping: Option<EarlyStoppingConfig>,
    /// Save a checkpoint of the training every this many epochs (`neurone train --resume`
    /// continues from it).
    #[serde(default, deserialize_with = "optional_at_least_one", skip_serializing_if = "Option::is_none")]
    pub checkpoint_every: Option<usize>,
}

/// `[train.early_stopping]`: Keras' `EarlyStopping`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStoppingConfig {
    /// `val_loss`, `train_loss`, or `val_<metric>`; no default, so the choice is explicit.
    #[serde(with = "text")]
    pub monitor: Monitor,
    #[serde(default = "defaults::patience", deserialize_with = "at_least_one")]
    pub patience: usize,
    #[serde(default, deserialize_with = "non_negative")]
    pub min_delta: f64,
    #[serde(default = "defaults::restore_best_weights")]
    pub restore_best_weights: bool,
}

mod defaults {
    use neurone::Activation;

    pub fn seed() -> u64 {
        42
    }
    pub fn layers() -> Vec<usize> {
        vec![16, 16]
    }
    pub fn activation() -> Activation {
        Activation::Tanh
    }
    pub fn epochs() -> usize {
        200
    }
    pub fn batch_size() -> usize {
        32
    }
    pub fn shuffle() -> bool {
        true
    }
    pub fn log_every() -> usize {
        100
    }
    pub fn patience() -> usize {
        10
    }
    pub fn restore_best_weights() -> bool {
        true
    }
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            layers: defaults::layers(),
            activation: defaults::activation(),
            output_activation: None,
            init: None,
            batch_norm: false,
            dropout: 0.0,
        }
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            loss: None,
            optimizer: OptimizerConfig::default(),
            learning_rate: None,
            schedule: None,
            epochs: defaults::epochs(),
            batch_size: defaults::batch_size(),
            shuffle: defaults::shuffle(),
            log_every: defaults::log_every(),
            l1: 0.0,
            l2: 0.0,
            clip_norm: None,
            clip_value: None,
            metrics: None,
            early_stopping: None,
            checkpoint_every: None,
        }
    }
}

impl Experiment {
    /// Fills in what depends on other settings (the optimizer's default learning rate), so that
    /// the written-out configuration says exactly what ran.
    fn resolve(mut self) -> Result<Self, String> {
        self.data.resolve()?;
        let train = &mut self.train;
        train.learning_rate.get_or_insert(train.optimizer.default_learning_rate());
        Ok(self)
    }

    /// η: the experiment's, or the optimizer's default.
    pub fn learning_rate(&self) -> f64 {
        self.train.learning_rate.unwrap_or_else(|| self.train.optimizer.default_learning_rate())
    }

    /// The experiment as TOML, every default written out, so that the run can be repeated.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("an experiment always serialises")
    }
}

fn at_least<'de, D: Deserializer<'de>>(deserializer: D, minimum: usize) -> Result<usize, D::Error> {
    let value = usize::deserialize(deserializer)?;
    if value < minimum {
        return Err(serde::de::Error::custom(format!("must be at least {minimum}, got {value}")));
    }
    Ok(value)
}

fn at_least_one<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    at_least(deserializer, 1)
}

fn optional_at_least_one<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<usize>, D::Error> {
    at_least(deserializer, 1).map(Some)
}

fn positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if !(value > 0.0 && value.is_finite()) {
        return Err(serde::de::Error::custom(format!("must be a positive number, got {value}")));
    }
    Ok(value)
}

fn optional_positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    positive(deserializer).map(Some)
}

fn non_negative<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if !(value >= 0.0 && value.is_finite()) {
        return Err(serde::de::Error::custom(format!("must be a non-negative number, got {value}")));
    }
    Ok(value)
}

fn probability<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if !(0.0..1.0).contains(&value) {
        return Err(serde::de::Error::custom(format!("must be in [0, 1), got {value}")));
    }
    Ok(value)
}

/// A name that is safe as a folder name: letters, digits, `-`, `_` and `.`, not starting with `.`.
fn run_name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let name = String::deserialize(deserializer)?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.starts_with('.') || !name.chars().all(allowed) {
        return Err(serde::de::Error::custom(format!(
            "`{name}` is not a valid name: use letters, digits, '-', '_' and '.', not starting with '.'"
        )));
    }
    Ok(name)
}

fn layer_widths<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<usize>, D::Error> {
    let widths = Vec::<usize>::deserialize(deserializer)?;
    if let Some(index) = widths.iter().position(|&width| width == 0) {
        return Err(serde::de::Error::custom(format!("layers[{index}] must be at least 1 unit wide, got 0")));
    }
    Ok(widths)
}

/// Values written in TOML as their `Display` text and read back with `FromStr`.
mod text {
    use super::*;

    pub fn serialize<T: Display, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        T: FromStr<Err = neurone::Error>,
        D: Deserializer<'de>,
    {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(|error: neurone::Error| serde::de::Error::custom(reason(&error)))
    }

    /// The library says "invalid activation: unknown activation …"; the file position already
    /// names the key, so keep only the reason.
    pub fn reason(error: &neurone::Error) -> String {
        match error {
            neurone::Error::InvalidParameter { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }
}

/// Like [`text`], for optional lists.
mod optional_text_list {
    use super::*;

    pub fn serialize<T: Display, S: Serializer>(values: &Option<Vec<T>>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(values.iter().flatten().map(ToString::to_string))
    }

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
    where
        T: FromStr<Err = neurone::Error>,
        D: Deserializer<'de>,
    {
        let texts = Vec::<String>::deserialize(deserializer)?;
        let parse = |text: &String| {
            text.parse::<T>().map_err(|error: neurone::Error| serde::de::Error::custom(super::text::reason(&error)))
        };
        texts.iter().map(parse).collect::<Result<Vec<T>, D::Error>>().map(Some)
    }
}

/// Like [`text`], for optional values.
mod optional_text {
    use super::*;

    pub fn serialize<T: Display, S: Serializer>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.collect_str(value),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr<Err = neurone::Error>,
        D: Deserializer<'de>,
    {
        super::text::deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "name = \"t\"\n[data]\ndataset = \"sine\"\n";

    #[test]
    fn a_minimal_file_gets_every_default() {
        let experiment = Experiment::parse(MINIMAL).unwrap();
        assert_eq!(experiment.seed, 42);
        assert_eq!(experiment.model.layers, [16, 16]);
        assert_eq!(experiment.learning_rate(), 0.01);
        assert_eq!(experiment.train.loss, None, "resolved from the data once it is loaded");
    }

    #[test]
    fn the_resolved_toml_reads_back_the_same() {
        let text = format!("{MINIMAL}[model]\nactivation = \"leaky_relu(0.2)\"\ninit = \"he_normal\"\n");
        let experiment = Experiment::parse(&text).unwrap();
        let again = Experiment::parse(&experiment.to_toml()).unwrap();
        assert_eq!(again.to_toml(), experiment.to_toml());
        assert_eq!(again.model.activation, Activation::LeakyRelu { slope: 0.2 });
        assert_eq!(again.model.init, Some(Init::HeNormal));
    }

    fn error_of(extra: &str) -> String {
        Experiment::parse(&format!("{MINIMAL}{extra}")).unwrap_err()
    }

    #[test]
    fn errors_name_line_column_and_reason() {
        assert_eq!(error_of("[train]\nlearning_rate = -0.1\n"), "5:17: must be a positive number, got -0.1");
        assert_eq!(error_of("[model]\nlayers = [16, 0]\n"), "5:10: layers[1] must be at least 1 unit wide, got 0");
        let unknown = error_of("[train]\nlerning_rate = 0.1\n");
        assert!(unknown.starts_with("5:1: unknown field `lerning_rate`, expected one of"), "{unknown}");
        let activation = error_of("[model]\nactivation = \"sigmod\"\n");
        assert!(activation.starts_with("5:14: unknown activation `sigmod`"), "{activation}");
        assert!(error_of("[train]\nepochs = 0\n").ends_with("must be at least 1, got 0"));
        assert_eq!(error_of("[model]\ndropout = 1.0\n"), "5:11: must be in [0, 1), got 1");
        assert_eq!(error_of("[train]\nl2 = -1\n"), "5:6: must be a non-negative number, got -1");
        assert!(error_of("[train]\nmetrics = [\"f1\"]\n").starts_with("5:11: unknown metric `f1`"));
        let missing = error_of("[train.early_stopping]\npatience = 3\n");
        assert!(missing.contains("missing field `monitor`"), "{missing}");
        assert!(Experiment::parse("name = ").unwrap_err().starts_with("1:8: "));
        let name = Experiment::parse("name = \"../x\"\n[data]\ndataset = \"sine\"\n").unwrap_err();
        assert!(name.starts_with("1:8: `../x` is not a valid name"), "{name}");
    }
}
