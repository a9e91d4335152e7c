//! Code export: a trained model as one dependency-free C99 header or one `no_std` Rust module,
//! in `f32` or int8, preprocessing inside, for microcontrollers and other places without
//! Python, ONNX runtimes or a heap. See `docs/export.md`.
//!
//! ```
//! use neurone::{Activation, Matrix, Network, seeded_rng};
//! use neurone::data::Preprocessing;
//! use neurone::io::Model;
//!
//! let network: Network = Network::builder(2).dense(4, Activation::Tanh).dense(1, Activation::Sigmoid).build(&mut seeded_rng(1))?;
//! let model = Model::new(network, Preprocessing::default());
//! let export = model.code_export("blink")?;
//! assert!(export.to_c().contains("void blink_predict(const float *input, float *output)"));
//! assert!(export.to_rust().contains("pub fn predict(input: &[f32; INPUTS], output: &mut [f32; OUTPUTS])"));
//! // What the generated code computes, here and now:
//! let x = Matrix::from_rows(&[[0.5f32, -1.0]])?;
//! let gap = (export.predict(&x)?[(0, 0)] - model.predict(&x)?[(0, 0)]).abs();
//! assert!(gap < 1e-6);
//! assert!(model.code_export("2fast").is_err()); // not a C identifier
//! # Ok::<(), neurone::Error>(())
//! ```

mod c;
mod evaluate;
mod plan;
mod quantise;
mod rust;
mod text;

use std::path::Path;

use self::plan::Plan;
use self::quantise::Int8Layers;
use super::{Model, write_atomic};
use crate::metrics::{accuracy, regression_metrics};
use crate::{Error, Matrix, Scalar};

/// A model made ready to be written as code: its network flattened to dense layers in `f32`
/// (dropout dropped, batch normalisation folded in), and optionally quantised to int8.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeExport {
    name: String,
    plan: Plan,
    int8: Option<Int8Layers>,
}

/// How well the model and its generated code predict the same samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// `accuracy` for a classifier, else `r2`.
    pub metric: &'static str,
    /// The model's score, as `neurone predict` computes it.
    pub model: f64,
    /// The generated code's score.
    pub code: f64,
}

impl<S: Scalar> Model<S> {
    /// The model ready for [`CodeExport::to_c`] and [`CodeExport::to_rust`], its C functions and
    /// macros prefixed with `name` (`iris` gives `iris_predict` and `IRIS_INPUTS`).
    ///
    /// Fails if `name` is not a C identifier, or if a weight does not fit in an `f32`.
    pub fn code_export(&self, name: &str) -> Result<CodeExport, Error> {
        let valid = name.chars().next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            let reason = format!("`{name}` is not a C identifier (letters, digits and _, not starting with a digit)");
            return Err(Error::invalid("name", reason));
        }
        Ok(CodeExport { name: name.to_string(), plan: Plan::of(self)?, int8: None })
    }

    /// The name exported code takes by default: the experiment's name in the training record
    /// made a C identifier (`sine-lm` gives `sine_lm`), else `model`.
    pub fn export_name(&self) -> String {
        c_identifier(self.training.get("experiment").and_then(|name| name.as_str()).unwrap_or("model"))
    }
}

impl CodeExport {
    /// The same export in int8: weights with a scale per output row, activations with a scale
    /// per layer measured on `calibration` (raw inputs as [`Model::predict`] takes them, e.g.
    /// the training split), sums in int32, the output layer's activation in float.
    ///
    /// Fails on calibration data of the wrong width or without rows, and on a softmax before
    /// the output layer.
    pub fn quantise(mut self, calibration: &Matrix<f32>) -> Result<Self, Error> {
        self.int8 = Some(quantise::quantise(&self.plan, calibration)?);
        Ok(self)
    }

    /// The prefix of the C names.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True once [`CodeExport::quantise`]d.
    pub fn is_int8(&self) -> bool {
        self.int8.is_some()
    }

    /// What the generated `predict` returns for each row of `inputs` (raw inputs as
    /// [`Model::predict`] takes them, NaN where missing), computed here in the same operations.
    pub fn predict(&self, inputs: &Matrix<f32>) -> Result<Matrix<f32>, Error> {
        if inputs.cols() != self.plan.encoded_inputs() {
            let reason = format!("{} inputs expected, got {}", self.plan.encoded_inputs(), inputs.cols());
            return Err(Error::Shape(reason));
        }
        let values =
            inputs.iter_rows().flat_map(|row| evaluate::predict_row(&self.plan, self.int8.as_deref(), row)).collect();
        Matrix::new(inputs.rows(), self.plan.outputs(), values)
    }

    /// The accuracy (classifier) or R² of `model` and of this code on `inputs` (raw, as
    /// [`Model::predict`] takes them) against `targets` (one-hot classes or original units).
    pub fn compare<S: Scalar>(
        &self,
        model: &Model<S>,
        inputs: &Matrix<f32>,
        targets: &Matrix<f32>,
    ) -> Result<Comparison, Error> {
        let (expected, code) = (model.predict(&inputs.cast::<S>())?.cast::<f32>(), self.predict(inputs)?);
        Ok(if self.plan.classes.is_some() {
            Comparison { metric: "accuracy", model: accuracy(&expected, targets)?, code: accuracy(&code, targets)? }
        } else {
            let r2 = |predictions: &Matrix<f32>| regression_metrics(predictions, targets).map(|metrics| metrics.r2);
            Comparison { metric: "r2", model: r2(&expected)?, code: r2(&code)? }
        })
    }

    /// Bytes of constant data (weights, biases, scales, fills): flash on a microcontroller.
    pub fn weight_bytes(&self) -> usize {
        text::Arrays::of(self).bytes()
    }

    /// Bytes of the two buffers `predict` works in, on the stack: RAM besides its arguments.
    pub fn scratch_bytes(&self) -> usize {
        2 * self.plan.widest() * if self.is_int8() { 1 } else { 4 }
    }

    /// A one-line description: `4 → 16 tanh → 3 softmax, float32`.
    pub fn describe(&self) -> String {
        text::network_line(self)
    }

    /// The C99 header: `PREFIX_INPUTS`, `PREFIX_OUTPUTS` and `prefix_predict`.
    pub fn to_c(&self) -> String {
        c::header(self)
    }

    /// The `no_std` Rust module: `INPUTS`, `OUTPUTS` and `predict`.
    pub fn to_rust(&self) -> String {
        rust::module(self)
    }

    /// Writes [`CodeExport::to_c`] to `path`, atomically.
    pub fn write_c(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_atomic(path.as_ref(), self.to_c().as_bytes())
    }

    /// Writes [`CodeExport::to_rust`] to `path`, atomically.
    pub fn write_rust(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_atomic(path.as_ref(), self.to_rust().as_bytes())
    }
}

/// `name` with every character C does not take in an identifier made `_`, and `model_` before
/// it unless it starts with a letter (`model` if empty): experiment names are file names
/// (`sine-lm`, `2-moons`).
fn c_identifier(name: &str) -> String {
    let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    match name.chars().next() {
        Some(first) if first.is_ascii_alphabetic() => name,
        Some(_) => format!("model_{name}"),
        None => "model".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::c_identifier;

    #[test]
    fn an_experiments_name_becomes_a_c_identifier() {
        assert_eq!(c_identifier("iris"), "iris");
        assert_eq!(c_identifier("sine-lm"), "sine_lm");
        assert_eq!(c_identifier("2-moons"), "model_2_moons");
        assert_eq!(c_identifier("café au lait"), "caf__au_lait");
        assert_eq!(c_identifier(""), "model");
    }
}
