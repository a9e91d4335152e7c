//! The files of a run's folder, named once: `neurone train` writes them, `neurone train
//! --resume` reads its checkpoint and configuration back, and the runs page of `neurone ui`
//! lists them.

/// The experiment, every default written out, as the run used it.
pub const CONFIG: &str = "config.toml";
/// The trained model (see [`Model`](super::Model)).
pub const MODEL: &str = "model.safetensors";
/// The last checkpoint, replaced each time one is taken.
pub const CHECKPOINT: &str = "checkpoint.safetensors";
/// One row per epoch: losses and metrics.
pub const HISTORY: &str = "history.csv";
/// The test samples' predictions.
pub const PREDICTIONS: &str = "predictions.csv";
/// The test metrics and what the run was.
pub const METRICS: &str = "metrics.json";
/// Held, with the process id of the run writing into the folder, until that run ends.
pub const LOCK: &str = ".neurone.lock";
