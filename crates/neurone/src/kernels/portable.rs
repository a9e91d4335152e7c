//! The product for any CPU, in plain Rust, f32 and f64: each value of C by the same chain as the
//! SIMD kernels (`sum ← a·b + sum` fused, along the depth in [`depth_slice`]s, from zero, then
//! `α·sum + β·C`), so that it gives their bits. `mul_add` is exact on every machine, a single
//! instruction where the CPU fuses, a call into the C library where it does not.

use super::gemm::{F32Kernels, Product};
use super::packed_gemm::{Element, depth_slice};

/// The portable kernels (always available).
#[derive(Clone, Copy, Debug)]
pub(super) struct Portable;

impl F32Kernels for Portable {
    fn packed(self, product: Product<'_>, c: &mut [f32]) {
        fused_chain(product, c);
    }

    fn shallow(self, product: Product<'_>, c: &mut [f32]) {
        fused_chain(product, c);
    }
}

/// `C ← α·A·B + β·C`, C m×n row-major; with `β = 0`, C's contents are ignored.
///
/// On x86-64, compiled for the fused multiply-add instruction where the CPU has it (as the C
/// library's `fma` then uses it): the same code and bits, a vectorised loop instead of a call
/// per value.
pub(super) fn fused_chain<S: Element>(product: Product<'_, S>, c: &mut [S]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") {
        #[target_feature(enable = "fma")]
        fn with_fma<S: Element>(product: Product<'_, S>, c: &mut [S]) {
            chain(product, c);
        }
        // SAFETY: the feature was just detected.
        return unsafe { with_fma(product, c) };
    }
    chain(product, c);
}

/// [`fused_chain`]'s loops, inlined into each of its versions.
#[inline(always)]
fn chain<S: Element>(Product { shape: (m, k, n), alpha, a, b, beta }: Product<'_, S>, c: &mut [S]) {
    let slice = depth_slice(k);
    // The packing buffers hold a depth slice of B made row-major, and one row of sums.
    S::with_packed(|b_rows, sums| {
        for depth in (0..k).step_by(slice) {
            let depths = slice.min(k - depth);
            // B's rows of this slice, contiguous so that the loop along a row of C vectorises.
            b_rows.clear();
            b_rows.extend((depth..depth + depths).flat_map(|p| (0..n).map(move |j| b.at(p, j))));
            sums.resize(n, S::ZERO);
            let beta = if depth == 0 { beta } else { S::ONE };
            for (i, c_row) in c[..m * n].chunks_exact_mut(n).enumerate() {
                sums.fill(S::ZERO);
                for (p, b_row) in b_rows.chunks_exact(n).enumerate() {
                    let a_value = a.at(i, depth + p);
                    for (sum, &b_value) in sums.iter_mut().zip(b_row) {
                        *sum = a_value.mul_add(b_value, *sum);
                    }
                }
                for (c_value, &sum) in c_row.iter_mut().zip(sums.iter()) {
                    let value = alpha * sum;
                    *c_value = if beta == S::ZERO { value } else { value + beta * *c_value };
                }
            }
        }
    });
}
