//! L-BFGS: a quasi-Newton method for full-batch training of small problems (scikit-learn's
//! default solver for `MLPClassifier`/`MLPRegressor`).

use serde::{Deserialize, Serialize};

use self::line_search::{CURVATURE, LineSearch, SUFFICIENT_DECREASE, strong_wolfe};
use crate::Error;
use crate::check::{check_at_least, check_non_negative};

/// Limited-memory BFGS (Nocedal & Wright, *Numerical Optimization*, algorithm 7.5) on a flat
/// vector of parameters x, minimising an objective f that returns f(x) and writes ∇f(x).
///
/// Each [`Lbfgs::step`] is one iteration:
///
/// ```text
/// d = −H ∇f(x)                  H from the last m pairs (s, y) by the two-loop recursion;
///                               the first iteration uses d = −∇f(x)
/// x ← x + t d                   t from a line search for the strong Wolfe conditions
/// s = Δx,  y = Δ∇f              the pair is kept only when yᵀs > 0 (H stays positive definite)
/// ```
///
/// The line search first tries t = 1, or t = min(1, 1/‖∇f‖₁) on the first iteration (as
/// PyTorch does), so that the first step is not too long. It stops after
/// `max_line_search_evaluations`, falling back to the lowest point with sufficient decrease.
/// It does not implement [`Optimizer`](crate::Optimizer): it evaluates f several times per
/// step. Buffers are allocated on the first step only.
///
/// ```
/// use neurone::optim::Lbfgs;
///
/// // f(x) = Σ (x_i − i)², minimised at (0, 1, 2).
/// let mut objective = |x: &[f64], gradient: &mut [f64]| {
///     let mut f = 0.0;
///     for (i, (x, g)) in x.iter().zip(gradient.iter_mut()).enumerate() {
///         f += (x - i as f64).powi(2);
///         *g = 2.0 * (x - i as f64);
///     }
///     f
/// };
/// let mut lbfgs = Lbfgs::default();
/// let mut x = [5.0, 5.0, 5.0];
/// while !lbfgs.step(&mut x, &mut objective)?.converged() {}
/// assert!(x.iter().enumerate().all(|(i, x)| (x - i as f64).abs() < 1e-5));
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Lbfgs {
    settings: LbfgsSettings,
    iterations: u64,
    evaluations: u64,
    /// Length of x, fixed by the first step (0 before).
    dimension: usize,
    /// The last `history_size` pairs, each `dimension` long, in a ring starting at `oldest`.
    parameter_changes: Vec<f64>,
    gradient_changes: Vec<f64>,
    /// ρ = 1/(yᵀs) for each pair.
    curvatures: Vec<f64>,
    oldest: usize,
    pairs: usize,
    /// The current iterate with f and ∇f there, valid when `evaluated`.
    point: Vec<f64>,
    loss: f64,
    gradient: Vec<f64>,
    evaluated: bool,
    /// Scratch: the search direction d, ∇f at the line search's trial points, the two-loop α.
    direction: Vec<f64>,
    trial_gradient: Vec<f64>,
    alphas: Vec<f64>,
}

/// Whether L-BFGS can go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LbfgsStatus {
    /// The step made progress; more may help.
    Progress,
    /// The gradient's largest component is within `gradient_tolerance`, or the loss fell by
    /// less than `change_tolerance` relative to its size.
    Converged,
    /// Not even steepest descent found a lower loss: the parameters are unchanged. Either the
    /// minimum is reached to machine precision or the gradient does not match the objective.
    LineSearchFailed,
    /// The step made progress but brought the evaluations past `max_evaluations` (SciPy's
    /// `maxfun`): the iteration stops there, not converged.
    EvaluationLimit,
}

/// The outcome of one [`Lbfgs::step`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LbfgsStep {
    /// f at the new parameters.
    pub loss: f64,
    /// The largest absolute component of ∇f at the new parameters, ‖∇f‖∞.
    pub gradient_norm: f64,
    /// The step length t taken along the search direction (0 if the parameters did not move).
    pub step_length: f64,
    /// Objective evaluations during this step.
    pub evaluations: usize,
    /// Whether to go on.
    pub status: LbfgsStatus,
}

impl LbfgsStep {
    /// True when the step reached the tolerances ([`LbfgsStatus::Converged`]).
    pub fn converged(&self) -> bool {
        self.status == LbfgsStatus::Converged
    }

    /// True when further steps are pointless: converged, or the line search failed.
    pub fn should_stop(&self) -> bool {
        self.status != LbfgsStatus::Progress
    }
}

/// What a user chooses for [`Lbfgs`]: SciPy's L-BFGS-B defaults, which scikit-learn uses; the
/// `lbfgs` kind of [`OptimizerSpec`](crate::spec::OptimizerSpec).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LbfgsSettings {
    /// m, the number of (s, y) pairs kept, at least 1. Default 10.
    pub history_size: usize,
    /// The most objective evaluations one line search may use, at least 1. Default 20.
    pub max_line_search_evaluations: usize,
    /// c2 of the strong Wolfe curvature condition |φ'(t)| ≤ c2 |φ'(0)|, in (10⁻⁴, 1). Default
    /// 0.9; smaller values make each line search closer to exact, at the cost of more
    /// evaluations.
    pub line_search_curvature: f64,
    /// Converged once every |∂f/∂xᵢ| ≤ this (≥ 0). Default 10⁻⁵.
    pub gradient_tolerance: f64,
    /// Converged once a step lowers f by at most this · max(|f_old|, |f_new|, 1) (≥ 0; 0 turns
    /// the test off). Default 2.2·10⁻⁹.
    pub change_tolerance: f64,
    /// The objective evaluations allowed in all, counted from the first step (SciPy's and
    /// scikit-learn's `maxfun`, at least 1): as SciPy's, the step that goes past it is the last.
    /// Default: no limit.
    pub max_evaluations: Option<usize>,
}

impl LbfgsSettings {
    /// η for L-BFGS: none, its line search picks each step; 1 is the length it tries first.
    pub const LEARNING_RATE: f64 = 1.0;

    /// Checks every setting, naming the one at fault.
    pub fn validate(&self) -> Result<(), Error> {
        check_at_least("history_size", self.history_size, 1)?;
        check_at_least("max_line_search_evaluations", self.max_line_search_evaluations, 1)?;
        let curvature = self.line_search_curvature;
        if !(curvature > SUFFICIENT_DECREASE && curvature < 1.0) {
            return Err(Error::invalid(
                "line_search_curvature",
                format!("must be in ({SUFFICIENT_DECREASE}, 1), got {curvature}"),
            ));
        }
        check_non_negative("gradient_tolerance", self.gradient_tolerance)?;
        check_non_negative("change_tolerance", self.change_tolerance)?;
        if let Some(limit) = self.max_evaluations {
            check_at_least("max_evaluations", limit, 1)?;
        }
        Ok(())
    }
}

impl Default for LbfgsSettings {
    fn default() -> Self {
        Self {
            history_size: 10,
            max_line_search_evaluations: 20,
            line_search_curvature: CURVATURE,
            gradient_tolerance: 1e-5,
            change_tolerance: 1e7 * f64::EPSILON,
            max_evaluations: None,
        }
    }
}

impl Default for Lbfgs {
    /// m = 10 pairs, 20 line-search evaluations, gradient tolerance 10⁻⁵ and relative change
    /// tolerance 2.2·10⁻⁹: SciPy's L-BFGS-B defaults, which scikit-learn uses.
    fn default() -> Self {
        Self {
            settings: LbfgsSettings::default(),
            iterations: 0,
            evaluations: 0,
            dimension: 0,
            parameter_changes: Vec::new(),
            gradient_changes: Vec::new(),
            curvatures: Vec::new(),
            oldest: 0,
            pairs: 0,
            point: Vec::new(),
            loss: f64::NAN,
            gradient: Vec::new(),
            evaluated: false,
            direction: Vec::new(),
            trial_gradient: Vec::new(),
            alphas: Vec::new(),
        }
    }
}

impl Lbfgs {
    /// L-BFGS with `settings`, checked.
    pub fn with_settings(settings: LbfgsSettings) -> Result<Self, Error> {
        settings.validate()?;
        Ok(Self { settings, ..Self::default() })
    }

    /// The settings in use.
    pub fn settings(&self) -> &LbfgsSettings {
        &self.settings
    }

    /// Sets m, the number of (s, y) pairs kept (at least 1). Only before the first step.
    pub fn history_size(self, history_size: usize) -> Result<Self, Error> {
        Self::with_settings(LbfgsSettings { history_size, ..self.settings })
    }

    /// Sets the most objective evaluations one line search may use (at least 1).
    pub fn max_line_search_evaluations(self, evaluations: usize) -> Result<Self, Error> {
        Self::with_settings(LbfgsSettings { max_line_search_evaluations: evaluations, ..self.settings })
    }

    /// Sets c2 of the strong Wolfe curvature condition, in (10⁻⁴, 1).
    pub fn line_search_curvature(self, curvature: f64) -> Result<Self, Error> {
        Self::with_settings(LbfgsSettings { line_search_curvature: curvature, ..self.settings })
    }

    /// Converged once every |∂f/∂xᵢ| ≤ `tolerance` (≥ 0).
    pub fn gradient_tolerance(self, tolerance: f64) -> Result<Self, Error> {
        Self::with_settings(LbfgsSettings { gradient_tolerance: tolerance, ..self.settings })
    }

    /// Converged once a step lowers f by at most `tolerance` · max(|f_old|, |f_new|, 1).
    pub fn change_tolerance(self, tolerance: f64) -> Result<Self, Error> {
        Self::with_settings(LbfgsSettings { change_tolerance: tolerance, ..self.settings })
    }

    /// Stops after the step that brings the objective evaluations past `limit` (at least 1).
    pub fn max_evaluations(self, limit: usize) -> Result<Self, Error> {
        Self::with_settings(LbfgsSettings { max_evaluations: Some(limit), ..self.settings })
    }

    /// Number of iterations taken (steps that moved the parameters).
    pub fn iteration_count(&self) -> u64 {
        self.iterations
    }

    /// Number of objective evaluations so far.
    pub fn evaluation_count(&self) -> u64 {
        self.evaluations
    }

    /// Number of (s, y) pairs held, at most m.
    pub fn history_len(&self) -> usize {
        self.pairs
    }

    /// The `index`-th pair (s, y) held, oldest first: s = Δx and y = Δ∇f of one iteration.
    pub fn history(&self, index: usize) -> Option<(&[f64], &[f64])> {
        (index < self.pairs).then(|| {
            let range = self.pair_range(index);
            (&self.parameter_changes[range.clone()], &self.gradient_changes[range])
        })
    }

    /// The search direction d of the last step (empty before the first).
    pub fn direction(&self) -> &[f64] {
        &self.direction
    }

    /// One iteration from `parameters`, which it updates in place. `objective(x, gradient)`
    /// returns f(x) and writes ∇f(x) into `gradient`.
    ///
    /// f and ∇f at the current parameters are remembered from the previous step, unless the
    /// parameters have been changed since. Fails if the length of `parameters` changes between
    /// steps or f or ∇f is not finite at the starting point.
    pub fn step(
        &mut self,
        parameters: &mut [f64],
        objective: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    ) -> Result<LbfgsStep, Error> {
        self.allocate(parameters.len())?;
        let evaluations_before = self.evaluations;
        if !self.evaluated || self.point != parameters {
            self.point.copy_from_slice(parameters);
            self.loss = objective(parameters, &mut self.gradient);
            self.evaluations += 1;
            if !self.loss.is_finite() || self.gradient.iter().any(|g| !g.is_finite()) {
                return Err(Error::invalid(
                    "objective",
                    format!("f or ∇f is not finite at the start (f = {})", self.loss),
                ));
            }
            self.evaluated = true;
        }
        let mut outcome = LbfgsStep {
            loss: self.loss,
            gradient_norm: max_abs(&self.gradient),
            step_length: 0.0,
            evaluations: 0,
            status: LbfgsStatus::Converged,
        };
        if outcome.gradient_norm <= self.settings.gradient_tolerance {
            return Ok(outcome);
        }
        let (step_length, loss) = loop {
            let slope = self.search_direction();
            // Steepest descent has no curvature information yet, hence a careful first trial.
            let initial_step = if self.pairs == 0 { (1.0 / l1_norm(&self.gradient)).min(1.0) } else { 1.0 };
            let search = self.line_search(parameters, objective, slope, initial_step);
            match search {
                LineSearch::Wolfe { step, value } => break (step, value),
                LineSearch::Armijo { step, .. } => {
                    // Not the last point evaluated: its gradient is needed for the pair (s, y).
                    self.move_to(parameters, step);
                    let value_again = objective(parameters, &mut self.trial_gradient);
                    self.evaluations += 1;
                    break (step, value_again);
                }
                LineSearch::Failed if self.pairs > 0 => self.pairs = 0, // retry with steepest descent
                LineSearch::Failed => {
                    parameters.copy_from_slice(&self.point);
                    outcome.evaluations = (self.evaluations - evaluations_before) as usize;
                    outcome.status = LbfgsStatus::LineSearchFailed;
                    return Ok(outcome);
                }
            }
        };
        self.move_to(parameters, step_length);
        self.remember_pair(parameters);
        let previous_loss = std::mem::replace(&mut self.loss, loss);
        self.point.copy_from_slice(parameters);
        std::mem::swap(&mut self.gradient, &mut self.trial_gradient);
        self.iterations += 1;

        let gradient_norm = max_abs(&self.gradient);
        let scale = previous_loss.abs().max(loss.abs()).max(1.0);
        let converged = gradient_norm <= self.settings.gradient_tolerance
            || previous_loss - loss <= self.settings.change_tolerance * scale;
        let out_of_evaluations = self.settings.max_evaluations.is_some_and(|limit| self.evaluations > limit as u64);
        let status = if converged {
            LbfgsStatus::Converged
        } else if out_of_evaluations {
            LbfgsStatus::EvaluationLimit
        } else {
            LbfgsStatus::Progress
        };
        Ok(LbfgsStep {
            loss,
            gradient_norm,
            step_length,
            evaluations: (self.evaluations - evaluations_before) as usize,
            status,
        })
    }

    /// Sizes every buffer for `dimension` parameters on first use; later, checks it is unchanged.
    fn allocate(&mut self, dimension: usize) -> Result<(), Error> {
        if self.dimension == 0 {
            self.dimension = dimension;
            for buffer in [&mut self.point, &mut self.gradient, &mut self.direction, &mut self.trial_gradient] {
                *buffer = vec![0.0; dimension];
            }
            self.parameter_changes = vec![0.0; self.settings.history_size * dimension];
            self.gradient_changes = vec![0.0; self.settings.history_size * dimension];
            (self.curvatures, self.alphas) =
                (vec![0.0; self.settings.history_size], vec![0.0; self.settings.history_size]);
        } else if dimension != self.dimension {
            return Err(Error::Shape(format!("L-BFGS was started on {} parameters, not {dimension}", self.dimension)));
        }
        Ok(())
    }

    /// Where the `index`-th pair, oldest first, lives in the ring.
    fn pair_range(&self, index: usize) -> std::ops::Range<usize> {
        let slot = (self.oldest + index) % self.settings.history_size;
        slot * self.dimension..(slot + 1) * self.dimension
    }

    /// d = −H ∇f by the two-loop recursion (Nocedal & Wright, algorithm 7.4); d = −∇f without
    /// pairs. Returns the slope ∇fᵀd < 0, falling back to steepest descent if d is not downhill.
    fn search_direction(&mut self) -> f64 {
        self.direction.copy_from_slice(&self.gradient);
        if self.pairs > 0 {
            // q ← ∇f;  for the newest pair to the oldest: αᵢ = ρᵢ sᵢᵀq,  q ← q − αᵢ yᵢ
            for index in (0..self.pairs).rev() {
                let range = self.pair_range(index);
                let alpha = self.curvatures[(self.oldest + index) % self.settings.history_size]
                    * dot(&self.parameter_changes[range.clone()], &self.direction);
                self.alphas[index] = alpha;
                axpy(-alpha, &self.gradient_changes[range], &mut self.direction);
            }
            // r ← H₀ q with H₀ = γ I, γ = sᵀy / yᵀy of the newest pair
            let newest = self.pair_range(self.pairs - 1);
            let y = &self.gradient_changes[newest.clone()];
            let gamma = dot(&self.parameter_changes[newest], y) / dot(y, y);
            self.direction.iter_mut().for_each(|r| *r *= gamma);
            // for the oldest pair to the newest: β = ρᵢ yᵢᵀr,  r ← r + sᵢ (αᵢ − β)
            for index in 0..self.pairs {
                let range = self.pair_range(index);
                let beta = self.curvatures[(self.oldest + index) % self.settings.history_size]
                    * dot(&self.gradient_changes[range.clone()], &self.direction);
                axpy(self.alphas[index] - beta, &self.parameter_changes[range], &mut self.direction);
            }
        }
        self.direction.iter_mut().for_each(|d| *d = -*d);
        let slope = dot(&self.gradient, &self.direction);
        if slope < 0.0 {
            return slope;
        }
        // Rounding made H ∇f point uphill: forget the pairs and go down the gradient.
        self.pairs = 0;
        self.direction.iter_mut().zip(&self.gradient).for_each(|(d, g)| *d = -g);
        -dot(&self.gradient, &self.gradient)
    }

    /// Searches along d from the current point; leaves ∇f at the last trial in `trial_gradient`.
    fn line_search(
        &mut self,
        parameters: &mut [f64],
        objective: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
        slope: f64,
        initial_step: f64,
    ) -> LineSearch {
        let (point, direction, trial_gradient) = (&self.point, &self.direction, &mut self.trial_gradient);
        let mut evaluations = 0;
        let mut phi = |step: f64| {
            evaluations += 1;
            for ((x, start), d) in parameters.iter_mut().zip(point).zip(direction) {
                *x = start + step * d;
            }
            let value = objective(parameters, trial_gradient);
            (value, dot(trial_gradient, direction))
        };
        let (evaluations_allowed, curvature) =
            (self.settings.max_line_search_evaluations, self.settings.line_search_curvature);
        let search = strong_wolfe(&mut phi, self.loss, slope, initial_step, evaluations_allowed, curvature);
        self.evaluations += evaluations;
        search
    }

    /// x ← x₀ + t d, computed exactly as the line search did.
    fn move_to(&self, parameters: &mut [f64], step: f64) {
        for ((x, start), d) in parameters.iter_mut().zip(&self.point).zip(&self.direction) {
            *x = start + step * d;
        }
    }

    /// Stores s = x_new − x and y = ∇f_new − ∇f as the newest pair, unless yᵀs ≤ 0, which would
    /// make H indefinite (the oldest pair gives way when m are held).
    fn remember_pair(&mut self, parameters: &[f64]) {
        // yᵀs first, so that a rejected pair never overwrites the oldest one in a full ring.
        let curvature: f64 = (0..self.dimension)
            .map(|i| (parameters[i] - self.point[i]) * (self.trial_gradient[i] - self.gradient[i]))
            .sum();
        if !(curvature > 0.0 && curvature.is_finite()) {
            return;
        }
        let slot = (self.oldest + self.pairs) % self.settings.history_size;
        let range = slot * self.dimension..(slot + 1) * self.dimension;
        let (s, y) = (&mut self.parameter_changes[range.clone()], &mut self.gradient_changes[range]);
        for (i, (s, y)) in s.iter_mut().zip(y.iter_mut()).enumerate() {
            *s = parameters[i] - self.point[i];
            *y = self.trial_gradient[i] - self.gradient[i];
        }
        self.curvatures[slot] = 1.0 / curvature;
        if self.pairs == self.settings.history_size {
            self.oldest = (self.oldest + 1) % self.settings.history_size;
        } else {
            self.pairs += 1;
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// y ← y + a x
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

fn max_abs(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |max, value| max.max(value.abs()))
}

fn l1_norm(values: &[f64]) -> f64 {
    values.iter().map(|value| value.abs()).sum()
}

mod line_search;
mod state;

#[cfg(test)]
mod tests;
