//! Single-precision matrix product for the large shapes, in the BLIS layout: operands packed
//! into panels that fit the caches (`kernels/packing.rs`), and a 6×16 register-blocked kernel
//! using AVX2 and FMA, with smaller ones for the tiles at C's edges; the products of small depth
//! go to `kernels/shallow_gemm.rs`.
//!
//! Each value of C is `α·sum + β·C` where `sum` is the chain of fused multiply-adds along the
//! depth, in order, from zero: the tile size, the packing and the transposition of a narrow
//! product change no bit of it (a test holds each of them to that chain).
//!
//! It exists for two reasons: its packing buffers are kept from one call to the next (per
//! thread), so a training step allocates nothing, and a product can be split by columns of `C`
//! across threads, each column computed by exactly the same sequence of operations whatever the
//! split, so results do not depend on the number of threads.
//!
//! Machines without AVX2 and FMA get `None` from [`sgemm`] and use the portable kernel.

use std::cell::RefCell;
use std::ops::Range;

#[cfg(target_arch = "x86_64")]
use super::packing::{pack_a, pack_b};
#[cfg(target_arch = "x86_64")]
use super::shallow_gemm::{SHALLOW_DEPTH, shallow_sgemm};

/// Rows of `C` per kernel call (one broadcast of A each).
pub(super) const MR: usize = 6;
/// Columns of `C` per kernel call (two 8-lane registers).
pub(super) const NR: usize = 16;
/// Depth of a packed panel: a 6×256 panel of A and a 256×16 panel of B fit in L1 together.
const KC: usize = 256;
/// Rows of A packed at once (a 144×256 block, 144 KiB, stays in L2).
const MC: usize = 144;
/// Columns of B packed at once (a 256×4096 block, 4 MiB, stays in L3).
const NC: usize = 4096;

/// A strided operand: element (i, j) is at `data[i·row_stride + j·column_stride]`.
#[derive(Clone, Copy)]
pub(crate) struct Strided<'a> {
    pub data: &'a [f32],
    pub row_stride: usize,
    pub column_stride: usize,
}

impl Strided<'_> {
    /// The same values read as the transposed matrix.
    pub(super) fn transposed(self) -> Self {
        Strided { row_stride: self.column_stride, column_stride: self.row_stride, ..self }
    }
}

thread_local! {
    /// The packed panels of A and B, grown to the largest product seen and then reused.
    static PACKED: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// The largest A or B (in values: 256 KiB, a core's L2) read in place rather than packed.
const IN_PLACE: usize = 1 << 16;

/// Products of fewer multiply-adds than this stay on one thread: below it, handing work to
/// another thread costs more than it saves (measured on MNIST's 784→128→64→10 at batch 64, whose
/// products have 0.5 M to 6.4 M: 2^18 trained faster on two threads than 2^16 or 2^20).
const PARALLEL_PRODUCT: usize = 1 << 18;

/// `C`, shared by the threads that each write their own columns of it: element (i, j) is at
/// `data + i·row_stride + j·column_stride`.
#[derive(Clone, Copy)]
struct Output {
    data: *mut f32,
    row_stride: usize,
    column_stride: usize,
}

impl Output {
    /// The output from element (i, j) on.
    ///
    /// # Safety
    /// (i, j) must lie within the matrix.
    unsafe fn at(self, i: usize, j: usize) -> Output {
        // SAFETY: in bounds, by this function's contract.
        Output { data: unsafe { self.data.add(i * self.row_stride + j * self.column_stride) }, ..self }
    }
}

// SAFETY: threads given an `Output` write disjoint columns of it, and the caller of `sgemm`
// holds the only borrow of the whole matrix until they are done.
unsafe impl Send for Output {}
unsafe impl Sync for Output {}

/// `C ← α·A·B + β·C` for `A` m×k, `B` k×n and `C` m×n row-major with row stride `n`, or `None`
/// (nothing done) when the CPU lacks AVX2 or FMA. With `β = 0`, `C`'s contents are ignored.
///
/// Large products are split by columns of `C` across [`threads`](crate::threads) threads.
/// Every value of `C` goes through the same operations in the same order whatever the split,
/// so the result is the same, bit for bit, with any number of threads.
pub(crate) fn sgemm(
    (m, k, n): (usize, usize, usize),
    alpha: f32,
    a: Strided<'_>,
    b: Strided<'_>,
    beta: f32,
    c: &mut [f32],
) -> Option<()> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        assert!(c.len() >= m * n, "sgemm: C too short");
        if k <= SHALLOW_DEPTH {
            // SAFETY: the features the kernel needs were just detected, and C holds m×n values.
            PACKED.with_borrow_mut(|(_, packed_b)| unsafe { shallow_sgemm((m, k, n), alpha, a, b, beta, c, packed_b) });
            return Some(());
        }
        let output = Output { data: c.as_mut_ptr(), row_stride: n, column_stride: 1 };
        // Kernels fill 8 columns at a time: C with fewer than 8 columns and more rows (a
        // 3-output layer, a 4-input layer's gradient) wastes fewer lanes computed as Cᵀ = Bᵀ·Aᵀ,
        // which takes each value of C through the very same multiply-adds (a·b = b·a). Its
        // tiles are written one value at a time, so wider products stay as they are.
        let ((m, n), (a, b), output) = if n < LANE && m > n {
            ((n, m), (b.transposed(), a.transposed()), Output { row_stride: 1, column_stride: n, ..output })
        } else {
            ((m, n), (a, b), output)
        };
        let columns = |range: Range<usize>| {
            PACKED.with_borrow_mut(|(packed_a, packed_b)| {
                // SAFETY: the features the kernel needs were just detected, `output` covers
                // m×n values, and each call writes only the columns in its range.
                unsafe { blocked((m, k, n), range, alpha, (a, b), beta, output, (packed_a, packed_b)) }
            })
        };
        let parts = if m * k * n >= PARALLEL_PRODUCT { crate::threads().min(n.div_ceil(NR)) } else { 1 };
        if parts <= 1 {
            columns(0..n);
        } else {
            let width = n.div_ceil(parts).next_multiple_of(NR);
            super::parallel::for_each_part(n.div_ceil(width), &|part| columns(part * width..n.min((part + 1) * width)));
        }
        return Some(());
    }
    let _ = ((m, k, n), alpha, a, b, beta, c);
    None
}

/// [`sgemm`] with the raw-pointer signature of `matrixmultiply::sgemm`, which it falls back on
/// without AVX2/FMA, for negative strides, or for a `C` whose rows are not contiguous.
///
/// # Safety
/// The pointers and strides must describe valid `m×k`, `k×n` and `m×n` matrices, `C` not
/// overlapping `A` or `B`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn sgemm_raw(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: *const f32,
    rsa: isize,
    csa: isize,
    b: *const f32,
    rsb: isize,
    csb: isize,
    beta: f32,
    c: *mut f32,
    rsc: isize,
    csc: isize,
) {
    let extent = |rows: usize, columns: usize, row_stride: isize, column_stride: isize| {
        let (row_stride, column_stride) = (usize::try_from(row_stride).ok()?, usize::try_from(column_stride).ok()?);
        Some(((rows - 1) * row_stride + (columns - 1) * column_stride + 1, row_stride, column_stride))
    };
    let all_positive = m > 0 && k > 0 && n > 0 && csc == 1 && rsc == n as isize;
    if let (true, Some(a_extent), Some(b_extent)) = (all_positive, extent(m, k, rsa, csa), extent(k, n, rsb, csb)) {
        // SAFETY: the caller vouches for these extents.
        let (a_data, b_data, c_data) = unsafe {
            (
                std::slice::from_raw_parts(a, a_extent.0),
                std::slice::from_raw_parts(b, b_extent.0),
                std::slice::from_raw_parts_mut(c, m * n),
            )
        };
        let a = Strided { data: a_data, row_stride: a_extent.1, column_stride: a_extent.2 };
        let b = Strided { data: b_data, row_stride: b_extent.1, column_stride: b_extent.2 };
        if sgemm((m, k, n), alpha, a, b, beta, c_data).is_some() {
            return;
        }
    }
    // SAFETY: forwarded from this function's own contract.
    unsafe { matrixmultiply::sgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) }
}

/// The five loops around the kernel for the columns `range` of C: columns by NC, depth by
/// slices of at most KC (packing B), rows by MC (packing A), then NR-wide and MR-high tiles. An
/// operand that fits in L2 is read in place instead (B only where its rows are contiguous).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn blocked(
    (m, k, n): (usize, usize, usize),
    range: Range<usize>,
    alpha: f32,
    (a, b): (Strided<'_>, Strided<'_>),
    beta: f32,
    c: Output,
    (packed_a, packed_b): (&mut Vec<f32>, &mut Vec<f32>),
) {
    // Depth slices of equal size rather than KC, KC, …, remainder: a thin last slice would
    // cost a whole pass over C for little arithmetic.
    let slice = k.div_ceil(k.div_ceil(KC));
    // A B whose rows are contiguous, small enough to stay in the caches, is read where it lies:
    // packing it would only copy it (the last, narrower panel aside).
    let b_in_place = b.column_stride == 1 && k * n <= IN_PLACE;
    // The same for A, whatever its layout: the kernels read one value of it at a time.
    let a_in_place = m * k <= IN_PLACE;
    // The buffers grow to what is packed, no more (a training thread's first product zeroes
    // them, so an unused size would cost page faults for nothing).
    let a_size = if a_in_place { 0 } else { slice * MC.min(m).next_multiple_of(MR) };
    let b_size = slice * if b_in_place { NR } else { NC.min(range.len()).next_multiple_of(NR) };
    if packed_a.len() < a_size {
        packed_a.resize(a_size, 0.0);
    }
    if packed_b.len() < b_size {
        packed_b.resize(b_size, 0.0);
    }
    for column in range.clone().step_by(NC) {
        let columns = NC.min(range.end - column);
        for depth in (0..k).step_by(slice) {
            let depths = slice.min(k - depth);
            // Only a last, narrower panel of a B read in place is packed (at the buffer's start).
            let packed_columns =
                if b_in_place { (column + columns / NR * NR, columns % NR) } else { (column, columns) };
            // SAFETY: AVX2 and FMA are available (this function's contract).
            unsafe { pack_b(b, (depth, depths), packed_columns, packed_b) };
            // The first slice of the depth applies β; the others add to what it left.
            let beta = if depth == 0 { beta } else { 1.0 };
            for row in (0..m).step_by(MC) {
                let rows = MC.min(m - row);
                if !a_in_place {
                    // SAFETY: as above.
                    unsafe { pack_a(a, (row, rows), (depth, depths), packed_a) };
                }
                for tile_column in (0..columns).step_by(NR) {
                    let b_panel = if !b_in_place {
                        Panel { values: &packed_b[tile_column * depths..], step: NR }
                    } else if tile_column + NR <= columns {
                        Panel { values: &b.data[depth * b.row_stride + column + tile_column..], step: b.row_stride }
                    } else {
                        Panel { values: packed_b, step: NR }
                    };
                    for tile_row in (0..rows).step_by(MR) {
                        let a_panel = if a_in_place {
                            let first = (row + tile_row) * a.row_stride + depth * a.column_stride;
                            Rows { values: &a.data[first..], row_step: a.row_stride, depth_step: a.column_stride }
                        } else {
                            Rows { values: &packed_a[tile_row * depths..], row_step: 1, depth_step: MR }
                        };
                        let (i, j) = (row + tile_row, column + tile_column);
                        let tile = (MR.min(m - i), NR.min(n - j));
                        // SAFETY: the panels hold `depths` steps of MR and NR values, and the
                        // tile (`tile` within C from (i, j)) lies inside C's m×n values.
                        unsafe {
                            let product = Tile { depths, alpha, a: a_panel, b: b_panel, beta, c: c.at(i, j) };
                            if tile == (MR, NR) {
                                kernel::<MR, { NR / LANE }>(product, NR);
                            } else {
                                edge_kernel(product, tile);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A tile at the edge of C, of `rows × columns` values (at most MR × NR), by the kernel sized to
/// it: a 3-output layer or a 4-input one does only the multiply-adds it needs. Every kernel
/// computes each value of C by the same chain of fused multiply-adds, so the size chosen changes
/// no bit. (Out of line: inlined, its dozen kernels would crowd the loop around full tiles.)
///
/// # Safety
/// As for [`kernel`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline(never)]
unsafe fn edge_kernel(tile: Tile<'_>, (rows, columns): (usize, usize)) {
    macro_rules! sized {
        ($($rows:literal)*) => {
            match (rows, columns > LANE) {
                $(
                    ($rows, false) => kernel::<$rows, 1>(tile, columns),
                    ($rows, true) => kernel::<$rows, 2>(tile, columns),
                )*
                _ => unreachable!("a tile has 1 to {MR} rows"),
            }
        };
    }
    // SAFETY: forwarded from this function's contract; each kernel covers the tile.
    unsafe { sized!(1 2 3 4 5 6) }
}

/// Values in one AVX register.
const LANE: usize = 8;

/// The values of A a kernel reads: row r of depth d at `values[r·row_step + d·depth_step]` (a
/// packed panel, steps 1 and MR, or A itself, steps its strides).
#[derive(Clone, Copy)]
struct Rows<'a> {
    values: &'a [f32],
    row_step: usize,
    depth_step: usize,
}

/// The values of B a kernel reads: depth d's at `values[d·step..]`, NR of them (a packed panel,
/// `step` = NR, or B itself, `step` = its row stride).
#[derive(Clone, Copy)]
struct Panel<'a> {
    values: &'a [f32],
    step: usize,
}

/// What a kernel computes: `C ← α·Ã·B̃ + β·C` over `depths` steps, C from the tile's corner.
#[derive(Clone, Copy)]
struct Tile<'a> {
    depths: usize,
    alpha: f32,
    a: Rows<'a>,
    b: Panel<'a>,
    beta: f32,
    c: Output,
}

/// The `ROWS × 8·LANES` tile `C ← α·Ã·B̃ + β·C` over `depths` packed steps, in `ROWS·LANES`
/// 8-lane accumulators: for each value, `sum ← a·b + sum` fused, depth after depth from zero,
/// then `α·sum (+ β·C)`. Only the first `columns` columns are written (edges of C).
///
/// # Safety
/// AVX2 and FMA must be available; `a` must hold `depths` steps of `ROWS` rows and `b` `depths`
/// steps of `8·LANES` values; `c` starts at the tile's corner in a matrix that covers the tile,
/// which no one else reads or writes meanwhile.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn kernel<const ROWS: usize, const LANES: usize>(tile: Tile<'_>, columns: usize) {
    use std::arch::x86_64::*;
    let Tile { depths, alpha, a, b, beta, c } = tile;
    assert!(ROWS <= MR && LANES * LANE <= NR && depths > 0);
    assert!(a.values.len() > (depths - 1) * a.depth_step + (ROWS - 1) * a.row_step);
    assert!(b.values.len() >= (depths - 1) * b.step + LANES * LANE);
    let mut sums = [[_mm256_setzero_ps(); LANES]; ROWS];
    let (mut a_ptr, mut b_ptr) = (a.values.as_ptr(), b.values.as_ptr());
    for _ in 0..depths {
        // SAFETY: within the panels, as asserted above.
        unsafe {
            let mut b_values = [_mm256_setzero_ps(); LANES];
            for (lane, b_value) in b_values.iter_mut().enumerate() {
                *b_value = _mm256_loadu_ps(b_ptr.add(lane * LANE));
            }
            for (r, sum) in sums.iter_mut().enumerate() {
                let a_value = _mm256_broadcast_ss(&*a_ptr.add(r * a.row_step));
                for lane in 0..LANES {
                    sum[lane] = _mm256_fmadd_ps(a_value, b_values[lane], sum[lane]);
                }
            }
            // (Wrapping: after the last depth, a pointer into A or B may point past its end.)
            a_ptr = a_ptr.wrapping_add(a.depth_step);
            b_ptr = b_ptr.wrapping_add(b.step);
        }
    }
    if columns == LANES * LANE && c.column_stride == 1 {
        // Whole rows: straight from the registers to C, in the same operations as below (but
        // for products by 1, which change no bit).
        let (alpha_is_one, alpha) = (alpha == 1.0, _mm256_set1_ps(alpha));
        let (beta_is_used, beta_is_one, beta) = (beta != 0.0, beta == 1.0, _mm256_set1_ps(beta));
        for (r, sum) in sums.iter().enumerate() {
            for (lane, &sum) in sum.iter().enumerate() {
                // SAFETY: row r of the tile lies within C, and is this call's alone (see above).
                unsafe {
                    let c_values = c.at(r, lane * LANE).data;
                    let mut values = if alpha_is_one { sum } else { _mm256_mul_ps(alpha, sum) };
                    if beta_is_used {
                        let old = _mm256_loadu_ps(c_values);
                        values = _mm256_add_ps(values, if beta_is_one { old } else { _mm256_mul_ps(beta, old) });
                    }
                    _mm256_storeu_ps(c_values, values);
                }
            }
        }
        return;
    }
    let alpha = _mm256_set1_ps(alpha);
    let mut scaled = [[0.0f32; NR]; ROWS];
    for (values, sum) in scaled.iter_mut().zip(&sums) {
        for (lane, &sum) in sum.iter().enumerate() {
            // SAFETY: each row of `scaled` holds NR ≥ 8·LANES values.
            unsafe { _mm256_storeu_ps(values.as_mut_ptr().add(lane * LANE), _mm256_mul_ps(alpha, sum)) };
        }
    }
    for (r, values) in scaled.iter().enumerate() {
        for (j, &value) in values[..columns].iter().enumerate() {
            // SAFETY: the tile's values lie within C, and are this call's alone (see above).
            unsafe {
                let c = c.at(r, j).data;
                *c = if beta == 0.0 { value } else { value + beta * *c };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Strided<'_> {
        fn at(&self, row: usize, column: usize) -> f32 {
            self.data[row * self.row_stride + column * self.column_stride]
        }
    }

    fn naive(m: usize, k: usize, n: usize, a: Strided<'_>, b: Strided<'_>) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| f64::from(a.at(i, p)) * f64::from(b.at(p, j))).sum();
            }
        }
        c
    }

    fn has_avx2_and_fma() -> bool {
        #[cfg(target_arch = "x86_64")]
        return std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        false
    }

    /// What every kernel must compute, to the bit: for each value of C, over each depth slice,
    /// `sum ← a·b + sum` fused from zero, then `α·sum + β·C` (β = 1 after the first slice).
    fn fused_chain(
        m: usize,
        k: usize,
        n: usize,
        (alpha, beta): (f32, f32),
        a: Strided<'_>,
        b: Strided<'_>,
        c: &mut [f32],
    ) {
        let slice = k.div_ceil(k.div_ceil(KC));
        for (i, j) in (0..m).flat_map(|i| (0..n).map(move |j| (i, j))) {
            for depth in (0..k).step_by(slice) {
                let sum = (depth..k.min(depth + slice)).fold(0.0f32, |sum, p| a.at(i, p).mul_add(b.at(p, j), sum));
                let beta = if depth == 0 { beta } else { 1.0 };
                let old = c[i * n + j];
                c[i * n + j] = alpha * sum + if beta == 0.0 { 0.0 } else { beta * old };
            }
        }
    }

    #[test]
    fn the_tile_sizes_and_the_transposition_change_no_bit() {
        if !has_avx2_and_fma() {
            return;
        }
        // Iris's products (150 samples, 4 → 100 → 3), ones with two depth slices, narrow ones
        // large enough to be split across two threads (the second by rows, transposed), and
        // shallow ones around the depth where the two kernels meet.
        let shapes = [
            (150, 4, 100),
            (150, 100, 3),
            (3, 150, 100),
            (150, 3, 100),
            (100, 150, 4),
            (7, 300, 17),
            (5, 513, 2),
            (64, 300, 64),
            (1024, 300, 5),
            // Shallow ones: narrower than a register, 8 columns, a last block that overlaps.
            (7, 5, 3),
            (9, 2, 8),
            (33, 8, 13),
            (4, 9, 2),
        ];
        // (Other tests may run meanwhile: the number of threads changes no bit of theirs either.)
        crate::set_threads(2);
        for (m, k, n) in shapes {
            let a_values: Vec<f32> = (0..m * k).map(|i| ((i as f32) * 0.37).sin()).collect();
            let b_values: Vec<f32> = (0..k * n).map(|i| ((i as f32) * 0.71).cos()).collect();
            let a_layouts = [(k, 1), (1, m)].map(|(row_stride, column_stride)| Strided {
                data: &a_values,
                row_stride,
                column_stride,
            });
            let b_layouts = [(n, 1), (1, k)].map(|(row_stride, column_stride)| Strided {
                data: &b_values,
                row_stride,
                column_stride,
            });
            for (a, b) in a_layouts.iter().flat_map(|&a| b_layouts.iter().map(move |&b| (a, b))) {
                for (alpha, beta) in [(1.0, 0.0), (1.0, 1.0), (0.5, -0.25)] {
                    let start: Vec<f32> = (0..m * n).map(|i| (i as f32 * 0.13).sin()).collect();
                    let (mut got, mut want) = (start.clone(), start);
                    sgemm((m, k, n), alpha, a, b, beta, &mut got).expect("AVX2 and FMA");
                    fused_chain(m, k, n, (alpha, beta), a, b, &mut want);
                    let bits = |values: &[f32]| values.iter().map(|value| value.to_bits()).collect::<Vec<_>>();
                    assert_eq!(
                        bits(&got),
                        bits(&want),
                        "{m}×{k}×{n}, strides {:?} {:?}, α={alpha} β={beta}",
                        (a.row_stride, a.column_stride),
                        (b.row_stride, b.column_stride)
                    );
                }
            }
        }
        crate::set_threads(1);
    }

    #[test]
    fn every_shape_and_layout_matches_the_triple_loop() {
        let shapes = [(1, 1, 1), (6, 256, 16), (7, 300, 17), (150, 513, 33), (13, 5, 4100), (64, 784, 128)];
        for (m, k, n) in shapes {
            let a_values: Vec<f32> = (0..m * k).map(|i| ((i as f32) * 0.37).sin()).collect();
            let b_values: Vec<f32> = (0..k * n).map(|i| ((i as f32) * 0.71).cos()).collect();
            for a_transposed in [false, true] {
                for b_transposed in [false, true] {
                    let a = if a_transposed {
                        Strided { data: &a_values, row_stride: 1, column_stride: m }
                    } else {
                        Strided { data: &a_values, row_stride: k, column_stride: 1 }
                    };
                    let b = if b_transposed {
                        Strided { data: &b_values, row_stride: 1, column_stride: k }
                    } else {
                        Strided { data: &b_values, row_stride: n, column_stride: 1 }
                    };
                    let expected = naive(m, k, n, a, b);
                    for beta in [0.0f32, 1.0, -0.5] {
                        let start: Vec<f32> =
                            (0..m * n).map(|i| if beta == 0.0 { f32::NAN } else { i as f32 }).collect();
                        let mut c = start.clone();
                        // The packed kernel where the CPU has AVX2 and FMA, else the portable
                        // fallback: whichever path this machine takes is the one tested.
                        let packed = sgemm((m, k, n), 2.0, a, b, beta, &mut c).is_some();
                        assert_eq!(packed, has_avx2_and_fma(), "the packed kernel runs exactly where it can");
                        if !packed {
                            // SAFETY: the strides describe the m×k, k×n and m×n matrices above.
                            unsafe {
                                sgemm_raw(
                                    m,
                                    k,
                                    n,
                                    2.0,
                                    a.data.as_ptr(),
                                    a.row_stride as isize,
                                    a.column_stride as isize,
                                    b.data.as_ptr(),
                                    b.row_stride as isize,
                                    b.column_stride as isize,
                                    beta,
                                    c.as_mut_ptr(),
                                    n as isize,
                                    1,
                                )
                            };
                        }
                        for (index, (&got, &want)) in c.iter().zip(&expected).enumerate() {
                            let want = 2.0 * want + if beta == 0.0 { 0.0 } else { f64::from(beta * start[index]) };
                            let tolerance = 1e-4 * (1.0 + want.abs()) * (k as f64).sqrt();
                            assert!(
                                (f64::from(got) - want).abs() < tolerance,
                                "{m}×{k}×{n} {a_transposed}/{b_transposed} β={beta} at {index}: {got} vs {want}"
                            );
                        }
                    }
                }
            }
        }
    }
}
