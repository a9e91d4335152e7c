//! `NEURONE_KERNELS` forces an instruction set, and every one this CPU runs trains the same
//! tensors, bit for bit: sine, xor, iris, insurance and an epoch of MNIST, on the real binary;
//! and predicts the same bits for a row, alone or in a batch.

#[allow(dead_code)] // not every helper is used here
mod common;
use common::{data_folder, example, scratch};

use std::path::Path;
use std::process::Command;

use neurone::InstructionSet;

/// The tensor bytes of the model `neurone train examples/NAME.toml` writes with `NEURONE_KERNELS=set`.
fn trained_tensors(name: &str, set: InstructionSet, extra: &[&str], data: Option<&Path>, folder: &Path) -> Vec<u8> {
    let out = format!("{name}-{set}");
    let mut command = Command::new(env!("CARGO_BIN_EXE_neurone"));
    command.args(["train", &example(name), "--out", &out, "-q", "--no-plots"]).args(extra);
    command.env("NEURONE_KERNELS", set.name()).current_dir(folder);
    if let Some(data) = data {
        command.env("NEURONE_DATA", data);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "{name} with {set}: {}", String::from_utf8_lossy(&output.stderr));
    let bytes = std::fs::read(folder.join(out).join("model.safetensors")).unwrap();
    let header = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    bytes[8 + header..].to_vec()
}

fn every_instruction_set_trains_the_same_tensors(name: &str, extra: &[&str], data: Option<&Path>) {
    // A folder of its own for each name and settings: the tests run side by side.
    let folder = scratch(&format!("kernels-{name}{}", extra.concat()));
    let sets: Vec<InstructionSet> = InstructionSet::available().collect();
    let reference = trained_tensors(name, sets[0], extra, data, &folder);
    for &set in &sets[1..] {
        let tensors = trained_tensors(name, set, extra, data, &folder);
        assert!(tensors == reference, "{name}: {set} trained other tensors than {}", sets[0]);
    }
}

#[test]
fn sine_xor_and_iris_train_the_same_tensors_on_every_instruction_set() {
    for name in ["sine", "xor", "iris"] {
        every_instruction_set_trains_the_same_tensors(name, &[], None);
    }
}

#[test]
fn online_training_trains_the_same_tensors_on_every_instruction_set_and_thread_count() {
    // One sample a step: the one-row products, fused with bias and activation.
    let online = ["--set", "train.batch_size=1", "--set", "train.epochs=20"];
    every_instruction_set_trains_the_same_tensors("sine", &online, None);
    let (folder, best) = (scratch("kernels-sine-threads"), InstructionSet::available().last().unwrap());
    let threads = |count| {
        trained_tensors("sine", best, &[&online[..], &["--threads", count, "--overwrite"]].concat(), None, &folder)
    };
    let (one_thread, two_threads) = (threads("1"), threads("2"));
    assert!(one_thread == two_threads, "sine at one sample a step: two threads trained other tensors than one");
}

#[test]
fn insurance_and_an_mnist_epoch_train_the_same_tensors_on_every_instruction_set() {
    let Some(data) = data_folder() else { return };
    every_instruction_set_trains_the_same_tensors("insurance", &[], Some(&data));
    every_instruction_set_trains_the_same_tensors("mnist", &["--set", "train.epochs=1"], Some(&data));
}

#[test]
fn a_row_predicted_alone_has_the_bits_it_has_in_a_batch_on_every_instruction_set() {
    // Iris's 4 → 16 → 3: in a batch, a shallow product and a packed one; alone, one row's.
    let folder = scratch("kernels-predict-rows");
    let sets: Vec<InstructionSet> = InstructionSet::available().collect();
    trained_tensors("iris", sets[0], &[], None, &folder);
    let model = folder.join(format!("iris-{}", sets[0])).join("model.safetensors");
    let header = "sepal_length,sepal_width,petal_length,petal_width\n";
    let rows = ["5.1,3.5,1.4,0.2", "6.3,2.5,4.9,1.5", "7.7,3.0,6.1,2.3", "5.0,2.0,3.5,1.0", "-1,0,12.5,3"];
    let predict = |set: InstructionSet, rows: &[&str]| {
        let input = folder.join("rows.csv");
        std::fs::write(&input, format!("{header}{}\n", rows.join("\n"))).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_neurone"))
            .args(["predict", model.to_str().unwrap(), input.to_str().unwrap()])
            .env("NEURONE_KERNELS", set.name())
            .output()
            .unwrap();
        assert!(output.status.success(), "{set}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap().lines().skip(1).map(str::to_owned).collect::<Vec<_>>()
    };
    let reference = predict(sets[0], &rows);
    assert_eq!(reference.len(), rows.len());
    for &set in &sets {
        assert_eq!(predict(set, &rows), reference, "{set}: the batch");
        for (row, expected) in rows.iter().zip(&reference) {
            assert_eq!(predict(set, &[row]), std::slice::from_ref(expected), "{set}: {row} alone");
        }
    }
}

#[test]
fn an_instruction_set_this_cpu_does_not_run_is_refused_in_one_line() {
    let folder = scratch("kernels-unknown");
    for value in ["sse9", if cfg!(target_arch = "x86_64") { "neon" } else { "avx2" }] {
        let output = Command::new(env!("CARGO_BIN_EXE_neurone"))
            .args(["train", &example("xor"), "-q"])
            .env("NEURONE_KERNELS", value)
            .current_dir(&folder)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("error: NEURONE_KERNELS=\"{value}\": expected one of portable")),
            "{stderr}"
        );
        assert!(!folder.join("runs").exists(), "nothing written");
    }
}
