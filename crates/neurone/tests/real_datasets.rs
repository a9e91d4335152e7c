//! The real datasets from `NEURONE_DATA` (the shared data folder in CI). A test whose data is
//! absent says so and passes, except under `CI=true`, where it fails: CI must run them all.
//! Nothing here downloads: the data source is offline.

use std::path::{Path, PathBuf};

use neurone::data::{ColumnKind, CsvOptions, read_csv};
use neurone::datasets::{DataSource, IRIS_CSV, insurance, iris, mnist};

/// The data folder if it holds `files`; otherwise skips (or, under CI, fails).
fn data_folder(test: &str, files: &[&str]) -> Option<PathBuf> {
    let folder = std::env::var_os("NEURONE_DATA").map(PathBuf::from);
    let missing: Vec<&str> = match &folder {
        Some(folder) => files.iter().copied().filter(|file| !folder.join(file).is_file()).collect(),
        None => vec!["NEURONE_DATA"],
    };
    if missing.is_empty() {
        return folder;
    }
    let absent = format!("{test}: the real data is absent ({} not found)", missing.join(", "));
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!("{absent}; under CI=true this is a failure, not a skip");
    }
    eprintln!("{absent}; skipping (set NEURONE_DATA to the data folder to run it)");
    None
}

fn class_counts(targets: &neurone::Matrix<f32>) -> Vec<usize> {
    let mut counts = vec![0; targets.cols()];
    for row in targets.iter_rows() {
        counts[row.iter().position(|&value| value == 1.0).expect("one-hot")] += 1;
    }
    counts
}

#[test]
fn insurance_has_1338_rows_and_one_hot_categories() {
    let Some(folder) = data_folder("insurance", &["insurance.csv"]) else { return };
    let data = insurance::<f32>(&DataSource::new(folder).offline()).unwrap();
    assert_eq!(data.dataset.inputs().shape(), (1338, 11));
    assert_eq!(data.dataset.targets().shape(), (1338, 1));
    let widths: Vec<(&str, usize)> =
        data.schema.features.iter().map(|column| (column.name.as_str(), column.width())).collect();
    assert_eq!(widths, [("age", 1), ("sex", 2), ("bmi", 1), ("children", 1), ("smoker", 2), ("region", 4)]);
    let regions = ColumnKind::Categorical {
        categories: ["northeast", "northwest", "southeast", "southwest"].map(String::from).to_vec(),
    };
    assert_eq!(data.schema.features[5].kind, regions);
    assert!(!data.schema.is_classification());
    // First row: 19, female, 27.9, 0, yes, southwest → 16884.924.
    assert_eq!(data.dataset.inputs().row(0), &[19.0, 1.0, 0.0, 27.9, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    assert_eq!(data.dataset.targets()[(0, 0)], 16884.924);
}

#[test]
fn mnist_has_the_published_sizes_counts_and_first_labels() {
    let names =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
    let files: Vec<String> = names.iter().map(|name| format!("mnist/{name}.gz")).collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let Some(folder) = data_folder("mnist", &files) else { return };
    let mnist = mnist::<f32>(&DataSource::new(folder).offline()).unwrap();
    assert_eq!(mnist.train.inputs().shape(), (60_000, 784));
    assert_eq!(mnist.test.inputs().shape(), (10_000, 784));
    assert_eq!(class_counts(mnist.train.targets()), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assert_eq!(class_counts(mnist.test.targets()), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    let first_labels: Vec<usize> =
        (0..10).map(|row| mnist.test.targets().row(row).iter().position(|&value| value == 1.0).unwrap()).collect();
    assert_eq!(first_labels, [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    let pixels = mnist.train.inputs().as_slice();
    assert!(pixels.iter().all(|pixel| (0.0..=1.0).contains(pixel)));
    assert_eq!(pixels.iter().cloned().fold(0.0, f32::max), 1.0);
    assert_eq!(mnist.test.class_names().unwrap()[7], "7");
}

#[test]
fn the_embedded_iris_is_the_shared_file() {
    let Some(folder) = data_folder("iris", &["iris.csv"]) else { return };
    let path: &Path = &folder.join("iris.csv");
    assert_eq!(std::fs::read_to_string(path).unwrap(), IRIS_CSV);
    let shared = read_csv::<f64>(path, &CsvOptions::new("species")).unwrap();
    let embedded = iris::<f64>();
    assert_eq!(shared.dataset, embedded.dataset);
    assert_eq!(shared.schema, embedded.schema);
}
