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

pub use batches::{Batch, Batches, EpochInProgress};
pub use checkpoint::Checkpoint;
pub use early_stopping::{EarlyStopping, Monitor};
pub use history::{EpochRecord, History};
pub use jacobian::NetworkResiduals;
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
    keep_records: Option<usize>,
}

/// How far [`Trainer::continue_for`] goes on: a number of epochs (what a bare `usize` means), or
/// of gradient steps, which may pause an epoch between two batches (a full-batch solver's step
/// is an epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stretch {
    /// Whole epochs: the first finishes an epoch in progress.
    Epochs(usize),
    /// Gradient steps, one per batch.
    Steps(u64),
}

impl From<usize> for Stretch {
    fn from(epochs: usize) -> Self {
        Stretch::Epochs(epochs)
    }
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
            keep_records: None,
        }
    }

    /// η, the step of gradient descent, positive and finite (L-BFGS has none: its line search
    /// picks each step).
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.solver.set_learning_rate(learning_rate);
        self
    }

    /// Number of passes over the training data (the most, with early stopping): the length of
    /// the whole training, also when it is run in parts by [`Trainer::continue_for`].
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
    /// `|checkpoint| checkpoint.save(path)`), from which [`Trainer::continue_for`] continues. An error
    /// from `keep` ends training with that error.
    pub fn checkpoint_every(
        mut self,
        epochs: usize,
        keep: impl FnMut(&Checkpoint<S>) -> Result<(), Error> + 'a,
    ) -> Self {
        self.checkpoints = Some((epochs, Box::new(keep)));
        self
    }

    /// Keeps only the last `records` epochs' records in the history (at least 1:
    /// reduce-on-plateau and the elapsed time go on from the last), each still handed to
    /// [`Trainer::on_epoch`]: for a training continued without end, such as the playground's,
    /// whose history would otherwise grow with every epoch. [`History::best`] is `None` once
    /// the best epoch's record is dropped; [`History::best_epoch`] still says which it was.
    pub fn keep_records(mut self, records: usize) -> Self {
        self.keep_records = Some(records);
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
    /// network ends with the best epoch's weights, also when training diverges after a good
    /// epoch: it then ends there without error, and [`History::diverged_at`] names the epoch.
    pub fn fit<'data>(
        &mut self,
        network: &mut Network<S>,
        train: impl Into<DatasetView<'data, S>>,
        validation: Option<&Dataset<S>>,
        rng: &mut Rng,
    ) -> Result<History, Error> {
        let epochs = self.epochs;
        self.continue_for(network, None, epochs, train, validation, rng).map(|end| end.history)
    }

    /// **The one way to continue a training**: trains `more` epochs (a `usize`), or
    /// [`Stretch::Steps`] gradient steps, after `from` (from the start, with `None`), and
    /// returns where training then stands: the checkpoint of the last epoch run (partial if a
    /// stop request cut it short), or of the epoch paused between two steps, from which the next
    /// call goes on. The command line's `--resume`, the Python package's `warm_start` and
    /// `partial_fit` and the playground's stretches all call it.
    ///
    /// From a checkpoint, `network` and `rng` become its own, the solver and schedule take up
    /// its state, and epochs are numbered on from [`Checkpoint::epoch`]; the returned history
    /// holds the checkpoint's records followed by the new ones. Training `a` epochs, then
    /// continuing for `b`, gives the bits of `a + b` epochs straight, whatever the solver,
    /// schedule, dropout or early stopping.
    ///
    /// The trainer must be set up as the one that began the training (same optimizer kind and
    /// schedule, same data); from `None`, one that has not trained yet (its solver keeps the
    /// state of its last training). Its [`Trainer::epochs`] stays the length of the *whole*
    /// training: what a cosine schedule without a length spans, the epoch at which running out
    /// of patience does not count as stopping early, and where early stopping's
    /// `restore_best_weights` puts the best epoch's weights into `network` (as it does when
    /// training stops early or is interrupted; the checkpoint keeps the last epoch's, to go on
    /// from). Training may go on past it (the playground does). An error (bad setting,
    /// divergence) leaves no checkpoint: continue from the last one.
    ///
    /// ```
    /// use neurone::{Activation, Adam, Network, Stretch, Trainer, datasets, seeded_rng};
    ///
    /// let data = datasets::xor::<f64>();
    /// let network = Network::builder(2).dense(4, Activation::Tanh).dense(1, Activation::Sigmoid).build(&mut seeded_rng(1))?;
    /// let trainer = || Trainer::new(Adam::default()).learning_rate(0.05).epochs(10).batch_size(2);
    ///
    /// let mut straight = network.clone();
    /// trainer().fit(&mut straight, &data, None, &mut seeded_rng(2))?;
    ///
    /// // 10 epochs as 3, then 5, then 2 more, each by a trainer set up as the first.
    /// let (mut continued, mut rng) = (network.clone(), seeded_rng(2));
    /// let mut checkpoint = None;
    /// for more in [3, 5, 2] {
    ///     checkpoint = Some(trainer().continue_for(&mut continued, checkpoint, more, &data, None, &mut rng)?);
    /// }
    /// let checkpoint = checkpoint.unwrap();
    /// assert_eq!((checkpoint.epoch, checkpoint.history.epochs.len()), (10, 10));
    /// assert_eq!(continued.predict(data.inputs())?, straight.predict(data.inputs())?);
    ///
    /// // The same 10 epochs of 2 steps each, one step at a time.
    /// let (mut stepped, mut rng, mut checkpoint) = (network.clone(), seeded_rng(2), None);
    /// for _ in 0..20 {
    ///     checkpoint = Some(trainer().continue_for(&mut stepped, checkpoint, Stretch::Steps(1), &data, None, &mut rng)?);
    /// }
    /// assert_eq!(checkpoint.unwrap().epoch, 10);
    /// assert_eq!(stepped.predict(data.inputs())?, straight.predict(data.inputs())?);
    /// # Ok::<(), neurone::Error>(())
    /// ```
    pub fn continue_for<'data>(
        &mut self,
        network: &mut Network<S>,
        from: Option<Checkpoint<S>>,
        more: impl Into<Stretch>,
        train: impl Into<DatasetView<'data, S>>,
        validation: Option<&Dataset<S>>,
        rng: &mut Rng,
    ) -> Result<Checkpoint<S>, Error> {
        self.run_to_checkpoint(network, train.into(), validation, rng, from, more.into())
    }

    /// The indices of the training samples the next minibatch step after `from` (from the
    /// start, with `None`, and `rng`) takes, of `samples` in all: the rest of an epoch in
    /// progress, else the first batch of the order the next epoch will draw. A full-batch
    /// solver steps on every sample instead.
    pub fn next_batch(&self, from: Option<&Checkpoint<S>>, rng: &Rng, samples: usize) -> Vec<usize> {
        let batch_size = self.batch_size.max(1);
        if let Some(epoch) = from.and_then(|checkpoint| checkpoint.epoch_in_progress.as_ref()) {
            return epoch.order.iter().skip(epoch.samples).take(batch_size).copied().collect();
        }
        let mut order: Vec<usize> = (0..samples).collect();
        if self.shuffle {
            batches::shuffle(&mut order, &mut from.map_or(rng, |checkpoint| &checkpoint.rng).clone());
        }
        order.truncate(batch_size);
        order
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
        if let Some(records) = self.keep_records {
            check_at_least("keep_records", records, 1)?;
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
