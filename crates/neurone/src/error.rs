//! The library's one error type.

use std::path::{Path, PathBuf};

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
        location.push_str(&format!(", column {}", quoted(column)));
    }
    location
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(parameter: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidParameter { parameter: parameter.into(), reason: reason.into() }
    }

    /// The same error with its parameter placed under `section`: `beta2` within `optimizer`
    /// becomes `optimizer.beta2`, so that each level of a description names its own part.
    /// Other errors are returned unchanged.
    pub fn within(self, section: &str) -> Self {
        match self {
            Error::InvalidParameter { parameter, reason } => {
                let separator = if parameter.starts_with('[') { "" } else { "." };
                Error::InvalidParameter { parameter: format!("{section}{separator}{parameter}"), reason }
            }
            other => other,
        }
    }

    /// The [`Error::Io`] of an operation on `path`, for `map_err`: `fs::read(path).map_err(Error::io(path))`.
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Error::Io { path: path.to_path_buf(), source }
    }

    /// Shorthand for an [`Error::Data`] about a whole file (no line or column).
    pub fn data(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Data { path: path.into(), line: None, column: None, reason: reason.into() }
    }
}

/// The most characters of a value or name that a message quotes: a 10 MB CSV field or column
/// name must not become a 10 MB error line.
const QUOTED_CHARACTERS: usize = 64;

/// A value or name as a message quotes it: in backticks, cut after its first 64 characters.
pub(crate) fn quoted(text: &str) -> String {
    format!("`{}`", cut(text))
}

/// `text`, or its first 64 characters and an ellipsis.
fn cut(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(QUOTED_CHARACTERS) {
        Some((end, _)) => format!("{}…", &text[..end]).into(),
        None => text.into(),
    }
}

/// Names as a message lists them: comma-separated, each cut like [`quoted`] (without the
/// backticks), at most the first 20 and then how many there are in all.
pub(crate) fn listed<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    const SHOWN: usize = 20;
    let names: Vec<&str> = names.into_iter().collect();
    let mut list: Vec<String> = names.iter().take(SHOWN).map(|name| cut(name).into_owned()).collect();
    if names.len() > SHOWN {
        list.push(format!("… ({} in all)", names.len()));
    }
    list.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_and_lists_are_cut_in_messages() {
        assert_eq!(quoted("abc"), "`abc`");
        let long = "é".repeat(100);
        assert_eq!(quoted(&long), format!("`{}…`", "é".repeat(64)));
        assert_eq!(listed(["a", "b"]), "a, b");
        let many: Vec<String> = (0..25).map(|i| i.to_string()).collect();
        assert_eq!(
            listed(many.iter().map(String::as_str)),
            "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, … (25 in all)"
        );
        let location =
            Error::Data { path: "f.csv".into(), line: Some(2), column: Some("c".repeat(70)), reason: "r".into() };
        assert_eq!(location.to_string(), format!("f.csv, line 2, column `{}…`: r", "c".repeat(64)));
    }

    #[test]
    fn within_places_the_parameter_under_its_section() {
        let error = Error::invalid("beta2", "r").within("optimizer").within("train");
        assert_eq!(error.to_string(), "invalid train.optimizer.beta2: r");
        assert_eq!(Error::invalid("[1]", "r").within("layers").to_string(), "invalid layers[1]: r");
        assert!(matches!(Error::Shape("s".into()).within("train"), Error::Shape(_)));
    }
}
