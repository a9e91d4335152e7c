//! A model and where its training stands, in one precision: what an estimator holds between
//! `fit`, `partial_fit` and `predict`.

use neurone::data::{DatasetView, Preprocessing};
use neurone::spec::{NetworkSpec, Task, TrainingSpec};
use neurone::{Checkpoint, Dataset, EpochRecord, Error, History, Model, Rng, seeded_rng};

use crate::arrays::Float;

/// A network (inside its [`Model`], for prediction and files) and, once it has trained, the
/// checkpoint that lets `warm_start` and `partial_fit` go on with the optimizer's moments, the
/// schedule and the shuffling generator as they were.
pub struct State<S: Float> {
    /// The network and the preprocessing a model file records.
    pub model: Model<S>,
    /// The generator that drew the initial weights and shuffles the first fit.
    rng: Rng,
    /// Where training stands after the last fit.
    checkpoint: Option<Checkpoint<S>>,
}

/// One fit's data and how long to train.
pub struct FitRequest<'a, S: Float> {
    /// The training settings, resolved for the task.
    pub training: &'a TrainingSpec,
    /// The training samples.
    pub train: DatasetView<'a, S>,
    /// The validation samples, if any.
    pub validation: Option<Dataset<S>>,
    /// Go on from the last fit (optimizer state included) rather than start afresh.
    pub warm: bool,
    /// Start the learning rate again from η₀ when going on: scikit-learn's warm start makes a
    /// new optimizer each `fit`, where `partial_fit` keeps its own.
    pub restart_schedule: bool,
}

impl<S: Float> State<S> {
    /// A new network for `inputs` → `outputs`, its weights drawn from `seed`, trained on the
    /// loss `training` gives.
    pub fn new(
        network: &NetworkSpec,
        training: &TrainingSpec,
        inputs: usize,
        outputs: usize,
        seed: u64,
    ) -> Result<Self, Error> {
        let mut rng = seeded_rng(seed);
        let network = network.build::<S>(inputs, outputs, training.loss(), &mut rng)?;
        Ok(Self { model: Model::new(network, Preprocessing::default()), rng, checkpoint: None })
    }

    /// A loaded model: it predicts, and trains afresh (no optimizer state is in a model file).
    pub fn loaded(model: Model<S>, seed: u64) -> Self {
        Self { model, rng: seeded_rng(seed), checkpoint: None }
    }

    /// A state restored from its model and checkpoint (pickling).
    pub fn restored(model: Model<S>, checkpoint: Option<Checkpoint<S>>, seed: u64) -> Self {
        Self { model, rng: seeded_rng(seed), checkpoint }
    }

    /// The checkpoint after the last fit, if any.
    pub fn checkpoint(&self) -> Option<&Checkpoint<S>> {
        self.checkpoint.as_ref()
    }

    /// Trains for the spec's number of epochs more (with `warm`, after those already done),
    /// stopping after the current batch once `stop` returns true, calling `on_epoch` after each
    /// epoch. Returns the whole history, earlier fits included when `warm`.
    pub fn fit(
        &mut self,
        request: FitRequest<'_, S>,
        stop: impl Fn() -> bool,
        on_epoch: impl FnMut(&EpochRecord),
    ) -> Result<History, Error> {
        let FitRequest { training, train, validation, warm, restart_schedule } = request;
        let mut resumed = if warm { self.checkpoint.take() } else { None };
        if let Some(checkpoint) = resumed.as_mut() {
            // scikit-learn's warm start goes on from the fitted weights: the best epoch's when
            // early stopping put them back, where the checkpoint keeps the last epoch's.
            checkpoint.network = self.model.network.clone();
            if let Some(scheduler) = checkpoint.scheduler.as_mut().filter(|_| restart_schedule) {
                scheduler.restart(training.learning_rate());
            }
        }
        // A warm fit is a training of `epochs` more: what a cosine schedule without a length
        // spans, and the end at which running out of patience is not stopping early.
        let done = resumed.as_ref().map_or(0, |checkpoint| checkpoint.epoch);
        let mut rng = self.rng.clone();
        let mut trainer = training.trainer::<S>()?.epochs(done + training.epochs).stop_if(stop).on_epoch(on_epoch);
        let network = &mut self.model.network;
        let checkpoint =
            trainer.continue_for(network, resumed, training.epochs, train, validation.as_ref(), &mut rng)?;
        let history = checkpoint.history.clone();
        self.checkpoint = Some(checkpoint);
        Ok(history)
    }
}

/// The task a description names: `"classification"` or `"regression"`.
pub fn task(name: &str) -> Result<Task, Error> {
    match name {
        "classification" => Ok(Task::Classification),
        "regression" => Ok(Task::Regression),
        _ => Err(Error::invalid("task", format!("expected classification or regression, got `{name}`"))),
    }
}
