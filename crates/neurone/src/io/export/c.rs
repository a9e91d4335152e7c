//! The C99 header: constant arrays in flash, `prefix_predict` with two buffers on the stack,
//! nothing from the C library but `<stdint.h>` and `<string.h>` (for `memcpy`).

use std::fmt::Write as _;

use super::CodeExport;
use super::evaluate::{GELU_CUBIC, GELU_SCALE};
use super::plan::{InputColumn, InputStep};
use super::text::{Arrays, Values, description, float};
use crate::Activation;

/// The C transcription of `polynomials.rs`, with `PREFIX` for the name.
const POLYNOMIALS: &str = include_str!("polynomials.c");

/// The header for `export`.
pub(crate) fn header(export: &CodeExport) -> String {
    let p = &export.name;
    let upper = p.to_uppercase();
    let plan = &export.plan;
    let mut out = String::from("/*\n");
    for line in description(export, "a C99 header") {
        // A name holding `*/` must not end the comment.
        let _ = writeln!(out, " * {}", line.replace("*/", "* /").replace(['\n', '\r'], " "));
    }
    let _ = writeln!(out, " *\n * Include it in one C file; declare {p}_predict where else it is called.\n */");
    let _ = write!(
        out,
        "#ifndef {upper}_NEURONE_H\n#define {upper}_NEURONE_H\n\n#include <stdint.h>\n#include <string.h>\n\n\
         #define {upper}_INPUTS {}\n#define {upper}_OUTPUTS {}\n\n\
         void {p}_predict(const float *input, float *output);\n\n",
        plan.columns.len(),
        plan.outputs()
    );
    for array in Arrays::of(export).0 {
        let kind = if matches!(array.values, Values::I8(_)) { "int8_t" } else { "float" };
        let _ = writeln!(out, "static const {kind} {p}_{}[{}] = {{", array.name, array.len());
        for line in array.lines(8, "f") {
            let _ = writeln!(out, "    {line},");
        }
        out.push_str("};\n\n");
    }
    out.push_str(&helpers(export));
    out.push_str(&predict(export));
    let _ = writeln!(out, "\n#endif /* {upper}_NEURONE_H */");
    out
}

/// The polynomials the activations need, and the input and int8 conversions.
fn helpers(export: &CodeExport) -> String {
    let p = &export.name;
    let plan = &export.plan;
    let uses = |wanted: &[&str]| plan.layers.iter().any(|layer| wanted.contains(&kind(layer.activation)));
    let mut out = String::new();
    for (function, needed) in [
        ("exp", uses(&["sigmoid", "elu", "softplus", "softmax", "exp"])),
        ("tanh", uses(&["tanh", "gelu"])),
        ("ln_1p", uses(&["softplus"])),
    ] {
        if needed {
            let start = POLYNOMIALS.find(&format!("static float PREFIX_{function}(")).expect("each function is there");
            let start = POLYNOMIALS[..start].rfind("/*").expect("each function has its comment");
            let end = start + POLYNOMIALS[start..].find("\n}\n").expect("each function ends") + 3;
            out.push_str(&POLYNOMIALS[start..end].replace("PREFIX", p));
            out.push('\n');
        }
    }
    let _ = writeln!(out, "/* An input filled in (when missing) and scaled, as the network was trained on. */");
    let _ = writeln!(out, "static float {p}_input(int i, float x)\n{{");
    if plan.fills.is_some() {
        let _ = writeln!(out, "    if (x != x) x = {p}_fills[i];");
    }
    match plan.input_scaling {
        Some(_) => {
            let _ = writeln!(out, "    return (x - {p}_input_offsets[i]) / {p}_input_scales[i];\n}}\n");
        }
        None => {
            let _ = writeln!(out, "    (void)i;\n    return x;\n}}\n");
        }
    }
    let buffer = if export.is_int8() { "int8_t" } else { "float" };
    if export.is_int8() {
        let _ = writeln!(
            out,
            "/* x rounded half away from zero to an int8 in [-127, 127] (NaN to -127). */\n\
             static int8_t {p}_int8(float x)\n{{\n    if (!(x >= -127.0f)) x = -127.0f;\n    \
             if (x > 127.0f) x = 127.0f;\n    return (int8_t)(x >= 0.0f ? x + 0.5f : x - 0.5f);\n}}\n"
        );
    }
    if plan.columns.iter().any(|column| matches!(column, InputColumn::Categorical { .. })) {
        let fill = if plan.fills.is_some() { format!("{p}_fills[first + k]") } else { "0.0f".to_string() };
        let _ = writeln!(
            out,
            "/* A category code one-hot encoded into a[first], a[first + 1], ...; a code out of range is missing. */\n\
             static void {p}_category(float code, int categories, int first, {buffer} *a)\n{{\n    int k;\n    \
             int known = code >= 0.0f && code < (float)categories && code == (float)(int)code;\n    \
             for (k = 0; k < categories; k++) {{\n        \
             float x = known ? (code == (float)k ? 1.0f : 0.0f) : {fill};\n        \
             a[first + k] = {};\n    }}\n}}\n",
            store(export, "first + k", "x")
        );
    }
    out
}

/// The encoded, scaled input `x` of index `i` as the first buffer holds it.
fn store(export: &CodeExport, i: &str, x: &str) -> String {
    let p = &export.name;
    match &export.int8 {
        Some(int8) => format!("{p}_int8({p}_input({i}, {x}) * {}f)", float(int8[0].input_inverse_scale)),
        None => format!("{p}_input({i}, {x})"),
    }
}

/// `prefix_predict`: the inputs into buffer `a`, each layer from one buffer into the other,
/// the last into `output`.
fn predict(export: &CodeExport) -> String {
    let p = &export.name;
    let plan = &export.plan;
    let buffer = if export.is_int8() { "int8_t" } else { "float" };
    // The second buffer is needed from the second layer on.
    let buffers = if plan.layers.len() > 1 {
        format!("a[{w}], b[{w}]", w = plan.widest())
    } else {
        format!("a[{}]", plan.widest())
    };
    let mut out =
        format!("void {p}_predict(const float *input, float *output)\n{{\n    {buffer} {buffers};\n    int i, j, k;\n");
    let _ = writeln!(out, "    (void)i;\n    /* inputs */");
    for step in plan.input_steps() {
        let _ = match step {
            InputStep::Numbers { column, first, count } => {
                let stored = store(export, &format!("{first} + i"), &format!("input[{column} + i]"));
                writeln!(out, "    for (i = 0; i < {count}; i++) a[{first} + i] = {stored};")
            }
            InputStep::Category { column, first, categories } => {
                writeln!(out, "    {p}_category(input[{column}], {categories}, {first}, a);")
            }
        };
    }
    for (index, layer) in plan.layers.iter().enumerate() {
        let (from, to) = plan.buffers(index);
        let (n, m) = (layer.inputs, layer.outputs);
        let _ = writeln!(out, "    /* layer {index}: z = W a + b, {n} -> {m}, then {} */", layer.activation);
        let _ = writeln!(out, "    for (j = 0; j < {m}; j++) {{");
        let weights = format!("{p}_layer{index}_weights + j * {n}");
        match &export.int8 {
            Some(int8) => {
                let _ =
                    writeln!(out, "        const int8_t *w = {weights};\n        int32_t sum = 0;\n        float z;");
                let _ = writeln!(out, "        for (k = 0; k < {n}; k++) sum += (int32_t)w[k] * {from}[k];");
                let _ =
                    writeln!(out, "        z = (float)sum * {p}_layer{index}_scales[j] + {p}_layer{index}_bias[j];");
                out.push_str(&activation(p, layer.activation));
                let _ = match int8.get(index + 1) {
                    Some(next) => {
                        writeln!(out, "        {to}[j] = {p}_int8(z * {}f);", float(next.input_inverse_scale))
                    }
                    None => writeln!(out, "        {to}[j] = z;"),
                };
            }
            None => {
                let _ = writeln!(out, "        const float *w = {weights};\n        float z = 0.0f;");
                let _ = writeln!(out, "        for (k = 0; k < {n}; k++) z += w[k] * {from}[k];");
                let _ = writeln!(out, "        z += {p}_layer{index}_bias[j];");
                out.push_str(&activation(p, layer.activation));
                let _ = writeln!(out, "        {to}[j] = z;");
            }
        }
        out.push_str("    }\n");
        if layer.activation == Activation::Softmax {
            let _ = writeln!(
                out,
                "    {{\n        float max = {to}[0], sum = 0.0f;\n        \
                 for (j = 0; j < {m}; j++) if ({to}[j] > max) max = {to}[j];\n        \
                 for (j = 0; j < {m}; j++) {{\n            {to}[j] = {p}_exp({to}[j] - max);\n            \
                 sum += {to}[j];\n        }}\n        for (j = 0; j < {m}; j++) {to}[j] /= sum;\n    }}"
            );
        }
    }
    if plan.output_scaling.is_some() {
        let _ = writeln!(out, "    /* back to the target's units */");
        let _ = writeln!(
            out,
            "    for (j = 0; j < {}; j++) output[j] = output[j] * {p}_output_scales[j] + {p}_output_offsets[j];",
            plan.outputs()
        );
    }
    out.push_str("}\n");
    out
}

/// The activation's name as its generated code needs it.
pub(crate) fn kind(activation: Activation) -> &'static str {
    match activation {
        Activation::Identity => "identity",
        Activation::Sigmoid => "sigmoid",
        Activation::Tanh => "tanh",
        Activation::Relu => "relu",
        Activation::LeakyRelu { .. } => "leaky_relu",
        Activation::Elu { .. } => "elu",
        Activation::Softplus => "softplus",
        Activation::Gelu => "gelu",
        Activation::Softmax => "softmax",
        Activation::Exp => "exp",
    }
}

/// `z = σ(z);` for an element-wise activation (softmax is applied to the whole row after).
fn activation(p: &str, activation: Activation) -> String {
    let statement = match activation {
        Activation::Identity | Activation::Softmax => return String::new(),
        Activation::Relu => "z = z > 0.0f ? z : 0.0f;".to_string(),
        Activation::LeakyRelu { slope } => format!("z = z > 0.0f ? z : {}f * z;", float(slope as f32)),
        Activation::Elu { alpha } => format!("z = z > 0.0f ? z : {}f * ({p}_exp(z) - 1.0f);", float(alpha as f32)),
        Activation::Sigmoid => format!(
            "if (z >= 0.0f) {{\n            z = 1.0f / (1.0f + {p}_exp(-z));\n        }} else {{\n            \
             float e = {p}_exp(z);\n            z = e / (1.0f + e);\n        }}"
        ),
        Activation::Tanh => format!("z = {p}_tanh(z);"),
        Activation::Exp => format!("z = {p}_exp(z);"),
        Activation::Softplus => format!("z = (z > 0.0f ? z : 0.0f) + {p}_ln_1p({p}_exp(z > 0.0f ? -z : z));"),
        Activation::Gelu => format!(
            "z = 0.5f * z * (1.0f + {p}_tanh({}f * (z + {}f * z * z * z)));",
            float(GELU_SCALE),
            float(GELU_CUBIC)
        ),
    };
    format!("        {statement}\n")
}
