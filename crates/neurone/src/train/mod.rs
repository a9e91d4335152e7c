//! The training loop: epochs of shuffled minibatches, validation, early stopping, and the
//! history of losses.

mod batches;
mod checkpoint;
mod early_stopping;
mod full_batch;
mod history;
mod jacobian;
mod regularisation;
mod solver;
mod training_loop;
mod validation_metric;

pub use batches::{Batch, Batches};
pub use checkpoint::Checkpoint;
pub use early_stopping::{EarlyStopping, Monitor};
pub use history::{EpochRecord, History};
pub use regularisation::{Clipping, Penalty};
pub use solver::{EpochOutcome, Minibatch, Solver, StepSettings};
pub use validation_metric::Metric;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::check::{check_at_least, check_learning_rate};
use crate::data::DatasetView;
use crate::optim::{Lbfgs, Schedule};
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
/// let mut trainer = Trainer::new(Sgd::default()).learning_rate(0.05)
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
    stop: Option<StopRequest<'a>>,
    on_epoch: Option<EpochCallback<'a>>,
    checkpoints: Option<(usize, CheckpointCallback<'a, S>)>,
}

/// A function called after every epoch with its record.
type EpochCallback<'a> = Box<dyn FnMut(&EpochRecord) + 'a>;

/// A function asked before every batch whether to stop (see [`Trainer::stop_if`]).
type StopRequest<'a> = Box<dyn Fn() -> bool + 'a>;

/// A function given a checkpoint to keep (e.g. to save it).
type CheckpointCallback<'a, S> = Box<dyn FnMut(&Checkpoint<S>) -> Result<(), Error> + 'a>;

impl<'a, S: Scalar> Trainer<'a, S> {
    /// A trainer using `optimizer` on minibatches at its default learning rate (set another with
    /// [`Trainer::learning_rate`]), for 200 epochs (scikit-learn's `max_iter`) of batches of 32
    /// samples (Keras' default), shuffled every epoch, without penalty or clipping.
    pub fn new(optimizer: impl Optimizer<S> + 'a) -> Self {
        Self::with_solver(Minibatch::new(optimizer))
    }

    /// A trainer doing one full-batch L-BFGS iteration per epoch (scikit-learn's default
    /// solver, best on small datasets such as Iris).
    pub fn lbfgs(lbfgs: Lbfgs) -> Self {
        Self::with_solver(lbfgs)
    }

    /// A trainer using any [`Solver`], with the defaults of [`Trainer::new`], which are
    /// [`TrainingSpec`](crate::spec::TrainingSpec)'s.
    pub fn with_solver(solver: impl Solver<S> + 'a) -> Self {
        let defaults = crate::spec::TrainingSpec::default();
        Self {
            solver: Box::new(solver),
            epochs: defaults.epochs,
            batch_size: defaults.batch_size,
            shuffle: defaults.shuffle,
            penalty: Penalty::default(),
            clipping: None,
            metrics: Vec::new(),
            early_stopping: None,
            schedule: None,
            stop: None,
            on_epoch: None,
            checkpoints: None,
        }
    }

    /// η, the step of gradient descent, positive and finite (L-BFGS has none: its line search
    /// picks each step).
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.solver.set_learning_rate(learning_rate);
        self
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
    pub fn stop_when(self, flag: Arc<AtomicBool>) -> Self {
        self.stop_if(move || flag.load(Ordering::Relaxed))
    }

    /// Stops training cleanly after the current batch once `requested` returns true, as
    /// [`Trainer::stop_when`] does for a flag. It is called before every epoch and every batch,
    /// on the thread that trains (e.g. to ask an interpreter whether Ctrl-C was pressed).
    pub fn stop_if(mut self, requested: impl Fn() -> bool + 'a) -> Self {
        self.stop = Some(Box::new(requested));
        self
    }

    /// Calls `callback` after every epoch with its record (e.g. to print progress).
    pub fn on_epoch(mut self, callback: impl FnMut(&EpochRecord) + 'a) -> Self {
        self.on_epoch = Some(Box::new(callback));
        self
    }

    /// Every `epochs` epochs, hands `keep` a [`Checkpoint`] of the training so far (e.g.
    /// `|checkpoint| checkpoint.save(path)`), from which [`Trainer::resume`] continues. An error
    /// from `keep` ends training with that error.
    pub fn checkpoint_every(
        mut self,
        epochs: usize,
        keep: impl FnMut(&Checkpoint<S>) -> Result<(), Error> + 'a,
    ) -> Self {
        self.checkpoints = Some((epochs, Box::new(keep)));
        self
    }

    /// The solver, with whatever state it has accumulated.
    pub fn solver(&self) -> &dyn Solver<S> {
        self.solver.as_ref()
    }

    /// Trains `network` on `train` (a [`Dataset`], or a [`DatasetView`] of samples held
    /// elsewhere), measuring the loss and metrics on `validation` after each epoch.
    ///
    /// Fails before any step if a setting or a shape is wrong. Stops with [`Error::Diverged`]
    /// as soon as the loss or a parameter becomes NaN or infinite, leaving `network` with the
    /// weights of the last good epoch. With early stopping and `restore_best_weights`, the
    /// network ends with the best epoch's weights.
    pub fn fit<'data>(
        &mut self,
        network: &mut Network<S>,
        train: impl Into<DatasetView<'data, S>>,
        validation: Option<&Dataset<S>>,
        rng: &mut Rng,
    ) -> Result<History, Error> {
        self.run_to_checkpoint(network, train.into(), validation, rng, None).map(|end| end.history)
    }

    /// Continues training from `checkpoint` up to the trainer's number of epochs: `network` and
    /// `rng` become the checkpoint's, the solver and schedule take up its state, and the
    /// returned history holds the checkpoint's epochs followed by the new ones.
    ///
    /// The trainer must be set up as the one that took the checkpoint (same optimizer kind and
    /// schedule, same data); only the number of epochs may differ.
    ///
    /// ```
    /// use neurone::{Activation, Adam, Network, Trainer, datasets, seeded_rng};
    ///
    /// let data = datasets::xor::<f64>();
    /// let network = Network::builder(2).dense(4, Activation::Tanh).dense(1, Activation::Sigmoid).build(&mut seeded_rng(1))?;
    /// let trainer = |epochs| Trainer::new(Adam::default()).learning_rate(0.05).epochs(epochs).batch_size(2);
    ///
    /// let mut straight = network.clone();
    /// trainer(10).fit(&mut straight, &data, None, &mut seeded_rng(2))?;
    ///
    /// let mut saved = Vec::new();
    /// let mut first_half = network.clone();
    /// trainer(5).checkpoint_every(5, |checkpoint| Ok(saved.push(checkpoint.clone()))).fit(&mut first_half, &data, None, &mut seeded_rng(2))?;
    /// let mut resumed = network.clone();
    /// let history = trainer(10).resume(&mut resumed, saved.remove(0), &data, None, &mut seeded_rng(0))?;
    ///
    /// assert_eq!(history.epochs.len(), 10);
    /// assert_eq!(resumed.predict(data.inputs())?, straight.predict(data.inputs())?);
    /// # Ok::<(), neurone::Error>(())
    /// ```
    pub fn resume<'data>(
        &mut self,
        network: &mut Network<S>,
        checkpoint: Checkpoint<S>,
        train: impl Into<DatasetView<'data, S>>,
        validation: Option<&Dataset<S>>,
        rng: &mut Rng,
    ) -> Result<History, Error> {
        self.run_to_checkpoint(network, train.into(), validation, rng, Some(checkpoint)).map(|end| end.history)
    }

    /// [`Trainer::fit`], or [`Trainer::resume`] from `checkpoint`, returning where training
    /// stands at the end instead of only its history: a checkpoint of the last epoch run
    /// (partial if a stop request cut it short) holding the network as training leaves it,
    /// from which [`Trainer::resume`] goes on with more epochs, optimizer state included. This
    /// is how `warm_start` and `partial_fit` continue in the Python package.
    ///
    /// ```
    /// use neurone::{Activation, Adam, Network, Trainer, datasets, seeded_rng};
    ///
    /// let data = datasets::xor::<f64>();
    /// let network = Network::builder(2).dense(4, Activation::Tanh).dense(1, Activation::Sigmoid).build(&mut seeded_rng(1))?;
    /// let trainer = |epochs| Trainer::new(Adam::default()).learning_rate(0.05).epochs(epochs).batch_size(2);
    ///
    /// let mut straight = network.clone();
    /// trainer(10).fit(&mut straight, &data, None, &mut seeded_rng(2))?;
    ///
    /// let mut halves = network.clone();
    /// let first = trainer(5).fit_to_checkpoint(&mut halves, None, &data, None, &mut seeded_rng(2))?;
    /// let second = trainer(10).fit_to_checkpoint(&mut halves, Some(first), &data, None, &mut seeded_rng(0))?;
    /// assert_eq!(second.epoch(), 10);
    /// assert_eq!(halves.predict(data.inputs())?, straight.predict(data.inputs())?);
    /// # Ok::<(), neurone::Error>(())
    /// ```
    pub fn fit_to_checkpoint<'data>(
        &mut self,
        network: &mut Network<S>,
        checkpoint: Option<Checkpoint<S>>,
        train: impl Into<DatasetView<'data, S>>,
        validation: Option<&Dataset<S>>,
        rng: &mut Rng,
    ) -> Result<Checkpoint<S>, Error> {
        self.run_to_checkpoint(network, train.into(), validation, rng, checkpoint)
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
    pub fn validate<'data>(
        &self,
        network: &Network<S>,
        train: impl Into<DatasetView<'data, S>>,
        validation: Option<&Dataset<S>>,
    ) -> Result<(), Error> {
        let train = train.into();
        self.check_settings()?;
        self.solver.check_network(network, &self.penalty)?;
        if train.is_empty() {
            return Err(Error::invalid("training data", "has no samples"));
        }
        for (name, data) in [("training", Some(train)), ("validation", validation.map(DatasetView::from))] {
            let Some(data) = data else { continue };
            let (inputs, targets) = (data.input_width(), data.target_width());
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
        if let Some(stopping) = &self.early_stopping
            && stopping.monitor != Monitor::TrainLoss
            && validation.is_none()
        {
            return Err(Error::invalid(
                "early_stopping",
                format!("monitors {} but there is no validation set", stopping.monitor),
            ));
        }
        Ok(())
    }

    /// Checks the settings and how they combine, before any data is seen; part of
    /// [`Trainer::validate`].
    pub fn check_settings(&self) -> Result<(), Error> {
        check_at_least("epochs", self.epochs, 1)?;
        check_at_least("batch_size", self.batch_size, 1)?;
        if let Some((every, _)) = &self.checkpoints {
            check_at_least("checkpoint_every", *every, 1)?;
        }
        self.penalty.check()?;
        if let Some(clipping) = &self.clipping {
            clipping.check()?;
        }
        if self.solver.has_learning_rate() {
            check_learning_rate(self.solver.learning_rate())?;
        } else {
            if self.schedule.is_some() {
                let reason =
                    format!("{} has no learning rate to schedule: it picks each step itself", self.solver.name());
                return Err(Error::invalid("schedule", reason));
            }
            if self.clipping.is_some() {
                let reason = format!("does not apply to {}, which picks each step itself", self.solver.name());
                return Err(Error::invalid("clipping", reason));
            }
        }
        if let Some(schedule) = &self.schedule {
            schedule.validate().map_err(|error| error.within("schedule"))?;
        }
        if let Some(stopping) = &self.early_stopping {
            stopping.check().map_err(|error| error.within("early_stopping"))?;
            if let Monitor::Validation(metric) = stopping.monitor
                && !self.metrics.contains(&metric)
            {
                return Err(Error::invalid(
                    "early_stopping",
                    format!("monitors val_{metric}, which is not among the metrics measured"),
                ));
            }
        }
        Ok(())
    }
}

/// True when every parameter is a finite number.
fn network_is_finite<S: Scalar>(network: &Network<S>) -> bool {
    network.parameters().all(|(_, parameter)| parameter.value.iter().all(|v| v.is_finite()))
}

#[cfg(test)]
mod tests;
