"""One model file for every front end: a model trained in Python is used by `neurone predict`
and `neurone export`, one trained by `neurone train` loads in Python, with the same numbers."""

import csv
import os
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest

import neurone
from neurone import MLPClassifier, MLPRegressor

ROOT = pathlib.Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def cli():
    """The `neurone` binary: the one cargo built for this test run (NEURONE_BIN), else the
    release build of the checkout."""
    path = pathlib.Path(os.environ.get("NEURONE_BIN", ROOT / "target/release/neurone"))
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no neurone binary at {path}; CI must run these tests")
        pytest.skip(f"no neurone binary at {path} (cargo build --release)")
    return lambda *args: subprocess.run([str(path), *map(str, args)], check=True, capture_output=True, text=True).stdout


def rows(text):
    """A CSV's rows below its header."""
    return list(csv.reader(text.splitlines()))[1:]


def test_a_python_classifier_predicts_the_same_with_neurone_predict(iris, tmp_path, cli):
    X, y = iris
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    frame = pd.DataFrame(X, columns=names)
    species = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=100, random_state=0).fit(frame, species)
    clf.save(tmp_path / "clf.safetensors")
    assert neurone.load(tmp_path / "clf.safetensors").feature_names_in_.tolist() == names
    frame.to_csv(tmp_path / "rows.csv", index=False)
    predicted = rows(cli("predict", tmp_path / "clf.safetensors", tmp_path / "rows.csv"))
    assert [row[0] for row in predicted] == clf.predict(frame).tolist()
    # A float64 network (from float64 data, as scikit-learn's) is a float64 model file: the
    # command line predicts in float64 and prints the shortest form of each value, the same bits.
    assert clf.coefs_[0].dtype == np.float64
    np.testing.assert_array_equal(np.array([row[1:] for row in predicted], dtype=np.float64), clf.predict_proba(frame))
    cli("export", "--onnx", tmp_path / "clf.onnx", tmp_path / "clf.safetensors")
    assert (tmp_path / "clf.onnx").stat().st_size > 0


def test_a_python_regressor_without_feature_names_reads_x0_x1(sine, tmp_path, cli):
    X, y = sine
    reg = MLPRegressor(hidden_layer_sizes=(8,), activation="tanh", max_iter=50, random_state=0).fit(X, y)
    reg.save(tmp_path / "reg.safetensors")
    pd.DataFrame(X, columns=["x0"]).to_csv(tmp_path / "rows.csv", index=False)
    predicted = np.array(rows(cli("predict", tmp_path / "reg.safetensors", tmp_path / "rows.csv")), dtype=np.float64).ravel()
    np.testing.assert_array_equal(predicted, reg.predict(X))


def test_a_float32_python_model_predicts_the_same_float32s_with_neurone_predict(sine, tmp_path, cli):
    X, y = sine
    reg = MLPRegressor(hidden_layer_sizes=(8,), activation="tanh", max_iter=50, random_state=0).fit(X.astype(np.float32), y)
    reg.save(tmp_path / "reg.safetensors")
    pd.DataFrame(X.astype(np.float32), columns=["x0"]).to_csv(tmp_path / "rows.csv", index=False)
    predicted = np.array(rows(cli("predict", tmp_path / "reg.safetensors", tmp_path / "rows.csv")), dtype=np.float32).ravel()
    np.testing.assert_array_equal(predicted, reg.predict(X.astype(np.float32)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_saved_estimator_loads_back_and_predicts_the_same_bits(iris, tmp_path, dtype):
    X, y = iris
    for estimator, target in [(MLPClassifier(max_iter=20, dtype=dtype), y), (MLPRegressor(max_iter=20, dtype=dtype), X[:, 0]),
                              (MLPClassifier(max_iter=20, dtype=dtype), y == 1), (MLPClassifier(max_iter=20), np.eye(3)[y])]:
        estimator.fit(X, target).save(tmp_path / "model.safetensors")
        loaded = neurone.load(tmp_path / "model.safetensors")
        assert type(loaded) is type(estimator) and loaded.get_params() == estimator.get_params()
        assert not hasattr(loaded, "feature_names_in_")
        np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))
        if isinstance(estimator, MLPClassifier):
            np.testing.assert_array_equal(loaded.classes_, estimator.classes_)
            np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))


def test_a_model_trained_by_neurone_train_loads_in_python(tmp_path, cli):
    run = tmp_path / "iris"
    cli("train", ROOT / "examples/iris.toml", "--out", run, "--no-plots", "--quiet")
    model = neurone.load(run / "model.safetensors")
    assert isinstance(model, MLPClassifier) and model.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True).data.set_axis(["sepal_length", "sepal_width", "petal_length", "petal_width"], axis=1)
    features = data[["sepal_length", "sepal_width", "petal_length", "petal_width"]]
    features.to_csv(tmp_path / "rows.csv", index=False)
    predicted = rows(cli("predict", run / "model.safetensors", tmp_path / "rows.csv"))
    assert [row[0] for row in predicted] == model.predict(features.to_numpy()).tolist()
    np.testing.assert_array_equal(np.array([row[1:] for row in predicted], dtype=np.float32),
                                  model.predict_proba(features.to_numpy()).astype(np.float32))
    assert model.score(features.to_numpy(), np.array([row[0] for row in predicted])) == 1.0


def test_a_loaded_model_goes_on_with_warm_start(iris, tmp_path):
    X, y = iris
    MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X, y).save(tmp_path / "clf.safetensors")
    loaded = neurone.load(tmp_path / "clf.safetensors").set_params(warm_start=True, max_iter=3)
    loaded.fit(X, y)
    assert loaded.n_iter_ == 3 and len(loaded.loss_curve_) == 3
