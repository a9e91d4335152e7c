//! A model that fills in missing inputs (`data.missing = "impute"`) does so outside neurone too:
//! numpy reading the model file (`scripts/interop/forward.py`) and onnxruntime running its ONNX
//! export (`scripts/interop/run_onnx.py`) take NaN inputs and must predict what neurone predicts,
//! to 1e-5. Skipped without the venv of `scripts/python-env.sh`, except under `CI=true`.

mod common;

use common::{assert_close, inputs, python, regressor, run_python, temporary_folder, write_csv};
use neurone::data::Imputer;
use neurone::{Matrix, Model};

/// The regressor of the other interop tests, filling in its three inputs, and inputs of which
/// every fourth value is missing.
fn imputing_model_and_inputs() -> (Model<f32>, Matrix<f32>) {
    let mut model = regressor::<f32>();
    model.preprocessing.imputer = Some(Imputer { fills: vec![1.5, -2.0, 7.25] });
    let raw = inputs::<f32>(16, 3, 9);
    let values = raw.as_slice().iter().enumerate().map(|(i, &v)| if i % 4 == 1 { f32::NAN } else { v * 10.0 + 1.0 });
    (model, Matrix::new(16, 3, values.collect()).unwrap())
}

fn check(test: &str, script: &str, file: &str, write: impl Fn(&Model<f32>, &std::path::Path)) {
    let Some(python) = python(test) else { return };
    let (model, raw) = imputing_model_and_inputs();
    let folder = temporary_folder(test);
    let (model_path, inputs_path) = (folder.join(file), folder.join("inputs.csv"));
    write(&model, &model_path);
    write_csv(&inputs_path, &raw);
    let outside: Vec<f64> = run_python(&python, script, &[&model_path, &inputs_path]).concat();
    let predictions = model.predict(&raw).unwrap();
    assert!(predictions.as_slice().iter().all(|value| value.is_finite()), "neurone fills the NaN in");
    let from_neurone: Vec<f64> = predictions.as_slice().iter().map(|&value| f64::from(value)).collect();
    assert_close(&outside, &from_neurone, 1e-5, test);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn numpy_fills_missing_inputs_as_the_model_file_says() {
    check("imputer-numpy", "forward.py", "model.safetensors", |model, path| model.save(path).unwrap());
}

#[test]
fn onnxruntime_fills_missing_inputs_as_the_export_says() {
    check("imputer-onnx", "run_onnx.py", "model.onnx", |model, path| model.export_onnx(path).unwrap());
}
