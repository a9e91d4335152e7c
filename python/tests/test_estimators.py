"""The estimators behave as scikit-learn's: attributes, shapes, multi-output, partial_fit."""

import io
import contextlib

import numpy as np
import pytest
import sklearn.neural_network as sk

from neurone import MLPClassifier, MLPRegressor

QUIET = {"tol": 0.0, "n_iter_no_change": 10_000}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("ours, theirs", [(MLPClassifier, sk.MLPClassifier), (MLPRegressor, sk.MLPRegressor)])
def test_fitted_attributes_are_shaped_as_scikit_learns(iris, ours, theirs):
    X, y = iris
    params = dict(hidden_layer_sizes=(7, 5), max_iter=15, random_state=0)
    a, b = ours(**params).fit(X, y), theirs(**params).fit(X, y)
    for name in ["n_features_in_", "n_layers_", "n_outputs_", "out_activation_", "n_iter_", "t_"]:
        assert getattr(a, name) == getattr(b, name), name
    assert [c.shape for c in a.coefs_] == [c.shape for c in b.coefs_]
    assert [i.shape for i in a.intercepts_] == [i.shape for i in b.intercepts_]
    assert len(a.loss_curve_) == a.n_iter_ and a.loss_ == a.loss_curve_[-1] and a.best_loss_ == min(a.loss_curve_)
    if ours is MLPClassifier:
        np.testing.assert_array_equal(a.classes_, b.classes_)
        assert a.predict_proba(X).shape == b.predict_proba(X).shape
    assert a.predict(X).shape == b.predict(X).shape


def test_the_weights_shown_are_the_ones_that_predict(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", max_iter=50, random_state=0, **QUIET).fit(X, y)
    hidden = np.tanh(X @ clf.coefs_[0] + clf.intercepts_[0])
    z = hidden @ clf.coefs_[1] + clf.intercepts_[1]
    softmax = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(clf.predict_proba(X), softmax / softmax.sum(1, keepdims=True), rtol=1e-4, atol=1e-6)


def test_accuracy_is_that_of_scikit_learn_on_iris(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(16,), max_iter=500, random_state=0)
    ours = MLPClassifier(**params).fit(X, y).score(X, y)
    theirs = sk.MLPClassifier(**params).fit(X, y).score(X, y)
    assert ours > 0.95 and abs(ours - theirs) < 0.04, (ours, theirs)


def test_binary_multilabel_and_multioutput_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    binary = (X[:, 0] > 0).astype(int)
    clf = MLPClassifier(max_iter=100, random_state=0, **QUIET).fit(X, binary)
    assert clf.n_outputs_ == 1 and clf.out_activation_ == "logistic"
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert clf.score(X, binary) > 0.95

    labels = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 2] + X[:, 3] > 0]).astype(int)
    multilabel = MLPClassifier(max_iter=200, random_state=0, **QUIET).fit(X, labels)
    assert multilabel.out_activation_ == "logistic" and multilabel.n_outputs_ == 3
    assert multilabel.predict(X).shape == (120, 3) and multilabel.predict_proba(X).shape == (120, 3)
    assert (multilabel.predict(X) == labels).mean() > 0.9

    targets = np.column_stack([X[:, 0] + X[:, 1], X[:, 2] - X[:, 3]])
    reg = MLPRegressor(max_iter=300, random_state=0, **QUIET).fit(X, targets)
    assert reg.predict(X).shape == (120, 2) and reg.n_outputs_ == 2 and reg.score(X, targets) > 0.9


def test_partial_fit_trains_one_epoch_per_call(iris):
    X, y = iris
    clf = MLPClassifier(random_state=0)
    clf.partial_fit(X, y, classes=np.unique(y))
    first = clf.loss_
    for calls in range(2, 6):
        clf.partial_fit(X, y)
        # scikit-learn's n_iter_ counts the call's epochs; loss_curve_ and t_ go on.
        assert clf.n_iter_ == 1 and len(clf.loss_curve_) == calls and clf.t_ == calls * len(X)
    assert clf.loss_ < first
    with pytest.raises(ValueError, match="classes must be passed"):
        MLPClassifier().partial_fit(X, y)


@pytest.mark.parametrize("solver", ["adam", "sgd", "rmsprop", "rprop", "lm"])
def test_warm_start_goes_on_with_the_optimizers_state(sine, solver):
    X, y = sine
    params = dict(solver=solver, hidden_layer_sizes=(8,), random_state=3, batch_size=16, **QUIET)
    straight = MLPRegressor(max_iter=20, **params).fit(X, y)
    warm = MLPRegressor(max_iter=10, warm_start=True, **params).fit(X, y).fit(X, y)
    assert warm.n_iter_ == 10 and warm.loss_curve_ == straight.loss_curve_
    np.testing.assert_array_equal(warm.predict(X), straight.predict(X))
    # partial_fit goes on the same way, one epoch a call.
    stepped = MLPRegressor(max_iter=10, **params).fit(X, y)
    for _ in range(10):
        stepped.partial_fit(X, y)
    np.testing.assert_array_equal(stepped.predict(X), straight.predict(X))


@pytest.mark.parametrize(
    "schedule",
    [
        {"kind": "step", "step_size": 2, "gamma": 0.5},
        {"kind": "exponential", "gamma": 0.8},
        {"kind": "cosine", "epochs": 8, "warmup_epochs": 2},
        {"kind": "plateau", "patience": 1, "factor": 0.5},
        {"kind": "inverse_scaling", "power_t": 0.5},
    ],
)
def test_partial_fit_one_epoch_a_call_gives_the_bits_of_one_fit(sine, schedule):
    X, y = sine
    params = dict(hidden_layer_sizes=(8,), random_state=3, batch_size=16, schedule=schedule, **QUIET)
    straight = MLPRegressor(max_iter=8, **params).fit(X, y)
    stepped = MLPRegressor(**params)
    for _ in range(8):
        stepped.partial_fit(X, y)
    # n_iter_ counts the last call's epoch, as scikit-learn's; the curve holds them all.
    assert stepped.n_iter_ == 1 and stepped.loss_curve_ == straight.loss_curve_ and len(straight.loss_curve_) == 8
    np.testing.assert_array_equal(stepped.predict(X), straight.predict(X))


def test_levenberg_marquardt_and_rprop_fit_the_sine_in_full_batch_steps(sine):
    X, y = sine
    params = dict(hidden_layer_sizes=(8, 8), activation="tanh", alpha=0.0, max_iter=60, random_state=0, **QUIET)
    lm = MLPRegressor(solver="lm", **params).fit(X, y)
    rprop = MLPRegressor(solver="rprop", **params).fit(X, y)
    assert lm.loss_ < 1e-5 and lm.loss_ < rprop.loss_ / 100, (lm.loss_, rprop.loss_)
    with pytest.raises(ValueError, match="levenberg_marquardt fits least squares .mse., not binary_cross_entropy: use lbfgs"):
        MLPClassifier(solver="lm", max_iter=2).fit(X, (y > 0).astype(int))


def test_early_stopping_keeps_validation_scores_and_the_loss_curve(iris):
    X, y = iris
    clf = MLPClassifier(early_stopping=True, n_iter_no_change=5, max_iter=300, random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.validation_loss_curve_)
    assert clf.best_validation_score_ == max(clf.validation_scores_) and clf.best_loss_ is None
    assert clf.t_ == clf.n_iter_ * 135  # 90% of the samples train


def test_training_stops_when_the_loss_stops_improving_by_tol(sine):
    X, y = sine
    reg = MLPRegressor(hidden_layer_sizes=(8,), tol=1e-2, n_iter_no_change=3, max_iter=500, random_state=0).fit(X, y)
    assert reg.n_iter_ < 500
    # No epoch in the last n_iter_no_change + 1 improved on the best before them by tol.
    best_before = min(reg.loss_curve_[:-4])
    assert all(loss > best_before - 1e-2 for loss in reg.loss_curve_[-4:])


def test_verbose_prints_scikit_learns_progress_lines(iris):
    X, y = iris
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        MLPClassifier(max_iter=3, verbose=True, random_state=0, **QUIET).fit(X, y)
    lines = out.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == ["Iteration 1", "Iteration 2", "Iteration 3"]
    assert all(line.split(" = ")[0].endswith("loss") and float(line.split(" = ")[1]) > 0 for line in lines)


def test_same_seed_same_bits_whatever_the_thread_count(iris):
    X, y = iris
    runs = [MLPClassifier(hidden_layer_sizes=(64, 64), max_iter=5, random_state=7, n_threads=n).fit(X, y) for n in (1, 2, 1)]
    for run in runs[1:]:
        np.testing.assert_array_equal(run.predict_proba(X), runs[0].predict_proba(X))
        assert run.loss_curve_ == runs[0].loss_curve_


def test_the_library_options_reach_the_network(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(8,), dropout=0.2, batch_norm=True, solver="adamw", max_iter=5,
                        optimizer_settings={"weight_decay": 0.05}, schedule={"kind": "cosine", "warmup_epochs": 2},
                        clip_norm=1.0, l1=1e-4, random_state=0).fit(X, y)
    assert clf._engine.layers() == ["dense relu", "batch_norm", "dropout(0.2)", "dense softmax"]
    assert clf.predict(X).shape == (150,)
    reg = MLPRegressor(loss="huber", dtype="float64", max_iter=5, random_state=0).fit(X, y)
    assert reg.coefs_[0].dtype == np.float64
