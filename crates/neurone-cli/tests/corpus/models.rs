//! Model files and the rows given to them: `neurone predict`, `eval` and `export` with a
//! damaged model, or a valid model and damaged input rows.

use serde_json::{Value, json};

use super::{Case, Trained};

/// `neurone predict model.safetensors new.csv`, the predictions on standard output.
const PREDICT: &[&str] = &["predict", "model.safetensors", "new.csv"];

/// Rows the regressor accepts.
const NEW_ROWS: &str = "x,colour\n2.5,red\n30,blue\n";

/// A safetensors file taken apart: its JSON header and its data.
struct Parts {
    header: Value,
    data: Vec<u8>,
}

impl Parts {
    fn of(bytes: &[u8]) -> Self {
        let length = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        Self { header: serde_json::from_slice(&bytes[8..8 + length]).unwrap(), data: bytes[8 + length..].to_vec() }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut header = serde_json::to_vec(&self.header).unwrap();
        header.resize(header.len().next_multiple_of(8), b' ');
        [(header.len() as u64).to_le_bytes().as_slice(), &header, &self.data].concat()
    }

    /// Edits the JSON held as a string in metadata `key`.
    fn metadata_json(mut self, key: &str, edit: impl FnOnce(&mut Value)) -> Self {
        let text = self.header["__metadata__"][key].as_str().unwrap().to_string();
        let mut value: Value = serde_json::from_str(&text).unwrap();
        edit(&mut value);
        self.header["__metadata__"][key] = Value::String(value.to_string());
        self
    }

    fn metadata(mut self, key: &str, value: Value) -> Self {
        self.header["__metadata__"][key] = value;
        self
    }

    fn tensor(mut self, name: &str, edit: impl FnOnce(&mut Value)) -> Self {
        edit(&mut self.header[name]);
        self
    }

    fn rename(mut self, from: &str, to: &str) -> Self {
        let map = self.header.as_object_mut().unwrap();
        let tensor = map.remove(from).unwrap();
        map.insert(to.to_string(), tensor);
        self
    }

    /// The byte range of tensor `name` in the data.
    fn range(&self, name: &str) -> std::ops::Range<usize> {
        let offsets = &self.header[name]["data_offsets"];
        offsets[0].as_u64().unwrap() as usize..offsets[1].as_u64().unwrap() as usize
    }
}

/// `neurone predict` with the regressor's file made into `model`.
fn predict_with(name: &'static str, model: impl Into<Vec<u8>>) -> Case {
    Case::new(name, PREDICT).file("model.safetensors", model).file("new.csv", NEW_ROWS)
}

pub fn model_files(trained: &Trained) -> Vec<Case> {
    let valid = &trained.regressor;
    let parts = || Parts::of(valid);
    let header_length = u64::from_le_bytes(valid[..8].try_into().unwrap());
    let mut nan_weights = parts();
    let weight = nan_weights.range("layers.0.weight");
    nan_weights.data[weight.start + 4..weight.start + 8].copy_from_slice(&f32::NAN.to_le_bytes());
    let mut infinite_bias = parts();
    let bias = infinite_bias.range("layers.1.bias");
    infinite_bias.data[bias.start..bias.start + 4].copy_from_slice(&f32::INFINITY.to_le_bytes());
    let mut lying_length = valid.clone();
    lying_length[..8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let mut short_length = valid.clone();
    short_length[..8].copy_from_slice(&(header_length - 8).to_le_bytes());

    vec![
        predict_with("valid", valid.clone()).works(|_, stdout| {
            let lines: Vec<&str> = stdout.lines().collect();
            match lines.as_slice() {
                ["y", first, second] if first.parse::<f32>().is_ok() && second.parse::<f32>().is_ok() => Ok(()),
                _ => Err(format!("expected a header and two predictions: {stdout}")),
            }
        }),
        predict_with("empty_file", Vec::new()).usage_error("model.safetensors: too short to be a safetensors file"),
        predict_with("truncated_to_the_header_length", valid[..8].to_vec())
            .usage_error("model.safetensors: not a safetensors file: its header length"),
        predict_with("truncated_in_the_header", valid[..100].to_vec()).usage_error(format!(
            "model.safetensors: not a safetensors file: its header length ({header_length} bytes) goes beyond the file (100 bytes)"
        )),
        predict_with("truncated_in_the_data", valid[..valid.len() - 10].to_vec())
            .usage_error("model.safetensors: not a valid safetensors file: "),
        predict_with("header_length_beyond_the_file", lying_length).usage_error(format!(
            "model.safetensors: not a safetensors file: its header length (1099511627776 bytes) goes beyond the file ({} bytes)",
            valid.len()
        )),
        predict_with("header_length_cutting_the_json", short_length)
            .usage_error("model.safetensors: not a valid safetensors file: "),
        predict_with("trailing_bytes", [valid.as_slice(), b"extra"].concat())
            .usage_error("model.safetensors: not a valid safetensors file: "),
        predict_with("unknown_text_file", "just some words in a text file\n").usage_error("model.safetensors: not a safetensors file: its header length"),
        // Files that neurone reads or writes, given where a model is expected: each is named.
        predict_with("csv_file", "x,colour\n1,red\n")
            .usage_error("model.safetensors: this is a CSV file, not a model: give a model.safetensors file first"),
        Case::new("data_before_the_model", &["predict", "new.csv", "model.safetensors"])
            .file("model.safetensors", valid.clone())
            .file("new.csv", NEW_ROWS)
            .usage_error("new.csv: this is a CSV file, not a model"),
        Case::new("onnx_file", &["predict", "model.onnx", "new.csv"])
            .file("model.onnx", trained.onnx.clone())
            .file("new.csv", NEW_ROWS)
            .usage_error("model.onnx: this is an ONNX file (a model exported for inference elsewhere), not a neurone model: give the model.safetensors it was exported from"),
        Case::new("checkpoint_file", &["eval", "checkpoint.safetensors", "--data", "new.csv"])
            .file("checkpoint.safetensors", trained.checkpoint.clone())
            .file("new.csv", NEW_ROWS)
            .usage_error("checkpoint.safetensors: this is a training checkpoint, not a model: give the model.safetensors its run wrote beside it"),
        Case::new("experiment_file", &["export", "exp.toml", "--onnx", "out/model.onnx"])
            .file("exp.toml", super::experiment("data.csv", "y", ""))
            .usage_error("exp.toml: this is a TOML file (an experiment?), not a model: train it first"),
        Case::new("summary_of_an_onnx_file", &["summary", "model.onnx"])
            .file("model.onnx", trained.onnx.clone())
            .usage_error("model.onnx: this is an ONNX file"),
        predict_with("wrong_dtype", parts().tensor("layers.0.weight", |t| t["dtype"] = json!("I32")).bytes())
            .usage_error("model.safetensors: tensor `layers.0.weight` is I32, expected F32"),
        predict_with("dtype_of_another_size", parts().tensor("layers.0.bias", |t| t["dtype"] = json!("F16")).bytes())
            .usage_error("model.safetensors: not a valid safetensors file: "),
        predict_with("missing_tensor", parts().rename("layers.0.bias", "layers.0.bais").bytes())
            .usage_error("model.safetensors: missing tensor `layers.0.bias`"),
        predict_with("extra_tensor", {
            // A well-formed tensor of its own, after the others' data.
            let mut extra = parts();
            let end = extra.data.len();
            extra.data.extend_from_slice(&1.0f32.to_le_bytes());
            extra.header["layers.9.bias"] = json!({"dtype": "F32", "shape": [1], "data_offsets": [end, end + 4]});
            extra.bytes()
        })
        .usage_error("model.safetensors: unexpected tensor `layers.9.bias`: the architecture in the metadata has no place for it"),
        predict_with("nan_weight", nan_weights.bytes())
            .usage_error("model.safetensors: tensor `layers.0.weight` holds a value that is not finite (at index 1)"),
        predict_with("infinite_bias", infinite_bias.bytes())
            .usage_error("model.safetensors: tensor `layers.1.bias` holds a value that is not finite (at index 0)"),
        predict_with("absurd_input_width", parts().metadata_json("architecture", |a| a["inputs"] = json!(1u64 << 40)).bytes())
            .usage_error("model.safetensors: tensor `layers.0.weight` has shape [4, 3], expected [4, 1099511627776]"),
        predict_with("absurd_layer_width", parts().metadata_json("architecture", |a| a["layers"][0]["units"] = json!(u64::MAX)).bytes())
            .usage_error("model.safetensors: tensor `layers.0.weight` has shape [4, 3], expected [18446744073709551615, 3]"),
        predict_with("absurd_tensor_shape", parts().tensor("layers.0.weight", |t| t["shape"] = json!([1u64 << 31, 1u64 << 31])).bytes())
            .usage_error("model.safetensors: not a valid safetensors file: "),
        predict_with("overflowing_tensor_shape", parts().tensor("layers.0.weight", |t| t["shape"] = json!([u64::MAX, 16])).bytes())
            .usage_error("model.safetensors: not a valid safetensors file: "),
        predict_with("zero_width_layer", parts().metadata_json("architecture", |a| a["layers"][0]["units"] = json!(0)).bytes())
            .usage_error("model.safetensors: metadata `architecture`, layers[0]: a layer needs at least one unit, got 0"),
        predict_with("newer_format_version", parts().metadata("format_version", json!("2")).bytes())
            .usage_error("model.safetensors: written by a newer neurone (format 2); this build reads format 1"),
        predict_with("unknown_format_version", parts().metadata("format_version", json!("one")).bytes())
            .usage_error("model.safetensors: unknown `format_version` `one`; this build reads format 1"),
        predict_with("not_a_neurone_model", parts().metadata("format", json!("pt")).bytes())
            .usage_error("model.safetensors: not a neurone model file: its metadata says format `pt`"),
        predict_with("unknown_activation", parts().metadata_json("architecture", |a| a["layers"][0]["activation"] = json!("swishy")).bytes())
            .usage_error("model.safetensors: metadata `architecture`, layers[0]: "),
        predict_with("unknown_layer_type", parts().metadata_json("architecture", |a| a["layers"][0]["type"] = json!("conv")).bytes())
            .usage_error("model.safetensors: metadata `architecture`: unknown variant `conv`"),
        predict_with("architecture_not_json", parts().metadata("architecture", json!("{\"inputs\": 3,")).bytes())
            .usage_error("model.safetensors: metadata `architecture`: EOF while parsing"),
        predict_with("preprocessing_of_another_width", parts().metadata_json("preprocessing", |p| {
            p["input_scaler"] = json!({"kind": "standard", "offsets": [0.0], "scales": [1.0]});
        }).bytes())
        .usage_error("input_scaler has width 1, but the network has 3 inputs"),
        Case::new("missing_model_file", PREDICT).file("new.csv", NEW_ROWS).usage_error("model.safetensors: No such file or directory"),
        Case::new("model_is_a_folder", PREDICT).file("model.safetensors/x", "").file("new.csv", NEW_ROWS).usage_error("model.safetensors: Is a directory"),
        Case::new("export_of_a_damaged_model", &["export", "model.safetensors", "--onnx", "out/model.onnx"])
            .file("model.safetensors", nan_weights.bytes())
            .usage_error("model.safetensors: tensor `layers.0.weight` holds a value that is not finite"),
        Case::new("eval_with_a_damaged_model", &["eval", "model.safetensors", "--data", "new.csv"])
            .file("model.safetensors", valid[..valid.len() / 2].to_vec())
            .file("new.csv", NEW_ROWS)
            .usage_error("model.safetensors: not a "),
    ]
}

/// `neurone predict` and `eval` with valid models and new rows.
pub fn prediction_inputs(trained: &Trained) -> Vec<Case> {
    let regressor = |name: &'static str, rows: &str| {
        Case::new(name, PREDICT).file("model.safetensors", trained.regressor.clone()).file("new.csv", rows)
    };
    let classifier = |name: &'static str, args: &[&str], rows: &str| {
        Case::new(name, args).file("model.safetensors", trained.classifier.clone()).file("new.csv", rows)
    };
    let one_prediction = |_: &std::path::Path, stdout: &str| match stdout.lines().count() {
        2 => Ok(()),
        _ => Err(format!("expected a header and one prediction: {stdout}")),
    };
    vec![
        regressor("columns_in_another_order", "colour,x\nred,2.5\n").works(one_prediction),
        regressor("with_the_target_column", "x,colour,y\n2.5,red,6\n").works(one_prediction),
        regressor("bom_and_crlf", "\u{feff}x,colour\r\n2.5,red\r\n").works(one_prediction),
        regressor("unseen_category", "x,colour\n2.5,red\n3,green\n")
            .usage_error("new.csv, line 3, column `colour`: unknown category `green`; the known ones are: blue, red"),
        regressor("missing_feature_column", "x\n2.5\n")
            .usage_error("new.csv: no column `colour`, which the model needs as input"),
        regressor("extra_feature_column", "x,colour,z\n2.5,red,1\n")
            .usage_error("new.csv: unexpected column `z`; the expected inputs are: x, colour"),
        regressor("too_few_fields_in_a_row", "x,colour\n2.5,red\n3\n")
            .usage_error("new.csv, line 3: this row has 1 fields, the header has 2"),
        regressor("nan_input", "x,colour\nNaN,red\n")
            .usage_error("new.csv, line 2, column `x`: `NaN` is not a finite number"),
        regressor("input_beyond_f32", "x,colour\n1e300,red\n")
            .usage_error("new.csv, line 2, column `x`: `1e300` is beyond the range of f32"),
        regressor("text_in_a_numeric_column", "x,colour\nlarge,red\n")
            .usage_error("new.csv, line 2, column `x`: `large` is not a number"),
        regressor("empty_file", "").usage_error("new.csv: the file is empty: a header line is needed"),
        regressor("header_only", "x,colour\n").usage_error("new.csv: the file has a header but no data rows"),
        Case::new("missing_rows_file", PREDICT)
            .file("model.safetensors", trained.regressor.clone())
            .usage_error("new.csv: No such file or directory"),
        classifier(
            "eval_without_the_target",
            &["eval", "model.safetensors", "--data", "new.csv"],
            "length,width\n1,0.5\n",
        )
        .usage_error("new.csv: no `species` column to evaluate against"),
        classifier(
            "eval_with_an_unseen_class",
            &["eval", "model.safetensors", "--data", "new.csv"],
            "length,width,species\n1,0.5,tiny\n",
        )
        .usage_error(
            "new.csv, line 2, column `species`: unknown category `tiny`; the known ones are: large, medium, small",
        ),
        classifier("predict_classes", PREDICT, "width,length\n0.5,1\n3.5,6\n").works(|_, stdout| {
            match stdout.lines().next() {
                Some("species,p_large,p_medium,p_small") => Ok(()),
                _ => Err(format!("expected class probabilities: {stdout}")),
            }
        }),
    ]
}
