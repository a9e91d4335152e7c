//! The kernels for x86-64's AVX2 with fused multiply-add: f32's 6×16 register tiles (twelve
//! 8-lane accumulators, 96 multiply-adds per step along the depth) and the shallow products'
//! loop; f64's 6×8 tiles (twelve 4-lane accumulators).

use std::arch::x86_64::*;
use std::ops::Range;

use super::gemm::{F32Kernels, Product, Strided};
use super::packed_gemm::{Blocked, PACKED, Tile, Tiles, blocked, sgemm};
use super::packing::pack_rows;
use super::register_tiles::register_tiles;
use super::shallow_gemm::shallow_rows;

/// Proof that the CPU runs AVX2 and FMA: only [`Avx2::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Avx2(());

impl Avx2 {
    /// `Some` where the CPU runs AVX2 and FMA.
    pub fn detect() -> Option<Self> {
        (is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")).then_some(Avx2(()))
    }
}

/// Rows of C per tile.
const MR: usize = 6;
/// Columns of C per tile (two 8-lane registers).
const NR: usize = 16;
/// Values in one AVX register.
const LANE: usize = 8;
/// f64 values in one AVX register.
const F64_LANE: usize = 4;
/// Columns of C per f64 tile (two registers).
const F64_NR: usize = 8;

impl F32Kernels for Avx2 {
    fn packed(self, product: Product<'_>, c: &mut [f32]) {
        sgemm(self, product, c);
    }

    fn shallow(self, product: Product<'_>, c: &mut [f32]) {
        // SAFETY: `self` proves the CPU runs AVX2 and FMA.
        PACKED.with_borrow_mut(|(_, packed_b)| unsafe { shallow_sgemm(product, c, packed_b) });
    }
}

/// AVX2's f32 register and the intrinsics that both the register tiles and the shallow loop
/// use, written once: `with_f32_intrinsics!(kernels! { arguments })` calls `kernels!` with the
/// arguments, then this table.
macro_rules! with_f32_intrinsics {
    ($kernels:ident! { $($arguments:tt)* }) => {
        $kernels! {
            $($arguments)*
            features: "avx2,fma",
            vector: __m256,
            lane: LANE,
            zero: _mm256_setzero_ps,
            splat: _mm256_set1_ps,
            load: _mm256_loadu_ps,
            store: _mm256_storeu_ps,
            fused_multiply_add: _mm256_fmadd_ps,
            multiply: _mm256_mul_ps,
            add: _mm256_add_ps,
        }
    };
}

with_f32_intrinsics!(register_tiles! {
    token: Avx2,
    scalar: f32,
    tile: (MR, NR),
    edge_rows: [1 2 3 4 5 6],
    edge_lanes: [1 2],
});

with_f32_intrinsics!(shallow_rows! {});

register_tiles! {
    token: Avx2,
    scalar: f64,
    tile: (MR, F64_NR),
    edge_rows: [1 2 3 4 5 6],
    edge_lanes: [1 2],
    features: "avx2,fma",
    vector: __m256d,
    lane: F64_LANE,
    zero: _mm256_setzero_pd,
    splat: _mm256_set1_pd,
    load: _mm256_loadu_pd,
    store: _mm256_storeu_pd,
    fused_multiply_add: _mm256_fmadd_pd,
    multiply: _mm256_mul_pd,
    add: _mm256_add_pd,
}
