//! A dense row-major matrix: a batch of samples stored as rows (n × features).

use crate::{Error, Scalar};

/// A dense, row-major matrix. A batch of `n` samples with `d` features is an `n × d` matrix.
///
/// ```
/// use neurone::Matrix;
/// let x = Matrix::new(2, 3, vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
/// assert_eq!(x.row(1), &[4.0, 5.0, 6.0]);
/// assert_eq!(x[(0, 2)], 3.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix<S> {
    rows: usize,
    cols: usize,
    data: Vec<S>,
}

impl<S: Scalar> Matrix<S> {
    /// Wraps `data` (row-major, `rows × cols` values) as a matrix.
    pub fn new(rows: usize, cols: usize, data: Vec<S>) -> Result<Self, Error> {
        if data.len() != rows * cols {
            return Err(Error::Shape(format!(
                "a {rows}×{cols} matrix needs {} values, got {}",
                rows * cols,
                data.len()
            )));
        }
        Ok(Self { rows, cols, data })
    }

    /// A `rows × cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self { rows, cols, data: vec![S::ZERO; rows * cols] }
    }

    /// Builds a matrix from its rows; all rows must have the same length.
    pub fn from_rows<R: AsRef<[S]>>(rows: &[R]) -> Result<Self, Error> {
        let cols = rows.first().map_or(0, |row| row.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (index, row) in rows.iter().enumerate() {
            let row = row.as_ref();
            if row.len() != cols {
                return Err(Error::Shape(format!("row {index} has {} values, the first row has {cols}", row.len())));
            }
            data.extend_from_slice(row);
        }
        Ok(Self { rows: rows.len(), cols, data })
    }

    /// A one-column matrix from a slice of values.
    pub fn column(values: &[S]) -> Self {
        Self { rows: values.len(), cols: 1, data: values.to_vec() }
    }

    /// Number of rows (samples).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (features).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Row `index` as a slice.
    pub fn row(&self, index: usize) -> &[S] {
        &self.data[index * self.cols..(index + 1) * self.cols]
    }

    /// Iterates over the rows.
    pub fn iter_rows(&self) -> impl Iterator<Item = &[S]> {
        // `max(1)` keeps `chunks_exact` valid for a zero-column matrix (which has no data).
        self.data.chunks_exact(self.cols.max(1))
    }

    /// All values, row after row.
    pub fn as_slice(&self) -> &[S] {
        &self.data
    }

    /// All values, row after row, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [S] {
        &mut self.data
    }

    /// The values, row after row.
    pub fn into_vec(self) -> Vec<S> {
        self.data
    }

    /// The same values in another scalar type (e.g. `f32` → `f64`).
    pub fn cast<T: Scalar>(&self) -> Matrix<T> {
        Matrix {
            rows: self.rows,
            cols: self.cols,
            data: self.data.iter().map(|&value| T::from_f64(value.to_f64())).collect(),
        }
    }

    /// The rows at `indices`, in that order, as a new matrix.
    pub fn select_rows(&self, indices: &[usize]) -> Self {
        let mut data = Vec::with_capacity(indices.len() * self.cols);
        for &index in indices {
            data.extend_from_slice(self.row(index));
        }
        Self { rows: indices.len(), cols: self.cols, data }
    }

    /// Puts row `order[i]` at row `i`, in place (`order` must be a permutation of the rows): the
    /// same rows as `select_rows(order)` without a second copy of the matrix. Each cycle of the
    /// permutation is followed with one row set aside.
    pub(crate) fn permute_rows(&mut self, order: &[usize]) {
        let cols = self.cols;
        let mut placed = vec![false; self.rows];
        let mut saved = Vec::with_capacity(cols);
        for start in 0..self.rows {
            if placed[start] {
                continue;
            }
            saved.clear();
            saved.extend_from_slice(self.row(start));
            let mut target = start;
            loop {
                placed[target] = true;
                let source = order[target];
                if source == start {
                    self.data[target * cols..(target + 1) * cols].copy_from_slice(&saved);
                    break;
                }
                self.data.copy_within(source * cols..(source + 1) * cols, target * cols);
                target = source;
            }
        }
    }

    /// Moves the rows from `at` on into a new matrix; this one keeps the first `at`. They move
    /// a piece at a time from the end, each piece's memory given back before the next is
    /// taken, so that the rows are never held twice (the new matrix's zeroed memory is not
    /// spent until it is written).
    pub(crate) fn split_off_rows(&mut self, at: usize) -> Self {
        const PIECE: usize = 1 << 18;
        let start = at * self.cols;
        let mut rest = vec![S::ZERO; self.data.len() - start];
        while self.data.len() > start {
            let from = start.max(self.data.len().saturating_sub(PIECE));
            rest[from - start..self.data.len() - start].copy_from_slice(&self.data[from..]);
            self.data.truncate(from);
            self.data.shrink_to_fit();
        }
        let rows = self.rows - at;
        self.rows = at;
        Self { rows, cols: self.cols, data: rest }
    }
}

impl<S> std::ops::Index<(usize, usize)> for Matrix<S> {
    type Output = S;
    fn index(&self, (row, col): (usize, usize)) -> &S {
        assert!(row < self.rows && col < self.cols, "index ({row}, {col}) out of a {}×{} matrix", self.rows, self.cols);
        &self.data[row * self.cols + col]
    }
}

impl<S> std::ops::IndexMut<(usize, usize)> for Matrix<S> {
    fn index_mut(&mut self, (row, col): (usize, usize)) -> &mut S {
        assert!(row < self.rows && col < self.cols, "index ({row}, {col}) out of a {}×{} matrix", self.rows, self.cols);
        &mut self.data[row * self.cols + col]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_rejects_a_wrong_number_of_values() {
        let error = Matrix::new(2, 2, vec![1.0f32; 3]).unwrap_err();
        assert!(error.to_string().contains("needs 4 values, got 3"), "{error}");
    }

    #[test]
    fn from_rows_rejects_ragged_rows() {
        let error = Matrix::from_rows(&[vec![1.0f64, 2.0], vec![3.0]]).unwrap_err();
        assert!(error.to_string().contains("row 1 has 1 values"), "{error}");
    }

    #[test]
    fn select_rows_gathers_in_order() {
        let m = Matrix::from_rows(&[[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]]).unwrap();
        assert_eq!(m.select_rows(&[2, 0]).as_slice(), &[5.0, 6.0, 1.0, 2.0]);
    }

    #[test]
    fn permute_rows_gives_the_rows_select_rows_gives() {
        let values: Vec<f32> = (0..14).map(|v| v as f32).collect();
        let m = Matrix::new(7, 2, values).unwrap();
        // Two cycles (0 → 3 → 5 → 0, 1 → 6 → 1), a fixed point and a swap.
        let order = [3, 6, 2, 5, 4, 0, 1];
        let mut permuted = m.clone();
        permuted.permute_rows(&order);
        assert_eq!(permuted, m.select_rows(&order));
        let rest = permuted.split_off_rows(5);
        assert_eq!((permuted, rest), (m.select_rows(&order[..5]), m.select_rows(&order[5..])));
    }
}
