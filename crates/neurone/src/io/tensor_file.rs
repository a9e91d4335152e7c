//! The safetensors container: named tensors plus a string-to-string metadata map.
//!
//! Reading goes through the `safetensors` crate, which validates the header, the offsets and
//! the sizes against the buffer before any tensor is touched. Writing is done here, because the
//! crate writes its metadata map in hash order: we want the same model to give the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use safetensors::{Dtype, SafeTensorError, SafeTensors};

use crate::{Error, Scalar};

/// The safetensors dtype of a scalar type: F32 for `f32`, F64 for `f64`.
pub(crate) fn dtype_of<S: Scalar>() -> Dtype {
    if size_of::<S>() == 8 { Dtype::F64 } else { Dtype::F32 }
}

/// One tensor to write: its name, dtype, shape and little-endian bytes.
pub(crate) struct TensorData {
    pub name: String,
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    pub bytes: Vec<u8>,
}

impl TensorData {
    /// A floating-point tensor in `S`'s own precision.
    pub(crate) fn float<S: Scalar>(name: String, shape: Vec<usize>, values: &[S]) -> Self {
        let dtype = dtype_of::<S>();
        let mut bytes = Vec::with_capacity(size_of_val(values));
        for value in values {
            // `to_f64` is exact, and so is the conversion back to an f32 that came from one.
            match dtype {
                Dtype::F64 => bytes.extend(value.to_f64().to_le_bytes()),
                _ => bytes.extend((value.to_f64() as f32).to_le_bytes()),
            }
        }
        Self { name, dtype, shape, bytes }
    }

    /// False if a floating-point value is NaN or infinite.
    pub(crate) fn is_finite(&self) -> bool {
        match self.dtype {
            Dtype::F64 => self.bytes.chunks_exact(8).all(|b| f64::from_le_bytes(le(b)).is_finite()),
            Dtype::F32 => self.bytes.chunks_exact(4).all(|b| f32::from_le_bytes(le(b)).is_finite()),
            _ => true,
        }
    }

    /// A 64-bit integer scalar (shape `[]`), like PyTorch's `num_batches_tracked`.
    pub(crate) fn counter(name: String, value: u64) -> Self {
        let value = i64::try_from(value).unwrap_or(i64::MAX);
        Self { name, dtype: Dtype::I64, shape: Vec::new(), bytes: value.to_le_bytes().to_vec() }
    }
}

/// A safetensors file's bytes: an 8-byte little-endian header length, the JSON header (padded
/// with spaces to a multiple of 8), then the tensors' data. Keys are written in sorted order,
/// and 8-byte tensors come first so that every tensor is aligned to its element size.
pub(crate) fn write_safetensors(tensors: &[TensorData], metadata: &BTreeMap<String, String>) -> Vec<u8> {
    let mut order: Vec<&TensorData> = tensors.iter().collect();
    order.sort_by_key(|tensor| std::cmp::Reverse(tensor.dtype.bitsize()));
    let mut header = serde_json::Map::new();
    header.insert("__metadata__".into(), serde_json::to_value(metadata).expect("strings serialise"));
    let mut offset = 0;
    for tensor in &order {
        let end = offset + tensor.bytes.len();
        let info = serde_json::json!({
            "dtype": tensor.dtype,
            "shape": tensor.shape,
            "data_offsets": [offset, end],
        });
        header.insert(tensor.name.clone(), info);
        offset = end;
    }
    let mut header = serde_json::to_vec(&header).expect("a JSON map serialises");
    header.resize(header.len().next_multiple_of(8), b' ');
    let mut bytes = Vec::with_capacity(8 + header.len() + offset);
    bytes.extend((header.len() as u64).to_le_bytes());
    bytes.extend(header);
    order.iter().for_each(|tensor| bytes.extend(&tensor.bytes));
    bytes
}

/// A safetensors file being read: tensors are taken one by one, checked against the shape and
/// dtype the caller expects, and [`TensorFile::finish`] rejects any left over.
pub(crate) struct TensorFile<'a> {
    path: &'a Path,
    tensors: SafeTensors<'a>,
    metadata: BTreeMap<String, String>,
    taken: BTreeSet<String>,
}

impl<'a> TensorFile<'a> {
    /// Parses and validates the container; `path` names the file in errors.
    pub(crate) fn parse(bytes: &'a [u8], path: &'a Path) -> Result<Self, Error> {
        let parsed = SafeTensors::read_metadata(bytes).and_then(|(_, metadata)| {
            let tensors = SafeTensors::deserialize(bytes)?;
            Ok((metadata.metadata().clone().unwrap_or_default().into_iter().collect(), tensors))
        });
        let (metadata, tensors) = parsed.map_err(|error| {
            let reason = match error {
                SafeTensorError::HeaderTooSmall => "too short to be a safetensors file".to_string(),
                SafeTensorError::InvalidHeaderLength | SafeTensorError::HeaderTooLarge => {
                    let mut length = [0u8; 8];
                    length.copy_from_slice(&bytes[..8]);
                    format!(
                        "not a safetensors file: its header length ({} bytes) goes beyond the file ({} bytes)",
                        u64::from_le_bytes(length),
                        bytes.len()
                    )
                }
                other => format!("not a valid safetensors file: {other}"),
            };
            Error::data(path, reason)
        })?;
        Ok(Self { path, tensors, metadata, taken: BTreeSet::new() })
    }

    /// The value of a `__metadata__` key.
    pub(crate) fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }

    /// An error about this file.
    pub(crate) fn error(&self, reason: impl Into<String>) -> Error {
        Error::data(self.path, reason)
    }

    /// Takes the floating-point tensor `name`, which must have `S`'s dtype, the given shape and
    /// only finite values.
    pub(crate) fn take_float<S: Scalar>(&mut self, name: &str, shape: &[usize]) -> Result<Vec<S>, Error> {
        let view = self.take(name, dtype_of::<S>(), shape)?;
        let values: Vec<S> = match view.dtype() {
            Dtype::F64 => view.data().chunks_exact(8).map(|b| S::from_f64(f64::from_le_bytes(le(b)))).collect(),
            _ => view.data().chunks_exact(4).map(|b| S::from_f64(f32::from_le_bytes(le(b)) as f64)).collect(),
        };
        if let Some(index) = values.iter().position(|value| !value.is_finite()) {
            return Err(self.error(format!("tensor `{name}` holds a value that is not finite (at index {index})")));
        }
        Ok(values)
    }

    /// Takes the one-dimensional floating-point tensor `name`, of any length, with only finite
    /// values (its length is bounded by the file's size, which the parser has checked).
    pub(crate) fn take_vector<S: Scalar>(&mut self, name: &str) -> Result<Vec<S>, Error> {
        let length = match self.tensors.tensor(name) {
            Ok(view) if view.shape().len() == 1 => view.shape()[0],
            Ok(view) => {
                return Err(self.error(format!("tensor `{name}` has shape {:?}, expected one dimension", view.shape())));
            }
            Err(_) => return Err(self.error(format!("missing tensor `{name}`"))),
        };
        self.take_float(name, &[length])
    }

    /// Takes the I64 scalar `name` (shape `[]`), which must not be negative.
    pub(crate) fn take_counter(&mut self, name: &str) -> Result<u64, Error> {
        let view = self.take(name, Dtype::I64, &[])?;
        let value = i64::from_le_bytes(le(view.data()));
        u64::try_from(value).map_err(|_| self.error(format!("tensor `{name}` is negative ({value})")))
    }

    /// Fails if the file holds a tensor nobody took.
    pub(crate) fn finish(self) -> Result<(), Error> {
        let mut extra: Vec<&str> =
            self.tensors.names().into_iter().filter(|name| !self.taken.contains(*name)).collect();
        extra.sort_unstable();
        match extra.first() {
            None => Ok(()),
            Some(name) => Err(self.error(format!(
                "unexpected tensor `{name}`{}: the architecture in the metadata has no place for it",
                if extra.len() > 1 { format!(" (and {} more)", extra.len() - 1) } else { String::new() }
            ))),
        }
    }

    fn take(
        &mut self,
        name: &str,
        dtype: Dtype,
        shape: &[usize],
    ) -> Result<safetensors::tensor::TensorView<'a>, Error> {
        let view = self.tensors.tensor(name).map_err(|_| self.error(format!("missing tensor `{name}`")))?;
        if view.dtype() != dtype {
            let hint = match (dtype, view.dtype()) {
                (Dtype::F32, Dtype::F64) => " (the model was saved in f64: load it as Model<f64>)",
                (Dtype::F64, Dtype::F32) => " (the model was saved in f32: load it as Model<f32>)",
                _ => "",
            };
            return Err(self.error(format!("tensor `{name}` is {:?}, expected {dtype:?}{hint}", view.dtype())));
        }
        if view.shape() != shape {
            return Err(self.error(format!("tensor `{name}` has shape {:?}, expected {shape:?}", view.shape())));
        }
        self.taken.insert(name.to_string());
        Ok(view)
    }
}

/// The first N bytes of `bytes` as an array (the caller's chunks are exactly N long).
fn le<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut array = [0u8; N];
    array.copy_from_slice(&bytes[..N]);
    array
}
