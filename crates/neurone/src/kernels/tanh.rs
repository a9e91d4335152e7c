//! tanh in `f32` without the C library: the activation's hot loop.

/// tanh x in `f32` as a rational function (odd degree 13 over even degree 6, Eigen's
/// coefficients): a relative error below 5·10⁻⁷ (at most 8 units in the last place) over all
/// of `f32`, about ten times faster than the C library's `tanhf`, and free of branches and
/// calls so that a loop over a batch compiles to SIMD instructions. Beyond ±7.9 the value is
/// within 3·10⁻⁷ of ±1; NaN stays NaN.
#[inline]
pub(crate) fn tanh_f32(x: f32) -> f32 {
    // The smallest |x| at which the approximation stops growing.
    const CLAMP: f32 = 7.907_39;
    // Below this, tanh x = x to within f32 rounding.
    const TINY: f32 = 0.0004;
    // `clamp` keeps NaN as NaN, so divergence stays visible.
    let x_clamped = x.clamp(-CLAMP, CLAMP);
    let x2 = x_clamped * x_clamped;
    let mut numerator = x2 * -2.760_768_5e-16 + 2.000_188e-13;
    numerator = x2 * numerator + -8.604_672e-11;
    numerator = x2 * numerator + 5.122_297e-8;
    numerator = x2 * numerator + 1.485_722_4e-5;
    numerator = x2 * numerator + 6.372_619_3e-4;
    numerator = x2 * numerator + 4.893_524_6e-3;
    numerator *= x_clamped;
    let mut denominator = x2 * 1.198_258_4e-6 + 1.185_347_1e-4;
    denominator = x2 * denominator + 2.268_434_6e-3;
    denominator = x2 * denominator + 4.893_525e-3;
    if x.abs() < TINY { x } else { numerator / denominator }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_tanh_is_within_five_parts_in_ten_million_of_the_exact_value() {
        // Every 97th f32 from 0 to 10 (about 10 million values), against tanh in f64.
        let mut worst: f64 = 0.0;
        let mut bits = 0u32;
        while f32::from_bits(bits) < 10.0 {
            let x = f32::from_bits(bits);
            let exact = f64::from(x).tanh();
            for (x, exact) in [(x, exact), (-x, -exact)] {
                let got = f64::from(tanh_f32(x));
                assert!(got.abs() <= 1.0, "tanh({x}) = {got}");
                if exact != 0.0 {
                    worst = worst.max(((got - exact) / exact).abs());
                }
            }
            bits += 97;
        }
        assert!(worst < 5e-7, "worst relative error {worst:e}");
    }

    #[test]
    fn f32_tanh_keeps_nan_and_saturates_at_infinity() {
        assert!(tanh_f32(f32::NAN).is_nan());
        assert!((tanh_f32(f32::INFINITY) - 1.0).abs() < 3e-7);
        assert!((tanh_f32(f32::NEG_INFINITY) + 1.0).abs() < 3e-7);
        assert_eq!(tanh_f32(0.0), 0.0);
    }
}
