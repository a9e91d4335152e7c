//! `neurone train --checkpoint-every N` and `--resume DIR`, on the real binary.

mod common;
use common::{example, run, scratch};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use neurone::Checkpoint;

fn neurone(args: &[&str], working_directory: &Path) -> Output {
    let output = run(args, working_directory);
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// The tensor bytes of a safetensors file (everything after its JSON header).
fn tensor_bytes(path: PathBuf) -> Vec<u8> {
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let header = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    bytes[8 + header..].to_vec()
}

#[test]
fn ten_epochs_straight_equal_five_then_five_resumed() {
    let folder = scratch("resume");
    let iris = example("iris");
    // Shuffled minibatches, Adam's moments and dropout masks all carry state across epochs.
    let train = |out: &str, extra: &[&str]| {
        let mut args = vec!["train", &iris, "--out", out, "-q", "--no-plots", "--set", "model.dropout=0.1"];
        args.extend(["--set", "train.optimizer={kind=\"adam\"}", "--set", "train.batch_size=16"]);
        args.extend(extra);
        neurone(&args, &folder)
    };
    train("straight", &["--set", "train.epochs=10"]);
    train("halves", &["--set", "train.epochs=5", "--checkpoint-every", "5"]);
    assert!(folder.join("halves/checkpoint.safetensors").exists());
    neurone(&["train", "--resume", "halves", "-q", "--no-plots", "--set", "train.epochs=10"], &folder);

    let straight = tensor_bytes(folder.join("straight/model.safetensors"));
    assert_eq!(tensor_bytes(folder.join("halves/model.safetensors")), straight, "bitwise-identical weights");
    let history = std::fs::read_to_string(folder.join("halves/history.csv")).unwrap();
    assert_eq!(history.lines().count(), 11, "the five first epochs and the five resumed: {history}");
    let checkpoint = Checkpoint::<f32>::load(folder.join("halves/checkpoint.safetensors")).unwrap();
    assert_eq!(checkpoint.epoch, 10, "the resumed run goes on checkpointing every 5 epochs");
}

#[test]
fn a_run_resumed_from_each_of_its_checkpoints_ends_with_the_bits_of_the_straight_run() {
    let folder = scratch("resume-each");
    let iris = example("iris");
    for schedule in [r#"{kind="plateau", patience=1, factor=0.5}"#, r#"{kind="exponential", gamma=0.7}"#] {
        let train = |out: &str, extra: &[&str]| {
            let mut args = vec!["train", &iris, "--out", out, "-q", "--no-plots", "--set", "model.dropout=0.1"];
            args.extend(["--set", "train.optimizer={kind=\"adam\"}", "--set", "train.batch_size=16"]);
            let schedule = format!("train.schedule={schedule}");
            args.extend(["--set", "data.validation=0.2", "--set", &schedule, "--overwrite"]);
            args.extend(extra);
            neurone(&args, &folder)
        };
        train("straight", &["--set", "train.epochs=4"]);
        let straight = tensor_bytes(folder.join("straight/model.safetensors"));
        for taken_at in 1..4 {
            let epochs = format!("train.epochs={taken_at}");
            train("part", &["--set", &epochs, "--checkpoint-every", "1"]);
            neurone(&["train", "--resume", "part", "-q", "--no-plots", "--set", "train.epochs=4"], &folder);
            let resumed = tensor_bytes(folder.join("part/model.safetensors"));
            assert!(resumed == straight, "{schedule}: resumed after epoch {taken_at}");
        }
    }
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn resuming_needs_a_checkpoint_and_the_same_network() {
    let folder = scratch("resume-errors");
    let iris = example("iris");
    neurone(&["train", &iris, "--out", "plain", "-q", "--no-plots", "--set", "train.epochs=2"], &folder);
    let output = run(&["train", "--resume", "plain"], &folder);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("plain/checkpoint.safetensors: no checkpoint to resume from"), "{stderr}");

    neurone(&["train", &iris, "--out", "saved", "-q", "--no-plots", "--checkpoint-every", "1"], &folder);
    let output = run(&["train", "--resume", "saved", "--set", "model.layers=[8]"], &folder);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the checkpoint's network is not the one the configuration describes"), "{stderr}");
}

/// SIGKILL while a checkpoint is being written (its temporary file present): the checkpoint
/// beside it is the previous one, whole, and training resumes from it.
#[test]
fn a_process_killed_while_saving_leaves_the_previous_checkpoint_intact() {
    let folder = scratch("kill-during-save");
    // A wide network on four points: each epoch is quick and each checkpoint (about 25 MB with
    // Adam's moments) slow to write, so the process spends most of its time saving.
    let args = [
        "train",
        &example("xor"),
        "--out",
        "run",
        "-q",
        "--no-plots",
        "--checkpoint-every",
        "1",
        "--set",
        "model.layers=[1024,1024]",
        "--set",
        "train.epochs=1000000",
    ];
    let run = folder.join("run");
    let checkpoint = run.join("checkpoint.safetensors");
    let mut killed_mid_save = false;
    for _attempt in 0..5 {
        let _ = std::fs::remove_dir_all(&run);
        let mut child = Command::new(env!("CARGO_BIN_EXE_neurone"))
            .args(args)
            .current_dir(&folder)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let temporary = run.join(format!(".checkpoint.safetensors.{}.tmp", child.id()));
        let deadline = Instant::now() + Duration::from_secs(60);
        // Wait for a first whole checkpoint, then for the next save to be under way.
        while !(checkpoint.exists() && temporary.exists()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(200));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        if temporary.exists() {
            killed_mid_save = true;
            break;
        }
    }
    assert!(killed_mid_save, "the kill never landed while a checkpoint was being written");

    let saved = Checkpoint::<f32>::load(&checkpoint).expect("the previous checkpoint is whole");
    assert!(saved.epoch >= 1);
    let epochs = format!("train.epochs={}", saved.epoch + 1);
    neurone(&["train", "--resume", "run", "-q", "--no-plots", "--set", &epochs], &folder);
    assert!(run.join("model.safetensors").exists());
    std::fs::remove_dir_all(&folder).unwrap();
}
