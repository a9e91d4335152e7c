//! A model as one `.safetensors` file: the tensors of the network, named as PyTorch names them,
//! and in the `__metadata__` map the keys below. See `docs/model-files.md` for the whole format.

use std::collections::BTreeMap;
use std::path::Path;

use super::Model;
use super::architecture::{Architecture, rebuild, tensors_of};
use super::preprocessing_json::{PreprocessingJson, check_widths};
use super::tensor_file::{TensorFile, write_safetensors};
use crate::{Error, Scalar};

/// `__metadata__["format"]`: marks the file as a neurone model.
pub const FORMAT_NAME: &str = "neurone";
/// `__metadata__["format_version"]`: the version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// The metadata keys, in the order the documentation lists them.
const FORMAT: &str = "format";
const VERSION: &str = "format_version";
const ARCHITECTURE: &str = "architecture";
const PREPROCESSING: &str = "preprocessing";
const TRAINING: &str = "training";
const WRITER: &str = "neurone_version";

/// The file's bytes. Deterministic: the same model gives the same bytes.
pub(crate) fn encode<S: Scalar>(model: &Model<S>) -> Result<Vec<u8>, Error> {
    let network = &model.network;
    check_widths(&model.preprocessing, network.inputs(), network.outputs())
        .map_err(|reason| Error::invalid("preprocessing", reason))?;
    let tensors = tensors_of(network);
    if let Some(tensor) = tensors.iter().find(|tensor| !tensor.is_finite()) {
        return Err(Error::invalid("model", format!("tensor `{}` holds NaN or infinite values", tensor.name)));
    }
    let json = |value: serde_json::Result<String>| value.expect("plain data serialises to JSON");
    let metadata = BTreeMap::from([
        (FORMAT.to_string(), FORMAT_NAME.to_string()),
        (VERSION.to_string(), FORMAT_VERSION.to_string()),
        (ARCHITECTURE.to_string(), json(serde_json::to_string(&Architecture::of(network)))),
        (PREPROCESSING.to_string(), json(serde_json::to_string(&PreprocessingJson::from(&model.preprocessing)))),
        (TRAINING.to_string(), json(serde_json::to_string(&model.training))),
        (WRITER.to_string(), env!("CARGO_PKG_VERSION").to_string()),
    ]);
    Ok(write_safetensors(&tensors, &metadata))
}

/// The model in `bytes`; `path` names the file in errors.
pub(crate) fn decode<S: Scalar>(bytes: &[u8], path: &Path) -> Result<Model<S>, Error> {
    let mut file = TensorFile::parse(bytes, path)?;
    check_format(&file)?;
    let architecture: Architecture =
        parse_json(&file, ARCHITECTURE)?.ok_or_else(|| file.error(format!("no `{ARCHITECTURE}` in the metadata")))?;
    let preprocessing_json: PreprocessingJson =
        parse_json(&file, PREPROCESSING)?.ok_or_else(|| file.error(format!("no `{PREPROCESSING}` in the metadata")))?;
    // Informational and free-form: a file written by hand may leave it out.
    let training: serde_json::Value = parse_json(&file, TRAINING)?.unwrap_or(serde_json::Value::Null);

    let network = rebuild::<S>(&architecture, &mut file)?;
    file.finish()?;
    let preprocessing = preprocessing_json
        .into_preprocessing()
        .map_err(|reason| Error::data(path, format!("metadata `{PREPROCESSING}`: {reason}")))?;
    check_widths(&preprocessing, network.inputs(), network.outputs())
        .map_err(|reason| Error::data(path, format!("metadata `{PREPROCESSING}`: {reason}")))?;
    Ok(Model { network, preprocessing, training })
}

/// Checks `format` and `format_version`: a file from a newer neurone is refused with a message
/// that says so, rather than misread.
fn check_format(file: &TensorFile<'_>) -> Result<(), Error> {
    match file.metadata(FORMAT) {
        Some(FORMAT_NAME) => {}
        Some(other) => {
            return Err(file.error(format!("not a neurone model file: its metadata says format `{other}`")));
        }
        None => {
            return Err(
                file.error("not a neurone model file: a safetensors file without `format` = `neurone` in its metadata")
            );
        }
    }
    let version = file.metadata(VERSION).ok_or_else(|| file.error(format!("no `{VERSION}` in the metadata")))?;
    match version.parse::<u32>() {
        Ok(FORMAT_VERSION) => Ok(()),
        Ok(newer) if newer > FORMAT_VERSION => Err(file
            .error(format!("written by a newer neurone (format {newer}); this build reads format {FORMAT_VERSION}"))),
        _ => Err(file.error(format!("unknown `{VERSION}` `{version}`; this build reads format {FORMAT_VERSION}"))),
    }
}

/// The JSON value of metadata `key`, if the key is there.
fn parse_json<T: serde::de::DeserializeOwned>(file: &TensorFile<'_>, key: &str) -> Result<Option<T>, Error> {
    let Some(text) = file.metadata(key) else { return Ok(None) };
    serde_json::from_str(text).map(Some).map_err(|error| file.error(format!("metadata `{key}`: {error}")))
}
