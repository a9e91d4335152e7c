//! The library's errors as the exceptions a scikit-learn user expects.

use neurone::Error;
use pyo3::PyErr;
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyValueError};

/// `ValueError` for a bad setting, shape or file content, and for divergence (as scikit-learn
/// does); `FileNotFoundError` / `OSError` for files; the library's message unchanged.
pub fn to_python(error: Error) -> PyErr {
    let message = error.to_string();
    match error {
        Error::InvalidParameter { .. } | Error::Shape(_) | Error::Diverged { .. } | Error::Data { .. } => {
            PyValueError::new_err(message)
        }
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(message)
        }
        Error::Io { .. } | Error::Download { .. } => PyOSError::new_err(message),
        _ => PyRuntimeError::new_err(message),
    }
}

/// A description the estimator wrote that the spec types refuse (an unknown key or value).
pub fn invalid_description(error: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(error.to_string())
}
