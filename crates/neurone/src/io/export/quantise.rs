//! Post-training int8 quantisation: per-row weight scales, activation scales calibrated on
//! samples of the training data, int32 accumulation.
//!
//! For a dense layer with input scale sₐ (max |a| over the calibration samples / 127) and row
//! scale sⱼ (max |Wⱼ| / 127), a ≈ sₐ qₐ and Wⱼ ≈ sⱼ q_Wⱼ, so
//!
//! ```text
//! zⱼ = Wⱼ · a + bⱼ ≈ (sⱼ sₐ) Σₖ q_Wⱼₖ qₐₖ + bⱼ
//! ```
//!
//! with the sum over int8 products in an int32. zⱼ and σ(zⱼ) are then one float each per unit
//! (the products, width² of them, stay integer); σ(zⱼ) is rounded to int8 for the next layer,
//! and the output layer's σ stays in float.

use super::evaluate::{forward_float, scaled_inputs};
use super::plan::Plan;
use crate::{Activation, Error, Matrix};

/// int8 values span ±127 (−128 left out, so that the scale is symmetric).
const LIMIT: f32 = 127.0;

/// One dense layer in int8.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Int8Step {
    /// round(W / sⱼ), out × in.
    pub weights: Vec<i8>,
    /// sⱼ sₐ: an int32 sum times this is W a.
    pub row_scales: Vec<f32>,
    /// 1 / sₐ: an input times this, rounded, is its int8 code.
    pub input_inverse_scale: f32,
}

/// The int8 version of each dense layer of a [`Plan`], in order.
pub(crate) type Int8Layers = Vec<Int8Step>;

/// Quantises `plan` with activation scales measured on `calibration` (raw encoded inputs, one
/// sample per row). A softmax inside the network has no int8 form here and is refused.
pub(crate) fn quantise(plan: &Plan, calibration: &Matrix<f32>) -> Result<Int8Layers, Error> {
    if let Some(index) = plan.layers[..plan.layers.len() - 1].iter().position(|l| l.activation == Activation::Softmax) {
        let reason = format!("layer {index} is a hidden softmax, which int8 export does not quantise");
        return Err(Error::invalid("int8", reason));
    }
    if calibration.rows() == 0 || calibration.cols() != plan.encoded_inputs() {
        let reason =
            format!("calibration data of {} columns needed, got {}", plan.encoded_inputs(), calibration.cols());
        return Err(Error::invalid("int8", format!("{reason} ({} rows)", calibration.rows())));
    }
    // The largest |a| entering each layer over the calibration samples.
    let mut largest = vec![0.0f32; plan.layers.len()];
    for row in calibration.iter_rows() {
        let mut a = scaled_inputs(plan, row);
        for (index, layer) in plan.layers.iter().enumerate() {
            largest[index] = a.iter().fold(largest[index], |m, v| if v.abs() > m { v.abs() } else { m });
            a = forward_float(layer, &a);
        }
    }
    Ok(plan
        .layers
        .iter()
        .zip(largest)
        .map(|(layer, largest)| {
            let input_scale = scale_of(largest);
            let (weights, row_scales) = layer
                .weights
                .chunks_exact(layer.inputs)
                .map(|row| {
                    let scale = scale_of(row.iter().fold(0.0f32, |m, w| m.max(w.abs())));
                    (row.iter().map(|&w| to_int8(w / scale)).collect::<Vec<_>>(), scale * input_scale)
                })
                .unzip::<_, _, Vec<_>, _>();
            Int8Step { weights: weights.concat(), row_scales, input_inverse_scale: 1.0 / input_scale }
        })
        .collect())
}

/// The scale that maps ±`largest` onto ±127; 1 for a vector that is all zeros.
fn scale_of(largest: f32) -> f32 {
    if largest > 0.0 { largest / LIMIT } else { 1.0 }
}

/// `x` rounded half away from zero and clamped to ±127 (NaN to −127), as the generated code
/// does it without a maths library.
pub(crate) fn to_int8(x: f32) -> i8 {
    let clamped = if x.is_nan() || x < -LIMIT {
        -LIMIT
    } else if x > LIMIT {
        LIMIT
    } else {
        x
    };
    (if clamped >= 0.0 { clamped + 0.5 } else { clamped - 0.5 }) as i8
}
