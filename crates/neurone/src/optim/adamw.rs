//! AdamW: Adam with weight decay decoupled from the gradient.

use super::{Adam, AdamSettings, Optimizer, Step};
use crate::check::check_non_negative;
use crate::layer::ParameterMut;
use crate::{Error, Scalar};
use serde::{Deserialize, Serialize};

/// AdamW (Loshchilov & Hutter, 2019), following PyTorch's `torch.optim.AdamW`: before the
/// [`Adam`] step, each weight shrinks towards zero by a fraction η λ of itself,
///
/// ```text
/// W ← W − η λ W            then the Adam step on W
/// ```
///
/// Only dense weights decay (tensors marked `regularised`), never biases or batch-norm
/// parameters: the course regularises weights, not biases (PyTorch decays every tensor unless
/// told otherwise with parameter groups).
/// Defaults are PyTorch's: η = 10⁻³, β1 = 0.9, β2 = 0.999, ε = 10⁻⁸, λ = 0.01.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamW<S = f32> {
    adam: Adam<S>,
    weight_decay: f64,
}

/// What a user chooses for [`AdamW`] besides η, with PyTorch's defaults; the `adamw` kind of
/// [`OptimizerSpec`](crate::spec::OptimizerSpec).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdamWSettings {
    /// β1, as for [`AdamSettings`]. Default 0.9.
    pub beta1: f64,
    /// β2, as for [`AdamSettings`]. Default 0.999.
    pub beta2: f64,
    /// ε, as for [`AdamSettings`]. Default 10⁻⁸.
    pub epsilon: f64,
    /// λ, the fraction η λ of each weight removed per step, ≥ 0. Default 0.01.
    pub weight_decay: f64,
}

impl AdamWSettings {
    /// PyTorch's default η for AdamW (Adam's).
    pub const LEARNING_RATE: f64 = AdamSettings::LEARNING_RATE;

    /// The Adam part of the settings.
    pub fn adam(&self) -> AdamSettings {
        AdamSettings { beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon }
    }

    /// Checks every setting, naming the one at fault.
    pub fn validate(&self) -> Result<(), Error> {
        self.adam().validate()?;
        check_non_negative("weight_decay", self.weight_decay)
    }
}

impl Default for AdamWSettings {
    fn default() -> Self {
        let AdamSettings { beta1, beta2, epsilon } = AdamSettings::default();
        Self { beta1, beta2, epsilon, weight_decay: 0.01 }
    }
}

impl<S: Scalar> Default for AdamW<S> {
    /// PyTorch's defaults: Adam's, and λ = 0.01.
    fn default() -> Self {
        Self { adam: Adam::default(), weight_decay: AdamWSettings::default().weight_decay }
    }
}

impl<S: Scalar> AdamW<S> {
    /// AdamW with `settings`, checked.
    pub fn new(settings: AdamWSettings) -> Result<Self, Error> {
        settings.validate()?;
        Ok(Self { adam: Adam::new(settings.adam())?, weight_decay: settings.weight_decay })
    }

    /// The settings in use.
    pub fn settings(&self) -> AdamWSettings {
        let AdamSettings { beta1, beta2, epsilon } = *self.adam.settings();
        AdamWSettings { beta1, beta2, epsilon, weight_decay: self.weight_decay }
    }

    /// Sets the moments' decay rates β1 and β2, each in [0, 1).
    pub fn betas(self, beta1: f64, beta2: f64) -> Result<Self, Error> {
        Self::new(AdamWSettings { beta1, beta2, ..self.settings() })
    }

    /// Sets ε, the positive term that keeps the division finite where v̂ is zero.
    pub fn epsilon(self, epsilon: f64) -> Result<Self, Error> {
        Self::new(AdamWSettings { epsilon, ..self.settings() })
    }

    /// Sets the weight decay λ ≥ 0 (0 makes AdamW plain Adam).
    pub fn weight_decay(self, weight_decay: f64) -> Result<Self, Error> {
        Self::new(AdamWSettings { weight_decay, ..self.settings() })
    }

    /// The Adam optimizer underneath, with its moments ([`Adam::first_moment`], …).
    pub fn adam(&self) -> &Adam<S> {
        &self.adam
    }
}

impl<S: Scalar> Optimizer<S> for AdamW<S> {
    fn name(&self) -> &'static str {
        "adamw"
    }

    fn default_learning_rate(&self) -> f64 {
        AdamWSettings::LEARNING_RATE
    }

    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>, step: Step) {
        if parameter.regularised && self.weight_decay > 0.0 {
            // W ← W − η λ W, decoupled from the gradient (biases are not regularised).
            let keep = S::from_f64(1.0 - step.learning_rate * self.weight_decay);
            for w in parameter.value.iter_mut() {
                *w *= keep;
            }
        }
        self.adam.update(slot, parameter, step);
    }

    fn buffers(&self) -> Vec<(String, Vec<f64>)> {
        self.adam.moments()
    }

    fn load_buffers(&mut self, buffers: &[(String, Vec<f64>)]) -> Result<(), Error> {
        self.adam.load_moments(buffers, "adamw")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, replay, replay_from};

    const GRADIENTS: [[f64; 2]; 3] = [[0.5, -2.0], [0.1, 0.3], [-1.0, 0.7]];

    fn adamw(weight_decay: f64) -> AdamW<f64> {
        AdamW::default().weight_decay(weight_decay).unwrap()
    }

    #[test]
    fn defaults_are_pytorchs() {
        let adamw = AdamW::<f64>::default();
        assert_eq!((adamw.default_learning_rate(), adamw.settings().weight_decay), (1e-3, 0.01));
        assert_eq!(adamw.adam, Adam::default());
    }

    #[test]
    fn three_steps_on_a_weight_match_the_rule_written_out() {
        let (eta, lambda, beta1, beta2, epsilon) = (0.05, 0.1, 0.9, 0.999, 1e-8);
        let weights = replay(&mut adamw(lambda), eta, [1.0, -1.0], &GRADIENTS);
        let mut expected = [1.0, -1.0];
        for i in 0..2 {
            let (mut m, mut v) = (0.0, 0.0);
            for (t, gradient) in GRADIENTS.iter().enumerate() {
                let (g, t) = (gradient[i], t as i32 + 1);
                expected[i] -= eta * lambda * expected[i];
                m = beta1 * m + (1.0 - beta1) * g;
                v = beta2 * v + (1.0 - beta2) * g * g;
                let (m_hat, v_hat) = (m / (1.0 - beta1.powi(t)), v / (1.0 - beta2.powi(t)));
                expected[i] -= eta * m_hat / (v_hat.sqrt() + epsilon);
            }
        }
        assert_close(&weights, &expected);
        // First step by hand: 1·(1 − 0.005) − 0.05·(1 − tiny) = 0.945.
        assert_close(&replay(&mut adamw(lambda), eta, [1.0, -1.0], &GRADIENTS[..1])[..1], &[0.945]);
    }

    #[test]
    fn biases_do_not_decay_so_a_bias_moves_exactly_as_with_adam() {
        let bias = replay_from(&mut adamw(0.5), "bias", 1, 0.05, [1.0, -1.0], &GRADIENTS);
        assert_eq!(bias, replay_from(&mut Adam::default(), "bias", 1, 0.05, [1.0, -1.0], &GRADIENTS));
        // …whereas a weight does decay.
        assert_ne!(replay(&mut adamw(0.5), 0.05, [1.0, -1.0], &GRADIENTS), bias);
    }

    #[test]
    fn bad_hyper_parameters_are_named() {
        let error = AdamW::<f32>::default().weight_decay(-0.1).unwrap_err();
        assert_eq!(error.to_string(), "invalid weight_decay: must be a non-negative number, got -0.1");
        assert!(AdamW::<f32>::default().betas(0.9, -0.5).unwrap_err().to_string().starts_with("invalid beta2"));
        assert!(AdamW::<f32>::default().epsilon(f64::NAN).unwrap_err().to_string().starts_with("invalid epsilon"));
    }

    #[test]
    fn buffers_round_trip() {
        let mut adamw = AdamW::default();
        replay(&mut adamw, 0.01, [1.0, 2.0], &GRADIENTS);
        let mut restored = AdamW::default();
        restored.load_buffers(&adamw.buffers()).unwrap();
        assert_eq!(restored, adamw);
        assert_eq!(Optimizer::<f64>::name(&adamw), "adamw", "its checkpoints are not Adam's");
    }
}
