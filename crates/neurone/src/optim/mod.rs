//! Optimizers: how parameters move given their gradients.

mod sgd;

pub use sgd::Sgd;

use crate::Scalar;

/// An update rule applied to each parameter tensor after backpropagation.
///
/// [`Network::update`](crate::Network::update) calls [`Optimizer::begin_step`] once, then
/// [`Optimizer::update`] for every tensor in a fixed order; `slot` numbers the tensors so that
/// an optimizer with per-parameter state (momentum, moments) can keep it between steps.
pub trait Optimizer<S: Scalar> {
    /// Called once per step, before the tensors are updated.
    fn begin_step(&mut self) {}

    /// Updates one parameter tensor in place from its gradient.
    fn update(&mut self, slot: usize, value: &mut [S], gradient: &[S]);

    /// The learning rate η in use.
    fn learning_rate(&self) -> f64;

    /// Changes η (for learning-rate schedules).
    fn set_learning_rate(&mut self, learning_rate: f64);
}
