//! Backpropagation against finite differences, in f64, for every activation × loss pairing.

use neurone::layer::Layer;
use neurone::{Activation, Loss, Matrix, Mode, Network, gradient_check, seeded_rng};
use rand::RngExt;

/// Every activation and every loss (`ALL`, so that a new one is checked without being listed
/// here), the parameterised ones away from their defaults: a rule that ignored its parameter
/// would pass at the default.
fn activations() -> impl Iterator<Item = Activation> {
    Activation::ALL.into_iter().map(|activation| match activation {
        Activation::LeakyRelu { .. } => Activation::LeakyRelu { slope: 0.1 },
        Activation::Elu { .. } => Activation::Elu { alpha: 0.7 },
        other => other,
    })
}

fn losses() -> impl Iterator<Item = Loss> {
    Loss::ALL.into_iter().map(|loss| if let Loss::Huber { .. } = loss { Loss::Huber { delta: 0.3 } } else { loss })
}

/// Targets suited to the loss: class indicators for the cross-entropies, counts for Poisson,
/// real values otherwise.
fn targets(loss: Loss, rows: usize, outputs: usize, rng: &mut neurone::Rng) -> Matrix<f64> {
    let mut y = Matrix::zeros(rows, outputs);
    for i in 0..rows {
        match loss {
            Loss::CategoricalCrossEntropy => y[(i, rng.random_range(0..outputs))] = 1.0,
            Loss::BinaryCrossEntropy => (0..outputs).for_each(|j| y[(i, j)] = f64::from(rng.random_bool(0.5))),
            Loss::Poisson => (0..outputs).for_each(|j| y[(i, j)] = f64::from(rng.random_range(0..4u8))),
            _ => (0..outputs).for_each(|j| y[(i, j)] = rng.random_range(-1.0..1.0)),
        }
    }
    y
}

/// A 3 → 5 → 4 → 3 network with `activation` on every layer, trained on `loss`; exp, an
/// output activation (the log link), on the output layer only, after tanh: three deep it
/// reaches e^(e^(e²)), where finite differences have no digits left.
fn network(activation: Activation, loss: Loss, seed: u64) -> Result<Network<f64>, neurone::Error> {
    let hidden = if activation == Activation::Exp { Activation::Tanh } else { activation };
    Network::builder(3).dense(5, hidden).dense(4, hidden).dense(3, activation).loss(loss).build(&mut seeded_rng(seed))
}

#[test]
fn every_valid_activation_and_loss_pairing_passes_the_gradient_check() {
    let mut checked = 0;
    for (a, activation) in activations().enumerate() {
        for (l, loss) in losses().enumerate() {
            let seed = (10 * a + l) as u64;
            let Ok(network) = network(activation, loss, seed) else { continue };
            let mut rng = seeded_rng(seed + 1000);
            let x = Matrix::new(6, 3, (0..18).map(|_| rng.random_range(-2.0..2.0)).collect()).unwrap();
            let y = targets(loss, 6, 3, &mut rng);
            let report = gradient_check(&network, &x, &y).unwrap();
            assert_eq!(report.tensors.len(), 6);
            let worst = report.max_relative_error();
            assert!(worst < 1e-6, "{activation} with {loss}: relative error {worst:e}\n{report:#?}");
            checked += 1;
        }
    }
    // Regression losses accept every output activation; the cross-entropies and Poisson need theirs.
    assert_eq!(checked, 3 * Activation::ALL.len() + 3);
}

#[test]
fn cross_entropies_and_poisson_reject_other_output_activations() {
    for activation in activations() {
        assert_eq!(network(activation, Loss::BinaryCrossEntropy, 0).is_ok(), activation == Activation::Sigmoid);
        assert_eq!(network(activation, Loss::CategoricalCrossEntropy, 0).is_ok(), activation == Activation::Softmax);
        assert_eq!(network(activation, Loss::Poisson, 0).is_ok(), activation == Activation::Exp);
    }
}

#[test]
fn backpropagation_matches_the_closed_form_of_a_linear_layer() {
    // One identity layer 2 → 1 with MSE: J = (1/n) Σ ½(w·x + b − y)², so
    // ∂J/∂w = (1/n) Σ r x and ∂J/∂b = (1/n) Σ r with r = w·x + b − y.
    let mut network: Network<f64> =
        Network::builder(2).dense(1, Activation::Identity).build(&mut seeded_rng(0)).unwrap();
    let layer = network.layers_mut()[0].as_dense_mut().unwrap();
    layer.weights_mut().copy_from_slice(&[0.5, -1.0]);
    layer.bias_mut().copy_from_slice(&[0.25]);
    let x = Matrix::from_rows(&[[1.0, 2.0], [3.0, -1.0]]).unwrap();
    let y = Matrix::column(&[0.0, 1.0]);
    // r = (0.5 − 2 + 0.25 − 0, 1.5 + 1 + 0.25 − 1) = (−1.25, 1.75)
    let loss = network.compute_gradients(&x, &y).unwrap();
    assert_eq!(loss, (0.5 * 1.25 * 1.25 + 0.5 * 1.75 * 1.75) / 2.0);
    let layer = network.layers()[0].as_dense().unwrap();
    assert_eq!(layer.weight_gradient(), &[(-1.25 + 3.0 * 1.75) / 2.0, (-2.5 - 1.75) / 2.0]);
    assert_eq!(layer.bias_gradient(), &[(-1.25 + 1.75) / 2.0]);
}

/// Random inputs and real-valued targets for a network with 3 inputs and 3 outputs.
fn batch(rows: usize, seed: u64) -> (Matrix<f64>, Matrix<f64>) {
    let mut rng = seeded_rng(seed);
    let x = Matrix::new(rows, 3, (0..rows * 3).map(|_| rng.random_range(-2.0..2.0)).collect()).unwrap();
    (x, targets(Loss::MeanSquaredError, rows, 3, &mut rng))
}

#[test]
fn dropout_layers_pass_the_gradient_check_with_their_mask() {
    let network: Network<f64> = Network::builder(3)
        .dense(8, Activation::Tanh)
        .dropout(0.5)
        .dense(6, Activation::Elu { alpha: 1.0 })
        .dropout(0.2)
        .dense(3, Activation::Identity)
        .build(&mut seeded_rng(20))
        .unwrap();
    let (x, y) = batch(6, 21);
    let report = gradient_check(&network, &x, &y).unwrap();
    assert!(report.max_relative_error() < 1e-6, "{report:#?}");
}

/// A 3 → 5 → bn → 4 → bn → 3 network whose batch-norm layers hold random γ (of both signs,
/// away from 0 and 1), random β, and running statistics moved from their defaults by training
/// passes on shifted inputs: a backward pass that dropped γ or β, or confused the running
/// statistics with the batch's, would fail the checks below.
fn batch_norm_network(loss: Loss, seed: u64) -> Network<f64> {
    let mut network: Network<f64> = Network::builder(3)
        .dense(5, Activation::Identity)
        .batch_norm()
        .dense(4, Activation::Tanh)
        .batch_norm()
        .dense(3, Activation::Identity)
        .loss(loss)
        .build(&mut seeded_rng(seed))
        .unwrap();
    let (x, _) = batch(16, seed + 1);
    let shifted = Matrix::new(16, 3, x.as_slice().iter().map(|v| 3.0 * v + 1.5).collect()).unwrap();
    for _ in 0..5 {
        network.forward(&shifted, Mode::Train).unwrap();
    }
    let batch_norm_layers: Vec<usize> =
        (0..network.layers().len()).filter(|&l| matches!(network.layers()[l], Layer::BatchNorm(_))).collect();
    let mut rng = seeded_rng(seed + 2);
    for (_, parameter) in network.parameters_mut().filter(|(layer, _)| batch_norm_layers.contains(layer)) {
        for value in parameter.value.iter_mut() {
            *value = match parameter.name {
                "weight" => rng.random_range(0.3..2.0) * if rng.random_bool(0.5) { 1.0 } else { -1.0 },
                _ => rng.random_range(-1.0..1.0),
            };
        }
    }
    for &layer in &batch_norm_layers {
        let Layer::BatchNorm(batch_norm) = &network.layers()[layer] else { unreachable!() };
        assert!(batch_norm.running_mean().iter().all(|&m| m != 0.0), "{:?}", batch_norm.running_mean());
        assert!(batch_norm.running_variance().iter().all(|&v| v != 1.0), "{:?}", batch_norm.running_variance());
        assert!(batch_norm.gamma().iter().all(|&g| g.abs() >= 0.3 && g != 1.0));
    }
    network
}

#[test]
fn batch_norm_layers_pass_the_gradient_check_in_training_mode() {
    for loss in [Loss::MeanSquaredError, Loss::Huber { delta: 0.5 }] {
        let network = batch_norm_network(loss, 22);
        let (x, y) = batch(7, 23);
        let report = gradient_check(&network, &x, &y).unwrap();
        // γ and β of both batch-norm layers are checked along with the dense tensors.
        assert_eq!(report.tensors.len(), 10);
        assert!(report.max_relative_error() < 1e-6, "{loss}: {report:#?}");
    }
}

#[test]
fn batch_norm_layers_backpropagate_through_their_running_statistics_in_evaluation_mode() {
    // In evaluation mode batch norm is the affine map γ (x − running mean)/√(running σ² + ε) + β:
    // backpropagation after `forward(Mode::Eval)` must agree with finite differences of
    // `evaluate`, which uses the running statistics.
    let mut network = batch_norm_network(Loss::MeanSquaredError, 24);
    let (x, y) = batch(7, 25);
    network.forward(&x, Mode::Eval).unwrap();
    network.backward(&x, &y).unwrap();
    let analytic: Vec<Vec<f64>> = network.parameters().map(|(_, parameter)| parameter.gradient.to_vec()).collect();
    let step = 1e-5;
    let mut worst = 0.0f64;
    for (slot, gradient) in analytic.iter().enumerate() {
        for (index, &analytic) in gradient.iter().enumerate() {
            let loss_at = |shift: f64| {
                let mut shifted = network.clone();
                shifted.parameters_mut().nth(slot).unwrap().1.value[index] += shift;
                shifted.evaluate(&x, &y).unwrap()
            };
            let numeric =
                (8.0 * (loss_at(step) - loss_at(-step)) - (loss_at(2.0 * step) - loss_at(-2.0 * step))) / (12.0 * step);
            worst = worst.max((analytic - numeric).abs() / analytic.abs().max(numeric.abs()).max(1e-3));
        }
    }
    assert!(worst < 1e-6, "relative error {worst:e}");
}
