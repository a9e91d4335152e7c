//! Learning-rate schedules: η as a function of the epoch (and, for reduce-on-plateau, of a
//! monitored quantity such as the validation loss).

use std::f64::consts::PI;

use super::{Plateau, PlateauMode};
use crate::Error;
use crate::check::{check_at_least, check_decay_factor, check_learning_rate, check_non_negative, check_positive};

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
    /// η = η₀ / (t + 1)^power_t, t growing by `per_epoch` each epoch: t = e × `per_epoch` in
    /// one training (scikit-learn's `invscaling`, whose t counts the samples seen: `per_epoch`
    /// is then the training set's size). A training resumed with another `per_epoch` goes on
    /// from the t its checkpoint reached, as scikit-learn's `t_` across `partial_fit` calls on
    /// batches of different sizes.
    InverseScaling {
        /// The exponent, at least 0. Default 0.5, scikit-learn's.
        #[serde(default = "half")]
        power_t: f64,
        /// How much t grows each epoch, positive. Default 1 (t counts epochs).
        #[serde(default = "one")]
        per_epoch: f64,
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
            Schedule::InverseScaling { power_t, per_epoch } => {
                check_non_negative("power_t", power_t)?;
                check_positive("per_epoch", per_epoch)
            }
            Schedule::ReduceOnPlateau(plateau) => plateau.validate(),
        }
    }
}

/// The default of [`Schedule::InverseScaling`]'s `per_epoch`.
fn one() -> f64 {
    1.0
}

/// The default of [`Schedule::InverseScaling`]'s `power_t`.
fn half() -> f64 {
    0.5
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
    /// Reduce-on-plateau: a reduction was due at its `stop_at_learning_rate`; training stops.
    #[serde(default)]
    pub exhausted: bool,
    /// [`SchedulerState::restart`] set the learning rate of the epoch scheduled last.
    #[serde(default)]
    pub restarted: bool,
    /// Inverse scaling: t before the epoch scheduled last (`None` in older checkpoints, whose t
    /// was that epoch × `per_epoch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples_seen: Option<f64>,
}

impl SchedulerState {
    /// Starts the learning rate again from η₀ = `base_learning_rate`, as scikit-learn's warm
    /// start does (each `fit` makes a new optimizer): the epoch already scheduled (the next one
    /// a training resumes at) runs at η₀ whatever the schedule (inverse scaling's η₀/(t+1)^p
    /// included), and training is no longer exhausted, while the epoch and what
    /// reduce-on-plateau has seen (its best value, bad epochs, cooldown) stay, so a plateau that
    /// goes on reduces η again after the first epoch.
    pub fn restart(&mut self, base_learning_rate: f64) {
        (self.learning_rate, self.exhausted, self.restarted) = (base_learning_rate, false, true);
    }
}

/// A [`Schedule`] applied from a base learning rate η₀, with what it has to remember.
///
/// Before epoch `e` (from 0) of training, call [`Scheduler::learning_rate`] with `e` and the
/// monitored quantity measured after epoch `e − 1` (`None` before epoch 0), and train the epoch
/// at the result.
///
/// ```
/// use neurone::optim::{Schedule, Scheduler};
///
/// let schedule = Schedule::Cosine { epochs: Some(10), min_learning_rate: 0.0, warmup_epochs: 2 };
/// let mut scheduler = Scheduler::new(schedule, 0.1)?;
/// let mut rates = Vec::new();
/// for epoch in 0..10 {
///     let validation_loss = None; // measured after the previous epoch, if any
///     rates.push(scheduler.learning_rate(epoch, validation_loss)?);
///     // … train one epoch at that learning rate …
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
    /// Inverse scaling: the epoch and t this scheduler counts from (the start, or a restored
    /// state's), so that t = e × `per_epoch` exactly in one training.
    counted_from: (usize, f64),
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
            exhausted: false,
            restarted: false,
            samples_seen: None,
        };
        Ok(Self { schedule, base_learning_rate, state, counted_from: (0, 0.0) })
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
    /// epoch returns the same η). After a [`SchedulerState::restart`], the epoch scheduled last
    /// is given η₀, whatever the schedule.
    pub fn learning_rate(&mut self, epoch: usize, monitored: Option<f64>) -> Result<f64, Error> {
        let plateau = matches!(self.schedule, Schedule::ReduceOnPlateau(_));
        if self.state.epoch == Some(epoch) && (plateau || self.state.restarted) {
            // Asked again (a training resumed at this epoch): the rate a restart set, or the
            // one reduce-on-plateau gave (the others follow the base rate, which a training
            // resumed with another one changes).
            return Ok(self.state.learning_rate);
        }
        self.state.restarted = false;
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
            Schedule::InverseScaling { power_t, per_epoch } => {
                let (from, seen) = self.counted_from;
                let samples_seen = seen + epoch.saturating_sub(from) as f64 * per_epoch;
                self.state.samples_seen = Some(samples_seen);
                base / (samples_seen + 1.0).powf(power_t)
            }
            Schedule::ReduceOnPlateau(plateau) => {
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

    /// True once reduce-on-plateau has reached its `stop_at_learning_rate`: training should end.
    pub fn exhausted(&self) -> bool {
        self.state.exhausted
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
        let epoch = state.epoch.unwrap_or(0);
        if let Schedule::InverseScaling { per_epoch, .. } = self.schedule {
            self.counted_from = (epoch, state.samples_seen.unwrap_or(epoch as f64 * per_epoch));
        }
        Ok(())
    }
}

/// An epoch count as a power (saturating: beyond i32::MAX, γ^n is 0 or 1 anyway).
fn exponent(count: usize) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    //! Tests of [`Scheduler`]: closed forms at chosen epochs, reduce-on-plateau's counting, state
    //! round trips and errors.

    use super::*;
    use crate::optim::PlateauMode;

    fn close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-12, "{actual} vs {expected}");
    }

    /// η for each epoch in `epochs` (the schedule ignores the monitored value).
    fn rates(schedule: Schedule, base: f64, epochs: &[usize]) -> Vec<f64> {
        let mut scheduler = Scheduler::new(schedule, base).unwrap();
        epochs.iter().map(|&epoch| scheduler.learning_rate(epoch, None).unwrap()).collect()
    }

    /// Feeds `values` as the monitored quantity after epochs 0, 1, …; returns η for epochs 1, 2, ….
    fn plateau_rates(plateau: Plateau, values: &[f64]) -> Vec<f64> {
        let mut scheduler = Scheduler::new(Schedule::ReduceOnPlateau(plateau), 1.0).unwrap();
        assert_eq!(scheduler.learning_rate(0, None).unwrap(), 1.0);
        values.iter().enumerate().map(|(i, &value)| scheduler.learning_rate(i + 1, Some(value)).unwrap()).collect()
    }

    #[test]
    fn constant_stays_at_the_base() {
        assert_eq!(rates(Schedule::Constant, 0.3, &[0, 1, 1000]), [0.3, 0.3, 0.3]);
    }

    #[test]
    fn step_decays_by_gamma_every_step_size_epochs() {
        let found = rates(Schedule::Step { step_size: 3, gamma: 0.5 }, 0.8, &[0, 2, 3, 5, 6, 9]);
        assert_eq!(found, [0.8, 0.8, 0.4, 0.4, 0.2, 0.1]);
    }

    #[test]
    fn exponential_decays_by_gamma_every_epoch() {
        let found = rates(Schedule::Exponential { gamma: 0.9 }, 2.0, &[0, 1, 2, 10]);
        for (found, expected) in found.iter().zip([2.0, 1.8, 1.62, 2.0 * 0.348_678_440_1]) {
            close(*found, expected);
        }
    }

    #[test]
    fn cosine_anneals_to_the_minimum_and_stays_there() {
        let schedule = Schedule::Cosine { epochs: Some(10), min_learning_rate: 0.01, warmup_epochs: 0 };
        let found = rates(schedule, 0.1, &[0, 5, 10, 15]);
        // Midway: η_min + (η₀ − η_min)/2 = 0.055.
        for (found, expected) in found.iter().zip([0.1, 0.055, 0.01, 0.01]) {
            close(*found, expected);
        }
        // PyTorch's closed form, written out, at every epoch up to T.
        let found = rates(schedule, 0.1, &(0..=10).collect::<Vec<_>>());
        for (epoch, found) in found.iter().enumerate() {
            close(*found, 0.01 + 0.09 * (1.0 + (PI * epoch as f64 / 10.0).cos()) / 2.0);
        }
    }

    #[test]
    fn warm_up_rises_linearly_then_the_cosine_covers_the_remaining_epochs() {
        let schedule = Schedule::Cosine { epochs: Some(14), min_learning_rate: 0.0, warmup_epochs: 4 };
        let found = rates(schedule, 1.0, &[0, 1, 3, 4, 9, 14]);
        for (found, expected) in found.iter().zip([0.25, 0.5, 1.0, 1.0, 0.5, 0.0]) {
            close(*found, expected);
        }
    }

    #[test]
    fn plateau_reduces_on_the_bad_epoch_after_patience_of_them() {
        let plateau = Plateau { factor: 0.5, patience: 2, ..Plateau::default() };
        // 1.0 is the first best; 1.0 and 0.99995 (not 10⁻⁴ better) are bad epochs 1 and 2, tolerated;
        // the third bad epoch halves η and restarts the count.
        let found = plateau_rates(plateau, &[1.0, 1.0, 0.99995, 1.0, 0.5, 0.6, 0.6, 0.6]);
        assert_eq!(found, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]);
    }

    /// scikit-learn's adaptive rate from η₀ = 1 on a loss that never improves, run until it stops;
    /// returns the scheduler and the epoch it stopped before.
    fn exhausted_adaptive_scheduler() -> (Scheduler, usize) {
        let plateau = Plateau {
            factor: 0.2,
            patience: 0,
            threshold: 0.0,
            stop_at_learning_rate: Some(1e-6),
            ..Plateau::default()
        };
        let mut scheduler = Scheduler::new(Schedule::ReduceOnPlateau(plateau), 1.0).unwrap();
        scheduler.learning_rate(0, None).unwrap();
        let mut epoch = 0;
        while !scheduler.exhausted() {
            epoch += 1;
            scheduler.learning_rate(epoch, Some(1.0)).unwrap();
        }
        (scheduler, epoch)
    }

    #[test]
    fn plateau_stops_when_a_reduction_is_due_at_its_stopping_rate() {
        // scikit-learn's adaptive rate: η / 5 at each plateau, and a stop at the plateau that
        // finds η at 10⁻⁶ or below. From 1: 0.2, 0.04, …, 1.28·10⁻⁵, 2.56·10⁻⁶, 5.12·10⁻⁷, then stop.
        let (scheduler, epoch) = exhausted_adaptive_scheduler();
        // Epoch 1 sets the best; epochs 2 to 10 reduce η nine times, to 0.2⁹ = 5.12·10⁻⁷; epoch 11 stops.
        assert_eq!(epoch, 11);
        assert!((scheduler.state().learning_rate - 0.2f64.powi(9)).abs() < 1e-18);
        assert!(Plateau { stop_at_learning_rate: Some(0.0), ..Plateau::default() }.validate().is_err());
    }

    #[test]
    fn a_restarted_plateau_trains_at_its_base_rate_and_reduces_it_if_the_plateau_lasts() {
        // scikit-learn's warm start after an adaptive stop: a new optimizer at η₀, but its count
        // of epochs without improvement stays, so the stopped epoch trains at η₀ and the next at η₀ / 5.
        let (mut scheduler, epoch) = exhausted_adaptive_scheduler();
        let mut state = scheduler.state();
        state.restart(1.0);
        scheduler.load_state(&state).unwrap();
        assert!(!scheduler.exhausted());
        assert_eq!(scheduler.learning_rate(epoch, Some(1.0)).unwrap(), 1.0);
        assert_eq!(scheduler.learning_rate(epoch + 1, Some(1.0)).unwrap(), 0.2);
    }

    #[test]
    fn a_restart_makes_the_scheduled_epoch_train_at_the_base_rate_whatever_the_schedule() {
        // scikit-learn's warm start with 'invscaling': the new optimizer's first epoch at η₀,
        // then η₀ / (t + 1)^p with t the samples seen by every fit (here 150 an epoch).
        let schedule = Schedule::InverseScaling { power_t: 0.5, per_epoch: 150.0 };
        let mut scheduler = Scheduler::new(schedule, 0.1).unwrap();
        for epoch in 0..=3 {
            scheduler.learning_rate(epoch, None).unwrap();
        }
        let mut state = scheduler.state();
        state.restart(0.1);
        scheduler.load_state(&state).unwrap();
        assert_eq!(scheduler.learning_rate(3, None).unwrap(), 0.1);
        assert_eq!(scheduler.learning_rate(4, None).unwrap(), 0.1 / 601f64.sqrt());
    }

    #[test]
    fn plateau_cooldown_ignores_bad_epochs_and_the_minimum_holds() {
        let plateau = Plateau { factor: 0.5, patience: 0, cooldown: 2, ..Plateau::default() };
        // Reductions after epochs 2 and 5: the two cooldown epochs in between do not count.
        assert_eq!(plateau_rates(plateau, &[1.0; 5]), [1.0, 0.5, 0.5, 0.5, 0.25]);
        let plateau = Plateau { factor: 0.5, patience: 0, min_learning_rate: 0.3, ..Plateau::default() };
        assert_eq!(plateau_rates(plateau, &[1.0; 5]), [1.0, 0.5, 0.3, 0.3, 0.3]);
    }

    #[test]
    fn plateau_can_maximise() {
        let plateau = Plateau { factor: 0.1, patience: 0, mode: PlateauMode::Maximise, ..Plateau::default() };
        // Rising accuracy keeps η; a fall is a bad epoch.
        let found = plateau_rates(plateau, &[0.5, 0.6, 0.7, 0.65]);
        assert_eq!(found[..3], [1.0, 1.0, 1.0]);
        close(found[3], 0.1);
    }

    #[test]
    fn plateau_needs_its_monitored_value_in_order() {
        let mut scheduler = Scheduler::new(Schedule::ReduceOnPlateau(Plateau::default()), 0.1).unwrap();
        assert_eq!(scheduler.learning_rate(0, None).unwrap(), 0.1);
        let error = scheduler.learning_rate(1, None).unwrap_err();
        assert_eq!(error.to_string(), "invalid monitored: reduce-on-plateau needs the value measured after epoch 0");
        let error = scheduler.learning_rate(1, Some(f64::NAN)).unwrap_err();
        assert_eq!(error.to_string(), "invalid monitored: must be finite, got NaN");
        scheduler.learning_rate(1, Some(1.0)).unwrap();
        assert_eq!(scheduler.learning_rate(1, Some(5.0)).unwrap(), 0.1, "asking again does not count again");
        assert_eq!(scheduler.state().bad_epochs, 0);
        let error = scheduler.learning_rate(3, Some(1.0)).unwrap_err();
        assert_eq!(error.to_string(), "invalid epoch: reduce-on-plateau sees epochs in order: expected 2, got 3");
    }

    #[test]
    fn state_round_trips_and_the_restored_scheduler_continues_identically() {
        let plateau = Plateau { factor: 0.5, patience: 1, cooldown: 1, ..Plateau::default() };
        let mut scheduler = Scheduler::new(Schedule::ReduceOnPlateau(plateau), 1.0).unwrap();
        let values = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85];
        scheduler.learning_rate(0, None).unwrap();
        for (i, &value) in values[..4].iter().enumerate() {
            scheduler.learning_rate(i + 1, Some(value)).unwrap();
        }
        let state = scheduler.state();
        assert_eq!(state.best, Some(0.9));
        assert_eq!((state.epoch, state.learning_rate, state.cooldown_remaining), (Some(4), 0.5, 1));
        let mut restored = Scheduler::new(Schedule::ReduceOnPlateau(plateau), 1.0).unwrap();
        restored.load_state(&state).unwrap();
        assert_eq!(restored, scheduler);
        for (i, &value) in values.iter().enumerate().skip(4) {
            assert_eq!(
                restored.learning_rate(i + 1, Some(value)).unwrap(),
                scheduler.learning_rate(i + 1, Some(value)).unwrap()
            );
        }
        let error = restored.load_state(&SchedulerState { best: Some(f64::INFINITY), ..state }).unwrap_err();
        assert_eq!(error.to_string(), "invalid scheduler state: the best value must be finite, got inf");
        assert!(restored.load_state(&SchedulerState { learning_rate: 0.0, ..state }).is_err());
    }

    #[test]
    fn inverse_scaling_divides_by_a_power_of_the_samples_seen() {
        // scikit-learn's invscaling after e epochs of 150 samples: η₀ / (150 e + 1)^0.5.
        let schedule = Schedule::InverseScaling { power_t: 0.5, per_epoch: 150.0 };
        for (found, expected) in
            rates(schedule, 0.1, &[0, 1, 4]).iter().zip([0.1, 0.1 / 151f64.sqrt(), 0.1 / 601f64.sqrt()])
        {
            close(*found, expected);
        }
        let by_epoch: Schedule = serde_json::from_str(r#"{"kind": "inverse_scaling", "power_t": 1.0}"#).unwrap();
        assert_eq!(rates(by_epoch, 1.0, &[0, 1, 3]), [1.0, 0.5, 0.25]);
    }

    #[test]
    fn inverse_scaling_resumed_with_another_per_epoch_goes_on_from_the_samples_seen() {
        // scikit-learn's partial_fit on 30, 70 then 10 rows: t_ = 30, 100, 110 after each call.
        let mut state = None;
        let mut scheduled = Vec::new();
        for (epoch, rows) in [(0, 30.0), (1, 70.0), (2, 10.0)] {
            let schedule = Schedule::InverseScaling { power_t: 0.5, per_epoch: rows };
            let mut scheduler = Scheduler::new(schedule, 0.1).unwrap();
            if let Some(state) = &state {
                scheduler.load_state(state).unwrap();
            }
            scheduler.learning_rate(epoch, None).unwrap(); // the part's first epoch, asked again
            scheduled.push(scheduler.learning_rate(epoch + 1, None).unwrap());
            state = Some(scheduler.state());
        }
        for (found, t) in scheduled.iter().zip([30.0, 100.0, 110.0]) {
            close(*found, 0.1 / f64::sqrt(t + 1.0));
        }
        assert_eq!(state.unwrap().samples_seen, Some(110.0));
        // An older checkpoint, without the count: t was the epoch × per_epoch.
        let schedule = Schedule::InverseScaling { power_t: 0.5, per_epoch: 10.0 };
        let mut scheduler = Scheduler::new(schedule, 0.1).unwrap();
        scheduler.load_state(&SchedulerState { samples_seen: None, ..state.unwrap() }).unwrap();
        close(scheduler.learning_rate(3, None).unwrap(), 0.1 / 31f64.sqrt());
    }

    #[test]
    fn bad_parameters_are_errors_naming_the_parameter() {
        let error = |schedule: Schedule| Scheduler::new(schedule, 0.1).unwrap_err().to_string();
        let inverse = |power_t, per_epoch| error(Schedule::InverseScaling { power_t, per_epoch });
        assert_eq!(inverse(-0.5, 1.0), "invalid power_t: must be a non-negative number, got -0.5");
        assert_eq!(inverse(0.5, 0.0), "invalid per_epoch: must be a positive number, got 0");
        assert_eq!(error(Schedule::Step { step_size: 0, gamma: 0.5 }), "invalid step_size: must be at least 1, got 0");
        assert_eq!(error(Schedule::Step { step_size: 1, gamma: 1.5 }), "invalid gamma: must be in (0, 1], got 1.5");
        assert_eq!(error(Schedule::Exponential { gamma: 0.0 }), "invalid gamma: must be in (0, 1], got 0");
        let endless = Schedule::Cosine { epochs: None, min_learning_rate: 0.0, warmup_epochs: 0 };
        assert!(error(endless).starts_with("invalid epochs: a cosine schedule needs its length"));
        assert!(Scheduler::new(endless.for_training(20, false), 0.1).is_ok());
        let cosine = |epochs, min_learning_rate, warmup_epochs| Schedule::Cosine {
            epochs: Some(epochs),
            min_learning_rate,
            warmup_epochs,
        };
        assert_eq!(error(cosine(0, 0.0, 0)), "invalid epochs: must be at least 1, got 0");
        assert_eq!(error(cosine(5, 0.0, 5)), "invalid warmup_epochs: must be less than epochs (5), got 5");
        assert!(error(cosine(5, -0.1, 0)).starts_with("invalid min_learning_rate: must be a non-negative number"));
        assert_eq!(
            error(cosine(5, 0.5, 0)),
            "invalid min_learning_rate: must not exceed the learning rate 0.1, got 0.5"
        );
        let plateau = |plateau: Plateau| error(Schedule::ReduceOnPlateau(plateau));
        assert_eq!(plateau(Plateau { factor: 1.0, ..Plateau::default() }), "invalid factor: must be in (0, 1), got 1");
        assert_eq!(plateau(Plateau { factor: 0.0, ..Plateau::default() }), "invalid factor: must be in (0, 1), got 0");
        assert!(plateau(Plateau { threshold: -1.0, ..Plateau::default() }).starts_with("invalid threshold"));
        assert!(
            plateau(Plateau { min_learning_rate: f64::NAN, ..Plateau::default() })
                .starts_with("invalid min_learning_rate")
        );
        assert!(Scheduler::new(Schedule::Constant, 0.0).unwrap_err().to_string().starts_with("invalid learning_rate"));
    }
}
