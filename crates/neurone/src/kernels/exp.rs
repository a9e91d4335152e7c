//! eˣ in `f32` without the C library: softmax's and the sigmoid's hot loop.

/// eˣ in `f32` as 2ⁿ·eʳ, with n = round(x / ln 2) and eʳ a polynomial of degree 6 on
/// |r| ≤ ln 2 / 2 (Cephes' `expf`): a relative error below 3·10⁻⁷ (2 units in the last place),
/// and free of branches and calls, so that a loop over a batch compiles to SIMD instructions
/// where the C library's `expf` is a call per value. e⁰ = 1 exactly; below −87.3 (where eˣ
/// leaves the normal numbers) the value is 0, above 88.7 (the largest f32) infinity; NaN stays
/// NaN. Plain multiplications and additions (no fused ones), so that every machine computes the
/// same bits.
#[inline]
pub(crate) fn exp_f32(x: f32) -> f32 {
    // e^LOWEST is the smallest normal f32, e^HIGHEST the largest finite one.
    const LOWEST: f32 = -87.336_55;
    const HIGHEST: f32 = 88.722_83;
    // 1.5·2²³: adding and subtracting it rounds an f32 of magnitude below 2²² to an integer.
    const ROUND: f32 = 12_582_912.0;
    // ln 2 in two parts, the first exact in few bits, so that r = x − n ln 2 loses nothing.
    const LN2_HIGH: f32 = 0.693_359_4;
    const LN2_LOW: f32 = -2.121_944_4e-4;
    // `clamp` keeps NaN as NaN.
    let clamped = x.clamp(LOWEST, HIGHEST);
    // (At most 127, so that 2ⁿ is finite: from 88.03 on, r grows to 0.7 and the error to 10⁻⁶.)
    let n = ((clamped * std::f32::consts::LOG2_E + ROUND) - ROUND).min(127.0);
    let r = (clamped - n * LN2_HIGH) - n * LN2_LOW;
    let mut p = r * 1.987_569_1e-4 + 1.398_199_9e-3;
    p = r * p + 8.333_452e-3;
    p = r * p + 4.166_579_6e-2;
    p = r * p + 1.666_666_5e-1;
    p = r * p + 0.5;
    let e_r = (p * (r * r) + r) + 1.0;
    // 2ⁿ built from its exponent bits: n + 127 is in 1..=254 after the clamp.
    let two_to_n = f32::from_bits(((n as i32 + 127) as u32) << 23);
    if x < LOWEST {
        0.0
    } else if x > HIGHEST {
        f32::INFINITY
    } else {
        e_r * two_to_n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_exp_is_within_three_parts_in_ten_million_of_the_exact_value() {
        // Every 61st f32 of magnitude up to 88 (about 35 million values), against exp in f64.
        let mut worst: f64 = 0.0;
        let mut bits = 0u32;
        while f32::from_bits(bits) < 87.0 {
            let x = f32::from_bits(bits);
            for x in [x, -x] {
                let (got, exact) = (f64::from(exp_f32(x)), f64::from(x).exp());
                worst = worst.max(((got - exact) / exact).abs());
            }
            bits += 61;
        }
        assert!(worst < 3e-7, "worst relative error {worst:e}");
    }

    #[test]
    fn f32_exp_is_one_at_zero_and_keeps_nan_and_the_limits() {
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(-0.0), 1.0);
        assert!(exp_f32(f32::NAN).is_nan());
        assert_eq!(exp_f32(-88.0), 0.0);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert!(exp_f32(-87.3) > 0.0);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        let top = f64::from(exp_f32(88.7));
        assert!((top / f64::from(88.7f32).exp() - 1.0).abs() < 2e-6, "e^88.7 = {top}");
    }
}
