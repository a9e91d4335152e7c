//! Optimizers: how parameters move given their gradients; and learning-rate schedules.
//!
//! Every optimizer implements [`Optimizer`] with PyTorch's update rule and defaults, written in
//! the course's notation beside the code: [`Sgd`] (with momentum or Nesterov), [`RmsProp`],
//! [`Adagrad`], [`Adam`] and [`AdamW`]. [`Lbfgs`] is apart: a full-batch quasi-Newton method
//! that evaluates the loss several times per step. [`Scheduler`] changes η from epoch to epoch.

mod adagrad;
mod adam;
mod adamw;
mod lbfgs;
mod plateau;
mod rmsprop;
mod schedule;
mod sgd;
mod slots;
mod state;
#[cfg(test)]
mod testing;

pub use adagrad::{Adagrad, AdagradSettings};
pub use adam::{Adam, AdamSettings};
pub use adamw::{AdamW, AdamWSettings};
pub use lbfgs::{Lbfgs, LbfgsSettings, LbfgsStatus, LbfgsStep};
pub use plateau::{Plateau, PlateauMode};
pub use rmsprop::{RmsProp, RmsPropSettings};
pub use schedule::{Schedule, Scheduler, SchedulerState};
pub use sgd::{Sgd, SgdSettings};
pub use state::OptimizerState;

use crate::layer::ParameterMut;
use crate::{Error, Scalar};

/// An update rule applied to each parameter tensor after backpropagation.
///
/// [`Network::update`](crate::Network::update) calls [`Optimizer::begin_step`] once, then
/// [`Optimizer::update`] for every tensor in a fixed order; `slot` numbers the tensors so that
/// an optimizer with per-parameter state (momentum, moments) can keep it between steps.
pub trait Optimizer<S: Scalar> {
    /// Called once per step, before the tensors are updated.
    fn begin_step(&mut self) {}

    /// Updates one parameter tensor in place from its gradient. `parameter.regularised` tells
    /// dense weights from biases and batch-norm parameters, for rules that treat them differently.
    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>);

    /// The learning rate η in use.
    fn learning_rate(&self) -> f64;

    /// Changes η (for learning-rate schedules).
    fn set_learning_rate(&mut self, learning_rate: f64);

    /// Everything the optimizer has accumulated (step count, moments), for checkpoints.
    fn state(&self) -> OptimizerState;

    /// Restores a state returned by [`Optimizer::state`] of the same kind of optimizer.
    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error>;
}

/// A boxed optimizer is an optimizer, so the choice can be made at run time.
impl<S: Scalar, O: Optimizer<S> + ?Sized> Optimizer<S> for Box<O> {
    fn begin_step(&mut self) {
        (**self).begin_step();
    }
    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>) {
        (**self).update(slot, parameter);
    }
    fn learning_rate(&self) -> f64 {
        (**self).learning_rate()
    }
    fn set_learning_rate(&mut self, learning_rate: f64) {
        (**self).set_learning_rate(learning_rate);
    }
    fn state(&self) -> OptimizerState {
        (**self).state()
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        (**self).load_state(state)
    }
}
