//! CSV training data: `neurone train` on a CSV file with target column `y`.

use super::{Case, TRAIN, experiment, run_written};

/// A case training on `data.csv` (the given bytes) with target `y`.
fn train_on(name: &'static str, csv: impl Into<Vec<u8>>) -> Case {
    Case::new(name, TRAIN).file("data.csv", csv).file("exp.toml", experiment("data.csv", "y", ""))
}

/// A case training on `data.csv` with extra `[data]` settings, and other files beside it.
fn train_with(name: &'static str, csv: impl Into<Vec<u8>>, data: &str) -> Case {
    let text = experiment("data.csv", "y", "").replace("target = \"y\"\n", &format!("target = \"y\"\n{data}\n"));
    Case::new(name, TRAIN).file("data.csv", csv).file("exp.toml", text)
}

/// Ten rows of y = x1 + x2, as the accepted cases vary them.
const ROWS: &[&str] = &["1,2,3", "2,1,3", "3,5,8", "4,4,8", "5,0,5", "6,2,8", "7,7,14", "8,1,9", "9,3,12", "10,2,12"];

fn lines(header: &str, separator: &str) -> String {
    std::iter::once(header).chain(ROWS.iter().copied()).collect::<Vec<_>>().join(separator) + separator
}

pub fn csv_files() -> Vec<Case> {
    let good = lines("x1,x2,y", "\n");
    let huge_value = format!("x1,x2,y\n1,2,{}\n{}", "9".repeat(10 << 20), &good[8..]);
    vec![
        // Accepted: what spreadsheets and other tools commonly write.
        train_on("plain", good.clone()).works(run_written),
        train_on("utf8_bom", format!("\u{feff}{good}")).works(run_written),
        train_on("crlf_line_ends", lines("x1,x2,y", "\r\n")).works(run_written),
        train_on("no_final_newline", good.trim_end().to_string()).works(run_written),
        train_on("blank_lines", good.replace('\n', "\n\n")).works(run_written),
        train_on("quoted_fields_with_commas", format!("\"x1\",\"name, full\",y\n{}", quoted_names())).works(run_written),
        train_on("spaces_around_fields", good.replace(',', " , ")).works(run_written),
        // Refused.
        train_on("empty_file", "").usage_error("data.csv: the file is empty: a header line is needed"),
        train_on("only_a_newline", "\n").usage_error("data.csv: the file is empty: a header line is needed"),
        train_on("header_only", "x1,x2,y\n").usage_error("data.csv: the file has a header but no data rows"),
        train_on("ragged_short_row", good.replace("4,4,8", "4,8"))
            .usage_error("data.csv, line 5: this row has 2 fields, the header has 3"),
        train_on("ragged_long_row", good.replace("4,4,8", "4,4,8,1"))
            .usage_error("data.csv, line 5: this row has 4 fields, the header has 3"),
        train_on("non_numeric_value", good.replace("4,4,8", "4,four,8"))
            .usage_error("data.csv, line 5, column `x2`: `four` is not a number"),
        train_on("empty_value", good.replace("4,4,8", "4,,8"))
            .usage_error("data.csv, line 5, column `x2`: empty value (missing values are errors unless `missing` is `drop_rows` or `impute`)"),
        train_on("nan_value", good.replace("4,4,8", "4,NaN,8"))
            .usage_error("data.csv, line 5, column `x2`: `NaN` is not a finite number"),
        train_on("infinite_value", good.replace("4,4,8", "4,4,inf"))
            .usage_error("data.csv, line 5, column `y`: `inf` is not a finite number"),
        train_on("negative_infinity", good.replace("4,4,8", "-Infinity,4,8"))
            .usage_error("data.csv, line 5, column `x1`: `-Infinity` is not a finite number"),
        train_on("beyond_f32", good.replace("4,4,8", "1e308,4,8"))
            .usage_error("data.csv, line 5, column `x1`: `1e308` is beyond the range of f32"),
        train_on("overflowing_number", good.replace("4,4,8", "4,4,1e999"))
            .usage_error("data.csv, line 5, column `y`: `1e999` is not a finite number"),
        train_on("no_target_column", good.replace("x1,x2,y", "x1,x2,z"))
            .usage_error("data.csv: no target column `y`; the columns are: x1, x2, z"),
        train_on("duplicate_column", good.replace("x1,x2,y", "x1,x1,y"))
            .usage_error("data.csv, line 1, column `x1`: this column name appears twice in the header"),
        train_on("number_in_a_text_column", format!("x1,x2,y\n{}", text_column_with_a_number()))
            .usage_error("data.csv, line 11, column `x2`: `7` is a number in a column of text"),
        train_on("invalid_utf8", [b"x1,x2,y\n1,2,3\n4,\xff\xfe,8\n".as_slice(), &good.as_bytes()[8..]].concat())
            .usage_error("data.csv, line 3: cannot read the CSV: CSV parse error: record 2 (line 3, field: 1, byte: 14): invalid utf-8"),
        train_on("unterminated_quote", good.replace("4,4,8", "4,\"4,8"))
            .usage_error("data.csv, line 5: this row has 2 fields, the header has 3"),
        train_on("ten_megabyte_header_line", format!("y,{}", "x,".repeat(5 << 20)))
            .usage_error("data.csv: the file has a header but no data rows"),
        train_on("ten_megabyte_value", huge_value)
            .usage_error(format!("data.csv, line 2, column `y`: `{}…` is not a finite number", "9".repeat(64))),
        train_on("identifier_column", (0..200_000).fold(String::from("id,x1,y\n"), |csv, i| csv + &format!("c{i},{},{}\n", i % 3, i % 5)))
            .usage_error("data.csv: one-hot encoding would make 200000 rows × 200002 values, too many for a file of 2288898 bytes; column `id` alone has 200000 categories (drop it if it is an identifier)"),
        train_on("single_row", "x1,x2,y\n1,2,3\n")
            .usage_error("invalid data.validation: 0.1 of 1 samples is less than one sample"),
        // Missing values and sets in their own files (`data.missing`, `data.test_path`).
        train_with("imputed_values", good.replace("4,4,8", "4,NA,8").replace("6,2,8", ",2,8"), "missing = \"impute\"")
            .works(run_written),
        train_with("dropped_rows", good.replace("4,4,8", "4,NA,8"), "missing = \"drop_rows\"").works(run_written),
        train_with("unknown_missing_policy", good.clone(), "missing = \"mean\"")
            .usage_error("exp.toml:7:11: unknown variant `mean`, expected one of `error`, `drop_rows`, `impute`"),
        train_with("missing_target_imputed", good.replace("4,4,8", "4,4,NA"), "missing = \"impute\"")
            .usage_error("data.csv, line 5, column `y`: missing target value: a target cannot be imputed"),
        train_with("column_all_missing", without_x2(), "missing = \"impute\"")
            .usage_error("data.csv, column `x2`: every value of this column is missing"),
        train_with("all_rows_dropped", "x1,x2,y\n1,,3\n2,NA,3\n", "missing = \"drop_rows\"")
            .usage_error("data.csv: every one of the 2 data rows has a missing value"),
        train_with("test_fraction_and_file", good.clone(), "test = 0.2\ntest_path = \"data.csv\"")
            .usage_error("exp.toml:7:8: test_path gives the test set: leave the fraction out"),
        train_with("absent_test_file", good.clone(), "test_path = \"absent.csv\"")
            .usage_error("absent.csv: No such file or directory"),
        train_with("test_file_without_target", good.clone(), "test_path = \"test.csv\"")
            .file("test.csv", "x1,x2\n1,2\n")
            .usage_error("test.csv: no target column `y`: a test or validation file needs it"),
        train_with("validation_file_with_other_columns", good.clone(), "validation_path = \"v.csv\"")
            .file("v.csv", "x1,x3,y\n1,2,3\n")
            .usage_error("v.csv: no column `x2`, which the model needs as input"),
        Case::new("missing_file", TRAIN)
            .file("exp.toml", experiment("absent.csv", "y", ""))
            .usage_error("absent.csv: No such file or directory"),
    ]
}

/// The ten rows with every x2 missing (`NA`).
fn without_x2() -> String {
    ROWS.iter().fold(String::from("x1,x2,y\n"), |csv, row| {
        let fields: Vec<&str> = row.split(',').collect();
        csv + &format!("{},NA,{}\n", fields[0], fields[2])
    })
}

/// Ten rows with a text column of names holding commas, in quotes.
fn quoted_names() -> String {
    ROWS.iter()
        .enumerate()
        .map(|(index, row)| {
            let fields: Vec<&str> = row.split(',').collect();
            format!("{},\"Doe, {}\",{}\n", fields[0], ["J", "K"][index % 2], fields[2])
        })
        .collect()
}

/// A text column in which one value, on line 11, is a number.
fn text_column_with_a_number() -> String {
    (1..=10)
        .map(|i| format!("{i},{},{}\n", if i == 10 { "7".to_string() } else { format!("c{}", i % 3) }, i * 2))
        .collect()
}
