/* e^x as 2^n e^r, n = round(x / ln 2), e^r a degree-6 polynomial on |r| <= ln 2 / 2 (Cephes). */
static float PREFIX_exp(float x)
{
    float n, r, p, two_to_n;
    uint32_t bits;
    if (x != x) return x;
    if (x < -87.33655f) return 0.0f;
    if (x > 88.72283f) {
        bits = 0x7f800000u; /* infinity */
        memcpy(&two_to_n, &bits, sizeof two_to_n);
        return two_to_n;
    }
    /* Adding and subtracting 1.5 * 2^23 rounds to an integer; ln 2 in two parts loses nothing in r. */
    n = (x * 1.442695f + 12582912.0f) - 12582912.0f;
    if (n > 127.0f) n = 127.0f;
    r = (x - n * 0.6933594f) - n * -0.00021219444f;
    p = r * 0.00019875691f + 0.0013981999f;
    p = r * p + 0.008333452f;
    p = r * p + 0.041665796f;
    p = r * p + 0.16666666f;
    p = r * p + 0.5f;
    bits = (uint32_t)((int32_t)n + 127) << 23;
    memcpy(&two_to_n, &bits, sizeof two_to_n);
    return ((p * (r * r) + r) + 1.0f) * two_to_n;
}
/* tanh x as odd degree 13 over even degree 6 (Eigen's coefficients), saturating at +-7.9. */
static float PREFIX_tanh(float x)
{
    float x2, numerator, denominator;
    if (x != x) return x;
    if (x > -0.0004f && x < 0.0004f) return x;
    if (x < -7.90739f) x = -7.90739f;
    if (x > 7.90739f) x = 7.90739f;
    x2 = x * x;
    numerator = x2 * -2.7607686e-16f + 2.000188e-13f;
    numerator = x2 * numerator + -8.604672e-11f;
    numerator = x2 * numerator + 5.122297e-8f;
    numerator = x2 * numerator + 1.4857224e-5f;
    numerator = x2 * numerator + 0.00063726195f;
    numerator = x2 * numerator + 0.0048935246f;
    numerator *= x;
    denominator = x2 * 1.1982584e-6f + 0.00011853471f;
    denominator = x2 * denominator + 0.0022684345f;
    denominator = x2 * denominator + 0.004893525f;
    return numerator / denominator;
}
/* ln(1 + x) for x in [0, 1]: ln u of u = 1 + x (Cephes' logf), times x / (u - 1). */
static float PREFIX_ln_1p(float x)
{
    float u = 1.0f + x, m, e, f, f2, p, ln;
    if (u == 1.0f) return x;
    if (u > 1.4142135f) { m = u * 0.5f; e = 1.0f; } else { m = u; e = 0.0f; }
    f = m - 1.0f;
    f2 = f * f;
    p = f * 0.070376836f + -0.1151461f;
    p = p * f + 0.11676999f;
    p = p * f + -0.12420141f;
    p = p * f + 0.14249323f;
    p = p * f + -0.16668057f;
    p = p * f + 0.20000714f;
    p = p * f + -0.24999994f;
    p = p * f + 0.3333333f;
    ln = p * f * f2;
    ln += e * -0.00021219444f;
    ln += -0.5f * f2;
    ln += f;
    ln += e * 0.6933594f;
    return ln * (x / (u - 1.0f));
}
