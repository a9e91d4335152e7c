//! iRprop− and Levenberg–Marquardt driven by the trainer: what they learn, that a resumed run
//! gives the bits of the uninterrupted one, and the one-line refusals.

use std::path::PathBuf;

use neurone::optim::{LevenbergMarquardt, RpropSettings};
use neurone::spec::{NetworkSpec, OptimizerSpec, TrainingSpec};
use neurone::{
    Activation, Checkpoint, Clipping, Loss, Matrix, Network, Penalty, Rprop, Schedule, Trainer, datasets, seeded_rng,
};

fn folder(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("neurone-full-batch-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// The course's sine network, 1 → 16 → 16 → 1 in tanh.
fn sine_network(seed: u64) -> Network<f32> {
    Network::builder(1)
        .dense(16, Activation::Tanh)
        .dense(16, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build(&mut seeded_rng(seed))
        .unwrap()
}

fn bits(network: &Network<f32>) -> Vec<u32> {
    network.parameters().flat_map(|(_, parameter)| parameter.value).map(|w| w.to_bits()).collect()
}

/// The trainer an optimizer spec makes, for `epochs` epochs.
fn trainer<'a>(optimizer: &str, epochs: usize) -> Trainer<'a, f32> {
    let spec: OptimizerSpec = serde_json::from_str(optimizer).unwrap();
    spec.trainer(spec.default_learning_rate()).unwrap().epochs(epochs)
}

#[test]
fn rprop_fits_the_sine_one_full_batch_step_an_epoch() {
    let mut rng = seeded_rng(1);
    let data = datasets::sine::<f32>(200, &mut rng);
    let mut network = sine_network(2);
    let mut trainer = trainer(r#"{ "kind": "rprop" }"#, 300);
    let history = trainer.fit(&mut network, &data, None, &mut rng).unwrap();
    let (first, last) = (history.epochs[0].train_loss, history.last().unwrap().train_loss);
    assert!(last < 1e-3 && last < first / 100.0, "{first} → {last}");
    assert_eq!(trainer.solver().state().step, 300, "one step an epoch, whatever the batch size");
}

#[test]
fn rprop_resumes_with_the_bits_of_the_uninterrupted_run() {
    let mut rng = seeded_rng(3);
    let data = datasets::sine::<f32>(100, &mut rng);
    let mut straight = sine_network(4);
    trainer(r#"{ "kind": "rprop" }"#, 20).fit(&mut straight, &data, None, &mut seeded_rng(5)).unwrap();

    let path = folder("rprop").join("checkpoint.safetensors");
    trainer(r#"{ "kind": "rprop" }"#, 7)
        .checkpoint_every(7, |checkpoint| checkpoint.save(&path))
        .fit(&mut sine_network(4), &data, None, &mut seeded_rng(5))
        .unwrap();
    let checkpoint = Checkpoint::<f32>::load(&path).unwrap();
    assert_eq!(checkpoint.solver.tensors.len(), 2 * 6, "a step and a last gradient for each of the 6 tensors");
    let mut resumed = sine_network(4);
    trainer(r#"{ "kind": "rprop" }"#, 20)
        .continue_for(&mut resumed, Some(checkpoint), 13, &data, None, &mut seeded_rng(0))
        .unwrap();
    assert_eq!(bits(&resumed), bits(&straight));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn rprop_refuses_what_has_no_meaning_for_it() {
    let mut rng = seeded_rng(6);
    let data = datasets::sine::<f32>(20, &mut rng);
    let rprop = || Trainer::with_solver(Rprop::new(RpropSettings::default()).unwrap());
    let error = rprop().schedule(Schedule::Exponential { gamma: 0.9 }).fit(&mut sine_network(7), &data, None, &mut rng);
    assert_eq!(
        error.unwrap_err().to_string(),
        "invalid schedule: iRprop− has no learning rate to schedule: it picks each step itself"
    );
    let error = rprop().clipping(Clipping::Norm(1.0)).fit(&mut sine_network(7), &data, None, &mut rng);
    assert_eq!(
        error.unwrap_err().to_string(),
        "invalid clipping: does not apply to iRprop−, which picks each step itself"
    );
    let error = serde_json::from_str::<OptimizerSpec>(r#"{ "kind": "rprop", "decrease_factor": 2 }"#)
        .unwrap()
        .validate()
        .unwrap_err();
    assert_eq!(error.within("optimizer").to_string(), "invalid optimizer.decrease_factor: must be in (0, 1), got 2");
}

/// A 1 → 3 → 1 network in f64 and its eight samples of the sine.
fn tiny_problem() -> (Network<f64>, Matrix<f64>, Matrix<f64>) {
    let network = Network::builder(1)
        .dense(3, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build(&mut seeded_rng(8))
        .unwrap();
    let x: Vec<f64> = (0..8).map(|i| 0.8 * i as f64).collect();
    let y: Vec<f64> = x.iter().map(|x| x.sin()).collect();
    (network, Matrix::new(8, 1, x).unwrap(), Matrix::new(8, 1, y).unwrap())
}

/// The residuals e = (a − y)/√n at parameters θ, from the network's predictions alone.
fn residuals(network: &Network<f64>, theta: &[f64], x: &Matrix<f64>, y: &Matrix<f64>) -> Vec<f64> {
    let mut network = network.clone();
    let mut values = theta.iter();
    for layer in network.layers_mut() {
        let dense = layer.as_dense_mut().unwrap();
        dense.weights_mut().iter_mut().for_each(|w| *w = *values.next().unwrap());
        dense.bias_mut().iter_mut().for_each(|b| *b = *values.next().unwrap());
    }
    let a = network.predict(x).unwrap();
    let n = (y.rows() as f64).sqrt();
    a.as_slice().iter().zip(y.as_slice()).map(|(a, y)| (a - y) / n).collect()
}

/// Solves A δ = g by Gaussian elimination with partial pivoting.
fn gaussian_elimination(mut a: Vec<Vec<f64>>, mut g: Vec<f64>) -> Vec<f64> {
    let n = g.len();
    for column in 0..n {
        let pivot = (column..n).max_by(|&i, &j| a[i][column].abs().total_cmp(&a[j][column].abs())).unwrap();
        a.swap(column, pivot);
        g.swap(column, pivot);
        let pivot_row = a[column].clone();
        for row in column + 1..n {
            let factor = a[row][column] / pivot_row[column];
            a[row][column..].iter_mut().zip(&pivot_row[column..]).for_each(|(value, p)| *value -= factor * p);
            g[row] -= factor * g[column];
        }
    }
    let mut delta = vec![0.0; n];
    for row in (0..n).rev() {
        let known: f64 = (row + 1..n).map(|k| a[row][k] * delta[k]).sum();
        delta[row] = (g[row] - known) / a[row][row];
    }
    delta
}

#[test]
fn one_levenberg_marquardt_epoch_is_the_damped_step_computed_independently() {
    let (network, x, y) = tiny_problem();
    let mut trained = network.clone();
    let data = neurone::Dataset::new(x.clone(), y.clone()).unwrap();
    let mut trainer = Trainer::with_solver(LevenbergMarquardt::default()).epochs(1);
    let history = trainer.fit(&mut trained, &data, None, &mut seeded_rng(0)).unwrap();
    let after: Vec<f64> = trained.parameters().flat_map(|(_, parameter)| parameter.value.to_vec()).collect();
    // The step taken was the first to lower J, after which μ went down by its factor 10.
    let damping = trainer.solver().state().tensors[0].1[0] * 10.0;
    assert!([1e-3, 1e-2, 1e-1, 1.0].iter().any(|tried| (damping / tried - 1.0).abs() < 1e-12), "μ = {damping}");

    // J by central differences, then (JᵀJ + μI) δ = Jᵀe.
    let theta: Vec<f64> = network.parameters().flat_map(|(_, parameter)| parameter.value.to_vec()).collect();
    let e = residuals(&network, &theta, &x, &y);
    let h = 1e-6;
    let columns: Vec<Vec<f64>> = (0..theta.len())
        .map(|j| {
            let (mut above, mut below) = (theta.clone(), theta.clone());
            above[j] += h;
            below[j] -= h;
            let (above, below) = (residuals(&network, &above, &x, &y), residuals(&network, &below, &x, &y));
            above.iter().zip(&below).map(|(a, b)| (a - b) / (2.0 * h)).collect()
        })
        .collect();
    let dot = |u: &[f64], v: &[f64]| u.iter().zip(v).map(|(u, v)| u * v).sum::<f64>();
    let matrix: Vec<Vec<f64>> = (0..theta.len())
        .map(|i| (0..theta.len()).map(|j| dot(&columns[i], &columns[j]) + if i == j { damping } else { 0.0 }).collect())
        .collect();
    let gradient: Vec<f64> = columns.iter().map(|column| dot(column, &e)).collect();
    let delta = gaussian_elimination(matrix, gradient);
    let expected: Vec<f64> = theta.iter().zip(&delta).map(|(t, d)| t - d).collect();
    for (j, (a, e)) in after.iter().zip(&expected).enumerate() {
        assert!((a - e).abs() < 1e-7 * e.abs().max(1.0), "θ{j}: {a} vs {e}");
    }
    // The loss reported is J after the step.
    let loss_after = 0.5 * residuals(&network, &after, &x, &y).iter().map(|e| e * e).sum::<f64>();
    assert!((history.epochs[0].train_loss - loss_after).abs() < 1e-15);
    assert!(loss_after < 0.5 * dot(&e, &e));
}

#[test]
fn levenberg_marquardt_fits_the_sine_far_below_first_order_methods() {
    let mut rng = seeded_rng(9);
    let data = datasets::sine::<f32>(100, &mut rng);
    let mut network = Network::builder(1)
        .dense(8, Activation::Tanh)
        .dense(8, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build(&mut seeded_rng(0))
        .unwrap();
    let history = trainer(r#"{ "kind": "levenberg_marquardt" }"#, 60).fit(&mut network, &data, None, &mut rng).unwrap();
    let last = history.last().unwrap().train_loss;
    assert!(last < 1e-7, "J = {last} after {} epochs", history.epochs.len());
    // Rprop, on the same network, 60 steps: far from it.
    let rprop = trainer(r#"{ "kind": "rprop" }"#, 60).fit(&mut network.clone(), &data, None, &mut rng).unwrap();
    assert!(rprop.last().unwrap().train_loss > 1e3 * last);
}

#[test]
fn levenberg_marquardt_resumes_with_the_bits_of_the_uninterrupted_run() {
    let mut rng = seeded_rng(11);
    let data = datasets::sine::<f32>(60, &mut rng);
    let optimizer = r#"{ "kind": "levenberg_marquardt" }"#;
    let mut straight = sine_network(12);
    trainer(optimizer, 12).fit(&mut straight, &data, None, &mut seeded_rng(5)).unwrap();
    let path = folder("lm").join("checkpoint.safetensors");
    trainer(optimizer, 5)
        .checkpoint_every(5, |checkpoint| checkpoint.save(&path))
        .fit(&mut sine_network(12), &data, None, &mut seeded_rng(5))
        .unwrap();
    let checkpoint = Checkpoint::<f32>::load(&path).unwrap();
    assert_eq!(checkpoint.solver.tensors[0].0, "damping", "μ is saved");
    let mut resumed = sine_network(12);
    trainer(optimizer, 12).continue_for(&mut resumed, Some(checkpoint), 7, &data, None, &mut seeded_rng(0)).unwrap();
    assert_eq!(bits(&resumed), bits(&straight));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn levenberg_marquardt_refuses_what_is_not_least_squares_in_one_line() {
    let data = datasets::xor::<f32>();
    let lm = || Trainer::with_solver(LevenbergMarquardt::default());
    let build = |builder: neurone::NetworkBuilder| builder.build::<f32>(&mut seeded_rng(13)).unwrap();
    let classifier = build(
        Network::builder(2).dense(4, Activation::Tanh).dense(1, Activation::Sigmoid).loss(Loss::BinaryCrossEntropy),
    );
    let error = lm().fit(&mut classifier.clone(), &data, None, &mut seeded_rng(0)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid loss: levenberg_marquardt fits least squares (mse), not binary_cross_entropy: use lbfgs for binary_cross_entropy"
    );
    let with_dropout =
        build(Network::builder(2).dense(4, Activation::Tanh).dropout(0.2).dense(1, Activation::Identity));
    let error = lm().fit(&mut with_dropout.clone(), &data, None, &mut seeded_rng(0)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid optimizer: levenberg_marquardt needs dense layers only, not dropout(0.2): use lbfgs"
    );
    let plain = build(Network::builder(2).dense(4, Activation::Tanh).dense(1, Activation::Identity));
    let error = lm().penalty(Penalty { l1: 1e-3, l2: 0.0 }).fit(&mut plain.clone(), &data, None, &mut seeded_rng(0));
    assert_eq!(
        error.unwrap_err().to_string(),
        "invalid l1: levenberg_marquardt needs a differentiable penalty: use l2, or lbfgs"
    );
    let error = serde_json::from_str::<OptimizerSpec>(r#"{ "kind": "levenberg_marquardt", "damping_increase": 1 }"#)
        .unwrap()
        .validate()
        .unwrap_err();
    assert_eq!(
        error.within("optimizer").to_string(),
        "invalid optimizer.damping_increase: must be greater than 1, got 1"
    );
}

#[test]
fn levenberg_marquardt_on_mnist_is_refused_by_the_memory_check() {
    if neurone::memory::available_memory().is_none() {
        return;
    }
    let training: TrainingSpec = serde_json::from_str(r#"{ "optimizer": { "kind": "levenberg_marquardt" } }"#).unwrap();
    let network = NetworkSpec { layers: vec![128], ..Default::default() };
    // 784 → 128 → 10: 101,770 parameters; J is 60,000 × 10 × 101,770 values and JᵀJ 101,770²,
    // with its factor: 8 bytes × (6.11·10¹⁰ + 2 × 1.04·10¹⁰) = 654 GB.
    let error = training.check_memory(&network, 784, 10, 60_000, 4).unwrap_err().to_string();
    assert!(error.starts_with("invalid model.layers: the network and its training need 654."), "{error}");
    assert!(error.contains("optimizer state 654.2 GB"), "{error}");
    // Adam fits.
    let adam: TrainingSpec = serde_json::from_str(r#"{ "optimizer": { "kind": "adam" } }"#).unwrap();
    adam.check_memory(&network, 784, 10, 60_000, 4).unwrap();
}

#[test]
fn both_continue_in_stretches_with_the_bits_of_one_training() {
    let mut rng = seeded_rng(14);
    let data = datasets::sine::<f32>(50, &mut rng);
    for optimizer in [r#"{ "kind": "rprop" }"#, r#"{ "kind": "levenberg_marquardt" }"#] {
        let mut straight = sine_network(15);
        trainer(optimizer, 12).fit(&mut straight, &data, None, &mut seeded_rng(16)).unwrap();
        let (mut continued, mut rng) = (sine_network(15), seeded_rng(16));
        let mut checkpoint = None;
        for more in [3, 5, 4] {
            let next = trainer(optimizer, 12).continue_for(&mut continued, checkpoint, more, &data, None, &mut rng);
            checkpoint = Some(next.unwrap());
        }
        assert_eq!(checkpoint.unwrap().epoch, 12);
        assert_eq!(bits(&continued), bits(&straight), "{optimizer}");
    }
}
