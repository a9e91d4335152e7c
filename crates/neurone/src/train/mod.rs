//! The training loop: epochs of shuffled minibatches, validation, early stopping, and the
//! history of losses.

mod batches;
mod early_stopping;
mod history;
mod metric;
mod regularisation;
mod solver;

pub use batches::Batches;
pub use early_stopping::{EarlyStopping, Monitor};
pub use history::{EpochRecord, History};
pub use metric::Metric;
pub use regularisation::{Clipping, Penalty};
pub use solver::{EpochOutcome, Minibatch, Solver, StepSettings};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::optim::{Lbfgs, PlateauMode, Schedule, Scheduler};
use crate::{Dataset, Error, Network, Optimizer, Rng, Scalar};

/// Trains a network by minibatch gradient descent.
///
/// Each epoch visits every training sample once, in a fresh random order (unless shuffling is
/// off), in batches of `batch_size`; the last batch holds what remains (it is used, not
/// dropped). `batch_size = 1` is online learning, a batch size of at least the number of
/// samples is full-batch gradient descent. Each step is: forward, backpropagation, weight
/// penalty, clipping, optimizer update.
///
/// ```
/// use neurone::{Activation, EarlyStopping, Monitor, Network, Sgd, Trainer, datasets, seeded_rng};
///
/// let mut rng = seeded_rng(42);
/// let train = datasets::sine(500, &mut rng);
/// let validation = datasets::sine(100, &mut rng);
/// let mut network: Network = Network::builder(1)
///     .dense(16, Activation::Tanh)
///     .dense(16, Activation::Tanh)
///     .dense(1, Activation::Identity)
///     .build(&mut rng)?;
/// let mut trainer = Trainer::new(Sgd::new(0.05)?)
///     .epochs(20)
///     .batch_size(16)
///     .early_stopping(EarlyStopping::new(Monitor::ValidationLoss).patience(5));
/// let history = trainer.fit(&mut network, &train, Some(&validation), &mut rng)?;
/// assert!(history.last().unwrap().train_loss < history.epochs[0].train_loss);
/// # Ok::<(), neurone::Error>(())
/// ```
pub struct Trainer<'a, S: Scalar> {
    solver: Box<dyn Solver<S> + 'a>,
    epochs: usize,
    batch_size: usize,
    shuffle: bool,
    penalty: Penalty,
    clipping: Option<Clipping>,
    metrics: Vec<Metric>,
    early_stopping: Option<EarlyStopping>,
    schedule: Option<Schedule>,
    stop: Option<Arc<AtomicBool>>,
    on_epoch: Option<EpochCallback<'a>>,
}

/// A function called after every epoch with its record.
type EpochCallback<'a> = Box<dyn FnMut(&EpochRecord) + 'a>;

impl<'a, S: Scalar> Trainer<'a, S> {
    /// A trainer using `optimizer` on minibatches, for 200 epochs (scikit-learn's `max_iter`) of
    /// batches of 32 samples (Keras' default), shuffled every epoch, without penalty or
    /// clipping.
    pub fn new(optimizer: impl Optimizer<S> + 'a) -> Self {
        Self::with_solver(Minibatch(optimizer))
    }

    /// A trainer doing one full-batch L-BFGS iteration per epoch (scikit-learn's default
    /// solver, best on small datasets such as Iris).
    pub fn lbfgs(lbfgs: Lbfgs) -> Self {
        Self::with_solver(lbfgs)
    }

    /// A trainer using any [`Solver`], with the defaults of [`Trainer::new`].
    pub fn with_solver(solver: impl Solver<S> + 'a) -> Self {
        Self {
            solver: Box::new(solver),
            epochs: 200,
            batch_size: 32,
            shuffle: true,
            penalty: Penalty::default(),
            clipping: None,
            metrics: Vec::new(),
            early_stopping: None,
            schedule: None,
            stop: None,
            on_epoch: None,
        }
    }

    /// Number of passes over the training data (the most, with early stopping).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Number of samples per gradient step.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Whether to visit the samples in a new random order each epoch (the default).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// L1 and L2 penalties on the weights.
    pub fn penalty(mut self, penalty: Penalty) -> Self {
        self.penalty = penalty;
        self
    }

    /// Gradient clipping before each update.
    pub fn clipping(mut self, clipping: Clipping) -> Self {
        self.clipping = Some(clipping);
        self
    }

    /// Metrics to measure on the validation set after every epoch.
    pub fn metrics(mut self, metrics: &[Metric]) -> Self {
        self.metrics = metrics.to_vec();
        self
    }

    /// Stops when the monitored quantity stops improving.
    pub fn early_stopping(mut self, early_stopping: EarlyStopping) -> Self {
        self.early_stopping = Some(early_stopping);
        self
    }

    /// Changes the learning rate from epoch to epoch. Reduce-on-plateau watches the same
    /// quantity as the best epoch (early stopping's monitor, else the validation loss, else the
    /// training loss).
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// Stops training cleanly after the current batch once `flag` is set (e.g. by a Ctrl-C
    /// handler): the partial epoch is recorded and the history says it was interrupted.
    pub fn stop_when(mut self, flag: Arc<AtomicBool>) -> Self {
        self.stop = Some(flag);
        self
    }

    /// Calls `callback` after every epoch with its record (e.g. to print progress).
    pub fn on_epoch(mut self, callback: impl FnMut(&EpochRecord) + 'a) -> Self {
        self.on_epoch = Some(Box::new(callback));
        self
    }

    /// The solver, with whatever state it has accumulated.
    pub fn solver(&self) -> &dyn Solver<S> {
        self.solver.as_ref()
    }

    /// Trains `network` on `train`, measuring the loss and metrics on `validation` after each
    /// epoch.
    ///
    /// Fails before any step if a setting or a shape is wrong. Stops with [`Error::Diverged`]
    /// as soon as the loss or a parameter becomes NaN or infinite, leaving `network` with the
    /// weights of the last good epoch. With early stopping and `restore_best_weights`, the
    /// network ends with the best epoch's weights.
    pub fn fit(
        &mut self,
        network: &mut Network<S>,
        train: &Dataset<S>,
        validation: Option<&Dataset<S>>,
        rng: &mut Rng,
    ) -> Result<History, Error> {
        self.validate(network, train, validation)?;
        let monitor = self.monitor(validation.is_some());
        let mut scheduler =
            self.schedule.map(|schedule| Scheduler::new(schedule, self.solver.learning_rate())).transpose()?;
        let mut batches = Batches::new(train, self.batch_size, self.shuffle);
        let start = Instant::now();
        let mut history = History::default();
        let mut last_good = network.clone();
        let mut best: Option<(f64, Network<S>)> = None;
        let mut epochs_without_improvement = 0;

        for epoch in 1..=self.epochs {
            if let Some(scheduler) = scheduler.as_mut() {
                let monitored = history.last().and_then(|record| monitor.value(record));
                self.solver.set_learning_rate(scheduler.learning_rate(epoch - 1, monitored)?);
            }
            let learning_rate = self.solver.learning_rate();
            let settings = StepSettings { penalty: self.penalty, clipping: self.clipping, stop: self.stop.as_deref() };
            if settings.stop.is_some_and(|stop| stop.load(Ordering::Relaxed)) {
                history.interrupted = true;
                break;
            }
            let outcome = self.solver.run_epoch(network, &mut batches, &settings, rng)?;

            let mut record = EpochRecord {
                epoch,
                train_loss: outcome.train_loss,
                penalty: self.penalty.value(network),
                validation_loss: None,
                validation_metrics: Vec::new(),
                learning_rate,
                elapsed_seconds: 0.0,
            };
            if let Some(data) = validation.filter(|_| record.train_loss.is_finite()) {
                let (loss, predictions) = network.evaluate_and_predict(data.inputs(), data.targets())?;
                record.validation_loss = Some(loss);
                for &metric in &self.metrics {
                    record.validation_metrics.push((metric, metric.measure(&predictions, data.targets())?));
                }
            }
            let measured = [Some(record.train_loss), Some(record.penalty), record.validation_loss];
            let bad_value = measured.into_iter().flatten().find(|v| !v.is_finite());
            if let Some(loss) = bad_value.or_else(|| (!network_is_finite(network)).then_some(f64::NAN)) {
                *network = last_good;
                return Err(Error::Diverged { epoch, loss });
            }
            record.elapsed_seconds = start.elapsed().as_secs_f64();
            if let Some(callback) = self.on_epoch.as_mut() {
                callback(&record);
            }

            let value = monitor.value(&record).expect("the monitored quantity is measured every epoch");
            let improved = best.as_ref().is_none_or(|(best_value, _)| {
                let min_delta = self.early_stopping.as_ref().map_or(0.0, |stopping| stopping.min_delta);
                monitor.improves(value, *best_value, min_delta)
            });
            history.epochs.push(record);
            if improved {
                history.best_epoch = Some(epoch);
                best = Some((value, network.clone()));
                epochs_without_improvement = 0;
            } else {
                epochs_without_improvement += 1;
            }
            last_good.clone_from(network);
            if outcome.converged || outcome.interrupted {
                (history.converged, history.interrupted) = (outcome.converged, outcome.interrupted);
                break;
            }
            if let Some(stopping) = &self.early_stopping {
                if epochs_without_improvement >= stopping.patience && epoch < self.epochs {
                    history.stopped_early = true;
                    break;
                }
            }
        }
        if let (Some(stopping), Some((_, best_network))) = (&self.early_stopping, best) {
            if stopping.restore_best_weights {
                *network = best_network;
            }
        }
        Ok(history)
    }

    /// What decides the best epoch (and what reduce-on-plateau watches): early stopping's
    /// monitor, else the validation loss if there is a validation set, else the training loss.
    pub fn monitor(&self, has_validation: bool) -> Monitor {
        match &self.early_stopping {
            Some(stopping) => stopping.monitor,
            None if has_validation => Monitor::ValidationLoss,
            None => Monitor::TrainLoss,
        }
    }

    /// Checks the settings against the network and data without training; [`Trainer::fit`]
    /// starts with the same checks.
    pub fn validate(
        &self,
        network: &Network<S>,
        train: &Dataset<S>,
        validation: Option<&Dataset<S>>,
    ) -> Result<(), Error> {
        if self.epochs == 0 {
            return Err(Error::invalid("epochs", "must be at least 1"));
        }
        if self.batch_size == 0 {
            return Err(Error::invalid("batch_size", "must be at least 1"));
        }
        self.penalty.check()?;
        if let Some(clipping) = &self.clipping {
            clipping.check()?;
        }
        if train.is_empty() {
            return Err(Error::invalid("training data", "has no samples"));
        }
        for (name, data) in [("training", Some(train)), ("validation", validation)] {
            let Some(data) = data else { continue };
            let (inputs, targets) = (data.inputs().cols(), data.targets().cols());
            if inputs != network.inputs() || targets != network.outputs() {
                return Err(Error::Shape(format!(
                    "the {name} data has {inputs} input and {targets} target columns, the network takes {} and gives {}",
                    network.inputs(),
                    network.outputs()
                )));
            }
        }
        if validation.is_some_and(Dataset::is_empty) {
            return Err(Error::invalid("validation data", "has no samples"));
        }
        if !self.solver.has_learning_rate() {
            if self.schedule.is_some() {
                return Err(Error::invalid(
                    "schedule",
                    "L-BFGS has no learning rate to schedule: its line search picks each step",
                ));
            }
            if self.clipping.is_some() {
                return Err(Error::invalid("clipping", "does not apply to L-BFGS, whose line search bounds each step"));
            }
        }
        if let Some(schedule) = &self.schedule {
            schedule.validate()?;
            if let Schedule::ReduceOnPlateau(plateau) = schedule {
                let monitor = self.monitor(validation.is_some());
                if (plateau.mode == PlateauMode::Maximise) != monitor.maximises() {
                    let (direction, watched) =
                        if monitor.maximises() { ("maximised", "minimise") } else { ("minimised", "maximise") };
                    return Err(Error::invalid(
                        "schedule",
                        format!("reduce-on-plateau is set to {watched} but {monitor} is {direction}"),
                    ));
                }
            }
        }
        if let Some(stopping) = &self.early_stopping {
            stopping.check()?;
            let needs_validation = !matches!(stopping.monitor, Monitor::TrainLoss);
            if needs_validation && validation.is_none() {
                return Err(Error::invalid(
                    "early_stopping",
                    format!("monitors {} but there is no validation set", stopping.monitor),
                ));
            }
            if let Monitor::Validation(metric) = stopping.monitor {
                if !self.metrics.contains(&metric) {
                    return Err(Error::invalid(
                        "early_stopping",
                        format!("monitors val_{metric}, which is not among the metrics measured"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// True when every parameter is a finite number.
fn network_is_finite<S: Scalar>(network: &mut Network<S>) -> bool {
    let mut finite = true;
    network.visit_parameters(|_, parameter| finite &= parameter.value.iter().all(|v| v.is_finite()));
    finite
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Matrix, Sgd, datasets, seeded_rng};

    fn network(seed: u64) -> Network<f64> {
        Network::builder(1)
            .dense(8, Activation::Tanh)
            .dense(1, Activation::Identity)
            .build(&mut seeded_rng(seed))
            .unwrap()
    }

    fn train(seed: u64, batch_size: usize, epochs: usize) -> (Network<f64>, History) {
        let mut rng = seeded_rng(seed);
        let data = datasets::sine(50, &mut rng);
        let mut network = network(seed);
        let mut trainer = Trainer::new(Sgd::new(0.05).unwrap()).epochs(epochs).batch_size(batch_size);
        let history = trainer.fit(&mut network, &data, Some(&data), &mut rng).unwrap();
        (network, history)
    }

    /// Every parameter's bits, in order.
    fn weights(network: &Network<f64>) -> Vec<u64> {
        let mut bits = Vec::new();
        network.clone().visit_tensors(|_, tensor| bits.extend(tensor.value.iter().map(|w| w.to_bits())));
        bits
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
        let mut trainer = Trainer::new(Sgd::new(0.1).unwrap()).epochs(1).batch_size(10);
        trainer.fit(&mut by_trainer, &data, None, &mut rng).unwrap();
        // The same step written out: W ← W − η ∂J/∂W over the (reordered, same) whole batch.
        by_hand.compute_gradients(data.inputs(), data.targets()).unwrap();
        by_hand.update(&mut Sgd::new(0.1).unwrap());
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
        let mut trainer = Trainer::new(Sgd::new(0.1).unwrap()).epochs(2).batch_size(20);
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
        let mut trainer = Trainer::new(Sgd::new(0.05).unwrap()).epochs(20).batch_size(8).shuffle(false);
        let history = trainer.fit(&mut network, &data, None, &mut rng).unwrap();
        assert!(history.last().unwrap().train_loss < history.epochs[0].train_loss);
    }

    #[test]
    fn divergence_is_an_error_naming_the_epoch() {
        let mut rng = seeded_rng(5);
        let x = Matrix::column(&[1e3, -1e3, 5e2]);
        let data = Dataset::new(x.clone(), x).unwrap();
        let mut network = network(5);
        let mut trainer = Trainer::new(Sgd::new(1e6).unwrap()).epochs(50).batch_size(3);
        let error = trainer.fit(&mut network, &data, None, &mut rng).unwrap_err();
        assert!(matches!(error, Error::Diverged { .. }), "{error}");
        assert!(error.to_string().contains("try a smaller learning rate"), "{error}");
    }

    #[test]
    fn bad_settings_and_shapes_are_errors() {
        let mut rng = seeded_rng(6);
        let data = datasets::sine::<f64>(10, &mut rng);
        let mut net = network(6);
        let error = Trainer::new(Sgd::new(0.1).unwrap()).epochs(0).fit(&mut net, &data, None, &mut rng).unwrap_err();
        assert_eq!(error.to_string(), "invalid epochs: must be at least 1");
        let error =
            Trainer::new(Sgd::new(0.1).unwrap()).batch_size(0).fit(&mut net, &data, None, &mut rng).unwrap_err();
        assert_eq!(error.to_string(), "invalid batch_size: must be at least 1");
        let wide = Dataset::new(Matrix::zeros(4, 2), Matrix::zeros(4, 1)).unwrap();
        let error = Trainer::new(Sgd::new(0.1).unwrap()).fit(&mut net, &wide, None, &mut rng).unwrap_err();
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
            let mut trainer = Trainer::new(Sgd::new(0.05).unwrap()).epochs(epochs).batch_size(10);
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
            Trainer::new(Sgd::new(0.1).unwrap()).early_stopping(EarlyStopping::new(Monitor::ValidationLoss));
        let error = trainer.fit(&mut net, &data, None, &mut rng).unwrap_err();
        assert!(error.to_string().contains("monitors val_loss but there is no validation set"), "{error}");
        let mut trainer =
            Trainer::new(Sgd::new(0.1).unwrap()).early_stopping(EarlyStopping::new(Monitor::Validation(Metric::R2)));
        let error = trainer.fit(&mut net, &data, Some(&data), &mut rng).unwrap_err();
        assert!(error.to_string().contains("not among the metrics measured"), "{error}");
    }

    #[test]
    fn validation_metrics_are_recorded_every_epoch() {
        let mut rng = seeded_rng(12);
        let data = datasets::sine::<f64>(40, &mut rng);
        let mut net = network(12);
        let mut trainer = Trainer::new(Sgd::new(0.05).unwrap()).epochs(5).metrics(&[Metric::R2, Metric::Mae]);
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
        let mut trainer =
            Trainer::new(Sgd::new(learning_rate).unwrap()).epochs(1).batch_size(10).penalty(Penalty { l1: 0.0, l2 });
        let history = trainer.fit(&mut by_trainer, &data, None, &mut rng).unwrap();
        // By hand: W ← W − η (∂J/∂W + λ W) for weights, b ← b − η ∂J/∂b for biases.
        by_hand.compute_gradients(data.inputs(), data.targets()).unwrap();
        let mut penalty = 0.0;
        by_hand.visit_tensors(|_, tensor| {
            let decay = if tensor.name == "weight" { l2 } else { 0.0 };
            for (w, g) in tensor.value.iter_mut().zip(tensor.gradient) {
                *w -= learning_rate * (g + decay * *w);
            }
            penalty += tensor.value.iter().map(|w| 0.5 * decay * w * w).sum::<f64>();
        });
        for (a, b) in weights(&by_trainer).iter().zip(weights(&by_hand)) {
            assert!((f64::from_bits(*a) - f64::from_bits(b)).abs() < 1e-12);
        }
        assert!((history.epochs[0].penalty - penalty).abs() < 1e-12);
    }

    #[test]
    fn gradients_are_clipped_by_global_norm_and_by_value() {
        let mut rng = seeded_rng(14);
        let data = datasets::sine::<f64>(10, &mut rng);
        let gradient_norm_and_max = |network: &mut Network<f64>| {
            let (mut squares, mut max) = (0.0, 0.0f64);
            network.visit_tensors(|_, tensor| {
                squares += tensor.gradient.iter().map(|g| g * g).sum::<f64>();
                max = tensor.gradient.iter().fold(max, |m, g| m.max(g.abs()));
            });
            (squares.sqrt(), max)
        };
        let mut net = network(14);
        net.compute_gradients(data.inputs(), data.targets()).unwrap();
        let (norm, max) = gradient_norm_and_max(&mut net);
        let mut by_norm = net.clone();
        Clipping::Norm(norm / 4.0).apply(&mut by_norm);
        assert!((gradient_norm_and_max(&mut by_norm).0 - norm / 4.0).abs() < 1e-12);
        let mut by_value = net.clone();
        Clipping::Value(max / 2.0).apply(&mut by_value);
        assert_eq!(gradient_norm_and_max(&mut by_value).1, max / 2.0);
        let mut untouched = net.clone();
        Clipping::Norm(norm * 2.0).apply(&mut untouched);
        assert_eq!(gradient_norm_and_max(&mut untouched).0, norm);
    }

    #[test]
    fn divergence_keeps_the_last_good_weights() {
        let x = Matrix::column(&[1e3, -1e3, 5e2]);
        let data = Dataset::new(x.clone(), x.clone()).unwrap();
        let train = |epochs: usize| {
            let mut network = network(15);
            let mut trainer = Trainer::new(Sgd::new(1e3).unwrap()).epochs(epochs).batch_size(2);
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
            Trainer::new(Sgd::new(0.1).unwrap()).epochs(7).schedule(Schedule::Step { step_size: 3, gamma: 0.5 });
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
        let mut trainer = Trainer::new(Sgd::new(1e-6).unwrap())
            .epochs(10)
            .batch_size(20)
            .schedule(Schedule::ReduceOnPlateau(plateau));
        let history = trainer.fit(&mut network(17), &data, None, &mut rng).unwrap();
        let rates: Vec<f64> = history.epochs.iter().map(|r| r.learning_rate * 1e6).collect();
        assert_eq!(rates[..4], [1.0, 1.0, 1.0, 1.0], "{rates:?}");
        assert!(rates[9] < 0.3, "η was reduced at least twice: {rates:?}");
        let validation = data.clone();
        // Watching accuracy (maximised) with a plateau set to minimise is a contradiction.
        let mut trainer = Trainer::new(Sgd::new(0.01).unwrap())
            .metrics(&[Metric::Accuracy])
            .early_stopping(EarlyStopping::new(Monitor::Validation(Metric::Accuracy)))
            .schedule(Schedule::ReduceOnPlateau(plateau));
        let error = trainer.fit(&mut network(17), &data, Some(&validation), &mut rng).unwrap_err();
        assert!(error.to_string().contains("set to minimise but val_accuracy is maximised"), "{error}");
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
        assert!(trainer.solver().state().step > 0 || history.epochs.len() > 1);
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
        assert!((last.penalty - penalty.value(&mut net)).abs() < 1e-12);
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
            Trainer::new(Sgd::new(0.05).unwrap()).epochs(100).batch_size(8).stop_when(stop).on_epoch(move |record| {
                if record.epoch == 3 {
                    flag.store(true, Ordering::Relaxed);
                }
            });
        let mut net = network(20);
        let history = trainer.fit(&mut net, &data, Some(&data), &mut rng).unwrap();
        assert!(history.interrupted);
        assert_eq!(history.epochs.len(), 3, "stopped before epoch 4 began");
        assert!(weights(&net).iter().all(|w| f64::from_bits(*w).is_finite()));
    }
}
