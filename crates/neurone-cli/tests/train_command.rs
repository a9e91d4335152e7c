//! `neurone train` run as a user runs it: the real binary, real files.

mod common;
use common::{example, run as neurone, scratch};

use std::path::{Path, PathBuf};
use std::process::Command;

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The value of a top-level number in metrics.json.
fn metric(json: &str, key: &str) -> f64 {
    let start = json.find(&format!("\"{key}\": ")).unwrap_or_else(|| panic!("no {key} in {json}")) + key.len() + 4;
    json[start..].split([',', '\n']).next().unwrap().trim().parse().unwrap()
}

#[test]
fn the_course_sine_experiment_fits_and_writes_its_outputs() {
    let folder = scratch("sine");
    let output = neurone(&["train", &example("sine"), "--quiet"], &folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stdout.is_empty(), "--quiet printed: {}", String::from_utf8_lossy(&output.stdout));
    let run = folder.join("runs/sine");

    let history = read(run.join("history.csv"));
    let mut lines = history.lines();
    assert!(lines.next().unwrap().starts_with("epoch,train_loss,val_loss"));
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 2000);
    assert!(rows[1999][1] < rows[0][1] / 1000.0, "the training loss must fall: {:?} → {:?}", rows[0], rows[1999]);
    assert!(rows[1999][2] < rows[0][2] / 1000.0, "the validation loss must fall");

    let predictions = read(run.join("predictions.csv"));
    assert_eq!(predictions.lines().next(), Some("x,y_true,y_pred"));
    assert_eq!(predictions.lines().count(), 1001);
    let last: Vec<f64> = predictions.lines().last().unwrap().split(',').map(|v| v.parse().unwrap()).collect();
    assert!((last[0] - std::f64::consts::TAU).abs() < 1e-6, "the grid ends at 2π: {last:?}");

    // The course's bar: the fit on the grid is within 1e-4 mean squared error.
    let metrics = read(run.join("metrics.json"));
    let mse = metric(&metrics, "mse");
    assert!(mse < 1e-4, "grid mse {mse}");
    assert!((metric(&metrics, "rmse") - mse.sqrt()).abs() < 1e-12);
    assert!(metric(&metrics, "r2") > 0.999);
    // The mean absolute error of the predictions written out.
    let rows: Vec<Vec<f64>> =
        predictions.lines().skip(1).map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect();
    let mae = rows.iter().map(|row| (row[1] - row[2]).abs()).sum::<f64>() / rows.len() as f64;
    assert!((metric(&metrics, "mae") - mae).abs() <= 1e-6 * mae, "{} vs {mae}", metric(&metrics, "mae"));
    let mse_by_hand = rows.iter().map(|row| (row[1] - row[2]).powi(2)).sum::<f64>() / rows.len() as f64;
    assert!((mse - mse_by_hand).abs() <= 1e-5 * mse, "{mse} vs {mse_by_hand}");

    let resolved = read(run.join("config.toml"));
    assert!(resolved.contains("shuffle = true"), "defaults are written out: {resolved}");
}

#[test]
fn a_run_is_reproducible_from_its_seed() {
    let folder = scratch("seed");
    let config = folder.join("small.toml");
    std::fs::write(&config, "name = \"small\"\n[data]\ndataset = \"sine\"\nsamples = 64\n[train]\nepochs = 20\n")
        .unwrap();
    let config = config.to_string_lossy().into_owned();
    let mut outputs = Vec::new();
    for (seed, out) in [("1", "a"), ("1", "b"), ("2", "c")] {
        let output = neurone(&["train", &config, "--seed", seed, "--out", out, "-q"], &folder);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        outputs.push(read(folder.join(out).join("predictions.csv")));
    }
    assert_eq!(outputs[0], outputs[1], "same seed, same predictions to the last digit");
    assert_ne!(outputs[0], outputs[2], "another seed, other predictions");
    assert!(read(folder.join("a/config.toml")).contains("seed = 1"));
}

#[test]
fn regularisation_and_early_stopping_are_reachable_from_the_experiment_file() {
    let folder = scratch("toolkit");
    let config = "name = \"toolkit\"\n[data]\ndataset = \"sine\"\nsamples = 200\n\
                  [model]\nlayers = [32, 32]\nactivation = \"relu\"\nbatch_norm = true\ndropout = 0.1\n\
                  [train]\nepochs = 300\nl2 = 1e-4\nclip_norm = 1.0\nmetrics = [\"r2\"]\n\
                  [train.early_stopping]\nmonitor = \"val_r2\"\npatience = 5\n";
    std::fs::write(folder.join("toolkit.toml"), config).unwrap();
    let output = neurone(&["train", "toolkit.toml"], &folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("batch_norm") && stderr.contains("dropout(0.1)"), "the summary lists the layers: {stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains(": mse "), "results go to stdout");

    let history = read(folder.join("runs/toolkit/history.csv"));
    assert!(history.starts_with("epoch,train_loss,val_loss,penalty,learning_rate,elapsed_seconds,val_r2\n"));
    let rows: Vec<Vec<f64>> =
        history.lines().skip(1).map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect();
    assert!(rows.iter().all(|row| row[3] > 0.0), "the L2 penalty is recorded");
    let metrics = read(folder.join("runs/toolkit/metrics.json"));
    let best = metric(&metrics, "best_epoch") as usize;
    let best_r2 = rows[best - 1][6];
    assert!(rows.iter().all(|row| row[6] <= best_r2), "the best epoch has the best validation R²");
    assert!(metrics.contains("\"stopped_early\": true"), "{metrics}");
    assert_eq!(rows.len(), best + 5, "stopped `patience` epochs after the best");
}

#[test]
fn optimizers_and_schedules_are_chosen_in_the_experiment_file() {
    let folder = scratch("optimizers");
    let base = "name = \"opt\"\n[data]\ndataset = \"sine\"\nsamples = 100\nvalidation_samples = 50\n";
    let config = format!(
        "{base}[train]\nepochs = 40\nlearning_rate = 0.01\noptimizer = {{ kind = \"adam\", beta2 = 0.99 }}\n\
         schedule = {{ kind = \"cosine\", warmup_epochs = 4, min_learning_rate = 0.001 }}\n"
    );
    std::fs::write(folder.join("adam.toml"), config).unwrap();
    let output = neurone(&["train", "adam.toml", "-q"], &folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let history = read(folder.join("runs/opt/history.csv"));
    let rates: Vec<f64> = history.lines().skip(1).map(|l| l.split(',').nth(4).unwrap().parse().unwrap()).collect();
    assert_eq!(rates[0], 0.01 / 4.0, "linear warm-up over 4 epochs starts at η₀/4");
    assert_eq!(rates[3], 0.01);
    assert!((rates[39] - 0.001).abs() < 2e-5, "annealed to the minimum: {}", rates[39]);
    let resolved = read(folder.join("runs/opt/config.toml"));
    assert!(resolved.contains("kind = \"adam\"") && resolved.contains("beta1 = 0.9"), "{resolved}");

    // L-BFGS, with the optimizer's own default learning rate written out.
    let config = format!("{base}[train]\nepochs = 100\noptimizer = {{ kind = \"lbfgs\" }}\n");
    std::fs::write(folder.join("lbfgs.toml"), config).unwrap();
    let output = neurone(&["train", "lbfgs.toml", "-q", "--out", "lbfgs"], &folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(metric(&read(folder.join("lbfgs/metrics.json")), "mse") < 1e-3);
    assert!(read(folder.join("lbfgs/config.toml")).contains("learning_rate = 1.0"));
}

#[test]
fn bad_input_gets_a_one_line_error_and_a_failure_code() {
    let folder = scratch("errors");
    let base = "name = \"bad\"\n[data]\ndataset = \"sine\"\n";
    // (file contents, expected error fragment)
    let cases = [
        ("name = \"bad\"\n[data\n", "bad.toml:2:6: "),
        (&format!("{base}[train]\nlerning_rate = 0.1\n") as &str, "bad.toml:5:1: unknown field `lerning_rate`"),
        (&format!("{base}[train]\nlearning_rate = -0.5\n"), "bad.toml:5:17: must be a positive number, got -0.5"),
        (&format!("{base}[train]\nlearning_rate = nan\n"), "must be a positive number, got NaN"),
        (&format!("{base}[model]\nlayers = [8, 0]\n"), "bad.toml:5:14: must be at least 1, got 0"),
        (&format!("{base}[train]\nbatch_size = -3\n"), "bad.toml:5:14: "),
        (&format!("{base}[model]\nactivation = \"sigmod\"\n"), "unknown activation `sigmod`"),
        (
            &format!("{base}[train]\nloss = \"cross_entropy\"\n"),
            "bad.toml:5:8: cross_entropy needs a softmax output layer",
        ),
        ("[data]\ndataset = \"sine\"\n", "missing field `name`"),
        (&format!("{base}[model]\ndropout = 1.5\n"), "bad.toml:5:11: must be in [0, 1), got 1.5"),
        (&format!("{base}[train]\noptimizer = {{ kind = \"adma\" }}\n"), "did you mean `adam`?"),
        (
            &format!("{base}[train]\noptimizer = {{ kind = \"adam\", beta1 = 1.5 }}\n"),
            "bad.toml:5:38: must be in [0, 1), got 1.5",
        ),
        (
            &format!(
                "{base}[train]\noptimizer = {{ kind = \"lbfgs\" }}\nschedule = {{ kind = \"exponential\", gamma = 0.9 }}\n"
            ),
            "L-BFGS has no learning rate to schedule",
        ),
        (&format!("{base}[train]\nclip_norm = 1.0\nclip_value = 1.0\n"), "set clip_norm or clip_value, not both"),
        (&format!("{base}[train.early_stopping]\nmonitor = \"val_accuracy\"\n"), "not among the metrics measured"),
    ];
    for (contents, expected) in cases {
        std::fs::write(folder.join("bad.toml"), contents).unwrap();
        let output = neurone(&["train", "bad.toml", "--quiet"], &folder);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "a usage error: {contents}\n{stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(expected),
            "{contents}\nexpected {expected:?} in {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(!folder.join("runs/bad").exists(), "a failed run leaves no output folder");
    }
    let output = neurone(&["train", "missing.toml"], &folder);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("error: missing.toml: "));

    // A valid file whose training fails is a failure of the run: exit code 1.
    std::fs::write(folder.join("bad.toml"), format!("{base}[train]\nlearning_rate = 1e9\nepochs = 20\n")).unwrap();
    let output = neurone(&["train", "bad.toml", "--quiet"], &folder);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: training diverged at epoch ") && stderr.contains("smaller learning rate"));
    assert!(!folder.join("runs/bad").exists(), "a failed run leaves no output folder");
}

#[test]
fn summary_and_gradcheck_read_the_experiment_file() {
    let folder = scratch("inspect");
    let output = neurone(&["summary", &example("sine"), "--set", "model.layers=[8]"], &folder);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("Total parameters: 25"), "1→8→1 has 16 + 9 parameters: {stdout}");

    let output = neurone(&["gradcheck", &example("sine"), "--set", "model.batch_norm=true"], &folder);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("layers.1.weight") && stdout.contains("gradient check passed"), "{stdout}");
    assert!(!folder.join("runs").exists(), "neither command writes anything");
}

#[test]
fn ctrl_c_stops_after_the_current_batch_and_writes_the_results_so_far() {
    let folder = scratch("interrupt");
    let child = Command::new(env!("CARGO_BIN_EXE_neurone"))
        .args(["train", &example("sine"), "--set", "train.epochs=10000000", "--out", "run"])
        .current_dir(&folder)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Let it train a little, then press Ctrl-C.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("stopping after the current batch") && stderr.contains("error: interrupted in epoch"));
    let history = read(folder.join("run/history.csv"));
    assert!(history.lines().count() > 2, "epochs before the interruption are recorded: {history}");
    let metrics = read(folder.join("run/metrics.json"));
    assert!(metrics.contains("\"interrupted\": true") && metrics.contains("\"mse\""), "{metrics}");
    assert!(read(folder.join("run/config.toml")).contains("epochs = 10000000"));
    // The weights of the last finished batch are saved, and they load and predict finitely.
    let model = neurone::Model::<f32>::load(folder.join("run/model.safetensors")).unwrap();
    let prediction = model.predict(&neurone::Matrix::column(&[1.0])).unwrap();
    assert!(prediction.as_slice()[0].is_finite(), "{prediction:?}");
}

#[test]
fn datasets_lists_what_is_present_and_what_is_missing() {
    let folder = scratch("datasets");
    let output =
        Command::new(env!("CARGO_BIN_EXE_neurone")).arg("datasets").env("NEURONE_DATA", &folder).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(stdout.contains(&format!("data folder: {}", folder.display())), "{stdout}");
    assert!(stdout.contains("insurance  data folder    missing 1 of 1 files"), "{stdout}");
    std::fs::write(folder.join("insurance.csv"), "age\n1\n").unwrap();
    let output =
        Command::new(env!("CARGO_BIN_EXE_neurone")).arg("datasets").env("NEURONE_DATA", &folder).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&format!("present: {}", folder.join("insurance.csv").display())), "{stdout}");
    assert!(stdout.contains("mnist      data folder    missing 4 of 4 files"), "{stdout}");
}

#[test]
fn a_reader_that_stops_early_ends_the_listing_quietly() {
    // `neurone datasets | head -0`: the pipe's reading end is closed before the first line.
    let folder = scratch("closed-pipe");
    assert_ends_quietly_into_a_closed_pipe(&["datasets"], &folder);
}

/// Runs `neurone ARGS | head -0` in `folder`: success, and nothing on standard error.
fn assert_ends_quietly_into_a_closed_pipe(args: &[&str], folder: &Path) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_neurone"))
        .args(args)
        .current_dir(folder)
        .env("NEURONE_DATA", folder)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?}: {:?}: {stderr}", output.status);
    assert!(stderr.is_empty(), "{args:?}: {stderr}");
}

#[test]
fn a_trained_model_predicts_evaluates_exports_and_summarises() {
    let folder = scratch("model");
    let iris = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/neurone/data/iris.csv");
    let iris = iris.to_string_lossy().into_owned();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iris.toml");
    let output = neurone(&["train", &config.to_string_lossy(), "-q", "--out", "run"], &folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    // predict: one row per input row, the class then its probabilities.
    let output = neurone(&["predict", "run/model.safetensors", &iris, "--out", "predicted.csv"], &folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let predicted = read(folder.join("predicted.csv"));
    assert!(predicted.starts_with("species,p_setosa,p_versicolor,p_virginica\n"), "{predicted}");
    assert_eq!(predicted.lines().count(), 151);
    let actual: Vec<String> =
        read(PathBuf::from(&iris)).lines().skip(1).map(|l| l.rsplit(',').next().unwrap().to_owned()).collect();
    let agree = predicted.lines().skip(1).zip(&actual).filter(|(p, a)| p.split(',').next() == Some(a.as_str())).count();
    assert!(agree >= 140, "{agree} of 150 predicted right");
    // `neurone predict … | head -0`: the predictions' reader has gone.
    assert_ends_quietly_into_a_closed_pipe(&["predict", "run/model.safetensors", &iris], &folder);

    // eval: the same agreement, measured by the tool.
    let output = neurone(&["eval", "run/model.safetensors", "--data", &iris], &folder);
    let json = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!((metric(&json, "accuracy") - agree as f64 / 150.0).abs() < 1e-12, "{json}");

    // export and summary.
    let output = neurone(&["export", "run/model.safetensors", "--onnx", "iris.onnx"], &folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    if let Some(python) = common::python::python("cli-onnx") {
        // onnxruntime runs the exported graph, scaler included, on the raw measurements, and
        // predicts what the model file predicts.
        let raw: Vec<Vec<f32>> = read(PathBuf::from(&iris))
            .lines()
            .skip(1)
            .map(|line| line.split(',').take(4).map(|value| value.parse().unwrap()).collect())
            .collect();
        let csv: String = raw.iter().map(|row| format!("{},{},{},{}\n", row[0], row[1], row[2], row[3])).collect();
        std::fs::write(folder.join("raw.csv"), csv).unwrap();
        let (onnx, inputs) = (folder.join("iris.onnx"), folder.join("raw.csv"));
        let from_onnx = common::python::run_python(&python, "run_onnx.py", &[&onnx, &inputs]);
        let model = neurone::Model::<f32>::load(folder.join("run/model.safetensors")).unwrap();
        let x = neurone::Matrix::new(150, 4, raw.concat()).unwrap();
        let expected = model.predict(&x).unwrap();
        assert_eq!(from_onnx.len(), 150);
        for (row, (onnx_row, expected_row)) in from_onnx.iter().zip(expected.iter_rows()).enumerate() {
            assert_eq!(onnx_row.len(), 3, "row {row}");
            for (&a, &b) in onnx_row.iter().zip(expected_row) {
                assert!(
                    (a - f64::from(b)).abs() <= 1e-5,
                    "row {row}: onnxruntime {onnx_row:?}, neurone {expected_row:?}"
                );
            }
        }
    }
    let output = neurone(&["summary", "run/model.safetensors"], &folder);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Total parameters: 131") && stdout.contains("classes: setosa, versicolor, virginica"),
        "{stdout}"
    );

    // Mistakes: a missing column, a file that is not a model.
    std::fs::write(folder.join("short.csv"), "sepal_length,sepal_width\n1,2\n").unwrap();
    let output = neurone(&["predict", "run/model.safetensors", "short.csv"], &folder);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no column `petal_length`"));
    let output = neurone(&["predict", "short.csv", "short.csv"], &folder);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("error: short.csv: "));
}

/// The files of a run folder, sorted.
fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_run_draws_the_plots_that_fit_its_task() {
    let folder = scratch("plots");
    let output = neurone(&["train", &example("xor"), "--out", "xor", "-q"], &folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let plots = ["confusion_matrix", "decision_boundary", "learning_curves"];
    let mut expected: Vec<String> =
        plots.iter().flat_map(|plot| [format!("{plot}.png"), format!("{plot}.svg")]).collect();
    expected.extend(
        ["config.toml", "history.csv", "metrics.json", "model.safetensors", "predictions.csv"].map(String::from),
    );
    expected.sort();
    assert_eq!(files_in(&folder.join("xor")), expected, "classification with two inputs");
    for plot in plots {
        let png = std::fs::read(folder.join(format!("xor/{plot}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.ends_with(b"IEND\xae\x42\x60\x82"), "{plot}.png");
        assert!(read(folder.join(format!("xor/{plot}.svg"))).contains("</svg>"), "{plot}.svg");
    }

    // Regression with one input: the fit, predicted against actual values.
    let output = neurone(&["train", &example("sine"), "--out", "sine", "-q", "--set", "train.epochs=5"], &folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let files = files_in(&folder.join("sine"));
    for plot in ["fit.png", "fit.svg", "predicted_vs_actual.png", "learning_curves.svg"] {
        assert!(files.contains(&plot.to_owned()), "no {plot} in {files:?}");
    }
    assert!(!files.iter().any(|file| file.starts_with("confusion") || file.starts_with('.')), "{files:?}");

    let output = neurone(&["train", &example("xor"), "--out", "bare", "-q", "--no-plots"], &folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        files_in(&folder.join("bare")),
        ["config.toml", "history.csv", "metrics.json", "model.safetensors", "predictions.csv"]
    );
}

#[test]
fn a_failed_run_draws_no_plot() {
    let folder = scratch("failed-plots");
    std::fs::create_dir_all(folder.join("existing")).unwrap();
    std::fs::write(
        folder.join("diverges.toml"),
        "name = \"diverges\"\n[data]\ndataset = \"sine\"\n[train]\nlearning_rate = 1e9\nepochs = 20\n",
    )
    .unwrap();
    let output = neurone(&["train", "diverges.toml", "--out", "existing", "-q"], &folder);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(files_in(&folder.join("existing")).is_empty(), "a run that diverged writes nothing");
}

#[test]
fn a_run_that_diverges_ends_with_the_best_weights_when_early_stopping_restores_them() {
    let folder = scratch("diverges-best");
    // η = 0.4 diverges at epoch 2 on the sine (the guide's experiment 6).
    let args = ["--set", "train.learning_rate=0.4", "--set", "train.epochs=50", "--no-plots"];
    let stopping = ["--set", "train.early_stopping.monitor=val_loss"];
    let output = neurone(&[&["train", &example("sine"), "--out", "plain"][..], &args].concat(), &folder);
    assert_eq!(output.status.code(), Some(1), "without early stopping, a divergence is an error");
    let output = neurone(&[&["train", &example("sine"), "--out", "best"][..], &args, &stopping].concat(), &folder);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("training diverged at epoch 2; kept the weights of the best epoch, 1"), "{stderr}");
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("best/metrics.json")).unwrap()).unwrap();
    assert_eq!(
        (metrics["diverged_at"].as_u64(), metrics["best_epoch"].as_u64(), metrics["epochs"].as_u64()),
        (Some(2), Some(1), Some(1))
    );
    assert!(metrics["mse"].as_f64().is_some_and(f64::is_finite), "{metrics}");
    assert!(folder.join("best/model.safetensors").exists());
}
