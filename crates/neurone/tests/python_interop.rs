//! Python reads neurone's model files: `scripts/interop/forward.py` loads one with
//! `safetensors.numpy` and the metadata JSON, runs the forward pass in numpy, and must agree
//! with neurone's predictions to 1e-5. Skipped without the venv of `scripts/python-env.sh`,
//! except under `CI=true`, where that is a failure.

mod common;

use common::{assert_close, classifier, inputs, python, regressor, run_python, temporary_folder, write_csv};
use neurone::{Matrix, Model, Scalar};

fn check_in_numpy<S: Scalar>(test: &str, model: &Model<S>, raw_inputs: &Matrix<S>) {
    let Some(python) = python(test) else { return };
    let folder = temporary_folder(test);
    let (model_path, inputs_path) = (folder.join("model.safetensors"), folder.join("inputs.csv"));
    model.save(&model_path).unwrap();
    write_csv(&inputs_path, raw_inputs);
    let from_numpy: Vec<f64> = run_python(&python, "forward.py", &[&model_path, &inputs_path]).concat();
    let from_neurone: Vec<f64> = model.predict(raw_inputs).unwrap().as_slice().iter().map(|v| v.to_f64()).collect();
    assert_close(&from_numpy, &from_neurone, 1e-5, test);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn numpy_predicts_what_neurone_predicts_for_a_regressor_with_every_activation() {
    let raw = inputs::<f32>(25, 3, 8);
    let raw = Matrix::new(25, 3, raw.as_slice().iter().map(|v| v * 10.0 + 1.0).collect()).unwrap();
    check_in_numpy("interop-regressor", &regressor::<f32>(), &raw);
}

#[test]
fn numpy_predicts_what_neurone_predicts_for_a_softmax_classifier() {
    check_in_numpy("interop-classifier", &classifier::<f32>(), &inputs::<f32>(12, 4, 4));
}

#[test]
fn numpy_reads_f64_models_too() {
    check_in_numpy("interop-f64", &regressor::<f64>(), &inputs::<f64>(10, 3, 6));
}
