//! Gradient checking: backpropagation compared with central finite differences, in f64.

use std::fmt;

use crate::layer::ParameterMut;
use crate::workbench::Sequential;
use crate::{Error, Matrix, Network};

/// How far one parameter tensor's backpropagated gradient is from finite differences.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorCheck {
    /// Index of the layer.
    pub layer: usize,
    /// The tensor's name in its layer (`"weight"` or `"bias"`).
    pub name: &'static str,
    /// The worst relative error over the tensor's values (see [`gradient_check`]).
    pub max_relative_error: f64,
    /// The worst absolute difference over the tensor's values.
    pub max_absolute_error: f64,
}

/// The result of [`gradient_check`]: one entry per parameter tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct GradientCheck {
    /// One entry per tensor, layer by layer.
    pub tensors: Vec<TensorCheck>,
}

impl GradientCheck {
    /// The worst relative error over every parameter of the network.
    pub fn max_relative_error(&self) -> f64 {
        self.tensors.iter().map(|t| t.max_relative_error).fold(0.0, f64::max)
    }
}

/// The table `neurone gradcheck` prints: each tensor's worst relative and absolute errors.
impl fmt::Display for GradientCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<20}{:>16}{:>16}", "tensor", "relative error", "absolute error")?;
        for tensor in &self.tensors {
            let name = format!("layers.{}.{}", tensor.layer, tensor.name);
            writeln!(f, "{name:<20}{:>16.3e}{:>16.3e}", tensor.max_relative_error, tensor.max_absolute_error)?;
        }
        Ok(())
    }
}

/// Finite-difference step. With the five-point stencil the truncation error is O(h⁴), negligible
/// here, and rounding costs about ε·J/h ≈ 1e-11.
const STEP: f64 = 1e-5;
/// Gradients smaller than this are compared absolutely rather than relatively, since finite
/// differences cannot resolve them better than rounding allows.
const FLOOR: f64 = 1e-3;

/// What [`gradient_check`] needs of a model: its loss with every gradient, and its parameters.
/// [`Network`] and the workbench's [`Sequential`] implement it.
pub trait Differentiable: Clone {
    /// The loss J on the batch (`x`, `y`) in training mode, with every parameter's gradient
    /// filled. Called many times on the same batch, it must give the same J for the same
    /// parameters: a network replays the same dropout mask every time.
    fn loss_and_gradients(&mut self, x: &Matrix<f64>, y: &Matrix<f64>) -> Result<f64, Error>;

    /// Each parameter tensor with its gradient, after its layer's index, in a fixed order.
    fn tensors_mut(&mut self) -> Vec<(usize, ParameterMut<'_, f64>)>;
}

impl Differentiable for Network<f64> {
    fn loss_and_gradients(&mut self, x: &Matrix<f64>, y: &Matrix<f64>) -> Result<f64, Error> {
        // Every evaluation starts from the same generator state, so dropout draws the same mask.
        let rng = self.rng().clone();
        let loss = self.compute_gradients(x, y);
        self.set_rng(rng);
        loss
    }

    fn tensors_mut(&mut self) -> Vec<(usize, ParameterMut<'_, f64>)> {
        self.parameters_mut().collect()
    }
}

impl Differentiable for Sequential {
    fn loss_and_gradients(&mut self, x: &Matrix<f64>, y: &Matrix<f64>) -> Result<f64, Error> {
        self.compute_gradients(x, y)
    }

    fn tensors_mut(&mut self) -> Vec<(usize, ParameterMut<'_, f64>)> {
        self.parameters_mut()
    }
}

/// Compares every parameter gradient of `model` (a [`Network`], or a workbench
/// [`Sequential`] of your own pieces) on the batch (`x`, `y`), in training mode, with the
/// fourth-order (five-point) central difference
/// `(8(J(θ+h) − J(θ−h)) − (J(θ+2h) − J(θ−2h))) / 12h`, h = 10⁻⁵.
///
/// The relative error of each value is `|analytic − numeric| / max(|analytic|, |numeric|, 10⁻³)`:
/// relative for gradients of ordinary size, absolute for tiny ones. Correct backpropagation on
/// smooth activations gives errors around 1e-8 or less; a wrong one, errors near 1.
///
/// ```
/// use neurone::{Activation, Matrix, Network, gradient_check, seeded_rng};
/// let network: Network<f64> = Network::builder(2)
///     .dense(3, Activation::Tanh)
///     .dense(1, Activation::Identity)
///     .build(&mut seeded_rng(0))?;
/// let x = Matrix::from_rows(&[[0.5, -1.0], [2.0, 0.1]])?;
/// let y = Matrix::column(&[1.0, -1.0]);
/// assert!(gradient_check(&network, &x, &y)?.max_relative_error() < 1e-6);
/// # Ok::<(), neurone::Error>(())
/// ```
pub fn gradient_check<M: Differentiable>(model: &M, x: &Matrix<f64>, y: &Matrix<f64>) -> Result<GradientCheck, Error> {
    let mut model = model.clone();
    model.loss_and_gradients(x, y)?;
    let analytic: Vec<_> = model
        .tensors_mut()
        .into_iter()
        .map(|(layer, parameter)| (layer, parameter.name, parameter.gradient.to_vec()))
        .collect();

    let mut tensors = Vec::with_capacity(analytic.len());
    for (slot, (layer, name, gradient)) in analytic.into_iter().enumerate() {
        let (mut max_relative_error, mut max_absolute_error) = (0.0f64, 0.0f64);
        for (index, &analytic) in gradient.iter().enumerate() {
            let mut loss_at = |shift: f64| {
                nudge(&mut model, slot, index, shift);
                let loss = model.loss_and_gradients(x, y);
                nudge(&mut model, slot, index, -shift);
                loss
            };
            let near = loss_at(STEP)? - loss_at(-STEP)?;
            let far = loss_at(2.0 * STEP)? - loss_at(-2.0 * STEP)?;
            let numeric = (8.0 * near - far) / (12.0 * STEP);
            let difference = (analytic - numeric).abs();
            max_absolute_error = max_absolute_error.max(difference);
            max_relative_error = max_relative_error.max(difference / analytic.abs().max(numeric.abs()).max(FLOOR));
        }
        tensors.push(TensorCheck { layer, name, max_relative_error, max_absolute_error });
    }
    Ok(GradientCheck { tensors })
}

/// Adds `shift` to value `index` of tensor number `slot`.
fn nudge<M: Differentiable>(model: &mut M, slot: usize, index: usize, shift: f64) {
    if let Some((_, parameter)) = model.tensors_mut().into_iter().nth(slot) {
        parameter.value[index] += shift;
    }
}
