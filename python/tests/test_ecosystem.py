"""Where scikit-learn users put an estimator: pipelines, searches, parallel jobs, pickles,
DataFrames."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from neurone import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_pipeline_and_column_transformer(iris):
    X, y = iris
    frame = pd.DataFrame(X, columns=["sepal_length", "sepal_width", "petal_length", "petal_width"])
    frame["colour"] = np.where(y == 0, "red", "blue")
    columns = ColumnTransformer([("numbers", StandardScaler(), frame.columns[:4].tolist()), ("colour", OneHotEncoder(), ["colour"])])
    model = make_pipeline(columns, MLPClassifier(hidden_layer_sizes=(16,), max_iter=1000, random_state=0)).fit(frame, y)
    assert model.score(frame, y) > 0.95


def test_searches_and_cross_validation_in_worker_processes(iris):
    X, y = iris
    search = GridSearchCV(MLPClassifier(max_iter=50, random_state=0), {"hidden_layer_sizes": [(4,), (16,)]}, cv=3).fit(X, y)
    assert search.best_params_["hidden_layer_sizes"] in [(4,), (16,)]
    RandomizedSearchCV(MLPRegressor(max_iter=10, random_state=0), {"alpha": [1e-4, 1e-2]}, n_iter=2, cv=2, random_state=0).fit(X, y)
    estimator = MLPClassifier(hidden_layer_sizes=(8,), max_iter=60, random_state=0)
    parallel = cross_val_score(estimator, X, y, cv=4, n_jobs=2)
    serial = cross_val_score(estimator, X, y, cv=4, n_jobs=1)
    np.testing.assert_array_equal(parallel, serial)


def test_clone_keeps_the_parameters_and_drops_the_fit(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(5,), dropout=0.1, dtype="float64", max_iter=5).fit(X, y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params() and not hasattr(copy, "coefs_")


@pytest.mark.parametrize("warm", [False, True])
def test_pickle_and_joblib_round_trips_predict_the_same_bits(iris, tmp_path, warm):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0, warm_start=warm).fit(X, y)
    for loaded in (pickle.loads(pickle.dumps(clf)), joblib.load(joblib.dump(clf, tmp_path / "clf.joblib")[0])):
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
        assert loaded.loss_curve_ == clf.loss_curve_
    if warm:
        # The pickled optimizer state goes on as the original does.
        again = pickle.loads(pickle.dumps(clf))
        np.testing.assert_array_equal(again.fit(X, y).predict_proba(X), clf.fit(X, y).predict_proba(X))


def test_dataframe_feature_names_are_kept_and_checked(iris):
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = MLPClassifier(max_iter=5).fit(frame, y)
    assert clf.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[["b", "a", "c", "d"]])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        clf.predict(X)


def test_float32_c_contiguous_arrays_are_read_as_they_are(iris, monkeypatch):
    X, y = iris
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    reg = MLPRegressor(max_iter=3, random_state=0).fit(X32, y)
    seen = []
    fit = reg._engine.predict

    class Spy:
        def __init__(self, engine):
            self.engine = engine

        def predict(self, array):
            seen.append(array)
            return fit(array)

        def __getattr__(self, name):
            return getattr(self.engine, name)

    monkeypatch.setattr(reg, "_engine", Spy(reg._engine))
    reg.predict(X32)
    assert np.shares_memory(seen[0], X32), "a float32 C-contiguous array reaches the engine without a copy"
    reg.predict(np.asfortranarray(X))  # other dtypes and layouts are converted
    assert seen[1].flags.c_contiguous and seen[1].dtype == np.float32
