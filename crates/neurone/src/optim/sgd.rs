//! Gradient descent, `W ← W − η ∂J/∂W`, optionally with momentum (heavy ball or Nesterov).

use super::slots::{SlotBuffers, export_state, import_state};
use super::{Optimizer, OptimizerState};
use crate::check::{check_learning_rate, check_unit_interval};
use crate::layer::ParameterMut;
use crate::{Error, Scalar};
use serde::{Deserialize, Serialize};

/// Stochastic gradient descent with learning rate η and optional momentum μ, following
/// PyTorch's `torch.optim.SGD` (without dampening or weight decay).
///
/// With g = ∂J/∂W and a momentum buffer `buf` per tensor, starting at zero:
///
/// ```text
/// plain:     W ← W − η g
/// momentum:  buf ← μ buf + g        W ← W − η buf
/// Nesterov:  buf ← μ buf + g        W ← W − η (g + μ buf)
/// ```
///
/// ```
/// use neurone::{Optimizer, Sgd, layer::ParameterMut};
/// let mut sgd = Sgd::new(0.1)?;
/// let (mut weights, mut gradient) = ([1.0f64, 2.0], [10.0, -10.0]);
/// sgd.update(0, ParameterMut { name: "weight", regularised: true, value: &mut weights, gradient: &mut gradient });
/// assert_eq!(weights, [0.0, 3.0]);
///
/// let with_momentum = Sgd::<f32>::new(0.01)?.momentum(0.9)?.nesterov(true)?;
/// assert!(with_momentum.settings().nesterov);
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd<S = f32> {
    learning_rate: f64,
    settings: SgdSettings,
    step: u64,
    momentum_buffers: SlotBuffers<S>,
}

/// What a user chooses for [`Sgd`] besides η: PyTorch's defaults, no momentum; the `sgd` kind
/// of [`OptimizerSpec`](crate::spec::OptimizerSpec).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SgdSettings {
    /// μ, in [0, 1) (0 turns momentum off). Default 0.
    pub momentum: f64,
    /// Look ahead along the momentum (needs μ > 0). Default false.
    pub nesterov: bool,
}

impl SgdSettings {
    /// The default η: PyTorch has none for SGD, Keras and scikit-learn's `sgd` solver near it use
    /// 0.01 (scikit-learn 0.001).
    pub const LEARNING_RATE: f64 = 0.01;

    /// Checks every setting, naming the one at fault.
    pub fn validate(&self) -> Result<(), Error> {
        check_unit_interval("momentum", self.momentum)?;
        if self.nesterov && self.momentum == 0.0 {
            return Err(Error::invalid("nesterov", "needs a momentum greater than 0"));
        }
        Ok(())
    }
}

impl<S: Scalar> Sgd<S> {
    /// Gradient descent with step size η = `learning_rate`, which must be positive and finite;
    /// no momentum.
    pub fn new(learning_rate: f64) -> Result<Self, Error> {
        Self::with_settings(learning_rate, SgdSettings::default())
    }

    /// Gradient descent with step size η = `learning_rate` and `settings`, both checked.
    pub fn with_settings(learning_rate: f64, settings: SgdSettings) -> Result<Self, Error> {
        check_learning_rate(learning_rate)?;
        settings.validate()?;
        Ok(Self { learning_rate, settings, step: 0, momentum_buffers: SlotBuffers::new("momentum_buffer") })
    }

    /// Sets the momentum μ, in [0, 1) (0 turns momentum off).
    pub fn momentum(self, momentum: f64) -> Result<Self, Error> {
        Self::with_settings(self.learning_rate, SgdSettings { momentum, ..self.settings })
    }

    /// Turns Nesterov momentum on or off; it needs a momentum μ > 0, set first.
    pub fn nesterov(self, nesterov: bool) -> Result<Self, Error> {
        Self::with_settings(self.learning_rate, SgdSettings { nesterov, ..self.settings })
    }

    /// The settings in use.
    pub fn settings(&self) -> &SgdSettings {
        &self.settings
    }

    /// Number of steps taken (calls to [`Optimizer::begin_step`]).
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// The momentum buffer of tensor `slot`, once that tensor has been updated with momentum on.
    pub fn momentum_buffer(&self, slot: usize) -> Option<&[S]> {
        self.momentum_buffers.slot(slot)
    }
}

impl<S: Scalar> Optimizer<S> for Sgd<S> {
    fn begin_step(&mut self) {
        self.step += 1;
    }

    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>) {
        let learning_rate = S::from_f64(self.learning_rate);
        if self.settings.momentum == 0.0 {
            // W ← W − η ∂J/∂W
            for (w, &g) in parameter.value.iter_mut().zip(parameter.gradient.iter()) {
                *w -= learning_rate * g;
            }
            return;
        }
        let momentum = S::from_f64(self.settings.momentum);
        let buffer = self.momentum_buffers.get(slot, parameter.value.len(), S::ZERO);
        for ((w, &g), b) in parameter.value.iter_mut().zip(parameter.gradient.iter()).zip(buffer) {
            // buf ← μ buf + g
            *b = momentum * *b + g;
            // Nesterov: W ← W − η (g + μ buf);  heavy ball: W ← W − η buf
            let direction = if self.settings.nesterov { g + momentum * *b } else { *b };
            *w -= learning_rate * direction;
        }
    }

    fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }

    fn state(&self) -> OptimizerState {
        export_state("sgd", self.step, self.learning_rate, &[&self.momentum_buffers])
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        if self.settings.momentum == 0.0 {
            // Plain gradient descent keeps no buffers, so a state holding some is not its own.
            import_state::<S>(state, "sgd", &mut [])?;
        } else {
            import_state(state, "sgd", &mut [&mut self.momentum_buffers])?;
        }
        self.step = state.step;
        self.learning_rate = state.learning_rate;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, replay};

    const GRADIENTS: [[f64; 2]; 3] = [[1.0, -2.0], [0.5, 0.25], [-1.5, 3.0]];

    #[test]
    fn rejects_learning_rates_that_are_not_positive_and_finite() {
        for bad in [0.0, -0.1, f64::NAN, f64::INFINITY] {
            let error = Sgd::<f32>::new(bad).unwrap_err();
            assert!(error.to_string().starts_with("invalid learning_rate: must be a positive number"), "{error}");
        }
    }

    #[test]
    fn rejects_bad_momentum_and_nesterov_without_momentum() {
        let sgd = || Sgd::<f64>::new(0.1).unwrap();
        for bad in [-0.1, 1.0, f64::NAN] {
            assert!(sgd().momentum(bad).unwrap_err().to_string().starts_with("invalid momentum: must be in [0, 1)"));
        }
        let error = sgd().nesterov(true).unwrap_err();
        assert_eq!(error.to_string(), "invalid nesterov: needs a momentum greater than 0");
        let error = sgd().momentum(0.9).unwrap().nesterov(true).unwrap().momentum(0.0).unwrap_err();
        assert_eq!(error.to_string(), "invalid nesterov: needs a momentum greater than 0");
    }

    #[test]
    fn plain_steps_follow_the_gradient() {
        let mut sgd = Sgd::new(0.1).unwrap();
        let weights = replay(&mut sgd, [1.0, 2.0], &GRADIENTS);
        // W ← W − η Σ g over the three steps.
        assert_close(&weights, &[1.0 - 0.1 * 0.0, 2.0 - 0.1 * 1.25]);
        assert_eq!(sgd.momentum_buffer(0), None, "plain descent keeps no buffers");
        assert_eq!(sgd.step_count(), 3);
    }

    #[test]
    fn momentum_steps_match_the_rule_written_out() {
        let (eta, mu) = (0.1, 0.9);
        let mut sgd = Sgd::new(eta).unwrap().momentum(mu).unwrap();
        let weights = replay(&mut sgd, [1.0, 2.0], &GRADIENTS);
        // buf1 = g1, buf2 = μ g1 + g2, buf3 = μ² g1 + μ g2 + g3; W3 = W0 − η (buf1 + buf2 + buf3).
        let expected: Vec<f64> = (0..2)
            .map(|i| {
                let [g1, g2, g3] = [GRADIENTS[0][i], GRADIENTS[1][i], GRADIENTS[2][i]];
                let (b1, b2) = (g1, mu * g1 + g2);
                let b3 = mu * b2 + g3;
                [1.0, 2.0][i] - eta * (b1 + b2 + b3)
            })
            .collect();
        assert_close(&weights, &expected);
        // Hand-computed buffer after three steps: 0.81·1 + 0.9·0.5 − 1.5 = −0.24.
        assert_close(&sgd.momentum_buffer(0).unwrap()[..1], &[-0.24]);
    }

    #[test]
    fn nesterov_steps_match_the_rule_written_out() {
        let (eta, mu) = (0.1, 0.9);
        let mut sgd = Sgd::new(eta).unwrap().momentum(mu).unwrap().nesterov(true).unwrap();
        let weights = replay(&mut sgd, [1.0, 2.0], &GRADIENTS);
        let expected: Vec<f64> = (0..2)
            .map(|i| {
                let mut buffer = 0.0;
                let mut w = [1.0, 2.0][i];
                for gradient in GRADIENTS {
                    let g = gradient[i];
                    buffer = mu * buffer + g;
                    w -= eta * (g + mu * buffer);
                }
                w
            })
            .collect();
        assert_close(&weights, &expected);
        // First step by hand: W0 − η (1 + 0.9)·g1 = 1 − 0.19.
        let mut one_step = Sgd::new(eta).unwrap().momentum(mu).unwrap().nesterov(true).unwrap();
        assert_close(&replay(&mut one_step, [1.0, 2.0], &GRADIENTS[..1])[..1], &[0.81]);
    }

    #[test]
    fn state_round_trips_and_continues_identically() {
        let mut sgd = Sgd::new(0.1).unwrap().momentum(0.5).unwrap();
        replay(&mut sgd, [1.0, 2.0], &GRADIENTS[..2]);
        let state = sgd.state();
        assert_eq!((state.optimizer.as_str(), state.step), ("sgd", 2));
        assert_eq!(state.tensors[0].0, "momentum_buffer.0");
        let mut restored = Sgd::new(1.0).unwrap().momentum(0.5).unwrap();
        restored.load_state(&state).unwrap();
        assert_eq!(restored, sgd);
        assert_eq!(restored.state(), state);
        // A plain-SGD optimizer has nowhere to put momentum buffers.
        let error = Sgd::<f64>::new(0.1).unwrap().load_state(&state).unwrap_err();
        assert!(error.to_string().contains("unexpected tensor `momentum_buffer.0` for `sgd`"), "{error}");
        let error = sgd.load_state(&OptimizerState { optimizer: "adam".into(), ..state }).unwrap_err();
        assert!(error.to_string().contains("saved by `adam`, cannot be loaded into `sgd`"), "{error}");
    }
}
