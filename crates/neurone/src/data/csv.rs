//! Reading a CSV file with a header into a [`Dataset`]: numeric columns as numbers, text columns
//! as one-hot categories, and a chosen target column (numeric: regression; text: classification).

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::missing::{MissingCount, MissingValues, is_missing};
use super::schema::{Column, ColumnKind, CsvSchema};
use crate::error::{listed, quoted};
use crate::{Dataset, Error, Scalar};

/// What to read from a CSV file: the target column, and which columns are categories even
/// though their values look like numbers (e.g. class labels 0, 1, 2 or postal codes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// The name of the target column.
    pub target: String,
    /// Columns to treat as categories whatever their values; may include the target, which
    /// makes the task classification.
    pub categorical: Vec<String>,
    /// What to do with missing values (empty fields, `NA`…); an error by default.
    pub missing: MissingValues,
}

impl CsvOptions {
    /// Options with `target` as the target column and every column's kind detected from its values.
    pub fn new(target: impl Into<String>) -> Self {
        Self { target: target.into(), categorical: Vec::new(), missing: MissingValues::Error }
    }

    /// Reads missing values with `policy`.
    pub fn missing(mut self, policy: MissingValues) -> Self {
        self.missing = policy;
        self
    }

    /// Treats the named columns as categories.
    pub fn categorical<N: Into<String>>(mut self, names: impl IntoIterator<Item = N>) -> Self {
        self.categorical.extend(names.into_iter().map(Into::into));
        self
    }
}

/// A CSV file read as a dataset, with the schema that encodes new rows the same way.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvData<S> {
    /// The encoded samples, with feature names (and class names for classification).
    pub dataset: Dataset<S>,
    /// How each column was encoded.
    pub schema: CsvSchema,
    /// The rows dropped and the inputs left missing (NaN) for an imputer, as
    /// [`CsvOptions::missing`] asked.
    pub missing: MissingCount,
}

/// Reads the CSV file at `path`; see [`read_csv_from`].
pub fn read_csv<S: Scalar>(path: impl AsRef<Path>, options: &CsvOptions) -> Result<CsvData<S>, Error> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(Error::io(path))?;
    read_csv_from(file, path, options)
}

/// Reads CSV text from `reader` (`name` is the file name errors report).
///
/// The first line is the header. A column whose values all parse as numbers is numeric; one
/// whose values are all text is categorical, one-hot encoded over its sorted distinct values;
/// a column that mixes both is an error (list it in [`CsvOptions::categorical`] if it is
/// meant as categories). Fields are trimmed; quoted fields, CRLF line ends, a UTF-8 BOM and a
/// missing final newline are accepted. NaN and infinities are errors; so are empty values,
/// unless [`CsvOptions::missing`] says to drop their rows or to leave them (as NaN) for an
/// [`Imputer`](super::Imputer).
///
/// ```
/// use neurone::data::{CsvOptions, read_csv_from};
/// let text = "age,smoker,charges\n19,yes,16884.92\n33,no,4449.46\n";
/// let data = read_csv_from::<f32>(text.as_bytes(), "insurance.csv", &CsvOptions::new("charges"))?;
/// assert_eq!(data.dataset.inputs().row(0), &[19.0, 0.0, 1.0]);
/// assert_eq!(data.dataset.feature_names().unwrap(), ["age", "smoker=no", "smoker=yes"]);
/// assert!(!data.schema.is_classification());
/// # Ok::<(), neurone::Error>(())
/// ```
pub fn read_csv_from<S: Scalar>(
    reader: impl Read,
    name: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<CsvData<S>, Error> {
    let mut table = read_table(reader, name.as_ref())?;
    let dropped_rows = match options.missing {
        MissingValues::DropRows => table.drop_rows_with_missing_values()?,
        MissingValues::Error | MissingValues::Impute => 0,
    };
    let schema = fit_schema(&table, options)?;
    let encoded = schema.encode_table::<S>(&table, options.missing)?;
    let missing = MissingCount { dropped_rows, ..encoded.missing };
    let targets = encoded.targets.expect("the fitted schema's target is in the table");
    let mut dataset = Dataset::new(encoded.inputs, targets)?.with_feature_names(schema.input_names())?;
    if let Some(classes) = schema.classes() {
        dataset = dataset.with_class_names(classes.iter().cloned())?;
    }
    Ok(CsvData { dataset, schema, missing })
}

/// The header and the data rows of a CSV file, as text.
pub(super) struct Table {
    pub(super) path: PathBuf,
    /// The size of the file in bytes, which bounds what encoding it may allocate.
    pub(super) bytes: usize,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<Row>,
}

/// One data row and the 1-based line it starts on.
pub(super) struct Row {
    pub(super) line: u64,
    pub(super) fields: Vec<String>,
}

impl Table {
    pub(super) fn error(&self, line: Option<u64>, column: Option<&str>, reason: impl Into<String>) -> Error {
        Error::Data { path: self.path.clone(), line, column: column.map(str::to_string), reason: reason.into() }
    }

    /// Leaves out every row with a missing value; returns how many. No row left is an error.
    pub(super) fn drop_rows_with_missing_values(&mut self) -> Result<usize, Error> {
        let before = self.rows.len();
        self.rows.retain(|row| !row.fields.iter().any(|field| is_missing(field)));
        if self.rows.is_empty() {
            return Err(self.error(None, None, format!("every one of the {before} data rows has a missing value")));
        }
        Ok(before - self.rows.len())
    }
}

/// Reads the whole file as text, checking that there is a header, at least one data row, no
/// duplicate column name and that every row has as many fields as the header.
pub(super) fn read_table(mut reader: impl Read, path: &Path) -> Result<Table, Error> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(Error::io(path))?;
    let mut table = Table { path: path.to_path_buf(), bytes: bytes.len(), header: Vec::new(), rows: Vec::new() };
    let mut lines = LineCounter { bytes: &bytes, offset: 0, line: 1 };
    // `flexible` so that a ragged row reaches our own check, whose message names the line.
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(bytes.as_slice());
    let mut record = csv::StringRecord::new();
    let mut first = true;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                let line = error.position().map(|position| lines.line_of(position.byte()));
                return Err(table.error(line, None, format!("cannot read the CSV: {error}")));
            }
        }
        let line = lines.line_of(record.position().map_or(0, csv::Position::byte));
        if first {
            first = false;
            // The csv crate strips a BOM only when it parses the headers itself.
            table.header = record.iter().map(|field| field.trim_start_matches('\u{feff}').to_string()).collect();
            continue;
        }
        if record.len() != table.header.len() {
            return Err(table.error(
                Some(line),
                None,
                format!("this row has {} fields, the header has {}", record.len(), table.header.len()),
            ));
        }
        table.rows.push(Row { line, fields: record.iter().map(str::to_string).collect() });
    }
    if table.header.is_empty() {
        return Err(table.error(None, None, "the file is empty: a header line is needed"));
    }
    if table.rows.is_empty() {
        return Err(table.error(None, None, "the file has a header but no data rows"));
    }
    for (index, name) in table.header.iter().enumerate() {
        if table.header[..index].contains(name) {
            return Err(table.error(Some(1), Some(name), "this column name appears twice in the header"));
        }
    }
    Ok(table)
}

/// The 1-based line of a byte offset, counted forward as offsets grow. The csv crate's own
/// line numbers lag by one after a CRLF (a record "starts" on the `\n` of the previous line),
/// so we count newlines ourselves, including one at the offset itself.
struct LineCounter<'b> {
    bytes: &'b [u8],
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_of(&mut self, byte: u64) -> u64 {
        let end = (byte as usize + 1).min(self.bytes.len());
        if end > self.offset {
            self.line += self.bytes[self.offset..end].iter().filter(|&&byte| byte == b'\n').count() as u64;
            self.offset = end;
        }
        self.line
    }
}

/// Decides each column's kind from its values and collects the categories.
fn fit_schema(table: &Table, options: &CsvOptions) -> Result<CsvSchema, Error> {
    let columns = listed(table.header.iter().map(String::as_str));
    if !table.header.contains(&options.target) {
        return Err(table.error(
            None,
            None,
            format!("no target column {}; the columns are: {columns}", quoted(&options.target)),
        ));
    }
    if let Some(unknown) = options.categorical.iter().find(|name| !table.header.contains(name)) {
        return Err(Error::invalid("categorical", format!("no column {} in the header: {columns}", quoted(unknown))));
    }
    let mut features = Vec::with_capacity(table.header.len() - 1);
    let mut target = None;
    for (index, name) in table.header.iter().enumerate() {
        let categorical = options.categorical.contains(name);
        let column = Column { name: name.clone(), kind: column_kind(table, index, categorical, options.missing)? };
        if *name == options.target {
            target = Some(column);
        } else {
            features.push(column);
        }
    }
    let target = target.expect("the target is in the header");
    Ok(CsvSchema { features, target })
}

/// The kind of column `index`, from its values; missing values have no say unless they are
/// errors ([`MissingValues::Error`]).
fn column_kind(table: &Table, index: usize, categorical: bool, missing: MissingValues) -> Result<ColumnKind, Error> {
    let name = &table.header[index];
    let empty = table.rows.iter().find(|row| row.fields[index].is_empty());
    if let (MissingValues::Error, Some(row)) = (missing, empty) {
        return Err(table.error(
            Some(row.line),
            Some(name),
            "empty value (missing values are errors unless `missing` is `drop_rows` or `impute`)",
        ));
    }
    let present: Vec<&Row> = match missing {
        MissingValues::Error => table.rows.iter().collect(),
        MissingValues::DropRows | MissingValues::Impute => {
            table.rows.iter().filter(|row| !is_missing(&row.fields[index])).collect()
        }
    };
    if present.is_empty() {
        return Err(table.error(None, Some(name), "every value of this column is missing"));
    }
    let is_number = |row: &&&Row| row.fields[index].parse::<f64>().is_ok();
    let numbers = present.iter().filter(is_number).count();
    let texts = present.len() - numbers;
    if categorical || numbers == 0 {
        let categories: BTreeSet<&str> = present.iter().map(|row| row.fields[index].as_str()).collect();
        return Ok(ColumnKind::Categorical { categories: categories.into_iter().map(str::to_string).collect() });
    }
    if texts == 0 {
        return Ok(ColumnKind::Numeric);
    }
    // Mixed: point at a value of the minority kind, the likelier typo.
    if numbers >= texts {
        let row = present.iter().find(|row| !is_number(row)).expect("a text value exists");
        let value = &row.fields[index];
        let hint = if is_missing(value) { " (a missing value? see `missing`)" } else { "" };
        Err(table.error(Some(row.line), Some(name), format!("{} is not a number{hint}", quoted(value))))
    } else {
        let row = present.iter().find(is_number).expect("a numeric value exists");
        Err(table.error(
            Some(row.line),
            Some(name),
            format!(
                "{} is a number in a column of text; list the column as categorical if that is meant",
                quoted(&row.fields[index])
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, target: &str) -> Result<CsvData<f64>, Error> {
        read_csv_from(text.as_bytes(), "data.csv", &CsvOptions::new(target))
    }

    fn message(text: &str, target: &str) -> String {
        read(text, target).unwrap_err().to_string()
    }

    #[test]
    fn numbers_and_one_hot_categories_with_a_numeric_target() {
        let data = read("age,region,charges\n19,south,100.5\n40,north,200\n33,east,50\n", "charges").unwrap();
        let dataset = &data.dataset;
        assert_eq!(dataset.feature_names().unwrap(), ["age", "region=east", "region=north", "region=south"]);
        assert_eq!(dataset.inputs().row(0), &[19.0, 0.0, 0.0, 1.0]);
        assert_eq!(dataset.inputs().row(2), &[33.0, 1.0, 0.0, 0.0]);
        assert_eq!(dataset.targets().as_slice(), &[100.5, 200.0, 50.0]);
        assert_eq!(dataset.class_names(), None);
        assert_eq!(data.schema.target, Column { name: "charges".into(), kind: ColumnKind::Numeric });
    }

    #[test]
    fn a_text_target_is_classification_with_sorted_classes() {
        let data = read("species,length\nvirginica,6.3\nsetosa,5.1\nversicolor,7.0\nsetosa,4.9\n", "species").unwrap();
        assert!(data.schema.is_classification());
        assert_eq!(data.dataset.class_names().unwrap(), ["setosa", "versicolor", "virginica"]);
        assert_eq!(data.dataset.targets().row(0), &[0.0, 0.0, 1.0]);
        assert_eq!(data.dataset.targets().row(3), &[1.0, 0.0, 0.0]);
        assert_eq!(data.dataset.inputs().as_slice(), &[6.3, 5.1, 7.0, 4.9]);
    }

    #[test]
    fn numeric_labels_can_be_declared_categorical() {
        let options = CsvOptions::new("digit").categorical(["digit"]);
        let data = read_csv_from::<f32>("x,digit\n0.5,1\n0.25,0\n".as_bytes(), "d.csv", &options).unwrap();
        assert_eq!(data.schema.classes().unwrap(), ["0", "1"]);
        assert_eq!(data.dataset.targets().as_slice(), &[0.0, 1.0, 1.0, 0.0]);
    }

    #[test]
    fn bom_crlf_quotes_and_no_final_newline() {
        let text = "\u{feff}\"name, full\",\"score\"\r\n\"Doe, J\",1.5\r\nRoe,\"2\"";
        let data = read(text, "score").unwrap();
        assert_eq!(data.schema.features[0].name, "name, full");
        assert_eq!(data.dataset.feature_names().unwrap(), ["name, full=Doe, J", "name, full=Roe"]);
        assert_eq!(data.dataset.targets().as_slice(), &[1.5, 2.0]);
    }

    #[test]
    fn line_numbers_count_crlf_blank_lines_and_quoted_newlines() {
        assert_eq!(message("a,b\r\n1,2\r\n3,x\r\n4,5\r\n", "b"), "data.csv, line 3, column `b`: `x` is not a number");
        assert_eq!(message("a,b\n\n1,2\n\n3,x\n4,5\n", "b"), "data.csv, line 5, column `b`: `x` is not a number");
        assert_eq!(message("a,b\n\"1\n\",2\n3,x\n4,5\n", "b"), "data.csv, line 4, column `b`: `x` is not a number");
        assert_eq!(message("a,b\r\n1,2\r\n3\r\n", "b"), "data.csv, line 3: this row has 1 fields, the header has 2");
    }

    #[test]
    fn malformed_files_name_file_line_and_column() {
        assert_eq!(message("a,b\n1,2\n3\n", "b"), "data.csv, line 3: this row has 1 fields, the header has 2");
        assert_eq!(message("a,b\n1,2\n3,x\n4,5\n", "b"), "data.csv, line 3, column `b`: `x` is not a number");
        assert_eq!(
            message("a,b\n1,2\nNaN,3\n", "b"),
            "data.csv, line 3, column `a`: `NaN` is not a finite number (NaN and infinite values are not supported)"
        );
        assert!(message("a,b\n1,inf\n", "b").starts_with("data.csv, line 2, column `b`: `inf` is not a finite"));
        assert_eq!(
            message("a,b\n1,\n", "b"),
            "data.csv, line 2, column `b`: empty value (missing values are errors unless `missing` is `drop_rows` or `impute`)"
        );
        assert_eq!(message("", "b"), "data.csv: the file is empty: a header line is needed");
        assert_eq!(message("a,b\r\n", "b"), "data.csv: the file has a header but no data rows");
        assert_eq!(message("a,b\n1,2\n", "c"), "data.csv: no target column `c`; the columns are: a, b");
        assert_eq!(
            message("a,a\n1,2\n", "a"),
            "data.csv, line 1, column `a`: this column name appears twice in the header"
        );
        assert!(message("c,b\nx,1\ny,2\n3,3\n", "b").starts_with("data.csv, line 4, column `c`: `3` is a number"));
    }

    #[test]
    fn missing_values_are_dropped_or_left_as_nan_for_the_imputer() {
        use crate::data::MissingValues::{DropRows, Impute};
        let text = "x,k,y\n1,a,1\nNA,b,2\n3,,3\n4,N/A,4\n5,b,5\n";
        let dropped = read_csv_from::<f64>(text.as_bytes(), "d.csv", &CsvOptions::new("y").missing(DropRows)).unwrap();
        assert_eq!(dropped.missing, MissingCount { dropped_rows: 3, missing_values: 0 });
        assert_eq!(dropped.dataset.targets().as_slice(), &[1.0, 5.0]);
        let imputed = read_csv_from::<f64>(text.as_bytes(), "d.csv", &CsvOptions::new("y").missing(Impute)).unwrap();
        assert_eq!(imputed.missing, MissingCount { dropped_rows: 0, missing_values: 3 });
        assert_eq!(
            imputed.schema.features[1].kind,
            ColumnKind::Categorical { categories: vec!["a".into(), "b".into()] }
        );
        let nan_rows: Vec<Vec<bool>> =
            imputed.dataset.inputs().iter_rows().map(|row| row.iter().map(|v| v.is_nan()).collect()).collect();
        assert_eq!(nan_rows[1], [true, false, false]);
        assert_eq!(nan_rows[2], [false, true, true], "a missing category is NaN in each of its one-hot inputs");
        let error = read_csv_from::<f64>("x,y\n1,\n2,3\n".as_bytes(), "d.csv", &CsvOptions::new("y").missing(Impute));
        assert!(error.unwrap_err().to_string().starts_with("d.csv, line 2, column `y`: missing target value"));
    }

    #[test]
    fn the_schema_encodes_new_rows_like_the_training_rows() {
        let data = read("sex,bmi,charges\nmale,30,1\nfemale,20,2\n", "charges").unwrap();
        let again = data.schema.encode_reader::<f64>("bmi,sex\n20,female\n".as_bytes(), "new.csv").unwrap();
        assert_eq!(again.inputs.row(0), data.dataset.inputs().row(1));
        let error = data.schema.encode_reader::<f64>("bmi,sex\n20,other\n".as_bytes(), "new.csv").unwrap_err();
        assert!(error.to_string().starts_with("new.csv, line 2, column `sex`: unknown category `other`"), "{error}");
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let error = read_csv::<f32>("/nonexistent/neurone.csv", &CsvOptions::new("y")).unwrap_err();
        assert!(error.to_string().starts_with("/nonexistent/neurone.csv: "), "{error}");
    }
}
