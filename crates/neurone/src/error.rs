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
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(parameter: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidParameter { parameter: parameter.into(), reason: reason.into() }
    }
}
