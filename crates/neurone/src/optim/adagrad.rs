//! Adagrad: gradient descent divided by the root of every squared gradient so far.

use super::slots::{SlotBuffers, export_state, import_state};
use super::{Optimizer, OptimizerState};
use crate::check::{check_learning_rate, check_non_negative, check_positive};
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
    learning_rate: f64,
    settings: AdagradSettings,
    step: u64,
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
    /// PyTorch's defaults: η = 0.01, ε = 10⁻¹⁰, initial accumulator value 0.
    fn default() -> Self {
        Self {
            learning_rate: AdagradSettings::LEARNING_RATE,
            settings: AdagradSettings::default(),
            step: 0,
            sum: SlotBuffers::new("sum"),
        }
    }
}

impl<S: Scalar> Adagrad<S> {
    /// Adagrad with learning rate η = `learning_rate` (positive, finite) and the other defaults.
    pub fn new(learning_rate: f64) -> Result<Self, Error> {
        Self::with_settings(learning_rate, AdagradSettings::default())
    }

    /// Adagrad with learning rate η = `learning_rate` and `settings`, both checked.
    pub fn with_settings(learning_rate: f64, settings: AdagradSettings) -> Result<Self, Error> {
        check_learning_rate(learning_rate)?;
        settings.validate()?;
        Ok(Self { learning_rate, settings, ..Self::default() })
    }

    /// Sets ε, the positive term that keeps the division finite where the sum is zero.
    pub fn epsilon(self, epsilon: f64) -> Result<Self, Error> {
        Self::with_settings(self.learning_rate, AdagradSettings { epsilon, ..self.settings })
    }

    /// Sets the value, at least 0, each sum starts from.
    pub fn initial_accumulator_value(self, value: f64) -> Result<Self, Error> {
        let settings = AdagradSettings { initial_accumulator_value: value, ..self.settings };
        Self::with_settings(self.learning_rate, settings)
    }

    /// The settings in use.
    pub fn settings(&self) -> &AdagradSettings {
        &self.settings
    }

    /// Number of steps taken (calls to [`Optimizer::begin_step`]).
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// The sum of squared gradients of tensor `slot` (PyTorch's `sum`), once that tensor was updated.
    pub fn sum_of_squares(&self, slot: usize) -> Option<&[S]> {
        self.sum.slot(slot)
    }
}

impl<S: Scalar> Optimizer<S> for Adagrad<S> {
    fn begin_step(&mut self) {
        self.step += 1;
    }

    fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>) {
        let (learning_rate, epsilon) = (S::from_f64(self.learning_rate), S::from_f64(self.settings.epsilon));
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

    fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }

    fn state(&self) -> OptimizerState {
        export_state("adagrad", self.step, self.learning_rate, &[&self.sum])
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        import_state(state, "adagrad", &mut [&mut self.sum])?;
        self.step = state.step;
        self.learning_rate = state.learning_rate;
        Ok(())
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
        assert_eq!(
            (adagrad.learning_rate, adagrad.settings.epsilon, adagrad.settings.initial_accumulator_value),
            (0.01, 1e-10, 0.0)
        );
    }

    #[test]
    fn the_first_step_moves_each_weight_by_the_learning_rate() {
        // sum = g², so the step is η g / |g| = η sign(g).
        let mut adagrad = Adagrad::new(0.1).unwrap();
        assert_close(&replay(&mut adagrad, [1.0, -1.0], &GRADIENTS[..1]), &[0.9, -0.9]);
    }

    #[test]
    fn three_steps_match_the_rule_written_out() {
        let (eta, epsilon, initial) = (0.1, 1e-10, 0.25);
        let mut adagrad = Adagrad::new(eta).unwrap().initial_accumulator_value(initial).unwrap();
        let weights = replay(&mut adagrad, [1.0, -1.0], &GRADIENTS);
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
        assert!(Adagrad::<f32>::new(-0.01).unwrap_err().to_string().starts_with("invalid learning_rate"));
    }

    #[test]
    fn state_round_trips_and_rejects_other_sizes() {
        let mut adagrad = Adagrad::new(0.1).unwrap();
        replay(&mut adagrad, [1.0, 2.0], &GRADIENTS);
        let state = adagrad.state();
        assert_eq!((state.optimizer.as_str(), state.step, state.tensors[0].0.as_str()), ("adagrad", 3, "sum.0"));
        let mut restored = Adagrad::default();
        restored.load_state(&state).unwrap();
        assert_eq!(restored, adagrad);
        let mut other = state.clone();
        other.tensors[0].1.push(1.0);
        let error = adagrad.load_state(&other).unwrap_err();
        assert!(error.to_string().contains("tensor `sum.0` has 3 values where tensor slot 0 has 2"), "{error}");
    }
}
