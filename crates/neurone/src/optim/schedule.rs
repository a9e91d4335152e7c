//! Learning-rate schedules: η as a function of the epoch (and, for reduce-on-plateau, of a
//! monitored quantity such as the validation loss).

use std::f64::consts::PI;

use super::{Plateau, PlateauMode};
use crate::Error;
use crate::check::{check_at_least, check_decay_factor, check_learning_rate, check_non_negative};

/// How η changes from epoch to epoch, from the base learning rate η₀.
///
/// Epochs are numbered from 0; `e` below is the epoch about to run. The closed forms are
/// PyTorch's for a scheduler stepped once after each epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// η = η₀ throughout (the default).
    #[default]
    Constant,
    /// η = η₀ γ^⌊e / step_size⌋ (PyTorch's `StepLR`).
    Step {
        /// Epochs between decays, at least 1.
        step_size: usize,
        /// Decay factor γ, in (0, 1].
        gamma: f64,
    },
    /// η = η₀ γᵉ (PyTorch's `ExponentialLR`).
    Exponential {
        /// Decay factor γ, in (0, 1].
        gamma: f64,
    },
    /// Optional linear warm-up, then cosine annealing to `min_learning_rate`:
    ///
    /// ```text
    /// e < W:        η = η₀ (e + 1) / W                                 (W = warmup_epochs)
    /// W ≤ e ≤ T:    η = η_min + (η₀ − η_min) (1 + cos(π (e − W) / (T − W))) / 2
    /// e > T:        η = η_min                                          (T = epochs)
    /// ```
    ///
    /// Without warm-up this is PyTorch's `CosineAnnealingLR` closed form with `T_max` = T, held
    /// at η_min after T instead of rising again.
    Cosine {
        /// T, the epoch at which η reaches `min_learning_rate`, at least 1; `None` for the
        /// trainer's number of epochs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epochs: Option<usize>,
        /// η_min, between 0 and η₀. Default 0.
        #[serde(default)]
        min_learning_rate: f64,
        /// W, the number of warm-up epochs, less than `epochs` (0 for none, the default).
        #[serde(default)]
        warmup_epochs: usize,
    },
    /// Lower η when the monitored quantity stops improving (PyTorch's `ReduceLROnPlateau`);
    /// `plateau` in files.
    #[serde(rename = "plateau")]
    ReduceOnPlateau(Plateau),
}

impl Schedule {
    /// The schedule of a run of `epochs` epochs that judges its epochs by a quantity to be
    /// maximised (an accuracy) or not (a loss): a cosine without a length takes `epochs`, and
    /// reduce-on-plateau follows the quantity's direction.
    pub fn for_training(self, epochs: usize, maximise: bool) -> Schedule {
        match self {
            Schedule::Cosine { epochs: None, min_learning_rate, warmup_epochs } => {
                Schedule::Cosine { epochs: Some(epochs), min_learning_rate, warmup_epochs }
            }
            Schedule::ReduceOnPlateau(plateau) => {
                let mode = if maximise { PlateauMode::Maximise } else { PlateauMode::Minimise };
                Schedule::ReduceOnPlateau(Plateau { mode, ..plateau })
            }
            other => other,
        }
    }

    /// Checks every parameter, naming the one at fault.
    pub fn validate(&self) -> Result<(), Error> {
        match *self {
            Schedule::Constant => Ok(()),
            Schedule::Step { step_size, gamma } => {
                check_at_least("step_size", step_size, 1)?;
                check_decay_factor("gamma", gamma)
            }
            Schedule::Exponential { gamma } => check_decay_factor("gamma", gamma),
            Schedule::Cosine { epochs, min_learning_rate, warmup_epochs } => {
                let epochs = epochs.unwrap_or(usize::MAX);
                check_at_least("epochs", epochs, 1)?;
                if warmup_epochs >= epochs {
                    return Err(Error::invalid(
                        "warmup_epochs",
                        format!("must be less than epochs ({epochs}), got {warmup_epochs}"),
                    ));
                }
                check_non_negative("min_learning_rate", min_learning_rate)
            }
            Schedule::ReduceOnPlateau(plateau) => plateau.validate(),
        }
    }
}

/// Where a [`Scheduler`] stands, for checkpoints.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SchedulerState {
    /// The last epoch a learning rate was given for (`None` before the first).
    pub epoch: Option<usize>,
    /// The learning rate given for that epoch.
    pub learning_rate: f64,
    /// Reduce-on-plateau: the best monitored value so far.
    pub best: Option<f64>,
    /// Reduce-on-plateau: consecutive epochs without improvement.
    pub bad_epochs: usize,
    /// Reduce-on-plateau: epochs of cooldown left.
    pub cooldown_remaining: usize,
}

/// A [`Schedule`] applied from a base learning rate η₀, with what it has to remember.
///
/// Before epoch `e` (from 0) of training, call [`Scheduler::learning_rate`] with `e` and the
/// monitored quantity measured after epoch `e − 1` (`None` before epoch 0), and give the result
/// to the optimizer.
///
/// ```
/// use neurone::optim::{Optimizer, Schedule, Scheduler, Sgd};
///
/// let schedule = Schedule::Cosine { epochs: Some(10), min_learning_rate: 0.0, warmup_epochs: 2 };
/// let mut scheduler = Scheduler::new(schedule, 0.1)?;
/// let mut optimizer = Sgd::<f32>::new(0.1)?;
/// let mut rates = Vec::new();
/// for epoch in 0..10 {
///     let validation_loss = None; // measured after the previous epoch, if any
///     optimizer.set_learning_rate(scheduler.learning_rate(epoch, validation_loss)?);
///     rates.push(optimizer.learning_rate());
///     // … train one epoch …
/// }
/// assert_eq!(&rates[..3], &[0.05, 0.1, 0.1]); // warm-up, then the top of the cosine
/// assert!(rates[9] < 0.005);
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Scheduler {
    schedule: Schedule,
    base_learning_rate: f64,
    state: SchedulerState,
}

impl Scheduler {
    /// Applies `schedule` from η₀ = `base_learning_rate` (positive, finite); fails on an invalid
    /// schedule or a minimum learning rate above η₀.
    pub fn new(schedule: Schedule, base_learning_rate: f64) -> Result<Self, Error> {
        check_learning_rate(base_learning_rate)?;
        schedule.validate()?;
        if let Schedule::Cosine { epochs: None, .. } = schedule {
            return Err(Error::invalid("epochs", "a cosine schedule needs its length (a trainer gives its own)"));
        }
        let minimum = match schedule {
            Schedule::Cosine { min_learning_rate, .. } => min_learning_rate,
            Schedule::ReduceOnPlateau(plateau) => plateau.min_learning_rate,
            _ => 0.0,
        };
        if minimum > base_learning_rate {
            return Err(Error::invalid(
                "min_learning_rate",
                format!("must not exceed the learning rate {base_learning_rate}, got {minimum}"),
            ));
        }
        let state = SchedulerState {
            epoch: None,
            learning_rate: base_learning_rate,
            best: None,
            bad_epochs: 0,
            cooldown_remaining: 0,
        };
        Ok(Self { schedule, base_learning_rate, state })
    }

    /// The schedule followed.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// η₀.
    pub fn base_learning_rate(&self) -> f64 {
        self.base_learning_rate
    }

    /// η for epoch `epoch` (numbered from 0), given the monitored quantity measured after the
    /// previous epoch (`None` before epoch 0). Only reduce-on-plateau uses `monitored`: it needs
    /// it from epoch 1 on, finite, and sees each epoch once, in order (asking again for the same
    /// epoch returns the same η).
    pub fn learning_rate(&mut self, epoch: usize, monitored: Option<f64>) -> Result<f64, Error> {
        let base = self.base_learning_rate;
        let learning_rate = match self.schedule {
            Schedule::Constant => base,
            Schedule::Step { step_size, gamma } => base * gamma.powi(exponent(epoch / step_size)),
            Schedule::Exponential { gamma } => base * gamma.powi(exponent(epoch)),
            Schedule::Cosine { epochs, min_learning_rate, warmup_epochs } => {
                // `Scheduler::new` refuses a cosine without its length.
                let epochs = epochs.unwrap_or_default();
                if epoch < warmup_epochs {
                    base * (epoch + 1) as f64 / warmup_epochs as f64
                } else if epoch >= epochs {
                    min_learning_rate
                } else {
                    let progress = (epoch - warmup_epochs) as f64 / (epochs - warmup_epochs) as f64;
                    min_learning_rate + (base - min_learning_rate) * (1.0 + (PI * progress).cos()) / 2.0
                }
            }
            Schedule::ReduceOnPlateau(plateau) => {
                if self.state.epoch == Some(epoch) {
                    return Ok(self.state.learning_rate);
                }
                if let Some(last) = self.state.epoch.filter(|&last| epoch != last + 1) {
                    return Err(Error::invalid(
                        "epoch",
                        format!("reduce-on-plateau sees epochs in order: expected {}, got {epoch}", last + 1),
                    ));
                }
                match monitored {
                    Some(value) if value.is_finite() => plateau.observe(&mut self.state, value),
                    Some(value) => return Err(Error::invalid("monitored", format!("must be finite, got {value}"))),
                    None if epoch == 0 => {}
                    None => {
                        return Err(Error::invalid(
                            "monitored",
                            format!("reduce-on-plateau needs the value measured after epoch {}", epoch - 1),
                        ));
                    }
                }
                self.state.learning_rate
            }
        };
        (self.state.epoch, self.state.learning_rate) = (Some(epoch), learning_rate);
        Ok(learning_rate)
    }

    /// Where the scheduler stands.
    pub fn state(&self) -> SchedulerState {
        self.state
    }

    /// Restores a state returned by [`Scheduler::state`]; fails, changing nothing, if its
    /// learning rate is not positive and finite or its best value is not finite.
    pub fn load_state(&mut self, state: &SchedulerState) -> Result<(), Error> {
        check_learning_rate(state.learning_rate)?;
        if let Some(best) = state.best.filter(|best| !best.is_finite()) {
            return Err(Error::invalid("scheduler state", format!("the best value must be finite, got {best}")));
        }
        self.state = *state;
        Ok(())
    }
}

/// An epoch count as a power (saturating: beyond i32::MAX, γ^n is 0 or 1 anyway).
fn exponent(count: usize) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
