//! Where training stands at the end of an epoch, or between two of its steps: everything needed
//! to go on as if it had never stopped.

use super::{EpochInProgress, History};
use crate::optim::{OptimizerState, SchedulerState};
use crate::{Network, Rng, Scalar};

/// A snapshot of training at the end of an epoch (or between two steps, see
/// [`Checkpoint::epoch_in_progress`]), taken by
/// [`Trainer::checkpoint_every`](super::Trainer::checkpoint_every) or returned by
/// [`Trainer::continue_for`](super::Trainer::continue_for), and continued by
/// [`Trainer::continue_for`](super::Trainer::continue_for).
///
/// Resuming replays nothing: the weights, the optimizer's moments and step count, the
/// learning-rate schedule, both random generators (the run's, which shuffles, and the
/// network's, which draws dropout masks), the history and early stopping's best epoch are all
/// here, so training 10 epochs straight and training 5, saving, loading and training 5 more
/// give the same bits. [`Checkpoint::save`] and [`Checkpoint::load`] keep it in one
/// `.safetensors` file.
#[derive(Clone, Debug)]
pub struct Checkpoint<S: Scalar> {
    /// The epoch it was taken after (numbered from 1; 0 before any), from which the next is
    /// numbered. It is recorded, not counted from `history`, which may keep only its last
    /// records ([`Trainer::keep_records`](super::Trainer::keep_records)).
    pub epoch: usize,
    /// The network after the epoch (its dropout generator included).
    pub network: Network<S>,
    /// The solver's accumulated state (moments, step count, learning rate, L-BFGS pairs).
    pub solver: OptimizerState,
    /// The learning-rate schedule's state, if training uses one.
    pub scheduler: Option<SchedulerState>,
    /// The run's generator, which draws the next epoch's shuffle.
    pub rng: Rng,
    /// Every epoch so far (the last ones only, with
    /// [`Trainer::keep_records`](super::Trainer::keep_records)).
    pub history: History,
    /// The best monitored value so far and the network of that epoch.
    pub best: Option<(f64, Network<S>)>,
    /// Epochs since the monitored value last improved (early stopping's patience count).
    pub epochs_without_improvement: usize,
    /// The epoch after [`Checkpoint::epoch`] when it paused between two steps
    /// ([`Stretch::Steps`](super::Stretch::Steps)): its order and position, from which the
    /// next step goes on; `None` at the end of an epoch.
    pub epoch_in_progress: Option<EpochInProgress>,
}
