//! The Python package's tests (`python/tests/`, pytest), run by `cargo test` like every other
//! test: `scripts/python-package-env.sh` makes the pinned venv and installs the package from
//! `./python` on first use (and again when its sources change); the tests get the `neurone`
//! binary built for this test run, to exchange model files with it.
//!
//! Without Python or network access the test is skipped with a message; under `CI=true` it
//! fails instead, so CI can never pass without having run the Python tests.

use std::path::Path;
use std::process::Command;

#[test]
fn the_python_package_passes_its_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let ci = std::env::var("CI").is_ok_and(|value| value == "true");
    let set_up = Command::new("bash").arg(root.join("scripts/python-package-env.sh")).status();
    if !set_up.as_ref().is_ok_and(|status| status.success()) {
        let message = format!("scripts/python-package-env.sh failed ({set_up:?})");
        assert!(!ci, "{message}; CI must run the Python package's tests");
        eprintln!("skipped the Python package's tests: {message}");
        return;
    }
    let venv = std::env::var_os("NEURONE_PACKAGE_VENV").unwrap_or_else(|| "target/python-package-venv".into());
    // `python -m pytest` rather than `bin/pytest`: a copied venv's scripts keep the shebang of
    // the venv they were made in, and would test that venv's package.
    let status = Command::new(root.join(venv).join("bin/python"))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "python/tests"])
        .current_dir(&root)
        .env("NEURONE_BIN", env!("CARGO_BIN_EXE_neurone"))
        .status()
        .expect("pytest runs");
    assert!(status.success(), "the Python package's tests failed: {status}");
}
