//! An optimizer's accumulated state, in a form checkpoints can store.

use crate::Error;

/// The state of an optimizer between steps: its step count and named per-parameter tensors
/// (e.g. Adam's `exp_avg.3` for the first moment of tensor slot 3), values widened to `f64`
/// (exact for `f32`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptimizerState {
    /// The optimizer's name, e.g. `"sgd"` or `"adam"`, checked when the state is loaded.
    pub optimizer: String,
    /// Number of steps taken.
    pub step: u64,
    /// The learning rate in use.
    pub learning_rate: f64,
    /// Named tensors, in a fixed order.
    pub tensors: Vec<(String, Vec<f64>)>,
}

impl OptimizerState {
    /// Checks that this state belongs to an optimizer called `name`.
    pub fn expect_optimizer(&self, name: &str) -> Result<(), Error> {
        if self.optimizer == name {
            Ok(())
        } else {
            Err(Error::invalid(
                "optimizer state",
                format!("saved by `{}`, cannot be loaded into `{name}`", self.optimizer),
            ))
        }
    }
}
