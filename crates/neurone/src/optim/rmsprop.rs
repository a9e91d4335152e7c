//! RMSProp: gradient descent divided by a running root mean square of the gradient.

use super::momentum::accumulate;
use super::slots::{SlotBuffers, export_buffers, import_buffers};
use super::{Optimizer, Step};
use crate::check::{check_positive, check_unit_interval};
use crate::kernels::for_each_piece;
use crate::layer::ParameterMut;
use crate::{Error, Scalar};
use serde::{Deserialize, Serialize};

/// RMSProp (Hinton, 2012), following PyTorch's `torch.optim.RMSprop` (without weight decay).
///
/// With g = ∂J/∂W and per-tensor buffers starting at zero:
///
/// ```text
/// v ← α v + (1 − α) g²
/// centered only:  ḡ ← α ḡ + (1 − α) g,   v − ḡ² in place of v below
/// plain:     W ← W − η g / (√v + ε)
/// momentum:  buf ← μ buf + g / (√v + ε)     W ← W − η buf
/// ```
///
/// Defaults are PyTorch's: η = 0.01, α = 0.99, ε = 10⁻⁸, no momentum, not centered.
#[derive(Clone, Debug, PartialEq)]
pub struct RmsProp<S = f32> {
    settings: RmsPropSettings,
    square_avg: SlotBuffers<S>,
    grad_avg: SlotBuffers<S>,
    momentum_buffers: SlotBuffers<S>,
}

/// What a user chooses for [`RmsProp`] besides η, with PyTorch's defaults; the `rmsprop` kind
/// of [`OptimizerSpec`](crate::spec::OptimizerSpec).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RmsPropSettings {
    /// α, the decay rate of the mean square, in [0, 1). Default 0.99.
    pub alpha: f64,
    /// ε, the positive term that keeps the division finite where v is zero. Default 10⁻⁸.
    pub epsilon: f64,
    /// μ, in [0, 1) (0 turns momentum off). Default 0.
    pub momentum: f64,
    /// Divide by an estimate of the gradient's variance, v − ḡ², rather than its mean square v.
    /// Default false.
    pub centered: bool,
}

impl RmsPropSettings {
    /// PyTorch's default η for RMSprop.
    pub const LEARNING_RATE: f64 = 0.01;

    /// Checks every setting, naming the one at fault.
    pub fn validate(&self) -> Result<(), Error> {
        check_unit_interval("alpha", self.alpha)?;
        check_positive("epsilon", self.epsilon)?;
        check_unit_interval("momentum", self.momentum)
    }
}

impl Default for RmsPropSettings {
    fn default() -> Self {
        Self { alpha: 0.99, epsilon: 1e-8, momentum: 0.0, centered: false }
    }
}

impl<S: Scalar> Default for RmsProp<S> {
    /// PyTorch's defaults: α = 0.99, ε = 10⁻⁸, no momentum, not centered.
    fn default() -> Self {
        Self {
            settings: RmsPropSettings::default(),
            square_avg: SlotBuffers::new("square_avg"),
            grad_avg: SlotBuffers::new("grad_avg"),
            momentum_buffers: SlotBuffers::new("momentum_buffer"),
        }
    }
}

impl<S: Scalar> RmsProp<S> {
    /// RMSProp with `settings`, checked.
    pub fn new(settings: RmsPropSettings) -> Result<Self, Error> {
        settings.validate()?;
        Ok(Self { settings, ..Self::default() })
    }

    /// Sets the decay rate α of the mean square, in [0, 1).
    pub fn alpha(self, alpha: f64) -> Result<Self, Error> {
        Self::new(RmsPropSettings { alpha, ..self.settings })
    }

    /// Sets ε, the positive term that keeps the division finite where v is zero.
    pub fn epsilon(self, epsilon: f64) -> Result<Self, Error> {
        Self::new(RmsPropSettings { epsilon, ..self.settings })
    }

    /// Sets the momentum μ, in [0, 1) (0 turns momentum off).
    pub fn momentum(self, momentum: f64) -> Result<Self, Error> {
        Self::new(RmsPropSettings { momentum, ..self.settings })
    }

    /// Whether to divide by an estimate of the gradient's variance, v − ḡ², rather than its
    /// mean square v.
    pub fn centered(mut self, centered: bool) -> Self {
        self.settings.centered = centered;
        self
    }

    /// The settings in use.
    pub fn settings(&self) -> &RmsPropSettings {
        &self.settings
    }

    /// The mean square v of tensor `slot` (PyTorch's `square_avg`), once that tensor was updated.
    pub fn square_average(&self, slot: usize) -> Option<&[S]> {
        self.square_avg.slot(slot)
    }

    /// The mean gradient ḡ of tensor `slot` (PyTorch's `grad_avg`), when centered.
    pub fn gradient_average(&self, slot: usize) -> Option<&[S]> {
        self.grad_avg.slot(slot)
    }

    /// The momentum buffer of tensor `slot`, when momentum is on.
    pub fn momentum_buffer(&self, slot: usize) -> Option<&[S]> {
        self.momentum_buffers.slot(slot)
    }
}

impl<S: Scalar> Optimizer<S> for RmsProp<S> {
    fn name(&self) -> &'static str {
        "rmsprop"
    }

    fn default_learning_rate(&self) -> f64 {
        RmsPropSettings::LEARNING_RATE
    }

    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>, step: Step) {
        let (learning_rate, alpha, epsilon) =
            (S::from_f64(step.learning_rate), S::from_f64(self.settings.alpha), S::from_f64(self.settings.epsilon));
        let (one_minus_alpha, momentum) = (S::from_f64(1.0 - self.settings.alpha), S::from_f64(self.settings.momentum));
        let length = parameter.value.len();
        let square_avg = self.square_avg.get(slot, length, S::ZERO);
        let grad_avg = self.settings.centered.then(|| self.grad_avg.get(slot, length, S::ZERO));
        let momentum_buffer = (self.settings.momentum > 0.0).then(|| self.momentum_buffers.get(slot, length, S::ZERO));
        for_each_piece(
            (parameter.value, &*parameter.gradient, square_avg, grad_avg, momentum_buffer),
            #[inline(always)]
            |(w, g, square_avg, mut grad_avg, mut momentum_buffer)| {
                for (i, (w, &g)) in w.iter_mut().zip(g).enumerate() {
                    // v ← α v + (1 − α) g²
                    square_avg[i] = alpha * square_avg[i] + one_minus_alpha * g * g;
                    let mut mean_square = square_avg[i];
                    if let Some(grad_avg) = grad_avg.as_deref_mut() {
                        // ḡ ← α ḡ + (1 − α) g; v − ḡ² ≥ 0 in exact arithmetic, clamped against rounding.
                        grad_avg[i] = alpha * grad_avg[i] + one_minus_alpha * g;
                        mean_square = (mean_square - grad_avg[i] * grad_avg[i]).max(S::ZERO);
                    }
                    let scaled = g / (mean_square.sqrt() + epsilon);
                    let direction = match momentum_buffer.as_deref_mut() {
                        // buf ← μ buf + g / (√v + ε)
                        Some(buffer) => accumulate(&mut buffer[i], momentum, scaled),
                        None => scaled,
                    };
                    // W ← W − η buf   or   W ← W − η g / (√v + ε)
                    *w -= learning_rate * direction;
                }
            },
        );
    }

    fn buffers(&self) -> Vec<(String, Vec<f64>)> {
        export_buffers(&[&self.square_avg, &self.grad_avg, &self.momentum_buffers])
    }

    fn load_buffers(&mut self, buffers: &[(String, Vec<f64>)]) -> Result<(), Error> {
        // Only the buffers this configuration uses may appear in the state.
        let mut groups = vec![&mut self.square_avg];
        if self.settings.centered {
            groups.push(&mut self.grad_avg);
        }
        if self.settings.momentum > 0.0 {
            groups.push(&mut self.momentum_buffers);
        }
        import_buffers(buffers, "rmsprop", &mut groups)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, replay};

    const GRADIENTS: [[f64; 2]; 3] = [[0.5, -2.0], [0.1, 0.3], [-1.0, 0.7]];

    /// PyTorch's rule written out, one weight at a time.
    fn by_hand(eta: f64, alpha: f64, epsilon: f64, momentum: f64, centered: bool) -> Vec<f64> {
        (0..2)
            .map(|i| {
                let (mut w, mut v, mut mean, mut buffer) = ([1.0, -1.0][i], 0.0, 0.0, 0.0);
                for gradient in GRADIENTS {
                    let g = gradient[i];
                    v = alpha * v + (1.0 - alpha) * g * g;
                    mean = alpha * mean + (1.0 - alpha) * g;
                    let denominator = if centered { (v - mean * mean).sqrt() } else { v.sqrt() } + epsilon;
                    buffer = momentum * buffer + g / denominator;
                    w -= eta * if momentum > 0.0 { buffer } else { g / denominator };
                }
                w
            })
            .collect()
    }

    #[test]
    fn defaults_are_pytorchs() {
        let rmsprop = RmsProp::<f64>::default();
        assert_eq!(
            (rmsprop.default_learning_rate(), rmsprop.settings.alpha, rmsprop.settings.epsilon),
            (0.01, 0.99, 1e-8)
        );
        assert_eq!((rmsprop.settings.momentum, rmsprop.settings.centered), (0.0, false));
    }

    #[test]
    fn the_first_step_is_the_gradient_over_its_scaled_magnitude() {
        // v = (1 − α) g², so the step is η g / (√(1 − α) |g| + ε) = η sign(g) / √0.01 · (1 − tiny).
        let weights = replay(&mut RmsProp::default(), 0.01, [1.0, -1.0], &GRADIENTS[..1]);
        assert_close(&weights, &[1.0 - 0.1, -1.0 + 0.1]);
    }

    #[test]
    fn three_steps_match_the_rule_written_out_in_every_variant() {
        for (momentum, centered) in [(0.0, false), (0.9, false), (0.0, true), (0.5, true)] {
            let settings = RmsPropSettings { alpha: 0.9, momentum, centered, ..RmsPropSettings::default() };
            let mut rmsprop = RmsProp::new(settings).unwrap();
            let weights = replay(&mut rmsprop, 0.02, [1.0, -1.0], &GRADIENTS);
            assert_close(&weights, &by_hand(0.02, 0.9, 1e-8, momentum, centered));
            assert_eq!(rmsprop.gradient_average(0).is_some(), centered);
            assert_eq!(rmsprop.momentum_buffer(0).is_some(), momentum > 0.0);
        }
        // Mean square after three steps, by hand: 0.1·(0.81·0.25 + 0.9·0.01 + 1) = 0.12115.
        let mut rmsprop = RmsProp::default().alpha(0.9).unwrap();
        replay(&mut rmsprop, 0.02, [1.0, -1.0], &GRADIENTS);
        assert_close(&rmsprop.square_average(0).unwrap()[..1], &[0.12115]);
    }

    #[test]
    fn bad_hyper_parameters_are_named() {
        let rmsprop = RmsProp::<f32>::default;
        assert_eq!(rmsprop().alpha(1.0).unwrap_err().to_string(), "invalid alpha: must be in [0, 1), got 1");
        assert!(rmsprop().epsilon(-1e-8).unwrap_err().to_string().starts_with("invalid epsilon"));
        assert!(rmsprop().momentum(1.2).unwrap_err().to_string().starts_with("invalid momentum"));
    }

    #[test]
    fn buffers_round_trip_with_every_buffer() {
        let mut rmsprop = RmsProp::default().momentum(0.9).unwrap().centered(true);
        replay(&mut rmsprop, 0.01, [1.0, 2.0], &GRADIENTS);
        let buffers = rmsprop.buffers();
        let names: Vec<&str> = buffers.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["square_avg.0", "grad_avg.0", "momentum_buffer.0"]);
        let mut restored = RmsProp::default().momentum(0.9).unwrap().centered(true);
        restored.load_buffers(&buffers).unwrap();
        assert_eq!(restored, rmsprop);
        // An uncentered optimizer without momentum has no place for two of those buffers.
        let error = RmsProp::<f64>::default().load_buffers(&buffers).unwrap_err();
        assert!(error.to_string().contains("unexpected tensor `grad_avg.0`"), "{error}");
    }
}
