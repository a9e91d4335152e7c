// eˣ, tanh x and ln(1 + x) in `f32` from `core` alone: the library's own polynomials
// (kernels/exp.rs, kernels/tanh.rs), so that exported code computes what `neurone predict`
// does, on targets without a maths library. Plain multiplications and additions, no fused ones.

/// eˣ as 2ⁿ·eʳ, n = round(x / ln 2), eʳ a degree-6 polynomial on |r| ≤ ln 2 / 2 (Cephes).
#[allow(dead_code)]
fn exp(x: f32) -> f32 {
    if x.is_nan() {
        return x;
    }
    if x < -87.336_55 {
        return 0.0;
    }
    if x > 88.722_83 {
        return f32::INFINITY;
    }
    // Adding and subtracting 1.5·2²³ rounds to an integer; ln 2 in two parts loses nothing in r.
    let mut n = (x * core::f32::consts::LOG2_E + 12_582_912.0) - 12_582_912.0;
    if n > 127.0 {
        n = 127.0;
    }
    let r = (x - n * 0.693_359_4) - n * -2.121_944_4e-4;
    let mut p = r * 1.987_569_1e-4 + 1.398_199_9e-3;
    p = r * p + 8.333_452e-3;
    p = r * p + 4.166_579_6e-2;
    p = r * p + 1.666_666_5e-1;
    p = r * p + 0.5;
    let e_r = (p * (r * r) + r) + 1.0;
    e_r * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// tanh x as odd degree 13 over even degree 6 (Eigen's coefficients), saturating at ±7.9.
#[allow(dead_code)]
fn tanh(x: f32) -> f32 {
    if x.is_nan() {
        return x;
    }
    if x > -0.0004 && x < 0.0004 {
        return x;
    }
    let x = x.clamp(-7.907_39, 7.907_39);
    let x2 = x * x;
    let mut numerator = x2 * -2.760_768_5e-16 + 2.000_188e-13;
    numerator = x2 * numerator + -8.604_672e-11;
    numerator = x2 * numerator + 5.122_297e-8;
    numerator = x2 * numerator + 1.485_722_4e-5;
    numerator = x2 * numerator + 6.372_619_3e-4;
    numerator = x2 * numerator + 4.893_524_6e-3;
    numerator *= x;
    let mut denominator = x2 * 1.198_258_4e-6 + 1.185_347_1e-4;
    denominator = x2 * denominator + 2.268_434_6e-3;
    denominator = x2 * denominator + 4.893_525e-3;
    numerator / denominator
}

/// ln(1 + x) for x in [0, 1] (softplus's e^−|z|): ln u of u = 1 + x by Cephes' `logf`
/// polynomial, times x / (u − 1), which gives back the bits of x that 1 + x rounded away.
#[allow(dead_code)]
fn ln_1p(x: f32) -> f32 {
    let u = 1.0 + x;
    if u == 1.0 {
        return x;
    }
    // u = 2ᵉ m with m in [√½, √2)
    let (m, e) = if u > core::f32::consts::SQRT_2 { (u * 0.5, 1.0) } else { (u, 0.0) };
    let f = m - 1.0;
    let f2 = f * f;
    let mut p = f * 7.037_683_6e-2 + -1.151_461e-1;
    p = p * f + 1.167_699_9e-1;
    p = p * f + -1.242_014_1e-1;
    p = p * f + 1.424_932_3e-1;
    p = p * f + -1.666_805_8e-1;
    p = p * f + 2.000_071_4e-1;
    p = p * f + -2.499_999_4e-1;
    p = p * f + 3.333_333e-1;
    let mut ln = p * f * f2;
    ln += e * -2.121_944_4e-4;
    ln += -0.5 * f2;
    ln += f;
    ln += e * 0.693_359_4;
    ln * (x / (u - 1.0))
}
