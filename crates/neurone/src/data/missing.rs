//! Missing values in a CSV file: which fields count as missing, and what to do with them.

use serde::{Deserialize, Serialize};

/// The fields that mark a missing value: the empty field and pandas' default `na_values`
/// (`read_csv`), so that a file written by pandas or R reads as it does there.
pub const MISSING_MARKERS: [&str; 19] = [
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA",
    "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// Whether a (trimmed) field marks a missing value; see [`MISSING_MARKERS`].
pub fn is_missing(field: &str) -> bool {
    MISSING_MARKERS.contains(&field)
}

/// What reading a CSV file does with missing values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingValues {
    /// An empty field is an error naming its line and column; other markers are read as
    /// values (`NA` is then text, and not a number in a numeric column).
    #[default]
    Error,
    /// Rows with a missing value in any column are left out.
    DropRows,
    /// Missing inputs are filled in: the mean of a numeric column, the most frequent category
    /// of a categorical one, both fitted on the training split only (an [`Imputer`]). A missing
    /// target is still an error: it cannot be imputed.
    ///
    /// [`Imputer`]: super::Imputer
    Impute,
}

/// How many missing values reading a file found and what became of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MissingCount {
    /// Rows left out for a missing value ([`MissingValues::DropRows`]).
    pub dropped_rows: usize,
    /// Input fields left missing, to be filled in by an imputer ([`MissingValues::Impute`]).
    pub missing_values: usize,
}

/// The counts of two files together.
impl std::ops::Add for MissingCount {
    type Output = MissingCount;

    fn add(self, other: MissingCount) -> MissingCount {
        MissingCount {
            dropped_rows: self.dropped_rows + other.dropped_rows,
            missing_values: self.missing_values + other.missing_values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_and_pandas_markers_are_missing_other_text_is_not() {
        for marker in ["", "NA", "N/A", "NaN", "null", "<NA>"] {
            assert!(is_missing(marker), "{marker:?}");
        }
        for value in ["0", "na", "none", "NAN", "missing", "-"] {
            assert!(!is_missing(value), "{value:?}");
        }
    }

    #[test]
    fn the_policies_are_spelled_in_snake_case() {
        let policy: MissingValues = serde_json::from_str("\"drop_rows\"").unwrap();
        assert_eq!(policy, MissingValues::DropRows);
        assert_eq!(MissingValues::default(), MissingValues::Error);
        assert!(serde_json::from_str::<MissingValues>("\"mean\"").is_err());
    }
}
