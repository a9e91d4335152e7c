//! The one matrix product every layer goes through.
//!
//! Storage is row-major `&[S]`; transposition is expressed by strides, so no operand is ever
//! copied or allocated. The kernel is `matrixmultiply`'s single-threaded gemm: it picks
//! AVX2/FMA at run time and gives the same bits run after run.

use crate::Scalar;

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
    fn beta_one_accumulates_into_c() {
        let a = [1.0f32, 2.0];
        let b = [3.0f32, 4.0];
        let mut c = [10.0f32];
        gemm((1, 2, 1), 1.0, &a, Op::Plain, &b, Op::Plain, 1.0, &mut c);
        assert_eq!(c, [21.0]);
    }
}
