//! What a run must not lose or crash on: a network too large for the memory, a folder that
//! holds another run or is being written by one, and a disk too full for a model, a
//! checkpoint, a CSV file or a plot (a file-size limit stands for the full disk).

use super::{Case, TRAIN, Trained, experiment, run_written};

/// Ten rows of y = x1 + x2.
const DATA: &str = "x1,x2,y\n1,2,3\n2,1,3\n3,5,8\n4,4,8\n5,0,5\n6,2,8\n7,7,14\n8,1,9\n9,3,12\n10,2,12\n";

/// A file-size limit (bytes) that the small files of a run fit in and a model of two hidden
/// layers of 128 units (68 kB) does not; `ulimit -f` counts 512- or 1024-byte blocks.
const SMALL_DISK: u64 = 8192;

/// `neurone train exp.toml` on [`DATA`] with hidden `layers` and `[train]` lines `train`.
fn training(name: &'static str, layers: &str, train: &str, args: &[&str]) -> Case {
    let toml = experiment("data.csv", "y", train).replacen("layers = [4]", &format!("layers = {layers}"), 1);
    Case::new(name, args).file("data.csv", DATA).file("exp.toml", toml)
}

/// The files of a finished earlier run in `out`.
fn with_previous_run(case: Case, trained: &Trained) -> Case {
    case.file("out/model.safetensors", trained.regressor.clone())
        .file("out/history.csv", "epoch,train_loss\n1,0.5\n")
        .file("out/metrics.json", "{}\n")
}

pub fn limits(trained: &Trained) -> Vec<Case> {
    let overwrite = [TRAIN, &["--overwrite"]].concat();
    let many_rows = format!("x,colour\n{}", "2.5,red\n30,blue\n".repeat(2000));
    vec![
        // Memory: refused before anything of that size is allocated, naming the setting.
        training("layer_widths_beyond_memory", "[200000, 200000]", "", TRAIN)
            .usage_error("exp.toml:8:10: the network and its training need 480.0 GB (parameters 320.0 GB, gradients 160.0 GB, optimizer state 0 bytes, activations 33.6 MB), more than the "),
        training("layer_widths_beyond_memory_given_with_set", "[4]", "", &[TRAIN, &["--set", "model.layers=[200000,200000]"]].concat())
            .usage_error("exp.toml with --set model.layers=[200000,200000]: the network and its training need 480.0 GB"),
        training("batch_beyond_memory", "[1000000000]", "batch_size = 10\n", TRAIN)
            .usage_error("exp.toml:11:14: the network and its training need 132.0 GB (parameters 32.0 GB, gradients 16.0 GB, optimizer state 0 bytes, activations 84.0 GB)"),
        training("adam_state_is_counted", "[20000, 200000]", "optimizer = { kind = \"adam\" }\n", TRAIN)
            .usage_error("optimizer state 32.0 GB"),
        // Run folders: a folder that holds a run is never written over without --overwrite,
        // and one that a running process writes into is refused, naming it.
        with_previous_run(training("out_holds_a_run", "[4]", "", TRAIN), trained).usage_error(
            "out: the folder already holds files (another run's?); pass --overwrite to write over them, or give another --out",
        ),
        with_previous_run(training("out_is_locked", "[4]", "", &overwrite), trained)
            .file("out/.neurone.lock", format!("{}\n", std::process::id()))
            .usage_error(format!("out: another run (process {}) is writing into this folder", std::process::id())),
        with_previous_run(training("overwrite_replaces_a_run", "[4]", "", &overwrite), trained).works(run_written),
        training("stale_lock", "[4]", "", TRAIN).file("out/.neurone.lock", "4294967295\n").works(|out, stdout| {
            run_written(out, stdout)?;
            match out.join(".neurone.lock").exists() {
                true => Err("the lock outlived the run".into()),
                false => Ok(()),
            }
        }),
        // A full disk: exit code 1, the file named, the previous version intact, no temporary
        // file left, and no folder of a run that could not be written.
        training("disk_full_for_the_model", "[128, 128]", "", TRAIN)
            .file_size_limit(SMALL_DISK)
            .error(1, "out/model.safetensors: File too large"),
        with_previous_run(training("disk_full_over_a_previous_run", "[128, 128]", "", &overwrite), trained)
            .file_size_limit(SMALL_DISK)
            .error(1, "out/model.safetensors: File too large"),
        training("disk_full_for_a_checkpoint", "[128, 128]", "", &[TRAIN, &["--checkpoint-every", "1"]].concat())
            .file_size_limit(SMALL_DISK)
            .error(1, "out/checkpoint.safetensors: File too large"),
        training("disk_full_for_a_plot", "[4]", "", &["train", "exp.toml", "--quiet", "--out", "out"])
            .file_size_limit(SMALL_DISK)
            .error(1, "File too large"),
        Case::new("disk_full_for_predictions", &["predict", "model.safetensors", "new.csv", "--out", "out/predictions.csv"])
            .file("model.safetensors", trained.regressor.clone())
            .file("new.csv", many_rows)
            .file("out/predictions.csv", "y\n5\n")
            .file_size_limit(SMALL_DISK)
            .error(1, "out/predictions.csv: File too large"),
    ]
}
