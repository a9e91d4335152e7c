//! A training [`Checkpoint`] as one `.safetensors` file, written atomically:
//!
//! - tensors: the network's, named as in a model file (`layers.0.weight`, …); the best epoch's
//!   network under `best.` (`best.layers.0.weight`, …); the optimizer's state under
//!   `optimizer.` (`optimizer.exp_avg.0`, …), always F64 because L-BFGS keeps its pairs in f64;
//! - metadata: `format` = `neurone-checkpoint`, `format_version`, `architecture` (as in a model
//!   file) and `training`: the rest of the state as JSON (optimizer name, step and learning
//!   rate, schedule, both random generators, the epoch, the history, the best value, the patience
//!   count, and an epoch paused between two steps: its order, position and loss sum). Files
//!   written before the epoch was recorded lack it: their history then holds every epoch, and its
//!   length is the epoch.
//!
//! One file rather than a folder, so that a crash leaves the previous checkpoint or the new one
//! whole, never a mix of both.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::architecture::{Architecture, rebuild, tensors_of};
use super::model_format::{ARCHITECTURE, check_format, metadata_of, parse_json};
use super::tensor_file::{TensorData, TensorFile, write_safetensors};
use super::write_atomic;
use crate::optim::{OptimizerState, SchedulerState};
use crate::train::{Checkpoint, EpochInProgress, History};
use crate::{Error, Network, Rng, Scalar};

/// `__metadata__["format"]` of a checkpoint.
pub const CHECKPOINT_FORMAT_NAME: &str = "neurone-checkpoint";
/// `__metadata__["format_version"]` of the checkpoints this build writes and reads.
pub const CHECKPOINT_FORMAT_VERSION: u32 = 1;

const TRAINING: &str = "training";
const BEST: &str = "best.";
const OPTIMIZER: &str = "optimizer.";

/// The `training` metadata: everything but the tensors.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrainingJson {
    optimizer: String,
    step: u64,
    learning_rate: f64,
    /// The optimizer's tensor names, in the order the optimizer gave them.
    optimizer_tensors: Vec<String>,
    scheduler: Option<SchedulerState>,
    rng: RngJson,
    network_rng: RngJson,
    /// Absent from the files written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    epoch: Option<usize>,
    history: History,
    best_value: Option<f64>,
    epochs_without_improvement: usize,
    /// Present only in the checkpoint of an epoch paused between two steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    epoch_in_progress: Option<EpochInProgressJson>,
}

/// [`EpochInProgress`] in the `training` metadata.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EpochInProgressJson {
    order: Vec<usize>,
    samples: usize,
    loss_sum: f64,
}

/// A ChaCha generator's exact position: its key, stream and word position (a decimal string,
/// since it is a 128-bit number and JSON numbers are not).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RngJson {
    seed: String,
    stream: u64,
    word_pos: String,
}

impl From<&Rng> for RngJson {
    fn from(rng: &Rng) -> Self {
        let seed = rng.get_seed().iter().map(|byte| format!("{byte:02x}")).collect();
        Self { seed, stream: rng.get_stream(), word_pos: rng.get_word_pos().to_string() }
    }
}

impl RngJson {
    fn to_rng(&self) -> Option<Rng> {
        let mut seed = [0u8; 32];
        if self.seed.len() != 64 || !self.seed.is_ascii() {
            return None;
        }
        for (byte, pair) in seed.iter_mut().zip(self.seed.as_bytes().chunks(2)) {
            *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        let mut rng = <Rng as rand::SeedableRng>::from_seed(seed);
        rng.set_stream(self.stream);
        rng.set_word_pos(self.word_pos.parse().ok()?);
        Some(rng)
    }
}

impl<S: Scalar> Checkpoint<S> {
    /// Writes the checkpoint to `path` atomically (the previous file stays whole until the new
    /// one is complete).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_atomic(path.as_ref(), &self.to_bytes()?)
    }

    /// Reads a checkpoint written by [`Checkpoint::save`]. Errors name the file and what is
    /// wrong, as for model files; the optimizer's tensors must match the network's.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(Error::io(path))?;
        Self::from_bytes(&bytes, path)
    }

    /// The bytes [`Checkpoint::save`] writes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        encode(self)
    }

    /// Reads a checkpoint from the bytes of a checkpoint file; `name` stands for the file in errors.
    pub fn from_bytes(bytes: &[u8], name: impl AsRef<Path>) -> Result<Self, Error> {
        decode(bytes, name.as_ref())
    }
}

fn encode<S: Scalar>(checkpoint: &Checkpoint<S>) -> Result<Vec<u8>, Error> {
    let mut tensors = tensors_of(&checkpoint.network, "");
    if let Some((_, best)) = &checkpoint.best {
        tensors.extend(tensors_of(best, BEST));
    }
    let solver = &checkpoint.solver;
    for (name, values) in &solver.tensors {
        tensors.push(TensorData::float(format!("{OPTIMIZER}{name}"), vec![values.len()], values));
    }
    if let Some(tensor) = tensors.iter().find(|tensor| !tensor.is_finite()) {
        return Err(Error::invalid("checkpoint", format!("tensor `{}` holds NaN or infinite values", tensor.name)));
    }
    let training = TrainingJson {
        optimizer: solver.optimizer.clone(),
        step: solver.step,
        learning_rate: solver.learning_rate,
        optimizer_tensors: solver.tensors.iter().map(|(name, _)| name.clone()).collect(),
        scheduler: checkpoint.scheduler,
        rng: RngJson::from(&checkpoint.rng),
        network_rng: RngJson::from(checkpoint.network.rng()),
        epoch: Some(checkpoint.epoch),
        history: checkpoint.history.clone(),
        best_value: checkpoint.best.as_ref().map(|(value, _)| *value),
        epochs_without_improvement: checkpoint.epochs_without_improvement,
        epoch_in_progress: checkpoint.epoch_in_progress.as_ref().map(|epoch| EpochInProgressJson {
            order: epoch.order.clone(),
            samples: epoch.samples,
            loss_sum: epoch.loss_sum,
        }),
    };
    let json = |value: serde_json::Result<String>| {
        value.map_err(|error| Error::invalid("checkpoint", format!("cannot be written as JSON: {error}")))
    };
    let metadata = metadata_of(
        CHECKPOINT_FORMAT_NAME,
        CHECKPOINT_FORMAT_VERSION,
        vec![
            (ARCHITECTURE, json(serde_json::to_string(&Architecture::of(&checkpoint.network)))?),
            (TRAINING, json(serde_json::to_string(&training))?),
        ],
    );
    Ok(write_safetensors(&tensors, &metadata))
}

fn decode<S: Scalar>(bytes: &[u8], path: &Path) -> Result<Checkpoint<S>, Error> {
    let mut file = TensorFile::parse(bytes, path)?;
    check_format(&file, CHECKPOINT_FORMAT_NAME, CHECKPOINT_FORMAT_VERSION, "checkpoint")?;
    let missing = |file: &TensorFile<'_>, key: &str| file.error(format!("no `{key}` in the metadata"));
    let architecture: Architecture = parse_json(&file, ARCHITECTURE)?.ok_or_else(|| missing(&file, ARCHITECTURE))?;
    let training: TrainingJson = parse_json(&file, TRAINING)?.ok_or_else(|| missing(&file, TRAINING))?;

    let mut network = rebuild::<S>(&architecture, &mut file, "")?;
    let best = match training.best_value {
        Some(value) => Some((value, rebuild::<S>(&architecture, &mut file, BEST)?)),
        None => None,
    };
    let mut tensors = Vec::with_capacity(training.optimizer_tensors.len().min(1024));
    for name in &training.optimizer_tensors {
        tensors.push((name.clone(), file.take_vector::<f64>(&format!("{OPTIMIZER}{name}"))?));
    }
    file.finish()?;
    let solver = OptimizerState {
        optimizer: training.optimizer,
        step: training.step,
        learning_rate: training.learning_rate,
        tensors,
    };
    check_optimizer_tensors(&solver, &network).map_err(|reason| Error::data(path, reason))?;
    let bad_rng = |key: &str| Error::data(path, format!("metadata `{TRAINING}`: `{key}` is not a generator state"));
    network.set_rng(training.network_rng.to_rng().ok_or_else(|| bad_rng("network_rng"))?);
    Ok(Checkpoint {
        epoch: training.epoch.unwrap_or(training.history.epochs.len()),
        network,
        solver,
        scheduler: training.scheduler,
        rng: training.rng.to_rng().ok_or_else(|| bad_rng("rng"))?,
        history: training.history,
        best,
        epochs_without_improvement: training.epochs_without_improvement,
        epoch_in_progress: training
            .epoch_in_progress
            .map(|EpochInProgressJson { order, samples, loss_sum }| EpochInProgress { order, samples, loss_sum }),
    })
}

/// Checks that every optimizer tensor fits the network, so that the first update after resuming
/// cannot meet a buffer of the wrong length: L-BFGS keeps vectors of all the parameters,
/// Levenberg–Marquardt its damping μ, the other optimizers one buffer per parameter tensor,
/// named `<name>.<slot>`.
fn check_optimizer_tensors<S: Scalar>(state: &OptimizerState, network: &Network<S>) -> Result<(), String> {
    let slot_lengths: Vec<usize> = network.parameters().map(|(_, parameter)| parameter.value.len()).collect();
    for (name, values) in &state.tensors {
        let expected = match state.optimizer.as_str() {
            "lbfgs" => Some(slot_lengths.iter().sum()),
            // μ alone.
            "levenberg_marquardt" => Some(1),
            _ => {
                let slot = name.rsplit_once('.').and_then(|(_, slot)| slot.parse::<usize>().ok());
                slot.and_then(|slot| slot_lengths.get(slot).copied())
            }
        };
        match expected {
            Some(length) if length == values.len() => {}
            Some(length) => {
                return Err(format!(
                    "tensor `{OPTIMIZER}{name}` has {} values, the network's parameters need {length}",
                    values.len()
                ));
            }
            None => return Err(format!("tensor `{OPTIMIZER}{name}` belongs to no parameter of the network")),
        }
    }
    Ok(())
}
