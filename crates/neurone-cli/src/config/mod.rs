//! The experiment file: a TOML description of data, model and training.
//!
//! `[model]` is the library's [`NetworkSpec`] and `[train]` its [`TrainingSpec`], with their
//! defaults and checks; this module adds the run's name and seed and the `[data]` section.
//! Every key is documented in `docs/config.md`. Unknown keys and out-of-range values are errors
//! that name the file, line and column.

mod data;
mod load;

pub use data::{DataConfig, DatasetName, Scaling};

use neurone::Error;
use neurone::spec::{NetworkSpec, Task, TrainingSpec};
use serde::{Deserialize, Serialize};

/// A whole experiment, as read from its TOML file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Names the run; the default output folder is `runs/<name>`.
    pub name: String,
    /// Drives initialisation, data generation and shuffling.
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub data: DataConfig,
    #[serde(default)]
    pub model: NetworkSpec,
    #[serde(default)]
    pub train: TrainingSpec,
    /// The file and `--set` overrides it was read from, to place errors found later.
    #[serde(skip)]
    origin: load::Origin,
}

fn default_seed() -> u64 {
    42
}

impl Experiment {
    /// Checks every section and fills in what depends on the dataset and on the optimizer, so
    /// that the written-out configuration says exactly what runs. Errors name the key
    /// (`train.optimizer.beta2`).
    fn resolve(mut self) -> Result<Self, Error> {
        check_run_name(&self.name)?;
        self.data.resolve().map_err(|error| error.within("data"))?;
        self.model.validate().map_err(|error| error.within("model"))?;
        self.train.validate().map_err(|error| error.within("train"))?;
        self.train.resolve_learning_rate();
        Ok(self)
    }

    /// Fills in what depends on the task the data sets: output activation, loss and metrics.
    pub fn resolve_task(&mut self, task: Task, outputs: usize) {
        self.model.resolve(task, outputs);
        self.train.resolve(task, outputs);
    }

    /// The experiment as TOML, every default written out, so that the run can be repeated.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("an experiment always serialises")
    }
}

/// A name that is safe as a folder name: letters, digits, `-`, `_` and `.`, not starting with `.`.
fn check_run_name(name: &str) -> Result<(), Error> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.starts_with('.') || !name.chars().all(allowed) {
        return Err(Error::invalid(
            "name",
            format!("`{name}` is not a valid name: use letters, digits, '-', '_' and '.', not starting with '.'"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use neurone::{Activation, Init};

    const MINIMAL: &str = "name = \"t\"\n[data]\ndataset = \"sine\"\n";

    #[test]
    fn a_minimal_file_gets_every_default() {
        let experiment = Experiment::parse(MINIMAL).unwrap();
        assert_eq!(experiment.seed, 42);
        assert_eq!(experiment.model.layers, [16, 16]);
        assert_eq!(experiment.train.learning_rate, Some(0.01));
        assert_eq!(experiment.train.loss, None, "resolved from the data once it is loaded");
    }

    #[test]
    fn the_resolved_toml_reads_back_the_same() {
        let text = format!(
            "{MINIMAL}[model]\nactivation = \"leaky_relu(0.2)\"\ninit = \"he_normal\"\n\
             [train]\nschedule = {{ kind = \"cosine\", warmup_epochs = 2 }}\n\
             optimizer = {{ kind = \"adam\", beta2 = 0.99 }}\nearly_stopping = {{ monitor = \"val_loss\" }}\n"
        );
        let experiment = Experiment::parse(&text).unwrap();
        let again = Experiment::parse(&experiment.to_toml()).unwrap();
        assert_eq!(again.to_toml(), experiment.to_toml());
        assert_eq!(again.model.activation, Activation::LeakyRelu { slope: 0.2 });
        assert_eq!(again.model.init, Some(Init::HeNormal));
        assert_eq!(again.train, experiment.train);
    }

    fn error_of(extra: &str) -> String {
        Experiment::parse(&format!("{MINIMAL}{extra}")).unwrap_err()
    }

    #[test]
    fn errors_name_line_column_and_reason() {
        assert_eq!(error_of("[train]\nlearning_rate = -0.1\n"), "5:17: must be a positive number, got -0.1");
        assert_eq!(error_of("[model]\nlayers = [16, 0]\n"), "5:15: must be at least 1, got 0");
        let unknown = error_of("[train]\nlerning_rate = 0.1\n");
        assert!(unknown.starts_with("5:1: unknown field `lerning_rate`, expected one of"), "{unknown}");
        let activation = error_of("[model]\nactivation = \"sigmod\"\n");
        assert!(activation.starts_with("5:14: unknown activation `sigmod`"), "{activation}");
        assert_eq!(error_of("[train]\nepochs = 0\n"), "5:10: must be at least 1, got 0");
        assert_eq!(error_of("[model]\ndropout = 1.0\n"), "5:11: must be in [0, 1), got 1");
        assert_eq!(error_of("[train]\nl2 = -1\n"), "5:6: must be a non-negative number, got -1");
        let beta = error_of("[train.optimizer]\nkind = \"adam\"\nbeta2 = 1.5\n");
        assert_eq!(beta, "6:9: must be in [0, 1), got 1.5");
        let patience = error_of("[train]\nearly_stopping = { monitor = \"val_loss\", patience = 0 }\n");
        assert_eq!(patience, "5:53: must be at least 1, got 0");
        assert!(error_of("[train]\nmetrics = [\"f1\"]\n").starts_with("5:12: unknown variant `f1`"));
        let missing = error_of("[train.early_stopping]\npatience = 3\n");
        assert!(missing.contains("missing field `monitor`"), "{missing}");
        assert!(Experiment::parse("name = ").unwrap_err().starts_with("1:8: "));
        let name = Experiment::parse("name = \"../x\"\n[data]\ndataset = \"sine\"\n").unwrap_err();
        assert!(name.starts_with("1:8: `../x` is not a valid name"), "{name}");
        let both = error_of("[train]\nclip_norm = 1.0\nclip_value = 1.0\n");
        assert_eq!(both, "6:14: set clip_norm or clip_value, not both");
    }
}
