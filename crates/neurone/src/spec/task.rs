//! What the network learns to do, and the usual output, loss and metric for it.

use crate::{Activation, Loss, Metric};

/// Regression or classification: what the usual output activation, loss and validation metric
/// are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Predict numbers.
    Regression,
    /// Predict a class: one-hot targets (one output per class), or a single 0/1 target.
    Classification,
}

impl Task {
    /// σ of the output layer: identity for regression, sigmoid for a single 0/1 output, softmax
    /// for classes.
    pub fn output_activation(self, outputs: usize) -> Activation {
        match self {
            Task::Regression => Activation::Identity,
            Task::Classification if outputs == 1 => Activation::Sigmoid,
            Task::Classification => Activation::Softmax,
        }
    }

    /// The loss that goes with [`Task::output_activation`]: mean squared error, binary or
    /// categorical cross-entropy.
    pub fn loss(self, outputs: usize) -> Loss {
        match self {
            Task::Regression => Loss::MeanSquaredError,
            Task::Classification if outputs == 1 => Loss::BinaryCrossEntropy,
            Task::Classification => Loss::CategoricalCrossEntropy,
        }
    }

    /// The validation metric: R² for regression, accuracy for classification.
    pub fn metric(self) -> Metric {
        match self {
            Task::Regression => Metric::R2,
            Task::Classification => Metric::Accuracy,
        }
    }
}
