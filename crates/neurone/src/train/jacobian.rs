//! A network's training set as a least-squares problem: the residuals of mean squared error and
//! their Jacobian by backpropagation, for [`LevenbergMarquardt`](crate::optim::LevenbergMarquardt).

use super::solver::set_parameters;
use super::{Batch, Penalty};
use crate::data::Inputs;
use crate::layer::Layer;
use crate::network::Mode;
use crate::optim::LeastSquares;
use crate::{Network, Scalar};

/// The residuals eᵢₖ = sᵢ (aᵢₖ − yᵢₖ) of sample i's output k, with sᵢ = √(wᵢ / Σw) (1/√n
/// without sample weights), so that ½‖e‖² is the loss J = mean of ½‖a − y‖², and the L2
/// penalty as a ridge term on the weights.
pub struct NetworkResiduals<'a, 'data, S: Scalar> {
    network: &'a mut Network<S>,
    data: Batch<'data, S>,
    scales: Vec<f64>,
    ridge: Vec<f64>,
}

impl<'a, 'data, S: Scalar> NetworkResiduals<'a, 'data, S> {
    /// The problem of fitting `network`, a stack of dense layers, to `data` with `penalty`'s l2.
    pub fn new(network: &'a mut Network<S>, data: Batch<'data, S>, penalty: &Penalty) -> Self {
        let scales = match data.weights {
            Some(weights) => {
                let total: f64 = weights.iter().map(|w| w.to_f64()).sum();
                weights.iter().map(|w| if total > 0.0 { (w.to_f64() / total).sqrt() } else { 0.0 }).collect()
            }
            None => vec![(1.0 / data.rows as f64).sqrt(); data.rows],
        };
        let mut ridge = Vec::new();
        if penalty.l2 > 0.0 {
            for (_, parameter) in network.parameters() {
                ridge.extend(std::iter::repeat_n(
                    if parameter.regularised { penalty.l2 } else { 0.0 },
                    parameter.value.len(),
                ));
            }
        }
        Self { network, data, scales, ridge }
    }

    /// Sets the parameters to `x`, runs the forward pass and writes the residuals.
    fn forward(&mut self, x: &[f64], residuals: &mut [f64]) {
        set_parameters(self.network, x);
        let (rows, outputs) = (self.data.rows, self.network.outputs());
        self.network.forward_rows(self.data.inputs, rows, Mode::Train);
        let a = self.network.layers().last().expect("a network has layers").output();
        let targets = self.data.targets;
        for (sample, &scale) in self.scales.iter().enumerate() {
            for k in sample * outputs..(sample + 1) * outputs {
                residuals[k] = scale * (a[k].to_f64() - targets[k].to_f64());
            }
        }
    }
}

impl<S: Scalar> LeastSquares for NetworkResiduals<'_, '_, S> {
    fn residual_count(&self) -> usize {
        self.data.rows * self.network.outputs()
    }

    fn residuals(&mut self, x: &[f64], residuals: &mut [f64]) {
        self.forward(x, residuals);
    }

    /// One backpropagation per output k over the whole batch, from ∂eᵢₖ/∂a(L) = sᵢ on output k:
    /// each dense layer's δ(l) then holds ∂eᵢₖ/∂z(l) for every sample i, and sample i's row of
    /// the Jacobian is ∂eᵢₖ/∂W(l) = δᵢ(l) aᵢ(l-1)ᵀ, ∂eᵢₖ/∂b(l) = δᵢ(l), layer after layer in the
    /// order of [`Network::parameters`].
    fn jacobian(&mut self, x: &[f64], residuals: &mut [f64], jacobian: &mut [f64]) {
        self.forward(x, residuals);
        let (rows, outputs, width) = (self.data.rows, self.network.outputs(), x.len());
        let (inputs, mut dense_row) = (self.data.inputs, Vec::new());
        for k in 0..outputs {
            let scales = &self.scales;
            self.network.backward_from_output(inputs, |seed| {
                for (row, &scale) in seed.chunks_exact_mut(outputs).zip(scales) {
                    row.fill(S::ZERO);
                    row[k] = S::from_f64(scale);
                }
            });
            let mut column = 0;
            // a(l-1): the network's inputs (a sparse row made dense one at a time), then the
            // layer below's a.
            let mut layer_input = inputs;
            for layer in self.network.layers() {
                let Layer::Dense(dense) = layer else { unreachable!("checked: dense layers only") };
                let (fan_in, fan_out) = (dense.inputs(), dense.outputs());
                let delta = &dense.delta()[..rows * fan_out];
                for sample in 0..rows {
                    let row = &mut jacobian[(sample * outputs + k) * width..][..width];
                    let a = match layer_input {
                        Inputs::Dense(a) => &a[sample * fan_in..][..fan_in],
                        Inputs::Sparse(x) => {
                            dense_row.resize(fan_in, S::ZERO);
                            x.write_row(sample, &mut dense_row);
                            &dense_row[..]
                        }
                    };
                    let d = &delta[sample * fan_out..][..fan_out];
                    // ∂e/∂W(l) = δ(l) a(l-1)ᵀ, out × in, then ∂e/∂b(l) = δ(l).
                    for (o, &d) in d.iter().enumerate() {
                        let weights = &mut row[column + o * fan_in..][..fan_in];
                        weights.iter_mut().zip(a).for_each(|(j, &a)| *j = d.to_f64() * a.to_f64());
                    }
                    let bias = &mut row[column + fan_out * fan_in..][..fan_out];
                    bias.iter_mut().zip(d).for_each(|(j, &d)| *j = d.to_f64());
                }
                column += fan_out * fan_in + fan_out;
                layer_input = Inputs::Dense(dense.output());
            }
        }
    }

    fn ridge(&self) -> &[f64] {
        &self.ridge
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, seeded_rng};

    #[test]
    fn the_jacobian_matches_central_differences_of_the_residuals() {
        let mut rng = seeded_rng(31);
        let mut network: Network<f64> =
            Network::builder(2).dense(3, Activation::Tanh).dense(2, Activation::Sigmoid).build(&mut rng).unwrap();
        let inputs = [0.3, -1.2, 1.5, 0.4, -0.7, 0.9, 0.1, 0.2];
        let targets = [0.2, 0.9, 0.4, 0.1, 0.8, 0.5, 0.3, 0.6];
        let weights = [1.0, 2.0, 0.5, 1.5];
        let batch = Batch { inputs: Inputs::Dense(&inputs), targets: &targets, weights: Some(&weights), rows: 4 };
        let x: Vec<f64> = network.parameters().flat_map(|(_, parameter)| parameter.value.to_vec()).collect();
        let mut problem = NetworkResiduals::new(&mut network, batch, &Penalty::default());
        let (count, width) = (problem.residual_count(), x.len());
        let (mut residuals, mut jacobian) = (vec![0.0; count], vec![0.0; count * width]);
        problem.jacobian(&x, &mut residuals, &mut jacobian);
        let (mut above, mut below) = (vec![0.0; count], vec![0.0; count]);
        let h = 1e-6;
        for column in 0..width {
            let mut shifted = x.clone();
            shifted[column] = x[column] + h;
            problem.residuals(&shifted, &mut above);
            shifted[column] = x[column] - h;
            problem.residuals(&shifted, &mut below);
            for row in 0..count {
                let difference = (above[row] - below[row]) / (2.0 * h);
                let backpropagated = jacobian[row * width + column];
                assert!(
                    (difference - backpropagated).abs() < 1e-8,
                    "∂e{row}/∂x{column}: {difference} vs {backpropagated}"
                );
            }
        }
        // ½‖e‖² is the network's weighted loss.
        problem.residuals(&x, &mut residuals);
        let half_sum: f64 = 0.5 * residuals.iter().map(|e| e * e).sum::<f64>();
        network.forward_rows(Inputs::Dense(&inputs), 4, Mode::Train);
        let loss = network.backward_rows(Inputs::Dense(&inputs), &targets, Some(&weights));
        assert!((half_sum - loss).abs() < 1e-15, "{half_sum} vs {loss}");
    }
}
