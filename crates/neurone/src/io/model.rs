//! A trained model: the network, the preprocessing its inputs and outputs go through, and a
//! record of how it was trained; saved to and loaded from one `.safetensors` file.

use std::path::Path;

use super::{model_format, write_atomic};
use crate::data::{Preprocessing, SparseRows};
use crate::{Error, Matrix, Network, Scalar};

/// Sparse rows made dense at once for a preprocessing that scales them.
const PREPROCESSED_ROWS: usize = 256;

/// Everything needed to predict with a trained network, and to say where it came from.
///
/// Saved as one `.safetensors` file that Python's `safetensors` and PyTorch read (tensor names
/// `layers.{i}.weight`, shaped out × in; the architecture, preprocessing and training record as
/// JSON in the metadata; see `docs/model-files.md`). A loaded model predicts bit for bit what
/// the saved one did.
///
/// ```
/// use neurone::{Activation, Matrix, Network, seeded_rng};
/// use neurone::data::{Preprocessing, Scaler};
/// use neurone::io::Model;
///
/// let network: Network = Network::builder(2)
///     .dense(8, Activation::Tanh)
///     .batch_norm()
///     .dense(1, Activation::Identity)
///     .build(&mut seeded_rng(7))?;
/// let targets = Matrix::column(&[100.0f32, 300.0]);
/// let preprocessing = Preprocessing { target_scaler: Some(Scaler::standard(&targets)?), ..Default::default() };
/// let model = Model::new(network, preprocessing).with_training(serde_json::json!({"epochs": 0}));
///
/// let path = std::env::temp_dir().join(format!("neurone-doc-{}.safetensors", std::process::id()));
/// model.save(&path)?;
/// let loaded: Model = Model::load(&path)?;
/// let x = Matrix::from_rows(&[[0.5f32, -1.0], [2.0, 0.25]])?;
/// assert_eq!(loaded.predict(&x)?, model.predict(&x)?);
/// assert_eq!(loaded.training["epochs"], 0);
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Model<S: Scalar = f32> {
    /// The trained network.
    pub network: Network<S>,
    /// Scaling and encoding fitted on the training data, applied by [`Model::predict`].
    pub preprocessing: Preprocessing,
    /// A free-form record of the training (epochs, optimizer, final losses, …), kept as given.
    pub training: serde_json::Value,
}

impl<S: Scalar> Model<S> {
    /// A model of `network` and its `preprocessing`, with no training record (`null`).
    pub fn new(network: Network<S>, preprocessing: Preprocessing) -> Self {
        Self { network, preprocessing, training: serde_json::Value::Null }
    }

    /// Attaches a record of the training, stored as is in the file's `training` metadata.
    pub fn with_training(mut self, training: serde_json::Value) -> Self {
        self.training = training;
        self
    }

    /// Predictions for raw inputs (one sample per row, encoded but not scaled): the inputs are
    /// scaled, the network runs in evaluation mode, and its outputs are mapped back through the
    /// target scaler, if any. A classifier's outputs are its class probabilities.
    pub fn predict(&self, raw_inputs: &Matrix<S>) -> Result<Matrix<S>, Error> {
        let inputs = self.preprocessing.inputs(raw_inputs)?;
        let outputs = self.network.predict(&inputs)?;
        self.preprocessing.outputs_to_original(&outputs)
    }

    /// [`Model::predict`] for sparse raw inputs (scipy's CSR): the network reads them sparse
    /// ([`Network::predict_sparse`]), unless the preprocessing fills in or scales the inputs,
    /// which makes them dense: then a chunk of rows at a time.
    pub fn predict_sparse(&self, raw_inputs: SparseRows<'_, S>) -> Result<Matrix<S>, Error> {
        let outputs = if self.preprocessing.changes_inputs() {
            let (rows, width) = (raw_inputs.len(), raw_inputs.width());
            let mut outputs = Vec::with_capacity(rows * self.network.outputs());
            for start in (0..rows).step_by(PREPROCESSED_ROWS) {
                let range = start..rows.min(start + PREPROCESSED_ROWS);
                let mut chunk = Matrix::zeros(range.len(), width);
                for (index, row) in range.zip(chunk.as_mut_slice().chunks_exact_mut(width)) {
                    raw_inputs.write_row(index, row);
                }
                outputs.extend(self.network.predict(&self.preprocessing.inputs(&chunk)?)?.into_vec());
            }
            Matrix::new(rows, self.network.outputs(), outputs)?
        } else {
            self.network.predict_sparse(raw_inputs)?
        };
        self.preprocessing.outputs_to_original(&outputs)
    }

    /// Writes the model to `path` atomically (a crash leaves the old file or the new one, never
    /// half of one). The file holds the weights in `S`'s precision (F32 or F64).
    ///
    /// Fails if a weight is NaN or infinite, or if the preprocessing does not fit the network's
    /// widths: such a file could not be loaded.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_atomic(path.as_ref(), &self.to_bytes()?)
    }

    /// Reads a model written by [`Model::save`] (or by anyone following the format).
    ///
    /// Errors name the file and what is wrong: not a safetensors file, a file from a newer
    /// neurone, a missing or unexpected tensor, a wrong shape or dtype (an f64 model must be
    /// loaded as `Model<f64>`), a non-finite weight, an unknown layer type or activation.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        // The file is read whole, then decoded into a network of about its size.
        let length = std::fs::metadata(path).map_err(Error::io(path))?.len();
        crate::memory::check_loadable(path, length.saturating_mul(2))?;
        let bytes = std::fs::read(path).map_err(Error::io(path))?;
        Self::from_bytes(&bytes, path)
    }

    /// The bytes [`Model::save`] writes. The same model always gives the same bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        model_format::encode(self)
    }

    /// Reads a model from the bytes of a model file; `name` stands for the file in errors.
    pub fn from_bytes(bytes: &[u8], name: impl AsRef<Path>) -> Result<Self, Error> {
        model_format::decode(bytes, name.as_ref())
    }
}
