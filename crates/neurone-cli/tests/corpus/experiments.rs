//! Experiment files: `neurone train exp.toml` with a valid CSV file and a damaged experiment.

use std::path::Path;

use super::{Case, TRAIN, experiment, run_written};

/// Ten rows of y = x1 + x2.
const DATA: &str = "x1,x2,y\n1,2,3\n2,1,3\n3,5,8\n4,4,8\n5,0,5\n6,2,8\n7,7,14\n8,1,9\n9,3,12\n10,2,12\n";

/// A case whose experiment is the valid one with `[train]` lines `train`.
fn with_train(name: &'static str, train: &str) -> Case {
    with_experiment(name, experiment("data.csv", "y", train))
}

/// A case whose experiment is the valid one with `from` replaced by `to`.
fn edited(name: &'static str, from: &str, to: &str) -> Case {
    let valid = experiment("data.csv", "y", "");
    assert!(valid.contains(from), "{from:?} is not in the experiment");
    with_experiment(name, valid.replacen(from, to, 1))
}

fn with_experiment(name: &'static str, toml: impl Into<Vec<u8>>) -> Case {
    Case::new(name, TRAIN).file("data.csv", DATA).file("exp.toml", toml)
}

/// The last line of `history.csv`, as numbers.
fn last_epoch(out: &Path) -> Result<Vec<f64>, String> {
    let history = std::fs::read_to_string(out.join("history.csv")).map_err(|error| error.to_string())?;
    let last = history.lines().last().ok_or("history.csv is empty")?;
    last.split(',').map(|value| value.parse::<f64>().map_err(|_| format!("`{value}` in {last}"))).collect()
}

pub fn experiment_files() -> Vec<Case> {
    vec![
        // Unknown keys: named with their place, and the nearest valid key suggested.
        edited("unknown_top_level_key", "seed = 1", "sed = 1")
            .usage_error("exp.toml:2:1: unknown field `sed`, expected one of `name`, `seed`, `data`, `model`, `train`; did you mean `seed`?"),
        with_train("unknown_train_key", "lerning_rate = 0.1\n").usage_error("exp.toml:11:1: unknown field `lerning_rate`, expected one of `loss`"),
        edited("unknown_section", "[model]", "[modle]").usage_error("exp.toml:7:2: unknown field `modle`, expected one of `name`, `seed`, `data`, `model`, `train`; did you mean `model`?"),
        edited("unknown_dataset", "dataset = \"csv\"", "dataset = \"cvs\"")
            .usage_error("exp.toml:4:11: unknown variant `cvs`"),
        // On the command line, the `--set` that gives the unknown name is named.
        Case::new("unknown_activation_given_with_set", &[TRAIN, &["--set", "train.epochs=2", "--set", "model.activation=rleu"]].concat())
            .file("data.csv", DATA)
            .file("exp.toml", experiment("data.csv", "y", ""))
            .usage_error("exp.toml with --set model.activation=rleu: unknown activation `rleu`"),
        // Wrong types.
        with_train("epochs_as_text", "epochs = \"ten\"\n").usage_error("exp.toml:10:10: invalid type: string \"ten\", expected usize"),
        edited("layers_not_a_list", "layers = [4]", "layers = 4").usage_error("exp.toml:8:10: invalid type: integer `4`, expected a sequence"),
        with_train("learning_rate_as_text", "learning_rate = \"fast\"\n")
            .usage_error("exp.toml:11:17: invalid type: string \"fast\", expected f64"),
        with_train("shuffle_as_number", "shuffle = 1\n").usage_error("exp.toml:11:11: invalid type: integer `1`, expected a boolean"),
        edited("path_as_number", "path = \"data.csv\"", "path = 3").usage_error("exp.toml:5:8: invalid type: integer `3`"),
        edited("not_toml", "[model]", "[model").usage_error("exp.toml:7:7: unclosed table, expected `]`"),
        with_experiment("binary_garbage", [0xff, 0xfe, 0x00, 0x01].as_slice()).usage_error("exp.toml: stream did not contain valid UTF-8"),
        with_experiment("empty_file", "").usage_error("missing field `name`"),
        // Negative and zero sizes.
        edited("negative_layer_width", "layers = [4]", "layers = [-4]").usage_error("exp.toml:8:11: invalid value: integer `-4`, expected usize"),
        edited("zero_layer_width", "layers = [4]", "layers = [4, 0]")
            .usage_error("exp.toml:8:14: must be at least 1, got 0"),
        with_train("zero_epochs", "epochs = 0\n").usage_error("exp.toml:10:10: must be at least 1, got 0"),
        with_train("negative_epochs", "epochs = -2\n").usage_error("exp.toml:10:10: invalid value: integer `-2`, expected usize"),
        with_train("zero_batch_size", "batch_size = 0\n").usage_error("exp.toml:11:14: must be at least 1, got 0"),
        with_train("negative_batch_size", "batch_size = -3\n").usage_error("exp.toml:11:14: invalid value: integer `-3`, expected usize"),
        // Learning rates.
        with_train("zero_learning_rate", "learning_rate = 0.0\n")
            .usage_error("exp.toml:11:17: must be a positive number, got 0"),
        with_train("nan_learning_rate", "learning_rate = nan\n")
            .usage_error("exp.toml:11:17: must be a positive number, got NaN"),
        with_train("infinite_learning_rate", "learning_rate = inf\n")
            .usage_error("exp.toml:11:17: must be a positive number, got inf"),
        with_train("negative_learning_rate", "learning_rate = -0.1\n")
            .usage_error("exp.toml:11:17: must be a positive number, got -0.1"),
        with_train("diverging_learning_rate", "learning_rate = 1e12\nepochs = 50\n")
            .error(1, "; try a smaller learning rate"),
        // Batches and splits against the size of the data (7 training rows of 10).
        with_train("batch_larger_than_the_data", "batch_size = 1000\nepochs = 2\n").works(|out, _| {
            // Clamped to one full batch per epoch, as PyTorch's DataLoader and Keras do.
            let config = std::fs::read_to_string(out.join("config.toml")).unwrap();
            if !config.contains("batch_size = 1000") {
                return Err(format!("the batch size as given belongs in config.toml: {config}"));
            }
            last_epoch(out)?;
            run_written(out, "")
        }),
        edited("split_leaving_no_test_rows", "[model]", "test = 0.01\n[model]")
            .usage_error("exp.toml:7:8: 0.01 of 10 samples is less than one sample"),
        edited("split_leaving_no_validation_rows", "[model]", "validation = 0.01\n[model]")
            .usage_error("exp.toml:7:14: 0.01 of 10 samples is less than one sample"),
        edited("split_leaving_no_training_rows", "[model]", "validation = 0.5\ntest = 0.45\n[model]")
            .usage_error("exp.toml:8:8: no training sample is left out of 10"),
        edited("split_fractions_summing_to_one", "[model]", "validation = 0.5\ntest = 0.5\n[model]")
            .usage_error("exp.toml:8:8: validation 0.5 + test 0.5 leaves no training data"),
        edited("negative_split_fraction", "[model]", "test = -0.2\n[model]").usage_error("exp.toml:7:8: must be in [0, 1), got -0.2"),
        edited("setting_of_another_dataset", "[model]", "samples = 100\n[model]")
            .usage_error("exp.toml:7:11: does not apply to the csv dataset"),
        edited("target_is_not_a_column", "target = \"y\"", "target = \"price\"")
            .usage_error("data.csv: no target column `price`; the columns are: x1, x2, y"),
        edited("name_with_a_slash", "name = \"case\"", "name = \"../case\"").usage_error("exp.toml:1:8: "),
    ]
}
