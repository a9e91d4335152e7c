//! onnxruntime runs neurone's ONNX export: `scripts/interop/run_onnx.py` checks the graph with
//! onnx's checker and runs it, and its outputs must agree with neurone's predictions to 1e-5.
//! Skipped without the venv of `scripts/python-env.sh`, except under `CI=true`.

mod common;

use common::{assert_close, classifier, inputs, python, regressor, run_python, temporary_folder, write_csv};
use neurone::{Matrix, Model, Scalar};

fn check_in_onnxruntime<S: Scalar>(test: &str, model: &Model<S>, raw_inputs: &Matrix<S>) {
    let Some(python) = python(test) else { return };
    let folder = temporary_folder(test);
    let (model_path, inputs_path) = (folder.join("model.onnx"), folder.join("inputs.csv"));
    model.export_onnx(&model_path).unwrap();
    write_csv(&inputs_path, raw_inputs);
    let from_onnx: Vec<f64> = run_python(&python, "run_onnx.py", &[&model_path, &inputs_path]).concat();
    let from_neurone: Vec<f64> = model.predict(raw_inputs).unwrap().as_slice().iter().map(|v| v.to_f64()).collect();
    assert_close(&from_onnx, &from_neurone, 1e-5, test);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn onnxruntime_predicts_what_neurone_predicts_for_a_regressor_with_every_activation() {
    let raw = inputs::<f32>(25, 3, 8);
    let raw = Matrix::new(25, 3, raw.as_slice().iter().map(|v| v * 10.0 + 1.0).collect()).unwrap();
    check_in_onnxruntime("onnx-regressor", &regressor::<f32>(), &raw);
}

#[test]
fn onnxruntime_predicts_what_neurone_predicts_for_a_softmax_classifier() {
    check_in_onnxruntime("onnx-classifier", &classifier::<f32>(), &inputs::<f32>(12, 4, 4));
}

#[test]
fn an_f64_model_exports_in_f32_within_the_tolerance() {
    check_in_onnxruntime("onnx-f64", &regressor::<f64>(), &inputs::<f64>(10, 3, 6));
}
