//! How to train: loss, optimizer, η and its schedule, epochs and batches, penalties, clipping,
//! validation metrics, early stopping and checkpoints.

use serde::{Deserialize, Serialize};

use super::{OptimizerSpec, Task};
use crate::check::check_at_least;
use crate::{Clipping, EarlyStopping, Error, Loss, Metric, Monitor, Penalty, Scalar, Schedule, Trainer};

/// Everything about training a user chooses, with its defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingSpec {
    /// J; by default the task's ([`Task::loss`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<Loss>,
    /// The update rule and its settings. Default plain SGD.
    pub optimizer: OptimizerSpec,
    /// η; by default the optimizer's ([`OptimizerSpec::default_learning_rate`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learning_rate: Option<f64>,
    /// How η changes from epoch to epoch; constant when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Passes over the training data (the most, with early stopping), at least 1. Default 200
    /// (scikit-learn's `max_iter`).
    pub epochs: usize,
    /// Samples per step, at least 1: 1 is online learning, at least the number of samples is
    /// full batch. Default 32 (Keras').
    pub batch_size: usize,
    /// Visit the samples in a new random order each epoch. Default true.
    pub shuffle: bool,
    /// Report progress every this many epochs, at least 1. Default 100.
    pub log_every: usize,
    /// L1 penalty coefficient on the weights, ≥ 0. Default 0.
    pub l1: f64,
    /// L2 penalty coefficient on the weights, ≥ 0. Default 0.
    pub l2: f64,
    /// Rescale the gradients so that their global L2 norm is at most this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip_norm: Option<f64>,
    /// Clamp every gradient value into [−clip_value, clip_value].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip_value: Option<f64>,
    /// Metrics measured on the validation set every epoch; by default the task's
    /// ([`Task::metric`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<Metric>>,
    /// Stop when a monitored quantity stops improving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub early_stopping: Option<EarlyStopping>,
    /// Keep a checkpoint every this many epochs, at least 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_every: Option<usize>,
}

impl Default for TrainingSpec {
    fn default() -> Self {
        Self {
            loss: None,
            optimizer: OptimizerSpec::default(),
            learning_rate: None,
            schedule: None,
            epochs: 200,
            batch_size: 32,
            shuffle: true,
            log_every: 100,
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

impl TrainingSpec {
    /// Fills in what depends on the task (loss, metrics) and on the optimizer (η), so that the
    /// spec written out says exactly what runs.
    pub fn resolve(&mut self, task: Task, outputs: usize) {
        self.loss.get_or_insert(task.loss(outputs));
        self.metrics.get_or_insert_with(|| vec![task.metric()]);
        self.resolve_learning_rate();
    }

    /// Fills in η with the optimizer's default when the spec gives none: what [`resolve`]
    /// does that needs no data.
    ///
    /// [`resolve`]: TrainingSpec::resolve
    pub fn resolve_learning_rate(&mut self) {
        self.learning_rate.get_or_insert(self.optimizer.default_learning_rate());
    }

    /// J: the spec's, else mean squared error.
    pub fn loss(&self) -> Loss {
        self.loss.unwrap_or(Loss::MeanSquaredError)
    }

    /// η: the spec's, else the optimizer's default.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate.unwrap_or_else(|| self.optimizer.default_learning_rate())
    }

    /// Checks every setting and how they combine, naming the key at fault (`optimizer.beta2`,
    /// `early_stopping.patience`). What needs the data (a validation set for early stopping)
    /// is checked when training starts.
    pub fn validate(&self) -> Result<(), Error> {
        // Metrics left to the task are known with the data: until then, assume they hold the
        // one early stopping watches.
        let mut spec = self.clone();
        if let (None, Some(EarlyStopping { monitor: Monitor::Validation(metric), .. })) =
            (&spec.metrics, &spec.early_stopping)
        {
            spec.metrics = Some(vec![*metric]);
        }
        spec.trainer::<f32>().map(drop)
    }

    /// The trainer this spec describes (without a checkpoint callback: attach one with
    /// [`Trainer::checkpoint_every`] every [`TrainingSpec::checkpoint_every`] epochs).
    pub fn trainer<'a, S: Scalar>(&self) -> Result<Trainer<'a, S>, Error> {
        self.optimizer.validate().map_err(|error| error.within("optimizer"))?;
        check_at_least("log_every", self.log_every, 1)?;
        if let Some(every) = self.checkpoint_every {
            check_at_least("checkpoint_every", every, 1)?;
        }
        let mut trainer = self
            .optimizer
            .trainer(self.learning_rate())?
            .epochs(self.epochs)
            .batch_size(self.batch_size)
            .shuffle(self.shuffle)
            .penalty(Penalty { l1: self.l1, l2: self.l2 })
            .metrics(self.metrics.as_deref().unwrap_or_default());
        trainer = match (self.clip_norm, self.clip_value) {
            (Some(_), Some(_)) => return Err(Error::invalid("clip_value", "set clip_norm or clip_value, not both")),
            (Some(limit), None) => trainer.clipping(Clipping::Norm(limit)),
            (None, Some(limit)) => trainer.clipping(Clipping::Value(limit)),
            (None, None) => trainer,
        };
        if let Some(stopping) = &self.early_stopping {
            trainer = trainer.early_stopping(stopping.clone());
        }
        if let Some(schedule) = self.schedule {
            trainer = trainer.schedule(schedule);
        }
        trainer.check_settings()?;
        Ok(trainer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(json: &str) -> String {
        serde_json::from_str::<TrainingSpec>(json).unwrap().validate().unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_key_from_the_spec() {
        assert_eq!(error_of(r#"{"epochs": 0}"#), "invalid epochs: must be at least 1, got 0");
        assert_eq!(error_of(r#"{"learning_rate": -1}"#), "invalid learning_rate: must be a positive number, got -1");
        assert_eq!(
            error_of(r#"{"optimizer": {"kind": "rmsprop", "alpha": 1}}"#),
            "invalid optimizer.alpha: must be in [0, 1), got 1"
        );
        assert_eq!(
            error_of(r#"{"schedule": {"kind": "step", "step_size": 0, "gamma": 0.5}}"#),
            "invalid schedule.step_size: must be at least 1, got 0"
        );
        assert_eq!(
            error_of(r#"{"early_stopping": {"monitor": "val_loss", "patience": 0}}"#),
            "invalid early_stopping.patience: must be at least 1, got 0"
        );
        assert_eq!(error_of(r#"{"l2": -1}"#), "invalid l2: must be a non-negative number, got -1");
        assert_eq!(
            error_of(r#"{"clip_norm": 1, "clip_value": 1}"#),
            "invalid clip_value: set clip_norm or clip_value, not both"
        );
        assert_eq!(error_of(r#"{"checkpoint_every": 0}"#), "invalid checkpoint_every: must be at least 1, got 0");
        let lbfgs = error_of(r#"{"optimizer": {"kind": "lbfgs"}, "schedule": {"kind": "exponential", "gamma": 0.9}}"#);
        assert!(lbfgs.starts_with("invalid schedule: L-BFGS has no learning rate"), "{lbfgs}");
    }

    #[test]
    fn resolving_writes_out_the_defaults_of_the_task_and_the_optimizer() {
        let mut spec: TrainingSpec = serde_json::from_str(r#"{"optimizer": {"kind": "adamw"}}"#).unwrap();
        spec.resolve(Task::Classification, 3);
        assert_eq!(spec.loss, Some(Loss::CategoricalCrossEntropy));
        assert_eq!(spec.metrics, Some(vec![Metric::Accuracy]));
        assert_eq!(spec.learning_rate, Some(1e-3));
        let again: TrainingSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
        assert_eq!(again, spec);
    }
}
