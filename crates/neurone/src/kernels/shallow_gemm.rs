//! Single-precision products of small depth: a layer of a few inputs (iris's 4 → 100, z = W a + b)
//! and the backward pass through a few outputs (∂J/∂a = Wᵀ δ from 3 classes). C is computed row
//! after row, 8 columns at a time, each value's multiply-adds held in one register.
//!
//! At such depths the packed kernel's 6×16 tiles cost more to set up than to compute: iris's
//! 150×4×100 and 150×3×100 took it 3.5–3.7 and 3.2 µs, and this loop 3.1–3.3 and 2.8–3.0 µs
//! (`cargo bench --manifest-path bench/neurone-bench/Cargo.toml -- sgemm/neurone/iris`, twice
//! on each side). Each value of C is the same chain as there (`sum ← a·b + sum` fused along the
//! depth, in order, from zero, then `α·sum + β·C`), so which of the two kernels runs changes no
//! bit. Such products are never split across threads: they are bound by the stores of C.

use super::gemm::Strided;
use super::plan::SHALLOW_DEPTH;

/// Values in one AVX register.
const LANE: usize = 8;

/// `C ← α·A·B + β·C` for `A` m×k, `B` k×n and `C` m×n row-major (row stride `n`), with
/// k ≤ [`SHALLOW_DEPTH`]. B is read in place where its rows are contiguous, else copied so into
/// `packed_b` (k·n values at most 8n). With `β = 0`, C's contents are ignored.
///
/// # Safety
/// AVX2 and FMA must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn shallow_sgemm(product: super::gemm::Product<'_>, c: &mut [f32], packed_b: &mut Vec<f32>) {
    let super::gemm::Product { shape: (m, k, n), alpha, a, b, beta } = product;
    use std::arch::x86_64::*;
    assert!(0 < k && k <= SHALLOW_DEPTH && c.len() >= m * n);
    assert!(a.data.len() > (m - 1) * a.row_stride + (k - 1) * a.column_stride);
    assert!(b.data.len() > (k - 1) * b.row_stride + (n - 1) * b.column_stride);
    let (b_rows, b_row_stride) = if b.column_stride == 1 {
        (b.data, b.row_stride)
    } else {
        packed_b.resize(k * n, 0.0);
        for (p, row) in packed_b.chunks_exact_mut(n).enumerate() {
            for (j, value) in row.iter_mut().enumerate() {
                *value = b.data[p * b.row_stride + j * b.column_stride];
            }
        }
        (&packed_b[..], n)
    };
    let (alpha, beta) = (_mm256_set1_ps(alpha), (beta != 0.0).then(|| _mm256_set1_ps(beta)));
    let product = Product { n, alpha, a, b: (b_rows, b_row_stride), beta, c: &mut c[..m * n] };
    macro_rules! with_depth {
        ($($k:literal)*) => {
            match k {
                // SAFETY: AVX2 and FMA are available (this function's contract).
                $($k => unsafe { rows::<$k>(product) },)*
                _ => unreachable!("a shallow product is 1 to {SHALLOW_DEPTH} deep"),
            }
        };
    }
    with_depth!(1 2 3 4 5 6 7 8)
}

/// What [`rows`] computes: C (row stride `n`) ← α·A·B + β·C, B's rows `b.1` apart; `beta` is
/// `None` for β = 0.
#[cfg(target_arch = "x86_64")]
struct Product<'a> {
    n: usize,
    alpha: std::arch::x86_64::__m256,
    a: Strided<'a, f32>,
    b: (&'a [f32], usize),
    beta: Option<std::arch::x86_64::__m256>,
    c: &'a mut [f32],
}

/// [`shallow_sgemm`] at depth `K`, known at compile time so that the chain is unrolled.
///
/// # Safety
/// AVX2 and FMA must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn rows<const K: usize>(product: Product<'_>) {
    use std::arch::x86_64::*;
    let Product { n, alpha, a, b: (b_rows, b_row_stride), beta, c } = product;
    for (i, c_row) in c.chunks_exact_mut(n).enumerate() {
        let mut a_row = [_mm256_setzero_ps(); K];
        for (p, a_value) in a_row.iter_mut().enumerate() {
            *a_value = _mm256_set1_ps(a.data[i * a.row_stride + p * a.column_stride]);
        }
        if n < LANE {
            // Too narrow for a register: one value at a time, by the same operations.
            let scalar = |vector: __m256| _mm256_cvtss_f32(vector);
            for (j, c) in c_row.iter_mut().enumerate() {
                let sum = (0..K).fold(0.0f32, |sum, p| scalar(a_row[p]).mul_add(b_rows[p * b_row_stride + j], sum));
                let value = scalar(alpha) * sum;
                *c = beta.map_or(value, |beta| value + scalar(beta) * *c);
            }
            continue;
        }
        // SAFETY: each call reads 8 values of B at each depth from its column and writes 8
        // values of C from it, all below column n.
        unsafe {
            // The last 8 columns, which overlap the last whole block when 8 does not divide n:
            // computed first, from C's values before this call, and stored last.
            let last = columns(&a_row, (b_rows[n - LANE..].as_ptr(), b_row_stride), (alpha, beta), &c_row[n - LANE..]);
            for j in (0..n - LANE).step_by(LANE) {
                let values = columns(&a_row, (b_rows[j..].as_ptr(), b_row_stride), (alpha, beta), &c_row[j..]);
                _mm256_storeu_ps(c_row[j..j + LANE].as_mut_ptr(), values);
            }
            _mm256_storeu_ps(c_row[n - LANE..].as_mut_ptr(), last);
        }
    }
}

/// 8 columns of one row of C: `sum ← a·b + sum` along the depth (a's values broadcast, B's 8 at
/// a time, `b_step` apart), then `α·sum + β·C` with C's values from `c`.
///
/// # Safety
/// AVX2 and FMA must be available; `b` must hold 8 values at each of the K depths, `c` at least 8.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn columns<const K: usize>(
    a_row: &[std::arch::x86_64::__m256; K],
    (b, b_step): (*const f32, usize),
    (alpha, beta): (std::arch::x86_64::__m256, Option<std::arch::x86_64::__m256>),
    c: &[f32],
) -> std::arch::x86_64::__m256 {
    use std::arch::x86_64::*;
    assert!(c.len() >= LANE);
    // SAFETY: within the 8 values at each depth that the caller vouches for, and within `c`.
    unsafe {
        let mut sum = _mm256_setzero_ps();
        for (p, &a_value) in a_row.iter().enumerate() {
            sum = _mm256_fmadd_ps(a_value, _mm256_loadu_ps(b.add(p * b_step)), sum);
        }
        let values = _mm256_mul_ps(alpha, sum);
        match beta {
            Some(beta) => _mm256_add_ps(values, _mm256_mul_ps(beta, _mm256_loadu_ps(c.as_ptr()))),
            None => values,
        }
    }
}
