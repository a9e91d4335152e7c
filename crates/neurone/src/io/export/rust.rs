//! The `no_std` Rust module: constant arrays as `static`s, `predict` with two buffers on the
//! stack, no dependency and no `alloc`; `polynomials.rs` embedded as it is.

use std::fmt::Write as _;

use super::CodeExport;
use super::evaluate::{GELU_CUBIC, GELU_SCALE};
use super::plan::{InputColumn, InputStep};
use super::text::{Arrays, Values, description, float};
use crate::Activation;

/// The functions the library itself evaluates exported code with.
const POLYNOMIALS: &str = include_str!("polynomials.rs");

/// The module for `export`.
pub(crate) fn module(export: &CodeExport) -> String {
    let plan = &export.plan;
    let mut out = String::new();
    for line in description(export, "a no_std Rust module") {
        let _ = writeln!(out, "//! {}", line.replace(['\n', '\r'], " "));
    }
    let _ = writeln!(
        out,
        "//!\n//! Put it in a `#![no_std]` crate as `mod {};` and call `{}::predict`.\n",
        export.name, export.name
    );
    let _ =
        writeln!(out, "/// Number of raw inputs `predict` reads.\npub const INPUTS: usize = {};", plan.columns.len());
    let _ = writeln!(out, "/// Number of values `predict` writes.\npub const OUTPUTS: usize = {};\n", plan.outputs());
    for array in Arrays::of(export).0 {
        let kind = if matches!(array.values, Values::I8(_)) { "i8" } else { "f32" };
        let _ = writeln!(out, "static {}: [{kind}; {}] = [", array.name.to_uppercase(), array.len());
        for line in array.lines(8, "") {
            let _ = writeln!(out, "    {line},");
        }
        out.push_str("];\n\n");
    }
    out.push_str(POLYNOMIALS.split_once("\n\n").map_or(POLYNOMIALS, |(_, functions)| functions));
    out.push('\n');
    out.push_str(&helpers(export));
    out.push_str(&predict(export));
    out
}

/// The input and int8 conversions.
fn helpers(export: &CodeExport) -> String {
    let plan = &export.plan;
    let mut out = String::from("/// An input filled in (when missing) and scaled, as the network was trained on.\n");
    let _ = writeln!(out, "fn scaled_input(i: usize, x: f32) -> f32 {{");
    if plan.fills.is_some() {
        let _ = writeln!(out, "    let x = if x.is_nan() {{ FILLS[i] }} else {{ x }};");
    }
    match plan.input_scaling {
        Some(_) => out.push_str("    (x - INPUT_OFFSETS[i]) / INPUT_SCALES[i]\n}\n\n"),
        None => out.push_str("    let _ = i;\n    x\n}\n\n"),
    }
    let buffer = if export.is_int8() { "i8" } else { "f32" };
    if export.is_int8() {
        out.push_str(
            "/// x rounded half away from zero to an int8 in [-127, 127] (NaN to -127).\n\
             fn int8(x: f32) -> i8 {\n    let x = if !(x >= -127.0) { -127.0 } else if x > 127.0 { 127.0 } else { x };\n    \
             (if x >= 0.0 { x + 0.5 } else { x - 0.5 }) as i8\n}\n\n",
        );
    }
    if plan.columns.iter().any(|column| matches!(column, InputColumn::Categorical { .. })) {
        let fill = if plan.fills.is_some() { "FILLS[first + k]" } else { "0.0" };
        let _ = writeln!(
            out,
            "/// A category code one-hot encoded into a[first..first + categories]; a code out of range is missing.\n\
             fn category(code: f32, categories: usize, first: usize, a: &mut [{buffer}]) {{\n    \
             let known = code >= 0.0 && code < categories as f32 && code == (code as usize) as f32;\n    \
             for k in 0..categories {{\n        \
             let x = if known {{ if code == k as f32 {{ 1.0 }} else {{ 0.0 }} }} else {{ {fill} }};\n        \
             a[first + k] = {};\n    }}\n}}\n",
            store(export, "first + k", "x")
        );
    }
    out
}

/// The encoded, scaled input `x` of index `i` as the first buffer holds it.
fn store(export: &CodeExport, i: &str, x: &str) -> String {
    match &export.int8 {
        Some(int8) => format!("int8(scaled_input({i}, {x}) * {})", float(int8[0].input_inverse_scale)),
        None => format!("scaled_input({i}, {x})"),
    }
}

/// `predict`: the inputs into buffer `a`, each layer from one buffer into the other, the last
/// into `output`.
fn predict(export: &CodeExport) -> String {
    let plan = &export.plan;
    let (zero, width) = (if export.is_int8() { "0i8" } else { "0.0f32" }, plan.widest());
    let mut out = String::from(
        "/// The model's outputs for one sample's raw inputs (see the top of this file).\n\
         pub fn predict(input: &[f32; INPUTS], output: &mut [f32; OUTPUTS]) {\n",
    );
    let _ = writeln!(out, "    let mut a = [{zero}; {width}];");
    if plan.layers.len() > 1 {
        let _ = writeln!(out, "    let mut b = [{zero}; {width}];");
    }
    for step in plan.input_steps() {
        let _ = match step {
            InputStep::Numbers { column, first, count } => {
                let stored = store(export, &format!("{first} + i"), &format!("input[{column} + i]"));
                writeln!(out, "    for i in 0..{count} {{\n        a[{first} + i] = {stored};\n    }}")
            }
            InputStep::Category { column, first, categories } => {
                writeln!(out, "    category(input[{column}], {categories}, {first}, &mut a);")
            }
        };
    }
    for (index, layer) in plan.layers.iter().enumerate() {
        let (from, to) = plan.buffers(index);
        let (n, m) = (layer.inputs, layer.outputs);
        let _ = writeln!(out, "    // layer {index}: z = W a + b, {n} -> {m}, then {}", layer.activation);
        let _ = writeln!(out, "    for j in 0..{m} {{");
        let weights = format!("LAYER{index}_WEIGHTS[j * {n}..(j + 1) * {n}]");
        match &export.int8 {
            Some(int8) => {
                let _ = writeln!(
                    out,
                    "        let sum = {weights}.iter().zip(&{from}[..{n}]).fold(0i32, |sum, (&w, &a)| sum + w as i32 * a as i32);"
                );
                let _ = writeln!(out, "        let z = sum as f32 * LAYER{index}_SCALES[j] + LAYER{index}_BIAS[j];");
                out.push_str(&activation(layer.activation));
                let _ = match int8.get(index + 1) {
                    Some(next) => writeln!(out, "        {to}[j] = int8(z * {});", float(next.input_inverse_scale)),
                    None => writeln!(out, "        {to}[j] = z;"),
                };
            }
            None => {
                let _ = writeln!(
                    out,
                    "        let z = {weights}.iter().zip(&{from}[..{n}]).fold(0.0f32, |sum, (&w, &a)| sum + w * a);"
                );
                let _ = writeln!(out, "        let z = z + LAYER{index}_BIAS[j];");
                out.push_str(&activation(layer.activation));
                let _ = writeln!(out, "        {to}[j] = z;");
            }
        }
        out.push_str("    }\n");
        if layer.activation == Activation::Softmax {
            let _ = writeln!(
                out,
                "    let max = {to}[..{m}].iter().fold({to}[0], |max, &z| if z > max {{ z }} else {{ max }});\n    \
                 let mut sum = 0.0f32;\n    for z in {to}[..{m}].iter_mut() {{\n        *z = exp(*z - max);\n        \
                 sum += *z;\n    }}\n    for z in {to}[..{m}].iter_mut() {{\n        *z /= sum;\n    }}"
            );
        }
    }
    if plan.output_scaling.is_some() {
        let _ = writeln!(
            out,
            "    // back to the target's units\n    for j in 0..OUTPUTS {{\n        \
             output[j] = output[j] * OUTPUT_SCALES[j] + OUTPUT_OFFSETS[j];\n    }}"
        );
    }
    out.push_str("}\n");
    out
}

/// `let z = σ(z);` for an element-wise activation (softmax is applied to the whole row after).
fn activation(activation: Activation) -> String {
    let value = match activation {
        Activation::Identity | Activation::Softmax => return String::new(),
        Activation::Relu => "if z > 0.0 { z } else { 0.0 }".to_string(),
        Activation::LeakyRelu { slope } => format!("if z > 0.0 {{ z }} else {{ {} * z }}", float(slope as f32)),
        Activation::Elu { alpha } => format!("if z > 0.0 {{ z }} else {{ {} * (exp(z) - 1.0) }}", float(alpha as f32)),
        Activation::Sigmoid => {
            "if z >= 0.0 { 1.0 / (1.0 + exp(-z)) } else { let e = exp(z); e / (1.0 + e) }".to_string()
        }
        Activation::Tanh => "tanh(z)".to_string(),
        Activation::Exp => "exp(z)".to_string(),
        Activation::Softplus => {
            "(if z > 0.0 { z } else { 0.0 }) + ln_1p(exp(if z > 0.0 { -z } else { z }))".to_string()
        }
        Activation::Gelu => {
            format!("0.5 * z * (1.0 + tanh({} * (z + {} * z * z * z)))", float(GELU_SCALE), float(GELU_CUBIC))
        }
    };
    format!("        let z = {value};\n")
}
