//! The register tiles of the packed product, written once for every SIMD instruction set and
//! scalar type: a macro given the set's token, target features, scalar and vector types and the
//! handful of intrinsics the tiles use (`kernels/avx2.rs`, `kernels/avx512.rs` and
//! `kernels/neon.rs` call it, for f32 and for f64). For each value of C, whatever the vector width: `sum ← a·b + sum` fused, depth
//! after depth from zero, then `α·sum (+ β·C)`.

/// Implements [`Tiles`](super::packed_gemm::Tiles) for the instruction set's token, by
/// `kernel::<ROWS, LANES>` (a tile of `ROWS × LANES` registers) and `edge_kernel` (a tile at C's
/// edge, by the kernel sized to it: `edge_rows` and `edge_lanes` list the sizes, up to the
/// tile's), packing with [`pack_rows`](super::packing::pack_rows). `fused_multiply_add(a, b,
/// sum)` is `a·b + sum` rounded once. Its
/// functions are private to the block it expands to, so that one module may hold a set's tiles
/// for each scalar type.
macro_rules! register_tiles {
    (
        token: $token:ty,
        scalar: $scalar:ty,
        tile: ($mr:expr, $nr:expr),
        edge_rows: [$($rows:literal)*],
        edge_lanes: [$($lanes:literal)*],
        features: $features:literal,
        vector: $vector:ty,
        lane: $lane:expr,
        zero: $zero:path,
        splat: $splat:path,
        load: $load:path,
        store: $store:path,
        fused_multiply_add: $fmadd:path,
        multiply: $mul:path,
        add: $add:path $(,)?
    ) => {
        const _: () = {
            impl Tiles<$scalar> for $token {
                const MR: usize = $mr;
                const NR: usize = $nr;
                const LANE: usize = $lane;

                #[target_feature(enable = $features)]
                unsafe fn blocked(self, product: Blocked<'_, $scalar>, range: Range<usize>, buffers: (&mut Vec<$scalar>, &mut Vec<$scalar>)) {
                    // SAFETY: forwarded from this function's contract.
                    unsafe { blocked::<$scalar, Self>(product, range, buffers) }
                }

                #[inline(always)]
                unsafe fn tile(tile: Tile<'_, $scalar>) {
                    // SAFETY: forwarded from this function's contract.
                    unsafe { kernel::<{ $mr }, { $nr / $lane }>(tile, $nr) }
                }

                #[inline(always)]
                unsafe fn edge_tile(tile: Tile<'_, $scalar>, rows_and_columns: (usize, usize)) {
                    // SAFETY: forwarded from this function's contract.
                    unsafe { edge_kernel(tile, rows_and_columns) }
                }

                #[inline(always)]
                unsafe fn pack_a(a: Strided<'_, $scalar>, rows: (usize, usize), depths: (usize, usize), packed: &mut [$scalar]) {
                    // SAFETY: forwarded from this function's contract (`pack_rows` is compiled for
                    // AVX2 on x86-64, which comes with AVX-512, and for NEON on aarch64).
                    unsafe { pack_rows::<$scalar, { $mr }>(a, rows, depths, packed) }
                }

                #[inline(always)]
                unsafe fn pack_b(b: Strided<'_, $scalar>, depths: (usize, usize), columns: (usize, usize), packed: &mut [$scalar]) {
                    // B's columns are the rows of Bᵀ: packing B is packing Bᵀ as A is packed.
                    // SAFETY: as above.
                    unsafe { pack_rows::<$scalar, { $nr }>(b.transposed(), columns, depths, packed) }
                }
            }

            /// A tile at the edge of C, of `rows × columns` values (at most MR × NR), by the kernel
            /// sized to it: a 3-output layer or a 4-input one does only the multiply-adds it needs.
            /// Every kernel computes each value of C by the same chain of fused multiply-adds, so the
            /// size chosen changes no bit. (Out of line: inlined, its kernels would crowd the loop
            /// around full tiles.)
            ///
            /// # Safety
            /// As for [`kernel`].
            #[target_feature(enable = $features)]
            #[inline(never)]
            unsafe fn edge_kernel(tile: Tile<'_, $scalar>, (rows, columns): (usize, usize)) {
                // SAFETY: forwarded from this function's contract.
                unsafe {
                    match rows {
                        $($rows => edge_columns::<$rows>(tile, columns),)*
                        _ => unreachable!("a tile has 1 to {} rows", $mr),
                    }
                }
            }

            /// [`edge_kernel`] for tiles of `ROWS` rows: the kernel of as many registers as the
            /// `columns` need.
            ///
            /// # Safety
            /// As for [`kernel`].
            #[target_feature(enable = $features)]
            #[inline]
            unsafe fn edge_columns<const ROWS: usize>(tile: Tile<'_, $scalar>, columns: usize) {
                // SAFETY: forwarded from this function's contract; each kernel covers the tile.
                unsafe {
                    match columns.div_ceil($lane) {
                        $($lanes => kernel::<ROWS, $lanes>(tile, columns),)*
                        _ => unreachable!("a tile has 1 to {} columns", $nr),
                    }
                }
            }

            /// The `ROWS × LANE·LANES` tile `C ← α·Ã·B̃ + β·C` over `depths` packed steps, in
            /// `ROWS·LANES` accumulators: for each value, `sum ← a·b + sum` fused, depth after depth
            /// from zero, then `α·sum (+ β·C)`. Only the first `columns` columns are written (edges
            /// of C).
            ///
            /// # Safety
            /// The CPU runs the target features; `a` must hold `depths` steps of `ROWS` rows and `b`
            /// `depths` steps of `LANE·LANES` values; `c` starts at the tile's corner in a matrix
            /// that covers the tile, which no one else reads or writes meanwhile.
            #[target_feature(enable = $features)]
            unsafe fn kernel<const ROWS: usize, const LANES: usize>(tile: Tile<'_, $scalar>, columns: usize) {
                let Tile { depths, alpha, a, b, beta, c, mut ahead } = tile;
                assert!(ROWS <= $mr && LANES * $lane <= $nr && depths > 0);
                assert!(a.values.len() > (depths - 1) * a.depth_step + (ROWS - 1) * a.row_step);
                assert!(b.values.len() >= (depths - 1) * b.step + LANES * $lane);
                use $crate::kernels::packed_gemm::{AHEAD, Ahead, LINE, prefetch};
                let mut sums: [[$vector; LANES]; ROWS] = [[$zero(); LANES]; ROWS];
                let (mut a_ptr, mut b_ptr) = (a.values.as_ptr(), b.values.as_ptr());
                for step in 0..depths {
                    if step % Ahead::<$scalar>::EVERY == 0 {
                        ahead.next();
                    }
                    // The values AHEAD steps on, of whichever panel streams from L2 (see `blocked`).
                    prefetch(a_ptr.wrapping_add(AHEAD * a.depth_step));
                    for line in (0..LANES * $lane).step_by(LINE / size_of::<$scalar>()) {
                        prefetch(b_ptr.wrapping_add(AHEAD * b.step + line));
                    }
                    // SAFETY: within the panels, as asserted above.
                    unsafe {
                        let mut b_values: [$vector; LANES] = [$zero(); LANES];
                        for (lane, b_value) in b_values.iter_mut().enumerate() {
                            *b_value = $load(b_ptr.add(lane * $lane));
                        }
                        for (r, sum) in sums.iter_mut().enumerate() {
                            let a_value = $splat(*a_ptr.add(r * a.row_step));
                            for lane in 0..LANES {
                                sum[lane] = $fmadd(a_value, b_values[lane], sum[lane]);
                            }
                        }
                        // (Wrapping: after the last depth, a pointer into A or B may point past its end.)
                        a_ptr = a_ptr.wrapping_add(a.depth_step);
                        b_ptr = b_ptr.wrapping_add(b.step);
                    }
                }
                if columns == LANES * $lane && c.column_stride == 1 {
                    // Whole rows: straight from the registers to C, in the same operations as below
                    // (but for products by 1, which change no bit).
                    let (alpha_is_one, alpha) = (alpha == 1.0, $splat(alpha));
                    let (beta_is_used, beta_is_one, beta) = (beta != 0.0, beta == 1.0, $splat(beta));
                    for (r, sum) in sums.iter().enumerate() {
                        for (lane, &sum) in sum.iter().enumerate() {
                            // SAFETY: row r of the tile lies within C, and is this call's alone (see above).
                            unsafe {
                                let c_values = c.at(r, lane * $lane).data;
                                let mut values = if alpha_is_one { sum } else { $mul(alpha, sum) };
                                if beta_is_used {
                                    let old = $load(c_values);
                                    values = $add(values, if beta_is_one { old } else { $mul(beta, old) });
                                }
                                $store(c_values, values);
                            }
                        }
                    }
                    return;
                }
                let alpha = $splat(alpha);
                let mut scaled: [[$scalar; $nr]; ROWS] = [[0.0; $nr]; ROWS];
                for (values, sum) in scaled.iter_mut().zip(&sums) {
                    for (lane, &sum) in sum.iter().enumerate() {
                        // SAFETY: each row of `scaled` holds NR ≥ LANE·LANES values.
                        unsafe { $store(values.as_mut_ptr().add(lane * $lane), $mul(alpha, sum)) };
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
        };
    };
}

pub(super) use register_tiles;
