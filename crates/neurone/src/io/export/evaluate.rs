//! The generated code's computation, run here: the same operations in the same order, with
//! the same polynomials (`polynomials.rs`, which the Rust module embeds as it is), so that an
//! export can report what its code predicts before any compiler sees it.

use super::plan::{DenseStep, Plan};
use super::quantise::{Int8Step, to_int8};
use crate::Activation;

include!("polynomials.rs");

/// √(2/π) and the cubic coefficient of GELU's tanh form, as in [`Activation::Gelu`].
pub(crate) const GELU_SCALE: f32 = 0.797_884_560_802_865_4_f64 as f32;
pub(crate) const GELU_CUBIC: f32 = 0.044_715_f64 as f32;

/// An encoded input row (NaN where missing) filled in and scaled: the first layer's input.
pub(crate) fn scaled_inputs(plan: &Plan, row: &[f32]) -> Vec<f32> {
    (0..row.len())
        .map(|i| {
            let mut x = row[i];
            if let Some(fills) = &plan.fills
                && x.is_nan()
            {
                x = fills[i];
            }
            match &plan.input_scaling {
                Some((offsets, scales)) => (x - offsets[i]) / scales[i],
                None => x,
            }
        })
        .collect()
}

/// a = σ(W a + b) in `f32`, each z summed along the row from k = 0, the bias added last.
pub(crate) fn forward_float(layer: &DenseStep, a: &[f32]) -> Vec<f32> {
    let mut z: Vec<f32> = layer
        .weights
        .chunks_exact(layer.inputs)
        .zip(&layer.bias)
        .map(|(row, &b)| row.iter().zip(a).fold(0.0f32, |sum, (&w, &a)| sum + w * a) + b)
        .collect();
    activate(layer.activation, &mut z);
    z
}

/// One layer in int8: the int32 sum of int8 products, times the row's scale, plus the bias.
fn forward_int8(layer: &DenseStep, int8: &Int8Step, a: &[i8]) -> Vec<f32> {
    let mut z: Vec<f32> = int8
        .weights
        .chunks_exact(layer.inputs)
        .zip(int8.row_scales.iter().zip(&layer.bias))
        .map(|(row, (&scale, &b))| {
            let sum = row.iter().zip(a).fold(0i32, |sum, (&w, &a)| sum + i32::from(w) * i32::from(a));
            sum as f32 * scale + b
        })
        .collect();
    activate(layer.activation, &mut z);
    z
}

/// What the generated `predict` writes for one encoded input row: the float network, or its
/// int8 version when `int8` holds one step per layer.
pub(crate) fn predict_row(plan: &Plan, int8: Option<&[Int8Step]>, row: &[f32]) -> Vec<f32> {
    let mut a = scaled_inputs(plan, row);
    for (index, layer) in plan.layers.iter().enumerate() {
        a = match int8 {
            Some(steps) => {
                let inverse = steps[index].input_inverse_scale;
                let codes: Vec<i8> = a.iter().map(|&x| to_int8(x * inverse)).collect();
                forward_int8(layer, &steps[index], &codes)
            }
            None => forward_float(layer, &a),
        };
    }
    if let Some((scales, offsets)) = &plan.output_scaling {
        a.iter_mut().enumerate().for_each(|(j, a)| *a = *a * scales[j] + offsets[j]);
    }
    a
}

/// a = σ(z) in place, for one sample's layer.
fn activate(activation: Activation, z: &mut [f32]) {
    if activation == Activation::Softmax {
        // Shifted by the maximum so that no exponential overflows.
        let max = z.iter().fold(z[0], |max, &z| if z > max { z } else { max });
        let mut sum = 0.0f32;
        for z in z.iter_mut() {
            *z = exp(*z - max);
            sum += *z;
        }
        z.iter_mut().for_each(|z| *z /= sum);
    } else {
        z.iter_mut().for_each(|z| *z = value(activation, *z));
    }
}

/// σ(z) of an element-wise activation, written as the generated code writes it.
fn value(activation: Activation, z: f32) -> f32 {
    match activation {
        Activation::Identity | Activation::Softmax => z,
        Activation::Relu => {
            if z > 0.0 {
                z
            } else {
                0.0
            }
        }
        Activation::LeakyRelu { slope } => {
            if z > 0.0 {
                z
            } else {
                slope as f32 * z
            }
        }
        Activation::Elu { alpha } => {
            if z > 0.0 {
                z
            } else {
                alpha as f32 * (exp(z) - 1.0)
            }
        }
        Activation::Sigmoid => {
            if z >= 0.0 {
                1.0 / (1.0 + exp(-z))
            } else {
                let e = exp(z);
                e / (1.0 + e)
            }
        }
        Activation::Tanh => tanh(z),
        Activation::Exp => exp(z),
        // ln(1 + eᶻ) = max(z, 0) + ln(1 + e^−|z|)
        Activation::Softplus => (if z > 0.0 { z } else { 0.0 }) + ln_1p(exp(if z > 0.0 { -z } else { z })),
        // ½ z (1 + tanh(√(2/π) (z + 0.044715 z³)))
        Activation::Gelu => 0.5 * z * (1.0 + tanh(GELU_SCALE * (z + GELU_CUBIC * z * z * z))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::{exp_f32, tanh_f32};

    #[test]
    fn the_exported_exp_and_tanh_are_the_kernels_bit_for_bit() {
        // Every 4099th f32 bit pattern, positive and negative, NaN and infinities included.
        for bits in (0..u32::MAX).step_by(4099) {
            let x = f32::from_bits(bits);
            let same = |a: f32, b: f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
            assert!(same(exp(x), exp_f32(x)), "exp({x:e}): {:e} vs {:e}", exp(x), exp_f32(x));
            assert!(same(tanh(x), tanh_f32(x)), "tanh({x:e}): {:e} vs {:e}", tanh(x), tanh_f32(x));
        }
    }

    #[test]
    fn ln_1p_is_within_two_parts_in_ten_million_on_zero_to_one() {
        let mut worst: f64 = 0.0;
        for step in 0..=1_000_000 {
            let x = step as f32 / 1_000_000.0;
            for x in [x, x * 1e-6] {
                let exact = f64::from(x).ln_1p();
                if exact > 0.0 {
                    worst = worst.max(((f64::from(ln_1p(x)) - exact) / exact).abs());
                }
            }
        }
        assert!(worst < 2e-7, "worst relative error {worst:e}");
        assert_eq!(ln_1p(0.0), 0.0);
    }
}
