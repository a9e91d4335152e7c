//! What training records, epoch by epoch.

use serde::{Deserialize, Serialize};

use super::Metric;

/// The measurements of one epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean data loss J over the epoch's minibatches (weighted by their sizes), each measured
    /// before its step, as Keras and scikit-learn report it. It **excludes** the weight penalty,
    /// so that it compares with `validation_loss`.
    pub train_loss: f64,
    /// The weight penalty (L1 + L2) at the end of the epoch; the objective minimised is
    /// `train_loss + penalty`. Zero without regularisation.
    pub penalty: f64,
    /// Data loss on the validation set after the epoch, in evaluation mode.
    pub validation_loss: Option<f64>,
    /// The requested metrics on the validation set after the epoch.
    pub validation_metrics: Vec<(Metric, f64)>,
    /// The learning rate used during the epoch.
    pub learning_rate: f64,
    /// Seconds since training started, at the end of the epoch.
    pub elapsed_seconds: f64,
}

impl EpochRecord {
    /// The value of a validation metric, if it was measured.
    pub fn validation_metric(&self, metric: Metric) -> Option<f64> {
        self.validation_metrics.iter().find(|(m, _)| *m == metric).map(|&(_, value)| value)
    }
}

/// Every epoch's record, in order, and which was best.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One record per epoch, in order (the last ones only, with
    /// [`Trainer::keep_records`](super::Trainer::keep_records)).
    pub epochs: Vec<EpochRecord>,
    /// The epoch with the best monitored value (validation loss by default, see
    /// [`EarlyStopping`](super::EarlyStopping)).
    pub best_epoch: Option<usize>,
    /// True when early stopping ended training before the last epoch.
    pub stopped_early: bool,
    /// True when the solver converged (L-BFGS reached its tolerances) before the last epoch.
    pub converged: bool,
    /// True when a stop request ended training; the last epoch may be partial.
    pub interrupted: bool,
    /// True when the solver's own budget (L-BFGS's `max_evaluations`) ended training before it
    /// converged.
    #[serde(default)]
    pub out_of_evaluations: bool,
    /// The epoch whose loss or weights became non-finite, when training ended there with the
    /// best epoch's weights (early stopping's `restore_best_weights`, after at least one good
    /// epoch) rather than with [`Error::Diverged`](crate::Error::Diverged); that epoch has no
    /// record.
    #[serde(default)]
    pub diverged_at: Option<usize>,
}

impl History {
    /// The last epoch's record, if any epoch ran.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }

    /// The best epoch's record, if known and kept.
    pub fn best(&self) -> Option<&EpochRecord> {
        let best = self.best_epoch?;
        // Records are in epoch order, and may not start at epoch 1 (`Trainer::keep_records`).
        self.epochs.binary_search_by_key(&best, |record| record.epoch).ok().map(|index| &self.epochs[index])
    }
}
