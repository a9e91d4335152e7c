//! Plain gradient descent: `W ← W − η ∂J/∂W`.

use super::{Optimizer, OptimizerState};
use crate::layer::Tensor;
use crate::{Error, Scalar};

/// Stochastic gradient descent with a constant learning rate η.
///
/// ```
/// use neurone::{Optimizer, Sgd, layer::Tensor};
/// let mut sgd = Sgd::new(0.1).unwrap();
/// let mut weights = [1.0f64, 2.0];
/// sgd.update(0, Tensor { name: "weight", regularised: true, value: &mut weights, gradient: &[10.0, -10.0] });
/// assert_eq!(weights, [0.0, 3.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd {
    learning_rate: f64,
}

impl Sgd {
    /// Gradient descent with step size η = `learning_rate`, which must be positive and finite.
    pub fn new(learning_rate: f64) -> Result<Self, Error> {
        check_learning_rate(learning_rate)?;
        Ok(Self { learning_rate })
    }
}

impl<S: Scalar> Optimizer<S> for Sgd {
    fn update(&mut self, _slot: usize, tensor: Tensor<'_, S>) {
        let learning_rate = S::from_f64(self.learning_rate);
        // W ← W − η ∂J/∂W
        for (w, &g) in tensor.value.iter_mut().zip(tensor.gradient) {
            *w -= learning_rate * g;
        }
    }

    fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }

    fn state(&self) -> OptimizerState {
        OptimizerState { optimizer: "sgd".into(), learning_rate: self.learning_rate, ..OptimizerState::default() }
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        state.expect_optimizer("sgd")?;
        check_learning_rate(state.learning_rate)?;
        self.learning_rate = state.learning_rate;
        Ok(())
    }
}

/// A learning rate must be a positive, finite number.
pub(crate) fn check_learning_rate(learning_rate: f64) -> Result<(), Error> {
    if learning_rate > 0.0 && learning_rate.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid("learning_rate", format!("must be a positive number, got {learning_rate}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_learning_rates_that_are_not_positive_and_finite() {
        for bad in [0.0, -0.1, f64::NAN, f64::INFINITY] {
            let error = Sgd::new(bad).unwrap_err();
            assert!(error.to_string().starts_with("invalid learning_rate: must be a positive number"), "{error}");
        }
    }
}
