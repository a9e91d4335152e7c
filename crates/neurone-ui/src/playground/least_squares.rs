//! Levenberg–Marquardt's next step with its numbers, for the equations panel: the library's own
//! step (its damping μ as the training left it) on a copy of the network, and the system it
//! solved, (JᵀJ + λ + μ I) δ = Jᵀe + λ w, read back from the solver: J's rows for a few points,
//! and for each neuron its parameters' block of the damped matrix, their g and their δ.

use serde::Serialize;

use neurone::data::Inputs;
use neurone::optim::{LevenbergMarquardt, LevenbergMarquardtSettings};
use neurone::train::{Batch, NetworkResiduals, Penalty};
use neurone::{Checkpoint, Dataset, Error, Network};

/// How many training points' rows of J are shown: the traced one and those after it.
const ROWS_SHOWN: usize = 3;

/// The system of one Levenberg–Marquardt step, on all the training points.
#[derive(Serialize)]
pub struct LeastSquaresStep {
    /// μ, the damping the step was solved with (the one accepted).
    pub damping: f64,
    /// The points whose rows of J are shown (indices in the training set).
    pub samples: Vec<usize>,
    /// Their residuals eᵢ = sᵢ (aᵢ − yᵢ), sᵢ = 1/√n: ½‖e‖² is J, the mean of ½ (a − y)².
    pub residuals: Vec<f64>,
    /// Each dense layer's part, from input to output.
    pub layers: Vec<LayerSystem>,
}

/// One dense layer's part of [`LeastSquaresStep`]. Its parameters are ordered as in the
/// network: W(l) row-major (outputs × inputs), then b(l).
#[derive(Serialize)]
pub struct LayerSystem {
    /// ∂eᵢ/∂w of the layer's parameters, one row per point of [`LeastSquaresStep::samples`].
    pub jacobian: Vec<Vec<f64>>,
    /// For each neuron j, the block of JᵀJ + λ + μ I over its parameters (wⱼ₁ … wⱼₙ, bⱼ), a
    /// full (n + 1) × (n + 1) matrix, row-major.
    pub blocks: Vec<Vec<f64>>,
    /// g = Jᵀe + λ w, the gradient of J + ½ l2 ‖W‖², for the layer's parameters.
    pub gradient: Vec<f64>,
    /// δ, solved for all the network's parameters at once: w ← w − δ.
    pub step: Vec<f64>,
}

/// The next Levenberg–Marquardt step from `start` (the training's network where it stands,
/// `checkpoint` holding μ), on all of `train` with `l2`, and the rows of J of point `sample` and
/// the ones after it. `None` when the step solves nothing (converged where it is).
pub fn next_step(
    start: &Network<f32>,
    checkpoint: Option<&Checkpoint<f32>>,
    settings: LevenbergMarquardtSettings,
    train: &Dataset<f32>,
    l2: f64,
    sample: usize,
) -> Result<Option<LeastSquaresStep>, Error> {
    let mut solver = LevenbergMarquardt::with_settings(settings)?;
    if let Some(checkpoint) = checkpoint {
        solver.load_state(&checkpoint.solver)?;
    }
    // The parameters as one vector x, and where each dense layer's W and b start in it.
    let (mut x, mut offsets) = (Vec::new(), Vec::new());
    for (layer, parameter) in start.parameters() {
        if parameter.name == "weight" {
            offsets.push((layer, x.len(), x.len() + parameter.value.len()));
        }
        x.extend(parameter.value.iter().map(|&v| f64::from(v)));
    }
    let mut copy = start.clone();
    let batch = Batch {
        inputs: Inputs::Dense(train.inputs().as_slice()),
        targets: train.targets().as_slice(),
        weights: train.sample_weights(),
        rows: train.len(),
    };
    let mut problem = NetworkResiduals::new(&mut copy, batch, &Penalty { l1: 0.0, l2 });
    solver.step(&mut x, &mut problem)?;
    let Some(system) = solver.last_solve() else { return Ok(None) };
    let n = x.len();
    let samples: Vec<usize> = (0..ROWS_SHOWN.min(train.len())).map(|i| (sample + i) % train.len()).collect();
    // A: JᵀJ + λ + μ I, read from its upper triangle.
    let damped = |p: usize, q: usize| {
        let (row, column) = (p.min(q), p.max(q));
        system.normal[row * n + column] + if p == q { system.damping } else { 0.0 }
    };
    let mut layers = Vec::new();
    for (layer, weights, biases) in offsets {
        let Some(dense) = start.layers()[layer].as_dense() else { continue };
        let (outputs, inputs) = (dense.bias().len(), dense.weights().len() / dense.bias().len());
        let span = weights..biases + outputs;
        let jacobian = samples.iter().map(|&i| system.jacobian[i * n..(i + 1) * n][span.clone()].to_vec()).collect();
        let blocks = (0..outputs)
            .map(|j| {
                let parameters: Vec<usize> =
                    (0..inputs).map(|k| weights + j * inputs + k).chain([biases + j]).collect();
                parameters.iter().flat_map(|&p| parameters.iter().map(move |&q| damped(p, q))).collect()
            })
            .collect();
        layers.push(LayerSystem {
            jacobian,
            blocks,
            gradient: system.gradient[span.clone()].to_vec(),
            step: system.step[span].to_vec(),
        });
    }
    let residuals = samples.iter().map(|&i| system.residuals[i]).collect();
    Ok(Some(LeastSquaresStep { damping: system.damping, samples, residuals, layers }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::setup::PlaygroundRequest;
    use neurone::{Trainer, seeded_rng};

    /// e(x) of every training point: (aᵢ − yᵢ)/√n, for the parameters `x` set into `network`.
    fn residuals(network: &Network<f32>, train: &Dataset<f32>, x: &[f64]) -> Vec<f64> {
        let mut network = network.clone();
        let values = network.parameters_mut().flat_map(|(_, parameter)| parameter.value.iter_mut());
        values.zip(x).for_each(|(value, &x)| *value = x as f32);
        let a = network.predict(train.inputs()).unwrap();
        let scale = 1.0 / (train.len() as f64).sqrt();
        a.as_slice().iter().zip(train.targets().as_slice()).map(|(&a, &y)| scale * f64::from(a - y)).collect()
    }

    #[test]
    fn the_system_shown_is_the_one_the_step_solves_and_its_step_is_the_training_s() {
        let json = r#"{ "problem": "plane", "train_ratio": 0.5, "samples": 120, "seed": 3, "features": ["x1", "x2"],
            "network": { "layers": [3] }, "training": { "optimizer": { "kind": "levenberg_marquardt" }, "l2": 0.01 } }"#;
        let setup = serde_json::from_str::<PlaygroundRequest>(json).unwrap().prepare().unwrap();
        let (train, spec) = (&setup.train, &setup.request.training);
        let mut rng = seeded_rng(9);
        let mut network = setup.request.network.build::<f32>(2, 1, spec.loss(), &mut rng).unwrap();
        let trainer = || -> Trainer<'_, f32> { spec.trainer::<f32>().unwrap() };
        let checkpoint = trainer().continue_for(&mut network, None, 2, train, None, &mut rng).unwrap();
        let step = crate::playground::step::next_step(&network, Some(&checkpoint), &rng, &setup, 7).unwrap();
        let system = step.least_squares.as_ref().expect("Levenberg–Marquardt's system");
        assert_eq!(system.samples, [7, 8, 9]);
        assert_eq!(
            Some(system.damping * 0.1),
            step.scalars.first().map(|&(_, mu)| mu),
            "μ, then μ × 0.1 once accepted"
        );

        // J by central differences of e(x), for every parameter.
        let x: Vec<f64> = network.parameters().flat_map(|(_, p)| p.value.iter().map(|&v| f64::from(v))).collect();
        let (n, h) = (x.len(), 1e-3);
        let e = residuals(&network, train, &x);
        let mut jacobian = vec![0.0; e.len() * n];
        for p in 0..n {
            let mut moved = x.clone();
            moved[p] = x[p] + h;
            let up = residuals(&network, train, &moved);
            moved[p] = x[p] - h;
            let down = residuals(&network, train, &moved);
            for i in 0..e.len() {
                jacobian[i * n + p] = (up[i] - down[i]) / (2.0 * h);
            }
        }
        let close = |what: &str, expected: f64, actual: f64, scale: f64| {
            assert!((expected - actual).abs() <= 2e-3 * scale, "{what}: expected {expected}, got {actual}");
        };
        // (JᵀJ + λ + μ I) δ = Jᵀe + λ w, recomputed from that J; the weights move by −δ.
        let ridge: Vec<f64> = network
            .parameters()
            .flat_map(|(_, p)| std::iter::repeat_n(if p.regularised { 0.01 } else { 0.0 }, p.value.len()))
            .collect();
        let a = |p: usize, q: usize| {
            let gram: f64 = (0..e.len()).map(|i| jacobian[i * n + p] * jacobian[i * n + q]).sum();
            gram + if p == q { ridge[p] + system.damping } else { 0.0 }
        };
        let g = |p: usize| (0..e.len()).map(|i| jacobian[i * n + p] * e[i]).sum::<f64>() + ridge[p] * x[p];
        let mut delta: Vec<f64> = Vec::new();
        let mut offset = 0;
        for (l, (layer, shown)) in
            network.layers().iter().filter_map(|layer| layer.as_dense()).zip(&system.layers).enumerate()
        {
            let (outputs, inputs) = (layer.bias().len(), layer.weights().len() / layer.bias().len());
            let count = outputs * (inputs + 1);
            for (r, &i) in system.samples.iter().enumerate() {
                close(&format!("e{i}"), e[i], system.residuals[r], 1e-3);
                for c in 0..count {
                    close(&format!("J({i}, {l}.{c})"), jacobian[i * n + offset + c], shown.jacobian[r][c], 1.0);
                }
            }
            for (j, block) in shown.blocks.iter().enumerate() {
                let parameters: Vec<usize> =
                    (0..inputs).map(|k| offset + j * inputs + k).chain([offset + outputs * inputs + j]).collect();
                for (b, &(p, q)) in parameters
                    .iter()
                    .flat_map(|p| parameters.iter().map(move |q| (*p, *q)))
                    .collect::<Vec<_>>()
                    .iter()
                    .enumerate()
                {
                    close(&format!("A({p}, {q})"), a(p, q), block[b], 1.0 + a(p, q).abs());
                }
            }
            for c in 0..count {
                close(&format!("g {l}.{c}"), g(offset + c), shown.gradient[c], 1.0);
            }
            // The weights after the step are the training's (its next step), w − δ.
            let weights_after = &step.layers[l].weights;
            for (k, &w) in layer.weights().iter().enumerate() {
                close(&format!("W({}) {k}", l + 1), f64::from(w) - shown.step[k], f64::from(weights_after[k]), 1e-2);
            }
            delta.extend(&shown.step);
            offset += count;
        }
        for p in 0..n {
            let row: f64 = (0..n).map(|q| a(p, q) * delta[q]).sum();
            close(&format!("(Aδ − g)_{p}"), g(p), row, 1.0 + g(p).abs());
        }
    }
}
