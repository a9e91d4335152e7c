//! Models shared by the model-file, interoperability and ONNX tests: small networks with every
//! layer kind and activation, trained for a few steps so that batch normalisation's running
//! statistics are not the defaults.

#![allow(dead_code)]

use neurone::data::{Preprocessing, Scaler};
use neurone::optim::Step;
use neurone::{Activation, Loss, Matrix, Mode, Model, Network, NetworkBuilder, Scalar, Sgd, seeded_rng};

mod python;
#[allow(unused_imports)] // not every test file runs Python
pub use python::{python, run_python};

/// `rows` × `cols` inputs spread over roughly [−3, 3], the same on every platform.
pub fn inputs<S: Scalar>(rows: usize, cols: usize, seed: u64) -> Matrix<S> {
    let values = (0..rows * cols)
        .map(|index| {
            let t = (index as u64 * 7919 + seed * 104_729) % 1000;
            S::from_f64(t as f64 / 1000.0 * 6.0 - 3.0)
        })
        .collect();
    Matrix::new(rows, cols, values).unwrap()
}

/// A regressor through every element-wise activation, with batch norm, dropout, an input
/// scaler and a target scaler.
pub fn regressor<S: Scalar>() -> Model<S> {
    let builder = Network::builder(3)
        .dense(6, Activation::Sigmoid)
        .dense(6, Activation::Tanh)
        .batch_norm()
        .dense(6, Activation::Relu)
        .dropout(0.25)
        .dense(6, Activation::LeakyRelu { slope: 0.1 })
        .dense(6, Activation::Elu { alpha: 0.7 })
        .dense(6, Activation::Softplus)
        .dense(6, Activation::Gelu)
        .dense(2, Activation::Identity)
        .loss(Loss::Huber { delta: 1.5 });
    let x = inputs::<S>(32, 3, 1);
    let y = Matrix::new(32, 2, x.iter_rows().flat_map(|r| [r[0] * r[1] + r[2], r[0] - r[2]]).collect()).unwrap();
    let raw_x = Matrix::new(32, 3, x.as_slice().iter().map(|&v| v * S::from_f64(10.0) + S::ONE).collect()).unwrap();
    let raw_y = Matrix::new(32, 2, y.as_slice().iter().map(|&v| v * S::from_f64(50.0) - S::ONE).collect()).unwrap();
    let preprocessing = Preprocessing {
        input_scaler: Some(Scaler::standard(&raw_x).unwrap()),
        target_scaler: Some(Scaler::min_max(&raw_y).unwrap()),
        feature_names: Some(vec!["a".into(), "b".into(), "c".into()]),
        ..Default::default()
    };
    let network = trained(builder, &x, &y);
    Model::new(network, preprocessing).with_training(serde_json::json!({"epochs": 20, "optimizer": "sgd(0.05)"}))
}

/// A three-class classifier with a softmax output, batch norm and dropout.
pub fn classifier<S: Scalar>() -> Model<S> {
    let builder = Network::builder(4)
        .dense(8, Activation::Relu)
        .batch_norm()
        .dropout(0.1)
        .dense(3, Activation::Softmax)
        .loss(Loss::CategoricalCrossEntropy);
    let x = inputs::<S>(30, 4, 2);
    let y = Matrix::new(
        30,
        3,
        (0..30).flat_map(|i| (0..3).map(move |c| if i % 3 == c { S::ONE } else { S::ZERO })).collect(),
    )
    .unwrap();
    let preprocessing = Preprocessing {
        class_names: Some(vec!["setosa".into(), "versicolor".into(), "virginica".into()]),
        ..Default::default()
    };
    Model::new(trained(builder, &x, &y), preprocessing)
}

/// The network built from `builder`, after 20 steps of gradient descent on (x, y).
fn trained<S: Scalar>(builder: NetworkBuilder, x: &Matrix<S>, y: &Matrix<S>) -> Network<S> {
    let mut rng = seeded_rng(11);
    let mut network = builder.build::<S>(&mut rng).unwrap();
    let mut optimizer = Sgd::default();
    for number in 1..=20 {
        network.forward(x, Mode::Train).unwrap();
        network.backward(x, y).unwrap();
        network.update(&mut optimizer, Step { number, learning_rate: 0.05 });
    }
    network
}

/// `|a − b| ≤ tolerance · max(1, |b|)` for every value.
pub fn assert_close<S: Scalar>(actual: &[S], expected: &[S], tolerance: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths differ");
    for (index, (a, b)) in actual.iter().zip(expected).enumerate() {
        let (a, b) = (a.to_f64(), b.to_f64());
        assert!((a - b).abs() <= tolerance * b.abs().max(1.0), "{what}: value {index} is {a}, expected {b}");
    }
}

/// Writes `matrix` as comma-separated rows to `path` (every value in its exact shortest form).
pub fn write_csv<S: Scalar>(path: &std::path::Path, matrix: &Matrix<S>) {
    let text: String = matrix
        .iter_rows()
        .map(|row| row.iter().map(|value| value.to_string()).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    std::fs::write(path, text).unwrap();
}

/// A fresh temporary folder for one test.
pub fn temporary_folder(test: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("neurone-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}
