//! What the generated code computes, as plain numbers: the input columns and their encoding,
//! the fills and scaling of the inputs, a chain of dense layers in `f32`, and the affine map
//! back to the target's units. Dropout (the identity at inference) is left out and batch
//! normalisation (an affine map at inference) is folded into the dense layer after it.

use crate::data::{ColumnKind, Preprocessing};
use crate::layer::Layer;
use crate::{Activation, Error, Model, Scalar};

/// One raw input of the generated function: a number, or a category given by its code.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum InputColumn {
    /// A number, read as is.
    Numeric { name: String },
    /// A category's index in `categories` (sorted), one-hot encoded inside.
    Categorical { name: String, categories: Vec<String> },
}

impl InputColumn {
    /// How many encoded inputs the column becomes.
    pub(crate) fn width(&self) -> usize {
        match self {
            Self::Numeric { .. } => 1,
            Self::Categorical { categories, .. } => categories.len(),
        }
    }
}

/// How the generated code encodes the raw inputs, in order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum InputStep {
    /// `count` numbers from raw input `column` on, to encoded inputs from `first` on.
    Numbers { column: usize, first: usize, count: usize },
    /// The category code of raw input `column`, one-hot over `categories` encoded inputs from `first` on.
    Category { column: usize, first: usize, categories: usize },
}

/// Per-value factors and terms of an affine map, in the order the map names them.
pub(crate) type Affine = (Vec<f32>, Vec<f32>);

/// A dense layer in `f32`: z = W a + b, a = σ(z), W out × in.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DenseStep {
    pub inputs: usize,
    pub outputs: usize,
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    pub activation: Activation,
}

/// The model flattened for code export.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plan {
    /// The raw inputs of the generated function, in order.
    pub columns: Vec<InputColumn>,
    /// The value of each encoded input where it is missing (NaN, or an unknown category code).
    pub fills: Option<Vec<f32>>,
    /// `(x − offset) / scale` for each encoded input.
    pub input_scaling: Option<Affine>,
    /// The network, as dense layers only.
    pub layers: Vec<DenseStep>,
    /// `a · scale + offset` for each output: target scaling undone, and a batch normalisation
    /// after the last dense layer folded in.
    pub output_scaling: Option<Affine>,
    /// A classifier's class names, in output order.
    pub classes: Option<Vec<String>>,
    /// What the outputs are: the target column's name, when the model knows it.
    pub target: Option<String>,
}

impl Plan {
    /// The plan of `model`; fails on a value that is not a finite `f32`.
    pub(crate) fn of<S: Scalar>(model: &Model<S>) -> Result<Self, Error> {
        let preprocessing = &model.preprocessing;
        let network = &model.network;
        let mut layers: Vec<DenseStep> = Vec::new();
        // A batch normalisation waiting for the dense layer it folds into: y = s ⊙ x + t.
        let mut pending: Option<(Vec<f64>, Vec<f64>)> = None;
        for layer in network.layers() {
            match layer {
                Layer::Dense(dense) => {
                    let (inputs, outputs) = (dense.inputs(), dense.outputs());
                    let mut weights: Vec<f64> = dense.weights().iter().map(|w| w.to_f64()).collect();
                    let mut bias: Vec<f64> = dense.bias().iter().map(|b| b.to_f64()).collect();
                    if let Some((s, t)) = pending.take() {
                        // W (s ⊙ x + t) + b = (W diag s) x + (W t + b)
                        for (row, b) in weights.chunks_exact_mut(inputs).zip(&mut bias) {
                            *b += row.iter().zip(&t).map(|(w, t)| w * t).sum::<f64>();
                            row.iter_mut().zip(&s).for_each(|(w, s)| *w *= s);
                        }
                    }
                    layers.push(DenseStep {
                        inputs,
                        outputs,
                        weights: single("weights", &weights)?,
                        bias: single("bias", &bias)?,
                        activation: dense.activation(),
                    });
                }
                Layer::BatchNorm(batch_norm) => {
                    let (_, epsilon) = batch_norm.settings();
                    let (s, t): (Vec<f64>, Vec<f64>) = (0..batch_norm.outputs())
                        .map(|j| {
                            // γ (x − μ) / √(σ² + ε) + β = s x + t
                            let s = batch_norm.gamma()[j].to_f64()
                                / (batch_norm.running_variance()[j].to_f64() + epsilon).sqrt();
                            (s, batch_norm.beta()[j].to_f64() - s * batch_norm.running_mean()[j].to_f64())
                        })
                        .unzip();
                    pending = Some(match pending.take() {
                        // Two in a row compose: s₂ (s₁ x + t₁) + t₂.
                        Some((s1, t1)) => s1
                            .iter()
                            .zip(&t1)
                            .zip(s.iter().zip(&t))
                            .map(|((s1, t1), (s2, t2))| (s2 * s1, s2 * t1 + t2))
                            .unzip(),
                        None => (s, t),
                    });
                }
                Layer::Dropout(_) => {}
            }
        }
        if layers.is_empty() {
            return Err(Error::invalid("model", "a network without a dense layer has nothing to export"));
        }
        let outputs = network.outputs();
        let output_scaling = output_affine(preprocessing, pending, outputs)?;
        Ok(Self {
            columns: columns(preprocessing, network.inputs()),
            fills: preprocessing.imputer.as_ref().map(|imputer| single("imputer fills", &imputer.fills)).transpose()?,
            input_scaling: preprocessing
                .input_scaler
                .as_ref()
                .map(|scaler| {
                    Ok::<_, Error>((single("input offsets", &scaler.offsets)?, single("input scales", &scaler.scales)?))
                })
                .transpose()?,
            layers,
            output_scaling,
            classes: preprocessing.class_names.clone(),
            target: preprocessing.schema.as_ref().map(|schema| schema.target.name.clone()),
        })
    }

    /// Number of encoded inputs (the first layer's width).
    pub(crate) fn encoded_inputs(&self) -> usize {
        self.layers[0].inputs
    }

    /// Number of outputs.
    pub(crate) fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |layer| layer.outputs)
    }

    /// The encoding of the raw inputs: runs of numbers, and category codes.
    pub(crate) fn input_steps(&self) -> Vec<InputStep> {
        let (mut steps, mut column, mut first) = (Vec::new(), 0, 0);
        while column < self.columns.len() {
            let count = self.columns[column..].iter().take_while(|c| matches!(c, InputColumn::Numeric { .. })).count();
            let step = match count {
                0 => InputStep::Category { column, first, categories: self.columns[column].width() },
                _ => InputStep::Numbers { column, first, count },
            };
            column += count.max(1);
            first += if count > 0 { count } else { self.columns[column - 1].width() };
            steps.push(step);
        }
        steps
    }

    /// The buffers layer `index` reads from and writes to: `a` and `b` in turn, the last layer
    /// into `output`.
    pub(crate) fn buffers(&self, index: usize) -> (&'static str, &'static str) {
        let (from, to) = if index.is_multiple_of(2) { ("a", "b") } else { ("b", "a") };
        (from, if index == self.layers.len() - 1 { "output" } else { to })
    }

    /// The widest vector between layers (encoded inputs included): each of the two scratch
    /// buffers holds that many values.
    pub(crate) fn widest(&self) -> usize {
        self.layers.iter().map(|layer| layer.inputs).max().unwrap_or(0)
    }
}

/// The raw columns: the CSV schema's features, else one number per encoded input.
fn columns(preprocessing: &Preprocessing, inputs: usize) -> Vec<InputColumn> {
    if let Some(schema) = &preprocessing.schema
        && schema.input_width() == inputs
    {
        return schema
            .features
            .iter()
            .map(|column| match &column.kind {
                ColumnKind::Numeric => InputColumn::Numeric { name: column.name.clone() },
                ColumnKind::Categorical { categories } => {
                    InputColumn::Categorical { name: column.name.clone(), categories: categories.clone() }
                }
            })
            .collect();
    }
    let names = preprocessing.feature_names.as_ref().filter(|names| names.len() == inputs);
    (0..inputs)
        .map(|index| InputColumn::Numeric {
            name: names.map_or_else(|| format!("x{index}"), |names| names[index].clone()),
        })
        .collect()
}

/// The per-output affine map after the last dense layer: a trailing batch normalisation, then
/// the target scaler's inverse, composed; `None` when there is neither.
fn output_affine(
    preprocessing: &Preprocessing,
    batch_norm: Option<(Vec<f64>, Vec<f64>)>,
    outputs: usize,
) -> Result<Option<Affine>, Error> {
    let target = preprocessing.target_scaler.as_ref().map(|scaler| (scaler.scales.clone(), scaler.offsets.clone()));
    let (scales, offsets) = match (batch_norm, target) {
        (None, None) => return Ok(None),
        (Some(affine), None) | (None, Some(affine)) => affine,
        // scale (s x + t) + offset
        (Some((s, t)), Some((scale, offset))) => {
            (0..outputs).map(|j| (scale[j] * s[j], scale[j] * t[j] + offset[j])).unzip()
        }
    };
    Ok(Some((single("output scales", &scales)?, single("output offsets", &offsets)?)))
}

/// `values` rounded to `f32`, or an error naming `what` if one is not a finite `f32`.
fn single(what: &str, values: &[f64]) -> Result<Vec<f32>, Error> {
    values
        .iter()
        .map(|&value| {
            let single = value as f32;
            if single.is_finite() {
                Ok(single)
            } else {
                Err(Error::invalid("model", format!("{what} hold {value:e}, which is not a finite f32")))
            }
        })
        .collect()
}
