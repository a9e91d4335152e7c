//! An activation written outside the crate, σ and σ', applied value by value.

use std::fmt;

use super::Piece;
use crate::Matrix;

/// An element-wise activation: `a = σ(z)` and its derivative `σ'(z)`.
pub trait ActivationFunction: Clone + fmt::Debug + Send + Sync + 'static {
    /// The name, for summaries.
    fn name(&self) -> String;

    /// σ(z).
    fn value(&self, z: f64) -> f64;

    /// σ'(z), given also a = σ(z) for activations whose derivative is cheaper from it (the
    /// sigmoid's σ'(z) = a(1 − a)).
    fn derivative(&self, z: f64, a: f64) -> f64;
}

/// An [`ActivationFunction`] as a layer of its own: put it after a dense layer with the
/// identity activation, and the pair computes `a = σ(W a(l-1) + b)`.
#[derive(Clone, Debug)]
pub struct Elementwise<A>(pub A);

impl<A: ActivationFunction> Piece for Elementwise<A> {
    fn name(&self) -> String {
        self.0.name()
    }

    fn forward(&mut self, z: &Matrix<f64>) -> Matrix<f64> {
        map(z, |z| self.0.value(z))
    }

    /// δ = ∂J/∂a ⊙ σ'(z)
    fn backward(&mut self, z: &Matrix<f64>, output_gradient: &Matrix<f64>) -> Matrix<f64> {
        let mut delta = map(z, |z| self.0.derivative(z, self.0.value(z)));
        delta.as_mut_slice().iter_mut().zip(output_gradient.as_slice()).for_each(|(d, g)| *d *= g);
        delta
    }
}

/// `f` applied to every value of `matrix`.
fn map(matrix: &Matrix<f64>, f: impl Fn(f64) -> f64) -> Matrix<f64> {
    let values = matrix.as_slice().iter().map(|&value| f(value)).collect();
    Matrix::new(matrix.rows(), matrix.cols(), values).expect("the same shape")
}
