//! The f32 kernels for x86-64's AVX-512: 12×32 register tiles, twenty-four 16-lane accumulators
//! of the 32 registers (384 multiply-adds per step along the depth: the 6×16 AVX2 tile read B
//! once per 6 broadcasts of A, this one once per 12), the same chain for each value as AVX2's.
//! Shallow products keep AVX2's loop, which stores of C bound.

use std::arch::x86_64::*;
use std::ops::Range;

use super::gemm::{F32Kernels, Strided};
use super::packed_gemm::{Blocked, Tile, Tiles, blocked, sgemm};
use super::packing::pack_rows;
use super::register_tiles::register_tiles;

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

impl F32Kernels for Avx512 {
    fn packed(
        self,
        shape: (usize, usize, usize),
        alpha: f32,
        a: Strided<'_, f32>,
        b: Strided<'_, f32>,
        beta: f32,
        c: &mut [f32],
    ) {
        sgemm(self, shape, alpha, a, b, beta, c);
    }

    fn shallow(
        self,
        shape: (usize, usize, usize),
        alpha: f32,
        a: Strided<'_, f32>,
        b: Strided<'_, f32>,
        beta: f32,
        c: &mut [f32],
    ) {
        // A CPU that runs AVX-512 runs AVX2 (detected with it).
        let avx2 = super::avx2::Avx2::detect().expect("AVX2 with AVX-512");
        avx2.shallow(shape, alpha, a, b, beta, c);
    }
}

impl Tiles for Avx512 {
    const MR: usize = MR;
    const NR: usize = NR;
    const LANE: usize = LANE;

    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn blocked(self, product: Blocked<'_>, range: Range<usize>, buffers: (&mut Vec<f32>, &mut Vec<f32>)) {
        // SAFETY: forwarded from this function's contract.
        unsafe { blocked::<Self>(product, range, buffers) }
    }

    #[inline(always)]
    unsafe fn tile(tile: Tile<'_>) {
        // SAFETY: forwarded from this function's contract.
        unsafe { kernel::<MR, { NR / LANE }>(tile, NR) }
    }

    #[inline(always)]
    unsafe fn edge_tile(tile: Tile<'_>, rows_and_columns: (usize, usize)) {
        // SAFETY: forwarded from this function's contract.
        unsafe { edge_kernel(tile, rows_and_columns) }
    }

    #[inline(always)]
    unsafe fn pack_a(a: Strided<'_, f32>, rows: (usize, usize), depths: (usize, usize), packed: &mut [f32]) {
        // SAFETY: forwarded from this function's contract.
        unsafe { pack_rows::<MR>(a, rows, depths, packed) }
    }

    #[inline(always)]
    unsafe fn pack_b(b: Strided<'_, f32>, depths: (usize, usize), columns: (usize, usize), packed: &mut [f32]) {
        // B's columns are the rows of Bᵀ: packing B is packing Bᵀ as A is packed.
        // SAFETY: forwarded from this function's contract.
        unsafe { pack_rows::<NR>(b.transposed(), columns, depths, packed) }
    }
}

register_tiles! {
    features: "avx512f,avx2,fma",
    vector: __m512,
    lane: LANE,
    tile: (MR, NR),
    edge_rows: [1 2 3 4 5 6 7 8 9 10 11 12],
    zero: _mm512_setzero_ps,
    splat: _mm512_set1_ps,
    load: _mm512_loadu_ps,
    store: _mm512_storeu_ps,
    fused_multiply_add: _mm512_fmadd_ps,
    multiply: _mm512_mul_ps,
    add: _mm512_add_ps,
}
