//! The fitted description of a CSV file's columns: which are numbers, which are categories (and
//! which categories), and what the target is. Plain data, so a model file can store it and
//! encode new rows the same way at prediction time.

use std::io::Read;
use std::path::Path;

use super::csv::{Table, read_table};
use super::missing::{MissingCount, MissingValues, is_missing};
use crate::error::{listed, quoted};
use crate::{Error, Matrix, Scalar};

/// How one column's text becomes numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// A number, used as is (one input, or a regression target).
    Numeric,
    /// A category, one-hot encoded over `categories` (sorted; one input per category, or the
    /// classes of a classification target).
    Categorical {
        /// Every category seen when fitting, in sorted order.
        categories: Vec<String>,
    },
}

/// A named column and how it is encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column's name in the CSV header.
    pub name: String,
    /// Numeric or categorical, with its categories.
    pub kind: ColumnKind,
}

impl Column {
    /// How many numbers the column becomes: 1, or its number of categories.
    pub fn width(&self) -> usize {
        match &self.kind {
            ColumnKind::Numeric => 1,
            ColumnKind::Categorical { categories } => categories.len(),
        }
    }

    /// The names of the encoded values: the column's name, or `name=category` for each category.
    pub fn encoded_names(&self) -> Vec<String> {
        match &self.kind {
            ColumnKind::Numeric => vec![self.name.clone()],
            ColumnKind::Categorical { categories } => {
                categories.iter().map(|category| format!("{}={category}", self.name)).collect()
            }
        }
    }

    /// Appends the encoding of `value` to `out`, or says why it cannot be encoded as an `S`.
    fn encode<S: Scalar>(&self, value: &str, out: &mut Vec<f64>) -> Result<(), String> {
        match &self.kind {
            ColumnKind::Numeric => {
                let number: f64 = value.parse().map_err(|_| format!("{} is not a number", quoted(value)))?;
                if !number.is_finite() {
                    return Err(format!(
                        "{} is not a finite number (NaN and infinite values are not supported)",
                        quoted(value)
                    ));
                }
                // 1e308 is a finite f64 but an infinite f32: refused here rather than turned
                // into an infinity that the scaler or the network would spread as NaN.
                if !S::from_f64(number).is_finite() {
                    let largest = if size_of::<S>() == 4 { f64::from(f32::MAX) } else { f64::MAX };
                    return Err(format!(
                        "{} is beyond the range of {} (largest magnitude {largest:.1e})",
                        quoted(value),
                        std::any::type_name::<S>()
                    ));
                }
                out.push(number);
            }
            ColumnKind::Categorical { categories } => {
                let Ok(position) = categories.binary_search_by(|category| category.as_str().cmp(value)) else {
                    return Err(format!(
                        "unknown category {}; the known ones are: {}",
                        quoted(value),
                        listed(categories.iter().map(String::as_str))
                    ));
                };
                out.extend((0..categories.len()).map(|index| if index == position { 1.0 } else { 0.0 }));
            }
        }
        Ok(())
    }
}

/// The columns of a CSV file as fitted on training data: the input features in file order, and
/// the target (numeric for regression, categorical for classification).
///
/// Produced by [`read_csv`](super::read_csv); reuse it to encode new files the same way with
/// [`encode_file`](Self::encode_file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvSchema {
    /// The input columns, in the order of the training file.
    pub features: Vec<Column>,
    /// The target column.
    pub target: Column,
}

/// Rows of a CSV file encoded with a [`CsvSchema`].
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedRows<S> {
    /// The encoded inputs, one row per data row.
    pub inputs: Matrix<S>,
    /// The encoded targets, when the file has the target column.
    pub targets: Option<Matrix<S>>,
    /// The rows dropped and the inputs left missing (NaN), as the missing-value policy said.
    pub missing: MissingCount,
}

impl CsvSchema {
    /// True when the target is a category (classification), false for a number (regression).
    pub fn is_classification(&self) -> bool {
        matches!(self.target.kind, ColumnKind::Categorical { .. })
    }

    /// The target's classes in sorted order (the one-hot columns), for classification.
    pub fn classes(&self) -> Option<&[String]> {
        match &self.target.kind {
            ColumnKind::Categorical { categories } => Some(categories),
            ColumnKind::Numeric => None,
        }
    }

    /// Number of encoded inputs (the network's input width).
    pub fn input_width(&self) -> usize {
        self.features.iter().map(Column::width).sum()
    }

    /// The name of each encoded input, e.g. `age`, `sex=female`, `sex=male`.
    pub fn input_names(&self) -> Vec<String> {
        self.features.iter().flat_map(Column::encoded_names).collect()
    }

    /// Encodes the CSV file at `path`: its header must name every feature column, in any order,
    /// and may name the target column (then the targets are encoded too); any other column is
    /// an error, as is a value training never saw in a categorical column.
    pub fn encode_file<S: Scalar>(&self, path: impl AsRef<Path>) -> Result<EncodedRows<S>, Error> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(Error::io(path))?;
        self.encode_reader(file, path)
    }

    /// Like [`encode_file`](Self::encode_file), reading CSV text from `reader`; `name` is the
    /// file name errors report.
    pub fn encode_reader<S: Scalar>(&self, reader: impl Read, name: impl AsRef<Path>) -> Result<EncodedRows<S>, Error> {
        self.encode_reader_with(reader, name, MissingValues::Error)
    }

    /// Like [`encode_file`](Self::encode_file), with missing values dropped or left as NaN
    /// for an [`Imputer`](super::Imputer) as `missing` says.
    pub fn encode_file_with<S: Scalar>(
        &self,
        path: impl AsRef<Path>,
        missing: MissingValues,
    ) -> Result<EncodedRows<S>, Error> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(Error::io(path))?;
        self.encode_reader_with(file, path, missing)
    }

    /// Like [`encode_reader`](Self::encode_reader), with missing values treated as `missing` says.
    pub fn encode_reader_with<S: Scalar>(
        &self,
        reader: impl Read,
        name: impl AsRef<Path>,
        missing: MissingValues,
    ) -> Result<EncodedRows<S>, Error> {
        let mut table = read_table(reader, name.as_ref())?;
        let dropped_rows = match missing {
            MissingValues::DropRows => table.drop_rows_with_missing_values()?,
            MissingValues::Error | MissingValues::Impute => 0,
        };
        let mut encoded = self.encode_table(&table, missing)?;
        encoded.missing.dropped_rows = dropped_rows;
        Ok(encoded)
    }

    /// Refuses an encoding far larger than the file: one-hot columns multiply, and a text
    /// column of unique values (an identifier) would make a rows × rows matrix, terabytes from
    /// a few megabytes of CSV. At most 64 values per byte of the file (or 16 Mi values for a
    /// small file) are encoded; a numeric column takes at least 2 bytes per value.
    fn check_encoded_size(&self, table: &Table) -> Result<(), Error> {
        const VALUES_PER_BYTE: usize = 64;
        const SMALL_FILE_VALUES: usize = 1 << 24;
        let width = self.input_width().saturating_add(self.target.width());
        let values = table.rows.len().saturating_mul(width);
        let limit = table.bytes.saturating_mul(VALUES_PER_BYTE).max(SMALL_FILE_VALUES);
        if values <= limit {
            return Ok(());
        }
        let widest = self.features.iter().chain([&self.target]).max_by_key(|column| column.width());
        let hint = widest.map_or(String::new(), |column| {
            format!(
                "; column {} alone has {} categories (drop it if it is an identifier)",
                quoted(&column.name),
                column.width()
            )
        });
        Err(table.error(
            None,
            None,
            format!(
                "one-hot encoding would make {} rows × {width} values, too many for a file of {} bytes{hint}",
                table.rows.len(),
                table.bytes
            ),
        ))
    }

    /// Encodes the rows of `table`; with `missing` other than `Error`, a missing input becomes
    /// NaN (in each of its one-hot inputs) and a missing target is an error.
    pub(super) fn encode_table<S: Scalar>(
        &self,
        table: &Table,
        missing: MissingValues,
    ) -> Result<EncodedRows<S>, Error> {
        let position = |name: &str| table.header.iter().position(|column| column == name);
        let mut feature_positions = Vec::with_capacity(self.features.len());
        for column in &self.features {
            let index = position(&column.name).ok_or_else(|| {
                table.error(None, None, format!("no column {}, which the model needs as input", quoted(&column.name)))
            })?;
            feature_positions.push(index);
        }
        let target_position = position(&self.target.name);
        if let Some(extra) = table
            .header
            .iter()
            .find(|name| **name != self.target.name && !self.features.iter().any(|column| column.name == **name))
        {
            let expected: Vec<&str> = self.features.iter().map(|column| column.name.as_str()).collect();
            return Err(table.error(
                None,
                None,
                format!("unexpected column {}; the expected inputs are: {}", quoted(extra), listed(expected)),
            ));
        }

        self.check_encoded_size(table)?;
        let mut inputs = Vec::with_capacity(table.rows.len() * self.input_width());
        let mut targets = Vec::new();
        let mut missing_values = 0;
        let accepts_missing = missing != MissingValues::Error;
        for row in &table.rows {
            for (column, &index) in self.features.iter().zip(&feature_positions) {
                if accepts_missing && is_missing(&row.fields[index]) {
                    inputs.extend(std::iter::repeat_n(f64::NAN, column.width()));
                    missing_values += 1;
                    continue;
                }
                column
                    .encode::<S>(&row.fields[index], &mut inputs)
                    .map_err(|reason| table.error(Some(row.line), Some(&column.name), reason))?;
            }
            if let Some(index) = target_position {
                if accepts_missing && is_missing(&row.fields[index]) {
                    let reason = "missing target value: a target cannot be imputed (`drop_rows` leaves such rows out)";
                    return Err(table.error(Some(row.line), Some(&self.target.name), reason));
                }
                self.target
                    .encode::<S>(&row.fields[index], &mut targets)
                    .map_err(|reason| table.error(Some(row.line), Some(&self.target.name), reason))?;
            }
        }
        let to_matrix = |values: Vec<f64>, cols: usize| {
            Matrix::new(table.rows.len(), cols, values.into_iter().map(S::from_f64).collect())
        };
        Ok(EncodedRows {
            inputs: to_matrix(inputs, self.input_width())?,
            targets: target_position.map(|_| to_matrix(targets, self.target.width())).transpose()?,
            missing: MissingCount { dropped_rows: 0, missing_values },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> CsvSchema {
        CsvSchema {
            features: vec![
                Column { name: "age".into(), kind: ColumnKind::Numeric },
                Column {
                    name: "smoker".into(),
                    kind: ColumnKind::Categorical { categories: vec!["no".into(), "yes".into()] },
                },
            ],
            target: Column { name: "charges".into(), kind: ColumnKind::Numeric },
        }
    }

    #[test]
    fn widths_and_names() {
        let schema = schema();
        assert_eq!(schema.input_width(), 3);
        assert_eq!(schema.input_names(), ["age", "smoker=no", "smoker=yes"]);
        assert!(!schema.is_classification());
        assert_eq!(schema.classes(), None);
    }

    #[test]
    fn encodes_columns_in_any_order_with_or_without_the_target() {
        let encoded: EncodedRows<f64> =
            schema().encode_reader("smoker,age\nyes,30\nno,41\n".as_bytes(), "new.csv").unwrap();
        assert_eq!(encoded.inputs.as_slice(), &[30.0, 0.0, 1.0, 41.0, 1.0, 0.0]);
        assert_eq!(encoded.targets, None);
        let encoded: EncodedRows<f32> =
            schema().encode_reader("charges,age,smoker\n12.5,30,yes\n".as_bytes(), "new.csv").unwrap();
        assert_eq!(encoded.targets.unwrap().as_slice(), &[12.5]);
    }

    #[test]
    fn an_unseen_category_names_file_line_and_column() {
        let error =
            schema().encode_reader::<f32>("age,smoker\n30,no\n31,sometimes\n".as_bytes(), "new.csv").unwrap_err();
        assert_eq!(
            error.to_string(),
            "new.csv, line 3, column `smoker`: unknown category `sometimes`; the known ones are: no, yes"
        );
    }

    #[test]
    fn a_wrong_set_of_columns_is_an_error() {
        let error = schema().encode_reader::<f32>("age\n30\n".as_bytes(), "new.csv").unwrap_err();
        assert_eq!(error.to_string(), "new.csv: no column `smoker`, which the model needs as input");
        let error = schema().encode_reader::<f32>("age,smoker,height\n30,no,1.8\n".as_bytes(), "new.csv").unwrap_err();
        assert_eq!(error.to_string(), "new.csv: unexpected column `height`; the expected inputs are: age, smoker");
    }
}
