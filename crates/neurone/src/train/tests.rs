//! Tests of the training loop.

use std::sync::atomic::Ordering;

use super::*;
use crate::layer::ParameterMut;
use crate::optim::{PlateauMode, Step};
use crate::{Activation, AdamW, Matrix, Sgd, datasets, seeded_rng};

fn network(seed: u64) -> Network<f64> {
    Network::builder(1).dense(8, Activation::Tanh).dense(1, Activation::Identity).build(&mut seeded_rng(seed)).unwrap()
}

fn train(seed: u64, batch_size: usize, epochs: usize) -> (Network<f64>, History) {
    let mut rng = seeded_rng(seed);
    let data = datasets::sine(50, &mut rng);
    let mut network = network(seed);
    let mut trainer = Trainer::new(Sgd::default()).learning_rate(0.05).epochs(epochs).batch_size(batch_size);
    let history = trainer.fit(&mut network, &data, Some(&data), &mut rng).unwrap();
    (network, history)
}

/// Every parameter's bits, in order.
fn weights(network: &Network<f64>) -> Vec<u64> {
    network.parameters().flat_map(|(_, parameter)| parameter.value).map(|w| w.to_bits()).collect()
}

#[test]
fn online_minibatch_and_full_batch_all_reduce_the_loss() {
    for batch_size in [1, 7, 50, 1000] {
        let (_, history) = train(1, batch_size, 30);
        let (first, last) = (&history.epochs[0], history.last().unwrap());
        assert_eq!(history.epochs.len(), 30);
        assert!(last.train_loss < first.train_loss, "batch {batch_size}: {first:?} → {last:?}");
        assert!(last.validation_loss.unwrap() < first.validation_loss.unwrap());
    }
}

#[test]
fn one_full_batch_step_is_one_gradient_descent_step() {
    let mut rng = seeded_rng(2);
    let data = datasets::sine::<f64>(10, &mut rng);
    let mut by_trainer = network(2);
    let mut by_hand = by_trainer.clone();
    let mut trainer = Trainer::new(Sgd::default()).learning_rate(0.1).epochs(1).batch_size(10);
    trainer.fit(&mut by_trainer, &data, None, &mut rng).unwrap();
    // The same step written out: W ← W − η ∂J/∂W over the (reordered, same) whole batch.
    by_hand.compute_gradients(data.inputs(), data.targets()).unwrap();
    by_hand.update(&mut Sgd::default(), Step { number: 1, learning_rate: 0.1 });
    for (a, b) in weights(&by_trainer).iter().zip(weights(&by_hand)) {
        let (a, b) = (f64::from_bits(*a), f64::from_bits(b));
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
}

#[test]
fn the_last_partial_batch_is_used() {
    // 50 samples in batches of 20: steps on 20, 20 and 10 samples, three per epoch.
    let mut rng = seeded_rng(3);
    let data = datasets::sine(50, &mut rng);
    let mut trainer = Trainer::new(Sgd::default()).learning_rate(0.1).epochs(2).batch_size(20);
    trainer.fit(&mut network(3), &data, None, &mut rng).unwrap();
    assert_eq!(trainer.solver().state().step, 6);
}

#[test]
fn same_seed_gives_identical_bits_and_another_seed_does_not() {
    let (a, history_a) = train(7, 16, 5);
    let (b, history_b) = train(7, 16, 5);
    let (c, _) = train(8, 16, 5);
    assert_eq!(weights(&a), weights(&b));
    let losses = |h: &History| h.epochs.iter().map(|r| r.train_loss.to_bits()).collect::<Vec<_>>();
    assert_eq!(losses(&history_a), losses(&history_b));
    assert_ne!(weights(&a), weights(&c));
}

#[test]
fn unshuffled_training_is_deterministic_and_learns() {
    let mut rng = seeded_rng(4);
    let data = datasets::sine(40, &mut rng);
    let mut network = network(4);
    let mut trainer = Trainer::new(Sgd::default()).learning_rate(0.05).epochs(20).batch_size(8).shuffle(false);
    let history = trainer.fit(&mut network, &data, None, &mut rng).unwrap();
    assert!(history.last().unwrap().train_loss < history.epochs[0].train_loss);
}

#[test]
fn divergence_is_an_error_naming_the_epoch() {
    let x = Matrix::column(&[3.0, -3.0, 1.5]);
    let data = Dataset::new(x.clone(), x).unwrap();
    let train = |epochs| {
        let mut trainer = Trainer::new(Sgd::default()).learning_rate(0.8).epochs(epochs).batch_size(3);
        trainer.fit(&mut network(5), &data, None, &mut seeded_rng(5))
    };
    // The loss grows about thirtyfold an epoch, and overflows after some two hundred.
    let error = train(1000).unwrap_err();
    let Error::Diverged { epoch, .. } = error else { panic!("expected divergence, got {error}") };
    assert!(error.to_string().contains(&format!("diverged at epoch {epoch}:")), "{error}");
    assert!(error.to_string().contains("try a smaller learning rate"), "{error}");
    // The epoch named is the first that diverges: training one epoch fewer succeeds.
    assert!(epoch > 1, "diverged at once, so the epoch before cannot be checked");
    assert!(train(epoch - 1).is_ok(), "{epoch} epochs named, but {} already fail", epoch - 1);
    assert!(matches!(train(epoch), Err(Error::Diverged { epoch: again, .. }) if again == epoch));
}

#[test]
fn a_divergence_ends_training_with_early_stoppings_best_weights() {
    let x = Matrix::column(&[3.0, -3.0, 1.5]);
    let data = Dataset::new(x.clone(), x).unwrap();
    let train = |restore_best_weights, epochs| {
        // Patience enough that only the divergence ends the training.
        let stopping =
            EarlyStopping::new(Monitor::TrainLoss).patience(10_000).restore_best_weights(restore_best_weights);
        let mut trainer =
            Trainer::new(Sgd::default()).learning_rate(0.8).epochs(epochs).batch_size(3).early_stopping(stopping);
        let mut network = network(5);
        let result = trainer.fit(&mut network, &data, None, &mut seeded_rng(5));
        (network, result)
    };
    // Without the best weights to end with, a divergence is an error.
    let Err(Error::Diverged { epoch, .. }) = train(false, 1000).1 else { panic!("expected divergence") };
    let (network, history) = train(true, 1000);
    let history = history.unwrap();
    assert_eq!(history.diverged_at, Some(epoch));
    assert_eq!(history.epochs.len(), epoch - 1, "the diverged epoch has no record");
    assert!(history.epochs.iter().all(|record| record.train_loss.is_finite()) && !history.stopped_early);
    // The network holds the best epoch's weights: those of a training that ends there.
    let best = history.best_epoch.unwrap();
    assert_eq!(weights(&network), weights(&train(false, best).0), "best epoch {best}");
}

#[test]
fn bad_settings_and_shapes_are_errors() {
    let mut rng = seeded_rng(6);
    let data = datasets::sine::<f64>(10, &mut rng);
    let mut net = network(6);
    let error =
        Trainer::new(Sgd::default()).learning_rate(0.1).epochs(0).fit(&mut net, &data, None, &mut rng).unwrap_err();
    assert_eq!(error.to_string(), "invalid epochs: must be at least 1, got 0");
    let error =
        Trainer::new(Sgd::default()).learning_rate(0.1).batch_size(0).fit(&mut net, &data, None, &mut rng).unwrap_err();
    assert_eq!(error.to_string(), "invalid batch_size: must be at least 1, got 0");
    let wide = Dataset::new(Matrix::zeros(4, 2), Matrix::zeros(4, 1)).unwrap();
    let error = Trainer::new(Sgd::default()).learning_rate(0.1).fit(&mut net, &wide, None, &mut rng).unwrap_err();
    assert!(error.to_string().contains("training data has 2 input and 1 target columns"), "{error}");
}

#[test]
fn early_stopping_restores_the_best_epochs_weights_exactly() {
    // Validation targets of the opposite sign: the better the fit of sin x, the worse the
    // validation loss, so it is best early and training stops after `patience` more epochs.
    let mut rng = seeded_rng(9);
    let data = datasets::sine::<f64>(50, &mut rng);
    let flipped = Matrix::new(50, 1, data.targets().as_slice().iter().map(|y| -y).collect()).unwrap();
    let validation = Dataset::new(data.inputs().clone(), flipped).unwrap();
    let run = |epochs: usize, stopping: Option<EarlyStopping>| {
        let mut rng = seeded_rng(10);
        let mut network = network(10);
        let mut trainer = Trainer::new(Sgd::default()).learning_rate(0.05).epochs(epochs).batch_size(10);
        if let Some(stopping) = stopping {
            trainer = trainer.early_stopping(stopping);
        }
        let history = trainer.fit(&mut network, &data, Some(&validation), &mut rng).unwrap();
        (network, history)
    };
    let (stopped, history) = run(100, Some(EarlyStopping::new(Monitor::ValidationLoss).patience(3)));
    let best = history.best_epoch.unwrap();
    assert!(history.stopped_early, "{history:?}");
    assert_eq!(history.epochs.len(), best + 3, "stops `patience` epochs after the best");
    let best_loss = history.best().unwrap().validation_loss.unwrap();
    assert!(history.epochs.iter().all(|r| r.validation_loss.unwrap() >= best_loss));
    // The same seed trained for exactly `best` epochs gives the weights that were restored.
    let (at_best, _) = run(best, None);
    assert_eq!(weights(&stopped), weights(&at_best));
    assert_eq!(stopped.evaluate(validation.inputs(), validation.targets()).unwrap(), best_loss);
}

#[test]
fn early_stopping_needs_what_it_monitors() {
    let mut rng = seeded_rng(11);
    let data = datasets::sine::<f64>(10, &mut rng);
    let mut net = network(11);
    let mut trainer =
        Trainer::new(Sgd::default()).learning_rate(0.1).early_stopping(EarlyStopping::new(Monitor::ValidationLoss));
    let error = trainer.fit(&mut net, &data, None, &mut rng).unwrap_err();
    assert!(error.to_string().contains("monitors val_loss but there is no validation set"), "{error}");
    let mut trainer = Trainer::new(Sgd::default())
        .learning_rate(0.1)
        .early_stopping(EarlyStopping::new(Monitor::Validation(Metric::R2)));
    let error = trainer.fit(&mut net, &data, Some(&data), &mut rng).unwrap_err();
    assert!(error.to_string().contains("not among the metrics measured"), "{error}");
}

#[test]
fn validation_metrics_are_recorded_every_epoch() {
    let mut rng = seeded_rng(12);
    let data = datasets::sine::<f64>(40, &mut rng);
    let mut net = network(12);
    let mut trainer = Trainer::new(Sgd::default()).learning_rate(0.05).epochs(5).metrics(&[Metric::R2, Metric::Mae]);
    let history = trainer.fit(&mut net, &data, Some(&data), &mut rng).unwrap();
    let last = history.last().unwrap();
    let predictions = net.predict(data.inputs()).unwrap();
    let expected = crate::metrics::regression_metrics(&predictions, data.targets()).unwrap();
    assert_eq!(last.validation_metric(Metric::R2), Some(expected.r2));
    assert_eq!(last.validation_metric(Metric::Mae), Some(expected.mae));
    assert_eq!(last.validation_metric(Metric::Accuracy), None);
}

#[test]
fn an_l2_step_adds_lambda_w_to_the_gradient() {
    let mut rng = seeded_rng(13);
    let data = datasets::sine::<f64>(10, &mut rng);
    let mut by_trainer = network(13);
    let mut by_hand = by_trainer.clone();
    let (learning_rate, l2) = (0.1, 0.5);
    let mut trainer = Trainer::new(Sgd::default())
        .learning_rate(learning_rate)
        .epochs(1)
        .batch_size(10)
        .penalty(Penalty { l1: 0.0, l2 });
    let history = trainer.fit(&mut by_trainer, &data, None, &mut rng).unwrap();
    // By hand: W ← W − η (∂J/∂W + λ W) for weights, b ← b − η ∂J/∂b for biases.
    by_hand.compute_gradients(data.inputs(), data.targets()).unwrap();
    let mut penalty = 0.0;
    for (_, parameter) in by_hand.parameters_mut() {
        let decay = if parameter.name == "weight" { l2 } else { 0.0 };
        for (w, g) in parameter.value.iter_mut().zip(&*parameter.gradient) {
            *w -= learning_rate * (g + decay * *w);
        }
        penalty += parameter.value.iter().map(|w| 0.5 * decay * w * w).sum::<f64>();
    }
    for (a, b) in weights(&by_trainer).iter().zip(weights(&by_hand)) {
        assert!((f64::from_bits(*a) - f64::from_bits(b)).abs() < 1e-12);
    }
    assert!((history.epochs[0].penalty - penalty).abs() < 1e-12);
}

#[test]
fn gradients_are_clipped_by_global_norm_and_by_value() {
    let mut rng = seeded_rng(14);
    let data = datasets::sine::<f64>(10, &mut rng);
    let gradient_norm_and_max = |network: &Network<f64>| {
        let (mut squares, mut max) = (0.0, 0.0f64);
        for (_, parameter) in network.parameters() {
            squares += parameter.gradient.iter().map(|g| g * g).sum::<f64>();
            max = parameter.gradient.iter().fold(max, |m, g| m.max(g.abs()));
        }
        (squares.sqrt(), max)
    };
    let mut net = network(14);
    net.compute_gradients(data.inputs(), data.targets()).unwrap();
    let (norm, max) = gradient_norm_and_max(&net);
    let mut by_norm = net.clone();
    Clipping::Norm(norm / 4.0).apply(&mut by_norm);
    assert!((gradient_norm_and_max(&by_norm).0 - norm / 4.0).abs() < 1e-12);
    let mut by_value = net.clone();
    Clipping::Value(max / 2.0).apply(&mut by_value);
    assert_eq!(gradient_norm_and_max(&by_value).1, max / 2.0);
    let mut untouched = net.clone();
    Clipping::Norm(norm * 2.0).apply(&mut untouched);
    assert_eq!(gradient_norm_and_max(&untouched).0, norm);
}

#[test]
fn divergence_keeps_the_last_good_weights() {
    let x = Matrix::column(&[1e3, -1e3, 5e2]);
    let data = Dataset::new(x.clone(), x.clone()).unwrap();
    let train = |epochs: usize| {
        let mut network = network(15);
        let mut trainer = Trainer::new(Sgd::default()).learning_rate(1e3).epochs(epochs).batch_size(2);
        let result = trainer.fit(&mut network, &data, None, &mut seeded_rng(15));
        (network, result)
    };
    let (kept, result) = train(50);
    let Err(Error::Diverged { epoch, .. }) = result else { panic!("expected divergence, got {result:?}") };
    assert!(weights(&kept).iter().all(|w| f64::from_bits(*w).is_finite()));
    assert!(kept.predict(&x).unwrap().as_slice().iter().all(|v| v.is_finite()));
    // The kept weights are exactly those at the end of the epoch before the divergence.
    let expected = if epoch == 1 { network(15) } else { train(epoch - 1).0 };
    assert_eq!(weights(&kept), weights(&expected), "diverged in epoch {epoch}");
}

#[test]
fn a_step_schedule_sets_the_learning_rate_of_each_epoch() {
    let mut rng = seeded_rng(16);
    let data = datasets::sine::<f64>(20, &mut rng);
    let mut trainer =
        Trainer::new(Sgd::default()).learning_rate(0.1).epochs(7).schedule(Schedule::Step { step_size: 3, gamma: 0.5 });
    let history = trainer.fit(&mut network(16), &data, None, &mut rng).unwrap();
    let rates: Vec<f64> = history.epochs.iter().map(|r| r.learning_rate).collect();
    assert_eq!(rates, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]);
}

#[test]
fn reduce_on_plateau_watches_the_monitored_quantity_in_its_direction() {
    let mut rng = seeded_rng(17);
    let data = datasets::sine::<f64>(20, &mut rng);
    // A learning rate so small that the (full-batch) training loss cannot improve by the
    // relative threshold: after `patience` such epochs η is halved, and again, and again.
    let plateau = crate::optim::Plateau { patience: 2, factor: 0.5, ..Default::default() };
    let mut trainer = Trainer::new(Sgd::default())
        .learning_rate(1e-6)
        .epochs(10)
        .batch_size(20)
        .schedule(Schedule::ReduceOnPlateau(plateau));
    let history = trainer.fit(&mut network(17), &data, None, &mut rng).unwrap();
    let rates: Vec<f64> = history.epochs.iter().map(|r| r.learning_rate * 1e6).collect();
    assert_eq!(rates[..4], [1.0, 1.0, 1.0, 1.0], "{rates:?}");
    assert!(rates[9] < 0.3, "η was reduced at least twice: {rates:?}");
    // The trainer gives the plateau the direction of the quantity it watches.
    let watched = |maximise| match Schedule::ReduceOnPlateau(plateau).for_training(10, maximise) {
        Schedule::ReduceOnPlateau(plateau) => plateau.mode,
        other => panic!("{other:?}"),
    };
    assert_eq!((watched(false), watched(true)), (PlateauMode::Minimise, PlateauMode::Maximise));
}

#[test]
fn a_part_after_reduce_on_plateaus_stop_trains_its_epochs_at_the_rate_it_stopped_at() {
    // scikit-learn's partial_fit after its adaptive rate stopped: the stop is decided after an
    // epoch and ends the call it is decided in; the next call trains its epoch at that η.
    let mut rng = seeded_rng(17);
    let data = datasets::sine::<f64>(20, &mut rng);
    let plateau = crate::optim::Plateau {
        patience: 0,
        factor: 0.2,
        threshold: 10.0,
        absolute_threshold: true,
        stop_at_learning_rate: Some(1e-3),
        ..Default::default()
    };
    let mut trainer = Trainer::new(Sgd::default())
        .learning_rate(0.1)
        .epochs(100)
        .batch_size(20)
        .schedule(Schedule::ReduceOnPlateau(plateau));
    let mut network = network(17);
    let stopped = trainer.continue_for(&mut network, None, 100, &data, None, &mut rng).unwrap();
    // Epoch 1 sets the best, epochs 2 to 4 each divide η by 5 (to 8e-4), epoch 5 stops.
    assert_eq!((stopped.epoch, stopped.history.stopped_early), (5, true));
    let weights = network.layers()[0].as_dense().unwrap().weights().to_vec();
    let resumed = trainer.continue_for(&mut network, Some(stopped), 100, &data, None, &mut rng).unwrap();
    assert_eq!((resumed.epoch, resumed.history.stopped_early), (6, true), "one epoch, then the stop again");
    assert!((resumed.history.epochs[5].learning_rate - 8e-4).abs() < 1e-15);
    assert_ne!(network.layers()[0].as_dense().unwrap().weights(), &weights[..]);
}

#[test]
fn lbfgs_learns_xor_in_full_batch_iterations() {
    let data = datasets::xor::<f64>();
    let mut network: Network<f64> = Network::builder(2)
        .dense(4, Activation::Tanh)
        .dense(1, Activation::Sigmoid)
        .loss(crate::Loss::BinaryCrossEntropy)
        .build(&mut seeded_rng(18))
        .unwrap();
    let mut trainer = Trainer::lbfgs(Lbfgs::default()).epochs(200).metrics(&[Metric::Accuracy]);
    let history = trainer.fit(&mut network, &data, Some(&data), &mut seeded_rng(18)).unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.validation_metric(Metric::Accuracy), Some(1.0), "{last:?}");
    assert!(last.train_loss < 0.05, "{last:?}");
    assert_eq!(last.learning_rate, 1.0, "L-BFGS reports no learning rate of its own");
    // One iteration an epoch, each counted.
    assert_eq!(trainer.solver().state().step, history.epochs.len() as u64);
    assert!(history.epochs.len() > 1);
}

#[test]
fn lbfgs_minimises_the_penalised_objective_and_reports_the_data_loss() {
    let mut rng = seeded_rng(19);
    let data = datasets::sine::<f64>(30, &mut rng);
    let penalty = Penalty { l1: 0.0, l2: 1e-2 };
    let mut net = network(19);
    let mut trainer = Trainer::lbfgs(Lbfgs::default()).epochs(30).penalty(penalty);
    let history = trainer.fit(&mut net, &data, None, &mut rng).unwrap();
    let last = history.last().unwrap();
    assert!((last.train_loss - net.evaluate(data.inputs(), data.targets()).unwrap()).abs() < 1e-12);
    assert!((last.penalty - penalty.value(&net)).abs() < 1e-12);
    let objectives: Vec<f64> = history.epochs.iter().map(|r| r.train_loss + r.penalty).collect();
    assert!(objectives.windows(2).all(|w| w[1] <= w[0] + 1e-12), "the objective never rises: {objectives:?}");
    let error = Trainer::lbfgs(Lbfgs::default())
        .schedule(Schedule::Exponential { gamma: 0.9 })
        .fit(&mut net, &data, None, &mut rng)
        .unwrap_err();
    assert!(error.to_string().contains("L-BFGS has no learning rate to schedule"), "{error}");
}

#[test]
fn a_stop_request_ends_training_cleanly() {
    let mut rng = seeded_rng(20);
    let data = datasets::sine::<f64>(40, &mut rng);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let mut trainer =
        Trainer::new(Sgd::default()).learning_rate(0.05).epochs(100).batch_size(8).stop_when(stop).on_epoch(
            move |record| {
                if record.epoch == 3 {
                    flag.store(true, Ordering::Relaxed);
                }
            },
        );
    let mut net = network(20);
    let history = trainer.fit(&mut net, &data, Some(&data), &mut rng).unwrap();
    assert!(history.interrupted);
    assert_eq!(history.epochs.len(), 3, "stopped before epoch 4 began");
    assert!(weights(&net).iter().all(|w| f64::from_bits(*w).is_finite()));
}

/// Plain SGD that sets a stop flag as it begins its step number `stop_at` (1-based).
struct StopAtStep {
    sgd: Sgd<f64>,
    stop_at: u64,
    flag: Arc<AtomicBool>,
}

impl Optimizer<f64> for StopAtStep {
    fn name(&self) -> &'static str {
        "sgd"
    }
    fn default_learning_rate(&self) -> f64 {
        Optimizer::<f64>::default_learning_rate(&self.sgd)
    }
    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, f64>, step: Step) {
        if slot == 0 && step.number == self.stop_at {
            self.flag.store(true, Ordering::Relaxed);
        }
        self.sgd.update(slot, parameter, step);
    }
    fn buffers(&self) -> Vec<(String, Vec<f64>)> {
        self.sgd.buffers()
    }
    fn load_buffers(&mut self, buffers: &[(String, Vec<f64>)]) -> Result<(), Error> {
        self.sgd.load_buffers(buffers)
    }
}

#[test]
fn a_stop_request_mid_epoch_ends_it_after_the_current_batch() {
    let data = datasets::sine::<f64>(40, &mut seeded_rng(21));
    let stop = Arc::new(AtomicBool::new(false));
    let optimizer = StopAtStep { sgd: Sgd::default(), stop_at: 2, flag: Arc::clone(&stop) };
    let mut checkpoints = 0;
    let mut interrupted = network(21);
    let history = Trainer::new(optimizer)
        .learning_rate(0.05)
        .epochs(10)
        .batch_size(8)
        .shuffle(false)
        .stop_when(stop)
        .checkpoint_every(1, |_| {
            checkpoints += 1;
            Ok(())
        })
        .fit(&mut interrupted, &data, None, &mut seeded_rng(0))
        .unwrap();

    let (two_steps, reference) = first_two_batches_as_an_epoch(&data, 21);
    assert!(history.interrupted);
    assert_eq!(history.epochs.len(), 1, "the partial epoch is recorded");
    assert_eq!(history.epochs[0].train_loss.to_bits(), reference.epochs[0].train_loss.to_bits());
    assert_eq!(weights(&interrupted), weights(&two_steps), "exactly the two batches before the stop were stepped");
    assert_eq!(checkpoints, 0, "a partial epoch is not checkpointed");
}

#[test]
fn a_stop_function_is_asked_before_each_epoch_and_each_batch() {
    let data = datasets::sine::<f64>(40, &mut seeded_rng(22));
    // Asked before the first epoch, then before each of its batches: stop before the third.
    let asked = std::cell::Cell::new(0);
    let mut interrupted = network(22);
    let history = Trainer::new(Sgd::default())
        .learning_rate(0.05)
        .epochs(10)
        .batch_size(8)
        .shuffle(false)
        .stop_if(|| {
            asked.set(asked.get() + 1);
            asked.get() == 4
        })
        .fit(&mut interrupted, &data, None, &mut seeded_rng(0))
        .unwrap();
    let (two_steps, _) = first_two_batches_as_an_epoch(&data, 22);
    assert!(history.interrupted);
    assert_eq!(asked.get(), 4, "not asked again once it said stop");
    assert_eq!(weights(&interrupted), weights(&two_steps), "stopped after the second batch");
}

/// `network(seed)` trained by SGD for one epoch of the first two batches of 8 rows of `data`,
/// in order: what a stop after the second batch must leave.
fn first_two_batches_as_an_epoch(data: &Dataset<f64>, seed: u64) -> (Network<f64>, History) {
    let first_two_batches = data.subset(&(0..16).collect::<Vec<_>>()).unwrap();
    let mut two_steps = network(seed);
    let history = Trainer::new(Sgd::default())
        .learning_rate(0.05)
        .epochs(1)
        .batch_size(8)
        .shuffle(false)
        .fit(&mut two_steps, &first_two_batches, None, &mut seeded_rng(0))
        .unwrap();
    (two_steps, history)
}

/// A 2 → 6 → bn → 3 network, a batch of 8 rows, and its names of tensors: dense weights,
/// biases, batch norm's γ and β, each kind present.
fn network_with_batch_norm() -> (Network<f64>, Matrix<f64>, Matrix<f64>) {
    let network = Network::builder(2)
        .dense(6, Activation::Tanh)
        .batch_norm()
        .dense(3, Activation::Identity)
        .build(&mut seeded_rng(22))
        .unwrap();
    let x = Matrix::new(8, 2, (0..16).map(|i| (i as f64 * 0.9).sin() * 2.0).collect()).unwrap();
    let y = Matrix::new(8, 3, (0..24).map(|i| (i as f64 * 0.4).cos()).collect()).unwrap();
    (network, x, y)
}

#[test]
fn the_l1_and_l2_penalties_add_the_gradient_of_their_value() {
    // ∂/∂θ (J + l1 Σ|W| + ½ l2 Σ W²), by backpropagation plus `add_gradient`, against central
    // differences of J + `value`: checks the L1 term's sign and the L2 term's factor, and that
    // neither touches a bias or batch norm's γ and β.
    let (mut network, x, y) = network_with_batch_norm();
    let penalty = Penalty { l1: 0.03, l2: 0.2 };
    network.compute_gradients(&x, &y).unwrap();
    penalty.add_gradient(&mut network);
    let analytic: Vec<Vec<f64>> = network.parameters().map(|(_, parameter)| parameter.gradient.to_vec()).collect();
    let objective = |network: &mut Network<f64>| network.compute_gradients(&x, &y).unwrap() + penalty.value(network);
    let step = 1e-6;
    for (slot, gradient) in analytic.iter().enumerate() {
        for (index, &analytic) in gradient.iter().enumerate() {
            let at = |shift: f64| {
                let mut shifted = network.clone();
                shifted.parameters_mut().nth(slot).unwrap().1.value[index] += shift;
                objective(&mut shifted)
            };
            let numeric = (at(step) - at(-step)) / (2.0 * step);
            assert!((analytic - numeric).abs() < 1e-7, "tensor {slot} value {index}: {analytic} vs {numeric}");
        }
    }
    // Only dense weights are penalised: the value is l1 Σ|W| + ½ l2 Σ W² over them alone.
    let by_hand: f64 = network
        .parameters()
        .filter(|(layer, parameter)| parameter.name == "weight" && network.layers()[*layer].as_dense().is_some())
        .flat_map(|(_, parameter)| parameter.value)
        .map(|w| 0.03 * w.abs() + 0.5 * 0.2 * w * w)
        .sum();
    assert!((penalty.value(&network) - by_hand).abs() < 1e-12);
}

#[test]
fn biases_and_batch_norm_scales_and_shifts_are_never_penalised_or_decayed() {
    let (mut network, x, y) = network_with_batch_norm();
    // Batch norm's γ and β away from their initial 1 and 0, so that a decay would show.
    for (layer, parameter) in network.parameters_mut() {
        if layer == 1 {
            parameter.value.iter_mut().for_each(|v| *v += 0.5);
        }
    }
    let is_dense_weight = |network: &Network<f64>, layer: usize, name: &str| {
        name == "weight" && network.layers()[layer].as_dense().is_some()
    };
    network.compute_gradients(&x, &y).unwrap();
    let before: Vec<Vec<f64>> = network.parameters().map(|(_, parameter)| parameter.gradient.to_vec()).collect();
    let mut penalised = network.clone();
    Penalty { l1: 0.5, l2: 0.5 }.add_gradient(&mut penalised);
    for (slot, (layer, parameter)) in penalised.parameters().enumerate() {
        let changed = parameter.gradient != before[slot].as_slice();
        assert_eq!(changed, is_dense_weight(&network, layer, parameter.name), "layer {layer} {}", parameter.name);
    }

    // With zero gradients, AdamW's step is its decay alone: W ← (1 − ηλ) W for dense weights,
    // nothing for the rest.
    let mut decayed = network.clone();
    decayed.parameters_mut().for_each(|(_, parameter)| parameter.gradient.fill(0.0));
    decayed.update(&mut AdamW::default().weight_decay(0.1).unwrap(), Step { number: 1, learning_rate: 0.5 });
    for ((layer, parameter), (_, original)) in decayed.parameters().zip(network.parameters()) {
        let expected: Vec<f64> = if is_dense_weight(&network, layer, parameter.name) {
            original.value.iter().map(|w| (1.0 - 0.5 * 0.1) * w).collect()
        } else {
            original.value.to_vec()
        };
        assert_eq!(parameter.value, expected.as_slice(), "layer {layer} {}", parameter.name);
    }
}

/// Trains a 4 → 8 → 3 softmax classifier on iris, measuring validation accuracy on the same
/// flowers, with `stopping` if given.
fn iris_run(epochs: usize, stopping: Option<EarlyStopping>) -> (Network<f64>, History) {
    let data = datasets::iris::<f64>().dataset;
    let mut network = Network::builder(4)
        .dense(8, Activation::Tanh)
        .dense(3, Activation::Softmax)
        .loss(crate::Loss::CategoricalCrossEntropy)
        .build(&mut seeded_rng(23))
        .unwrap();
    let mut trainer =
        Trainer::new(Sgd::default()).learning_rate(0.01).epochs(epochs).batch_size(30).metrics(&[Metric::Accuracy]);
    if let Some(stopping) = stopping {
        trainer = trainer.early_stopping(stopping);
    }
    let history = trainer.fit(&mut network, &data, Some(&data), &mut seeded_rng(24)).unwrap();
    (network, history)
}

#[test]
fn early_stopping_on_a_maximised_metric_keeps_the_epoch_of_its_maximum() {
    let patience = 4;
    let stopping = EarlyStopping::new(Monitor::Validation(Metric::Accuracy)).patience(patience);
    let (stopped, history) = iris_run(300, Some(stopping));
    let accuracies: Vec<f64> =
        history.epochs.iter().map(|record| record.validation_metric(Metric::Accuracy).unwrap()).collect();
    let best_accuracy = accuracies.iter().copied().fold(f64::MIN, f64::max);
    // The first epoch reaching the maximum: a later tie is no improvement.
    let argmax = accuracies.iter().position(|&accuracy| accuracy == best_accuracy).unwrap() + 1;
    assert!(best_accuracy > accuracies[0], "accuracy must rise for the test to mean anything: {accuracies:?}");
    assert_eq!(history.best_epoch, Some(argmax), "{accuracies:?}");
    assert!(history.stopped_early, "{accuracies:?}");
    assert_eq!(history.epochs.len(), argmax + patience, "{accuracies:?}");
    assert_eq!(weights(&stopped), weights(&iris_run(argmax, None).0), "the best epoch's weights are restored");
}

#[test]
fn a_gain_smaller_than_min_delta_is_no_improvement() {
    let (patience, min_delta) = (3, 2e-3);
    let stopping = EarlyStopping::new(Monitor::ValidationLoss).patience(patience).min_delta(min_delta);
    let (_, history) = iris_run(300, Some(stopping));
    let losses: Vec<f64> = history.epochs.iter().map(|record| record.validation_loss.unwrap()).collect();
    // The rule replayed by hand: an epoch is the new best only if it beats the best by min_delta.
    let mut best = 0;
    for (index, &loss) in losses.iter().enumerate().skip(1) {
        if loss < losses[best] - min_delta {
            best = index;
        }
    }
    assert_eq!(history.best_epoch, Some(best + 1), "{losses:?}");
    assert!(history.stopped_early && losses.len() == best + 1 + patience, "{losses:?}");
    assert!(
        losses[best + 1..].iter().any(|&loss| loss < losses[best]),
        "some epoch after the best gained, by less than min_delta: {losses:?}"
    );
}

#[test]
fn without_restore_best_weights_training_ends_with_the_last_epochs_weights() {
    let stopping = EarlyStopping::new(Monitor::Validation(Metric::Accuracy)).patience(4).restore_best_weights(false);
    let (stopped, history) = iris_run(300, Some(stopping));
    assert!(history.stopped_early);
    let best = history.best_epoch.unwrap();
    assert!(history.epochs.len() > best);
    assert_eq!(weights(&stopped), weights(&iris_run(history.epochs.len(), None).0));
    assert_ne!(weights(&stopped), weights(&iris_run(best, None).0));
}

/// Plain SGD that, at its step number `poison_at`, makes the first weight NaN: the loss of
/// that step was finite, and if it is the last of its epoch, no batch sees the NaN before the
/// epoch's end.
struct PoisonAtStep {
    sgd: Sgd<f64>,
    poison_at: u64,
}

impl Optimizer<f64> for PoisonAtStep {
    fn name(&self) -> &'static str {
        "sgd"
    }
    fn default_learning_rate(&self) -> f64 {
        Optimizer::<f64>::default_learning_rate(&self.sgd)
    }
    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, f64>, step: Step) {
        if slot == 0 && step.number == self.poison_at {
            parameter.value[0] = f64::NAN;
        }
        self.sgd.update(slot, parameter, step);
    }
    fn buffers(&self) -> Vec<(String, Vec<f64>)> {
        self.sgd.buffers()
    }
    fn load_buffers(&mut self, buffers: &[(String, Vec<f64>)]) -> Result<(), Error> {
        self.sgd.load_buffers(buffers)
    }
}

#[test]
fn a_parameter_becoming_nan_is_divergence_even_while_the_loss_is_finite() {
    // 40 samples in batches of 8: five steps an epoch; step 10 ends epoch 2.
    let data = datasets::sine::<f64>(40, &mut seeded_rng(25));
    let trainer = |optimizer: PoisonAtStep, epochs| {
        Trainer::new(optimizer).learning_rate(0.05).epochs(epochs).batch_size(8).shuffle(false)
    };
    let mut poisoned = network(25);
    let mut history = Vec::new();
    let result = trainer(PoisonAtStep { sgd: Sgd::default(), poison_at: 10 }, 5)
        .on_epoch(|record| history.push(record.clone()))
        .fit(&mut poisoned, &data, None, &mut seeded_rng(0));
    let Err(Error::Diverged { epoch, loss }) = result else { panic!("expected divergence, got {result:?}") };
    assert_eq!(epoch, 2);
    assert!(loss.is_nan());
    assert_eq!(history.len(), 1, "epoch 2 is not recorded");
    assert!(history[0].train_loss.is_finite());
    // The network is left as it was after epoch 1.
    let mut one_epoch = network(25);
    trainer(PoisonAtStep { sgd: Sgd::default(), poison_at: 0 }, 1)
        .fit(&mut one_epoch, &data, None, &mut seeded_rng(0))
        .unwrap();
    assert_eq!(weights(&poisoned), weights(&one_epoch));
}
