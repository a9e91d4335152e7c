//! Adam: gradient descent scaled by running estimates of the gradient's first two moments.

use super::slots::{SlotBuffers, export_state, import_state};
use super::{Optimizer, OptimizerState};
use crate::check::{check_learning_rate, check_positive, check_unit_interval};
use crate::kernels::for_each_piece;
use crate::layer::ParameterMut;
use crate::{Error, Scalar};
use serde::{Deserialize, Serialize};

/// Adam (Kingma & Ba, 2015), following PyTorch's `torch.optim.Adam` (without weight decay or
/// AMSGrad; see [`AdamW`](crate::AdamW) for decoupled weight decay).
///
/// With g = ∂J/∂W at step t = 1, 2, … and moments m, v per tensor, starting at zero:
///
/// ```text
/// m ← β1 m + (1 − β1) g            v ← β2 v + (1 − β2) g²
/// m̂ = m / (1 − β1ᵗ)                v̂ = v / (1 − β2ᵗ)
/// W ← W − η m̂ / (√v̂ + ε)
/// ```
///
/// Defaults are PyTorch's: η = 10⁻³, β1 = 0.9, β2 = 0.999, ε = 10⁻⁸.
///
/// ```
/// use neurone::{Adam, Optimizer, layer::ParameterMut};
///
/// // Minimise J(w) = ½‖w − (3, −1)‖², whose gradient is w − (3, −1).
/// let mut adam = Adam::new(0.1)?.betas(0.9, 0.999)?.epsilon(1e-8)?;
/// let mut w = [0.0f64, 0.0];
/// for _ in 0..500 {
///     let mut gradient = [w[0] - 3.0, w[1] + 1.0];
///     adam.begin_step();
///     adam.update(0, ParameterMut { name: "weight", regularised: true, value: &mut w, gradient: &mut gradient });
/// }
/// assert!((w[0] - 3.0).abs() < 1e-2 && (w[1] + 1.0).abs() < 1e-2);
/// assert_eq!(adam.step_count(), 500);
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<S = f32> {
    learning_rate: f64,
    settings: AdamSettings,
    step: u64,
    exp_avg: SlotBuffers<S>,
    exp_avg_sq: SlotBuffers<S>,
}

/// What a user chooses for [`Adam`] besides η, with PyTorch's defaults; the `adam` kind of
/// [`OptimizerSpec`](crate::spec::OptimizerSpec).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdamSettings {
    /// β1, the decay rate of the first moment, in [0, 1). Default 0.9.
    pub beta1: f64,
    /// β2, the decay rate of the second moment, in [0, 1). Default 0.999.
    pub beta2: f64,
    /// ε, the positive term that keeps the division finite where v̂ is zero. Default 10⁻⁸.
    pub epsilon: f64,
}

impl AdamSettings {
    /// PyTorch's default η for Adam.
    pub const LEARNING_RATE: f64 = 1e-3;

    /// Checks every setting, naming the one at fault.
    pub fn validate(&self) -> Result<(), Error> {
        check_unit_interval("beta1", self.beta1)?;
        check_unit_interval("beta2", self.beta2)?;
        check_positive("epsilon", self.epsilon)
    }
}

impl Default for AdamSettings {
    fn default() -> Self {
        Self { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
    }
}

impl<S: Scalar> Default for Adam<S> {
    /// PyTorch's defaults: η = 10⁻³, β1 = 0.9, β2 = 0.999, ε = 10⁻⁸.
    fn default() -> Self {
        Self {
            learning_rate: AdamSettings::LEARNING_RATE,
            settings: AdamSettings::default(),
            step: 0,
            exp_avg: SlotBuffers::new("exp_avg"),
            exp_avg_sq: SlotBuffers::new("exp_avg_sq"),
        }
    }
}

impl<S: Scalar> Adam<S> {
    /// Adam with learning rate η = `learning_rate` (positive, finite) and the default β1, β2, ε.
    pub fn new(learning_rate: f64) -> Result<Self, Error> {
        Self::with_settings(learning_rate, AdamSettings::default())
    }

    /// Adam with learning rate η = `learning_rate` and `settings`, both checked.
    pub fn with_settings(learning_rate: f64, settings: AdamSettings) -> Result<Self, Error> {
        check_learning_rate(learning_rate)?;
        settings.validate()?;
        Ok(Self { learning_rate, settings, ..Self::default() })
    }

    /// Sets the moments' decay rates β1 and β2, each in [0, 1).
    pub fn betas(self, beta1: f64, beta2: f64) -> Result<Self, Error> {
        let settings = AdamSettings { beta1, beta2, ..self.settings };
        Self::with_settings(self.learning_rate, settings)
    }

    /// Sets ε, the positive term that keeps the division finite where v̂ is zero.
    pub fn epsilon(self, epsilon: f64) -> Result<Self, Error> {
        let settings = AdamSettings { epsilon, ..self.settings };
        Self::with_settings(self.learning_rate, settings)
    }

    /// The settings in use.
    pub fn settings(&self) -> &AdamSettings {
        &self.settings
    }

    /// Number of steps taken, t (calls to [`Optimizer::begin_step`]).
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// The first moment m of tensor `slot` (PyTorch's `exp_avg`), once that tensor was updated.
    pub fn first_moment(&self, slot: usize) -> Option<&[S]> {
        self.exp_avg.slot(slot)
    }

    /// The second moment v of tensor `slot` (PyTorch's `exp_avg_sq`), once that tensor was updated.
    pub fn second_moment(&self, slot: usize) -> Option<&[S]> {
        self.exp_avg_sq.slot(slot)
    }

    /// The state under the optimizer name `optimizer` (`"adam"`, or `"adamw"` for [`AdamW`](crate::AdamW)).
    pub(super) fn state_named(&self, optimizer: &str) -> OptimizerState {
        export_state(optimizer, self.step, self.learning_rate, &[&self.exp_avg, &self.exp_avg_sq])
    }

    /// Loads a state saved under the optimizer name `optimizer`.
    pub(super) fn load_state_named(&mut self, state: &OptimizerState, optimizer: &str) -> Result<(), Error> {
        import_state(state, optimizer, &mut [&mut self.exp_avg, &mut self.exp_avg_sq])?;
        self.step = state.step;
        self.learning_rate = state.learning_rate;
        Ok(())
    }
}

impl<S: Scalar> Optimizer<S> for Adam<S> {
    fn begin_step(&mut self) {
        self.step += 1;
    }

    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>) {
        // An update before any begin_step counts as the first step, rather than dividing by 1 − β⁰ = 0.
        let t = self.step.max(1) as f64;
        let AdamSettings { beta1, beta2, epsilon } = self.settings;
        let (one_minus_beta1, one_minus_beta2) = (S::from_f64(1.0 - beta1), S::from_f64(1.0 - beta2));
        // η m̂ / (√v̂ + ε) = (η / (1 − β1ᵗ)) m / (√v / √(1 − β2ᵗ) + ε), as PyTorch computes it.
        let bias_correction1 = 1.0 - beta1.powf(t);
        let bias_correction2 = 1.0 - beta2.powf(t);
        let step_size = S::from_f64(self.learning_rate / bias_correction1);
        let sqrt_bias_correction2 = S::from_f64(bias_correction2.sqrt());
        let (beta1, beta2, epsilon) = (S::from_f64(beta1), S::from_f64(beta2), S::from_f64(epsilon));
        let length = parameter.value.len();
        let m = self.exp_avg.get(slot, length, S::ZERO);
        let v = self.exp_avg_sq.get(slot, length, S::ZERO);
        for_each_piece(
            (parameter.value, &*parameter.gradient, m, v),
            #[inline(always)]
            |(w, g, m, v)| {
                for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m).zip(v) {
                    // m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²
                    *m = beta1 * *m + one_minus_beta1 * g;
                    *v = beta2 * *v + one_minus_beta2 * g * g;
                    // W ← W − η m̂ / (√v̂ + ε)
                    *w -= step_size * *m / (v.sqrt() / sqrt_bias_correction2 + epsilon);
                }
            },
        );
    }

    fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }

    fn state(&self) -> OptimizerState {
        self.state_named("adam")
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        self.load_state_named(state, "adam")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, replay};

    const GRADIENTS: [[f64; 2]; 3] = [[0.5, -2.0], [0.1, 0.3], [-1.0, 0.7]];

    #[test]
    fn defaults_are_pytorchs() {
        let adam = Adam::<f64>::default();
        let AdamSettings { beta1, beta2, epsilon } = adam.settings;
        assert_eq!((adam.learning_rate, beta1, beta2, epsilon), (1e-3, 0.9, 0.999, 1e-8));
    }

    #[test]
    fn the_first_step_moves_each_weight_by_the_learning_rate_against_the_gradient() {
        // At t = 1, m̂ = g and √v̂ = |g|, so the step is η·sign(g)·|g|/(|g| + ε).
        let mut adam = Adam::new(0.01).unwrap();
        let weights = replay(&mut adam, [1.0, 2.0], &GRADIENTS[..1]);
        assert_close(&weights, &[1.0 - 0.01 * 0.5 / (0.5 + 1e-8), 2.0 + 0.01 * 2.0 / (2.0 + 1e-8)]);
        assert!((weights[0] - 0.99).abs() < 1e-9 && (weights[1] - 2.01).abs() < 1e-9);
    }

    #[test]
    fn three_steps_match_the_rule_written_out() {
        let (eta, beta1, beta2, epsilon) = (0.05, 0.8, 0.9, 1e-3);
        let mut adam = Adam::new(eta).unwrap().betas(beta1, beta2).unwrap().epsilon(epsilon).unwrap();
        let weights = replay(&mut adam, [1.0, -1.0], &GRADIENTS);
        let mut expected = [1.0, -1.0];
        for i in 0..2 {
            let (mut m, mut v) = (0.0, 0.0);
            for (t, gradient) in GRADIENTS.iter().enumerate() {
                let (g, t) = (gradient[i], t as i32 + 1);
                m = beta1 * m + (1.0 - beta1) * g;
                v = beta2 * v + (1.0 - beta2) * g * g;
                let (m_hat, v_hat) = (m / (1.0 - beta1.powi(t)), v / (1.0 - beta2.powi(t)));
                expected[i] -= eta * m_hat / (v_hat.sqrt() + epsilon);
            }
        }
        assert_close(&weights, &expected);
        assert_eq!(adam.step_count(), 3);
        // m after three steps, by hand: 0.2·(0.8²·0.5 + 0.8·0.1 − 1) = −0.12.
        assert_close(&adam.first_moment(0).unwrap()[..1], &[-0.12]);
        // v after three steps, by hand: 0.1·(0.81·0.25 + 0.9·0.01 + 1) = 0.12115.
        assert_close(&adam.second_moment(0).unwrap()[..1], &[0.12115]);
    }

    #[test]
    fn f32_and_f64_agree() {
        let mut wide = Adam::<f64>::new(0.01).unwrap();
        let mut narrow = Adam::<f32>::new(0.01).unwrap();
        let wide_weights = replay(&mut wide, [1.0, 2.0], &GRADIENTS);
        let mut narrow_weights = [1.0f32, 2.0];
        for gradient in GRADIENTS {
            let mut gradient = gradient.map(|g| g as f32);
            narrow.begin_step();
            let gradient = &mut gradient;
            narrow.update(0, ParameterMut { name: "weight", regularised: true, value: &mut narrow_weights, gradient });
        }
        for (n, w) in narrow_weights.iter().zip(wide_weights) {
            assert!((f64::from(*n) - w).abs() < 1e-5, "{n} vs {w}");
        }
    }

    #[test]
    fn bad_hyper_parameters_are_named() {
        let adam = || Adam::<f32>::new(1e-3).unwrap();
        assert_eq!(adam().betas(1.5, 0.999).unwrap_err().to_string(), "invalid beta1: must be in [0, 1), got 1.5");
        assert_eq!(adam().betas(0.9, 1.0).unwrap_err().to_string(), "invalid beta2: must be in [0, 1), got 1");
        assert!(adam().epsilon(0.0).unwrap_err().to_string().starts_with("invalid epsilon"));
        assert!(Adam::<f32>::new(-1.0).unwrap_err().to_string().starts_with("invalid learning_rate"));
    }

    #[test]
    fn state_round_trips_and_the_restored_optimizer_continues_identically() {
        let mut adam = Adam::new(0.01).unwrap();
        let after_two = replay(&mut adam, [1.0, 2.0], &GRADIENTS[..2]);
        let state = adam.state();
        let names: Vec<&str> = state.tensors.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!((state.optimizer.as_str(), state.step, names), ("adam", 2, vec!["exp_avg.0", "exp_avg_sq.0"]));
        let mut restored = Adam::default();
        restored.load_state(&state).unwrap();
        assert_eq!(restored, adam);
        let continued = replay(&mut adam, after_two, &GRADIENTS[2..]);
        assert_eq!(replay(&mut restored, after_two, &GRADIENTS[2..]), continued);

        let error =
            Adam::<f64>::default().load_state(&OptimizerState { optimizer: "rmsprop".into(), ..state }).unwrap_err();
        assert!(error.to_string().contains("saved by `rmsprop`, cannot be loaded into `adam`"), "{error}");
    }
}
