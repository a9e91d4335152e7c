//! The bad-input corpus: hostile or unusual files given to the real `neurone` binary, one case
//! per row with what must happen.
//!
//! A refused input must give exit code 1 or 2 (101, a panic, always fails the test), exactly one
//! line on stderr that starts with `error: ` and holds the row's fragment (which names the
//! culprit: file, line, column, key or tensor), and leave the output folder as it was: absent,
//! or holding the files the case put there, byte for byte (no temporary file beside them). An
//! accepted
//! input (a BOM, CRLF line ends, quoted commas, a batch larger than the data) must succeed and
//! write valid results. The rows live in `corpus/*.rs`; the binary model files are made by
//! damaging a model trained by the test itself, and the 10 MB line is generated, not committed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

mod corpus;

use corpus::{Case, Expect, Trained};

/// A fresh, empty folder for one case.
fn scratch(group: &str, case: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("neurone-bad-input-{}/{group}/{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn neurone(args: &[String], folder: &Path, environment: &[(&str, PathBuf)]) -> Output {
    neurone_limited(args, folder, environment, None)
}

/// `neurone`, with at most `file_size_limit` bytes per file written when given: the shell sets
/// the limit and ignores SIGXFSZ, so that a write beyond it fails (EFBIG) as on a full disk
/// rather than killing the process.
fn neurone_limited(
    args: &[String],
    folder: &Path,
    environment: &[(&str, PathBuf)],
    file_size_limit: Option<u64>,
) -> Output {
    let binary = env!("CARGO_BIN_EXE_neurone");
    let mut command = match file_size_limit {
        Some(bytes) => {
            let mut shell = Command::new("sh");
            let script = format!("ulimit -f {}; trap '' XFSZ; exec \"$0\" \"$@\"", bytes / 512);
            shell.arg("-c").arg(script).arg(binary);
            shell
        }
        None => Command::new(binary),
    };
    command.args(args).current_dir(folder).env_remove("NEURONE_DATA");
    for (key, value) in environment {
        command.env(key, value);
    }
    command.output().unwrap()
}

/// The corpus' models, trained once by the real binary.
fn trained() -> &'static Trained {
    static TRAINED: OnceLock<Trained> = OnceLock::new();
    TRAINED.get_or_init(|| {
        let folder = scratch("setup", "models");
        let run = |args: &[&str]| {
            let output = neurone(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>(), &folder, &[]);
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        };
        let train = |name: &str, csv: &str, target: &str| -> Vec<u8> {
            std::fs::write(folder.join(format!("{name}.csv")), csv).unwrap();
            let experiment = corpus::experiment(&format!("{name}.csv"), target, "epochs = 20\n");
            std::fs::write(folder.join(format!("{name}.toml")), experiment).unwrap();
            let toml = format!("{name}.toml");
            run(&["train", &toml, "--quiet", "--no-plots", "--out", name, "--checkpoint-every", "20"]);
            std::fs::read(folder.join(name).join("model.safetensors")).unwrap()
        };
        let regressor = train("regressor", corpus::REGRESSION_CSV, "y");
        run(&["export", "regressor/model.safetensors", "--onnx", "regressor.onnx"]);
        Trained {
            regressor,
            classifier: train("classifier", corpus::CLASSIFICATION_CSV, "species"),
            onnx: std::fs::read(folder.join("regressor.onnx")).unwrap(),
            checkpoint: std::fs::read(folder.join("regressor/checkpoint.safetensors")).unwrap(),
        }
    })
}

/// Runs every case of a group and reports all the failures at once.
fn run(group: &str, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(failure) = run_case(group, case) {
            failures.push(format!("[{group}/{}] {failure}", case.name));
        }
    }
    println!("{group}: {} cases", cases.len());
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

fn run_case(group: &str, case: &Case) -> Result<(), String> {
    let folder = scratch(group, case.name);
    for (name, bytes) in &case.files {
        let path = folder.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let environment: Vec<(&str, PathBuf)> =
        case.data_folder.iter().map(|name| ("NEURONE_DATA", folder.join(name))).collect();
    let output = neurone_limited(&case.args, &folder, &environment, case.file_size_limit);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code();
    let out = folder.join("out");
    match &case.expect {
        Expect::Error { code: expected, fragment } => {
            if code == Some(101) {
                return Err(format!("panicked:\n{stderr}"));
            }
            if code != Some(i32::from(*expected)) {
                return Err(format!("exit code {code:?}, expected {expected}:\n{stderr}"));
            }
            if !stderr.starts_with("error: ") || stderr.trim_end().lines().count() != 1 {
                return Err(format!("not a one-line `error: ` message:\n{stderr}"));
            }
            if !stderr.contains(fragment) {
                return Err(format!("expected {fragment:?} in:\n{stderr}"));
            }
            // A message to read, not a dump of the input (the 10 MB rows would make it huge).
            if stderr.len() > 600 {
                return Err(format!("a message of {} bytes: {}…", stderr.len(), &stderr[..600]));
            }
            if !output.stdout.is_empty() {
                return Err(format!("a refused input printed results: {}", String::from_utf8_lossy(&output.stdout)));
            }
            let mut before: Vec<(String, Vec<u8>)> =
                case.files.iter().filter(|(name, _)| name.starts_with("out/")).cloned().collect();
            before.sort();
            let after = files_in(&out, "out");
            if after != before {
                let names =
                    |files: &[(String, Vec<u8>)]| files.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>();
                return Err(if before.is_empty() {
                    format!("a refused input left {} behind: {:?}", out.display(), names(&after))
                } else {
                    format!(
                        "a refused input changed {}: {:?} became {:?}",
                        out.display(),
                        names(&before),
                        names(&after)
                    )
                });
            }
        }
        Expect::Works { check } => {
            if code != Some(0) {
                return Err(format!("exit code {code:?}, expected success:\n{stderr}"));
            }
            check(&out, &String::from_utf8_lossy(&output.stdout))?;
        }
    }
    let _ = std::fs::remove_dir_all(&folder);
    Ok(())
}

/// The files under `folder` (a file stands for itself), named `prefix/…` and sorted by name.
fn files_in(folder: &Path, prefix: &str) -> Vec<(String, Vec<u8>)> {
    if folder.is_file() {
        return vec![(prefix.to_string(), std::fs::read(folder).unwrap())];
    }
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .flat_map(|entry| {
            let entry = entry.unwrap();
            files_in(&entry.path(), &format!("{prefix}/{}", entry.file_name().to_string_lossy()))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn csv_files() {
    run("csv", corpus::csv_files());
}

#[test]
fn experiment_files() {
    run("experiment", corpus::experiment_files());
}

#[test]
fn numeric_edge_cases() {
    run("numerics", corpus::numeric_edge_cases());
}

#[test]
fn model_files() {
    run("model", corpus::model_files(trained()));
}

#[test]
fn prediction_inputs() {
    run("predict", corpus::prediction_inputs(trained()));
}

#[test]
fn limits() {
    run("limits", corpus::limits(trained()));
}

#[test]
fn idx_files() {
    run("idx", corpus::idx_files());
}

/// The IDX parser, which the command line reaches only through checksummed MNIST files.
#[test]
fn idx_reader() {
    let mut failures = Vec::new();
    for row in corpus::idx_reader_rows() {
        match neurone::datasets::read_idx_from::<f32>(&row.images, "images", &row.labels, "labels") {
            Ok(_) => failures.push(format!("[{}] accepted", row.name)),
            Err(error) if !error.to_string().contains(row.fragment) => {
                failures.push(format!("[{}] expected {:?} in {error}", row.name, row.fragment))
            }
            Err(_) => {}
        }
    }
    println!("idx reader: {} cases", corpus::idx_reader_rows().len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
