//! The matrix product for the large shapes, in f32 and f64, in the BLIS layout: operands packed
//! into panels that fit the caches (`kernels/packing.rs`), and register tiles of `MR × NR` values
//! of C, with smaller ones for the tiles at C's edges. The loops around the tiles are written
//! here once; each instruction set gives its tiles and packing ([`Tiles`]: `kernels/avx2.rs`,
//! `kernels/avx512.rs`, `kernels/neon.rs`).
//!
//! Each value of C is `α·sum + β·C` where `sum` is the chain of fused multiply-adds along the
//! depth, in order, from zero, over slices of [`depth_slice`]: the instruction set, the tile
//! size, the packing and the transposition of a narrow product change no bit of it (a test holds
//! each of them to that chain).
//!
//! It exists for two reasons: its packing buffers are kept from one call to the next (per
//! thread), so a training step allocates nothing, and a product can be split by columns of `C`
//! across threads, each column computed by exactly the same sequence of operations whatever the
//! split, so results do not depend on the number of threads.

use std::cell::RefCell;
use std::ops::Range;

use super::gemm::{Product, Strided};

/// Depth of a packed panel: a 6×256 panel of A and a 256×16 panel of B fit in L1 together.
/// Every instruction set slices the depth alike (see [`depth_slice`]): the slices decide the bits.
const KC: usize = 256;
/// Rows of A packed at once where they are more than [`ONE_BLOCK`] (a 144×256 block, 144 KiB,
/// stays in L2): a multiple of every MR.
const MC: usize = 144;
/// The most rows of A packed in one block (see [`panels_outer`]), B's panels then packed one at
/// a time. (With 1024 rows, the other order was 3-6 % faster on an AVX-512 Xeon; with 256,
/// this one, 2-5 %.)
const ONE_BLOCK: usize = 288;
/// Columns of B packed at once (a 256×4096 block, 4 MiB, stays in L3).
const NC: usize = 4096;

/// The length of the depth slices of a product of depth `k`, each summed from zero: slices of
/// equal size rather than KC, KC, …, remainder, since a thin last slice would cost a whole pass
/// over C for little arithmetic.
pub(super) fn depth_slice(k: usize) -> usize {
    k.div_ceil(k.div_ceil(KC))
}

thread_local! {
    /// The packed panels of A and B, grown to the largest product seen and then reused.
    pub(super) static PACKED: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    /// The same for f64 products.
    static PACKED_F64: RefCell<(Vec<f64>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// The scalar types of the packed product, each with its thread's packing buffers.
pub(super) trait Element: crate::Scalar {
    /// Runs `body` on this thread's packed panels of A and B.
    fn with_packed<R>(body: impl FnOnce(&mut Vec<Self>, &mut Vec<Self>) -> R) -> R;
}

impl Element for f32 {
    fn with_packed<R>(body: impl FnOnce(&mut Vec<f32>, &mut Vec<f32>) -> R) -> R {
        PACKED.with_borrow_mut(|(packed_a, packed_b)| body(packed_a, packed_b))
    }
}

impl Element for f64 {
    fn with_packed<R>(body: impl FnOnce(&mut Vec<f64>, &mut Vec<f64>) -> R) -> R {
        PACKED_F64.with_borrow_mut(|(packed_a, packed_b)| body(packed_a, packed_b))
    }
}

/// The largest A or B (in values: 256 KiB, a core's L2) read in place rather than packed.
const IN_PLACE: usize = 1 << 16;

/// Products of fewer multiply-adds than this stay on one thread: below it, handing work to
/// another thread costs more than it saves (measured on MNIST's 784→128→64→10 at batch 64, whose
/// products have 0.5 M to 6.4 M: 2^18 trained faster on two threads than 2^16 or 2^20).
const PARALLEL_PRODUCT: usize = 1 << 18;

/// `C`, shared by the threads that each write their own columns of it: element (i, j) is at
/// `data + i·row_stride + j·column_stride`.
pub(super) struct Output<S = f32> {
    pub data: *mut S,
    pub row_stride: usize,
    pub column_stride: usize,
}

impl<S> Clone for Output<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Output<S> {}

impl<S> Output<S> {
    /// The output from element (i, j) on.
    ///
    /// # Safety
    /// (i, j) must lie within the matrix.
    pub unsafe fn at(self, i: usize, j: usize) -> Self {
        // SAFETY: in bounds, by this function's contract.
        Output { data: unsafe { self.data.add(i * self.row_stride + j * self.column_stride) }, ..self }
    }
}

// SAFETY: threads given an `Output` write disjoint columns of it, and the caller of `sgemm`
// holds the only borrow of the whole matrix until they are done.
unsafe impl<S> Send for Output<S> {}
unsafe impl<S> Sync for Output<S> {}

/// An instruction set's register tiles: the kernels the loops of [`blocked`] call. Only a value
/// proving that the CPU runs the instruction set implements it (see `Avx2::detect`), once for
/// each scalar type `S`.
pub(super) trait Tiles<S = f32>: Copy + Sync {
    /// Rows of C per tile (one broadcast of A each).
    const MR: usize;
    /// Columns of C per tile.
    const NR: usize;
    /// Values in one register: narrower products are computed transposed (see [`sgemm`]).
    const LANE: usize;

    /// [`blocked`], compiled for the instruction set.
    ///
    /// # Safety
    /// As for [`blocked`].
    unsafe fn blocked(self, product: Blocked<'_, S>, range: Range<usize>, buffers: (&mut Vec<S>, &mut Vec<S>));

    /// The `MR × NR` tile `C ← α·Ã·B̃ + β·C` (see [`Tile`]).
    ///
    /// # Safety
    /// The CPU runs the instruction set; `a` holds `depths` steps of MR rows and `b` of NR
    /// values; `c` starts at the tile's corner in a matrix that covers the tile, which no one
    /// else reads or writes meanwhile.
    unsafe fn tile(tile: Tile<'_, S>);

    /// The same for a tile at C's edge, of `rows × columns` values (at most MR × NR): only
    /// those are written.
    ///
    /// # Safety
    /// As for [`Tiles::tile`].
    unsafe fn edge_tile(tile: Tile<'_, S>, rows_and_columns: (usize, usize));

    /// Packs rows `row..row+rows`, depths `depth..depth+depths` of A into MR-row panels, each
    /// stored depth after depth, the last padded with zeros.
    ///
    /// # Safety
    /// The CPU runs the instruction set.
    unsafe fn pack_a(a: Strided<'_, S>, rows: (usize, usize), depths: (usize, usize), packed: &mut [S]);

    /// Packs depths `depth..depth+depths`, columns `column..column+columns` of B into NR-column
    /// panels, each stored depth after depth, the last padded with zeros.
    ///
    /// # Safety
    /// The CPU runs the instruction set.
    unsafe fn pack_b(b: Strided<'_, S>, depths: (usize, usize), columns: (usize, usize), packed: &mut [S]);
}

/// The `product` `C ← α·A·B + β·C` for `A` m×k, `B` k×n into `C` m×n row-major (row stride
/// `n`), by the tiles of `tiles`. With `β = 0`, `C`'s contents are ignored.
///
/// Large products are split by columns of `C` across [`threads`](crate::threads) threads.
/// Every value of `C` goes through the same operations in the same order whatever the split,
/// so the result is the same, bit for bit, with any number of threads.
pub(super) fn sgemm<S: Element, T: Tiles<S>>(tiles: T, product: Product<'_, S>, c: &mut [S]) {
    let Product { shape: (m, k, n), alpha, a, b, beta } = product;
    assert!(m > 0 && k > 0 && n > 0, "sgemm: an empty product");
    assert!(c.len() >= m * n, "sgemm: C too short");
    assert!(a.data.len() > (m - 1) * a.row_stride + (k - 1) * a.column_stride, "sgemm: A too short");
    assert!(b.data.len() > (k - 1) * b.row_stride + (n - 1) * b.column_stride, "sgemm: B too short");
    let output = Output { data: c.as_mut_ptr(), row_stride: n, column_stride: 1 };
    // Kernels fill a register's LANE columns at a time: C with fewer columns and more rows (a
    // 3-output layer, a 4-input layer's gradient) wastes fewer lanes computed as Cᵀ = Bᵀ·Aᵀ,
    // which takes each value of C through the very same multiply-adds (a·b = b·a). Its tiles
    // are written one value at a time, so wider products stay as they are. In f64 (half the
    // lanes to save, twice the bytes to pack), only where Aᵀ is then read in place: packing it
    // cost iris's 150×100×3 more than the lanes it saved.
    let f64_packs_a_transposed = S::SCALAR == super::ScalarType::F64 && a.row_stride != 1;
    let ((m, n), (a, b), output) = if n < T::LANE && m > n && !f64_packs_a_transposed {
        ((n, m), (b.transposed(), a.transposed()), Output { row_stride: 1, column_stride: n, ..output })
    } else {
        ((m, n), (a, b), output)
    };
    let product = Blocked { shape: (m, k, n), alpha, a, b, beta, c: output };
    let columns = |range: Range<usize>| {
        S::with_packed(|packed_a, packed_b| {
            // SAFETY: `tiles` proves the CPU runs its instruction set, the operands' extents
            // were asserted above, `output` covers m×n values, and each call writes only the
            // columns in its range.
            unsafe { tiles.blocked(product, range, (packed_a, packed_b)) }
        })
    };
    let parts = if m * k * n >= PARALLEL_PRODUCT { crate::threads().min(n.div_ceil(T::NR)) } else { 1 };
    if parts <= 1 {
        columns(0..n);
    } else {
        let width = n.div_ceil(parts).next_multiple_of(T::NR);
        super::parallel::for_each_part(n.div_ceil(width), &|part| columns(part * width..n.min((part + 1) * width)));
    }
}

/// What [`blocked`] computes: `C ← α·A·B + β·C`, A m×k, B k×n, C m×n.
#[derive(Clone, Copy)]
pub(super) struct Blocked<'a, S = f32> {
    shape: (usize, usize, usize),
    alpha: S,
    a: Strided<'a, S>,
    b: Strided<'a, S>,
    beta: S,
    c: Output<S>,
}

/// The loops around the tiles for the columns `range` of C, in one of two orders chosen by the
/// number of rows of A. An operand that fits in L2 is read in place instead (B only where its
/// rows are contiguous). The order changes no value: each value of C goes through the depth
/// slices in order, each by the same operations.
///
/// - All of A's rows in one block (up to [`ONE_BLOCK`]: a batch times a layer's width, a
///   weight gradient of a narrow layer): [`panels_outer`].
/// - More rows (a weight gradient of a wide layer): columns by NC, depth by [`depth_slice`],
///   the slice of B packed whole, then rows of tiles by blocks of MC (packing A), each tile row
///   keeping its panel of A in L1 while B's panels stream from L2.
///
/// Inlined into each instruction set's [`Tiles::blocked`], so that it is compiled for it.
///
/// # Safety
/// The CPU runs `T`'s instruction set; A and B hold m×k and k×n values through their strides,
/// C m×n, and no one else reads or writes C's columns `range` meanwhile.
#[inline(always)]
pub(super) unsafe fn blocked<S: Element, T: Tiles<S>>(
    product: Blocked<'_, S>,
    range: Range<usize>,
    (packed_a, packed_b): (&mut Vec<S>, &mut Vec<S>),
) {
    let Blocked { shape: (m, k, n), a, b, beta, .. } = product;
    if m <= ONE_BLOCK {
        // SAFETY: forwarded from this function's contract.
        return unsafe { panels_outer::<S, T>(product, range, (packed_a, packed_b)) };
    }
    let (mr, nr) = (T::MR, T::NR);
    let slice = depth_slice(k);
    // A B whose rows are contiguous, small enough to stay in the caches, is read where it lies:
    // packing it would only copy it (the last, narrower panel aside).
    let b_in_place = b.column_stride == 1 && k * n <= IN_PLACE;
    // The same for A, whatever its layout: the kernels read one value of it at a time.
    let a_in_place = m * k <= IN_PLACE;
    // The buffers grow to what is packed, no more (a training thread's first product zeroes
    // them, so an unused size would cost page faults for nothing).
    let a_size = if a_in_place { 0 } else { slice * MC };
    let b_size = slice * if b_in_place { nr } else { NC.min(range.len()).next_multiple_of(nr) };
    grow(packed_a, a_size);
    grow(packed_b, b_size);
    for column in range.clone().step_by(NC) {
        let columns = NC.min(range.end - column);
        for depth in (0..k).step_by(slice) {
            let depths = slice.min(k - depth);
            // The first slice of the depth applies β; the others add to what it left.
            let slice = Slice { depths, column, beta: if depth == 0 { beta } else { S::ONE } };
            // The slice of B, or only the last, narrower panel of a B read in place.
            let packed_columns =
                if b_in_place { (column + columns / nr * nr, columns % nr) } else { (column, columns) };
            // SAFETY: the CPU runs the instruction set (this function's contract).
            unsafe { T::pack_b(b, (depth, depths), packed_columns, packed_b) };
            for row in (0..m).step_by(MC) {
                let rows = MC.min(m - row);
                if !a_in_place {
                    // SAFETY: as above.
                    unsafe { T::pack_a(a, (row, rows), (depth, depths), packed_a) };
                }
                for tile_row in (0..rows).step_by(mr) {
                    let a_panel = if a_in_place {
                        let first = (row + tile_row) * a.row_stride + depth * a.column_stride;
                        Rows { values: &a.data[first..], row_step: a.row_stride, depth_step: a.column_stride }
                    } else {
                        Rows { values: &packed_a[tile_row * depths..], row_step: 1, depth_step: mr }
                    };
                    for tile_column in (0..columns).step_by(nr) {
                        let b_panel = if !b_in_place {
                            Panel { values: &packed_b[tile_column * depths..], step: nr }
                        } else if tile_column + nr <= columns {
                            Panel { values: &b.data[depth * b.row_stride + column + tile_column..], step: b.row_stride }
                        } else {
                            Panel { values: packed_b, step: nr }
                        };
                        let tile_at = (row + tile_row, tile_column);
                        // SAFETY: forwarded from this function's contract.
                        unsafe { tile::<S, T>(product, slice, tile_at, (a_panel, b_panel), Ahead::NONE) };
                    }
                }
            }
        }
    }
}

/// Grows a packing buffer to `size` values, if it is smaller.
fn grow<S: Element>(buffer: &mut Vec<S>, size: usize) {
    if buffer.len() < size {
        buffer.resize(size, S::ZERO);
    }
}

/// The most bytes of A that [`panels_outer`] packs at once: half the L2 of the Emerald Rapids
/// Xeon it was measured on, all of a SkylakeX's.
const PACKED_A: usize = 1 << 20;

/// [`blocked`] for A's rows in one block: the depth by groups of slices whose packed A fits in
/// [`PACKED_A`] (all of it, for a batch of 256 through a 1024-wide layer); in each group,
/// B's NR-wide panels one after the other, each through the group's slices in order, packed
/// just before the column of tiles that reads it. The panel stays in L1 while A's panels
/// stream from L2, and so do C's columns under it from one slice to the next; B, read once,
/// never goes through L2 as a packed copy, and as they go the tiles ask for the next panel's
/// values (see [`Ahead`]). (On an AVX-512 Xeon, taking the slices of the wide network's
/// Z = A·Wᵀ panel by panel rather than one after the other made 256×784×1024 4 % faster,
/// 256×1024×1024 1 %.)
///
/// # Safety
/// As for [`blocked`].
#[inline(always)]
unsafe fn panels_outer<S: Element, T: Tiles<S>>(
    product: Blocked<'_, S>,
    range: Range<usize>,
    (packed_a, packed_b): (&mut Vec<S>, &mut Vec<S>),
) {
    let Blocked { shape: (m, k, n), a, b, beta, .. } = product;
    let (mr, nr) = (T::MR, T::NR);
    let slice = depth_slice(k);
    let b_in_place = b.column_stride == 1 && k * n <= IN_PLACE;
    let a_in_place = m * k <= IN_PLACE;
    let height = m.next_multiple_of(mr);
    // Depths per group: whole slices, at least one. Only where B's columns are contiguous
    // along the depth (Wᵀ), so that a panel's slices read on along the same rows: a row-major
    // B's panel would instead hop across that many more pages (dA = Δ·W lost 1.5 %).
    let slices = if b.row_stride == 1 { PACKED_A / (height * slice * size_of::<S>()) } else { 1 };
    let group = slices.clamp(1, k.div_ceil(slice)) * slice;
    grow(packed_a, if a_in_place { 0 } else { height * group.min(k) });
    grow(packed_b, slice * nr);
    let parts = m.div_ceil(mr);
    for first_depth in (0..k).step_by(group) {
        let group_end = k.min(first_depth + group);
        if !a_in_place {
            for depth in (first_depth..group_end).step_by(slice) {
                let packed = &mut packed_a[height * (depth - first_depth)..];
                // SAFETY: the CPU runs the instruction set (this function's contract).
                unsafe { T::pack_a(a, (0, m), (depth, slice.min(k - depth)), packed) };
            }
        }
        for tile_column in (0..range.len()).step_by(nr) {
            let (j, width) = (range.start + tile_column, nr.min(range.len() - tile_column));
            for depth in (first_depth..group_end).step_by(slice) {
                let depths = slice.min(k - depth);
                // The first slice of the depth applies β; the others add to what it left.
                let this = Slice { depths, column: range.start, beta: if depth == 0 { beta } else { S::ONE } };
                let b_panel = if b_in_place && width == nr {
                    Panel { values: &b.data[depth * b.row_stride + j..], step: b.row_stride }
                } else {
                    // SAFETY: as above.
                    unsafe { T::pack_b(b, (depth, depths), (j, width), packed_b) };
                    Panel { values: packed_b, step: nr }
                };
                // The panel packed next: the next slice's, else the next panel's first.
                let next = if depth + depths < group_end {
                    ((depth + depths, slice.min(k - depth - depths)), (j, width))
                } else {
                    ((first_depth, slice.min(k - first_depth)), (j + nr, nr.min(range.end.saturating_sub(j + nr))))
                };
                for (part, row) in (0..m).step_by(mr).enumerate() {
                    let a_panel = if a_in_place {
                        let first = row * a.row_stride + depth * a.column_stride;
                        Rows { values: &a.data[first..], row_step: a.row_stride, depth_step: a.column_stride }
                    } else {
                        let first = height * (depth - first_depth) + row * depths;
                        Rows { values: &packed_a[first..], row_step: 1, depth_step: mr }
                    };
                    let ahead = Ahead::of(b, next.0, next.1, (part, parts));
                    // SAFETY: forwarded from this function's contract.
                    unsafe { tile::<S, T>(product, this, (row, tile_column), (a_panel, b_panel), ahead) };
                }
            }
        }
    }
}

/// Where [`blocked`] is: a slice of `depths` steps along the depth, in the block of columns
/// from `column`, with its β.
#[derive(Clone, Copy)]
struct Slice<S> {
    depths: usize,
    column: usize,
    beta: S,
}

/// The tile of C from row `i`, column `column + tile_column` over the `slice`, by the full
/// kernel or, at C's edges, the one sized to it.
///
/// # Safety
/// As for [`blocked`]; the panels hold the slice's depths for the tile.
#[inline(always)]
unsafe fn tile<S: Element, T: Tiles<S>>(
    product: Blocked<'_, S>,
    slice: Slice<S>,
    (i, tile_column): (usize, usize),
    (a, b): (Rows<'_, S>, Panel<'_, S>),
    ahead: Ahead<S>,
) {
    let Blocked { shape: (m, _, n), alpha, c, .. } = product;
    let j = slice.column + tile_column;
    let tile = (T::MR.min(m - i), T::NR.min(n - j));
    // SAFETY: the panels hold `depths` steps of MR and NR values, and the tile (`tile` within C
    // from (i, j)) lies inside C's m×n values.
    unsafe {
        let product = Tile { depths: slice.depths, alpha, a, b, beta: slice.beta, c: c.at(i, j), ahead };
        if tile == (T::MR, T::NR) {
            T::tile(product);
        } else {
            T::edge_tile(product, tile);
        }
    }
}

/// How many steps along the depth a kernel asks for its panels' values ahead of their use.
pub(super) const AHEAD: usize = 16;

/// The bytes of a cache line, the unit of [`prefetch`].
pub(super) const LINE: usize = 64;

/// Asks for the cache line holding `value` before it is used: a hint, which changes no value.
/// The kernels ask for both panels' values [`AHEAD`]: the streamed panel's jumps from one to
/// the next escape the hardware prefetchers (asked, the products of the wide network's step ran
/// 5 % faster on an AVX-512 Xeon).
#[inline(always)]
pub(super) fn prefetch<S>(value: *const S) {
    prefetch_into::<INTO_L1, S>(value)
}

/// x86's `_MM_HINT_T0` and `_MM_HINT_T1`: the line brought into L1, or into L2.
const INTO_L1: i32 = 3;
const INTO_L2: i32 = 2;
#[cfg(target_arch = "x86_64")]
const _: () = assert!(INTO_L1 == std::arch::x86_64::_MM_HINT_T0 && INTO_L2 == std::arch::x86_64::_MM_HINT_T1);

/// Asks for the cache line holding `value` to be brought into the cache `LEVEL` names
/// ([`INTO_L1`] or [`INTO_L2`]). Nothing on other architectures.
#[inline(always)]
fn prefetch_into<const LEVEL: i32, S>(value: *const S) {
    // SAFETY: a prefetch reads nothing, and cannot fault, whatever the address.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<LEVEL>(value.cast::<i8>())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Cache lines a kernel asks to have brought into L2 as it computes, one every
/// [`Ahead::EVERY`] steps along the depth: a part of the next panel of B, which is then packed
/// from L2 instead of L3 (reading B from L3 while packing was a tenth of the wide network's
/// products). Hints only, which change no value.
#[derive(Clone, Copy)]
pub(super) struct Ahead<S> {
    /// The first value of the segment being asked for: a row or column of B, contiguous.
    segment: *const S,
    /// Where the next line is in the segment, in values.
    offset: usize,
    /// Values in each segment.
    length: usize,
    /// From one segment to the next, in values.
    segment_step: usize,
    /// Segments left to ask for, the current one included.
    segments: usize,
}

impl<S> Ahead<S> {
    /// Steps along the depth from one line asked for to the next.
    pub const EVERY: usize = 4;
    /// Nothing to ask for.
    pub const NONE: Self = Ahead { segment: std::ptr::null(), offset: 0, length: 1, segment_step: 0, segments: 0 };

    /// Part `part` of `parts` of B's values at `depths`, `columns`, taken along whichever of
    /// B's dimensions is contiguous (nothing where neither is).
    #[inline(always)]
    fn of(
        b: Strided<'_, S>,
        (depth, depths): (usize, usize),
        (column, columns): (usize, usize),
        (part, parts): (usize, usize),
    ) -> Self {
        let (segments, segment_step, length) = match (b.row_stride, b.column_stride) {
            (_, 1) => (depths, b.row_stride, columns),
            (1, _) => (columns, b.column_stride, depths),
            _ => return Self::NONE,
        };
        if length == 0 {
            return Self::NONE;
        }
        let (first, last) = (segments * part / parts, segments * (part + 1) / parts);
        let corner = b.data.as_ptr().wrapping_add(depth * b.row_stride + column * b.column_stride);
        Ahead {
            segment: corner.wrapping_add(first * segment_step),
            offset: 0,
            length,
            segment_step,
            segments: last - first,
        }
    }

    /// Asks for the next line, if any is left: each of a segment's lines, its last value's
    /// included (segments need not start on a line).
    #[inline(always)]
    pub fn next(&mut self) {
        if self.segments == 0 {
            return;
        }
        let offset = self.offset.min(self.length - 1);
        prefetch_into::<INTO_L2, S>(self.segment.wrapping_add(offset));
        if offset == self.length - 1 {
            (self.segment, self.offset, self.segments) =
                (self.segment.wrapping_add(self.segment_step), 0, self.segments - 1);
        } else {
            self.offset += LINE / size_of::<S>();
        }
    }
}

/// The values of A a kernel reads: row r of depth d at `values[r·row_step + d·depth_step]` (a
/// packed panel, steps 1 and MR, or A itself, steps its strides).
#[derive(Clone, Copy)]
pub(super) struct Rows<'a, S = f32> {
    pub values: &'a [S],
    pub row_step: usize,
    pub depth_step: usize,
}

/// The values of B a kernel reads: depth d's at `values[d·step..]`, NR of them (a packed panel,
/// `step` = NR, or B itself, `step` = its row stride).
#[derive(Clone, Copy)]
pub(super) struct Panel<'a, S = f32> {
    pub values: &'a [S],
    pub step: usize,
}

/// What a kernel computes: `C ← α·Ã·B̃ + β·C` over `depths` steps, C from the tile's corner;
/// and the lines it asks for as it goes ([`Ahead`]).
///
/// In the order written (`repr(C)`), α and β apart: side by side, a kernel read the two f64s the
/// caller had just stored one by one in a single 16-byte load, which waits for both stores to
/// leave the store buffer (a fifth of a small f64 tile's time).
#[derive(Clone, Copy)]
#[repr(C)]
pub(super) struct Tile<'a, S = f32> {
    pub depths: usize,
    pub alpha: S,
    pub a: Rows<'a, S>,
    pub b: Panel<'a, S>,
    pub beta: S,
    pub c: Output<S>,
    pub ahead: Ahead<S>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::{GemmKernel, InstructionSet, Path};

    fn naive(m: usize, k: usize, n: usize, a: Strided<'_, f32>, b: Strided<'_, f32>) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| f64::from(a.at(i, p)) * f64::from(b.at(p, j))).sum();
            }
        }
        c
    }

    /// What every kernel must compute, to the bit: for each value of C, over each depth slice,
    /// `sum ← a·b + sum` fused from zero, then `α·sum + β·C` (β = 1 after the first slice).
    fn fused_chain<S: Element>(
        m: usize,
        k: usize,
        n: usize,
        (alpha, beta): (S, S),
        a: Strided<'_, S>,
        b: Strided<'_, S>,
        c: &mut [S],
    ) {
        let slice = depth_slice(k);
        for (i, j) in (0..m).flat_map(|i| (0..n).map(move |j| (i, j))) {
            for depth in (0..k).step_by(slice) {
                let sum = (depth..k.min(depth + slice)).fold(S::ZERO, |sum, p| a.at(i, p).mul_add(b.at(p, j), sum));
                let beta = if depth == 0 { beta } else { S::ONE };
                let value = alpha * sum;
                c[i * n + j] = if beta == S::ZERO { value } else { value + beta * c[i * n + j] };
            }
        }
    }

    /// The paths of every instruction set this CPU runs, for a product of depth `k`.
    fn paths(k: usize) -> Vec<Path> {
        let shallow = k <= crate::kernels::plan::SHALLOW_DEPTH;
        InstructionSet::available()
            .flat_map(|set| [Some(Path::Packed(set)), shallow.then_some(Path::Shallow(set))])
            .flatten()
            .collect()
    }

    /// The four layouts of A (m×k) and B (k×n) stored row-major or transposed.
    fn layouts<'a, S: Copy>(
        (m, k, n): (usize, usize, usize),
        a: &'a [S],
        b: &'a [S],
    ) -> Vec<(Strided<'a, S>, Strided<'a, S>)> {
        let a_layouts =
            [(k, 1), (1, m)].map(|(row_stride, column_stride)| Strided { data: a, row_stride, column_stride });
        let b_layouts =
            [(n, 1), (1, k)].map(|(row_stride, column_stride)| Strided { data: b, row_stride, column_stride });
        a_layouts.iter().flat_map(|&a| b_layouts.iter().map(move |&b| (a, b))).collect()
    }

    #[test]
    fn every_instruction_set_tile_size_and_transposition_gives_the_fused_chain_to_the_bit() {
        every_path_gives_the_fused_chain::<f32>(|value| value.to_bits().into());
        every_path_gives_the_fused_chain::<f64>(f64::to_bits);
    }

    fn every_path_gives_the_fused_chain<S: Element>(bits: fn(S) -> u64) {
        // Iris's products (150 samples, 4 → 100 → 3), ones with two depth slices, narrow ones
        // large enough to be split across two threads (the second by rows, transposed), ones
        // wider than a register at each edge (an edge tile of each number of registers, 4-lane
        // ones included), one of each order of `blocked`'s loops, and shallow ones around the
        // depth where the two kernels meet.
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
            (25, 40, 49),
            (13, 9, 33),
            (10, 20, 27),
            // More rows than one block (A packed by blocks of rows, in two depth slices; B
            // read in place but for its last, narrower panel), and more than those blocks hold.
            (300, 260, 40),
            (300, 900, 20),
            // One block whose packed A, two slices or more, fills more than one group of slices.
            (12, 22000, 20),
            // Shallow ones: narrower than a register, 8 columns, a last block that overlaps.
            (7, 5, 3),
            (9, 2, 8),
            (33, 8, 13),
            (4, 9, 2),
        ];
        // (Other tests may run meanwhile: the number of threads changes no bit of theirs either.)
        crate::set_threads(2);
        let values = |count: usize, scale: f64, f: fn(f64) -> f64| -> Vec<S> {
            (0..count).map(|i| S::from_f64(f(i as f64 * scale))).collect()
        };
        for (m, k, n) in shapes {
            let a_values = values(m * k, 0.37, f64::sin);
            let b_values = values(k * n, 0.71, f64::cos);
            for (a, b) in layouts((m, k, n), &a_values, &b_values) {
                for (alpha, beta) in [(1.0, 0.0), (1.0, 1.0), (0.5, -0.25)] {
                    let (alpha, beta) = (S::from_f64(alpha), S::from_f64(beta));
                    let start = values(m * n, 0.13, f64::sin);
                    let mut want = start.clone();
                    fused_chain(m, k, n, (alpha, beta), a, b, &mut want);
                    let bits = |values: &[S]| values.iter().map(|&value| bits(value)).collect::<Vec<_>>();
                    for path in paths(k) {
                        let mut got = start.clone();
                        S::product(path, (m, k, n), alpha, a, b, beta, &mut got);
                        assert_eq!(
                            bits(&got),
                            bits(&want),
                            "{} {path:?} {m}×{k}×{n}, strides {:?} {:?}, α={alpha} β={beta}",
                            S::NAME,
                            (a.row_stride, a.column_stride),
                            (b.row_stride, b.column_stride)
                        );
                    }
                }
            }
        }
        crate::set_threads(1);
    }

    #[test]
    fn every_shape_and_layout_matches_the_triple_loop() {
        let shapes = [(2, 2, 2), (6, 256, 16), (7, 300, 17), (150, 513, 33), (13, 5, 4100), (64, 784, 128)];
        for (m, k, n) in shapes {
            let a_values: Vec<f32> = (0..m * k).map(|i| ((i as f32) * 0.37).sin()).collect();
            let b_values: Vec<f32> = (0..k * n).map(|i| ((i as f32) * 0.71).cos()).collect();
            for (a, b) in layouts((m, k, n), &a_values, &b_values) {
                let expected = naive(m, k, n, a, b);
                for beta in [0.0f32, 1.0, -0.5] {
                    let start: Vec<f32> = (0..m * n).map(|i| if beta == 0.0 { f32::NAN } else { i as f32 }).collect();
                    for path in paths(k) {
                        let mut c = start.clone();
                        f32::product(path, (m, k, n), 2.0, a, b, beta, &mut c);
                        for (index, (&got, &want)) in c.iter().zip(&expected).enumerate() {
                            let want = 2.0 * want + if beta == 0.0 { 0.0 } else { f64::from(beta * start[index]) };
                            let tolerance = 1e-4 * (1.0 + want.abs()) * (k as f64).sqrt();
                            assert!(
                                (f64::from(got) - want).abs() < tolerance,
                                "{path:?} {m}×{k}×{n} β={beta} at {index}: {got} vs {want}"
                            );
                        }
                    }
                }
            }
        }
    }
}
