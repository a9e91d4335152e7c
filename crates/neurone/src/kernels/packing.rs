//! Packing for the matrix product: the operands' blocks copied into the panels its kernel
//! reads, depth after depth, whatever their layout in memory (a layout change only: no value is
//! computed here), for f32 and f64.

use super::gemm::Strided;
#[cfg(target_arch = "x86_64")]
use super::packed_gemm::Element;

/// A scalar type's block transposition in AVX2 registers, with which packing reads rows.
#[cfg(target_arch = "x86_64")]
pub(super) trait Transpose: Element {
    /// Writes the transpose of the 8×8 block whose rows are `rows` into `output`, its row q at
    /// `output[q·row_stride..]`.
    ///
    /// # Safety
    /// AVX2 and FMA must be available.
    unsafe fn transpose_8x8(rows: [&[Self]; 8], output: &mut [Self], row_stride: usize);

    /// The same for a 4×4 block.
    ///
    /// # Safety
    /// AVX2 and FMA must be available.
    unsafe fn transpose_4x4(rows: [&[Self]; 4], output: &mut [Self], row_stride: usize);
}

#[cfg(target_arch = "x86_64")]
impl Transpose for f32 {
    #[inline(always)]
    unsafe fn transpose_8x8(rows: [&[f32]; 8], output: &mut [f32], row_stride: usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe { transpose_8x8(rows, output, row_stride) }
    }

    #[inline(always)]
    unsafe fn transpose_4x4(rows: [&[f32]; 4], output: &mut [f32], row_stride: usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe { transpose_4x4(rows, output, row_stride) }
    }
}

#[cfg(target_arch = "x86_64")]
impl Transpose for f64 {
    #[inline(always)]
    unsafe fn transpose_8x8(rows: [&[f64]; 8], output: &mut [f64], row_stride: usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe { transpose_8x8_f64(rows, output, row_stride) }
    }

    #[inline(always)]
    unsafe fn transpose_4x4(rows: [&[f64]; 4], output: &mut [f64], row_stride: usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe { transpose_4x4_f64(rows, output, row_stride) }
    }
}

/// On aarch64, packing reads rows one value at a time: it takes any scalar type.
#[cfg(target_arch = "aarch64")]
pub(super) use super::packed_gemm::Element as Transpose;

/// Packs rows `row..row+rows`, depths `depth..depth+depths` of `x` into W-row panels, each
/// stored depth after depth (W values per depth), the last panel padded with zeros: A's MR-row
/// panels, and B's NR-column ones (the rows of Bᵀ).
///
/// # Safety
/// The instruction set it is compiled for must be available: AVX2 and FMA on x86-64 (NEON,
/// aarch64's baseline, there).
#[cfg_attr(target_arch = "x86_64", target_feature(enable = "avx2,fma"))]
#[cfg_attr(target_arch = "aarch64", target_feature(enable = "neon"))]
pub(super) unsafe fn pack_rows<S: Transpose, const W: usize>(
    x: Strided<'_, S>,
    (row, rows): (usize, usize),
    (depth, depths): (usize, usize),
    packed: &mut [S],
) {
    let panels = packed[..rows.next_multiple_of(W) * depths].chunks_exact_mut(W * depths);
    for (panel_index, panel) in panels.enumerate() {
        let first = row + panel_index * W;
        // SAFETY: the instruction set is available (this function's contract).
        unsafe { pack_panel::<S, W>(x, (first, W.min(row + rows - first)), depth, panel) };
    }
}

/// Writes rows `first..first+height` of `x`, from column `depth` on, into `panel` as W values
/// per column (one column after the other), rows beyond `height` as zeros. The loops run along
/// whichever of x's dimensions is contiguous in memory.
///
/// # Safety
/// As for [`pack_rows`].
#[cfg_attr(target_arch = "x86_64", target_feature(enable = "avx2,fma"))]
#[cfg_attr(target_arch = "aarch64", target_feature(enable = "neon"))]
unsafe fn pack_panel<S: Transpose, const W: usize>(
    x: Strided<'_, S>,
    (first, height): (usize, usize),
    depth: usize,
    panel: &mut [S],
) {
    if height < W {
        panel.fill(S::ZERO);
    }
    if x.column_stride == 1 && height == W {
        // W rows read side by side, each panel column written whole: the compiler unrolls the
        // W copies, and the stores are contiguous.
        let steps = panel.len() / W;
        // (Loops rather than `array::from_fn`, whose closures would not share this function's
        // target features, and so would not be inlined.)
        let mut rows = [&x.data[..0]; W];
        for (r, row) in rows.iter_mut().enumerate() {
            let start = (first + r) * x.row_stride + depth;
            *row = &x.data[start..start + steps];
        }
        // Blocks of 8 rows × 8 columns transposed in AVX registers, 8 rows at a time along their
        // whole length (rows one page apart share cache sets: all W at once would evict each
        // other), then blocks of 4 rows × 4 columns (the last 4 rows of AVX-512's 12-row
        // panels, the first 4 of AVX2's 6), then the rows and columns left over (all of them on
        // aarch64, where the plain loop is the packing).
        let (blocked_rows, blocked_steps) =
            if cfg!(target_arch = "x86_64") { (W - W % 8, steps - steps % 8) } else { (0, 0) };
        let quad_rows = blocked_rows + if cfg!(target_arch = "x86_64") { W % 8 / 4 * 4 } else { 0 };
        #[cfg(target_arch = "x86_64")]
        for r in (0..blocked_rows).step_by(8) {
            for p in (0..blocked_steps).step_by(8) {
                let mut block = [&x.data[..0]; 8];
                for (i, row) in block.iter_mut().enumerate() {
                    *row = &rows[r + i][p..p + 8];
                }
                // SAFETY: AVX2 and FMA are available (this function's contract).
                unsafe { S::transpose_8x8(block, &mut panel[p * W + r..], W) };
            }
        }
        #[cfg(target_arch = "x86_64")]
        for r in (blocked_rows..quad_rows).step_by(4) {
            for p in (0..blocked_steps).step_by(4) {
                let mut block = [&x.data[..0]; 4];
                for (i, row) in block.iter_mut().enumerate() {
                    *row = &rows[r + i][p..p + 4];
                }
                // SAFETY: as above.
                unsafe { S::transpose_4x4(block, &mut panel[p * W + r..], W) };
            }
        }
        for (r, row) in rows.iter().enumerate().skip(quad_rows) {
            for (values, &value) in panel.chunks_exact_mut(W).zip(&row[..blocked_steps]) {
                values[r] = value;
            }
        }
        for (p, values) in panel.chunks_exact_mut(W).enumerate().skip(blocked_steps) {
            for (value, row) in values.iter_mut().zip(&rows) {
                *value = row[p];
            }
        }
    } else if x.column_stride == 1 {
        for r in 0..height {
            let start = (first + r) * x.row_stride + depth;
            let source = &x.data[start..start + panel.len() / W];
            for (values, &value) in panel.chunks_exact_mut(W).zip(source) {
                values[r] = value;
            }
        }
    } else {
        for (p, values) in panel.chunks_exact_mut(W).enumerate() {
            let start = first * x.row_stride + (depth + p) * x.column_stride;
            if x.row_stride == 1 && height == W {
                // A copy of known size, inlined (a call to memmove per column cost more than
                // the copy when W values are a few dozen bytes).
                let values: &mut [S; W] = values.try_into().expect("W values");
                *values = x.data[start..start + W].try_into().expect("W values");
            } else if x.row_stride == 1 {
                for (value, &x) in values.iter_mut().zip(&x.data[start..start + height]) {
                    *value = x;
                }
            } else {
                for (r, value) in values[..height].iter_mut().enumerate() {
                    *value = x.data[start + r * x.row_stride];
                }
            }
        }
    }
}

/// [`Transpose::transpose_8x8`] for f32.
///
/// # Safety
/// AVX2 and FMA must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn transpose_8x8(rows: [&[f32]; 8], output: &mut [f32], row_stride: usize) {
    use std::arch::x86_64::*;
    for row in rows {
        assert!(row.len() >= 8);
    }
    assert!(output.len() >= 7 * row_stride + 8);
    // SAFETY: the loads and stores stay within the slices, as asserted above.
    unsafe {
        let mut r = [_mm256_setzero_ps(); 8];
        for (r, row) in r.iter_mut().zip(rows) {
            *r = _mm256_loadu_ps(row.as_ptr());
        }
        // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves swapped.
        let t = [
            _mm256_unpacklo_ps(r[0], r[1]),
            _mm256_unpackhi_ps(r[0], r[1]),
            _mm256_unpacklo_ps(r[2], r[3]),
            _mm256_unpackhi_ps(r[2], r[3]),
            _mm256_unpacklo_ps(r[4], r[5]),
            _mm256_unpackhi_ps(r[4], r[5]),
            _mm256_unpacklo_ps(r[6], r[7]),
            _mm256_unpackhi_ps(r[6], r[7]),
        ];
        let u = [
            _mm256_shuffle_ps::<0b01_00_01_00>(t[0], t[2]),
            _mm256_shuffle_ps::<0b11_10_11_10>(t[0], t[2]),
            _mm256_shuffle_ps::<0b01_00_01_00>(t[1], t[3]),
            _mm256_shuffle_ps::<0b11_10_11_10>(t[1], t[3]),
            _mm256_shuffle_ps::<0b01_00_01_00>(t[4], t[6]),
            _mm256_shuffle_ps::<0b11_10_11_10>(t[4], t[6]),
            _mm256_shuffle_ps::<0b01_00_01_00>(t[5], t[7]),
            _mm256_shuffle_ps::<0b11_10_11_10>(t[5], t[7]),
        ];
        for q in 0..4 {
            let low = _mm256_permute2f128_ps::<0x20>(u[q], u[q + 4]);
            let high = _mm256_permute2f128_ps::<0x31>(u[q], u[q + 4]);
            _mm256_storeu_ps(output.as_mut_ptr().add(q * row_stride), low);
            _mm256_storeu_ps(output.as_mut_ptr().add((q + 4) * row_stride), high);
        }
    }
}

/// [`Transpose::transpose_4x4`] for f32.
///
/// # Safety
/// AVX2 and FMA must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn transpose_4x4(rows: [&[f32]; 4], output: &mut [f32], row_stride: usize) {
    use std::arch::x86_64::*;
    for row in rows {
        assert!(row.len() >= 4);
    }
    assert!(output.len() >= 3 * row_stride + 4);
    // SAFETY: the loads and stores stay within the slices, as asserted above.
    unsafe {
        let r = rows.map(|row| _mm_loadu_ps(row.as_ptr()));
        // Pairs of rows interleaved, then their 64-bit halves paired.
        let t = [
            _mm_unpacklo_ps(r[0], r[1]),
            _mm_unpacklo_ps(r[2], r[3]),
            _mm_unpackhi_ps(r[0], r[1]),
            _mm_unpackhi_ps(r[2], r[3]),
        ];
        let columns = [
            _mm_movelh_ps(t[0], t[1]),
            _mm_movehl_ps(t[1], t[0]),
            _mm_movelh_ps(t[2], t[3]),
            _mm_movehl_ps(t[3], t[2]),
        ];
        for (q, column) in columns.into_iter().enumerate() {
            _mm_storeu_ps(output.as_mut_ptr().add(q * row_stride), column);
        }
    }
}

/// [`Transpose::transpose_8x8`] for f64: four 4×4 blocks.
///
/// # Safety
/// AVX2 and FMA must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn transpose_8x8_f64(rows: [&[f64]; 8], output: &mut [f64], row_stride: usize) {
    for (block_row, block_column) in [(0, 0), (0, 4), (4, 0), (4, 4)] {
        let block = [0, 1, 2, 3].map(|i| &rows[block_row + i][block_column..]);
        // SAFETY: AVX2 and FMA are available (this function's contract).
        unsafe { transpose_4x4_f64(block, &mut output[block_column * row_stride + block_row..], row_stride) };
    }
}

/// [`Transpose::transpose_4x4`] for f64, in four registers.
///
/// # Safety
/// AVX2 and FMA must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn transpose_4x4_f64(rows: [&[f64]; 4], output: &mut [f64], row_stride: usize) {
    use std::arch::x86_64::*;
    for row in rows {
        assert!(row.len() >= 4);
    }
    assert!(output.len() >= 3 * row_stride + 4);
    // SAFETY: the loads and stores stay within the slices, as asserted above.
    unsafe {
        let r = rows.map(|row| _mm256_loadu_pd(row.as_ptr()));
        // Pairs of rows interleaved, then the 128-bit halves swapped.
        let t = [
            _mm256_unpacklo_pd(r[0], r[1]),
            _mm256_unpackhi_pd(r[0], r[1]),
            _mm256_unpacklo_pd(r[2], r[3]),
            _mm256_unpackhi_pd(r[2], r[3]),
        ];
        let columns = [
            _mm256_permute2f128_pd::<0x20>(t[0], t[2]),
            _mm256_permute2f128_pd::<0x20>(t[1], t[3]),
            _mm256_permute2f128_pd::<0x31>(t[0], t[2]),
            _mm256_permute2f128_pd::<0x31>(t[1], t[3]),
        ];
        for (q, column) in columns.into_iter().enumerate() {
            _mm256_storeu_pd(output.as_mut_ptr().add(q * row_stride), column);
        }
    }
}
