//! The rows of the bad-input corpus (see `tests/bad_input.rs`): each row gives the files a case
//! starts with, the command line, and what must happen.

mod csv;
mod experiments;
mod idx;
mod limits;
mod models;
mod numerics;

pub use csv::csv_files;
pub use experiments::experiment_files;
pub use idx::{idx_files, idx_reader_rows};
pub use limits::limits;
pub use models::{model_files, prediction_inputs};
pub use numerics::numeric_edge_cases;

use std::path::Path;

/// One row of the corpus.
pub struct Case {
    /// Unique within its group; the case's scratch folder is named after it.
    pub name: &'static str,
    /// Files written into the case's folder before the command runs: (relative path, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// The arguments of `neurone`, run in the case's folder. Results go to `out` (a folder for
    /// `train`, `out/predictions.csv` for `predict`).
    pub args: Vec<String>,
    /// A folder of the case to use as `NEURONE_DATA`.
    pub data_folder: Option<&'static str>,
    /// The largest file the command may write, in bytes (`ulimit -f`): a full disk.
    pub file_size_limit: Option<u64>,
    pub expect: Expect,
}

/// What a case must do.
pub enum Expect {
    /// Refused with this exit code (2: bad input, 1: failed run) and a one-line message holding
    /// `fragment`; `out` left as the case made it (absent, or the same files, byte for byte).
    Error { code: u8, fragment: String },
    /// Accepted: exit code 0, and `check(out, stdout)` passes.
    Works { check: fn(&Path, &str) -> Result<(), String> },
}

impl Case {
    pub fn new(name: &'static str, args: &[&str]) -> Self {
        Self {
            name,
            files: Vec::new(),
            args: args.iter().map(|a| a.to_string()).collect(),
            data_folder: None,
            file_size_limit: None,
            expect: Expect::Works { check: |_, _| Ok(()) },
        }
    }

    pub fn file(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.push((name.to_string(), bytes.into()));
        self
    }

    pub fn data_folder(mut self, name: &'static str) -> Self {
        self.data_folder = Some(name);
        self
    }

    pub fn file_size_limit(mut self, bytes: u64) -> Self {
        self.file_size_limit = Some(bytes);
        self
    }

    /// Refused as bad input (exit code 2).
    pub fn usage_error(self, fragment: impl Into<String>) -> Self {
        self.error(2, fragment)
    }

    pub fn error(mut self, code: u8, fragment: impl Into<String>) -> Self {
        self.expect = Expect::Error { code, fragment: fragment.into() };
        self
    }

    pub fn works(mut self, check: fn(&Path, &str) -> Result<(), String>) -> Self {
        self.expect = Expect::Works { check };
        self
    }
}

/// A regression problem on a numeric and a categorical column: y = 2x (+1 if blue).
pub const REGRESSION_CSV: &str = "x,colour,y\n\
    1,red,2\n2,blue,5\n3,red,6\n4,blue,9\n5,red,10\n6,blue,13\n7,red,14\n8,blue,17\n9,red,18\n10,blue,21\n\
    11,red,22\n12,blue,25\n13,red,26\n14,blue,29\n15,red,30\n16,blue,33\n17,red,34\n18,blue,37\n19,red,38\n20,blue,41\n";

/// Three species from two measurements.
pub const CLASSIFICATION_CSV: &str = "length,width,species\n\
    1.0,0.5,small\n1.2,0.4,small\n0.9,0.6,small\n1.1,0.5,small\n1.3,0.5,small\n\
    3.0,1.5,medium\n3.2,1.4,medium\n2.9,1.6,medium\n3.1,1.5,medium\n3.3,1.5,medium\n\
    6.0,3.5,large\n6.2,3.4,large\n5.9,3.6,large\n6.1,3.5,large\n6.3,3.5,large\n";

/// An experiment on the CSV file `path` with target `target`; `train` holds `[train]` lines
/// (3 epochs unless it says otherwise).
pub fn experiment(path: &str, target: &str, train: &str) -> String {
    let epochs = if train.contains("epochs") { "" } else { "epochs = 3\n" };
    format!(
        "name = \"case\"\nseed = 1\n[data]\ndataset = \"csv\"\npath = \"{path}\"\ntarget = \"{target}\"\n\
         [model]\nlayers = [4]\n[train]\n{epochs}{train}"
    )
}

/// Models trained once by the real binary, whose files the model rows damage and with which
/// the prediction rows predict.
pub struct Trained {
    /// On [`REGRESSION_CSV`]: a numeric and a categorical input.
    pub regressor: Vec<u8>,
    /// On [`CLASSIFICATION_CSV`].
    pub classifier: Vec<u8>,
    /// The regressor exported as ONNX.
    pub onnx: Vec<u8>,
    /// The regressor's checkpoint, taken at its last epoch.
    pub checkpoint: Vec<u8>,
}

/// `neurone train exp.toml` writing into `out`, quietly and without plots.
pub const TRAIN: &[&str] = &["train", "exp.toml", "--quiet", "--no-plots", "--out", "out"];

/// The files of a successful run, each present and not empty, and a model that loads and
/// predicts finite values.
pub fn run_written(out: &Path, _stdout: &str) -> Result<(), String> {
    for name in ["model.safetensors", "metrics.json", "history.csv", "predictions.csv", "config.toml"] {
        match std::fs::metadata(out.join(name)) {
            Ok(metadata) if metadata.len() > 0 => {}
            _ => return Err(format!("{name} is missing or empty in {}", out.display())),
        }
    }
    let model = neurone::Model::<f32>::load(out.join("model.safetensors")).map_err(|error| error.to_string())?;
    let width = model.network.inputs();
    let outputs =
        model.predict(&neurone::Matrix::new(1, width, vec![0.5; width]).unwrap()).map_err(|error| error.to_string())?;
    if !outputs.as_slice().iter().all(|value| value.is_finite()) {
        return Err(format!("the saved model predicts {:?}", outputs.as_slice()));
    }
    // serde_json writes NaN and infinities as null: a null metric is a non-finite one.
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let nulls: Vec<&String> =
        metrics.as_object().unwrap().iter().filter(|(_, value)| value.is_null()).map(|(key, _)| key).collect();
    if !nulls.is_empty() {
        return Err(format!("metrics.json holds non-finite values for {nulls:?}: {metrics}"));
    }
    let predictions = std::fs::read_to_string(out.join("predictions.csv")).unwrap();
    if predictions.contains("NaN") || predictions.contains("inf") {
        return Err(format!("predictions.csv holds a non-finite value: {predictions}"));
    }
    Ok(())
}
