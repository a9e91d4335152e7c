//! Malformed files get errors that name the file, line and column, never a panic. Each test
//! writes its own small files into a temporary folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use neurone::data::{CsvOptions, read_csv};
use neurone::datasets::read_idx;

/// A fresh temporary folder for one test.
fn folder(test: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("neurone-malformed-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn write(folder: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = folder.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn csv_error(folder: &Path, name: &str, text: &str) -> (PathBuf, String) {
    let path = write(folder, name, text.as_bytes());
    let error = read_csv::<f32>(&path, &CsvOptions::new("charges")).unwrap_err().to_string();
    (path, error)
}

#[test]
fn csv_errors_name_file_line_and_column() {
    let folder = folder("csv");
    let (path, error) = csv_error(&folder, "ragged.csv", "age,sex,charges\n19,female,1.5\n20,male\n");
    assert_eq!(error, format!("{}, line 3: this row has 2 fields, the header has 3", path.display()));
    let (path, error) = csv_error(&folder, "number.csv", "age,sex,charges\n19,female,1.5\n2O,male,2\n21,male,3\n");
    assert_eq!(error, format!("{}, line 3, column `age`: `2O` is not a number", path.display()));
    let (path, error) = csv_error(&folder, "nan.csv", "age,sex,charges\r\n19,female,nan\r\n");
    assert!(
        error.starts_with(&format!("{}, line 2, column `charges`: `nan` is not a finite number", path.display())),
        "{error}"
    );
    let (_, error) = csv_error(&folder, "header.csv", "age,sex,charges");
    assert!(error.ends_with("the file has a header but no data rows"), "{error}");
    let (_, error) = csv_error(&folder, "target.csv", "age,sex\n1,male\n");
    assert!(error.ends_with("no target column `charges`; the columns are: age, sex"), "{error}");
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn an_unseen_category_at_prediction_time_is_an_error() {
    let folder = folder("category");
    let train = write(&folder, "train.csv", b"age,smoker,charges\n19,yes,10\n30,no,5\n");
    let schema = read_csv::<f32>(&train, &CsvOptions::new("charges")).unwrap().schema;
    let new = write(&folder, "new.csv", b"smoker,age\nno,40\nrarely,50");
    let error = schema.encode_file::<f32>(&new).unwrap_err().to_string();
    assert_eq!(
        error,
        format!("{}, line 3, column `smoker`: unknown category `rarely`; the known ones are: no, yes", new.display())
    );
    std::fs::remove_dir_all(&folder).unwrap();
}

fn idx(magic: u32, sizes: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes: Vec<u8> = std::iter::once(magic).chain(sizes.iter().copied()).flat_map(u32::to_be_bytes).collect();
    bytes.extend_from_slice(data);
    bytes
}

#[test]
fn idx_files_plain_or_gzipped_are_read_and_checked() {
    let folder = folder("idx");
    let images = write(&folder, "images.gz", &gzip(&idx(2051, &[2, 2, 2], &[0, 255, 255, 0, 51, 51, 51, 51])));
    let labels = write(&folder, "labels", &idx(2049, &[2], &[1, 8]));
    let data = read_idx::<f32>(&images, &labels).unwrap();
    assert_eq!(data.inputs().shape(), (2, 4));
    assert_eq!(data.inputs().row(0), &[0.0, 1.0, 1.0, 0.0]);
    assert_eq!(data.targets().row(1)[8], 1.0);

    let wrong_magic = write(&folder, "wrong-magic", &idx(2049, &[2, 2, 2], &[0; 8]));
    let error = read_idx::<f32>(&wrong_magic, &labels).unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "{}: magic number 2049 (0x00000801) is not 2051 (0x00000803), that of IDX images",
            wrong_magic.display()
        )
    );

    // The header says 60,000 images but the file holds two: caught before any large allocation.
    let lying = write(&folder, "lying.gz", &gzip(&idx(2051, &[60_000, 28, 28], &[0; 8])));
    let error = read_idx::<f32>(&lying, &labels).unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "{}: the header announces images of 60000×28×28 = 47040000 bytes, but the file holds 8 bytes after the header",
            lying.display()
        )
    );

    let full = gzip(&idx(2051, &[2, 2, 2], &[7; 8]));
    let truncated = write(&folder, "truncated.gz", &full[..full.len() - 10]);
    let error = read_idx::<f32>(&truncated, &labels).unwrap_err().to_string();
    assert!(error.starts_with(&format!("{}: cannot decompress", truncated.display())), "{error}");
    assert!(error.ends_with("the gzip file is truncated or corrupt"), "{error}");

    let missing = folder.join("absent");
    assert!(read_idx::<f32>(&missing, &labels).unwrap_err().to_string().starts_with(&missing.display().to_string()));
    std::fs::remove_dir_all(&folder).unwrap();
}
