//! The traits a user implements: a layer ([`Piece`]) and a loss ([`LossFunction`]).

use std::fmt;

use crate::layer::{Dense, ParameterMut};
use crate::{Error, Matrix};

/// A layer written outside the crate: `a(l) = f(a(l-1))` forward, `∂J/∂a(l-1)` backward.
///
/// Batches are matrices with one sample per row, as everywhere in neurone. Derive `Clone` and
/// [`PieceClone`] comes for free (a [`Sequential`](super::Sequential) is cloned by
/// [`gradient_check`](crate::gradient_check)).
pub trait Piece: PieceClone + fmt::Debug + Send + Sync {
    /// A short description, for summaries and error messages.
    fn name(&self) -> String;

    /// The width of the output for inputs `inputs` values wide, or why the piece cannot take
    /// them. Element-wise pieces keep the width (the default).
    fn outputs(&self, inputs: usize) -> Result<usize, Error> {
        Ok(inputs)
    }

    /// Forward pass in training: the output for a batch of inputs, keeping whatever
    /// [`Piece::backward`] will need.
    fn forward(&mut self, input: &Matrix<f64>) -> Matrix<f64>;

    /// Backward pass after [`Piece::forward`] on the same `input`: from ∂J/∂output, fills the
    /// gradients of the piece's parameters and returns ∂J/∂input.
    fn backward(&mut self, input: &Matrix<f64>, output_gradient: &Matrix<f64>) -> Matrix<f64>;

    /// The parameter tensors with their gradients, in a fixed order (none by default).
    fn parameters_mut(&mut self) -> Vec<ParameterMut<'_, f64>> {
        Vec::new()
    }
}

/// Clones a boxed [`Piece`]; implemented for every piece that is `Clone`.
pub trait PieceClone {
    /// A boxed copy of the piece.
    fn clone_box(&self) -> Box<dyn Piece>;
}

impl<T: Piece + Clone + 'static> PieceClone for T {
    fn clone_box(&self) -> Box<dyn Piece> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn Piece> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// A loss written outside the crate: J on a batch, and ∂J/∂a(L), the gradient that starts
/// backpropagation. Like neurone's own losses, J should be averaged over the batch's n samples,
/// so that its gradient carries a 1/n.
pub trait LossFunction: fmt::Debug + Send + Sync {
    /// J for the outputs `a` (one row per sample) and the targets `y`.
    fn value(&self, a: &Matrix<f64>, y: &Matrix<f64>) -> f64;

    /// ∂J/∂a, the shape of `a`.
    fn gradient(&self, a: &Matrix<f64>, y: &Matrix<f64>) -> Matrix<f64>;
}

/// neurone's dense layer, with its activation, as a piece: the same code as in a
/// [`Network`](crate::Network).
impl Piece for Dense<f64> {
    fn name(&self) -> String {
        format!("dense {}", self.activation())
    }

    fn outputs(&self, inputs: usize) -> Result<usize, Error> {
        if inputs == self.inputs() {
            Ok(Dense::outputs(self))
        } else {
            Err(Error::Shape(format!(
                "a dense layer taking {} values cannot follow a width of {inputs}",
                self.inputs()
            )))
        }
    }

    fn forward(&mut self, input: &Matrix<f64>) -> Matrix<f64> {
        Dense::forward(self, input.as_slice(), input.rows());
        Matrix::new(input.rows(), Dense::outputs(self), self.a().to_vec()).expect("a(l) has rows × outputs values")
    }

    fn backward(&mut self, input: &Matrix<f64>, output_gradient: &Matrix<f64>) -> Matrix<f64> {
        self.output_and_delta_mut().1.copy_from_slice(output_gradient.as_slice());
        let mut input_gradient = Matrix::zeros(input.rows(), self.inputs());
        Dense::backward(self, input.as_slice(), Some(input_gradient.as_mut_slice()));
        input_gradient
    }

    fn parameters_mut(&mut self) -> Vec<ParameterMut<'_, f64>> {
        Dense::parameters_mut(self).into()
    }
}
