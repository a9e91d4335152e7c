//! Optimizers: how parameters move given their gradients; and learning-rate schedules.
//!
//! Every optimizer implements [`Optimizer`] with PyTorch's update rule and defaults, written in
//! the course's notation beside the code: [`Sgd`] (with momentum or Nesterov), [`RmsProp`],
//! [`Adagrad`], [`Adam`] and [`AdamW`]. The full-batch methods are apart, each taking one
//! step per epoch from the gradient of the whole training set: [`Lbfgs`], a quasi-Newton method
//! that evaluates the loss several times per step, [`LevenbergMarquardt`], damped Gauss–Newton
//! steps for least squares, and [`Rprop`], whose steps follow the gradient's sign alone. [`Scheduler`] changes η from epoch to epoch.

mod adagrad;
mod adam;
mod adamw;
mod lbfgs;
mod levenberg_marquardt;
mod momentum;
mod plateau;
mod rmsprop;
mod rprop;
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
pub use levenberg_marquardt::{
    LeastSquares, LevenbergMarquardt, LevenbergMarquardtSettings, LevenbergMarquardtStatus, LevenbergMarquardtStep,
    NormalEquations,
};
pub use plateau::{Plateau, PlateauMode};
pub use rmsprop::{RmsProp, RmsPropSettings};
pub use rprop::{Rprop, RpropSettings};
pub use schedule::{Schedule, Scheduler, SchedulerState};
pub use sgd::{Sgd, SgdSettings};
pub use state::OptimizerState;

use crate::layer::ParameterMut;
use crate::{Error, Scalar};

/// The step an update belongs to: its number t (1 for the first) and the learning rate η. The
/// caller (the [`Trainer`](crate::Trainer)) counts the steps and schedules η; an update rule
/// only applies its formula.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// t, from 1.
    pub number: u64,
    /// η for this step.
    pub learning_rate: f64,
}

/// An update rule applied to each parameter tensor after backpropagation.
///
/// [`Network::update`](crate::Network::update) calls [`Optimizer::update`] for every tensor in
/// a fixed order, with the same [`Step`]; `slot` numbers the tensors so that a rule with
/// per-parameter buffers (momentum, moments) can keep them between steps.
pub trait Optimizer<S: Scalar> {
    /// The rule's name in checkpoints, e.g. `"adam"`.
    fn name(&self) -> &'static str;

    /// η when none is given: PyTorch's for this rule.
    fn default_learning_rate(&self) -> f64;

    /// Updates one parameter tensor in place from its gradient. `parameter.regularised` tells
    /// dense weights from biases and batch-norm parameters, for rules that treat them differently.
    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>, step: Step);

    /// The buffers the rule has accumulated (momentum, moments), named `<buffer>.<slot>` and
    /// widened to f64, for checkpoints.
    fn buffers(&self) -> Vec<(String, Vec<f64>)>;

    /// Restores buffers returned by [`Optimizer::buffers`] of the same rule: all of them, or
    /// none if any is wrong.
    fn load_buffers(&mut self, buffers: &[(String, Vec<f64>)]) -> Result<(), Error>;
}

/// A boxed optimizer is an optimizer, so the choice can be made at run time.
impl<S: Scalar, O: Optimizer<S> + ?Sized> Optimizer<S> for Box<O> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn default_learning_rate(&self) -> f64 {
        (**self).default_learning_rate()
    }
    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>, step: Step) {
        (**self).update(slot, parameter, step);
    }
    fn buffers(&self) -> Vec<(String, Vec<f64>)> {
        (**self).buffers()
    }
    fn load_buffers(&mut self, buffers: &[(String, Vec<f64>)]) -> Result<(), Error> {
        (**self).load_buffers(buffers)
    }
}
