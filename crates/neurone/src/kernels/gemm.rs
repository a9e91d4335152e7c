//! The one matrix product every layer goes through.
//!
//! Storage is row-major `&[S]`; transposition is expressed by strides, so no operand is ever
//! copied or allocated. Two backends sit behind [`gemm`], chosen by shape alone (so the same
//! shapes always take the same path and give the same bits):
//!
//! - plain loops, which the compiler turns into SIMD code, for the products that are really
//!   matrix–vector or outer products: one row (a single sample), k = 1 (a one-input layer), and
//!   one output column against a row-major matrix (a one-output layer). There a blocked kernel
//!   spends more time packing its operands than multiplying: single-sample inference through a
//!   784×128 layer took 2.3 times as many instructions;
//! - a packed, register-blocked kernel for everything else (`kernels/packed_gemm.rs` in f32 with
//!   AVX2 and FMA, `matrixmultiply` otherwise): it beats plain loops from about 16×16×16 up,
//!   packing included, and splits large products across threads without changing a bit. In f32,
//!   the products of depth 8 or less (a layer of a few inputs) take a row-by-row loop instead
//!   (`kernels/shallow_gemm.rs`), whose values are the same to the bit.

use crate::Scalar;

/// The matrix product kernel of each scalar type: a supertrait of [`Scalar`], hidden from the
/// documentation (the benchmarks time it directly).
pub trait GemmKernel: Sized {
    /// `C ← α·A·B + β·C` on strided storage, as in BLAS `gemm`.
    ///
    /// # Safety
    /// The pointers and strides must describe valid, non-overlapping `m×k`, `k×n` and
    /// `m×n` matrices (the contract of [`matrixmultiply::sgemm`]).
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemm_kernel(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: *const Self,
        a_strides: (isize, isize),
        b: *const Self,
        b_strides: (isize, isize),
        beta: Self,
        c: *mut Self,
        c_strides: (isize, isize),
    );
}

macro_rules! impl_gemm_kernel {
    ($t:ident, $kernel:path) => {
        impl GemmKernel for $t {
            #[inline]
            unsafe fn gemm_kernel(
                m: usize,
                k: usize,
                n: usize,
                alpha: Self,
                a: *const Self,
                (rsa, csa): (isize, isize),
                b: *const Self,
                (rsb, csb): (isize, isize),
                beta: Self,
                c: *mut Self,
                (rsc, csc): (isize, isize),
            ) {
                // SAFETY: forwarded from this function's own contract.
                unsafe { $kernel(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) }
            }
        }
    };
}

impl_gemm_kernel!(f32, super::packed_gemm::sgemm_raw);
impl_gemm_kernel!(f64, matrixmultiply::dgemm);

/// How a row-major operand enters a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// As stored.
    Plain,
    /// Transposed: a stored `r×c` matrix used as `c×r`.
    Transposed,
}

/// `C ← α·op(A)·op(B) + β·C` where `op(A)` is `m×k`, `op(B)` is `k×n` and `C` is `m×n`.
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
    let matrix_vector = m == 1 || k == 1 || (n == 1 && b_op == Op::Transposed);
    if matrix_vector {
        small_gemm((m, k, n), alpha, (a, a_op), (b, b_op), beta, c);
        return;
    }
    let a_strides = match a_op {
        Op::Plain => (k as isize, 1),
        Op::Transposed => (1, m as isize),
    };
    let b_strides = match b_op {
        Op::Plain => (n as isize, 1),
        Op::Transposed => (1, k as isize),
    };
    // SAFETY: the lengths were checked above against the shapes the strides describe, and `c`
    // is a unique borrow, so it cannot overlap `a` or `b`.
    unsafe {
        S::gemm_kernel(
            m,
            k,
            n,
            alpha,
            a.as_ptr(),
            a_strides,
            b.as_ptr(),
            b_strides,
            beta,
            c.as_mut_ptr(),
            (n as isize, 1),
        );
    }
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

/// x·y, summed in 16 independent lanes which are then added in order, so that the loop
/// vectorises; the order of the additions depends only on the length, never on the machine.
#[inline(always)]
fn dot<S: Scalar>(x: &[S], y: &[S]) -> S {
    const LANES: usize = 16;
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
                    // SAFETY: row-major operands of the stated shapes, `kernel` borrowed uniquely.
                    unsafe {
                        let a_strides = if a_op == Op::Plain { (k as isize, 1) } else { (1, m as isize) };
                        let b_strides = if b_op == Op::Plain { (n as isize, 1) } else { (1, k as isize) };
                        let (a, b, c) = (a.as_ptr(), b.as_ptr(), kernel.as_mut_ptr());
                        f64::gemm_kernel(m, k, n, 2.0, a, a_strides, b, b_strides, beta, c, (n as isize, 1));
                    }
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
