//! Weight penalties and gradient clipping, applied between backpropagation and the update.

use crate::check::{check_non_negative, check_positive};
use crate::{Error, Network, Scalar};

/// L1 and L2 penalties on the weights (never the biases), added to the loss:
/// `J + l1 Σ|W| + ½ l2 Σ W²`, so the gradient gains `l1 sign(W) + l2 W`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Penalty {
    /// The L1 coefficient (sparsity).
    pub l1: f64,
    /// The L2 coefficient (scikit-learn's `alpha` up to its scaling by the data size).
    pub l2: f64,
}

impl Penalty {
    /// True when both coefficients are zero.
    pub fn is_zero(&self) -> bool {
        self.l1 == 0.0 && self.l2 == 0.0
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        check_non_negative("l1", self.l1)?;
        check_non_negative("l2", self.l2)
    }

    /// Adds the penalty's gradient to every regularised tensor's gradient.
    pub(crate) fn add_gradient<S: Scalar>(&self, network: &mut Network<S>) {
        if self.is_zero() {
            return;
        }
        let (l1, l2) = (S::from_f64(self.l1), S::from_f64(self.l2));
        for (_, parameter) in network.parameters_mut().filter(|(_, parameter)| parameter.regularised) {
            for (g, &w) in parameter.gradient.iter_mut().zip(parameter.value.iter()) {
                let sign = if w > S::ZERO {
                    S::ONE
                } else if w < S::ZERO {
                    -S::ONE
                } else {
                    S::ZERO
                };
                *g += l1 * sign + l2 * w;
            }
        }
    }

    /// The penalty's value for the current weights.
    pub(crate) fn value<S: Scalar>(&self, network: &Network<S>) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        let mut total = 0.0;
        for (_, parameter) in network.parameters().filter(|(_, parameter)| parameter.regularised) {
            let w = parameter.value.iter().map(|w| w.to_f64());
            total += w.map(|w| self.l1 * w.abs() + 0.5 * self.l2 * w * w).sum::<f64>();
        }
        total
    }
}

/// Limits on the gradient before each update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clipping {
    /// Rescale all gradients together so their global L2 norm is at most this (PyTorch's
    /// `clip_grad_norm_`).
    Norm(f64),
    /// Clamp each gradient value into [−v, v] (PyTorch's `clip_grad_value_`).
    Value(f64),
}

impl Clipping {
    pub(crate) fn check(&self) -> Result<(), Error> {
        let (name, limit) = match *self {
            Clipping::Norm(limit) => ("clip_norm", limit),
            Clipping::Value(limit) => ("clip_value", limit),
        };
        check_positive(name, limit)
    }

    /// Clips every gradient of the network in place.
    pub(crate) fn apply<S: Scalar>(&self, network: &mut Network<S>) {
        match *self {
            Clipping::Value(limit) => {
                let limit = S::from_f64(limit);
                for (_, parameter) in network.parameters_mut() {
                    parameter.gradient.iter_mut().for_each(|g| *g = g.max(-limit).min(limit));
                }
            }
            Clipping::Norm(limit) => {
                let mut squares = 0.0;
                for (_, parameter) in network.parameters() {
                    squares += parameter.gradient.iter().map(|g| g.to_f64() * g.to_f64()).sum::<f64>();
                }
                let norm = squares.sqrt();
                if norm > limit {
                    let scale = S::from_f64(limit / norm);
                    for (_, parameter) in network.parameters_mut() {
                        parameter.gradient.iter_mut().for_each(|g| *g *= scale);
                    }
                }
            }
        }
    }
}
