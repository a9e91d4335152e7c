//! The full-batch solvers besides L-BFGS, one step per epoch on the whole training set: iRprop−
//! from the gradient's signs, Levenberg–Marquardt from the Jacobian of the residuals.

use super::jacobian::NetworkResiduals;
use super::solver::set_parameters;
use super::{Batch, Batches, EpochOutcome, Penalty, Solver, StepSettings};
use crate::layer::Layer;
use crate::network::Mode;
use crate::optim::{LevenbergMarquardt, OptimizerState, Rprop};
use crate::{Error, Loss, Network, Rng, Scalar};

impl<S: Scalar> Solver<S> for Rprop<S> {
    fn name(&self) -> &'static str {
        "iRprop−"
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
        let train_loss = full_batch_gradient(network, batches.whole(), &settings.penalty);
        if train_loss.is_finite() {
            for (slot, (_, parameter)) in network.parameters_mut().enumerate() {
                self.update(slot, parameter);
            }
            self.finish_step();
        }
        Ok(EpochOutcome { train_loss, converged: false, interrupted: false, out_of_evaluations: false })
    }
}

impl<S: Scalar> Solver<S> for LevenbergMarquardt {
    fn name(&self) -> &'static str {
        "Levenberg–Marquardt"
    }

    fn state(&self) -> OptimizerState {
        LevenbergMarquardt::state(self)
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        LevenbergMarquardt::load_state(self, state)
    }

    /// A least-squares loss, differentiable penalties, and layers that treat each sample alone
    /// (batch norm couples them, dropout changes the objective between two evaluations).
    fn check_network(&self, network: &Network<S>, penalty: &Penalty) -> Result<(), Error> {
        let loss = network.loss();
        if loss != Loss::MeanSquaredError {
            return Err(Error::invalid(
                "loss",
                format!("levenberg_marquardt fits least squares (mse), not {loss}: use lbfgs for {loss}"),
            ));
        }
        if penalty.l1 > 0.0 {
            return Err(Error::invalid("l1", "levenberg_marquardt needs a differentiable penalty: use l2, or lbfgs"));
        }
        if let Some(layer) = network.layers().iter().find(|layer| !matches!(layer, Layer::Dense(_))) {
            return Err(Error::invalid(
                "optimizer",
                format!("levenberg_marquardt needs dense layers only, not {}: use lbfgs", layer.describe()),
            ));
        }
        Ok(())
    }

    /// One damped Gauss–Newton step on J + ½ l2 ‖W‖² over the whole training set; the loss
    /// reported is J after the step.
    fn run_epoch(
        &mut self,
        network: &mut Network<S>,
        batches: &mut Batches<'_, S>,
        settings: &StepSettings<'_>,
        _: &mut Rng,
    ) -> Result<EpochOutcome, Error> {
        let mut parameters = Vec::with_capacity(network.parameter_count());
        for (_, parameter) in network.parameters() {
            parameters.extend(parameter.value.iter().map(|v| v.to_f64()));
        }
        let mut problem = NetworkResiduals::new(network, batches.whole(), &settings.penalty);
        let Ok(step) = self.step(&mut parameters, &mut problem) else {
            // The only possible failure here: J or its gradient is not finite where the step starts.
            return Ok(EpochOutcome {
                train_loss: f64::NAN,
                converged: false,
                interrupted: false,
                out_of_evaluations: false,
            });
        };
        // The network holds the last point evaluated, which may be a refused one.
        set_parameters(network, &parameters);
        Ok(EpochOutcome {
            train_loss: step.residual_loss,
            converged: step.should_stop(),
            interrupted: false,
            out_of_evaluations: false,
        })
    }
}

/// Forward and backward passes over all of `data`: every tensor's gradient becomes that of
/// J + penalty; returns J.
fn full_batch_gradient<S: Scalar>(network: &mut Network<S>, data: Batch<'_, S>, penalty: &Penalty) -> f64 {
    let Batch { inputs, targets, weights, rows } = data;
    network.forward_rows(inputs, rows, Mode::Train);
    let loss = network.backward_rows(inputs, targets, weights);
    penalty.add_gradient(network);
    loss
}
