//! Early stopping: what to watch, how long to wait, and which weights to keep.

use std::fmt;
use std::str::FromStr;

use super::{EpochRecord, Metric};
use crate::Error;
use crate::check::{check_at_least, check_non_negative};

/// The quantity that decides the best epoch and early stopping.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Monitor {
    /// The mean training loss of the epoch (lower is better).
    TrainLoss,
    /// The validation loss (lower is better).
    ValidationLoss,
    /// A validation metric; better is higher for accuracy and R², lower for errors.
    Validation(Metric),
}

impl Monitor {
    /// The monitored value in an epoch's record, if it was measured.
    pub fn value(self, record: &EpochRecord) -> Option<f64> {
        match self {
            Monitor::TrainLoss => Some(record.train_loss),
            Monitor::ValidationLoss => record.validation_loss,
            Monitor::Validation(metric) => record.validation_metric(metric),
        }
    }

    /// True when larger values are better.
    pub fn maximises(self) -> bool {
        matches!(self, Monitor::Validation(metric) if metric.higher_is_better())
    }

    /// Whether `value` beats `best` by more than `min_delta`.
    pub fn improves(self, value: f64, best: f64, min_delta: f64) -> bool {
        if self.maximises() { value > best + min_delta } else { value < best - min_delta }
    }
}

impl fmt::Display for Monitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Monitor::TrainLoss => f.write_str("train_loss"),
            Monitor::ValidationLoss => f.write_str("val_loss"),
            Monitor::Validation(metric) => write!(f, "val_{metric}"),
        }
    }
}

impl FromStr for Monitor {
    type Err = Error;

    /// `train_loss`, `val_loss`, or `val_` followed by a metric name (`val_accuracy`, `val_r2`, …).
    fn from_str(text: &str) -> Result<Self, Error> {
        match text {
            "train_loss" => Ok(Monitor::TrainLoss),
            "val_loss" => Ok(Monitor::ValidationLoss),
            _ => match text.strip_prefix("val_").map(str::parse::<Metric>) {
                Some(Ok(metric)) => Ok(Monitor::Validation(metric)),
                _ => Err(Error::invalid(
                    "monitor",
                    format!(
                        "unknown quantity `{text}`; expected train_loss, val_loss, val_accuracy, val_r2, val_mse or val_mae"
                    ),
                )),
            },
        }
    }
}

/// Stop when the monitored quantity has not improved for `patience` epochs (Keras'
/// `EarlyStopping`), optionally restoring the weights of the best epoch.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStopping {
    /// What to watch. It is chosen explicitly, never silently.
    pub monitor: Monitor,
    /// Epochs without improvement before stopping, at least 1. Default 10 (Keras: 0).
    #[serde(default = "default_patience")]
    pub patience: usize,
    /// The smallest change that counts as an improvement, ≥ 0. Default 0.
    #[serde(default)]
    pub min_delta: f64,
    /// Put back the best epoch's weights when training ends. Default true (Keras: false).
    #[serde(default = "default_restore_best_weights")]
    pub restore_best_weights: bool,
}

fn default_patience() -> usize {
    10
}

fn default_restore_best_weights() -> bool {
    true
}

impl EarlyStopping {
    /// Watches `monitor` with patience 10, no minimum change, restoring the best weights.
    pub fn new(monitor: Monitor) -> Self {
        Self {
            monitor,
            patience: default_patience(),
            min_delta: 0.0,
            restore_best_weights: default_restore_best_weights(),
        }
    }

    /// Epochs without improvement before stopping.
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// The smallest change that counts as an improvement.
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta;
        self
    }

    /// Whether to put back the best epoch's weights when training ends.
    pub fn restore_best_weights(mut self, restore: bool) -> Self {
        self.restore_best_weights = restore;
        self
    }

    /// Checks every setting, naming the one at fault.
    pub fn check(&self) -> Result<(), Error> {
        check_at_least("patience", self.patience, 1)?;
        check_non_negative("min_delta", self.min_delta)
    }
}
