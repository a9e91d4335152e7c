//! The kernels for x86-64's AVX-512: f32's 12×32 register tiles, twenty-four 16-lane accumulators
//! of the 32 registers (384 multiply-adds per step along the depth: the 6×16 AVX2 tile read B
//! once per 6 broadcasts of A, this one once per 12), the same chain for each value as AVX2's;
//! f64's 12×16 tiles (twenty-four 8-lane accumulators). Shallow products keep AVX2's loop, which
//! stores of C bound.

use std::arch::x86_64::*;
use std::ops::Range;

use super::avx2::Avx2;
use super::gemm::{F32Kernels, Product, Strided};
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
/// f64 values in one AVX-512 register.
const F64_LANE: usize = 8;
/// Columns of C per f64 tile (two registers).
const F64_NR: usize = 16;

impl F32Kernels for Avx512 {
    fn packed(self, product: Product<'_>, c: &mut [f32]) {
        sgemm(self, product, c);
    }

    fn shallow(self, product: Product<'_>, c: &mut [f32]) {
        // (`plan` sends shallow products to AVX2's loop directly.) AVX2 comes with AVX-512.
        Avx2::detect().expect("AVX2 with AVX-512").shallow(product, c);
    }
}

register_tiles! {
    token: Avx512,
    scalar: f32,
    tile: (MR, NR),
    edge_rows: [1 2 3 4 5 6 7 8 9 10 11 12],
    edge_lanes: [1 2],
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

/// [`Path::OneRow`]'s W·x for one block of 16 of W's rows (each `k` long, from `rows[0]`) over
/// `depths`, written to `sums`: each lane's chain `sum ← x_p·w + sum` from zero, p in order, as
/// the portable loop computes it, but with W's columns made by 16×16 transposes in registers
/// (64 shuffles per 16 depths) instead of gathered value by value (about 15 inserts a column).
/// It took the online sine's step 4 % less CPU time (inlined: called, 8 % more).
///
/// # Safety
/// The CPU must run AVX-512F, AVX2 and FMA.
///
/// [`Path::OneRow`]: super::Path::OneRow
#[inline]
#[target_feature(enable = "avx512f,avx2,fma")]
pub(super) unsafe fn one_row_block(rows: &[f32], k: usize, x: &[f32], depths: Range<usize>, sums: &mut [f32; LANE]) {
    assert!(rows.len() >= LANE * k && depths.end <= k.min(x.len()));
    let mut sum = _mm512_setzero_ps();
    for start in depths.clone().step_by(LANE) {
        let width = LANE.min(depths.end - start);
        // Depths past the slice's end are left out of the loads, and their columns unused.
        let mask = (u32::MAX >> (32 - width)) as __mmask16;
        // SAFETY: row i's values at depths start..start + width are within `rows` (i < 16 and
        // start + width ≤ k, asserted above).
        let mut columns = std::array::from_fn(|i| unsafe {
            let row = rows.as_ptr().add(i * k + start);
            if width == LANE { _mm512_loadu_ps(row) } else { _mm512_maskz_loadu_ps(mask, row) }
        });
        transpose_16x16(&mut columns);
        // A whole block in a loop of constant length, so that the columns stay in registers.
        let (columns, x) =
            if width == LANE { (&columns[..], &x[start..start + LANE]) } else { (&columns[..width], &x[start..]) };
        for (column, &x) in columns.iter().zip(x) {
            sum = _mm512_fmadd_ps(_mm512_set1_ps(x), *column, sum);
        }
    }
    // SAFETY: `sums` holds 16 values.
    unsafe { _mm512_storeu_ps(sums.as_mut_ptr(), sum) };
}

/// Transposes the 16×16 block whose rows are `r`: pairs of rows interleaved, pairs of pairs
/// gathered in each 128-bit lane, then the lanes moved twice.
#[inline]
#[target_feature(enable = "avx512f")]
fn transpose_16x16(r: &mut [__m512; LANE]) {
    // t[2i], t[2i + 1]: rows 2i and 2i + 1 interleaved, the low and the high pairs of each lane.
    let t: [__m512; LANE] = std::array::from_fn(|j| {
        let (a, b) = (r[j & !1], r[j | 1]);
        if j % 2 == 0 { _mm512_unpacklo_ps(a, b) } else { _mm512_unpackhi_ps(a, b) }
    });
    // u[4g + c]: in lane j, column 4j + c of rows 4g..4g + 4.
    let u: [__m512; LANE] = std::array::from_fn(|j| {
        let (group, c) = (j / 4, j % 4);
        let (a, b) = (t[4 * group + c / 2], t[4 * group + 2 + c / 2]);
        if c % 2 == 0 { _mm512_shuffle_ps::<0x44>(a, b) } else { _mm512_shuffle_ps::<0xEE>(a, b) }
    });
    // Lanes 0 and 2 (v[c]) or 1 and 3 (v[4 + c]) of u[c] and u[4 + c]; v[8..] the same of u[8..].
    let v: [__m512; LANE] = std::array::from_fn(|j| {
        let (half, odd, c) = (j / 8, (j / 4) % 2, j % 4);
        let (a, b) = (u[8 * half + c], u[8 * half + 4 + c]);
        if odd == 0 { _mm512_shuffle_f32x4::<0x88>(a, b) } else { _mm512_shuffle_f32x4::<0xDD>(a, b) }
    });
    // Column 4j + c: lane j of u[c], u[4 + c], u[8 + c], u[12 + c], in that order.
    for (index, column) in r.iter_mut().enumerate() {
        let (lane, c) = (index / 4, index % 4);
        let (a, b) = (v[4 * (lane % 2) + c], v[8 + 4 * (lane % 2) + c]);
        *column = if lane < 2 { _mm512_shuffle_f32x4::<0x88>(a, b) } else { _mm512_shuffle_f32x4::<0xDD>(a, b) };
    }
}
