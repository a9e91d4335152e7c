//! Gradient descent, `W ← W − η ∂J/∂W`, optionally with momentum (heavy ball or Nesterov).

use super::momentum::accumulate;
use super::slots::{SlotBuffers, export_buffers, import_buffers};
use super::{Optimizer, Step};
use crate::check::check_unit_interval;
use crate::kernels::for_each_piece;
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
/// use neurone::{Optimizer, Sgd, layer::ParameterMut, optim::Step};
/// let mut sgd = Sgd::default();
/// let (mut weights, mut gradient) = ([1.0f64, 2.0], [10.0, -10.0]);
/// let parameter = ParameterMut { name: "weight", regularised: true, value: &mut weights, gradient: &mut gradient };
/// sgd.update(0, parameter, Step { number: 1, learning_rate: 0.1 });
/// assert_eq!(weights, [0.0, 3.0]);
///
/// let with_momentum = Sgd::<f32>::default().momentum(0.9)?.nesterov(true)?;
/// assert!(with_momentum.settings().nesterov);
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd<S = f32> {
    settings: SgdSettings,
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

impl<S: Scalar> Default for Sgd<S> {
    /// Plain gradient descent, no momentum.
    fn default() -> Self {
        Self { settings: SgdSettings::default(), momentum_buffers: SlotBuffers::new("momentum_buffer") }
    }
}

impl<S: Scalar> Sgd<S> {
    /// Gradient descent with `settings`, checked.
    pub fn new(settings: SgdSettings) -> Result<Self, Error> {
        settings.validate()?;
        Ok(Self { settings, ..Self::default() })
    }

    /// Sets the momentum μ, in [0, 1) (0 turns momentum off).
    pub fn momentum(self, momentum: f64) -> Result<Self, Error> {
        Self::new(SgdSettings { momentum, ..self.settings })
    }

    /// Turns Nesterov momentum on or off; it needs a momentum μ > 0, set first.
    pub fn nesterov(self, nesterov: bool) -> Result<Self, Error> {
        Self::new(SgdSettings { nesterov, ..self.settings })
    }

    /// The settings in use.
    pub fn settings(&self) -> &SgdSettings {
        &self.settings
    }

    /// The momentum buffer of tensor `slot`, once that tensor has been updated with momentum on.
    pub fn momentum_buffer(&self, slot: usize) -> Option<&[S]> {
        self.momentum_buffers.slot(slot)
    }
}

impl<S: Scalar> Optimizer<S> for Sgd<S> {
    fn name(&self) -> &'static str {
        "sgd"
    }

    fn default_learning_rate(&self) -> f64 {
        SgdSettings::LEARNING_RATE
    }

    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>, step: Step) {
        let learning_rate = S::from_f64(step.learning_rate);
        if self.settings.momentum == 0.0 {
            // W ← W − η ∂J/∂W, in 8-lane registers where the CPU has them (a tenth of a step at
            // one sample a step, in the baseline's 4-lane ones)
            for_each_piece(
                (parameter.value, &*parameter.gradient),
                #[inline(always)]
                |(weights, gradient): (&mut [S], &[S])| {
                    weights.iter_mut().zip(gradient).for_each(|(w, &g)| *w -= learning_rate * g);
                },
            );
            return;
        }
        let momentum = S::from_f64(self.settings.momentum);
        let buffer = self.momentum_buffers.get(slot, parameter.value.len(), S::ZERO);
        for ((w, &g), b) in parameter.value.iter_mut().zip(parameter.gradient.iter()).zip(buffer) {
            // buf ← μ buf + g
            let b = accumulate(b, momentum, g);
            // Nesterov: W ← W − η (g + μ buf);  heavy ball: W ← W − η buf
            let direction = if self.settings.nesterov { g + momentum * b } else { b };
            *w -= learning_rate * direction;
        }
    }

    fn buffers(&self) -> Vec<(String, Vec<f64>)> {
        export_buffers(&[&self.momentum_buffers])
    }

    fn load_buffers(&mut self, buffers: &[(String, Vec<f64>)]) -> Result<(), Error> {
        // Plain gradient descent keeps no buffers, so a state holding some is not its own.
        let groups: &mut [&mut SlotBuffers<S>] =
            if self.settings.momentum == 0.0 { &mut [] } else { &mut [&mut self.momentum_buffers] };
        import_buffers(buffers, "sgd", groups)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, replay, replay_from};

    const GRADIENTS: [[f64; 2]; 3] = [[1.0, -2.0], [0.5, 0.25], [-1.5, 3.0]];

    fn with_momentum(momentum: f64, nesterov: bool) -> Sgd<f64> {
        Sgd::new(SgdSettings { momentum, nesterov }).unwrap()
    }

    #[test]
    fn rejects_bad_momentum_and_nesterov_without_momentum() {
        let sgd = Sgd::<f64>::default;
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
        let mut sgd = Sgd::default();
        let weights = replay(&mut sgd, 0.1, [1.0, 2.0], &GRADIENTS);
        // W ← W − η Σ g over the three steps.
        assert_close(&weights, &[1.0 - 0.1 * 0.0, 2.0 - 0.1 * 1.25]);
        assert_eq!(sgd.momentum_buffer(0), None, "plain descent keeps no buffers");
    }

    #[test]
    fn momentum_steps_match_the_rule_written_out() {
        let (eta, mu) = (0.1, 0.9);
        let mut sgd = with_momentum(mu, false);
        let weights = replay(&mut sgd, eta, [1.0, 2.0], &GRADIENTS);
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
        let weights = replay(&mut with_momentum(mu, true), eta, [1.0, 2.0], &GRADIENTS);
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
        assert_close(&replay(&mut with_momentum(mu, true), eta, [1.0, 2.0], &GRADIENTS[..1])[..1], &[0.81]);
    }

    #[test]
    fn buffers_round_trip_and_continue_identically() {
        let mut sgd = with_momentum(0.5, false);
        let after_two = replay(&mut sgd, 0.1, [1.0, 2.0], &GRADIENTS[..2]);
        let buffers = sgd.buffers();
        assert_eq!(buffers[0].0, "momentum_buffer.0");
        let mut restored = with_momentum(0.5, false);
        restored.load_buffers(&buffers).unwrap();
        assert_eq!(restored, sgd);
        let continued = replay_from(&mut sgd, "weight", 3, 0.1, after_two, &GRADIENTS[2..]);
        assert_eq!(replay_from(&mut restored, "weight", 3, 0.1, after_two, &GRADIENTS[2..]), continued);
        // A plain-SGD optimizer has nowhere to put momentum buffers.
        let error = Sgd::<f64>::default().load_buffers(&buffers).unwrap_err();
        assert!(error.to_string().contains("unexpected tensor `momentum_buffer.0` for `sgd`"), "{error}");
    }
}
