//! Model files: saving and loading give bit-identical predictions, the bytes are what Python's
//! safetensors expects, and every kind of damaged or foreign file gets an error naming the file
//! and the culprit, never a panic.

mod common;

use std::collections::BTreeMap;

use common::{classifier, inputs, regressor};
use neurone::{Model, layer::Layer};
use safetensors::{Dtype, SafeTensors, tensor::TensorView};

const NAME: &str = "model.safetensors";

#[test]
fn a_saved_f32_model_loads_and_predicts_the_same_bits() {
    let model = regressor::<f32>();
    let path = std::env::temp_dir().join(format!("neurone-model-{}.safetensors", std::process::id()));
    model.save(&path).unwrap();
    let loaded: Model = Model::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();

    let x = inputs::<f32>(17, 3, 5);
    assert_eq!(loaded.predict(&x).unwrap(), model.predict(&x).unwrap());
    assert_eq!(loaded.network.summary(), model.network.summary());
    assert_eq!(loaded.preprocessing, model.preprocessing);
    assert_eq!(loaded.training, model.training);
    let Layer::BatchNorm(batch_norm) = &loaded.network.layers()[2] else { panic!("layer 2 is batch norm") };
    assert_eq!(batch_norm.batches_tracked(), 20);
}

#[test]
fn an_f64_classifier_round_trips_through_bytes() {
    let model = classifier::<f64>();
    let bytes = model.to_bytes().unwrap();
    let loaded = Model::<f64>::from_bytes(&bytes, NAME).unwrap();
    let x = inputs::<f64>(9, 4, 3);
    assert_eq!(loaded.predict(&x).unwrap(), model.predict(&x).unwrap());
    assert_eq!(loaded.preprocessing.class_names, model.preprocessing.class_names);
    assert_eq!(loaded.training, serde_json::Value::Null);
    // The same model gives the same bytes, loaded or not.
    assert_eq!(model.to_bytes().unwrap(), bytes);
    assert_eq!(loaded.to_bytes().unwrap(), bytes);
}

#[test]
fn the_file_holds_pytorch_named_tensors_and_json_metadata() {
    let bytes = regressor::<f32>().to_bytes().unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut names = file.names();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "layers.0.bias",
            "layers.0.weight",
            "layers.1.bias",
            "layers.1.weight",
            "layers.2.bias",
            "layers.2.num_batches_tracked",
            "layers.2.running_mean",
            "layers.2.running_var",
            "layers.2.weight",
            "layers.3.bias",
            "layers.3.weight",
            "layers.5.bias",
            "layers.5.weight",
            "layers.6.bias",
            "layers.6.weight",
            "layers.7.bias",
            "layers.7.weight",
            "layers.8.bias",
            "layers.8.weight",
            "layers.9.bias",
            "layers.9.weight",
        ]
    );
    let weight = file.tensor("layers.0.weight").unwrap();
    assert_eq!((weight.dtype(), weight.shape()), (Dtype::F32, &[6, 3][..]), "out × in, like nn.Linear");
    let counter = file.tensor("layers.2.num_batches_tracked").unwrap();
    assert_eq!((counter.dtype(), counter.shape(), counter.data()), (Dtype::I64, &[][..], &20i64.to_le_bytes()[..]));

    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let metadata = header.metadata().clone().unwrap();
    assert_eq!(metadata["format"], "neurone");
    assert_eq!(metadata["format_version"], "1");
    let architecture: serde_json::Value = serde_json::from_str(&metadata["architecture"]).unwrap();
    assert_eq!(architecture["inputs"], 3);
    assert_eq!(architecture["loss"], "huber(1.5)");
    assert_eq!(architecture["layers"][2], serde_json::json!({"type": "batch_norm", "momentum": 0.1, "epsilon": 1e-5}));
    assert_eq!(architecture["layers"][4], serde_json::json!({"type": "dropout", "probability": 0.25}));
    assert_eq!(
        architecture["layers"][5],
        serde_json::json!({"type": "dense", "units": 6, "activation": "leaky_relu(0.1)"})
    );
    let preprocessing: serde_json::Value = serde_json::from_str(&metadata["preprocessing"]).unwrap();
    assert_eq!(preprocessing["target_scaler"]["kind"], "min_max");
    assert_eq!(preprocessing["feature_names"], serde_json::json!(["a", "b", "c"]));
    let training: serde_json::Value = serde_json::from_str(&metadata["training"]).unwrap();
    assert_eq!(training["epochs"], 20);
}

/// The file's tensors and metadata, to edit and write back with the safetensors crate itself.
struct Parts {
    tensors: BTreeMap<String, (Dtype, Vec<usize>, Vec<u8>)>,
    metadata: BTreeMap<String, String>,
}

impl Parts {
    fn of(bytes: &[u8]) -> Self {
        let file = SafeTensors::deserialize(bytes).unwrap();
        let tensors = file
            .tensors()
            .into_iter()
            .map(|(name, view)| (name, (view.dtype(), view.shape().to_vec(), view.data().to_vec())))
            .collect();
        let (_, header) = SafeTensors::read_metadata(bytes).unwrap();
        let metadata = header.metadata().clone().unwrap().into_iter().collect();
        Self { tensors, metadata }
    }

    fn bytes(&self) -> Vec<u8> {
        let views = self
            .tensors
            .iter()
            .map(|(name, (dtype, shape, data))| (name.clone(), TensorView::new(*dtype, shape.clone(), data).unwrap()));
        safetensors::serialize(views, Some(self.metadata.clone().into_iter().collect())).unwrap()
    }

    fn edit_json(&mut self, key: &str, edit: impl FnOnce(&mut serde_json::Value)) {
        let mut value: serde_json::Value = serde_json::from_str(&self.metadata[key]).unwrap();
        edit(&mut value);
        self.metadata.insert(key.into(), value.to_string());
    }
}

/// The error loading `parts` as an f32 model.
fn load_error(parts: &Parts) -> String {
    Model::<f32>::from_bytes(&parts.bytes(), NAME).unwrap_err().to_string()
}

fn parts() -> Parts {
    Parts::of(&regressor::<f32>().to_bytes().unwrap())
}

#[test]
fn a_file_written_by_the_safetensors_crate_loads_the_same() {
    let model = regressor::<f32>();
    let rewritten = Parts::of(&model.to_bytes().unwrap()).bytes();
    let loaded = Model::<f32>::from_bytes(&rewritten, NAME).unwrap();
    let x = inputs::<f32>(5, 3, 9);
    assert_eq!(loaded.predict(&x).unwrap(), model.predict(&x).unwrap());
}

#[test]
fn a_newer_format_version_is_refused_clearly() {
    let mut parts = parts();
    parts.metadata.insert("format_version".into(), "2".into());
    assert_eq!(
        load_error(&parts),
        "model.safetensors: written by a newer neurone (format 2); this build reads format 1"
    );
    parts.metadata.insert("format_version".into(), "one".into());
    assert!(load_error(&parts).contains("unknown `format_version` `one`"));
    parts.metadata.remove("format_version");
    assert_eq!(load_error(&parts), "model.safetensors: no `format_version` in the metadata");
}

#[test]
fn files_that_are_not_neurone_models_are_refused() {
    let error = Model::<f32>::from_bytes(b"col1,col2\n1,2\n", NAME).unwrap_err().to_string();
    assert!(error.starts_with("model.safetensors: this is a CSV file, not a model"), "{error}");
    let error = Model::<f32>::from_bytes(b"abc", NAME).unwrap_err().to_string();
    assert_eq!(error, "model.safetensors: too short to be a safetensors file");
    let mut bytes = regressor::<f32>().to_bytes().unwrap();
    let length = bytes.len() as u64;
    bytes[..8].copy_from_slice(&length.to_le_bytes());
    let error = Model::<f32>::from_bytes(&bytes, NAME).unwrap_err().to_string();
    assert!(error.contains("goes beyond the file"), "{error}");
    let mut truncated = regressor::<f32>().to_bytes().unwrap();
    truncated.truncate(truncated.len() - 4);
    let error = Model::<f32>::from_bytes(&truncated, NAME).unwrap_err().to_string();
    assert!(error.starts_with("model.safetensors: not a valid safetensors file"), "{error}");

    let mut parts = parts();
    parts.metadata.insert("format".into(), "pt".into());
    assert_eq!(load_error(&parts), "model.safetensors: not a neurone model file: its metadata says format `pt`");
    parts.metadata.clear();
    assert!(load_error(&parts).contains("without `format` = `neurone`"));
    let error = Model::<f32>::load("/nonexistent/model.safetensors").unwrap_err().to_string();
    assert!(error.starts_with("/nonexistent/model.safetensors: "), "{error}");
}

#[test]
fn missing_extra_misshapen_and_mistyped_tensors_are_named() {
    let mut parts = parts();
    parts.tensors.remove("layers.2.running_var");
    assert_eq!(load_error(&parts), "model.safetensors: missing tensor `layers.2.running_var`");

    let mut parts = self::parts();
    let extra = parts.tensors["layers.0.bias"].clone();
    parts.tensors.insert("layers.4.weight".into(), extra);
    assert_eq!(
        load_error(&parts),
        "model.safetensors: unexpected tensor `layers.4.weight`: the architecture in the metadata has no place for it"
    );

    let mut parts = self::parts();
    parts.tensors.get_mut("layers.1.weight").unwrap().1 = vec![2, 18];
    assert_eq!(load_error(&parts), "model.safetensors: tensor `layers.1.weight` has shape [2, 18], expected [6, 6]");

    let bytes = classifier::<f64>().to_bytes().unwrap();
    let error = Model::<f32>::from_bytes(&bytes, NAME).unwrap_err().to_string();
    assert_eq!(
        error,
        "model.safetensors: tensor `layers.0.weight` is F64, expected F32 (the model was saved in f64: load it as Model<f64>)"
    );
}

#[test]
fn non_finite_weights_are_refused_on_load_and_on_save() {
    let mut parts = parts();
    parts.tensors.get_mut("layers.3.weight").unwrap().2[8..12].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(
        load_error(&parts),
        "model.safetensors: tensor `layers.3.weight` holds a value that is not finite (at index 2)"
    );
    let mut model = regressor::<f32>();
    model.network.layers_mut()[0].as_dense_mut().unwrap().weights_mut()[0] = f32::INFINITY;
    let error = model.to_bytes().unwrap_err().to_string();
    assert_eq!(error, "invalid model: tensor `layers.0.weight` holds NaN or infinite values");
}

#[test]
fn unknown_layers_and_activations_and_inconsistent_widths_are_named() {
    let mut parts = parts();
    parts.edit_json("architecture", |json| json["layers"][4]["type"] = "convolution".into());
    let error = load_error(&parts);
    assert!(error.starts_with("model.safetensors: metadata `architecture`: unknown variant `convolution`"), "{error}");

    let mut parts = self::parts();
    parts.edit_json("architecture", |json| json["layers"][0]["activation"] = "swish".into());
    let error = load_error(&parts);
    assert!(
        error.starts_with(
            "model.safetensors: metadata `architecture`, layers[0]: invalid activation: unknown activation `swish`"
        ),
        "{error}"
    );

    let mut parts = self::parts();
    parts.edit_json("architecture", |json| json["layers"][1]["units"] = 7.into());
    assert_eq!(load_error(&parts), "model.safetensors: tensor `layers.1.weight` has shape [6, 6], expected [7, 6]");

    // A width no tensor vouches for is refused before anything of that size is allocated.
    let mut parts = self::parts();
    parts.edit_json("architecture", |json| {
        json["inputs"] = (1u64 << 60).into();
        json["layers"][0] = serde_json::json!({"type": "batch_norm", "momentum": 0.1, "epsilon": 1e-5});
    });
    let error = load_error(&parts);
    assert!(error.contains("layers.0.weight` has shape [6, 3], expected [1152921504606846976]"), "{error}");

    let mut parts = self::parts();
    parts.edit_json("preprocessing", |json| json["feature_names"] = serde_json::json!(["a", "b"]));
    assert_eq!(
        load_error(&parts),
        "model.safetensors: metadata `preprocessing`: feature_names has width 2, but the network has 3 inputs"
    );

    let mut parts = self::parts();
    parts.edit_json("architecture", |json| json["loss"] = "cross_entropy".into());
    let error = load_error(&parts);
    assert!(error.starts_with("model.safetensors: metadata `architecture`: "), "{error}");
}

#[test]
fn every_truncation_and_byte_flip_of_a_file_is_an_error_or_a_model_never_a_panic() {
    let bytes = classifier::<f32>().to_bytes().unwrap();
    for length in 0..bytes.len() {
        assert!(Model::<f32>::from_bytes(&bytes[..length], NAME).is_err(), "a file cut at {length} bytes loaded");
    }
    // Every byte flipped: the file is refused, or what loads is a whole model that predicts
    // and saves again.
    let x = neurone::Matrix::new(2, 4, vec![0.5f32, -1.0, 2.0, 0.0, 1.5, 0.25, -0.75, 3.0]).unwrap();
    for index in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[index] ^= 0x5a;
        if let Ok(model) = Model::<f32>::from_bytes(&flipped, NAME) {
            let saved = model.to_bytes().unwrap_or_else(|error| panic!("byte {index} flipped: {error}"));
            Model::<f32>::from_bytes(&saved, NAME).unwrap_or_else(|error| panic!("byte {index} flipped: {error}"));
            let _ = model.predict(&x);
        }
    }
}
