//! A model as one `.safetensors` file: the tensors of the network, named as PyTorch names them,
//! and in the `__metadata__` map the keys below. See `docs/model-files.md` for the whole format.

use std::collections::BTreeMap;
use std::path::Path;

use super::Model;
use super::architecture::{Architecture, rebuild, tensors_of};
use super::file_kind::Impostor;
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
pub(crate) const ARCHITECTURE: &str = "architecture";
const PREPROCESSING: &str = "preprocessing";
const TRAINING: &str = "training";
const WRITER: &str = "neurone_version";

/// The file's bytes. Deterministic: the same model gives the same bytes.
pub(crate) fn encode<S: Scalar>(model: &Model<S>) -> Result<Vec<u8>, Error> {
    let network = &model.network;
    check_widths(&model.preprocessing, network.inputs(), network.outputs())
        .map_err(|reason| Error::invalid("preprocessing", reason))?;
    let tensors = tensors_of(network, "");
    if let Some(tensor) = tensors.iter().find(|tensor| !tensor.is_finite()) {
        return Err(Error::invalid("model", format!("tensor `{}` holds NaN or infinite values", tensor.name)));
    }
    let json = |value: serde_json::Result<String>| value.expect("plain data serialises to JSON");
    let metadata = metadata_of(
        FORMAT_NAME,
        FORMAT_VERSION,
        vec![
            (ARCHITECTURE, json(serde_json::to_string(&Architecture::of(network)))),
            (PREPROCESSING, json(serde_json::to_string(&PreprocessingJson::from(&model.preprocessing)))),
            (TRAINING, json(serde_json::to_string(&model.training))),
        ],
    );
    Ok(write_safetensors(&tensors, &metadata))
}

/// The model in `bytes`; `path` names the file in errors.
pub(crate) fn decode<S: Scalar>(bytes: &[u8], path: &Path) -> Result<Model<S>, Error> {
    let impostor = |reason: &str| Error::data(path, format!("this is {reason}"));
    let mut file = TensorFile::parse(bytes, path)
        .map_err(|error| Impostor::of_bytes(bytes).map_or(error, |kind| impostor(kind.reason())))?;
    if let Some(kind) = file.metadata(FORMAT).and_then(Impostor::of_format) {
        return Err(impostor(kind.reason()));
    }
    check_format(&file, FORMAT_NAME, FORMAT_VERSION, "model")?;
    let architecture: Architecture =
        parse_json(&file, ARCHITECTURE)?.ok_or_else(|| file.error(format!("no `{ARCHITECTURE}` in the metadata")))?;
    let preprocessing_json: PreprocessingJson =
        parse_json(&file, PREPROCESSING)?.ok_or_else(|| file.error(format!("no `{PREPROCESSING}` in the metadata")))?;
    // Informational and free-form: a file written by hand may leave it out.
    let training: serde_json::Value = parse_json(&file, TRAINING)?.unwrap_or(serde_json::Value::Null);

    let network = rebuild::<S>(&architecture, &mut file, "")?;
    file.finish()?;
    let preprocessing = preprocessing_json
        .into_preprocessing()
        .map_err(|reason| Error::data(path, format!("metadata `{PREPROCESSING}`: {reason}")))?;
    check_widths(&preprocessing, network.inputs(), network.outputs())
        .map_err(|reason| Error::data(path, format!("metadata `{PREPROCESSING}`: {reason}")))?;
    Ok(Model { network, preprocessing, training })
}

/// Checks `format` (a neurone `kind` file is marked `name`) and `format_version`: a file from a
/// newer neurone is refused with a message that says so, rather than misread.
pub(crate) fn check_format(file: &TensorFile<'_>, name: &str, version: u32, kind: &str) -> Result<(), Error> {
    match file.metadata(FORMAT) {
        Some(format) if format == name => {}
        Some(other) => {
            return Err(file.error(format!("not a neurone {kind} file: its metadata says format `{other}`")));
        }
        None => {
            return Err(file.error(format!(
                "not a neurone {kind} file: a safetensors file without `format` = `{name}` in its metadata"
            )));
        }
    }
    let found = file.metadata(VERSION).ok_or_else(|| file.error(format!("no `{VERSION}` in the metadata")))?;
    match found.parse::<u32>() {
        Ok(found) if found == version => Ok(()),
        Ok(newer) if newer > version => {
            Err(file.error(format!("written by a newer neurone (format {newer}); this build reads format {version}")))
        }
        _ => Err(file.error(format!("unknown `{VERSION}` `{found}`; this build reads format {version}"))),
    }
}

/// The metadata of a file of format `name` and `version`, with the (JSON) values of `entries`.
pub(crate) fn metadata_of(name: &str, version: u32, entries: Vec<(&str, String)>) -> BTreeMap<String, String> {
    let mut metadata = BTreeMap::from([
        (FORMAT.to_string(), name.to_string()),
        (VERSION.to_string(), version.to_string()),
        (WRITER.to_string(), env!("CARGO_PKG_VERSION").to_string()),
    ]);
    metadata.extend(entries.into_iter().map(|(key, value)| (key.to_string(), value)));
    metadata
}

/// The JSON value of metadata `key`, if the key is there.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(file: &TensorFile<'_>, key: &str) -> Result<Option<T>, Error> {
    let Some(text) = file.metadata(key) else { return Ok(None) };
    serde_json::from_str(text).map(Some).map_err(|error| file.error(format!("metadata `{key}`: {error}")))
}
