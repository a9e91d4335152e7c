//! Helpers shared by the command-line tests.

use std::path::{Path, PathBuf};

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
