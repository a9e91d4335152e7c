//! The committed model file `fixtures/model-v1.safetensors` must keep loading and predicting
//! what it predicted when it was written, so that format version 1 cannot silently change.
//!
//! The fixture is the regressor of `common::regressor` (every element-wise activation, batch
//! norm, dropout, input and target scalers). To write it anew — only when the format version
//! changes, keeping the old file as a fixture of the old version:
//!
//! ```text
//! NEURONE_WRITE_FIXTURE=1 cargo test --release -p neurone --test model_fixture -- --ignored
//! ```

mod common;

use std::path::PathBuf;

use common::inputs;
use neurone::layer::Layer;
use neurone::{Matrix, Model};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The inputs the expected predictions are for: raw (unscaled) values, as users pass them.
fn fixture_inputs() -> Matrix<f32> {
    let x = inputs::<f32>(8, 3, 42);
    Matrix::new(8, 3, x.as_slice().iter().map(|v| v * 12.0 + 1.5).collect()).unwrap()
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Expected {
    note: String,
    inputs: Vec<Vec<f32>>,
    /// The predictions as f32 bit patterns (exact), with `predictions` beside them for people.
    prediction_bits: Vec<Vec<u32>>,
    predictions: Vec<Vec<f32>>,
    /// Bit patterns of a few parameters, which must load exactly.
    first_weight_bits: u32,
    running_var_bits: Vec<u32>,
    num_batches_tracked: u64,
}

fn batch_norm_of(model: &Model) -> &neurone::layer::BatchNorm<f32> {
    match &model.network.layers()[2] {
        Layer::BatchNorm(batch_norm) => batch_norm,
        _ => panic!("layer 2 of the fixture is batch norm"),
    }
}

#[test]
fn the_version_1_fixture_loads_and_predicts_as_when_it_was_written() {
    let model: Model = Model::load(fixtures().join("model-v1.safetensors")).unwrap();
    let text = std::fs::read_to_string(fixtures().join("model-v1-expected.json")).unwrap();
    let expected: Expected = serde_json::from_str(&text).unwrap();

    // Parameters load bit for bit.
    let first_weight = model.network.layers()[0].as_dense().unwrap().weights()[0];
    assert_eq!(first_weight.to_bits(), expected.first_weight_bits);
    let batch_norm = batch_norm_of(&model);
    let running_var_bits: Vec<u32> = batch_norm.running_variance().iter().map(|v| v.to_bits()).collect();
    assert_eq!(running_var_bits, expected.running_var_bits);
    assert_eq!(batch_norm.batches_tracked(), expected.num_batches_tracked);
    assert_eq!(model.preprocessing.feature_names.as_deref(), Some(&["a".into(), "b".into(), "c".into()][..]));
    assert_eq!(model.training["epochs"], 20);

    // Predictions: the same bits on the machine that wrote the fixture; elsewhere a matrix
    // kernel with or without fused multiply-add may differ in the last bits, hence 1e-6.
    let x = fixture_inputs();
    let inputs: Vec<Vec<f32>> = x.iter_rows().map(<[f32]>::to_vec).collect();
    assert_eq!(inputs, expected.inputs, "the test's inputs changed, not the file");
    let predictions = model.predict(&x).unwrap();
    let expected_values: Vec<f32> =
        expected.prediction_bits.iter().flatten().map(|&bits| f32::from_bits(bits)).collect();
    common::assert_close(predictions.as_slice(), &expected_values, 1e-6, "fixture predictions");
}

#[test]
#[ignore = "writes the fixture; run with NEURONE_WRITE_FIXTURE=1 when the format version changes"]
fn write_the_fixture() {
    if std::env::var_os("NEURONE_WRITE_FIXTURE").is_none() {
        eprintln!("set NEURONE_WRITE_FIXTURE=1 to overwrite tests/fixtures/model-v1.*");
        return;
    }
    let model = common::regressor::<f32>();
    model.save(fixtures().join("model-v1.safetensors")).unwrap();
    let x = fixture_inputs();
    let predictions = model.predict(&x).unwrap();
    let batch_norm = batch_norm_of(&model);
    let expected = Expected {
        note: "Predictions of model-v1.safetensors on `inputs`, written by tests/model_fixture.rs".into(),
        inputs: x.iter_rows().map(<[f32]>::to_vec).collect(),
        prediction_bits: predictions.iter_rows().map(|row| row.iter().map(|v| v.to_bits()).collect()).collect(),
        predictions: predictions.iter_rows().map(<[f32]>::to_vec).collect(),
        first_weight_bits: model.network.layers()[0].as_dense().unwrap().weights()[0].to_bits(),
        running_var_bits: batch_norm.running_variance().iter().map(|v| v.to_bits()).collect(),
        num_batches_tracked: batch_norm.batches_tracked(),
    };
    let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
    neurone::io::write_atomic(&fixtures().join("model-v1-expected.json"), text.as_bytes()).unwrap();
}

#[test]
fn a_fixture_with_format_version_2_gets_the_clear_error() {
    let bytes = std::fs::read(fixtures().join("model-v1.safetensors")).unwrap();
    // Rewrite the version in place: same length, so the header stays valid.
    let needle = br#""format_version":"1""#;
    let position =
        bytes.windows(needle.len()).position(|window| window == needle).expect("the version is in the header");
    let mut bytes = bytes;
    bytes[position + needle.len() - 2] = b'2';
    let error = Model::<f32>::from_bytes(&bytes, "model-v2.safetensors").unwrap_err().to_string();
    assert_eq!(error, "model-v2.safetensors: written by a newer neurone (format 2); this build reads format 1");
}
