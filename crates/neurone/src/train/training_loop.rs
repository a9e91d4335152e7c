//! The loop of [`Trainer::continue_for`], one named step after another: resume,
//! schedule, epoch, validation, divergence rollback (or end, with the best weights), best
//! epoch, checkpoint, early stop.

use std::time::Instant;

use super::{
    Batches, Checkpoint, EpochInProgress, EpochOutcome, EpochRecord, History, Monitor, StepSettings, Stretch, Trainer,
    network_is_finite,
};
use crate::data::DatasetView;
use crate::layer::Layer;
use crate::optim::Scheduler;
use crate::{Dataset, Error, Network, Rng, Scalar};

/// What the loop carries from one epoch to the next; a checkpoint keeps all of it but the last
/// good network, which is the checkpoint's own.
struct LoopState<S: Scalar> {
    /// The last epoch recorded (0 before any).
    epoch: usize,
    /// The learning-rate schedule, if training uses one.
    scheduler: Option<Scheduler>,
    /// Every epoch so far.
    history: History,
    /// The best monitored value so far and the network of that epoch.
    best: Option<(f64, Network<S>)>,
    /// Early stopping's patience count.
    epochs_without_improvement: usize,
    /// The network after the last epoch that did not diverge.
    last_good: Network<S>,
    /// The checkpoint's epoch paused between two steps, to go on with.
    epoch_in_progress: Option<EpochInProgress>,
}

impl<S: Scalar> Trainer<'_, S> {
    /// The training loop of [`Trainer::continue_for`]: `more` epochs or steps from the start or
    /// from a checkpoint, ending with where training stands: the checkpoint of the last epoch
    /// run (partial if interrupted, paused if the steps ran out within it), holding `network` as
    /// training leaves it.
    pub(super) fn run_to_checkpoint(
        &mut self,
        network: &mut Network<S>,
        train: DatasetView<'_, S>,
        validation: Option<&Dataset<S>>,
        rng: &mut Rng,
        checkpoint: Option<Checkpoint<S>>,
        more: Stretch,
    ) -> Result<Checkpoint<S>, Error> {
        let monitor = self.monitor(validation.is_some());
        let mut state = self.start(network, rng, checkpoint, monitor)?;
        self.validate(network, train, validation)?;
        let mut batches = Batches::new(train, self.batch_size, self.shuffle);
        if network.layers().first().and_then(Layer::as_dense).is_none() {
            // Only a dense first layer reads sparse rows from their stored values.
            batches.make_sparse_rows_dense();
        }
        let mut resumed_mid_epoch = false;
        if let Some(epoch) = state.epoch_in_progress.take() {
            batches.resume(epoch)?;
            resumed_mid_epoch = true;
        }
        let last_epoch = match more {
            Stretch::Epochs(epochs) => state.epoch.saturating_add(epochs),
            Stretch::Steps(steps) => {
                batches.limit_steps(Some(steps));
                usize::MAX
            }
        };
        let (start, seconds_before) =
            (Instant::now(), state.history.last().map_or(0.0, |record| record.elapsed_seconds));
        // Whether the training itself ends here, rather than this part of it.
        let mut ended = false;
        let first = state.epoch + 1;
        for epoch in first..=last_epoch {
            if batches.steps_left() == Some(0) {
                break;
            }
            // A part's first epoch: its rate, unless the last part scheduled it (each epoch
            // schedules the next one's) or began it (an epoch resumed between two steps). A part
            // always trains, as each call of scikit-learn's `partial_fit` does, even after
            // reduce-on-plateau's stop.
            if epoch == first && !resumed_mid_epoch {
                self.schedule_learning_rate(epoch, monitor, &mut state)?;
            }
            let learning_rate = self.solver.learning_rate();
            if self.stop_requested() {
                (state.history.interrupted, ended) = (true, true);
                break;
            }
            let outcome = self.run_epoch(network, &mut batches, rng)?;
            if batches.is_paused() {
                // The steps ran out within the epoch: it is recorded when a later call ends it.
                break;
            }
            let mut record = self.measure(epoch, learning_rate, &outcome, network, validation)?;
            if let Some(loss) = divergence(&record, network) {
                network.copy_learned_from(&state.last_good);
                if !self.ends_with_best_weights(&state) {
                    return Err(Error::Diverged { epoch, loss });
                }
                // The best epoch's weights are what training ends with: a divergence ends it
                // there, as scikit-learn's early stopping does.
                (state.history.diverged_at, ended) = (Some(epoch), true);
                break;
            }
            record.elapsed_seconds = seconds_before + start.elapsed().as_secs_f64();
            if let Some(callback) = self.on_epoch.as_mut() {
                callback(&record);
            }
            self.record_best_epoch(record, monitor, network, &mut state);
            state.last_good.copy_learned_from(network);
            if !outcome.interrupted {
                // The next epoch's rate from this one's monitored value, decided after the
                // epoch as scikit-learn decides it, so that the checkpoint holds the decision.
                self.schedule_learning_rate(epoch + 1, monitor, &mut state)?;
                self.keep_checkpoint(epoch, network, rng, &state)?;
            }
            if state.scheduler.as_ref().is_some_and(Scheduler::exhausted) {
                // Reduce-on-plateau reached its stopping rate after this epoch.
                (state.history.stopped_early, ended) = (true, true);
                break;
            }
            if self.is_last_epoch(epoch, &outcome, &mut state) {
                ended = true;
                break;
            }
        }
        state.epoch_in_progress = batches.paused();
        // History and best moved, not copied; the checkpoint keeps the network it goes on from.
        let (history, best) = (std::mem::take(&mut state.history), state.best.take());
        let checkpoint = Checkpoint { history, best, ..self.checkpoint(network, rng, &state) };
        if ended || (checkpoint.epoch == self.epochs && checkpoint.epoch_in_progress.is_none()) {
            self.restore_best_weights(network, checkpoint.best.as_ref());
        }
        Ok(checkpoint)
    }

    /// Where training stands: a copy of the loop's state, the network, the solver's state and
    /// `rng`.
    fn checkpoint(&self, network: &Network<S>, rng: &Rng, state: &LoopState<S>) -> Checkpoint<S> {
        Checkpoint {
            epoch: state.epoch,
            network: network.clone(),
            solver: self.solver.state(),
            scheduler: state.scheduler.as_ref().map(Scheduler::state),
            rng: rng.clone(),
            history: state.history.clone(),
            best: state.best.clone(),
            epochs_without_improvement: state.epochs_without_improvement,
            epoch_in_progress: state.epoch_in_progress.clone(),
        }
    }

    /// Resume: the state to start from, fresh or the checkpoint's, with a scheduler set for
    /// this training (its length, the direction of `monitor`). From a checkpoint, the solver and
    /// schedule take up its state, and `network` and `rng` become its own.
    fn start(
        &mut self,
        network: &mut Network<S>,
        rng: &mut Rng,
        checkpoint: Option<Checkpoint<S>>,
        monitor: Monitor,
    ) -> Result<LoopState<S>, Error> {
        let schedule = self.schedule.map(|schedule| schedule.for_training(self.epochs, monitor.maximises()));
        let mut scheduler =
            schedule.map(|schedule| Scheduler::new(schedule, self.solver.learning_rate())).transpose()?;
        let Some(checkpoint) = checkpoint else {
            let last_good = network.clone();
            return Ok(LoopState {
                epoch: 0,
                scheduler,
                history: History::default(),
                best: None,
                epochs_without_improvement: 0,
                last_good,
                epoch_in_progress: None,
            });
        };
        self.solver.load_state(&checkpoint.solver)?;
        match (scheduler.as_mut(), &checkpoint.scheduler) {
            (Some(scheduler), Some(state)) => scheduler.load_state(state)?,
            (None, None) => {}
            (Some(_), None) => return Err(Error::invalid("schedule", "the checkpoint was taken without one")),
            (None, Some(_)) => return Err(Error::invalid("schedule", "the checkpoint was taken with one")),
        }
        (*network, *rng) = (checkpoint.network, checkpoint.rng);
        // How the last part ended is not how this one will.
        let history = History {
            epochs: checkpoint.history.epochs,
            best_epoch: checkpoint.history.best_epoch,
            ..History::default()
        };
        Ok(LoopState {
            epoch: checkpoint.epoch,
            scheduler,
            history,
            best: checkpoint.best,
            epochs_without_improvement: checkpoint.epochs_without_improvement,
            last_good: network.clone(),
            epoch_in_progress: checkpoint.epoch_in_progress,
        })
    }

    /// Schedule: sets the learning rate of `epoch` from the schedule and the monitored value of
    /// the epoch before.
    fn schedule_learning_rate(
        &mut self,
        epoch: usize,
        monitor: Monitor,
        state: &mut LoopState<S>,
    ) -> Result<(), Error> {
        if let Some(scheduler) = state.scheduler.as_mut() {
            let monitored = state.history.last().and_then(|record| monitor.value(record));
            self.solver.set_learning_rate(scheduler.learning_rate(epoch - 1, monitored)?);
        }
        Ok(())
    }

    /// True once a stop is requested ([`Trainer::stop_when`], [`Trainer::stop_if`]).
    fn stop_requested(&self) -> bool {
        self.stop.as_ref().is_some_and(|requested| requested())
    }

    /// Epoch: the solver's pass over the batches, with the penalty, clipping and stop request.
    fn run_epoch(
        &mut self,
        network: &mut Network<S>,
        batches: &mut Batches<'_, S>,
        rng: &mut Rng,
    ) -> Result<EpochOutcome, Error> {
        let settings = StepSettings { penalty: self.penalty, clipping: self.clipping, stop: self.stop.as_deref() };
        self.solver.run_epoch(network, batches, &settings, rng)
    }

    /// Validation: the epoch's record, with the loss and metrics on the validation set (measured
    /// only while the training loss is finite).
    fn measure(
        &self,
        epoch: usize,
        learning_rate: f64,
        outcome: &EpochOutcome,
        network: &mut Network<S>,
        validation: Option<&Dataset<S>>,
    ) -> Result<EpochRecord, Error> {
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
        Ok(record)
    }

    /// Best epoch: adds `record` to the history (dropping the oldest beyond
    /// [`Trainer::keep_records`]), and keeps the network if the monitored value improved (by
    /// early stopping's `min_delta`), else counts one more epoch without improvement.
    fn record_best_epoch(&self, record: EpochRecord, monitor: Monitor, network: &Network<S>, state: &mut LoopState<S>) {
        let value = monitor.value(&record).expect("the monitored quantity is measured every epoch");
        let min_delta = self.early_stopping.as_ref().map_or(0.0, |stopping| stopping.min_delta);
        let improved = state.best.as_ref().is_none_or(|(best, _)| monitor.improves(value, *best, min_delta));
        let epoch = record.epoch;
        state.epoch = epoch;
        let records = &mut state.history.epochs;
        records.push(record);
        if let Some(kept) = self.keep_records {
            records.drain(..records.len().saturating_sub(kept));
        }
        if improved {
            state.history.best_epoch = Some(epoch);
            // The best network's copy is made once, then overwritten in place.
            match state.best.as_mut() {
                Some((best, best_network)) => {
                    *best = value;
                    best_network.copy_learned_from(network);
                }
                None => state.best = Some((value, network.clone())),
            }
            state.epochs_without_improvement = 0;
        } else {
            state.epochs_without_improvement += 1;
        }
    }

    /// Checkpoint: every `checkpoint_every` epochs, hands the training so far to the keeper.
    fn keep_checkpoint(
        &mut self,
        epoch: usize,
        network: &Network<S>,
        rng: &Rng,
        state: &LoopState<S>,
    ) -> Result<(), Error> {
        if self.checkpoints.as_ref().is_none_or(|(every, _)| !epoch.is_multiple_of(*every)) {
            return Ok(());
        }
        let checkpoint = self.checkpoint(network, rng, state);
        let (_, keep) = self.checkpoints.as_mut().expect("checked above");
        keep(&checkpoint)
    }

    /// Early stop: true when training ends after `epoch`, because the solver converged, a stop
    /// request cut the epoch short, or early stopping ran out of patience (at any epoch but the
    /// training's last, [`Trainer::epochs`], where it ends anyway, or would in a straight run);
    /// the history says which.
    fn is_last_epoch(&self, epoch: usize, outcome: &EpochOutcome, state: &mut LoopState<S>) -> bool {
        let history = &mut state.history;
        if outcome.converged || outcome.interrupted || outcome.out_of_evaluations {
            history.converged = outcome.converged;
            history.interrupted = outcome.interrupted;
            history.out_of_evaluations = outcome.out_of_evaluations;
            return true;
        }
        let out_of_patience = self
            .early_stopping
            .as_ref()
            .is_some_and(|stopping| state.epochs_without_improvement >= stopping.patience && epoch != self.epochs);
        history.stopped_early |= out_of_patience;
        out_of_patience
    }

    /// True when training ends with the best epoch's weights (early stopping's
    /// `restore_best_weights`) and there is a best epoch.
    fn ends_with_best_weights(&self, state: &LoopState<S>) -> bool {
        state.best.is_some() && self.early_stopping.as_ref().is_some_and(|stopping| stopping.restore_best_weights)
    }

    /// With early stopping's `restore_best_weights`, the network ends with the best epoch's
    /// weights when training ends (stopped early, converged, interrupted, or at its last epoch,
    /// [`Trainer::epochs`]), not when a part of it does.
    fn restore_best_weights(&self, network: &mut Network<S>, best: Option<&(f64, Network<S>)>) {
        if let (Some(stopping), Some((_, best_network))) = (&self.early_stopping, best)
            && stopping.restore_best_weights
        {
            network.copy_learned_from(best_network);
        }
    }
}

/// Divergence: the first of the record's losses that is not finite, else NaN if a parameter is
/// not; `None` when the epoch went well.
fn divergence<S: Scalar>(record: &EpochRecord, network: &mut Network<S>) -> Option<f64> {
    let measured = [Some(record.train_loss), Some(record.penalty), record.validation_loss];
    let bad_value = measured.into_iter().flatten().find(|v| !v.is_finite());
    bad_value.or_else(|| (!network_is_finite(network)).then_some(f64::NAN))
}
