//! Helpers for the optimizers' tests: replaying steps on a tiny tensor.

use super::{Optimizer, Step};
use crate::layer::ParameterMut;

/// Runs steps 1, 2, … at η = `learning_rate`, one per entry of `gradients`, on a two-value
/// tensor named `"weight"` in slot 0, starting from `initial`, and returns the final values.
pub(crate) fn replay(
    optimizer: &mut impl Optimizer<f64>,
    learning_rate: f64,
    initial: [f64; 2],
    gradients: &[[f64; 2]],
) -> [f64; 2] {
    replay_from(optimizer, "weight", 1, learning_rate, initial, gradients)
}

/// [`replay`] on a tensor called `name` (`"weight"` or `"bias"`), numbering the steps from
/// `first_step`.
pub(crate) fn replay_from(
    optimizer: &mut impl Optimizer<f64>,
    name: &'static str,
    first_step: u64,
    learning_rate: f64,
    initial: [f64; 2],
    gradients: &[[f64; 2]],
) -> [f64; 2] {
    let mut value = initial;
    for (number, gradient) in (first_step..).zip(gradients) {
        let mut gradient = *gradient;
        let (regularised, gradient) = (name == "weight", &mut gradient);
        let step = Step { number, learning_rate };
        optimizer.update(0, ParameterMut { name, regularised, value: &mut value, gradient }, step);
    }
    value
}

/// Asserts that two sequences agree to 1e-6 (absolute, or relative for large values).
#[track_caller]
pub(crate) fn assert_close(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() <= 1e-6 * e.abs().max(1.0), "{actual:?} vs {expected:?}");
    }
}
