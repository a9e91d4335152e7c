//! The library's errors as the exceptions a scikit-learn user expects, with what the Python
//! layer needs as attributes, so that it never reads the message: `key` and `reason` for a bad
//! setting (the spec key at fault, which it renames to the estimator's parameter), `epoch` for
//! a training that diverged.

use neurone::Error;
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// `ValueError` for a bad setting, shape or file content, and for divergence (as scikit-learn
/// does); `FileNotFoundError` / `OSError` for files; the library's message unchanged.
pub fn to_python(error: Error) -> PyErr {
    let message = error.to_string();
    match error {
        Error::InvalidParameter { parameter, reason } => invalid_key(&parameter, &reason, message),
        Error::Diverged { epoch, .. } => diverged(epoch, message),
        Error::Shape(_) | Error::Data { .. } => PyValueError::new_err(message),
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(message)
        }
        Error::Io { .. } | Error::Download { .. } => PyOSError::new_err(message),
        _ => PyRuntimeError::new_err(message),
    }
}

/// A description the estimator wrote that the spec types refuse (an unknown key or value): the
/// key is the path to the value at fault, the reason serde's without its position in the JSON
/// (which the user never wrote).
pub fn invalid_description(error: serde_path_to_error::Error<serde_json::Error>) -> PyErr {
    let key = error.path().to_string();
    let inner = error.inner();
    let position = format!(" at line {} column {}", inner.line(), inner.column());
    let reason = inner.to_string();
    let reason = reason.strip_suffix(&position).unwrap_or(&reason);
    invalid_key(&key, reason, format!("invalid {key}: {reason}"))
}

/// `ValueError(message)` with `key` and `reason` as attributes.
fn invalid_key(key: &str, reason: &str, message: String) -> PyErr {
    let error = PyValueError::new_err(message);
    Python::attach(|py| {
        let value = error.value(py);
        value.setattr("key", key)?;
        value.setattr("reason", reason)
    })
    .expect("an exception object takes attributes");
    error
}

/// `ValueError(message)` with the epoch at which training diverged as `epoch`.
fn diverged(epoch: usize, message: String) -> PyErr {
    let error = PyValueError::new_err(message);
    Python::attach(|py| error.value(py).setattr("epoch", epoch)).expect("an exception object takes attributes");
    error
}
