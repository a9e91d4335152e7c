//! CSV data as people have it, through the real binary: test and validation sets in their own
//! files, numeric class labels, and missing values dropped or imputed.

#[allow(dead_code)] // not every helper is used here
mod common;
use common::{run as neurone, scratch};

use std::path::Path;
use std::process::Output;

fn succeeded(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// y = x1 + 2·x2 + (1 if k is "b"), on rows i = `rows`; `missing` rows get `NA` in x2 and an
/// empty k.
fn table(rows: std::ops::Range<usize>, missing: impl Fn(usize) -> bool) -> String {
    let mut csv = String::from("x1,x2,k,y\n");
    for i in rows {
        let (x1, x2, k) = (i % 7, (i * 3) % 11, ["a", "b"][i % 2]);
        let y = x1 + 2 * x2 + usize::from(k == "b");
        if missing(i) {
            csv.push_str(&format!("{x1},NA,,{y}\n"));
        } else {
            csv.push_str(&format!("{x1},{x2},{k},{y}\n"));
        }
    }
    csv
}

fn experiment(data: &str) -> String {
    format!(
        "name = \"t\"\nseed = 3\n[data]\ndataset = \"csv\"\npath = \"train.csv\"\ntarget = \"y\"\n{data}\n\
         [model]\nlayers = [8]\n[train]\nepochs = 20\n"
    )
}

fn write(folder: &Path, name: &str, text: &str) {
    std::fs::write(folder.join(name), text).unwrap();
}

const TRAIN: &[&str] = &["train", "exp.toml", "--no-plots", "--out", "out"];

#[test]
fn imputation_is_fitted_on_the_training_split_saved_in_the_model_and_used_by_predict() {
    let folder = scratch("impute");
    // Every fifth row misses x2 and k; the test file's x2 are far larger, so a mean that saw
    // them would show.
    write(&folder, "train.csv", &table(0..60, |i| i % 5 == 0));
    write(&folder, "test.csv", &table(0..20, |i| i % 4 == 0).replace(",10,", ",1000,"));
    write(&folder, "exp.toml", &experiment("test_path = \"test.csv\"\nvalidation = 0\nmissing = \"impute\""));
    let output = succeeded(&neurone(TRAIN, &folder));
    // 12 training rows and 5 test rows miss two values each.
    assert!(output.contains("missing values: 34 filled in"), "{output}");
    assert!(output.contains("test file test.csv (20 samples)"), "{output}");

    let model = neurone::Model::<f32>::load(folder.join("out/model.safetensors")).unwrap();
    let fills = &model.preprocessing.imputer.as_ref().expect("the model imputes").fills;
    let present: Vec<f64> = (0..60).filter(|i| i % 5 != 0).map(|i| ((i * 3) % 11) as f64).collect();
    let mean = present.iter().sum::<f64>() / present.len() as f64;
    let kinds_b = (0..60).filter(|i| i % 5 != 0 && i % 2 == 1).count();
    let most_frequent = if kinds_b > 24 { [0.0, 1.0] } else { [1.0, 0.0] };
    assert_eq!(fills.len(), 4, "x1, x2, k=a, k=b");
    assert!((fills[1] - mean).abs() < 1e-9, "x2 filled with the training mean {mean}, not {}", fills[1]);
    assert_eq!(fills[2..], most_frequent);

    // A row with x2 and k missing is predicted as the row holding the fills.
    let k = if most_frequent[0] == 1.0 { "a" } else { "b" };
    write(&folder, "new.csv", &format!("x1,x2,k\n3,NA,\n3,{},{k}\n", fills[1] as f32));
    let output = neurone(&["predict", "out/model.safetensors", "new.csv"], &folder);
    let predictions = succeeded(&output);
    let values: Vec<&str> = predictions.lines().skip(1).collect();
    assert_eq!(values.len(), 2, "{predictions}");
    assert_eq!(values[0], values[1], "the missing row is filled in as the model was trained");
}

#[test]
fn dropped_rows_are_counted_and_missing_values_are_errors_by_default() {
    let folder = scratch("drop-rows");
    write(&folder, "train.csv", &table(0..50, |i| i % 10 == 3));
    write(&folder, "exp.toml", &experiment("missing = \"drop_rows\"\ntest = 0.2\nvalidation = 0"));
    let output = succeeded(&neurone(TRAIN, &folder));
    assert!(output.contains("missing values: 5 rows with a missing value left out"), "{output}");
    // 45 rows left: 9 for the test split.
    assert!(output.contains("test split (9 samples)"), "{output}");

    write(&folder, "exp.toml", &experiment(""));
    let output = neurone(&["train", "exp.toml", "--no-plots", "--out", "error"], &folder);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim().lines().last(),
        Some("error: train.csv, line 5, column `x2`: `NA` is not a number (a missing value? see `missing`)")
    );
}

#[test]
fn a_validation_file_validates_and_joins_the_folds_of_cv() {
    let folder = scratch("validation-file");
    write(&folder, "train.csv", &table(0..40, |_| false));
    write(&folder, "validation.csv", &table(40..52, |_| false));
    write(&folder, "exp.toml", &experiment("validation_path = \"validation.csv\"\ntest = 0.25"));
    succeeded(&neurone(TRAIN, &folder));
    let config = std::fs::read_to_string(folder.join("out/config.toml")).unwrap();
    assert!(config.contains("validation = 0.0"), "the file replaces the fraction:\n{config}");
    let history = std::fs::read_to_string(folder.join("out/history.csv")).unwrap();
    assert!(history.lines().next().unwrap().contains("val_loss"), "{history}");

    // cv shares out the 30 training rows and the 12 of the validation file.
    let output = neurone(&["cv", "exp.toml", "--folds", "3", "--no-plots", "--out", "cv"], &folder);
    let stdout = succeeded(&output);
    assert!(stdout.contains("3 folds of 42 samples"), "{stdout}");
}

#[test]
fn numeric_labels_listed_as_categorical_make_a_classification() {
    let folder = scratch("numeric-labels");
    let mut csv = String::from("x,label\n");
    for i in 0..60 {
        csv.push_str(&format!("{},{}\n", i as f64 / 10.0, i / 20));
    }
    write(&folder, "train.csv", &csv);
    let text = experiment("categorical = [\"label\"]").replace("target = \"y\"", "target = \"label\"");
    write(&folder, "exp.toml", &text);
    succeeded(&neurone(TRAIN, &folder));
    let metrics = std::fs::read_to_string(folder.join("out/metrics.json")).unwrap();
    assert!(metrics.contains("\"accuracy\""), "{metrics}");
    write(&folder, "new.csv", "x\n0.5\n5.5\n");
    let predictions = succeeded(&neurone(&["predict", "out/model.safetensors", "new.csv"], &folder));
    assert!(predictions.starts_with("label,p_0,p_1,p_2\n"), "{predictions}");
}
