//! What one epoch does to the parameters: minibatch steps of a gradient [`Optimizer`], or one
//! full-batch iteration of [`Lbfgs`].

use std::ops::ControlFlow;

use super::{Batch, Batches, Clipping, Penalty};
use crate::check::check_learning_rate;
use crate::network::Mode;
use crate::optim::{Lbfgs, LbfgsStatus, OptimizerState, Step};
use crate::{Error, Network, Optimizer, Rng, Scalar};

/// What every step of an epoch applies besides the solver's own rule.
#[derive(Clone, Copy, Default)]
pub struct StepSettings<'a> {
    /// Weight penalty added to the objective.
    pub penalty: Penalty,
    /// Gradient clipping before each update.
    pub clipping: Option<Clipping>,
    /// Asked before every batch: when it returns true (e.g. after Ctrl-C), the epoch ends there.
    pub stop: Option<&'a dyn Fn() -> bool>,
}

impl StepSettings<'_> {
    fn stop_requested(&self) -> bool {
        self.stop.is_some_and(|requested| requested())
    }
}

/// The outcome of one epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochOutcome {
    /// Mean data loss J over the batches run (penalty excluded); NaN or infinite if training
    /// diverged.
    pub train_loss: f64,
    /// True when the solver has converged and further epochs would change nothing.
    pub converged: bool,
    /// True when a stop was requested and the epoch ended early.
    pub interrupted: bool,
    /// True when the solver used the last of its own budget (L-BFGS's `max_evaluations`)
    /// without converging.
    pub out_of_evaluations: bool,
}

/// A way of moving the parameters for one epoch: minibatch steps of a gradient optimizer
/// ([`Minibatch`]), or one full-batch quasi-Newton iteration of [`Lbfgs`] (scikit-learn's
/// `lbfgs` solver also counts its iterations as epochs).
pub trait Solver<S: Scalar> {
    /// The solver's name in messages: the optimizer's (`"adam"`), `"L-BFGS"`, `"iRprop−"`.
    fn name(&self) -> &'static str;

    /// The learning rate η in use. The full-batch solvers have none (L-BFGS's line search,
    /// iRprop−'s step sizes and Levenberg–Marquardt's damping pick each step): they report 1.
    fn learning_rate(&self) -> f64 {
        1.0
    }

    /// Changes η, for learning-rate schedules; nothing for a solver without one.
    fn set_learning_rate(&mut self, _learning_rate: f64) {}

    /// True if [`Solver::set_learning_rate`] has an effect.
    fn has_learning_rate(&self) -> bool {
        false
    }

    /// Checks that the solver suits `network` trained with `penalty` (Levenberg–Marquardt needs
    /// a least-squares loss); every solver but that one suits every network.
    fn check_network(&self, _network: &Network<S>, _penalty: &Penalty) -> Result<(), Error> {
        Ok(())
    }

    /// Runs one epoch over `batches`, with the penalty, clipping and stop request of `settings`:
    /// the rest of it if `batches` holds a paused epoch, and until `batches`' step limit pauses
    /// it (a full-batch solver's epoch is one step, on [`Batches::whole`]).
    fn run_epoch(
        &mut self,
        network: &mut Network<S>,
        batches: &mut Batches<'_, S>,
        settings: &StepSettings<'_>,
        rng: &mut Rng,
    ) -> Result<EpochOutcome, Error>;

    /// Everything the solver has accumulated, for checkpoints.
    fn state(&self) -> OptimizerState;

    /// Restores a state returned by [`Solver::state`].
    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error>;
}

/// Why a minibatch epoch ended before its last batch.
#[derive(Clone, Copy, Debug, PartialEq)]
enum EarlyEnd {
    /// A stop was requested: the batches stepped so far count.
    Interrupted,
    /// A batch's loss is not finite (this one): no step was taken with it.
    Diverged(f64),
}

/// Minibatch gradient descent with an [`Optimizer`]: the solver counts the steps t and holds
/// the learning rate η that a schedule changes; the optimizer applies its rule at each step.
#[derive(Clone, Debug)]
pub struct Minibatch<O> {
    optimizer: O,
    learning_rate: f64,
    steps: u64,
}

impl<O> Minibatch<O> {
    /// Steps of `optimizer` at its default learning rate, none taken yet.
    pub fn new<S: Scalar>(optimizer: O) -> Self
    where
        O: Optimizer<S>,
    {
        Self { learning_rate: optimizer.default_learning_rate(), optimizer, steps: 0 }
    }

    /// The optimizer, with the buffers it has accumulated.
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }
}

impl<S: Scalar, O: Optimizer<S>> Solver<S> for Minibatch<O> {
    fn name(&self) -> &'static str {
        self.optimizer.name()
    }

    fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }

    fn has_learning_rate(&self) -> bool {
        true
    }

    fn state(&self) -> OptimizerState {
        OptimizerState {
            optimizer: self.optimizer.name().to_owned(),
            step: self.steps,
            learning_rate: self.learning_rate,
            tensors: self.optimizer.buffers(),
        }
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        state.expect_optimizer(self.optimizer.name())?;
        check_learning_rate(state.learning_rate)?;
        self.optimizer.load_buffers(&state.tensors)?;
        (self.steps, self.learning_rate) = (state.step, state.learning_rate);
        Ok(())
    }

    /// For each minibatch: forward, backpropagation, penalty gradient, clipping, update.
    fn run_epoch(
        &mut self,
        network: &mut Network<S>,
        batches: &mut Batches<'_, S>,
        settings: &StepSettings<'_>,
        rng: &mut Rng,
    ) -> Result<EpochOutcome, Error> {
        let ended = batches.for_each_batch(rng, |Batch { inputs, targets, weights, rows }| {
            if settings.stop_requested() {
                return Ok(ControlFlow::Break(EarlyEnd::Interrupted));
            }
            network.forward_rows(inputs, rows, Mode::Train);
            let loss = network.backward_rows(inputs, targets, weights);
            if !loss.is_finite() {
                return Ok(ControlFlow::Break(EarlyEnd::Diverged(loss)));
            }
            settings.penalty.add_gradient(network);
            if let Some(clipping) = &settings.clipping {
                clipping.apply(network);
            }
            self.steps += 1;
            network.update(&mut self.optimizer, Step { number: self.steps, learning_rate: self.learning_rate });
            Ok(ControlFlow::Continue(loss))
        })?;
        let train_loss = match ended {
            ControlFlow::Break(EarlyEnd::Diverged(loss)) => loss,
            _ => batches.mean_loss(),
        };
        let interrupted = ended == ControlFlow::Break(EarlyEnd::Interrupted);
        Ok(EpochOutcome { train_loss, converged: false, interrupted, out_of_evaluations: false })
    }
}

impl<S: Scalar> Solver<S> for Lbfgs {
    fn name(&self) -> &'static str {
        "L-BFGS"
    }

    fn state(&self) -> OptimizerState {
        Lbfgs::state(self)
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        Lbfgs::load_state(self, state)
    }

    /// One L-BFGS iteration on the whole training set; the objective is J + penalty.
    fn run_epoch(
        &mut self,
        network: &mut Network<S>,
        batches: &mut Batches<'_, S>,
        settings: &StepSettings<'_>,
        _: &mut Rng,
    ) -> Result<EpochOutcome, Error> {
        let penalty = &settings.penalty;
        let Batch { inputs, targets, weights, rows } = batches.whole();
        let mut parameters = Vec::with_capacity(network.parameter_count());
        for (_, parameter) in network.parameters() {
            parameters.extend(parameter.value.iter().map(|v| v.to_f64()));
        }
        let mut objective = |point: &[f64], gradient: &mut [f64]| -> f64 {
            set_parameters(network, point);
            network.forward_rows(inputs, rows, Mode::Train);
            let loss = network.backward_rows(inputs, targets, weights);
            penalty.add_gradient(network);
            let mut position = 0;
            for (_, parameter) in network.parameters() {
                for &g in parameter.gradient {
                    gradient[position] = g.to_f64();
                    position += 1;
                }
            }
            loss + penalty.value(network)
        };
        let Ok(step) = self.step(&mut parameters, &mut objective) else {
            // The only possible failure here: J or ∇J is not finite where the iteration starts.
            return Ok(EpochOutcome {
                train_loss: f64::NAN,
                converged: false,
                interrupted: false,
                out_of_evaluations: false,
            });
        };
        set_parameters(network, &parameters);
        let train_loss = step.loss - penalty.value(network);
        let out_of_evaluations = step.status == LbfgsStatus::EvaluationLimit;
        Ok(EpochOutcome {
            train_loss,
            converged: step.should_stop() && !out_of_evaluations,
            interrupted: false,
            out_of_evaluations,
        })
    }
}

/// Copies a flat parameter vector into the network's tensors, in visiting order.
pub(super) fn set_parameters<S: Scalar>(network: &mut Network<S>, values: &[f64]) {
    let mut position = 0;
    for (_, parameter) in network.parameters_mut() {
        for value in parameter.value.iter_mut() {
            *value = S::from_f64(values[position]);
            position += 1;
        }
    }
}
