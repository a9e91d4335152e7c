//! The library's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in neurone, with enough context to act on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Matrices whose shapes do not fit together (e.g. inputs with the wrong number of columns).
    #[error("shape mismatch: {0}")]
    Shape(String),

    /// A hyper-parameter or architecture setting outside its valid range.
    #[error("invalid {parameter}: {reason}")]
    InvalidParameter {
        /// The parameter at fault, e.g. `learning_rate` or `layers[1]`.
        parameter: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The loss or a parameter became NaN or infinite during training.
    #[error("training diverged at epoch {epoch}: the loss became {loss}; try a smaller learning rate")]
    Diverged {
        /// The 1-based epoch in which it happened.
        epoch: usize,
        /// The offending loss value.
        loss: f64,
    },

    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A data file whose content is malformed, e.g. a ragged CSV row or a wrong IDX header.
    #[error("{}: {reason}", data_location(path, *line, column.as_deref()))]
    Data {
        /// The file concerned (or a name for in-memory data, like `iris.csv (embedded)`).
        path: PathBuf,
        /// The 1-based line of the file, where one applies (the header is line 1).
        line: Option<u64>,
        /// The column's name, where one applies.
        column: Option<String>,
        /// What is wrong.
        reason: String,
    },

    /// Downloading a dataset failed, or what arrived is not the expected file.
    #[error("cannot download {url}: {reason}")]
    Download {
        /// The address fetched.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// `file, line 3, column `age``: the place a data error points at.
fn data_location(path: &std::path::Path, line: Option<u64>, column: Option<&str>) -> String {
    let mut location = path.display().to_string();
    if let Some(line) = line {
        location.push_str(&format!(", line {line}"));
    }
    if let Some(column) = column {
        location.push_str(&format!(", column `{column}`"));
    }
    location
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(parameter: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidParameter { parameter: parameter.into(), reason: reason.into() }
    }

    /// Shorthand for an [`Error::Data`] about a whole file (no line or column).
    pub fn data(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Data { path: path.into(), line: None, column: None, reason: reason.into() }
    }
}
