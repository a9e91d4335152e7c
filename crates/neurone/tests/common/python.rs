//! The Python that the interoperability tests run, shared by the library's and the command
//! line's tests (which include this file by path).

#![allow(dead_code)]

/// The interoperability venv's Python, or `NEURONE_PYTHON`. The venv is the one of
/// `scripts/python-env.sh`: `NEURONE_PYTHON_VENV` (relative to the repository's root) or
/// `target/python-venv`, made on first use (pinned packages from PyPI), so `cargo test` needs no
/// set-up by hand.
///
/// `None` means skip, with a message, when that is impossible (no network); under `CI=true` a
/// missing venv fails the test instead, so CI can never pass without having run it.
pub fn python(test: &str) -> Option<std::path::PathBuf> {
    static SET_UP: std::sync::Once = std::sync::Once::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = match std::env::var_os("NEURONE_PYTHON") {
        Some(python) => std::path::PathBuf::from(python),
        None => {
            SET_UP.call_once(|| {
                let status = std::process::Command::new("bash").arg(root.join("scripts/python-env.sh")).status();
                if !status.as_ref().is_ok_and(|status| status.success()) {
                    eprintln!("scripts/python-env.sh failed: {status:?}");
                }
            });
            let venv = std::env::var_os("NEURONE_PYTHON_VENV").unwrap_or_else(|| "target/python-venv".into());
            root.join(venv).join("bin/python")
        }
    };
    if python.exists() {
        return Some(python);
    }
    let message = format!("{test}: no Python at {} (run scripts/python-env.sh)", python.display());
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!("{message}; CI must run this test");
    }
    eprintln!("skipped {message}");
    None
}

/// A script under `scripts/interop/`.
pub fn interop_script(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/interop").join(name)
}

/// Runs `python script args…` and returns its standard output as rows of numbers.
pub fn run_python(python: &std::path::Path, script: &str, args: &[&std::path::Path]) -> Vec<Vec<f64>> {
    let output = std::process::Command::new(python).arg(interop_script(script)).args(args).output().unwrap();
    assert!(output.status.success(), "{script} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| line.split(',').map(|value| value.trim().parse::<f64>().unwrap()).collect())
        .collect()
}
