//! Helpers for the optimizers' tests: replaying steps on a tiny tensor.

use super::Optimizer;
use crate::layer::ParameterMut;

/// Runs one step per entry of `gradients` on a two-value tensor named `"weight"` in slot 0,
/// starting from `initial`, and returns the final values.
pub(crate) fn replay(optimizer: &mut impl Optimizer<f64>, initial: [f64; 2], gradients: &[[f64; 2]]) -> [f64; 2] {
    replay_named(optimizer, "weight", initial, gradients)
}

/// [`replay`] on a tensor called `name` (`"weight"` or `"bias"`).
pub(crate) fn replay_named(
    optimizer: &mut impl Optimizer<f64>,
    name: &'static str,
    initial: [f64; 2],
    gradients: &[[f64; 2]],
) -> [f64; 2] {
    let mut value = initial;
    for gradient in gradients {
        let mut gradient = *gradient;
        optimizer.begin_step();
        let (regularised, gradient) = (name == "weight", &mut gradient);
        optimizer.update(0, ParameterMut { name, regularised, value: &mut value, gradient });
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
