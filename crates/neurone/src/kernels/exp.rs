//! eˣ in `f32` and `f64` without the C library: softmax's and the sigmoid's hot loop.

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

/// eˣ in `f64` as 2ⁿ·eʳ, with n = round(x / ln 2) and eʳ = 1 + 2r·P(r²) / (Q(r²) − r·P(r²)), a
/// rational function on |r| ≤ ln 2 / 2 (Cephes' `exp`): within 2 units in the last place of eˣ,
/// and, as [`exp_f32`], free of branches and calls so that a loop over a batch is vectorised, and
/// made of plain multiplications, additions and one division, so that every machine computes the
/// same bits (the C library's `exp` may differ from one system to another). e⁰ = 1 exactly;
/// below −708.39 (where eˣ leaves the normal numbers) the value is 0, above 709.78 (the largest
/// f64) infinity; NaN stays NaN.
#[inline]
pub(crate) fn exp_f64(x: f64) -> f64 {
    // e^LOWEST is the smallest normal f64, e^HIGHEST the largest finite one.
    const LOWEST: f64 = -708.396_418_532_264_1;
    const HIGHEST: f64 = 709.782_712_893_384;
    // 1.5·2⁵²: adding and subtracting it rounds an f64 of magnitude below 2⁵¹ to an integer.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    // 2⁵² + 1023: for an integer n in −1022..=1023, the low bits of n + TWO_TO_BIAS are n + 1023,
    // the exponent bits of 2ⁿ (integer arithmetic in floating point, which SIMD units have).
    const TWO_TO_BIAS: f64 = 4_503_599_627_371_519.0;
    // ln 2 in two parts, the first exact in few bits, so that r = x − n ln 2 loses nothing.
    const LN2_HIGH: f64 = 6.931_457_519_531_25e-1;
    const LN2_LOW: f64 = 1.428_606_820_309_417_2e-6;
    // `clamp` keeps NaN as NaN.
    let clamped = x.clamp(LOWEST, HIGHEST);
    // (At most 1023, so that 2ⁿ is finite: from 709.09 on, r grows to 0.7.)
    let n = ((clamped * std::f64::consts::LOG2_E + ROUND) - ROUND).min(1023.0);
    let r = (clamped - n * LN2_HIGH) - n * LN2_LOW;
    let r2 = r * r;
    let p = r * ((r2 * 1.261_771_930_748_105_9e-4 + 3.029_944_077_074_419_6e-2) * r2 + 1.0);
    let q = ((r2 * 3.001_985_051_386_644_6e-6 + 2.524_483_403_496_841e-3) * r2 + 2.272_655_482_081_550_3e-1) * r2 + 2.0;
    let e_r = 2.0 * (p / (q - p)) + 1.0;
    let two_to_n = f64::from_bits((n + TWO_TO_BIAS).to_bits() << 52);
    if x < LOWEST {
        0.0
    } else if x > HIGHEST {
        f64::INFINITY
    } else {
        e_r * two_to_n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f64_exp_is_within_two_units_in_the_last_place() {
        // A million values spread over the whole range, against the C library's exp (within
        // half a unit on glibc).
        let mut worst: f64 = 0.0;
        for i in 0..1_000_000 {
            let x = -708.0 + 1417.7 * (i as f64 / 1_000_000.0) + 1e-7 * (i as f64).sin();
            let (got, exact) = (exp_f64(x), x.exp());
            worst = worst.max(((got - exact) / exact).abs());
        }
        assert!(worst < 2.0 * f64::EPSILON, "worst relative error {worst:e}");
    }

    #[test]
    fn f64_exp_is_one_at_zero_and_keeps_nan_and_the_limits() {
        assert_eq!(exp_f64(0.0), 1.0);
        assert_eq!(exp_f64(-0.0), 1.0);
        assert!((exp_f64(1.0) - std::f64::consts::E).abs() <= std::f64::consts::E * f64::EPSILON);
        assert!(exp_f64(f64::NAN).is_nan());
        assert_eq!(exp_f64(-709.0), 0.0);
        assert_eq!(exp_f64(f64::NEG_INFINITY), 0.0);
        assert!(exp_f64(-708.39) > 0.0);
        assert_eq!(exp_f64(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp_f64(710.0), f64::INFINITY);
        let top = exp_f64(709.78);
        assert!((top / 709.78f64.exp() - 1.0).abs() < 1e-14, "e^709.78 = {top}");
    }

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
