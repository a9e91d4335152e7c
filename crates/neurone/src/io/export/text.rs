//! What the C and Rust writers share: the constant arrays, the description at the top of the
//! file, and numbers written so that they read back to the same `f32`.

use super::CodeExport;
use super::plan::{InputColumn, InputStep, Plan};
use crate::Activation;

/// The values of one constant array.
pub(crate) enum Values<'a> {
    F32(&'a [f32]),
    I8(&'a [i8]),
}

/// One constant array, named by its role (`layer0_weights`).
pub(crate) struct Array<'a> {
    pub name: String,
    pub values: Values<'a>,
}

/// Every constant array of an export, in the order they are written.
pub(crate) struct Arrays<'a>(pub Vec<Array<'a>>);

impl<'a> Arrays<'a> {
    pub(crate) fn of(export: &'a CodeExport) -> Self {
        let plan = &export.plan;
        let mut arrays = Vec::new();
        let mut push = |name: String, values| arrays.push(Array { name, values });
        if let Some(fills) = &plan.fills {
            push("fills".into(), Values::F32(fills));
        }
        if let Some((offsets, scales)) = &plan.input_scaling {
            push("input_offsets".into(), Values::F32(offsets));
            push("input_scales".into(), Values::F32(scales));
        }
        for (index, layer) in plan.layers.iter().enumerate() {
            match &export.int8 {
                Some(int8) => {
                    push(format!("layer{index}_weights"), Values::I8(&int8[index].weights));
                    push(format!("layer{index}_scales"), Values::F32(&int8[index].row_scales));
                }
                None => push(format!("layer{index}_weights"), Values::F32(&layer.weights)),
            }
            push(format!("layer{index}_bias"), Values::F32(&layer.bias));
        }
        if let Some((scales, offsets)) = &plan.output_scaling {
            push("output_scales".into(), Values::F32(scales));
            push("output_offsets".into(), Values::F32(offsets));
        }
        Self(arrays)
    }

    /// Their size in bytes.
    pub(crate) fn bytes(&self) -> usize {
        self.0
            .iter()
            .map(|array| match array.values {
                Values::F32(values) => 4 * values.len(),
                Values::I8(values) => values.len(),
            })
            .sum()
    }
}

impl Array<'_> {
    /// The values as literals, `per_line` to a line; `f32_suffix` is C's `f`.
    pub(crate) fn lines(&self, per_line: usize, f32_suffix: &str) -> Vec<String> {
        let literals: Vec<String> = match self.values {
            Values::F32(values) => values.iter().map(|&value| format!("{}{f32_suffix}", float(value))).collect(),
            Values::I8(values) => values.iter().map(i8::to_string).collect(),
        };
        literals.chunks(per_line).map(|chunk| chunk.join(", ")).collect()
    }

    pub(crate) fn len(&self) -> usize {
        match self.values {
            Values::F32(values) => values.len(),
            Values::I8(values) => values.len(),
        }
    }
}

/// An `f32` literal that reads back to the same bits in C and Rust (`1.0`, `-2.5e-7`).
pub(crate) fn float(value: f32) -> String {
    format!("{value:?}")
}

/// `4 → 16 tanh → 3 softmax, float32`.
pub(crate) fn network_line(export: &CodeExport) -> String {
    let mut line = export.plan.encoded_inputs().to_string();
    for layer in &export.plan.layers {
        line.push_str(&format!(" → {} {}", layer.outputs, layer.activation));
    }
    line + if export.is_int8() { ", int8" } else { ", float32" }
}

/// The description at the top of the file, one line per entry, without comment markers.
pub(crate) fn description(export: &CodeExport, language: &str) -> Vec<String> {
    let plan = &export.plan;
    let mut lines = vec![
        format!("`{}`: a neurone {} model, exported as {language}.", export.name, env!("CARGO_PKG_VERSION")),
        format!("Network: {} (batch normalisation folded in, dropout left out).", network_line(export)),
    ];
    lines.push(match (&plan.classes, plan.outputs()) {
        (Some(classes), 1) => format!("Output: the probability of class `{}` (else `{}`).", classes[1], classes[0]),
        (Some(classes), _) => format!("Outputs: the probabilities of the classes {}.", quoted_list(classes)),
        (None, _) => format!(
            "Outputs: {} in its original units.",
            plan.target.as_deref().map_or_else(|| "the prediction".to_string(), |target| format!("`{target}`"))
        ),
    });
    lines.push("Inputs, in order (raw values: the scaling and the filling in of missing ones are inside):".into());
    lines.extend(input_lines(plan));
    lines.push(match &plan.fills {
        Some(_) => "A missing input (NaN, or a category code out of range) takes the training split's mean or most \
                    frequent category."
            .into(),
        None => "No imputer: a NaN input gives NaN outputs; a category code out of range counts as no category.".into(),
    });
    lines.push(format!(
        "Memory: {} bytes of constant data (flash), {} bytes of scratch on the stack.",
        export.weight_bytes(),
        export.scratch_bytes()
    ));
    if export.is_int8() {
        lines.push(
            "int8: weights scaled per output row, activations per layer (calibrated), int32 sums; each unit's \
             σ(z) and the output layer in float."
                .into(),
        );
    }
    let uses = |wanted: fn(Activation) -> bool| plan.layers.iter().any(|layer| wanted(layer.activation));
    if uses(|a| !matches!(a, Activation::Identity | Activation::Relu | Activation::LeakyRelu { .. })) {
        lines.push(
            "eˣ, tanh and ln(1+x) are neurone's own polynomials (relative error below 5e-7), not a maths library."
                .into(),
        );
    }
    lines
}

/// One line per input column; long runs of numbers (pixels) in one line.
fn input_lines(plan: &Plan) -> Vec<String> {
    let line = |index: usize| match &plan.columns[index] {
        InputColumn::Numeric { name } => format!("  {index}: {name}"),
        InputColumn::Categorical { name, categories } => {
            let codes: Vec<String> =
                categories.iter().enumerate().map(|(code, category)| format!("{code} = {category}")).collect();
            format!("  {index}: {name}, a category code: {}", codes.join(", "))
        }
    };
    let name = |index: usize| match &plan.columns[index] {
        InputColumn::Numeric { name } | InputColumn::Categorical { name, .. } => name.as_str(),
    };
    plan.input_steps()
        .into_iter()
        .flat_map(|step| match step {
            InputStep::Numbers { column, count, .. } if count > 8 => {
                let last = column + count - 1;
                vec![format!("  {column}–{last}: {} … {}", name(column), name(last))]
            }
            InputStep::Numbers { column, count, .. } => (column..column + count).map(line).collect(),
            InputStep::Category { column, .. } => vec![line(column)],
        })
        .collect()
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}
