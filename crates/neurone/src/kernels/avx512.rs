//! The kernels for x86-64's AVX-512: f32's 12×32 register tiles, twenty-four 16-lane accumulators
//! of the 32 registers (384 multiply-adds per step along the depth: the 6×16 AVX2 tile read B
//! once per 6 broadcasts of A, this one once per 12), the same chain for each value as AVX2's;
//! f64's 12×16 tiles (twenty-four 8-lane accumulators); and the shallow products' loop, 16
//! columns at a time (iris's 150×4×100 ran at 72 GFLOP/s against 50 with AVX2's 8, best of
//! 3000 on an AVX-512 Xeon; `plan` keeps AVX2's for products narrower than 16 columns).

use std::arch::x86_64::*;
use std::ops::Range;

use super::gemm::{F32Kernels, Product, Strided};
use super::packed_gemm::{Blocked, PACKED, Tile, Tiles, blocked, sgemm};
use super::packing::pack_rows;
use super::register_tiles::register_tiles;
use super::shallow_gemm::shallow_rows;

/// Proof that the CPU runs AVX-512F: only [`Avx512::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Avx512(());

impl Avx512 {
    /// `Some` where the CPU runs AVX-512F.
    pub fn detect() -> Option<Self> {
        (is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
            .then_some(Avx512(()))
    }
}

/// Rows of C per tile.
const MR: usize = 12;
/// Columns of C per tile (two 16-lane registers).
const NR: usize = 32;
/// Values in one AVX-512 register.
const LANE: usize = 16;
/// f64 values in one AVX-512 register.
const F64_LANE: usize = 8;
/// Columns of C per f64 tile (two registers).
const F64_NR: usize = 16;

impl F32Kernels for Avx512 {
    fn packed(self, product: Product<'_>, c: &mut [f32]) {
        sgemm(self, product, c);
    }

    fn shallow(self, product: Product<'_>, c: &mut [f32]) {
        // SAFETY: `self` proves the CPU runs AVX-512F.
        PACKED.with_borrow_mut(|(_, packed_b)| unsafe { shallow_sgemm(product, c, packed_b) });
    }
}

/// AVX-512's f32 register and the intrinsics that both the register tiles and the shallow loop
/// use, written once: `with_f32_intrinsics!(kernels! { arguments })` calls `kernels!` with the
/// arguments, then this table.
macro_rules! with_f32_intrinsics {
    ($kernels:ident! { $($arguments:tt)* }) => {
        $kernels! {
            $($arguments)*
            features: "avx512f,avx2,fma",
            vector: __m512,
            lane: LANE,
            zero: _mm512_setzero_ps,
            splat: _mm512_set1_ps,
            load: _mm512_loadu_ps,
            store: _mm512_storeu_ps,
            fused_multiply_add: _mm512_fmadd_ps,
            multiply: _mm512_mul_ps,
            add: _mm512_add_ps,
        }
    };
}

with_f32_intrinsics!(register_tiles! {
    token: Avx512,
    scalar: f32,
    tile: (MR, NR),
    edge_rows: [1 2 3 4 5 6 7 8 9 10 11 12],
    edge_lanes: [1 2],
});

with_f32_intrinsics!(shallow_rows! {});

register_tiles! {
    token: Avx512,
    scalar: f64,
    tile: (MR, F64_NR),
    edge_rows: [1 2 3 4 5 6 7 8 9 10 11 12],
    edge_lanes: [1 2],
    features: "avx512f,avx2,fma",
    vector: __m512d,
    lane: F64_LANE,
    zero: _mm512_setzero_pd,
    splat: _mm512_set1_pd,
    load: _mm512_loadu_pd,
    store: _mm512_storeu_pd,
    fused_multiply_add: _mm512_fmadd_pd,
    multiply: _mm512_mul_pd,
    add: _mm512_add_pd,
}
