//! Levenberg–Marquardt: Gauss–Newton steps on a sum of squares, damped until they lower it
//! (MATLAB's default trainer for small networks).

use serde::{Deserialize, Serialize};

use self::linear_algebra::{add_gram, cholesky, solve_cholesky};
use super::OptimizerState;
use crate::Error;
use crate::check::{check_non_negative, check_positive};

mod linear_algebra;
#[cfg(test)]
mod tests;

/// A least-squares problem: residuals e(x) whose half sum of squares, plus an optional ridge
/// term, is minimised, F(x) = ½‖e(x)‖² + ½ Σⱼ λⱼ xⱼ².
pub trait LeastSquares {
    /// The number of residuals.
    fn residual_count(&self) -> usize;

    /// Writes e(x) into `residuals`.
    fn residuals(&mut self, x: &[f64], residuals: &mut [f64]);

    /// Writes e(x) into `residuals` and its Jacobian ∂e/∂x into `jacobian`, one row of
    /// `x.len()` values per residual.
    fn jacobian(&mut self, x: &[f64], residuals: &mut [f64], jacobian: &mut [f64]);

    /// λⱼ for each component of x (a weight penalty), or empty for none.
    fn ridge(&self) -> &[f64] {
        &[]
    }
}

/// Levenberg–Marquardt (Levenberg 1944, Marquardt 1963; for networks Hagan & Menhaj 1994, as in
/// MATLAB's `trainlm`), on a flat vector x of parameters. Each [`LevenbergMarquardt::step`]:
///
/// ```text
/// e, J = e(x), ∂e/∂x              the residuals and their Jacobian
/// g = Jᵀe                          the gradient of ½‖e‖²
/// solve (JᵀJ + μ I) δ = g          by a Cholesky factorisation
/// x' = x − δ                       accepted if F(x') < F(x): then μ ← μ · decrease;
///                                  else μ ← μ · increase and solve again
/// ```
///
/// A small μ makes the step Gauss–Newton's, a large one a short gradient step (δ ≈ g / μ). D = I
/// (Hagan & Menhaj's choice, MATLAB's) rather than Marquardt's diag(JᵀJ): a unit whose
/// activation saturates gives a column of J near zero, which diag(JᵀJ) would leave undamped.
/// The step fails once μ exceeds `max_damping` without a lower F, and converges once every
/// |∂F/∂xⱼ| ≤ `gradient_tolerance`.
///
/// JᵀJ has as many rows and columns as x has components, and J one row per residual: this is
/// for small networks (a few thousand parameters at most), where it takes far fewer steps than
/// any first-order method.
///
/// ```
/// use neurone::optim::{LeastSquares, LevenbergMarquardt};
///
/// /// Rosenbrock's function as residuals: e = (10 (x₁ − x₀²), 1 − x₀), minimised at (1, 1).
/// struct Rosenbrock;
/// impl LeastSquares for Rosenbrock {
///     fn residual_count(&self) -> usize { 2 }
///     fn residuals(&mut self, x: &[f64], e: &mut [f64]) {
///         e.copy_from_slice(&[10.0 * (x[1] - x[0] * x[0]), 1.0 - x[0]]);
///     }
///     fn jacobian(&mut self, x: &[f64], e: &mut [f64], j: &mut [f64]) {
///         self.residuals(x, e);
///         j.copy_from_slice(&[-20.0 * x[0], 10.0, -1.0, 0.0]);
///     }
/// }
/// let mut solver = LevenbergMarquardt::default();
/// let mut x = [-1.2, 1.0];
/// while !solver.step(&mut x, &mut Rosenbrock)?.should_stop() {}
/// assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6);
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LevenbergMarquardt {
    settings: LevenbergMarquardtSettings,
    /// μ, carried from step to step.
    damping: f64,
    iterations: u64,
    /// e and J at the current point, g = Jᵀe + λ⊙x, JᵀJ + diag(λ) (upper triangle).
    residuals: Vec<f64>,
    jacobian: Vec<f64>,
    gradient: Vec<f64>,
    normal: Vec<f64>,
    /// μ of the last solve, if the last step made one.
    solved_with: Option<f64>,
    /// Scratch: the damped matrix's factor, the step δ, the trial point and its residuals.
    factor: Vec<f64>,
    step: Vec<f64>,
    trial: Vec<f64>,
    trial_residuals: Vec<f64>,
}

/// The damped normal equations of a Levenberg–Marquardt step, (JᵀJ + diag(λ) + μ I) δ = g,
/// where it started (see [`LevenbergMarquardt::last_solve`]).
#[derive(Clone, Copy, Debug)]
pub struct NormalEquations<'a> {
    /// e, the residuals.
    pub residuals: &'a [f64],
    /// J = ∂e/∂x, one row of `x.len()` values per residual.
    pub jacobian: &'a [f64],
    /// JᵀJ + diag(λ), `x.len()` × `x.len()` row-major, its upper triangle only (column ≥ row).
    pub normal: &'a [f64],
    /// g = Jᵀe + λ⊙x, the gradient of F.
    pub gradient: &'a [f64],
    /// μ.
    pub damping: f64,
    /// δ, the solution: the step went to x − δ (if it lowered F).
    pub step: &'a [f64],
}

/// What a user chooses for [`LevenbergMarquardt`], with MATLAB `trainlm`'s defaults; the
/// `levenberg_marquardt` kind of [`OptimizerSpec`](crate::spec::OptimizerSpec).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LevenbergMarquardtSettings {
    /// μ at the first step, > 0. Default 10⁻³.
    pub initial_damping: f64,
    /// μ's factor after a step that lowers F, in (0, 1). Default 0.1.
    pub damping_decrease: f64,
    /// μ's factor after a step that does not, > 1. Default 10.
    pub damping_increase: f64,
    /// Training stops once μ would exceed this without a step lowering F. Default 10¹⁰.
    pub max_damping: f64,
    /// Converged once every |∂F/∂xⱼ| ≤ this (≥ 0). Default 10⁻⁹ (MATLAB's 10⁻⁷ is for a sum
    /// of squares not halved nor averaged over the samples).
    pub gradient_tolerance: f64,
}

impl Default for LevenbergMarquardtSettings {
    fn default() -> Self {
        Self {
            initial_damping: 1e-3,
            damping_decrease: 0.1,
            damping_increase: 10.0,
            max_damping: 1e10,
            gradient_tolerance: 1e-9,
        }
    }
}

/// Below this, μ stops decreasing: a μ of 0 could never grow again.
const MIN_DAMPING: f64 = 1e-20;

impl LevenbergMarquardtSettings {
    /// Checks every setting, naming the one at fault.
    pub fn validate(&self) -> Result<(), Error> {
        check_positive("initial_damping", self.initial_damping)?;
        if !(self.damping_decrease > 0.0 && self.damping_decrease < 1.0) {
            return Err(Error::invalid(
                "damping_decrease",
                format!("must be in (0, 1), got {}", self.damping_decrease),
            ));
        }
        if !(self.damping_increase > 1.0 && self.damping_increase.is_finite()) {
            return Err(Error::invalid(
                "damping_increase",
                format!("must be greater than 1, got {}", self.damping_increase),
            ));
        }
        if !(self.max_damping >= self.initial_damping && self.max_damping.is_finite()) {
            return Err(Error::invalid(
                "max_damping",
                format!("must be at least initial_damping ({}), got {}", self.initial_damping, self.max_damping),
            ));
        }
        check_non_negative("gradient_tolerance", self.gradient_tolerance)
    }
}

/// Whether Levenberg–Marquardt can go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevenbergMarquardtStatus {
    /// The step lowered F; more may help.
    Progress,
    /// Every component of the gradient is within `gradient_tolerance`: x did not move.
    Converged,
    /// μ went past `max_damping` without a step lowering F: x did not move.
    DampingLimit,
}

/// The outcome of one [`LevenbergMarquardt::step`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevenbergMarquardtStep {
    /// F at the new point.
    pub loss: f64,
    /// ½‖e‖² at the new point: F without the ridge term.
    pub residual_loss: f64,
    /// ‖∇F‖∞ where the step started.
    pub gradient_norm: f64,
    /// μ after the step.
    pub damping: f64,
    /// Factorisations made: 1, plus one per rejected step.
    pub solves: usize,
    /// Whether to go on.
    pub status: LevenbergMarquardtStatus,
}

impl LevenbergMarquardtStep {
    /// True when further steps are pointless: converged, or μ at its bound.
    pub fn should_stop(&self) -> bool {
        self.status != LevenbergMarquardtStatus::Progress
    }
}

impl Default for LevenbergMarquardt {
    fn default() -> Self {
        Self::with_settings(LevenbergMarquardtSettings::default()).expect("the defaults are valid")
    }
}

impl LevenbergMarquardt {
    /// Levenberg–Marquardt with `settings`, checked.
    pub fn with_settings(settings: LevenbergMarquardtSettings) -> Result<Self, Error> {
        settings.validate()?;
        Ok(Self {
            settings,
            damping: settings.initial_damping,
            iterations: 0,
            residuals: Vec::new(),
            jacobian: Vec::new(),
            gradient: Vec::new(),
            normal: Vec::new(),
            solved_with: None,
            factor: Vec::new(),
            step: Vec::new(),
            trial: Vec::new(),
            trial_residuals: Vec::new(),
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &LevenbergMarquardtSettings {
        &self.settings
    }

    /// μ, the damping the next step starts from.
    pub fn damping(&self) -> f64 {
        self.damping
    }

    /// Number of steps that moved x.
    pub fn iteration_count(&self) -> u64 {
        self.iterations
    }

    /// The system the last [`LevenbergMarquardt::step`] solved last (its accepted one when it
    /// moved x), with the Jacobian it came from: to show a step with its numbers. `None` when
    /// the last step solved nothing (converged where it started, or none taken).
    pub fn last_solve(&self) -> Option<NormalEquations<'_>> {
        Some(NormalEquations {
            residuals: &self.residuals,
            jacobian: &self.jacobian,
            normal: &self.normal,
            gradient: &self.gradient,
            damping: self.solved_with?,
            step: &self.step,
        })
    }

    /// One step from `x`, which it updates in place (or leaves as it is, when the step says it
    /// should stop). Fails if F or its gradient is not finite at `x`.
    pub fn step(&mut self, x: &mut [f64], problem: &mut dyn LeastSquares) -> Result<LevenbergMarquardtStep, Error> {
        let (n, residual_count) = (x.len(), problem.residual_count());
        self.allocate(n, residual_count);
        self.solved_with = None;
        problem.jacobian(x, &mut self.residuals, &mut self.jacobian);
        let ridge = problem.ridge();
        let residual_loss = half_sum_of_squares(&self.residuals);
        let loss = residual_loss + ridge_term(ridge, x);
        // g = Jᵀe + λ⊙x, JᵀJ + diag(λ)
        self.gradient.iter_mut().for_each(|g| *g = 0.0);
        for (row, &e) in self.jacobian.chunks_exact(n).zip(&self.residuals) {
            self.gradient.iter_mut().zip(row).for_each(|(g, &j)| *g += e * j);
        }
        self.normal.iter_mut().for_each(|a| *a = 0.0);
        add_gram(&self.jacobian, n, &mut self.normal);
        for (j, &lambda) in ridge.iter().enumerate() {
            self.gradient[j] += lambda * x[j];
            self.normal[j * n + j] += lambda;
        }
        let gradient_norm = self.gradient.iter().fold(0.0f64, |max, g| max.max(g.abs()));
        if !loss.is_finite() || !gradient_norm.is_finite() {
            return Err(Error::invalid("objective", format!("F or ∇F is not finite at the start (F = {loss})")));
        }
        let mut outcome = LevenbergMarquardtStep {
            loss,
            residual_loss,
            gradient_norm,
            damping: self.damping,
            solves: 0,
            status: LevenbergMarquardtStatus::Converged,
        };
        if gradient_norm <= self.settings.gradient_tolerance {
            return Ok(outcome);
        }
        while self.damping <= self.settings.max_damping {
            outcome.solves += 1;
            if let Some((trial_residual_loss, trial_loss)) = self.try_step(x, problem)
                && trial_loss < loss
            {
                x.copy_from_slice(&self.trial);
                self.damping = (self.damping * self.settings.damping_decrease).max(MIN_DAMPING);
                self.iterations += 1;
                outcome.loss = trial_loss;
                outcome.residual_loss = trial_residual_loss;
                outcome.damping = self.damping;
                outcome.status = LevenbergMarquardtStatus::Progress;
                return Ok(outcome);
            }
            self.damping *= self.settings.damping_increase;
        }
        outcome.damping = self.damping;
        outcome.status = LevenbergMarquardtStatus::DampingLimit;
        Ok(outcome)
    }

    /// Solves (JᵀJ + diag(λ) + μ I) δ = g and evaluates x − δ into `trial`: returns ½‖e‖² and
    /// F there, or `None` if the damped matrix is not positive definite to working precision.
    fn try_step(&mut self, x: &[f64], problem: &mut dyn LeastSquares) -> Option<(f64, f64)> {
        let n = x.len();
        self.solved_with = Some(self.damping);
        self.factor.copy_from_slice(&self.normal);
        for j in 0..n {
            self.factor[j * n + j] += self.damping;
        }
        if !cholesky(&mut self.factor, n) {
            return None;
        }
        self.step.copy_from_slice(&self.gradient);
        solve_cholesky(&self.factor, n, &mut self.step);
        for ((trial, &x), &delta) in self.trial.iter_mut().zip(x).zip(&self.step) {
            *trial = x - delta;
        }
        problem.residuals(&self.trial, &mut self.trial_residuals);
        let residual_loss = half_sum_of_squares(&self.trial_residuals);
        let loss = residual_loss + ridge_term(problem.ridge(), &self.trial);
        loss.is_finite().then_some((residual_loss, loss))
    }

    /// Sizes the buffers for `n` parameters and `residual_count` residuals, the first time or
    /// when the problem's size changes.
    fn allocate(&mut self, n: usize, residual_count: usize) {
        if self.gradient.len() == n && self.residuals.len() == residual_count {
            return;
        }
        self.residuals = vec![0.0; residual_count];
        self.trial_residuals = vec![0.0; residual_count];
        self.jacobian = vec![0.0; residual_count * n];
        for buffer in [&mut self.gradient, &mut self.step, &mut self.trial] {
            *buffer = vec![0.0; n];
        }
        self.normal = vec![0.0; n * n];
        self.factor = vec![0.0; n * n];
    }

    /// μ and the step count, for checkpoints: the tensor `damping` holds μ alone (the rest is
    /// recomputed from the parameters at each step). No learning rate: 1 is stored.
    pub fn state(&self) -> OptimizerState {
        OptimizerState {
            optimizer: "levenberg_marquardt".into(),
            step: self.iterations,
            learning_rate: 1.0,
            tensors: vec![("damping".into(), vec![self.damping])],
        }
    }

    /// Restores a state returned by [`LevenbergMarquardt::state`]; fails, changing nothing,
    /// unless it holds one positive, finite μ.
    pub fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        state.expect_optimizer("levenberg_marquardt")?;
        match state.tensors.as_slice() {
            [(name, values)] if name == "damping" && values.len() == 1 && values[0] > 0.0 && values[0].is_finite() => {
                (self.damping, self.iterations) = (values[0], state.step);
                Ok(())
            }
            _ => Err(Error::invalid("optimizer state", "levenberg_marquardt keeps one positive `damping` value")),
        }
    }
}

/// ½ Σ eᵢ², in order.
fn half_sum_of_squares(residuals: &[f64]) -> f64 {
    0.5 * residuals.iter().map(|e| e * e).sum::<f64>()
}

/// ½ Σ λⱼ xⱼ².
fn ridge_term(ridge: &[f64], x: &[f64]) -> f64 {
    0.5 * ridge.iter().zip(x).map(|(lambda, x)| lambda * x * x).sum::<f64>()
}
