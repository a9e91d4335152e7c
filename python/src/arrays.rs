//! numpy arrays in and out of the library's matrices.

use neurone::data::{DatasetView, SparseRows};
use neurone::{Matrix, Scalar};
use numpy::ndarray::Array2;
use numpy::{Element, IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The scalars a network can hold that numpy also knows: f32 and f64.
pub trait Float: Scalar + Element {}
impl Float for f32 {}
impl Float for f64 {}

/// A 2-D array of `S` as a matrix: one copy, straight from the buffer when it is C-contiguous
/// (the estimators pass only such arrays).
pub fn to_matrix<S: Float>(array: &Bound<'_, PyAny>) -> PyResult<Matrix<S>> {
    let array: PyReadonlyArray2<'_, S> = array.extract()?;
    let (rows, cols) = array.as_array().dim();
    let values = match array.as_slice() {
        Ok(values) => values.to_vec(),
        Err(_) => array.as_array().iter().copied().collect(),
    };
    Matrix::new(rows, cols, values).map_err(crate::errors::to_python)
}

/// A C-contiguous 2-D array's values in place, row after row, and the width of its rows (the
/// estimators pass only such arrays, so that training reads them without a copy).
pub fn rows_in_place<'a, S: Float>(array: &'a PyReadonlyArray2<'_, S>) -> PyResult<(&'a [S], usize)> {
    let values = array.as_slice().map_err(|_| PyValueError::new_err("expected a C-contiguous array"))?;
    Ok((values, array.as_array().ncols()))
}

/// Training inputs as the estimators pass them: a C-contiguous 2-D array, or a CSR matrix as
/// the tuple `(data, indices, indptr, n_features)` (indices as `uintp`), both read in place.
pub enum Inputs<'py, S: Float> {
    Dense(PyReadonlyArray2<'py, S>),
    Sparse {
        values: PyReadonlyArray1<'py, S>,
        columns: PyReadonlyArray1<'py, usize>,
        row_starts: PyReadonlyArray1<'py, usize>,
        width: usize,
    },
}

impl<'py, S: Float> Inputs<'py, S> {
    /// The inputs `x` holds, dense or sparse.
    pub fn extract(x: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok((values, columns, row_starts, width)) = x.extract() {
            return Ok(Self::Sparse { values, columns, row_starts, width });
        }
        Ok(Self::Dense(x.extract()?))
    }

    /// The training samples: these inputs beside the rows of `targets`.
    pub fn view<'a>(&'a self, targets: &'a PyReadonlyArray2<'_, S>) -> PyResult<DatasetView<'a, S>> {
        let (targets, target_width) = rows_in_place(targets)?;
        let view = match self {
            Self::Dense(inputs) => {
                let (inputs, input_width) = rows_in_place(inputs)?;
                DatasetView::new(inputs, input_width, targets, target_width)
            }
            Self::Sparse { .. } => DatasetView::sparse(self.sparse_rows()?.expect("sparse"), targets, target_width),
        };
        view.map_err(crate::errors::to_python)
    }

    /// The rows, when sparse (`None` for an array).
    pub fn sparse_rows(&self) -> PyResult<Option<SparseRows<'_, S>>> {
        let Self::Sparse { values, columns, row_starts, width } = self else {
            return Ok(None);
        };
        let slice = |error| PyValueError::new_err(format!("expected contiguous sparse arrays: {error}"));
        let rows = SparseRows::new(
            values.as_slice().map_err(slice)?,
            columns.as_slice().map_err(slice)?,
            row_starts.as_slice().map_err(slice)?,
            *width,
        );
        rows.map(Some).map_err(crate::errors::to_python)
    }
}

/// A 1-D array of `S` as a vector (one copy).
pub fn to_vector<S: Float>(array: &Bound<'_, PyAny>) -> PyResult<Vec<S>> {
    let array: PyReadonlyArray1<'_, S> = array.extract()?;
    Ok(array.as_array().iter().copied().collect())
}

/// A matrix as a 2-D array, without a copy of its values.
pub fn to_array<'py, S: Float>(py: Python<'py>, matrix: Matrix<S>) -> Bound<'py, PyArray2<S>> {
    let shape = matrix.shape();
    Array2::from_shape_vec(shape, matrix.into_vec()).expect("a matrix holds rows × cols values").into_pyarray(py)
}
