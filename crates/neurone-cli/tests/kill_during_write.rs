//! SIGKILL at any moment of a run that replaces a file leaves the previous file whole or the
//! new one whole, never a part: files are written to a temporary file and renamed over the old
//! one (`neurone::io::write_atomic`). Tested on the real binary: `neurone predict --out` is
//! killed while it writes its temporary file, and the file it replaces must be untouched.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scratch() -> PathBuf {
    let folder = std::env::temp_dir().join(format!("neurone-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn neurone(folder: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_neurone"));
    command.current_dir(folder).stdout(Stdio::null()).stderr(Stdio::piped());
    command
}

#[test]
fn sigkill_while_writing_predictions_leaves_the_old_file_or_the_whole_new_one() {
    let folder = scratch();
    let sine = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sine.toml");
    let output = neurone(&folder)
        .args(["train", sine.to_str().unwrap(), "--set", "train.epochs=5", "--no-plots", "--quiet", "--out", "run"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let rows: String = (0..300_000).map(|i| format!("{}\n", (i % 6283) as f64 / 1000.0)).collect();
    std::fs::write(folder.join("rows.csv"), format!("x\n{rows}")).unwrap();
    let predict = |out: &str| {
        let mut command = neurone(&folder);
        command.args(["predict", "run/model.safetensors", "rows.csv", "--out", out]);
        command
    };

    // The complete new file, and how long a whole run takes.
    let started = Instant::now();
    let output = predict("complete.csv").output().unwrap();
    let duration = started.elapsed();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let complete = std::fs::read(folder.join("complete.csv")).unwrap();
    assert!(complete.len() > 2_000_000, "{} bytes", complete.len());

    // Kill each run while it writes: as soon as its temporary file has bytes in it.
    let old = b"y\nthe previous predictions\n".to_vec();
    let target = folder.join("predictions.csv");
    let (mut caught, mut late) = (0, 0);
    for attempt in 0..8 {
        std::fs::write(&target, &old).unwrap();
        let mut child = predict("predictions.csv").spawn().unwrap();
        let temporary = folder.join(format!(".predictions.csv.{}.tmp", child.id()));
        let deadline = Instant::now() + duration * 10 + Duration::from_secs(10);
        let written = loop {
            if let Ok(metadata) = std::fs::metadata(&temporary)
                && metadata.len() > 0
            {
                child.kill().unwrap(); // SIGKILL on Unix
                break metadata.len();
            }
            assert!(child.try_wait().unwrap().is_none(), "attempt {attempt}: the run ended before it was seen writing");
            assert!(Instant::now() < deadline, "attempt {attempt}: no temporary file appeared");
            std::thread::sleep(Duration::from_micros(200));
        };
        child.wait().unwrap();
        let now = std::fs::read(&target).unwrap();
        if now == old {
            caught += 1; // killed before the rename: the old file is untouched
        } else if now == complete {
            late += 1; // the rename beat the kill: the new file is whole
        } else {
            panic!(
                "attempt {attempt}: killed with {written} bytes in the temporary file, predictions.csv holds {} bytes",
                now.len()
            );
        }
        let _ = std::fs::remove_file(&temporary);
        if caught == 3 {
            break;
        }
    }
    assert!(caught > 0, "never killed before the rename ({late} runs finished first)");
    // Uninterrupted, the same command replaces the old file with the whole new one.
    std::fs::write(&target, &old).unwrap();
    assert!(predict("predictions.csv").status().unwrap().success());
    assert_eq!(std::fs::read(&target).unwrap(), complete);
    std::fs::remove_dir_all(&folder).unwrap();
}
