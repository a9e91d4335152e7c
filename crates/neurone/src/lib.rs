//! # neurone
//!
//! A multi-layer perceptron written from first principles, in the notation of the course
//! "Fabriquer son propre réseau de neurones". For layer l with weights `W(l)` (out × in) and
//! bias `b(l)`:
//!
//! ```text
//! z(l) = W(l) a(l-1) + b(l)            a(l) = σ(l)(z(l))
//! δ(L) = ∂J/∂a(L) ⊙ σ'(L)(z(L))
//! δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ σ'(l)(z(l))
//! ∂J/∂W(l) = δ(l) a(l-1)ᵀ              ∂J/∂b(l) = δ(l)
//! W ← W − η ∂J/∂W                      b ← b − η ∂J/∂b
//! ```
//!
//! Each line lives in one place: [`layer::Dense`] (forward, backward; δ(l) in two halves, Wᵀδ
//! in layer l+1 and ⊙ σ' in layer l), [`Activation`] (σ, σ'), [`Loss`] (J, δ(L)), [`Sgd`] (the
//! update), and [`Trainer`] runs the loop over epochs and minibatches. What a user chooses is
//! described by the [`spec`] types, which every front end maps onto.
//!
//! ```
//! use neurone::{Activation, Network, Sgd, Trainer, datasets, seeded_rng};
//!
//! let mut rng = seeded_rng(42);
//! let train = datasets::sine(500, &mut rng);
//! let mut network: Network = Network::builder(1)
//!     .dense(16, Activation::Tanh)
//!     .dense(16, Activation::Tanh)
//!     .dense(1, Activation::Identity)
//!     .build(&mut rng)?;
//! Trainer::new(Sgd::default()).learning_rate(0.05).epochs(10).batch_size(16).fit(&mut network, &train, None, &mut rng)?;
//! let y = network.predict(&neurone::Matrix::column(&[1.0]))?;
//! # Ok::<(), neurone::Error>(())
//! ```

#![warn(missing_docs)]

mod activation;
pub mod check;
pub mod data;
pub mod datasets;
mod error;
mod gradcheck;
mod init;
pub mod io;
mod kernels;
pub mod layer;
mod loss;
mod matrix;
pub mod memory;
pub mod metrics;
pub mod model_selection;
mod network;
pub mod optim;
mod parse;
mod scalar;
pub mod spec;
pub mod train;
pub mod workbench;

pub use activation::Activation;
pub use data::Dataset;
pub use error::Error;
pub use gradcheck::{Differentiable, GradientCheck, TensorCheck, gradient_check};
pub use init::Init;
pub use io::Model;
#[doc(hidden)]
pub use kernels::{GemmKernel, Op, Path, ScalarType, Strided, matmul, plan};
pub use kernels::{InstructionSet, UnknownInstructionSet, instruction_set, set_threads, threads, with_threads};
pub use loss::Loss;
pub use matrix::Matrix;
pub use network::{Mode, Network, NetworkBuilder};
pub use optim::{Adagrad, Adam, AdamW, Lbfgs, Optimizer, RmsProp, Rprop, Schedule, Scheduler, Sgd};
pub use scalar::Scalar;
pub use train::{
    Checkpoint, Clipping, EarlyStopping, EpochRecord, History, Metric, Monitor, Penalty, Solver, Stretch, Trainer,
};

/// The random number generator behind initialisation and shuffling: ChaCha with 8 rounds,
/// portable and reproducible across platforms.
pub type Rng = rand_chacha::ChaCha8Rng;

/// A generator seeded with `seed`: the same seed gives the same weights and batches, bit for bit.
pub fn seeded_rng(seed: u64) -> Rng {
    <Rng as rand::SeedableRng>::seed_from_u64(seed)
}

/// The README's example, compiled and run as a test.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExample;
