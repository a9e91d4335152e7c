//! A stack of pieces, written for reading: one matrix per layer and per pass.

use std::sync::Arc;

use super::{LossFunction, Piece};
use crate::layer::{Dense, ParameterMut};
use crate::optim::Step;
use crate::{Activation, Error, Init, Matrix, Optimizer, Rng};

/// Pieces applied in order, and the loss they are trained on: a network built from your own
/// pieces and neurone's dense layers, in f64.
#[derive(Clone, Debug)]
pub struct Sequential {
    inputs: usize,
    width: usize,
    pieces: Vec<Box<dyn Piece>>,
    loss: Arc<dyn LossFunction>,
    /// a(0) = x, a(1), …, a(L) from the last forward pass: each piece's input, then the output.
    activations: Vec<Matrix<f64>>,
}

impl Sequential {
    /// An empty stack taking `inputs` values per sample, to be trained on `loss`.
    pub fn new(inputs: usize, loss: impl LossFunction + 'static) -> Self {
        Self { inputs, width: inputs, pieces: Vec::new(), loss: Arc::new(loss), activations: Vec::new() }
    }

    /// Appends `piece`, after checking that it takes the width the stack gives so far.
    pub fn then(mut self, piece: impl Piece + 'static) -> Result<Self, Error> {
        let place = format!("layers[{}]", self.pieces.len());
        self.width =
            piece.outputs(self.width).map_err(|error| Error::invalid(place, format!("{}: {error}", piece.name())))?;
        self.pieces.push(Box::new(piece));
        Ok(self)
    }

    /// Appends neurone's dense layer of `units` outputs with the activation σ, its weights
    /// drawn as [`Network::builder`](crate::Network::builder) draws them.
    pub fn dense(self, units: usize, activation: Activation, rng: &mut Rng) -> Result<Self, Error> {
        if units == 0 {
            let place = format!("layers[{}]", self.pieces.len());
            return Err(Error::invalid(place, "a layer needs at least one unit, got 0"));
        }
        let dense = Dense::new(self.width, units, activation, Init::default_for(activation), Init::Zeros, rng);
        self.then(dense)
    }

    /// Number of input values per sample.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Number of output values per sample.
    pub fn outputs(&self) -> usize {
        self.width
    }

    /// The pieces, from input to output.
    pub fn pieces(&self) -> &[Box<dyn Piece>] {
        &self.pieces
    }

    /// Forward pass on a batch (one sample per row): the output a(L).
    pub fn forward(&mut self, x: &Matrix<f64>) -> Result<&Matrix<f64>, Error> {
        if x.cols() != self.inputs {
            return Err(Error::Shape(format!(
                "the inputs have {} columns, the network takes {}",
                x.cols(),
                self.inputs
            )));
        }
        self.activations.clear();
        self.activations.push(x.clone());
        for piece in &mut self.pieces {
            let output = piece.forward(self.activations.last().expect("a(0) is there"));
            self.activations.push(output);
        }
        Ok(self.activations.last().expect("a(0) is there"))
    }

    /// A forward pass followed by backpropagation: fills every piece's gradients for the
    /// targets `y` and returns the loss J.
    pub fn compute_gradients(&mut self, x: &Matrix<f64>, y: &Matrix<f64>) -> Result<f64, Error> {
        self.forward(x)?;
        let output = self.activations.last().expect("a(0) is there");
        if y.shape() != output.shape() {
            let (rows, cols) = output.shape();
            return Err(Error::Shape(format!(
                "the targets are {}×{}, the network needs {rows}×{cols}",
                y.rows(),
                y.cols()
            )));
        }
        let loss = self.loss.value(output, y);
        // ∂J/∂a(L), then ∂J/∂a(l-1) from each piece, from the output down.
        let mut gradient = self.loss.gradient(output, y);
        if gradient.shape() != output.shape() {
            return Err(Error::Shape(format!(
                "the loss's gradient is {:?}, its outputs {:?}",
                gradient.shape(),
                output.shape()
            )));
        }
        for (piece, input) in self.pieces.iter_mut().zip(&self.activations).rev() {
            gradient = piece.backward(input, &gradient);
        }
        Ok(loss)
    }

    /// Applies `step` of `optimizer` to every parameter tensor, using the current gradients.
    pub fn update<O: Optimizer<f64> + ?Sized>(&mut self, optimizer: &mut O, step: Step) {
        for (slot, (_, parameter)) in self.parameters_mut().into_iter().enumerate() {
            optimizer.update(slot, parameter, step);
        }
    }

    /// Each parameter tensor with its gradient, after its piece's index, piece by piece.
    pub fn parameters_mut(&mut self) -> Vec<(usize, ParameterMut<'_, f64>)> {
        let pieces = self.pieces.iter_mut().enumerate();
        pieces
            .flat_map(|(index, piece)| piece.parameters_mut().into_iter().map(move |parameter| (index, parameter)))
            .collect()
    }
}
