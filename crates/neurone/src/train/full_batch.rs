//! The full-batch solvers besides L-BFGS: one step of iRprop− per epoch from the gradient of
//! the whole training set.

use super::{Batches, EpochOutcome, Penalty, Solver, StepSettings};
use crate::data::DatasetView;
use crate::network::Mode;
use crate::optim::{OptimizerState, Rprop};
use crate::{Error, Network, Rng, Scalar};

impl<S: Scalar> Solver<S> for Rprop<S> {
    fn name(&self) -> &'static str {
        "iRprop−"
    }

    fn learning_rate(&self) -> f64 {
        1.0
    }

    fn set_learning_rate(&mut self, _: f64) {}

    fn has_learning_rate(&self) -> bool {
        false
    }

    fn state(&self) -> OptimizerState {
        Rprop::state(self)
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        Rprop::load_state(self, state)
    }

    /// One iRprop− step from the gradient of J + penalty on the whole training set; the loss
    /// reported is J before the step (as a minibatch epoch reports its batches' losses).
    fn run_epoch(
        &mut self,
        network: &mut Network<S>,
        batches: &mut Batches<'_, S>,
        settings: &StepSettings<'_>,
        _: &mut Rng,
    ) -> Result<EpochOutcome, Error> {
        let train_loss = full_batch_gradient(network, batches.data(), &settings.penalty);
        if train_loss.is_finite() {
            for (slot, (_, parameter)) in network.parameters_mut().enumerate() {
                self.update(slot, parameter);
            }
            self.finish_step();
        }
        Ok(EpochOutcome { train_loss, converged: false, interrupted: false, out_of_evaluations: false })
    }
}

/// Forward and backward passes over all of `data`: every tensor's gradient becomes that of
/// J + penalty; returns J.
fn full_batch_gradient<S: Scalar>(network: &mut Network<S>, data: DatasetView<'_, S>, penalty: &Penalty) -> f64 {
    let (inputs, targets) = (data.inputs(), data.targets());
    network.forward_rows(inputs, data.len(), Mode::Train);
    let loss = network.backward_rows(inputs, targets, data.sample_weights());
    penalty.add_gradient(network);
    loss
}
