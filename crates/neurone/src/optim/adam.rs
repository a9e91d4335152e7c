//! Adam: gradient descent scaled by running estimates of the gradient's first two moments.

use super::slots::{SlotBuffers, export_buffers, import_buffers};
use super::{Optimizer, Step};
use crate::check::{check_positive, check_unit_interval};
use crate::kernels::{for_each_piece, reciprocal_f64};
use crate::layer::ParameterMut;
use crate::{Error, Scalar};
use serde::{Deserialize, Serialize};
use std::any::TypeId;

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
/// use neurone::{Adam, Optimizer, layer::ParameterMut, optim::Step};
///
/// // Minimise J(w) = ½‖w − (3, −1)‖², whose gradient is w − (3, −1).
/// let mut adam = Adam::default().betas(0.9, 0.999)?.epsilon(1e-8)?;
/// let mut w = [0.0f64, 0.0];
/// for t in 1..=500 {
///     let mut gradient = [w[0] - 3.0, w[1] + 1.0];
///     let parameter = ParameterMut { name: "weight", regularised: true, value: &mut w, gradient: &mut gradient };
///     adam.update(0, parameter, Step { number: t, learning_rate: 0.1 });
/// }
/// assert!((w[0] - 3.0).abs() < 1e-2 && (w[1] + 1.0).abs() < 1e-2);
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<S = f32> {
    settings: AdamSettings,
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
    /// PyTorch's defaults: β1 = 0.9, β2 = 0.999, ε = 10⁻⁸.
    fn default() -> Self {
        Self {
            settings: AdamSettings::default(),
            exp_avg: SlotBuffers::new("exp_avg"),
            exp_avg_sq: SlotBuffers::new("exp_avg_sq"),
        }
    }
}

impl<S: Scalar> Adam<S> {
    /// Adam with `settings`, checked.
    pub fn new(settings: AdamSettings) -> Result<Self, Error> {
        settings.validate()?;
        Ok(Self { settings, ..Self::default() })
    }

    /// Sets the moments' decay rates β1 and β2, each in [0, 1).
    pub fn betas(self, beta1: f64, beta2: f64) -> Result<Self, Error> {
        Self::new(AdamSettings { beta1, beta2, ..self.settings })
    }

    /// Sets ε, the positive term that keeps the division finite where v̂ is zero.
    pub fn epsilon(self, epsilon: f64) -> Result<Self, Error> {
        Self::new(AdamSettings { epsilon, ..self.settings })
    }

    /// The settings in use.
    pub fn settings(&self) -> &AdamSettings {
        &self.settings
    }

    /// The first moment m of tensor `slot` (PyTorch's `exp_avg`), once that tensor was updated.
    pub fn first_moment(&self, slot: usize) -> Option<&[S]> {
        self.exp_avg.slot(slot)
    }

    /// The second moment v of tensor `slot` (PyTorch's `exp_avg_sq`), once that tensor was updated.
    pub fn second_moment(&self, slot: usize) -> Option<&[S]> {
        self.exp_avg_sq.slot(slot)
    }

    /// The moments, for checkpoints (shared with [`AdamW`](crate::AdamW)).
    pub(super) fn moments(&self) -> Vec<(String, Vec<f64>)> {
        export_buffers(&[&self.exp_avg, &self.exp_avg_sq])
    }

    /// Restores the moments saved by the optimizer called `optimizer`.
    pub(super) fn load_moments(&mut self, buffers: &[(String, Vec<f64>)], optimizer: &str) -> Result<(), Error> {
        import_buffers(buffers, optimizer, &mut [&mut self.exp_avg, &mut self.exp_avg_sq])
    }
}

/// Whether Adam computes in f64, where it divides by neither √(1 − β2ᵗ) nor √v̂ + ε.
///
/// In f32, η m̂ / (√v̂ + ε) is computed as PyTorch writes it, with two divisions: that keeps the
/// bits of every f32 training (the examples' tensors). In f64, 1/√(1 − β2ᵗ) is computed once a
/// step and 1/(√v̂ + ε) by Newton's iteration ([`reciprocal_f64`]): the CPU's divider made the
/// f64 update 3.5 times as slow as f32's (1.8 against 0.5 ns a parameter over the digits
/// network's 6,570, AVX-512) and half of its float64 fit; now 0.8 ns. Both forms are plain IEEE
/// operations, the same bits on every kernel path and CPU. (A constant once compiled: each
/// type's loop holds its own form alone.)
///
/// In f64 too, a first moment m smaller than [`NEGLIGIBLE_MOMENT`] in magnitude becomes 0.
#[inline(always)]
fn is_f64<S: 'static>() -> bool {
    TypeId::of::<S>() == TypeId::of::<f64>()
}

/// Below this, a first moment counts as 0 in f64. A weight whose gradient stays 0 (a
/// unit that no sample activates) sees its m decay by β1 each step into the subnormal numbers,
/// where each operation costs the CPU a hundred-odd cycles: that was 15 % of the float64 digits
/// fit (250 → 212 ms of CPU). The step it would still give, η m̂ / (√v̂ + ε) < 10⁻²⁷⁰ with the
/// defaults, changes no weight of usual size. (f32 keeps its bits, see [`is_f64`].)
const NEGLIGIBLE_MOMENT: f64 = 1.0e-289;

impl<S: Scalar> Optimizer<S> for Adam<S> {
    fn name(&self) -> &'static str {
        "adam"
    }

    fn default_learning_rate(&self) -> f64 {
        AdamSettings::LEARNING_RATE
    }

    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>, step: Step) {
        // A step numbered 0 counts as the first, rather than dividing by 1 − β⁰ = 0.
        let t = step.number.max(1) as f64;
        let AdamSettings { beta1, beta2, epsilon } = self.settings;
        let (one_minus_beta1, one_minus_beta2) = (S::from_f64(1.0 - beta1), S::from_f64(1.0 - beta2));
        // η m̂ / (√v̂ + ε) = (η / (1 − β1ᵗ)) m / (√v / √(1 − β2ᵗ) + ε), as PyTorch computes it.
        let bias_correction1 = 1.0 - beta1.powf(t);
        let bias_correction2 = 1.0 - beta2.powf(t);
        let step_size = S::from_f64(step.learning_rate / bias_correction1);
        let sqrt_bias_correction2 = S::from_f64(bias_correction2.sqrt());
        let inverse_sqrt_bias_correction2 = S::from_f64(1.0 / bias_correction2.sqrt());
        let (beta1, beta2, epsilon) = (S::from_f64(beta1), S::from_f64(beta2), S::from_f64(epsilon));
        let negligible_moment = S::from_f64(NEGLIGIBLE_MOMENT);
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
                    if is_f64::<S>() {
                        // (S is f64 here: `to_f64` and `from_f64` are no-ops.)
                        if m.abs() < negligible_moment {
                            *m = S::ZERO;
                        }
                        let denominator = v.sqrt() * inverse_sqrt_bias_correction2 + epsilon;
                        *w -= step_size * *m * S::from_f64(reciprocal_f64(denominator.to_f64()));
                    } else {
                        *w -= step_size * *m / (v.sqrt() / sqrt_bias_correction2 + epsilon);
                    }
                }
            },
        );
    }

    fn buffers(&self) -> Vec<(String, Vec<f64>)> {
        self.moments()
    }

    fn load_buffers(&mut self, buffers: &[(String, Vec<f64>)]) -> Result<(), Error> {
        self.load_moments(buffers, "adam")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, replay, replay_from};

    const GRADIENTS: [[f64; 2]; 3] = [[0.5, -2.0], [0.1, 0.3], [-1.0, 0.7]];

    #[test]
    fn defaults_are_pytorchs() {
        let adam = Adam::<f64>::default();
        let AdamSettings { beta1, beta2, epsilon } = adam.settings;
        assert_eq!((adam.default_learning_rate(), beta1, beta2, epsilon), (1e-3, 0.9, 0.999, 1e-8));
    }

    #[test]
    fn the_first_step_moves_each_weight_by_the_learning_rate_against_the_gradient() {
        // At t = 1, m̂ = g and √v̂ = |g|, so the step is η·sign(g)·|g|/(|g| + ε).
        let weights = replay(&mut Adam::default(), 0.01, [1.0, 2.0], &GRADIENTS[..1]);
        assert_close(&weights, &[1.0 - 0.01 * 0.5 / (0.5 + 1e-8), 2.0 + 0.01 * 2.0 / (2.0 + 1e-8)]);
        assert!((weights[0] - 0.99).abs() < 1e-9 && (weights[1] - 2.01).abs() < 1e-9);
    }

    #[test]
    fn three_steps_match_the_rule_written_out() {
        let (eta, beta1, beta2, epsilon) = (0.05, 0.8, 0.9, 1e-3);
        let mut adam = Adam::new(AdamSettings { beta1, beta2, epsilon }).unwrap();
        let weights = replay(&mut adam, eta, [1.0, -1.0], &GRADIENTS);
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
        // m after three steps, by hand: 0.2·(0.8²·0.5 + 0.8·0.1 − 1) = −0.12.
        assert_close(&adam.first_moment(0).unwrap()[..1], &[-0.12]);
        // v after three steps, by hand: 0.1·(0.81·0.25 + 0.9·0.01 + 1) = 0.12115.
        assert_close(&adam.second_moment(0).unwrap()[..1], &[0.12115]);
    }

    #[test]
    fn f32_and_f64_agree() {
        let wide_weights = replay(&mut Adam::<f64>::default(), 0.01, [1.0, 2.0], &GRADIENTS);
        let mut narrow = Adam::<f32>::default();
        let mut narrow_weights = [1.0f32, 2.0];
        for (number, gradient) in (1..).zip(GRADIENTS) {
            let mut gradient = gradient.map(|g| g as f32);
            let gradient = &mut gradient;
            let parameter = ParameterMut { name: "weight", regularised: true, value: &mut narrow_weights, gradient };
            narrow.update(0, parameter, Step { number, learning_rate: 0.01 });
        }
        for (n, w) in narrow_weights.iter().zip(wide_weights) {
            assert!((f64::from(*n) - w).abs() < 1e-5, "{n} vs {w}");
        }
    }

    #[test]
    fn in_f64_a_first_moment_decaying_to_nothing_becomes_zero_never_subnormal() {
        // One gradient, then none: m = 0.1 · 0.9ᵗ, below 10⁻²⁸⁹ after 6,300 steps.
        let mut adam = Adam::<f64>::default();
        let mut gradients = vec![[1.0, 0.0]];
        gradients.resize(7_000, [0.0, 0.0]);
        replay(&mut adam, 0.01, [1.0, 2.0], &gradients);
        let m = adam.first_moment(0).expect("updated");
        assert_eq!(m, [0.0, 0.0]);
        // Just above the bound, m is kept as it is.
        let mut adam = Adam::<f64>::default();
        replay(&mut adam, 0.01, [1.0, 2.0], &gradients[..6_000]);
        let m = adam.first_moment(0).expect("updated")[0];
        assert!(m > NEGLIGIBLE_MOMENT && m.is_normal(), "{m:e}");
    }

    #[test]
    fn bad_hyper_parameters_are_named() {
        let adam = Adam::<f32>::default;
        assert_eq!(adam().betas(1.5, 0.999).unwrap_err().to_string(), "invalid beta1: must be in [0, 1), got 1.5");
        assert_eq!(adam().betas(0.9, 1.0).unwrap_err().to_string(), "invalid beta2: must be in [0, 1), got 1");
        assert!(adam().epsilon(0.0).unwrap_err().to_string().starts_with("invalid epsilon"));
    }

    #[test]
    fn buffers_round_trip_and_the_restored_optimizer_continues_identically() {
        let mut adam = Adam::default();
        let after_two = replay(&mut adam, 0.01, [1.0, 2.0], &GRADIENTS[..2]);
        let buffers = adam.buffers();
        let names: Vec<&str> = buffers.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["exp_avg.0", "exp_avg_sq.0"]);
        let mut restored = Adam::default();
        restored.load_buffers(&buffers).unwrap();
        assert_eq!(restored, adam);
        let continued = replay_from(&mut adam, "weight", 3, 0.01, after_two, &GRADIENTS[2..]);
        assert_eq!(replay_from(&mut restored, "weight", 3, 0.01, after_two, &GRADIENTS[2..]), continued);
    }
}
