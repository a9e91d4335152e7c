//! Sparse inputs: rows stored as their non-zero values (compressed sparse rows, scipy's CSR),
//! gathered into dense rows a batch at a time, so that a wide, mostly-zero input (TF-IDF, one-hot
//! words) never needs its whole dense matrix.

use crate::{Error, Scalar};

/// Rows of `width` inputs in compressed sparse row form, borrowed: row `i`'s non-zero values
/// are `values[row_starts[i]..row_starts[i + 1]]`, in the columns `columns[..]` at the same
/// positions — scipy's `csr_matrix` `data`, `indices` and `indptr`.
///
/// A row is read by [`SparseRows::write_row`] into a dense row, the values added in storage
/// order as scipy's `toarray()` adds them: the dense row is the one `toarray()` gives, so
/// training on it gives the bits of training on the dense matrix.
///
/// ```
/// use neurone::data::SparseRows;
/// // [[0, 2, 0], [0, 0, 0], [1, 0, 3]]
/// let rows = SparseRows::new(&[2.0f32, 1.0, 3.0], &[1, 0, 2], &[0, 1, 1, 3], 3)?;
/// let mut row = [9.0; 3];
/// rows.write_row(2, &mut row);
/// assert_eq!((rows.len(), row), (3, [1.0, 0.0, 3.0]));
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SparseRows<'a, S> {
    values: &'a [S],
    columns: &'a [usize],
    row_starts: &'a [usize],
    width: usize,
    /// Every row's columns strictly increase (scipy's canonical format: sorted, no duplicates).
    canonical: bool,
}

impl<'a, S: Scalar> SparseRows<'a, S> {
    /// Rows of `width` columns from their non-zero `values`, the column of each, and where each
    /// row starts in them (one start per row, then the end: `values.len()`); checked once here
    /// so that reading a row cannot go out of bounds.
    pub fn new(values: &'a [S], columns: &'a [usize], row_starts: &'a [usize], width: usize) -> Result<Self, Error> {
        let shape = |reason: String| Err(Error::Shape(format!("sparse rows: {reason}")));
        if columns.len() != values.len() {
            return shape(format!("{} values but {} column indices", values.len(), columns.len()));
        }
        if row_starts.first() != Some(&0) || row_starts.last() != Some(&values.len()) {
            return shape(format!("the row starts must go from 0 to the {} values", values.len()));
        }
        if let Some(row) = row_starts.windows(2).position(|pair| pair[0] > pair[1]) {
            return shape(format!("row {row} ends before it starts"));
        }
        if let Some(&column) = columns.iter().find(|&&column| column >= width) {
            return shape(format!("column index {column} is out of the {width} columns"));
        }
        let canonical = row_starts.windows(2).all(|row| columns[row[0]..row[1]].is_sorted_by(|a, b| a < b));
        Ok(Self { values, columns, row_starts, width, canonical })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.row_starts.len() - 1
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of columns.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether every row's columns strictly increase (sorted, none stored twice), as in scipy's
    /// canonical format: the depth order a product along the row needs.
    pub fn is_canonical(&self) -> bool {
        self.canonical
    }

    /// Row `index`'s stored columns and values, in storage order.
    pub fn row(&self, index: usize) -> (&'a [usize], &'a [S]) {
        let stored = self.row_starts[index]..self.row_starts[index + 1];
        (&self.columns[stored.clone()], &self.values[stored])
    }

    /// The rows `indices`, gathered into `buffers` (grown to the largest gathering, then
    /// reused): a minibatch of sparse rows.
    pub(crate) fn gather<'b>(&self, indices: &[usize], buffers: &'b mut SparseBuffers<S>) -> SparseRows<'b, S> {
        let SparseBuffers { values, columns, row_starts } = buffers;
        values.clear();
        columns.clear();
        row_starts.clear();
        row_starts.push(0);
        for &index in indices {
            let (row_columns, row_values) = self.row(index);
            values.extend_from_slice(row_values);
            columns.extend_from_slice(row_columns);
            row_starts.push(values.len());
        }
        SparseRows { values, columns, row_starts, width: self.width, canonical: self.canonical }
    }

    /// Writes row `index` into `row` (`width` values): zeros, plus each stored value at its
    /// column (a column stored twice gets their sum, as in scipy's `toarray()`).
    pub fn write_row(&self, index: usize, row: &mut [S]) {
        row.fill(S::ZERO);
        let (columns, values) = self.row(index);
        for (&column, &value) in columns.iter().zip(values) {
            row[column] += value;
        }
    }
}

/// The storage of rows gathered by [`SparseRows::gather`].
#[derive(Clone, Debug)]
pub(crate) struct SparseBuffers<S> {
    values: Vec<S>,
    columns: Vec<usize>,
    row_starts: Vec<usize>,
}

impl<S> Default for SparseBuffers<S> {
    fn default() -> Self {
        Self { values: Vec::new(), columns: Vec::new(), row_starts: Vec::new() }
    }
}

impl<S: Scalar> SparseBuffers<S> {
    /// Buffers large enough for any `rows` of `x`, so that gathering them never allocates.
    pub(crate) fn for_rows_of(x: SparseRows<'_, S>, rows: usize) -> Self {
        let longest = (0..x.len()).map(|index| x.row(index).0.len()).max().unwrap_or(0);
        let stored = (rows * longest).min(x.values.len());
        let row_starts = Vec::with_capacity(rows + 1);
        Self { values: Vec::with_capacity(stored), columns: Vec::with_capacity(stored), row_starts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_written_as_scipys_toarray_writes_them() {
        // [[0, 2, 0, 0], [0, 0, 0, 0], [1, 0, 0, 3]], the 3 stored twice as 1 + 2.
        let rows = SparseRows::new(&[2.0f64, 1.0, 1.0, 2.0], &[1, 0, 3, 3], &[0, 1, 1, 4], 4).unwrap();
        let dense: Vec<Vec<f64>> = (0..rows.len())
            .map(|index| {
                let mut row = vec![f64::NAN; 4];
                rows.write_row(index, &mut row);
                row
            })
            .collect();
        assert_eq!(dense, [vec![0.0, 2.0, 0.0, 0.0], vec![0.0; 4], vec![1.0, 0.0, 0.0, 3.0]]);
        assert!(!rows.is_canonical(), "column 3 is stored twice");
    }

    #[test]
    fn gathered_rows_are_the_rows_asked_for_in_their_order() {
        // [[0, 2, 0], [1, 0, 3], [0, 0, 0]]
        let rows = SparseRows::new(&[2.0f32, 1.0, 3.0], &[1, 0, 2], &[0, 1, 3, 3], 3).unwrap();
        let mut buffers = SparseBuffers::default();
        let gathered = rows.gather(&[1, 2, 0, 1], &mut buffers);
        let dense: Vec<Vec<f32>> = (0..gathered.len())
            .map(|index| {
                let mut row = vec![f32::NAN; 3];
                gathered.write_row(index, &mut row);
                row
            })
            .collect();
        assert_eq!(dense, [vec![1.0, 0.0, 3.0], vec![0.0; 3], vec![0.0, 2.0, 0.0], vec![1.0, 0.0, 3.0]]);
        assert!(gathered.is_canonical() && gathered.width() == 3);
    }

    #[test]
    fn rows_with_increasing_columns_are_canonical() {
        let canonical =
            |columns: &[usize]| SparseRows::new(&[1.0f32; 3], columns, &[0, 2, 3], 4).unwrap().is_canonical();
        assert!(canonical(&[0, 3, 0]));
        assert!(!canonical(&[3, 0, 1]), "unsorted");
        assert!(!canonical(&[1, 1, 2]), "a column stored twice");
    }

    #[test]
    fn malformed_rows_are_refused_with_what_is_wrong() {
        let message = |result: Result<SparseRows<'_, f32>, Error>| result.unwrap_err().to_string();
        assert!(message(SparseRows::new(&[1.0], &[0, 1], &[0, 1], 2)).contains("1 values but 2 column indices"));
        assert!(message(SparseRows::new(&[1.0], &[0], &[0, 2], 2)).contains("from 0 to the 1 values"));
        assert!(message(SparseRows::new(&[1.0], &[0], &[], 2)).contains("from 0 to the 1 values"));
        assert!(message(SparseRows::new(&[1.0, 2.0], &[0, 1], &[0, 2, 1, 2], 2)).contains("row 1 ends before"));
        assert!(message(SparseRows::new(&[1.0], &[2], &[0, 1], 2)).contains("column index 2 is out of the 2"));
    }
}
