//! Run folders never lose a run: a second run gets a folder of its own, two runs started at
//! once get two, and a folder a running process writes into is refused to any other.

mod common;
use common::{example, run as neurone, scratch};

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A quick experiment named `iris`, trained for every epoch it is given (no early stop).
fn iris(folder: &Path) -> String {
    let config = folder.join("iris.toml");
    let text = "name = \"iris\"\n[data]\ndataset = \"iris\"\ntest = 0.2\nscale_inputs = \"standard\"\n\
                [model]\nlayers = [8]\n[train]\noptimizer = { kind = \"adam\" }\nepochs = 20\n";
    std::fs::write(&config, text).unwrap();
    config.to_string_lossy().into_owned()
}

fn succeeds(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

#[test]
fn a_second_run_gets_a_numbered_folder_and_the_first_is_intact() {
    let folder = scratch("numbered-runs");
    let config = iris(&folder);
    let quick = ["--set", "train.epochs=5", "--no-plots"];
    let first = succeeds(&neurone(&[&["train", config.as_str()], &quick[..]].concat(), &folder));
    assert!(first.contains("writing to runs/iris\n"), "{first}");
    let model = std::fs::read(folder.join("runs/iris/model.safetensors")).unwrap();

    let second = ["train", config.as_str(), "--set", "train.epochs=6", "--seed", "3", "--no-plots"];
    let stderr = succeeds(&neurone(&second, &folder));
    assert!(stderr.contains("writing to runs/iris-2\n"), "the folder is said on stderr: {stderr}");
    assert_eq!(std::fs::read(folder.join("runs/iris/model.safetensors")).unwrap(), model, "the first run is intact");
    let history = std::fs::read_to_string(folder.join("runs/iris-2/history.csv")).unwrap();
    assert_eq!(history.lines().count(), 7, "the second run is in its own folder: {history}");
    succeeds(&neurone(&[&["train", config.as_str(), "-q"], &quick[..]].concat(), &folder));
    assert!(folder.join("runs/iris-3/model.safetensors").exists());
    assert!(!folder.join("runs/iris/.neurone.lock").exists(), "a finished run leaves no lock");
}

#[test]
fn two_runs_started_at_once_write_into_two_folders() {
    let folder = scratch("simultaneous-runs");
    let config = iris(&folder);
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_neurone"))
            .args(["train", &config, "-q", "--no-plots", "--set", "train.epochs=20"])
            .current_dir(&folder)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (start(), start());
    for child in [first, second] {
        succeeds(&child.wait_with_output().unwrap());
    }
    for run in ["runs/iris", "runs/iris-2"] {
        let history = std::fs::read_to_string(folder.join(run).join("history.csv")).unwrap();
        assert_eq!(history.lines().count(), 21, "{run} holds one whole run: {history}");
    }
    assert!(!folder.join("runs/iris-3").exists());
}

#[test]
fn a_folder_being_written_is_refused_naming_the_process_and_freed_when_it_dies() {
    let folder = scratch("locked-run");
    let mut running = Command::new(env!("CARGO_BIN_EXE_neurone"))
        .args(["train", &example("sine"), "-q", "--set", "train.epochs=10000000", "--out", "run"])
        .current_dir(&folder)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lock = folder.join("run/.neurone.lock");
    let started = Instant::now();
    while !lock.exists() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = ["train", &example("sine"), "-q", "--out", "run", "--overwrite", "--set", "train.epochs=2"];
    let output = neurone(&second, &folder);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let expected = format!("error: run: another run (process {}) is writing into this folder", running.id());
    assert!(stderr.starts_with(&expected) && stderr.trim_end().lines().count() == 1, "{stderr}");

    // Killed, the first run leaves its lock behind: the next run sees that its process is gone.
    running.kill().unwrap();
    running.wait().unwrap();
    assert!(lock.exists());
    succeeds(&neurone(&second, &folder));
    assert!(folder.join("run/model.safetensors").exists() && !lock.exists());
}

#[test]
fn a_refused_run_says_only_why_and_leaves_no_folder() {
    let folder = scratch("refused-run");
    let too_big = ["train", &example("xor"), "--set", "model.layers=[200000,200000]"];
    let output = neurone(&too_big, &folder);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "the error alone: {stderr}");
    assert!(stderr.starts_with("error: ") && stderr.contains("memory available"), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(!folder.join("runs/xor").exists(), "no folder is left");
}
