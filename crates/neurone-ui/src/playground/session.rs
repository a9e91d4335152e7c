//! One training of the playground, on a thread of its own: stretches of gradient steps of the
//! library's [`Trainer`](neurone::Trainer), each continued from the checkpoint the last one ended
//! on, mid-epoch or not (so that pausing changes no bit of the result), and a frame for the page
//! after each. Stretches are paced to the speed the page asks for, down to one step a frame; a
//! change of settings is taken up by the next one (`session/change.rs`).

mod change;
mod pace;

use pace::Pace;
pub use pace::Speed;

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use tokio::sync::{oneshot, watch};

use neurone::data::{Column, ColumnKind, CsvSchema, Preprocessing};
use neurone::spec::TrainingSpec;
use neurone::{Checkpoint, EpochRecord, Error, Matrix, Metric, Model, Network, Rng, Stretch, seeded_rng};

use super::frame::{self, Frame};
use super::setup::Setup;

/// What the page asks of a training.
pub enum Command {
    /// Train until paused.
    Play,
    /// Stop after the current stretch.
    Pause,
    /// Take one gradient step (the one the equations show), then pause.
    Step,
    /// Show the equations of this training sample.
    Inspect(usize),
    /// How fast to train.
    Speed(Speed),
    /// Go on from where the training is with these settings, if they differ from its own in
    /// what may change on the way only (learning rate, penalties, dropout, optimizer, batch
    /// size); the answer is why not otherwise.
    Change(Box<Setup>, oneshot::Sender<Result<(), String>>),
    /// Set a weight; the answer is why not if there is no such weight.
    SetWeight {
        /// The dense layer, from 0: its weights are `W(layer + 1)`.
        layer: usize,
        /// The weight's place in `W`, row-major (outputs × inputs).
        index: usize,
        /// Its new value.
        value: f32,
        /// Where the answer goes.
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// Send back the model file of the network as it is.
    Save(oneshot::Sender<Result<Vec<u8>, Error>>),
}

/// The most points of the loss curves kept; past it, they are thinned by half.
const MAX_CURVE_POINTS: usize = 4096;

/// The training's state, owned by its thread.
struct Training {
    setup: Setup,
    network: Network<f32>,
    /// A copy of the network whose buffers the heat maps are computed in.
    render: Network<f32>,
    grid: Matrix<f32>,
    rng: Rng,
    /// Where the last stretch ended; `None` before the first.
    checkpoint: Option<Checkpoint<f32>>,
    epochs: usize,
    steps: u64,
    losses: Vec<[f64; 3]>,
    last: Option<EpochRecord>,
    inspected: usize,
    error: Option<String>,
    steps_per_second: f64,
    /// The settings changed on the way: after which epoch, and what (`η 0.03 → 0.003`).
    changes: Vec<(usize, String)>,
}

/// Runs a training until `commands` is dropped, publishing a frame (as JSON) on `frames` after
/// every stretch and command.
pub fn run(setup: Setup, commands: Receiver<Command>, frames: watch::Sender<Arc<str>>) {
    let mut training = match Training::new(setup) {
        Ok(training) => training,
        Err(error) => {
            frames.send_replace(serde_json::json!({ "error": error.to_string() }).to_string().into());
            return;
        }
    };
    let mut playing = false;
    frames.send_replace(training.frame(playing));
    let mut pace = Pace { speed: Speed::Full, steps_per_stretch: 1, next_stretch: Instant::now() };
    loop {
        // Playing, the next stretch is due at its time; until then (paused, for ever) the
        // thread sleeps in wait for a command.
        let wait = if playing && training.error.is_none() {
            pace.next_stretch.saturating_duration_since(Instant::now())
        } else {
            Duration::from_secs(1)
        };
        let command = match commands.recv_timeout(wait) {
            Ok(command) => Some(command),
            Err(RecvTimeoutError::Timeout) if playing && training.error.is_none() => None,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut steps = 0;
        match command {
            Some(Command::Play) => (playing, pace.next_stretch) = (true, Instant::now()),
            Some(Command::Pause) => playing = false,
            Some(Command::Step) => (playing, steps) = (false, 1),
            Some(Command::Inspect(sample)) => training.inspected = sample,
            Some(Command::Speed(speed)) => (pace.speed, pace.next_stretch) = (speed, Instant::now()),
            Some(Command::Change(setup, reply)) => drop(reply.send(training.change(*setup))),
            Some(Command::SetWeight { layer, index, value, reply }) => {
                drop(reply.send(training.set_weight(layer, index, value)));
            }
            Some(Command::Save(reply)) => drop(reply.send(training.model_file())),
            None => steps = pace.steps_per_stretch,
        }
        if steps > 0 && training.error.is_none() {
            let started = Instant::now();
            let steps_before = training.steps;
            training.train(Stretch::Steps(steps));
            // A diverged training stops: the page shows it paused, at the epoch it failed in.
            playing &= training.error.is_none();
            let seconds = started.elapsed().as_secs_f64().max(1e-6);
            let period = pace.after_stretch(started, steps, seconds, training.steps_per_epoch());
            let frame = training.frame(playing);
            // The steps taken, not those asked for: a diverging stretch ends early. Over the
            // stretch's period: the time it took, or the time the speed asked gives it.
            let steps = training.steps - steps_before;
            training.steps_per_second = steps as f64 / period.max(started.elapsed().as_secs_f64()).max(1e-6);
            frames.send_replace(frame);
        } else {
            frames.send_replace(training.frame(playing));
        }
    }
}

impl Training {
    /// The network of `setup`, its weights drawn from the setup's seed, before any epoch.
    fn new(setup: Setup) -> Result<Self, Error> {
        let mut rng = seeded_rng(setup.request.seed ^ 0x5eed);
        let inputs = setup.train.inputs().cols();
        let network = setup.request.network.build::<f32>(inputs, 1, setup.request.training.loss(), &mut rng)?;
        Ok(Training {
            render: network.clone(),
            grid: frame::grid_inputs(&setup),
            network,
            rng,
            setup,
            checkpoint: None,
            epochs: 0,
            steps: 0,
            losses: Vec::new(),
            last: None,
            inspected: 0,
            error: None,
            steps_per_second: 0.0,
            changes: Vec::new(),
        })
    }

    /// Gradient steps in an epoch: one per batch (one per epoch for full-batch L-BFGS).
    fn steps_per_epoch(&self) -> u64 {
        let batches = self.setup.train.len().div_ceil(self.setup.request.training.batch_size.max(1));
        if self.setup.request.training.optimizer.has_learning_rate() { batches as u64 } else { 1 }
    }

    /// Trains `more` epochs or steps from where the last stretch ended, mid-epoch or not. The
    /// spec's `epochs` stays the training's length (what a cosine schedule spans), which playing
    /// may go past.
    fn train(&mut self, more: impl Into<Stretch>) {
        let more = more.into();
        let mut records = Vec::new();
        let result = self.setup.request.training.trainer::<f32>().and_then(|trainer| {
            // The loss curves are kept here, thinned: the checkpoint keeps only the last record.
            let mut trainer = trainer.keep_records(1).on_epoch(|record| records.push(record.clone()));
            let (train, test) = (&self.setup.train, Some(&self.setup.test));
            trainer.continue_for(&mut self.network, self.checkpoint.take(), more, train, test, &mut self.rng)
        });
        let trained = records.len();
        // Numbered by the training's own count: after a change of optimizer, the library's
        // count starts again with the optimizer's state.
        for (epoch, record) in (self.epochs + 1..).zip(records) {
            let test = record.validation_loss.unwrap_or(f64::NAN);
            self.losses.push([epoch as f64, record.train_loss, test]);
            self.last = Some(record);
        }
        if self.losses.len() > MAX_CURVE_POINTS {
            // Every other point dropped: the curves keep their shape at half the resolution.
            let last = self.losses[self.losses.len() - 1];
            self.losses = self.losses.iter().step_by(2).copied().collect();
            if self.losses.last() != Some(&last) {
                self.losses.push(last);
            }
        }
        self.epochs += trained;
        // The steps asked for, unless the training ended before (a full-batch step is an epoch).
        let ended = result.as_ref().map_or(true, |end| end.history.stopped_early || end.history.converged);
        self.steps += match more {
            Stretch::Steps(steps) if !ended => steps,
            _ => trained as u64 * self.steps_per_epoch(),
        };
        match result {
            Ok(checkpoint) => {
                if ended {
                    self.error = Some(format!("training ended after epoch {}", self.epochs));
                }
                self.checkpoint = Some(checkpoint);
            }
            Err(error) => self.error = Some(error.to_string()),
        }
    }

    /// The frame of the network as it is, as JSON.
    fn frame(&mut self, playing: bool) -> Arc<str> {
        let (output, neurons) = frame::heat_maps(&self.network, &mut self.render, &self.grid);
        let dense: Vec<_> = self.network.layers().iter().filter_map(|layer| layer.as_dense()).collect();
        let rows = if self.setup.request.problem.is_curve() { 1 } else { frame::GRID };
        let in_progress = self.checkpoint.as_ref().and_then(|checkpoint| checkpoint.epoch_in_progress.as_ref());
        let frame = Frame {
            epoch: self.epochs,
            epoch_samples: [in_progress.map_or(0, |epoch| epoch.samples), self.setup.train.len()],
            steps: self.steps,
            steps_per_second: if playing { self.steps_per_second } else { 0.0 },
            playing,
            train_loss: self.last.as_ref().map(|record| record.train_loss),
            test_loss: self.last.as_ref().and_then(|record| record.validation_loss),
            test_accuracy: self.last.as_ref().and_then(|record| record.validation_metric(Metric::Accuracy)),
            losses: frame::thinned(&self.losses),
            grid: [frame::GRID, rows],
            output,
            neurons,
            weights: dense.iter().map(|layer| layer.weights()).collect(),
            biases: dense.iter().map(|layer| layer.bias()).collect(),
            trace: frame::trace(&self.network, self.checkpoint.as_ref(), &self.rng, &self.setup, self.inspected).ok(),
            error: self.error.clone(),
            changes: &self.changes,
        };
        serde_json::to_string(&frame).expect("a frame serialises").into()
    }

    /// The network as a model file that `neurone predict` reads: its inputs are the features,
    /// named, and the training is recorded in its metadata.
    fn model_file(&self) -> Result<Vec<u8>, Error> {
        let request = &self.setup.request;
        let classification = request.problem.task() == neurone::spec::Task::Classification;
        let names: Vec<String> = request.features.iter().map(|feature| feature.name().to_owned()).collect();
        let classes = vec!["0".to_owned(), "1".to_owned()];
        // The CSV columns `neurone predict` reads: one per feature, by name, and the target y
        // (a number: the classes 0 and 1 of the single sigmoid output are its class names).
        let numeric = |name: &str| Column { name: name.to_owned(), kind: ColumnKind::Numeric };
        let schema = CsvSchema { features: names.iter().map(|name| numeric(name)).collect(), target: numeric("y") };
        let preprocessing = Preprocessing {
            schema: Some(schema),
            feature_names: Some(names),
            class_names: classification.then_some(classes),
            ..Preprocessing::default()
        };
        let training = serde_json::json!({
            "playground": {
                "problem": request.problem,
                "noise": request.noise,
                "train_ratio": request.train_ratio,
                "samples": request.samples,
                "seed": request.seed,
            },
            "network": request.network,
            // The epochs trained, not the spec's default count.
            "training": TrainingSpec { epochs: self.epochs, ..request.training.clone() },
            "epochs": self.epochs,
            "final_train_loss": self.last.as_ref().map(|record| record.train_loss),
            "final_val_loss": self.last.as_ref().and_then(|record| record.validation_loss),
        });
        Model::new(self.network.clone(), preprocessing).with_training(training).to_bytes()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::playground::setup::PlaygroundRequest;

    fn training(optimizer: &str) -> Training {
        training_with(&format!(r#"{{ "optimizer": {{ "kind": "{optimizer}" }}, "batch_size": 7 }}"#), "")
    }

    /// A training of the xor problem with the `training` settings (JSON) and `network` ones
    /// (JSON members after `layers`).
    fn training_with(training: &str, network: &str) -> Training {
        let json = format!(
            r#"{{ "problem": "xor", "train_ratio": 0.5, "samples": 200, "seed": 4, "features": ["x1", "x2"],
                "network": {{ "layers": [6, 3], "dropout": 0.1 {network} }}, "training": {training} }}"#
        );
        Training::new(serde_json::from_str::<PlaygroundRequest>(&json).unwrap().prepare().unwrap()).unwrap()
    }

    /// Every parameter's bits.
    pub(super) fn weights(training: &Training) -> Vec<u32> {
        training
            .network
            .parameters()
            .flat_map(|(_, p)| p.value.iter().map(|w| w.to_bits()).collect::<Vec<_>>())
            .collect()
    }

    #[test]
    fn stretches_of_any_length_give_the_bits_of_one_training() {
        for optimizer in ["sgd", "adam"] {
            let mut straight = training(optimizer);
            straight.train(12);
            let mut paused = training(optimizer);
            for epochs in [1, 5, 2, 4] {
                paused.train(epochs);
            }
            assert_eq!(paused.epochs, 12);
            assert_eq!(paused.losses, straight.losses, "{optimizer}");
            assert_eq!(weights(&paused), weights(&straight), "{optimizer}");
            assert_eq!(paused.steps, 12 * 100usize.div_ceil(7) as u64);
        }
    }

    #[test]
    fn every_schedule_paused_every_epoch_gives_the_bits_of_one_training() {
        let schedules = [
            r#"{ "kind": "step", "step_size": 3, "gamma": 0.5 }"#,
            r#"{ "kind": "exponential", "gamma": 0.8 }"#,
            r#"{ "kind": "cosine", "warmup_epochs": 3, "min_learning_rate": 0.001 }"#,
            r#"{ "kind": "plateau", "patience": 1, "factor": 0.5 }"#,
            r#"{ "kind": "inverse_scaling", "power_t": 0.5, "per_epoch": 10 }"#,
        ];
        for schedule in schedules {
            // The cosine spans the spec's 12 epochs, whatever the stretches.
            let settings = format!(
                r#"{{ "optimizer": {{ "kind": "adam" }}, "learning_rate": 0.05, "batch_size": 7, "epochs": 12,
                    "schedule": {schedule} }}"#
            );
            let mut straight = training_with(&settings, "");
            straight.train(12);
            let mut paused = training_with(&settings, "");
            for _ in 0..12 {
                paused.train(1);
            }
            assert_eq!(paused.error, None, "{schedule}");
            assert_eq!(paused.losses, straight.losses, "{schedule}");
            assert_eq!(weights(&paused), weights(&straight), "{schedule}");
            let checkpoints = [&paused, &straight].map(|training| training.checkpoint.as_ref().unwrap());
            assert_eq!(checkpoints[0].scheduler, checkpoints[1].scheduler, "{schedule}");
            // The learning rate changed along the way, and the checkpoint holds one record only.
            let rate = |training: &Training| training.last.as_ref().unwrap().learning_rate;
            assert!(rate(&paused) < 0.05 && rate(&paused) == rate(&straight), "{schedule}: {}", rate(&paused));
            assert_eq!((checkpoints[0].epoch, checkpoints[0].history.epochs.len()), (12, 1));
        }
    }

    #[test]
    fn the_model_file_loads_and_predicts_what_the_network_does() {
        let mut training = training("adam");
        training.train(3);
        let model = Model::<f32>::from_bytes(&training.model_file().unwrap(), "playground.safetensors").unwrap();
        assert_eq!(model.training["training"]["epochs"], 3, "the epochs trained");
        let inputs = training.setup.test.inputs();
        assert_eq!(model.predict(inputs).unwrap(), training.network.predict(inputs).unwrap());
        // Rows of a CSV file with the features' names are read as the network's inputs.
        let schema = model.preprocessing.schema.as_ref().unwrap();
        let csv = format!("x1,x2,y\n{},{},1\n", inputs.row(0)[0], inputs.row(0)[1]);
        let rows = schema.encode_reader::<f32>(csv.as_bytes(), "rows.csv").unwrap();
        assert_eq!(rows.inputs.row(0), inputs.row(0));
    }
}
