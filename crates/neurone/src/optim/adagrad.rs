//! Adagrad: gradient descent divided by the root of every squared gradient so far.

use super::slots::{SlotBuffers, export_buffers, import_buffers};
use super::{Optimizer, Step};
use crate::check::{check_non_negative, check_positive};
use crate::kernels::for_each_piece;
use crate::layer::ParameterMut;
use crate::{Error, Scalar};
use serde::{Deserialize, Serialize};

/// Adagrad (Duchi, Hazan & Singer, 2011), following PyTorch's `torch.optim.Adagrad` (without
/// learning-rate decay or weight decay).
///
/// With g = ∂J/∂W and a per-tensor sum starting at `initial_accumulator_value`:
///
/// ```text
/// sum ← sum + g²
/// W ← W − η g / (√sum + ε)
/// ```
///
/// Defaults are PyTorch's: η = 0.01, ε = 10⁻¹⁰, initial accumulator value 0.
#[derive(Clone, Debug, PartialEq)]
pub struct Adagrad<S = f32> {
    settings: AdagradSettings,
    sum: SlotBuffers<S>,
}

/// What a user chooses for [`Adagrad`] besides η, with PyTorch's defaults; the `adagrad` kind
/// of [`OptimizerSpec`](crate::spec::OptimizerSpec).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdagradSettings {
    /// ε, the positive term that keeps the division finite where the sum is zero. Default 10⁻¹⁰.
    pub epsilon: f64,
    /// The value, at least 0, each sum starts from. Default 0.
    pub initial_accumulator_value: f64,
}

impl AdagradSettings {
    /// PyTorch's default η for Adagrad.
    pub const LEARNING_RATE: f64 = 0.01;

    /// Checks every setting, naming the one at fault.
    pub fn validate(&self) -> Result<(), Error> {
        check_positive("epsilon", self.epsilon)?;
        check_non_negative("initial_accumulator_value", self.initial_accumulator_value)
    }
}

impl Default for AdagradSettings {
    fn default() -> Self {
        Self { epsilon: 1e-10, initial_accumulator_value: 0.0 }
    }
}

impl<S: Scalar> Default for Adagrad<S> {
    /// PyTorch's defaults: ε = 10⁻¹⁰, initial accumulator value 0.
    fn default() -> Self {
        Self { settings: AdagradSettings::default(), sum: SlotBuffers::new("sum") }
    }
}

impl<S: Scalar> Adagrad<S> {
    /// Adagrad with `settings`, checked.
    pub fn new(settings: AdagradSettings) -> Result<Self, Error> {
        settings.validate()?;
        Ok(Self { settings, ..Self::default() })
    }

    /// Sets ε, the positive term that keeps the division finite where the sum is zero.
    pub fn epsilon(self, epsilon: f64) -> Result<Self, Error> {
        Self::new(AdagradSettings { epsilon, ..self.settings })
    }

    /// Sets the value, at least 0, each sum starts from.
    pub fn initial_accumulator_value(self, value: f64) -> Result<Self, Error> {
        Self::new(AdagradSettings { initial_accumulator_value: value, ..self.settings })
    }

    /// The settings in use.
    pub fn settings(&self) -> &AdagradSettings {
        &self.settings
    }

    /// The sum of squared gradients of tensor `slot` (PyTorch's `sum`), once that tensor was updated.
    pub fn sum_of_squares(&self, slot: usize) -> Option<&[S]> {
        self.sum.slot(slot)
    }
}

impl<S: Scalar> Optimizer<S> for Adagrad<S> {
    fn name(&self) -> &'static str {
        "adagrad"
    }

    fn default_learning_rate(&self) -> f64 {
        AdagradSettings::LEARNING_RATE
    }

    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>, step: Step) {
        let (learning_rate, epsilon) = (S::from_f64(step.learning_rate), S::from_f64(self.settings.epsilon));
        let length = parameter.value.len();
        let sum = self.sum.get(slot, length, S::from_f64(self.settings.initial_accumulator_value));
        for_each_piece(
            (parameter.value, &*parameter.gradient, sum),
            #[inline(always)]
            |(w, g, sum)| {
                for ((w, &g), sum) in w.iter_mut().zip(g).zip(sum) {
                    // sum ← sum + g²;  W ← W − η g / (√sum + ε)
                    *sum += g * g;
                    *w -= learning_rate * g / (sum.sqrt() + epsilon);
                }
            },
        );
    }

    fn buffers(&self) -> Vec<(String, Vec<f64>)> {
        export_buffers(&[&self.sum])
    }

    fn load_buffers(&mut self, buffers: &[(String, Vec<f64>)]) -> Result<(), Error> {
        import_buffers(buffers, "adagrad", &mut [&mut self.sum])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, replay};

    const GRADIENTS: [[f64; 2]; 3] = [[0.5, -2.0], [0.1, 0.3], [-1.0, 0.7]];

    #[test]
    fn defaults_are_pytorchs() {
        let adagrad = Adagrad::<f64>::default();
        let AdagradSettings { epsilon, initial_accumulator_value } = adagrad.settings;
        assert_eq!((adagrad.default_learning_rate(), epsilon, initial_accumulator_value), (0.01, 1e-10, 0.0));
    }

    #[test]
    fn the_first_step_moves_each_weight_by_the_learning_rate() {
        // sum = g², so the step is η g / |g| = η sign(g).
        assert_close(&replay(&mut Adagrad::default(), 0.1, [1.0, -1.0], &GRADIENTS[..1]), &[0.9, -0.9]);
    }

    #[test]
    fn three_steps_match_the_rule_written_out() {
        let (eta, epsilon, initial) = (0.1, 1e-10, 0.25);
        let mut adagrad = Adagrad::default().initial_accumulator_value(initial).unwrap();
        let weights = replay(&mut adagrad, eta, [1.0, -1.0], &GRADIENTS);
        let mut expected = [1.0, -1.0];
        for i in 0..2 {
            let mut sum = initial;
            for gradient in GRADIENTS {
                sum += gradient[i] * gradient[i];
                expected[i] -= eta * gradient[i] / (sum.sqrt() + epsilon);
            }
        }
        assert_close(&weights, &expected);
        // By hand: 0.25 + 0.25 + 0.01 + 1 = 1.51.
        assert_close(&adagrad.sum_of_squares(0).unwrap()[..1], &[1.51]);
    }

    #[test]
    fn bad_hyper_parameters_are_named() {
        let error = Adagrad::<f32>::default().initial_accumulator_value(-1.0).unwrap_err();
        assert_eq!(error.to_string(), "invalid initial_accumulator_value: must be a non-negative number, got -1");
        assert!(Adagrad::<f32>::default().epsilon(0.0).unwrap_err().to_string().starts_with("invalid epsilon"));
    }

    #[test]
    fn buffers_round_trip_and_other_sizes_are_refused() {
        let mut adagrad = Adagrad::default();
        replay(&mut adagrad, 0.1, [1.0, 2.0], &GRADIENTS);
        let buffers = adagrad.buffers();
        assert_eq!(buffers[0].0, "sum.0");
        let mut restored = Adagrad::default();
        restored.load_buffers(&buffers).unwrap();
        assert_eq!(restored, adagrad);
        let mut other = buffers.clone();
        other[0].1.push(1.0);
        let error = adagrad.load_buffers(&other).unwrap_err();
        assert!(error.to_string().contains("tensor `sum.0` has 3 values where tensor slot 0 has 2"), "{error}");
    }
}
