//! Helpers shared by the command-line tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "../../../neurone/tests/common/python.rs"]
pub mod python;

/// Runs the `neurone` binary with `args` in `working_directory`, whatever its exit status.
pub fn run(args: &[&str], working_directory: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_neurone")).args(args).current_dir(working_directory).output().unwrap()
}

/// A fresh, empty folder for one test.
pub fn scratch(test: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("neurone-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// The path of `examples/NAME.toml`.
pub fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../examples/{name}.toml")).to_string_lossy().into_owned()
}

/// The data folder (`NEURONE_DATA`, else the shared folder beside the checkout), or `None`, with
/// a message, when it is absent outside CI (under `CI=true` the test fails instead).
#[allow(dead_code, reason = "only the tests that read insurance or MNIST need it")]
pub fn data_folder() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let folder = std::env::var_os("NEURONE_DATA").map(PathBuf::from).unwrap_or_else(|| root.join("../shared/data"));
    if folder.join("insurance.csv").exists() && folder.join("mnist").exists() {
        return Some(folder);
    }
    let message = format!("the data folder {} is missing: set NEURONE_DATA", folder.display());
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
    eprintln!("skipping: {message}");
    None
}
