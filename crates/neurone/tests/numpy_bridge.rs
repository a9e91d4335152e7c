//! The bridge for Python students: `scripts/interop/numpy_backprop.py` writes the course's
//! equations in about 40 lines of NumPy. On the course's sine network, read from a model file,
//! its loss and gradients must be neurone's. Skipped without the venv of
//! `scripts/python-env.sh`, except under `CI=true`, where that is a failure.

mod common;

use common::{assert_close, python, run_python, temporary_folder, write_csv};
use neurone::data::Preprocessing;
use neurone::{Activation, Matrix, Model, Network, datasets, seeded_rng};

/// The course's 1 → 16 → 16 → 1 tanh network in f64, and a batch of 32 sine samples.
fn sine_network_and_batch(seed: u64) -> (Network<f64>, Matrix<f64>, Matrix<f64>) {
    let mut rng = seeded_rng(seed);
    let network = Network::builder(1)
        .dense(16, Activation::Tanh)
        .dense(16, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build(&mut rng)
        .unwrap();
    let batch = datasets::sine::<f64>(32, &mut rng);
    (network, batch.inputs().clone(), batch.targets().clone())
}

/// J and every gradient tensor, as NumPy computes them from `network`'s model file.
fn numpy_gradients(test: &str, network: &Network<f64>, x: &Matrix<f64>, y: &Matrix<f64>) -> Option<Vec<Vec<f64>>> {
    let python = python(test)?;
    let folder = temporary_folder(test);
    let (model_path, batch_path) = (folder.join("model.safetensors"), folder.join("batch.csv"));
    Model::new(network.clone(), Preprocessing::default()).save(&model_path).unwrap();
    let rows: Vec<f64> = x.iter_rows().zip(y.iter_rows()).flat_map(|(x, y)| x.iter().chain(y).copied()).collect();
    write_csv(&batch_path, &Matrix::new(x.rows(), x.cols() + y.cols(), rows).unwrap());
    let printed = run_python(&python, "numpy_backprop.py", &[&model_path, &batch_path]);
    std::fs::remove_dir_all(&folder).unwrap();
    Some(printed)
}

#[test]
fn numpy_backpropagation_gives_neurones_loss_and_gradients_on_the_sine_network() {
    let (mut network, x, y) = sine_network_and_batch(42);
    let Some(printed) = numpy_gradients("numpy-bridge", &network, &x, &y) else { return };
    let loss = network.compute_gradients(&x, &y).unwrap();
    assert_close(&printed[0], &[loss], 1e-12, "J");
    let tensors: Vec<_> = network.parameters().collect();
    assert_eq!(printed.len(), 1 + tensors.len(), "J, then weight and bias of three layers");
    for ((layer, parameter), from_numpy) in tensors.iter().zip(&printed[1..]) {
        assert_close(from_numpy, parameter.gradient, 1e-10, &format!("layers.{layer}.{}", parameter.name));
    }
}

#[test]
fn the_comparison_notices_a_gradient_that_differs() {
    // NumPy's gradients for one network are not another network's: the check can fail.
    let (network, x, y) = sine_network_and_batch(42);
    let (mut other, _, _) = sine_network_and_batch(7);
    let Some(printed) = numpy_gradients("numpy-bridge-other", &network, &x, &y) else { return };
    other.compute_gradients(&x, &y).unwrap();
    let (_, parameter) = other.parameters().next().unwrap();
    let largest = printed[1].iter().zip(parameter.gradient).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(largest > 1e-3, "the gradients of two different networks agree to {largest}");
}
