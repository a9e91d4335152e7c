"""`export_c` and `export_rust`: the library's code export (as `neurone export --c/--rust`) from
a fitted estimator, the generated C compiled by gcc as C99 with every warning an error, the
Rust module compiled in a `#![no_std]` crate, and both run against `predict_proba`/`predict`."""

import os
import shutil
import subprocess

import numpy as np
import pytest

from neurone import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

C_DRIVER = """#include <stdio.h>
#include "model.h"
int main(void)
{
    float input[MODEL_INPUTS], output[MODEL_OUTPUTS];
    int i;
    for (;;) {
        for (i = 0; i < MODEL_INPUTS; i++) if (scanf("%f", &input[i]) != 1) return 0;
        model_predict(input, output);
        for (i = 0; i < MODEL_OUTPUTS; i++) printf(i ? " %.9g" : "%.9g", (double)output[i]);
        printf("\\n");
    }
}
"""

RUST_DRIVER = """use std::io::BufRead;
fn main() {
    for line in std::io::stdin().lock().lines() {
        let values: Vec<f32> = line.unwrap().split_whitespace().map(|v| v.parse().unwrap()).collect();
        let mut output = [0.0f32; exported::model::OUTPUTS];
        exported::model::predict(values.as_slice().try_into().unwrap(), &mut output);
        let printed: Vec<String> = output.iter().map(|v| format!("{v:?}")).collect();
        println!("{}", printed.join(" "));
    }
}
"""


def tool(name):
    """The path of a compiler, or a skip (a failure under CI=true) without it."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no {name}; CI must compile the exported code")
        pytest.skip(f"no {name} to compile the exported code")
    return path


def run(program, X):
    """The outputs `program` prints for the rows of X, as the float32 values they spell."""
    text = "\n".join(" ".join(repr(float(np.float32(v))) for v in row) for row in X) + "\n"
    done = subprocess.run([str(program)], input=text, capture_output=True, text=True, check=True)
    return np.array([[float(v) for v in line.split()] for line in done.stdout.splitlines()], dtype=np.float32)


def c_program(folder):
    (folder / "driver.c").write_text(C_DRIVER)
    flags = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]
    subprocess.run([tool("gcc"), *flags, "driver.c", "-o", "driver_c"], cwd=folder, check=True)
    return folder / "driver_c"


def rust_program(folder):
    rustc = tool("rustc")
    (folder / "lib.rs").write_text('#![no_std]\n#[path = "model.rs"]\npub mod model;\n')
    (folder / "driver.rs").write_text(RUST_DRIVER)
    library = ["--edition", "2021", "--crate-type", "rlib", "--crate-name", "exported", "-O", "-D", "warnings"]
    subprocess.run([rustc, *library, "lib.rs", "-o", "libexported.rlib"], cwd=folder, check=True)
    driver = ["--edition", "2021", "-O", "driver.rs", "--extern", "exported=libexported.rlib", "-o", "driver_rust"]
    subprocess.run([rustc, *driver], cwd=folder, check=True)
    return folder / "driver_rust"


def test_a_classifier_in_c_and_rust_gives_predict_proba_to_1e5(iris, tmp_path):
    X, y = iris
    model = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0).fit(X, y)
    model.export_c(tmp_path / "model.h")
    model.export_rust(tmp_path / "model.rs")
    header = (tmp_path / "model.h").read_text()
    assert "Outputs: the probabilities of the classes `0`, `1`, `2`." in header
    from_c = run(c_program(tmp_path), X)
    assert np.abs(from_c - model.predict_proba(X)).max() <= 1e-5
    assert np.array_equal(run(rust_program(tmp_path), X), from_c)


def test_int8_keeps_the_accuracy_within_a_point_and_a_regressor_its_r2(iris, sine, tmp_path):
    X, y = iris
    model = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0).fit(X, y)
    model.export_c(tmp_path / "model.h", int8=True, calibration=X)
    int8_accuracy = (run(c_program(tmp_path), X).argmax(axis=1) == y).mean()
    assert abs(int8_accuracy - model.score(X, y)) <= 0.01

    X, y = sine
    regressor = MLPRegressor(hidden_layer_sizes=(16,), activation="tanh", max_iter=500, random_state=0).fit(X, y)
    regressor.export_c(tmp_path / "model.h")
    from_c = run(c_program(tmp_path), X).ravel()
    assert np.abs(from_c - regressor.predict(X)).max() <= 1e-5


def test_bad_names_and_int8_without_calibration_are_value_errors(iris, tmp_path):
    X, y = iris
    model = MLPClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="is not a C identifier"):
        model.export_c(tmp_path / "model.h", name="2fast")
    with pytest.raises(ValueError, match="needs calibration"):
        model.export_rust(tmp_path / "model.rs", int8=True)
    assert not any(tmp_path.iterdir())
