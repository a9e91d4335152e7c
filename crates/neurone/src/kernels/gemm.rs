//! The one matrix product every layer goes through, and the plain loops of the products that
//! are really matrix–vector or outer ones.
//!
//! Storage is row-major `&[S]`; transposition is expressed by strides, so no operand is ever
//! copied or allocated. [`plan`] decides which kernel computes a product; the same arguments
//! always take the same path, so they always give the same bits.

use super::elementwise::in_one_pass;
use super::one_row::fused_row;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
use super::packed_gemm::sgemm;
use super::plan::{InstructionSet, Path, ScalarType, in_use, plan};
use crate::Scalar;

/// An operand read through strides: element (i, j) is at `data[i·row_stride + j·column_stride]`.
#[derive(Clone, Copy, Debug)]
pub struct Strided<'a, S> {
    /// The values, from element (0, 0) on.
    pub data: &'a [S],
    /// The step from one row to the next.
    pub row_stride: usize,
    /// The step from one column to the next.
    pub column_stride: usize,
}

impl<'a, S: Copy> Strided<'a, S> {
    /// The same values read as the transposed matrix.
    pub(super) fn transposed(self) -> Self {
        Strided { row_stride: self.column_stride, column_stride: self.row_stride, ..self }
    }

    /// `op(X)`, of `rows × columns`, for X stored row-major.
    pub(super) fn of(data: &'a [S], (rows, columns): (usize, usize), op: Op) -> Self {
        match op {
            Op::Plain => Strided { data, row_stride: columns, column_stride: 1 },
            Op::Transposed => Strided { data, row_stride: 1, column_stride: rows },
        }
    }

    /// Element (i, j).
    #[inline(always)]
    pub(super) fn at(&self, i: usize, j: usize) -> S {
        self.data[i * self.row_stride + j * self.column_stride]
    }
}

/// A product `C ← α·A·B + β·C` for A m×k and B k×n (C, m×n row-major, given apart).
#[derive(Clone, Copy)]
pub(super) struct Product<'a, S = f32> {
    pub shape: (usize, usize, usize),
    pub alpha: S,
    pub a: Strided<'a, S>,
    pub b: Strided<'a, S>,
    pub beta: S,
}

/// The f32 kernels of one instruction set: a [`Product`] into C, m×n row-major (row stride n),
/// every value of C by the chain of fused multiply-adds along the depth, in slices of
/// [`depth_slice`](super::packed_gemm::depth_slice) from zero, then `α·sum + β·C` (β = 1 after
/// the first slice), so that every instruction set gives the same bits. With `β = 0`, C's
/// contents are ignored.
pub(super) trait F32Kernels {
    /// The packed, register-blocked product ([`Path::Packed`]).
    fn packed(self, product: Product<'_>, c: &mut [f32]);
    /// The row-by-row product of depth at most 8 ([`Path::Shallow`]).
    fn shallow(self, product: Product<'_>, c: &mut [f32]);
}

/// The products of each scalar type: a supertrait of [`Scalar`], hidden from the documentation.
pub trait GemmKernel: Sized {
    /// The type, as [`plan`] knows it.
    const SCALAR: ScalarType;

    /// `C ← α·A·B + β·C` by `path` (one that [`plan`] gives for this type, other than
    /// [`Path::Loops`] and [`Path::OneRow`]), C m×n row-major.
    fn product(
        path: Path,
        shape: (usize, usize, usize),
        alpha: Self,
        a: Strided<'_, Self>,
        b: Strided<'_, Self>,
        beta: Self,
        c: &mut [Self],
    );
}

impl GemmKernel for f32 {
    const SCALAR: ScalarType = ScalarType::F32;

    fn product(
        path: Path,
        shape: (usize, usize, usize),
        alpha: f32,
        a: Strided<'_, f32>,
        b: Strided<'_, f32>,
        beta: f32,
        c: &mut [f32],
    ) {
        let (set, shallow) = match path {
            Path::Packed(set) => (set, false),
            Path::Shallow(set) => (set, true),
            Path::Loops | Path::OneRow => unreachable!("plan sends no f32 product to {path:?}"),
        };
        fn run(kernels: impl F32Kernels, shallow: bool, product: Product<'_>, c: &mut [f32]) {
            if shallow { kernels.shallow(product, c) } else { kernels.packed(product, c) }
        }
        let product = Product { shape, alpha, a, b, beta };
        match set {
            InstructionSet::Portable => run(super::portable::Portable, shallow, product, c),
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx2 => run(super::avx2::Avx2::detect().expect(AVAILABLE), shallow, product, c),
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx512 => run(super::avx512::Avx512::detect().expect(AVAILABLE), shallow, product, c),
            #[cfg(target_arch = "aarch64")]
            InstructionSet::Neon => run(super::neon::Neon::detect().expect(AVAILABLE), shallow, product, c),
        }
    }
}

impl GemmKernel for f64 {
    const SCALAR: ScalarType = ScalarType::F64;

    fn product(
        path: Path,
        shape: (usize, usize, usize),
        alpha: f64,
        a: Strided<'_, f64>,
        b: Strided<'_, f64>,
        beta: f64,
        c: &mut [f64],
    ) {
        let product = Product { shape, alpha, a, b, beta };
        match path {
            Path::Loops | Path::OneRow => unreachable!("plan sends no f64 product to {path:?}"),
            // (The portable set's chain is compiled for FMA where the CPU has it; the shallow
            // loop, for the instruction set in use only.)
            Path::Packed(InstructionSet::Portable) | Path::Shallow(InstructionSet::Portable) => {
                super::portable::fused_chain(product, c)
            }
            Path::Shallow(set) => super::shallow_chain::shallow_chain(set, product, c),
            #[cfg(target_arch = "x86_64")]
            Path::Packed(InstructionSet::Avx2) => sgemm(super::avx2::Avx2::detect().expect(AVAILABLE), product, c),
            #[cfg(target_arch = "x86_64")]
            Path::Packed(InstructionSet::Avx512) => {
                sgemm(super::avx512::Avx512::detect().expect(AVAILABLE), product, c)
            }
            #[cfg(target_arch = "aarch64")]
            Path::Packed(InstructionSet::Neon) => sgemm(super::neon::Neon::detect().expect(AVAILABLE), product, c),
        }
    }
}

/// Why a kernel's proof of its instruction set is there when [`plan`] chose it.
const AVAILABLE: &str = "plan is given only the instruction sets this CPU runs";

/// How a row-major operand enters a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// As stored.
    Plain,
    /// Transposed: a stored `r×c` matrix used as `c×r`.
    Transposed,
}

/// `C ← α·op(A)·op(B) + β·C` where `op(A)` is `m×k`, `op(B)` is `k×n` and `C` is `m×n`, by the
/// path [`plan`] gives.
///
/// With `β = 0` the previous contents of `C` are ignored (even NaN).
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm<S: Scalar>(
    (m, k, n): (usize, usize, usize),
    alpha: S,
    a: &[S],
    a_op: Op,
    b: &[S],
    b_op: Op,
    beta: S,
    c: &mut [S],
) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n, "gemm: operand too short");
    if m == 0 || n == 0 {
        return;
    }
    let c = &mut c[..m * n];
    if k == 0 {
        // An empty sum: C ← β·C.
        c.iter_mut().for_each(|value| *value = if beta == S::ZERO { S::ZERO } else { beta * *value });
        return;
    }
    match plan((m, k, n), a_op, b_op, S::SCALAR, in_use()) {
        Path::Loops => small_gemm((m, k, n), alpha, (a, a_op), (b, b_op), beta, c),
        Path::OneRow => in_one_pass(
            c,
            #[inline(always)]
            |c| fused_row(alpha, &a[..k], (&b[..k * n], b_op), beta, c),
        ),
        path => {
            let (a, b) = (Strided::of(a, (m, k), a_op), Strided::of(b, (k, n), b_op));
            S::product(path, (m, k, n), alpha, a, b, beta, c);
        }
    }
}

/// `C ← A·B` for row-major A (m×k), B (k×n) and C (m×n), as a layer computes it: for the
/// benchmarks, which time the products alone.
#[doc(hidden)]
pub fn matmul<S: Scalar>(shape: (usize, usize, usize), a: &[S], b: &[S], c: &mut [S]) {
    gemm(shape, S::ONE, a, Op::Plain, b, Op::Plain, S::ZERO, c);
}

/// `C ← α·op(A)·op(B) + β·C` with plain loops, each innermost loop running along contiguous
/// rows so that it vectorises (but for both operands transposed, which no layer uses).
fn small_gemm<S: Scalar>(
    (m, k, n): (usize, usize, usize),
    alpha: S,
    (a, a_op): (&[S], Op),
    (b, b_op): (&[S], Op),
    beta: S,
    c: &mut [S],
) {
    let (a, b) = (&a[..m * k], &b[..k * n]);
    // With k = 1 both operands are vectors, stored alike whether transposed or not: take the
    // outer-product loop.
    let (a_op, b_op) = if k == 1 { (Op::Plain, Op::Plain) } else { (a_op, b_op) };
    if beta == S::ZERO {
        c.fill(S::ZERO);
    } else if beta != S::ONE {
        c.iter_mut().for_each(|value| *value *= beta);
    }
    match (a_op, b_op) {
        // C[i][j] += α (row i of A)·(row j of B): Z = A·Wᵀ, both rows contiguous.
        (Op::Plain, Op::Transposed) => {
            for (c_row, a_row) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)) {
                for (c_value, b_row) in c_row.iter_mut().zip(b.chunks_exact(k)) {
                    *c_value += alpha * dot(a_row, b_row);
                }
            }
        }
        // Row i of C += α A[i][p] (row p of B): Δ·W.
        (Op::Plain, Op::Plain) => {
            for (c_row, a_row) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)) {
                for (&a_value, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
                    axpy(alpha * a_value, b_row, c_row);
                }
            }
        }
        // A is stored k×m; row i of C += α A[p][i] (row p of B), p outermost: Δᵀ·A.
        (Op::Transposed, Op::Plain) => {
            for (a_row, b_row) in a.chunks_exact(m).zip(b.chunks_exact(n)) {
                for (c_row, &a_value) in c.chunks_exact_mut(n).zip(a_row) {
                    axpy(alpha * a_value, b_row, c_row);
                }
            }
        }
        // C[i][j] += α Σₚ A[p][i] B[j][p], A stored k×m and B n×k.
        (Op::Transposed, Op::Transposed) => {
            for (i, c_row) in c.chunks_exact_mut(n).enumerate() {
                for (c_value, b_row) in c_row.iter_mut().zip(b.chunks_exact(k)) {
                    let sum: S = b_row.iter().enumerate().map(|(p, &b_value)| a[p * m + i] * b_value).sum();
                    *c_value += alpha * sum;
                }
            }
        }
    }
}

/// `y ← y + α·x`.
#[inline(always)]
fn axpy<S: Scalar>(alpha: S, x: &[S], y: &mut [S]) {
    y.iter_mut().zip(x).for_each(|(y, &x)| *y += alpha * x);
}

/// The lanes of [`dot`].
const LANES: usize = 16;

/// x·y, summed in 16 independent lanes which are then added in order, so that the loop
/// vectorises; the order of the additions depends only on the length, never on the machine.
#[inline(always)]
pub(super) fn dot<S: Scalar>(x: &[S], y: &[S]) -> S {
    let mut lanes = [S::ZERO; LANES];
    let (x_chunks, y_chunks) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
    let tail = x_chunks.remainder().iter().zip(y_chunks.remainder()).fold(S::ZERO, |sum, (&x, &y)| sum + x * y);
    for (x_chunk, y_chunk) in x_chunks.zip(y_chunks) {
        for lane in 0..LANES {
            lanes[lane] += x_chunk[lane] * y_chunk[lane];
        }
    }
    // Added one after the other: a pairwise tree here made the compiler use 2-wide vectors
    // for the whole loop, at twice the instructions.
    lanes.into_iter().fold(S::ZERO, |sum, lane| sum + lane) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook triple loop, to compare against.
    fn naive(m: usize, k: usize, n: usize, a: &[f64], a_op: Op, b: &[f64], b_op: Op) -> Vec<f64> {
        let at = |i: usize, p: usize| if a_op == Op::Plain { a[i * k + p] } else { a[p * m + i] };
        let bt = |p: usize, j: usize| if b_op == Op::Plain { b[p * n + j] } else { b[j * k + p] };
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| at(i, p) * bt(p, j)).sum();
            }
        }
        c
    }

    #[test]
    fn every_transposition_matches_the_triple_loop() {
        let (m, k, n) = (3, 5, 4);
        let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.71).cos()).collect();
        for a_op in [Op::Plain, Op::Transposed] {
            for b_op in [Op::Plain, Op::Transposed] {
                let expected = naive(m, k, n, &a, a_op, &b, b_op);
                let mut c = vec![f64::NAN; m * n];
                gemm((m, k, n), 1.0, &a, a_op, &b, b_op, 0.0, &mut c);
                for (got, want) in c.iter().zip(&expected) {
                    assert!((got - want).abs() < 1e-12, "{a_op:?}/{b_op:?}: {got} vs {want}");
                }
            }
        }
    }

    #[test]
    fn the_loops_and_the_kernel_agree_on_every_shape_they_share() {
        for (m, k, n) in [(1, 1, 1), (1, 37, 5), (4, 1, 16), (16, 16, 16), (5, 33, 2), (7, 3, 19)] {
            let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
            let b: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.71).cos()).collect();
            for (a_op, b_op) in
                [Op::Plain, Op::Transposed].into_iter().flat_map(|a_op| [(a_op, Op::Plain), (a_op, Op::Transposed)])
            {
                for beta in [0.0, 1.0, 0.5] {
                    let start: Vec<f64> = (0..m * n).map(|i| i as f64).collect();
                    let mut small = start.clone();
                    small_gemm((m, k, n), 2.0, (&a, a_op), (&b, b_op), beta, &mut small);
                    let mut kernel = start.clone();
                    let (a, b) = (Strided::of(&a, (m, k), a_op), Strided::of(&b, (k, n), b_op));
                    f64::product(Path::Packed(in_use()), (m, k, n), 2.0, a, b, beta, &mut kernel);
                    for (got, want) in small.iter().zip(&kernel) {
                        assert!((got - want).abs() < 1e-12, "{m}×{k}×{n} {a_op:?}/{b_op:?} β={beta}: {got} vs {want}");
                    }
                }
            }
        }
    }

    #[test]
    fn beta_zero_ignores_nan_in_c() {
        let mut c = [f32::NAN; 4];
        gemm((2, 1, 2), 1.0, &[1.0, 2.0], Op::Plain, &[3.0, 4.0], Op::Plain, 0.0, &mut c);
        assert_eq!(c, [3.0, 4.0, 6.0, 8.0]);
    }

    #[test]
    fn beta_one_accumulates_into_c() {
        let a = [1.0f32, 2.0];
        let b = [3.0f32, 4.0];
        let mut c = [10.0f32];
        gemm((1, 2, 1), 1.0, &a, Op::Plain, &b, Op::Plain, 1.0, &mut c);
        assert_eq!(c, [21.0]);
    }
}
