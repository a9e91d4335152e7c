//! Batch normalisation (Ioffe & Szegedy, 2015): each feature is normalised by the batch's mean
//! and variance in training, by running averages of them in evaluation, then scaled by γ and
//! shifted by β.

use super::{Parameter, ParameterMut};
use crate::check::{check_decay_factor, check_positive};
use crate::{Error, Mode, Scalar};

/// A batch normalisation layer over `features` values per sample (PyTorch's `BatchNorm1d`).
#[derive(Clone, Debug)]
pub struct BatchNorm<S> {
    features: usize,
    momentum: f64,
    epsilon: f64,
    /// γ, the learned scale (PyTorch's `weight`).
    gamma: Vec<S>,
    /// β, the learned shift (PyTorch's `bias`).
    beta: Vec<S>,
    gamma_gradient: Vec<S>,
    beta_gradient: Vec<S>,
    running_mean: Vec<S>,
    running_variance: Vec<S>,
    /// Number of training batches folded into the running averages (PyTorch's `num_batches_tracked`).
    batches_tracked: u64,
    /// x̂ = (x − μ)/√(σ² + ε) for the current batch.
    normalized: Vec<S>,
    output: Vec<S>,
    delta: Vec<S>,
    /// Per feature, the mean and 1/√(σ² + ε) used by the current batch.
    mean: Vec<S>,
    inverse_std: Vec<S>,
    /// Whether the current batch was normalised by its own statistics (training).
    batch_statistics: bool,
    rows: usize,
}

impl<S: Scalar> BatchNorm<S> {
    /// Normalises `features` values with PyTorch's defaults: momentum 0.1, ε = 1e-5, γ = 1, β = 0.
    pub fn new(features: usize) -> Self {
        Self::with(features, 0.1, 1e-5).expect("the defaults are valid")
    }

    /// Normalises with the given running-average momentum ∈ (0, 1] and ε > 0.
    pub fn with(features: usize, momentum: f64, epsilon: f64) -> Result<Self, Error> {
        check_decay_factor("momentum", momentum)?;
        check_positive("epsilon", epsilon)?;
        let zeros = vec![S::ZERO; features];
        Ok(Self {
            features,
            momentum,
            epsilon,
            gamma: vec![S::ONE; features],
            beta: zeros.clone(),
            gamma_gradient: zeros.clone(),
            beta_gradient: zeros.clone(),
            running_mean: zeros.clone(),
            running_variance: vec![S::ONE; features],
            batches_tracked: 0,
            normalized: Vec::new(),
            output: Vec::new(),
            delta: Vec::new(),
            mean: zeros.clone(),
            inverse_std: zeros,
            batch_statistics: false,
            rows: 0,
        })
    }

    /// Width of the input and output.
    pub fn outputs(&self) -> usize {
        self.features
    }

    /// Number of trainable values: γ and β.
    pub fn parameter_count(&self) -> usize {
        2 * self.features
    }

    /// γ, the learned scale.
    pub fn gamma(&self) -> &[S] {
        &self.gamma
    }

    /// β, the learned shift.
    pub fn beta(&self) -> &[S] {
        &self.beta
    }

    /// Running average of the batch means, used in evaluation.
    pub fn running_mean(&self) -> &[S] {
        &self.running_mean
    }

    /// Running average of the (unbiased) batch variances, used in evaluation.
    pub fn running_variance(&self) -> &[S] {
        &self.running_variance
    }

    /// Number of training batches folded into the running averages (PyTorch's `num_batches_tracked`).
    pub fn batches_tracked(&self) -> u64 {
        self.batches_tracked
    }

    /// Restores the learned values and running statistics, e.g. from a model file; every slice
    /// must hold one value per feature (the caller checks).
    pub(crate) fn restore(&mut self, gamma: &[S], beta: &[S], running: (&[S], &[S]), batches_tracked: u64) {
        self.gamma.copy_from_slice(gamma);
        self.beta.copy_from_slice(beta);
        self.running_mean.copy_from_slice(running.0);
        self.running_variance.copy_from_slice(running.1);
        self.batches_tracked = batches_tracked;
    }

    /// The running averages' momentum and ε.
    pub fn settings(&self) -> (f64, f64) {
        (self.momentum, self.epsilon)
    }

    pub(crate) fn forward(&mut self, input: &[S], rows: usize, mode: Mode) {
        self.rows = rows;
        let (features, n) = (self.features, rows * self.features);
        if self.output.len() < n {
            self.normalized.resize(n, S::ZERO);
            self.output.resize(n, S::ZERO);
            self.delta.resize(n, S::ZERO);
        }
        self.batch_statistics = mode == Mode::Train;
        let epsilon = S::from_f64(self.epsilon);
        if self.batch_statistics {
            let count = S::from_f64(rows as f64);
            // μ and σ² (biased, over the batch) per feature
            self.mean.fill(S::ZERO);
            self.inverse_std.fill(S::ZERO);
            for row in input[..n].chunks_exact(features) {
                self.mean.iter_mut().zip(row).for_each(|(m, &x)| *m += x);
            }
            self.mean.iter_mut().for_each(|m| *m /= count);
            for row in input[..n].chunks_exact(features) {
                for ((v, &x), &m) in self.inverse_std.iter_mut().zip(row).zip(&self.mean) {
                    *v += (x - m) * (x - m);
                }
            }
            let (momentum, keep) = (S::from_f64(self.momentum), S::from_f64(1.0 - self.momentum));
            // PyTorch tracks the unbiased variance m/(m − 1)·σ².
            let unbiased = if rows > 1 { count / (count - S::ONE) } else { S::ONE };
            self.batches_tracked += 1;
            for j in 0..features {
                let variance = self.inverse_std[j] / count;
                self.running_mean[j] = keep * self.running_mean[j] + momentum * self.mean[j];
                self.running_variance[j] = keep * self.running_variance[j] + momentum * unbiased * variance;
                self.inverse_std[j] = S::ONE / (variance + epsilon).sqrt();
            }
        } else {
            self.mean.copy_from_slice(&self.running_mean);
            for (inverse_std, &variance) in self.inverse_std.iter_mut().zip(&self.running_variance) {
                *inverse_std = S::ONE / (variance + epsilon).sqrt();
            }
        }
        // x̂ = (x − μ)/√(σ² + ε),  y = γ x̂ + β
        for ((x, x_hat), y) in input[..n]
            .chunks_exact(features)
            .zip(self.normalized.chunks_exact_mut(features))
            .zip(self.output.chunks_exact_mut(features))
        {
            for j in 0..features {
                x_hat[j] = (x[j] - self.mean[j]) * self.inverse_std[j];
                y[j] = self.gamma[j] * x_hat[j] + self.beta[j];
            }
        }
    }

    /// Evaluation mode, with the running averages.
    pub(crate) fn infer(&self, input: &[S], rows: usize, output: &mut [S]) {
        let features = self.features;
        let epsilon = S::from_f64(self.epsilon);
        for (x, y) in input[..rows * features].chunks_exact(features).zip(output.chunks_exact_mut(features)) {
            for j in 0..features {
                let x_hat = (x[j] - self.running_mean[j]) / (self.running_variance[j] + epsilon).sqrt();
                y[j] = self.gamma[j] * x_hat + self.beta[j];
            }
        }
    }

    pub(crate) fn output(&self) -> &[S] {
        &self.output[..self.rows * self.features]
    }

    pub(crate) fn output_and_delta_mut(&mut self) -> (&[S], &mut [S]) {
        let n = self.rows * self.features;
        (&self.output[..n], &mut self.delta[..n])
    }

    /// Copies γ, β and the running statistics from a layer of the same width.
    pub(crate) fn copy_learned_from(&mut self, other: &BatchNorm<S>) {
        self.gamma.copy_from_slice(&other.gamma);
        self.beta.copy_from_slice(&other.beta);
        self.running_mean.copy_from_slice(&other.running_mean);
        self.running_variance.copy_from_slice(&other.running_variance);
        self.batches_tracked = other.batches_tracked;
    }

    /// ∂J/∂β = Σ dy, ∂J/∂γ = Σ dy x̂, and with batch statistics
    /// ∂J/∂x = γ/√(σ² + ε) · (dy − mean(dy) − x̂ · mean(dy x̂)); with running ones, γ/√(σ² + ε) · dy.
    pub(crate) fn backward(&mut self, input_gradient: Option<&mut [S]>) {
        let (features, n) = (self.features, self.rows * self.features);
        self.beta_gradient.fill(S::ZERO);
        self.gamma_gradient.fill(S::ZERO);
        for (dy, x_hat) in self.delta[..n].chunks_exact(features).zip(self.normalized.chunks_exact(features)) {
            for j in 0..features {
                self.beta_gradient[j] += dy[j];
                self.gamma_gradient[j] += dy[j] * x_hat[j];
            }
        }
        let Some(input_gradient) = input_gradient else { return };
        let count = S::from_f64(self.rows as f64);
        for ((dx, dy), x_hat) in input_gradient
            .chunks_exact_mut(features)
            .zip(self.delta[..n].chunks_exact(features))
            .zip(self.normalized.chunks_exact(features))
        {
            for j in 0..features {
                let scale = self.gamma[j] * self.inverse_std[j];
                dx[j] = if self.batch_statistics {
                    scale * (dy[j] - self.beta_gradient[j] / count - x_hat[j] * self.gamma_gradient[j] / count)
                } else {
                    scale * dy[j]
                };
            }
        }
    }

    /// γ and β with their gradients, named as in PyTorch; neither is subject to weight penalties.
    pub(crate) fn parameters(&self) -> [Parameter<'_, S>; 2] {
        [
            Parameter { name: "weight", regularised: false, value: &self.gamma, gradient: &self.gamma_gradient },
            Parameter { name: "bias", regularised: false, value: &self.beta, gradient: &self.beta_gradient },
        ]
    }

    /// [`BatchNorm::parameters`], mutably.
    pub(crate) fn parameters_mut(&mut self) -> [ParameterMut<'_, S>; 2] {
        [
            ParameterMut {
                name: "weight",
                regularised: false,
                value: &mut self.gamma,
                gradient: &mut self.gamma_gradient,
            },
            ParameterMut { name: "bias", regularised: false, value: &mut self.beta, gradient: &mut self.beta_gradient },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_output_has_zero_mean_and_unit_variance_per_feature() {
        let mut layer = BatchNorm::<f64>::new(2);
        let input = [1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 6.0, 0.0];
        layer.forward(&input, 4, Mode::Train);
        for j in 0..2 {
            let column: Vec<f64> = layer.output().iter().skip(j).step_by(2).copied().collect();
            let mean = column.iter().sum::<f64>() / 4.0;
            let variance = column.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / 4.0;
            assert!(mean.abs() < 1e-12);
            assert!((variance - 1.0).abs() < 1e-5, "variance {variance} (ε keeps it just under 1)");
        }
    }

    #[test]
    fn running_averages_follow_pytorch() {
        let mut layer = BatchNorm::<f64>::new(1);
        layer.forward(&[1.0, 2.0, 3.0, 6.0], 4, Mode::Train);
        // μ = 3, unbiased variance = (4 + 1 + 0 + 9)/3 = 14/3
        assert!((layer.running_mean()[0] - 0.1 * 3.0).abs() < 1e-12);
        assert!((layer.running_variance()[0] - (0.9 + 0.1 * 14.0 / 3.0)).abs() < 1e-12);
        assert_eq!(layer.batches_tracked(), 1);
        let (mean, variance) = (layer.running_mean().to_vec(), layer.running_variance().to_vec());
        layer.forward(&[10.0, -4.0, 7.0], 3, Mode::Eval);
        assert_eq!(layer.batches_tracked(), 1, "evaluation leaves the statistics alone");
        assert_eq!((layer.running_mean(), layer.running_variance()), (&mean[..], &variance[..]));
    }

    #[test]
    fn evaluation_uses_the_running_averages() {
        let mut layer = BatchNorm::<f64>::with(1, 1.0, 1e-5).unwrap();
        layer.forward(&[1.0, 3.0], 2, Mode::Train);
        // With momentum 1 the running statistics are the last batch's: μ = 2, unbiased σ² = 2.
        let mut output = [0.0];
        layer.infer(&[4.0], 1, &mut output);
        assert!((output[0] - 2.0 / (2.0f64 + 1e-5).sqrt()).abs() < 1e-12);
        layer.forward(&[4.0], 1, Mode::Eval);
        assert_eq!(layer.output(), &output);
    }

    #[test]
    fn bad_settings_are_errors() {
        assert!(BatchNorm::<f32>::with(2, 0.0, 1e-5).is_err());
        assert!(BatchNorm::<f32>::with(2, 0.1, 0.0).is_err());
    }
}
