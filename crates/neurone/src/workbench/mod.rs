//! The workbench: write your own activation, loss or layer outside the crate, stack it with
//! neurone's dense layers, check its gradients with [`gradient_check`](crate::gradient_check)
//! and train it with neurone's optimizers.
//!
//! A piece implements one of three traits: [`ActivationFunction`] (σ and σ', wrapped in
//! [`Elementwise`]), [`Piece`] (any layer: a forward pass and a backward pass) or
//! [`LossFunction`] (J and ∂J/∂a). [`Sequential`] stacks pieces in f64, one matrix per layer,
//! clarity before speed. The built-in [`Network`](crate::Network) stays a closed set of layers,
//! so that its kernels and its model files are not touched: a piece that proves itself here is
//! added to the library as a built-in.
//!
//! ```
//! use neurone::workbench::{ActivationFunction, Elementwise, LossFunction, Sequential};
//! use neurone::{Activation, Matrix, gradient_check};
//!
//! /// σ(z) = z³, a (poor) activation to check.
//! #[derive(Clone, Debug)]
//! struct Cube;
//! impl ActivationFunction for Cube {
//!     fn name(&self) -> String { "cube".into() }
//!     fn value(&self, z: f64) -> f64 { z * z * z }
//!     fn derivative(&self, z: f64, _a: f64) -> f64 { 3.0 * z * z }
//! }
//!
//! /// J = ½‖a − y‖² averaged over the n samples of the batch.
//! #[derive(Debug)]
//! struct HalfSquaredError;
//! impl LossFunction for HalfSquaredError {
//!     fn value(&self, a: &Matrix<f64>, y: &Matrix<f64>) -> f64 {
//!         let n = a.rows() as f64;
//!         a.as_slice().iter().zip(y.as_slice()).map(|(a, y)| 0.5 * (a - y) * (a - y)).sum::<f64>() / n
//!     }
//!     fn gradient(&self, a: &Matrix<f64>, y: &Matrix<f64>) -> Matrix<f64> {
//!         let n = a.rows() as f64;
//!         let values = a.as_slice().iter().zip(y.as_slice()).map(|(a, y)| (a - y) / n).collect();
//!         Matrix::new(a.rows(), a.cols(), values).unwrap()
//!     }
//! }
//!
//! let mut rng = neurone::seeded_rng(0);
//! let network = Sequential::new(2, HalfSquaredError)
//!     .dense(3, Activation::Identity, &mut rng)?
//!     .then(Elementwise(Cube))?
//!     .dense(1, Activation::Identity, &mut rng)?;
//! let x = Matrix::from_rows(&[[0.5, -1.0], [2.0, 0.1]])?;
//! let y = Matrix::column(&[1.0, -1.0]);
//! assert!(gradient_check(&network, &x, &y)?.max_relative_error() < 1e-6);
//! # Ok::<(), neurone::Error>(())
//! ```

mod elementwise;
mod piece;
mod sequential;

pub use elementwise::{ActivationFunction, Elementwise};
pub use piece::{LossFunction, Piece, PieceClone};
pub use sequential::Sequential;
