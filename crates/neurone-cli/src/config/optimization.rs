//! `[train.optimizer]` and `[train.schedule]`: which optimizer, with which settings, and how
//! the learning rate changes. Defaults are PyTorch's (and scikit-learn's, where they agree).

use neurone::optim::{Plateau, PlateauMode};
use neurone::{Adagrad, Adam, AdamW, Error, Lbfgs, Monitor, RmsProp, Scalar, Schedule, Sgd, Trainer};
use serde::{Deserialize, Serialize};

/// The optimizer and its settings, e.g. `optimizer = { kind = "adam", beta2 = 0.99 }`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OptimizerConfig {
    /// Gradient descent, with optional (Nesterov) momentum.
    Sgd {
        #[serde(default)]
        momentum: f64,
        #[serde(default)]
        nesterov: bool,
    },
    /// RMSprop: η scaled by a running average of squared gradients.
    Rmsprop {
        #[serde(default = "defaults::alpha")]
        alpha: f64,
        #[serde(default = "defaults::epsilon")]
        epsilon: f64,
        #[serde(default)]
        momentum: f64,
        #[serde(default)]
        centered: bool,
    },
    /// Adagrad: η scaled by the sum of all past squared gradients.
    Adagrad {
        #[serde(default = "defaults::adagrad_epsilon")]
        epsilon: f64,
    },
    /// Adam with bias correction.
    Adam {
        #[serde(default = "defaults::beta1")]
        beta1: f64,
        #[serde(default = "defaults::beta2")]
        beta2: f64,
        #[serde(default = "defaults::epsilon")]
        epsilon: f64,
    },
    /// Adam with decoupled weight decay on the weights.
    Adamw {
        #[serde(default = "defaults::beta1")]
        beta1: f64,
        #[serde(default = "defaults::beta2")]
        beta2: f64,
        #[serde(default = "defaults::epsilon")]
        epsilon: f64,
        #[serde(default = "defaults::weight_decay")]
        weight_decay: f64,
    },
    /// Full-batch L-BFGS, one iteration per epoch (scikit-learn's default solver).
    Lbfgs {
        #[serde(default = "defaults::history_size")]
        history_size: usize,
    },
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig::Sgd { momentum: 0.0, nesterov: false }
    }
}

impl OptimizerConfig {
    /// The learning rate used when the experiment gives none: PyTorch's defaults (SGD has none
    /// there; 0.01 is Keras').
    pub fn default_learning_rate(&self) -> f64 {
        match self {
            OptimizerConfig::Sgd { .. } | OptimizerConfig::Rmsprop { .. } | OptimizerConfig::Adagrad { .. } => 0.01,
            OptimizerConfig::Adam { .. } | OptimizerConfig::Adamw { .. } => 0.001,
            OptimizerConfig::Lbfgs { .. } => 1.0,
        }
    }

    /// A trainer driven by this optimizer at `learning_rate`.
    pub fn trainer<'a, S: Scalar>(&self, learning_rate: f64) -> Result<Trainer<'a, S>, Error> {
        Ok(match *self {
            OptimizerConfig::Sgd { momentum, nesterov } => {
                Trainer::new(Sgd::new(learning_rate)?.momentum(momentum)?.nesterov(nesterov)?)
            }
            OptimizerConfig::Rmsprop { alpha, epsilon, momentum, centered } => Trainer::new(
                RmsProp::new(learning_rate)?.alpha(alpha)?.epsilon(epsilon)?.momentum(momentum)?.centered(centered),
            ),
            OptimizerConfig::Adagrad { epsilon } => Trainer::new(Adagrad::new(learning_rate)?.epsilon(epsilon)?),
            OptimizerConfig::Adam { beta1, beta2, epsilon } => {
                Trainer::new(Adam::new(learning_rate)?.betas(beta1, beta2)?.epsilon(epsilon)?)
            }
            OptimizerConfig::Adamw { beta1, beta2, epsilon, weight_decay } => Trainer::new(
                AdamW::new(learning_rate)?.betas(beta1, beta2)?.epsilon(epsilon)?.weight_decay(weight_decay)?,
            ),
            OptimizerConfig::Lbfgs { history_size } => Trainer::lbfgs(Lbfgs::default().history_size(history_size)?),
        })
    }
}

/// How the learning rate changes from epoch to epoch, e.g. `schedule = { kind = "cosine" }`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScheduleConfig {
    /// η₀ γ^⌊epoch / step_size⌋.
    Step { step_size: usize, gamma: f64 },
    /// η₀ γ^epoch.
    Exponential { gamma: f64 },
    /// Linear warm-up, then cosine annealing down to `min_learning_rate` at epoch `epochs`
    /// (default: the training's epochs).
    Cosine {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epochs: Option<usize>,
        #[serde(default)]
        min_learning_rate: f64,
        #[serde(default)]
        warmup_epochs: usize,
    },
    /// η × factor once the monitored quantity (early stopping's, else the validation loss)
    /// has not improved for `patience` epochs.
    Plateau {
        #[serde(default = "defaults::plateau_factor")]
        factor: f64,
        #[serde(default = "defaults::plateau_patience")]
        patience: usize,
        #[serde(default = "defaults::plateau_threshold")]
        threshold: f64,
        #[serde(default)]
        cooldown: usize,
        #[serde(default)]
        min_learning_rate: f64,
    },
}

impl ScheduleConfig {
    /// The library's schedule for a run of `epochs` epochs whose best epoch is judged by
    /// `monitor` (reduce-on-plateau follows its direction).
    pub fn schedule(&self, epochs: usize, monitor: Monitor) -> Schedule {
        match *self {
            ScheduleConfig::Step { step_size, gamma } => Schedule::Step { step_size, gamma },
            ScheduleConfig::Exponential { gamma } => Schedule::Exponential { gamma },
            ScheduleConfig::Cosine { epochs: length, min_learning_rate, warmup_epochs } => {
                Schedule::Cosine { epochs: length.unwrap_or(epochs), min_learning_rate, warmup_epochs }
            }
            ScheduleConfig::Plateau { factor, patience, threshold, cooldown, min_learning_rate } => {
                let mode = if monitor.maximises() { PlateauMode::Maximise } else { PlateauMode::Minimise };
                Schedule::ReduceOnPlateau(Plateau { factor, patience, threshold, cooldown, min_learning_rate, mode })
            }
        }
    }
}

mod defaults {
    pub fn alpha() -> f64 {
        0.99
    }
    pub fn epsilon() -> f64 {
        1e-8
    }
    pub fn adagrad_epsilon() -> f64 {
        1e-10
    }
    pub fn beta1() -> f64 {
        0.9
    }
    pub fn beta2() -> f64 {
        0.999
    }
    pub fn weight_decay() -> f64 {
        0.01
    }
    pub fn history_size() -> usize {
        10
    }
    pub fn plateau_factor() -> f64 {
        0.1
    }
    pub fn plateau_patience() -> usize {
        10
    }
    pub fn plateau_threshold() -> f64 {
        1e-4
    }
}
