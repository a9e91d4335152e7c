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
fn bad_parameters_are_errors_naming_the_parameter() {
    let error = |schedule: Schedule| Scheduler::new(schedule, 0.1).unwrap_err().to_string();
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
    assert_eq!(error(cosine(5, 0.5, 0)), "invalid min_learning_rate: must not exceed the learning rate 0.1, got 0.5");
    let plateau = |plateau: Plateau| error(Schedule::ReduceOnPlateau(plateau));
    assert_eq!(plateau(Plateau { factor: 1.0, ..Plateau::default() }), "invalid factor: must be in (0, 1), got 1");
    assert_eq!(plateau(Plateau { factor: 0.0, ..Plateau::default() }), "invalid factor: must be in (0, 1), got 0");
    assert!(plateau(Plateau { threshold: -1.0, ..Plateau::default() }).starts_with("invalid threshold"));
    assert!(
        plateau(Plateau { min_learning_rate: f64::NAN, ..Plateau::default() }).starts_with("invalid min_learning_rate")
    );
    assert!(Scheduler::new(Schedule::Constant, 0.0).unwrap_err().to_string().starts_with("invalid learning_rate"));
}
