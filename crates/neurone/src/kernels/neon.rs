//! The kernels for aarch64's NEON (part of every aarch64 CPU): f32's 6×16 register tiles
//! (twenty-four 4-lane accumulators and four registers of B, of the 32; 96 multiply-adds per
//! step along the depth, as AVX2's tile) and the shallow products' loop, 4 columns at a time;
//! f64's 6×8 tiles (twenty-four 2-lane accumulators).
//!
//! Each value of C is computed by the very operations of the x86-64 kernels: `sum ← a·b + sum`
//! fused (`vfmaq_f32`, rounded once as `_mm256_fmadd_ps` is), along the depth, in order, from
//! zero, then `α·sum`, then `+ β·C`. A lane holds one value of C, so the width of a register
//! changes which values are computed together, never how one is: the same seed trains the same
//! tensors, bit for bit, on x86-64 and aarch64 (`crates/neurone-cli/tests/aarch64.rs`).

use std::arch::aarch64::*;
use std::ops::Range;

use super::gemm::{F32Kernels, Product, Strided};
use super::packed_gemm::{Blocked, PACKED, Tile, Tiles, blocked, sgemm};
use super::packing::pack_rows;
use super::register_tiles::register_tiles;
use super::shallow_gemm::shallow_rows;

/// Proof that the CPU runs NEON: only [`Neon::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Neon(());

impl Neon {
    /// `Some` where the CPU runs NEON (every aarch64 CPU that runs Linux, macOS or Windows).
    pub fn detect() -> Option<Self> {
        std::arch::is_aarch64_feature_detected!("neon").then_some(Neon(()))
    }
}

/// Rows of C per tile.
const MR: usize = 6;
/// Columns of C per tile (four 4-lane registers).
const NR: usize = 16;
/// Values in one NEON register.
const LANE: usize = 4;
/// f64 values in one NEON register.
const F64_LANE: usize = 2;
/// Columns of C per f64 tile (four registers).
const F64_NR: usize = 8;

impl F32Kernels for Neon {
    fn packed(self, product: Product<'_>, c: &mut [f32]) {
        sgemm(self, product, c);
    }

    fn shallow(self, product: Product<'_>, c: &mut [f32]) {
        // SAFETY: `self` proves the CPU runs NEON.
        PACKED.with_borrow_mut(|(_, packed_b)| unsafe { shallow_sgemm(product, c, packed_b) });
    }
}

/// A register of zeros.
#[target_feature(enable = "neon")]
#[inline]
fn zero() -> float32x4_t {
    vdupq_n_f32(0.0)
}

/// `a·b + sum`, rounded once, in x86-64's argument order (`vfmaq_f32` takes the sum first).
#[target_feature(enable = "neon")]
#[inline]
fn fused_multiply_add(a: float32x4_t, b: float32x4_t, sum: float32x4_t) -> float32x4_t {
    vfmaq_f32(sum, a, b)
}

/// A register of f64 zeros.
#[target_feature(enable = "neon")]
#[inline]
fn zero_f64() -> float64x2_t {
    vdupq_n_f64(0.0)
}

/// [`fused_multiply_add`] in f64.
#[target_feature(enable = "neon")]
#[inline]
fn fused_multiply_add_f64(a: float64x2_t, b: float64x2_t, sum: float64x2_t) -> float64x2_t {
    vfmaq_f64(sum, a, b)
}

/// NEON's f32 register and the intrinsics that both the register tiles and the shallow loop use,
/// written once: `with_f32_intrinsics!(kernels! { arguments })` calls `kernels!` with the
/// arguments, then this table.
macro_rules! with_f32_intrinsics {
    ($kernels:ident! { $($arguments:tt)* }) => {
        $kernels! {
            $($arguments)*
            features: "neon",
            vector: float32x4_t,
            lane: LANE,
            zero: zero,
            splat: vdupq_n_f32,
            load: vld1q_f32,
            store: vst1q_f32,
            fused_multiply_add: fused_multiply_add,
            multiply: vmulq_f32,
            add: vaddq_f32,
        }
    };
}

with_f32_intrinsics!(register_tiles! {
    token: Neon,
    scalar: f32,
    tile: (MR, NR),
    edge_rows: [1 2 3 4 5 6],
    edge_lanes: [1 2 3 4],
});

register_tiles! {
    token: Neon,
    scalar: f64,
    tile: (MR, F64_NR),
    edge_rows: [1 2 3 4 5 6],
    edge_lanes: [1 2 3 4],
    features: "neon",
    vector: float64x2_t,
    lane: F64_LANE,
    zero: zero_f64,
    splat: vdupq_n_f64,
    load: vld1q_f64,
    store: vst1q_f64,
    fused_multiply_add: fused_multiply_add_f64,
    multiply: vmulq_f64,
    add: vaddq_f64,
}

with_f32_intrinsics!(shallow_rows! {});
