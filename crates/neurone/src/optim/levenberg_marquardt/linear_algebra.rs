//! The dense linear algebra of a Levenberg–Marquardt step, in f64: the normal matrix JᵀJ, its
//! Cholesky factorisation and the two triangular solves.
//!
//! Every loop runs along contiguous rows with a fixed order of operations and no fused
//! multiply-add, so the compiler's vectorisation changes the speed and never a bit: the same
//! step on every CPU. Only the upper triangle of a symmetric matrix is read or written.

/// Adds the Gram matrix of `rows` (each `width` long) to the upper triangle of `upper`
/// (`width × width`): `A ← A + Jᵀ J`, one rank-one update `A ← A + rᵀ r` per row r, in the
/// order of the rows. Four rows share each pass over A (a quarter of its loads and stores),
/// their terms added one after the other as four passes would.
pub(crate) fn add_gram(rows: &[f64], width: usize, upper: &mut [f64]) {
    let mut blocks = rows.chunks_exact(4 * width);
    for block in &mut blocks {
        let (r0, rest) = block.split_at(width);
        let (r1, rest) = rest.split_at(width);
        let (r2, r3) = rest.split_at(width);
        for i in 0..width {
            let (v0, v1, v2, v3) = (r0[i], r1[i], r2[i], r3[i]);
            let target = &mut upper[i * width + i..(i + 1) * width];
            let columns = r0[i..].iter().zip(&r1[i..]).zip(&r2[i..]).zip(&r3[i..]);
            for (a, (((&x0, &x1), &x2), &x3)) in target.iter_mut().zip(columns) {
                *a = *a + v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3;
            }
        }
    }
    for row in blocks.remainder().chunks_exact(width) {
        for (i, &value) in row.iter().enumerate() {
            let target = &mut upper[i * width + i..(i + 1) * width];
            for (a, &r) in target.iter_mut().zip(&row[i..]) {
                *a += value * r;
            }
        }
    }
}

/// Factorises the symmetric positive definite `matrix` (`n × n`, upper triangle read) as
/// `A = Uᵀ U` with U upper triangular, written over the upper triangle. Returns false, leaving
/// the matrix partly overwritten, if A is not positive definite to working precision.
///
/// Outer-product form: row i of U is row i of what remains divided by √(its diagonal), and
/// the rows below lose the rank-one update `uᵢᵀ uᵢ`.
pub(crate) fn cholesky(matrix: &mut [f64], n: usize) -> bool {
    for i in 0..n {
        let pivot = matrix[i * n + i];
        if !(pivot > 0.0 && pivot.is_finite()) {
            return false;
        }
        let diagonal = pivot.sqrt();
        let (done, rest) = matrix.split_at_mut((i + 1) * n);
        let row = &mut done[i * n + i..];
        row[0] = diagonal;
        row[1..].iter_mut().for_each(|value| *value /= diagonal);
        for (k, below) in rest.chunks_exact_mut(n).enumerate() {
            let factor = row[k + 1];
            if factor == 0.0 {
                continue;
            }
            let (start, end) = (i + 1 + k, n);
            for (a, &u) in below[start..end].iter_mut().zip(&row[k + 1..]) {
                *a -= factor * u;
            }
        }
    }
    true
}

/// Solves `Uᵀ U x = b` in place (b becomes x), U from [`cholesky`].
pub(crate) fn solve_cholesky(factor: &[f64], n: usize, b: &mut [f64]) {
    // Uᵀ y = b, column by column of Uᵀ (row by row of U).
    for i in 0..n {
        let row = &factor[i * n..(i + 1) * n];
        b[i] /= row[i];
        let y = b[i];
        for (later, &u) in b[i + 1..].iter_mut().zip(&row[i + 1..]) {
            *later -= u * y;
        }
    }
    // U x = y, from the last row up.
    for i in (0..n).rev() {
        let row = &factor[i * n..(i + 1) * n];
        let known: f64 = row[i + 1..].iter().zip(&b[i + 1..]).map(|(u, x)| u * x).sum();
        b[i] = (b[i] - known) / row[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full symmetric matrix from its upper triangle.
    fn symmetric(upper: &[f64], n: usize) -> Vec<f64> {
        (0..n * n).map(|k| if k % n >= k / n { upper[k] } else { upper[(k % n) * n + k / n] }).collect()
    }

    #[test]
    fn four_rows_at_once_give_the_bits_of_one_row_at_a_time() {
        let rows: Vec<f64> = (0..7 * 5).map(|k| ((k * 37 % 11) as f64 - 5.0) / 3.0).collect();
        let mut blocked = vec![0.0; 25];
        add_gram(&rows, 5, &mut blocked);
        let mut one_by_one = vec![0.0; 25];
        for row in rows.chunks_exact(5) {
            add_gram(row, 5, &mut one_by_one);
        }
        assert_eq!(blocked, one_by_one);
    }

    #[test]
    fn the_gram_matrix_is_the_sum_of_outer_products() {
        let rows = [1.0, 2.0, 0.0, -1.0, 0.5, 3.0];
        let mut upper = vec![0.0; 9];
        add_gram(&rows, 3, &mut upper);
        // JᵀJ by hand: columns (1, −1), (2, 0.5), (0, 3).
        assert_eq!(symmetric(&upper, 3), [2.0, 1.5, -3.0, 1.5, 4.25, 1.5, -3.0, 1.5, 9.0]);
    }

    #[test]
    fn a_solve_reproduces_the_right_hand_side() {
        // A = [[4, 2, 0.6], [2, 5, 1], [0.6, 1, 3]], symmetric positive definite.
        let matrix = [4.0, 2.0, 0.6, 0.0, 5.0, 1.0, 0.0, 0.0, 3.0];
        let mut factor = matrix;
        assert!(cholesky(&mut factor, 3));
        // U's first row by hand: √4 = 2, then 2/2 = 1, 0.6/2 = 0.3.
        assert_eq!(&factor[..3], &[2.0, 1.0, 0.3]);
        let b = [1.0, -2.0, 0.5];
        let mut x = b;
        solve_cholesky(&factor, 3, &mut x);
        let full = symmetric(&matrix, 3);
        for i in 0..3 {
            let ax: f64 = (0..3).map(|j| full[i * 3 + j] * x[j]).sum();
            assert!((ax - b[i]).abs() < 1e-14, "row {i}: {ax} vs {}", b[i]);
        }
    }

    #[test]
    fn an_indefinite_matrix_is_reported() {
        let mut matrix = [1.0, 2.0, 0.0, 1.0];
        assert!(!cholesky(&mut matrix, 2), "[[1, 2], [2, 1]] has eigenvalue −1");
    }
}
