//! Numerical edge cases: each is a clear error, or a run whose results are all finite.

use super::{Case, TRAIN, experiment, run_written};

/// Ten rows `x1,x2,y` made by `row(i)` for i in 1..=10.
fn rows(row: impl Fn(u32) -> String) -> String {
    std::iter::once("x1,x2,y".to_string()).chain((1..=10).map(row)).collect::<Vec<_>>().join("\n") + "\n"
}

/// Training on `csv` with `data` lines added to `[data]` and `model` lines to `[model]`.
fn train_on(name: &'static str, csv: String, data: &str, model: &str, train: &str) -> Case {
    let toml = experiment("data.csv", "y", train).replacen("[model]\n", &format!("{data}[model]\n{model}"), 1);
    Case::new(name, TRAIN).file("data.csv", csv).file("exp.toml", toml)
}

pub fn numeric_edge_cases() -> Vec<Case> {
    let sum = |i: u32| format!("{i},{},{}", i % 3, i + i % 3);
    vec![
        // Zero variance: the scaler gives the column a scale of 1 (as scikit-learn does), never 0.
        train_on("constant_feature_standard", rows(|i| format!("5,{i},{}", 2 * i)), "", "", "").works(run_written),
        train_on(
            "constant_feature_min_max",
            rows(|i| format!("5,{i},{}", 2 * i)),
            "scale_inputs = \"min_max\"\n",
            "",
            "",
        )
        .works(run_written),
        train_on("constant_target", rows(|i| format!("{i},{},7", i % 3)), "", "", "").works(run_written),
        // A classifier needs two classes.
        train_on("single_class", rows(|i| format!("{i},{},a", i % 3)), "", "", "")
            .usage_error(": every row of `y` has the same class `a`: classification needs at least two classes"),
        train_on(
            "single_class_numbers_as_categories",
            rows(|i| format!("{i},{},1", i % 3)),
            "categorical = [\"y\"]\n",
            "",
            "",
        )
        .usage_error("every row of `y` has the same class `1`"),
        // Extreme inputs: standardised, they train as any other; unscaled, a saturating tanh
        // network stays finite, and a ReLU network's loss overflows and is reported as divergence.
        train_on("extreme_inputs_scaled", rows(|i| format!("{i}e30,{},{}", i % 3, i)), "", "", "").works(run_written),
        train_on(
            "extreme_inputs_unscaled_tanh",
            rows(|i| format!("{i}e30,{},{}", i % 3, i)),
            "scale_inputs = \"none\"\n",
            "",
            "",
        )
        .works(run_written),
        train_on(
            "extreme_inputs_unscaled_relu",
            rows(|i| format!("{i}e30,{},{}", i % 3, i)),
            "scale_inputs = \"none\"\n",
            "activation = \"relu\"\n",
            "",
        )
        .error(1, "; try a smaller learning rate"),
        train_on(
            "extreme_targets_unscaled",
            rows(|i| format!("{i},{},{i}e30", i % 3)),
            "scale_target = \"none\"\n",
            "",
            "",
        )
        .error(1, "; try a smaller learning rate"),
        train_on("tiny_values", rows(|i| format!("{i}e-30,{}e-30,{}e-30", i % 3, i + i % 3)), "", "", "")
            .works(run_written),
        // Too large a learning rate: the run stops with a message that says what to do.
        train_on("learning_rate_too_large", rows(sum), "", "", "learning_rate = 1e6\nepochs = 30\n")
            .error(1, "; try a smaller learning rate"),
        train_on(
            "learning_rate_too_large_adam",
            rows(sum),
            "",
            "",
            "optimizer = { kind = \"adam\" }\nlearning_rate = 1e30\nepochs = 30\n",
        )
        .error(1, "; try a smaller learning rate"),
    ]
}
