//! Reduce-on-plateau: lower η when the monitored quantity has stopped improving.

use super::schedule::SchedulerState;
use crate::Error;
use crate::check::check_non_negative;

/// Below this change a reduction is ignored, as in PyTorch (its `eps`).
const SMALLEST_REDUCTION: f64 = 1e-8;

/// Whether the monitored quantity should go down (a loss) or up (an accuracy).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlateauMode {
    /// Lower is better (PyTorch's `mode="min"`).
    #[default]
    Minimise,
    /// Higher is better (PyTorch's `mode="max"`).
    Maximise,
}

/// The settings of [`Schedule::ReduceOnPlateau`](super::Schedule::ReduceOnPlateau), following
/// PyTorch's `ReduceLROnPlateau` with `threshold_mode="rel"`; [`Plateau::default`] gives its
/// defaults.
///
/// After each epoch the monitored value is *better* if it beats the best so far by the relative
/// `threshold` (below best·(1 − threshold) when minimising, above best·(1 + threshold) when
/// maximising), or by `threshold` itself with `absolute_threshold`; otherwise the epoch is *bad*. When more than `patience` consecutive epochs are
/// bad, η ← max(η·factor, min_learning_rate), and the next `cooldown` epochs count as neither
/// good nor bad; or, with `stop_at_learning_rate` and η already at most that, training stops.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Plateau {
    /// The factor η is multiplied by, in (0, 1). Default 0.1.
    pub factor: f64,
    /// How many bad epochs in a row are tolerated: the next one reduces η. Default 10.
    pub patience: usize,
    /// The relative improvement that counts as better, ≥ 0. Default 10⁻⁴.
    pub threshold: f64,
    /// `threshold` is an absolute improvement instead (PyTorch's `threshold_mode="abs"`,
    /// scikit-learn's `tol`). Default false.
    pub absolute_threshold: bool,
    /// Epochs to wait after a reduction before counting bad epochs again. Default 0.
    pub cooldown: usize,
    /// η is never reduced below this, ≥ 0. Default 0.
    pub min_learning_rate: f64,
    /// When a reduction is due while η is already at most this, training stops instead
    /// (scikit-learn's `learning_rate="adaptive"` stops at 10⁻⁶), > 0. Default: never.
    pub stop_at_learning_rate: Option<f64>,
    /// Whether the monitored quantity should be minimised (default) or maximised. A
    /// [`Trainer`](crate::Trainer) sets it from the quantity it monitors.
    #[serde(skip)]
    pub mode: PlateauMode,
}

impl Default for Plateau {
    /// PyTorch's defaults: factor 0.1, patience 10, threshold 10⁻⁴ (relative), no cooldown, no
    /// minimum, minimising.
    fn default() -> Self {
        Self {
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            absolute_threshold: false,
            cooldown: 0,
            min_learning_rate: 0.0,
            stop_at_learning_rate: None,
            mode: PlateauMode::Minimise,
        }
    }
}

impl Plateau {
    /// Checks every setting, naming the one at fault.
    pub fn validate(&self) -> Result<(), Error> {
        if !(self.factor > 0.0 && self.factor < 1.0) {
            return Err(Error::invalid("factor", format!("must be in (0, 1), got {}", self.factor)));
        }
        check_non_negative("threshold", self.threshold)?;
        check_non_negative("min_learning_rate", self.min_learning_rate)?;
        match self.stop_at_learning_rate {
            Some(rate) if !(rate > 0.0 && rate.is_finite()) => {
                Err(Error::invalid("stop_at_learning_rate", format!("must be a positive number, got {rate}")))
            }
            _ => Ok(()),
        }
    }

    /// Whether `value` improves on `best` by the threshold (any value beats no best).
    fn is_better(&self, value: f64, best: Option<f64>) -> bool {
        let threshold = self.threshold;
        match (best, self.mode, self.absolute_threshold) {
            (None, _, _) => true,
            (Some(best), PlateauMode::Minimise, false) => value < best * (1.0 - threshold),
            (Some(best), PlateauMode::Maximise, false) => value > best * (1.0 + threshold),
            (Some(best), PlateauMode::Minimise, true) => value < best - threshold,
            (Some(best), PlateauMode::Maximise, true) => value > best + threshold,
        }
    }

    /// Takes in the value measured after an epoch and lowers `state.learning_rate` if the
    /// plateau has lasted too long.
    pub(super) fn observe(&self, state: &mut SchedulerState, monitored: f64) {
        // Stopping is this observation's decision (a part trained after a stop may improve).
        state.exhausted = false;
        if self.is_better(monitored, state.best) {
            (state.best, state.bad_epochs) = (Some(monitored), 0);
        } else {
            state.bad_epochs += 1;
        }
        if state.cooldown_remaining > 0 {
            state.cooldown_remaining -= 1;
            state.bad_epochs = 0;
        }
        if state.bad_epochs > self.patience {
            if self.stop_at_learning_rate.is_some_and(|stop_at| state.learning_rate <= stop_at) {
                state.exhausted = true;
                return;
            }
            let reduced = (state.learning_rate * self.factor).max(self.min_learning_rate);
            if state.learning_rate - reduced > SMALLEST_REDUCTION {
                state.learning_rate = reduced;
            }
            (state.cooldown_remaining, state.bad_epochs) = (self.cooldown, 0);
        }
    }
}
