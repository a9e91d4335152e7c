//! `neurone export --c/--rust [--int8]`: the generated code compiled and run on iris, the sine,
//! insurance (imputer, scalers, category codes) and 1,000 MNIST test images, against what
//! `neurone predict` (the library's `Model::predict`) gives; and the errors, one line each.
//!
//! Float outputs must be within 1e-5 of the model's (relative to the value for regression in
//! original units, whose f32 spacing alone is 1e-3 near 16,000 dollars); int8 accuracy within
//! one point of the float model's. Insurance and MNIST need the data folder (`NEURONE_DATA`):
//! without it these tests say so and pass, except under `CI=true`, where they fail.

#[path = "code_export/build.rs"]
mod build;
mod common;

use std::path::{Path, PathBuf};

use build::{c_program, outputs, parse_rows, rust_program};
use common::{data_folder, example, run, scratch};
use neurone::Model;
use neurone::datasets::{DataSource, MnistPart, mnist_part};

/// Trains the experiment `config` (with `settings`) into `folder/out`; the model's path.
fn train(folder: &Path, config: &str, out: &str, settings: &[&str]) -> PathBuf {
    let mut args: Vec<String> =
        ["train", config, "--quiet", "--no-plots", "--out", out].iter().map(|arg| arg.to_string()).collect();
    for setting in settings {
        args.extend(["--set".to_string(), setting.to_string()]);
    }
    let output = run(&args.iter().map(String::as_str).collect::<Vec<_>>(), folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    folder.join(out).join("model.safetensors")
}

/// `neurone export MODEL ARGS…`: its standard error, after checking that it succeeded.
fn export(folder: &Path, model: &Path, args: &[&str]) -> String {
    let output = run(&[&["export", model.to_str().unwrap()], args].concat(), folder);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

/// Every output of `got` within `tolerance` of `expected`'s, relative to |expected| beyond 1.
fn assert_close(got: &[Vec<f32>], expected: &[Vec<f32>], tolerance: f32, what: &str) {
    assert_eq!(got.len(), expected.len(), "{what}: rows");
    for (row, (got, expected)) in got.iter().zip(expected).enumerate() {
        assert_eq!(got.len(), expected.len(), "{what}: row {row}");
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() <= tolerance * e.abs().max(1.0), "{what}: row {row}: {got:?} vs {expected:?}");
        }
    }
}

/// The fraction of rows whose largest output is at `labels`' index.
fn accuracy(outputs: &[Vec<f32>], labels: &[usize]) -> f64 {
    let best = |row: &Vec<f32>| (0..row.len()).fold(0, |best, j| if row[j] > row[best] { j } else { best });
    outputs.iter().zip(labels).filter(|&(row, &label)| best(row) == label).count() as f64 / labels.len() as f64
}

/// What `neurone predict` writes for `csv`, without its header and predicted-class column.
fn predicted(folder: &Path, model: &Path, csv: &Path, classifier: bool) -> Vec<Vec<f32>> {
    let output = run(&["predict", model.to_str().unwrap(), csv.to_str().unwrap()], folder);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    let body: Vec<&str> =
        text.lines().skip(1).map(|line| if classifier { line.split_once(',').unwrap().1 } else { line }).collect();
    parse_rows(&body.join("\n"), ',')
}

/// The float C and Rust code of `model` against `expected` on `samples`; both programs' outputs.
fn float_code(folder: &Path, model: &Path, name: &str, samples: &[Vec<f32>], expected: &[Vec<f32>]) -> Vec<Vec<f32>> {
    let (header, module) = (folder.join(format!("{name}.h")), folder.join(format!("{name}.rs")));
    export(folder, model, &["--c", header.to_str().unwrap(), "--rust", module.to_str().unwrap(), "--name", name]);
    let from_c = outputs(&c_program(&header, name), samples);
    assert_close(&from_c, expected, 1e-5, &format!("{name}: C"));
    let from_rust = outputs(&rust_program(&module), samples);
    assert_eq!(from_rust, from_c, "{name}: the Rust module computes the C header's bits");
    from_c
}

/// The int8 C and Rust code of `model` on `samples` (the same bits from both), and the
/// export's report.
fn int8_code(folder: &Path, model: &Path, name: &str, samples: &[Vec<f32>]) -> (Vec<Vec<f32>>, String) {
    let (header, module) = (folder.join(format!("{name}.h")), folder.join(format!("{name}.rs")));
    let report = export(
        folder,
        model,
        &["--c", header.to_str().unwrap(), "--rust", module.to_str().unwrap(), "--name", name, "--int8"],
    );
    let from_c = outputs(&c_program(&header, name), samples);
    assert_eq!(
        outputs(&rust_program(&module), samples),
        from_c,
        "{name}: the Rust module computes the C header's bits"
    );
    (from_c, report)
}

/// The rows of a CSV file as numbers, the last `skip_last` columns left out.
fn csv_numbers(path: &Path, skip_last: usize) -> (Vec<Vec<f32>>, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows = Vec::new();
    let mut last = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let kept = fields.len() - skip_last;
        rows.push(fields[..kept].iter().map(|v| v.parse().unwrap()).collect());
        last.push(fields[kept..].join(","));
    }
    (rows, last)
}

#[test]
fn iris_in_c_and_rust_is_neurone_predict_to_1e5_and_int8_keeps_its_accuracy() {
    let folder = scratch("export-iris");
    let model = train(&folder, &example("iris"), "iris", &[]);
    let csv = write_iris(&folder);
    let (samples, species) = csv_numbers(&csv, 1);
    let expected = predicted(&folder, &model, &csv, true);
    let float = float_code(&folder, &model, "iris", &samples, &expected);

    let classes = ["setosa", "versicolor", "virginica"];
    let labels: Vec<usize> = species.iter().map(|name| classes.iter().position(|c| c == name).unwrap()).collect();
    worked_example_prints_what_the_docs_say(&folder);

    let (int8, report) = int8_code(&folder, &model, "iris8", &samples);
    let (float_accuracy, int8_accuracy) = (accuracy(&float, &labels), accuracy(&int8, &labels));
    assert!((float_accuracy - int8_accuracy).abs() <= 0.01, "float {float_accuracy}, int8 {int8_accuracy}");
    assert!(report.contains("int8 on the test set (30 samples): accuracy"), "{report}");
    assert!(report.contains("iris8.h: 4 → 16 tanh → 3 softmax, int8; 296 bytes of constants"), "{report}");
}

/// docs/export.md's 19-line C program, compiled with the iris header in `folder`: it prints
/// what the page says it prints.
fn worked_example_prints_what_the_docs_say(folder: &Path) {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/export.md")).unwrap();
    let program = docs.split("```c\n").nth(1).and_then(|rest| rest.split("\n```").next()).unwrap();
    assert!(program.lines().count() <= 20, "{program}");
    std::fs::write(folder.join("flower.c"), program).unwrap();
    let gcc = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "flower.c", "-o", "flower"];
    let compiled = std::process::Command::new("gcc").args(gcc).current_dir(folder).output().unwrap();
    assert!(compiled.status.success(), "{}", String::from_utf8_lossy(&compiled.stderr));
    let printed = std::process::Command::new(folder.join("flower")).output().unwrap();
    let printed: Vec<String> =
        String::from_utf8(printed.stdout).unwrap().lines().map(|line| format!("    {line}")).collect();
    assert!(docs.contains(&format!("prints\n\n{}\n", printed.join("\n"))), "{printed:?}");
}

/// Iris as the library embeds it, as a CSV file.
fn write_iris(folder: &Path) -> PathBuf {
    let data = neurone::datasets::iris::<f32>();
    let classes = data.schema.classes().unwrap().to_vec();
    let mut csv = String::from("sepal_length,sepal_width,petal_length,petal_width,species\n");
    for (x, y) in data.dataset.inputs().iter_rows().zip(data.dataset.targets().iter_rows()) {
        let class = (0..y.len()).find(|&j| y[j] == 1.0).unwrap();
        csv.push_str(&format!("{},{},{},{},{}\n", x[0], x[1], x[2], x[3], classes[class]));
    }
    let path = folder.join("iris.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn the_sine_in_c_and_rust_is_neurone_predict_to_1e5() {
    let folder = scratch("export-sine");
    let model = train(&folder, &example("sine"), "sine", &["train.epochs=200"]);
    let samples: Vec<Vec<f32>> = (0..200).map(|i| vec![i as f32 * 0.0314]).collect();
    let csv = folder.join("x.csv");
    let rows: Vec<String> = samples.iter().map(|x| format!("{:?}", x[0])).collect();
    std::fs::write(&csv, format!("x\n{}\n", rows.join("\n"))).unwrap();
    let expected = predicted(&folder, &model, &csv, false);
    float_code(&folder, &model, "sine", &samples, &expected);
}

#[test]
fn insurance_with_an_imputer_scalers_and_category_codes_is_neurone_predict_to_1e5() {
    let Some(data) = data_folder() else { return };
    let folder = scratch("export-insurance");
    // The insurance CSV read with an imputer (the built-in dataset has none).
    let experiment = format!(
        "name = \"insurance\"\nseed = 42\n[data]\ndataset = \"csv\"\npath = {:?}\ntarget = \"charges\"\n\
         missing = \"impute\"\ntest = 0.2\nscale_inputs = \"standard\"\nscale_target = \"standard\"\n\
         [model]\nlayers = [16]\nactivation = \"relu\"\n[train]\noptimizer = {{ kind = \"adam\" }}\n\
         learning_rate = 0.01\nepochs = 50\nbatch_size = 32\n",
        data.join("insurance.csv")
    );
    std::fs::write(folder.join("insurance.toml"), experiment).unwrap();
    let model = train(&folder, "insurance.toml", "insurance", &[]);
    // 100 rows without the charges, some fields left empty: filled in by the imputer.
    let text = std::fs::read_to_string(data.join("insurance.csv")).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|line| line.split(',').take(6).collect()).collect();
    let categories = |column: usize| {
        let mut values: Vec<&str> = rows.iter().map(|row| row[column]).collect();
        values.sort_unstable();
        values.dedup();
        values
    };
    let codes: Vec<Vec<&str>> = (0..6).map(categories).collect();
    let (mut csv, mut samples) = (String::from("age,sex,bmi,children,smoker,region\n"), Vec::new());
    for (index, row) in rows.iter().take(100).enumerate() {
        let mut row = row.clone();
        for (column, every) in [(0, 7), (2, 9), (4, 11), (5, 13)] {
            if index % every == 3 {
                row[column] = "";
            }
        }
        csv.push_str(&format!("{}\n", row.join(",")));
        samples.push(
            (0..6)
                .map(|column| match (row[column], column) {
                    ("", _) => f32::NAN,
                    (value, 1 | 4 | 5) => codes[column].iter().position(|c| *c == value).unwrap() as f32,
                    (value, _) => value.parse().unwrap(),
                })
                .collect(),
        );
    }
    let path = folder.join("rows.csv");
    std::fs::write(&path, csv).unwrap();
    let expected = predicted(&folder, &model, &path, false);
    float_code(&folder, &model, "insurance", &samples, &expected);
    let header = std::fs::read_to_string(folder.join("insurance.h")).unwrap();
    assert!(
        header.contains(" *   5: region, a category code: 0 = northeast, 1 = northwest, 2 = southeast, 3 = southwest")
    );
}

#[test]
fn a_thousand_mnist_test_images_are_the_model_to_1e5_and_int8_keeps_its_accuracy() {
    let Some(data) = data_folder() else { return };
    let folder = scratch("export-mnist");
    let settings = ["model.layers=[64]", "model.batch_norm=true", "train.epochs=1", "data.train_samples=12000"];
    let model = train(&folder, &example("mnist"), "mnist", &settings);
    let test = mnist_part::<f32>(&DataSource::new(&data), MnistPart::Test).unwrap();
    let test = test.subset(&(0..1000).collect::<Vec<_>>()).unwrap();
    let samples: Vec<Vec<f32>> = test.inputs().iter_rows().map(<[f32]>::to_vec).collect();
    let labels: Vec<usize> = test.targets().iter_rows().map(|y| (0..10).find(|&j| y[j] == 1.0).unwrap()).collect();
    let predictions = Model::<f32>::load(&model).unwrap().predict(test.inputs()).unwrap();
    let expected: Vec<Vec<f32>> = predictions.iter_rows().map(<[f32]>::to_vec).collect();
    let float = float_code(&folder, &model, "mnist", &samples, &expected);

    let (int8, report) = int8_code(&folder, &model, "mnist8", &samples);
    let (float_accuracy, int8_accuracy) = (accuracy(&float, &labels), accuracy(&int8, &labels));
    assert!(float_accuracy > 0.85, "float accuracy {float_accuracy}");
    assert!((float_accuracy - int8_accuracy).abs() <= 0.01, "float {float_accuracy}, int8 {int8_accuracy}");
    assert!(report.contains("int8 on the MNIST test set (10000 samples): accuracy"), "{report}");
}

/// `neurone export` with `args`, expected to fail with one line on standard error.
fn refused(folder: &Path, args: &[&str], exit_code: i32) -> String {
    let output = run(args, folder);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(exit_code), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn a_bad_name_a_hidden_softmax_in_int8_no_calibration_and_a_full_disk_are_one_line_errors() {
    let folder = scratch("export-errors");
    let model = train(&folder, &example("iris"), "iris", &[]);
    let model = model.to_str().unwrap();
    let error = refused(&folder, &["export", model, "--c", "out.h", "--name", "2x"], 2);
    assert!(error.starts_with("error: invalid name: `2x` is not a C identifier"), "{error}");

    let softmax = train(&folder, &example("iris"), "softmax", &["model.activation=softmax"]);
    let error = refused(&folder, &["export", softmax.to_str().unwrap(), "--c", "out.h", "--int8"], 2);
    assert!(error.contains("hidden softmax, which int8 export does not quantise"), "{error}");

    std::fs::create_dir_all(folder.join("alone")).unwrap();
    std::fs::copy(model, folder.join("alone/model.safetensors")).unwrap();
    let error = refused(&folder, &["export", "alone/model.safetensors", "--rust", "out.rs", "--int8"], 2);
    assert!(error.contains("give --calibration CSV"), "{error}");
    assert!(!folder.join("out.h").exists() && !folder.join("out.rs").exists());

    // A full disk, as a file-size limit of 1 KiB (EFBIG): the previous header stays whole.
    std::fs::write(folder.join("full.h"), "previous").unwrap();
    let binary = env!("CARGO_BIN_EXE_neurone");
    let output = std::process::Command::new("sh")
        .args(["-c", "ulimit -f 2; trap '' XFSZ; exec \"$0\" \"$@\"", binary, "export", model, "--c", "full.h"])
        .current_dir(&folder)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!((output.status.code(), stderr.lines().count()), (Some(1), 1), "{stderr}");
    assert!(stderr.contains("full.h"), "{stderr}");
    assert_eq!(std::fs::read_to_string(folder.join("full.h")).unwrap(), "previous");
    let leftovers: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
