"""Behaviours a scikit-learn user relies on, each as scikit-learn 1.9's MLP has it
(sklearn/neural_network/_multilayer_perceptron.py, sklearn/utils/optimize.py): the test's
docstring names what it mirrors, and most tests run scikit-learn's estimator beside ours."""

import warnings

import numpy as np
import pytest
import sklearn.neural_network as sk
from sklearn.exceptions import ConvergenceWarning

from neurone import MLPClassifier, MLPRegressor


def convergence_warnings(estimator, X, y):
    """The fitted estimator and the messages of the ConvergenceWarnings its fit raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X, y)
    return estimator, [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("module", [sk, __import__("neurone")])
def test_lbfgs_warns_when_it_stops_at_max_iter(iris, module):
    """_fit_lbfgs → _check_optimize_result: L-BFGS stopped by `maxiter` (SciPy's status 1)
    warns `lbfgs failed to converge after N iteration(s)`, with SciPy's reason and the advice
    to raise max_iter; n_iter_ is max_iter."""
    X, y = iris
    clf, messages = convergence_warnings(module.MLPClassifier(solver="lbfgs", max_iter=5, random_state=0), X, y)
    assert clf.n_iter_ == 5
    assert len(messages) == 1, messages
    assert messages[0].startswith("lbfgs failed to converge after 5 iteration(s) (status=1):\nSTOP: TOTAL NO. OF ITERATIONS REACHED LIMIT")
    assert "Increase the number of iterations to improve the convergence (max_iter=5)." in messages[0]


@pytest.mark.parametrize("module", [sk, __import__("neurone")])
def test_lbfgs_stops_past_max_fun_evaluations_and_warns(iris, module):
    """SciPy's L-BFGS-B stops after the iteration whose evaluations exceed `maxfun`
    (scikit-learn's max_fun), status 1, `TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT`, without
    the max_iter advice; so n_iter_ ≤ max_fun."""
    X, y = iris
    for max_fun in (1, 5, 12):
        clf, messages = convergence_warnings(module.MLPClassifier(solver="lbfgs", max_fun=max_fun, random_state=0), X, y)
        assert 1 <= clf.n_iter_ <= max_fun
        assert len(messages) == 1, messages
        assert messages[0].startswith(f"lbfgs failed to converge after {clf.n_iter_} iteration(s) (status=1):\nSTOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT")
        assert "max_iter=" not in messages[0]


def test_lbfgs_that_converges_does_not_warn(iris):
    """_check_optimize_result warns only when SciPy's status is not 0 (converged)."""
    X, y = iris
    clf, messages = convergence_warnings(MLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs", tol=1e-2, random_state=0), X, y)
    assert clf.n_iter_ < clf.max_iter and messages == []


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_n_iter_no_change_may_be_infinite(iris, estimator, early_stopping):
    """_parameter_constraints allows n_iter_no_change = np.inf: the count of epochs without
    improvement never exceeds it, so training runs to max_iter (and warns so)."""
    X, y = iris
    model = estimator(hidden_layer_sizes=(5,), n_iter_no_change=np.inf, tol=10.0, max_iter=15, early_stopping=early_stopping, random_state=0)
    model, messages = convergence_warnings(model, X, y)
    assert model.n_iter_ == 15 and len(messages) == 1


def test_a_loss_that_diverges_raises_scikit_learns_message(iris):
    """_fit: weights that are not finite after training raise `ValueError("Solver produced
    non-finite parameter weights. The input data may contain large values and need to be
    preprocessed.")`; the library stops at the epoch that diverged and says which after it."""
    X, y = iris
    regressor = MLPRegressor(solver="sgd", learning_rate_init=1e6, max_iter=50, random_state=0)
    with pytest.raises(ValueError, match=r"^Solver produced non-finite parameter weights\. The input data may contain large values and need to be preprocessed\. \(training diverged at epoch \d+"):
        regressor.fit(X * 1e3, y)


@pytest.mark.parametrize("module", [sk, __import__("neurone")])
def test_early_stopping_on_a_class_too_small_to_stratify_raises_train_test_splits_message(iris, module):
    """_fit_stochastic splits with train_test_split(stratify=y): a class of one sample raises
    its `The least populated class in y has only 1 member` ValueError."""
    X, y = iris
    with pytest.raises(ValueError, match="The least populated class.* in y ha(s|ve) only 1 member, which is too few"):
        module.MLPClassifier(early_stopping=True, max_iter=5, random_state=0).fit(X[:51], y[:51])


@pytest.mark.parametrize("module", [sk, __import__("neurone")])
def test_early_stopping_refuses_a_validation_set_of_one_sample(sine, module):
    """_fit_stochastic (1.7, #24788): fewer than 2 validation samples raise `The validation
    set is too small. Increase 'validation_fraction' or the size of your dataset.`"""
    X, y = sine
    with pytest.raises(ValueError, match=r"^The validation set is too small\. Increase 'validation_fraction' or the size of your dataset\.$"):
        module.MLPRegressor(early_stopping=True, validation_fraction=0.1, max_iter=5, random_state=0).fit(X[:10], y[:10])


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_y_of_one_class_fits_and_predicts_that_class(iris, early_stopping):
    """MLPClassifier fits a y of one class (LabelBinarizer encodes it as one column of zeros)
    and predicts that class; with early_stopping and a DataFrame it keeps the feature names."""
    pandas = pytest.importorskip("pandas")
    X, _ = iris
    frame = pandas.DataFrame(X, columns=["a", "b", "c", "d"])
    y = np.full(len(X), "setosa")
    for module in (sk, __import__("neurone")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = module.MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, early_stopping=early_stopping, random_state=0).fit(frame, y)
        assert clf.classes_.tolist() == ["setosa"]
        assert clf.predict(frame.iloc[:3]).tolist() == ["setosa"] * 3
        assert clf.feature_names_in_.tolist() == ["a", "b", "c", "d"]


def test_a_bad_setting_names_the_parameter_from_the_errors_key_not_its_text(iris):
    """A parameter scikit-learn's validation would refuse names that parameter: the library's
    error carries its spec key (`early_stopping.patience`) as an attribute, which the estimator
    maps to its own name (`n_iter_no_change`) without reading the message."""
    X, y = iris
    with pytest.raises(ValueError, match=r"^invalid n_iter_no_change: invalid type: floating point `2\.5`, expected usize$"):
        MLPClassifier(n_iter_no_change=2.5, max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match=r"^invalid hidden_layer_sizes\[1\]: must be at least 1, got 0$"):
        MLPClassifier(hidden_layer_sizes=(3, 0), max_iter=5).fit(X, y)


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_the_network_keeps_the_inputs_floating_dtype(iris, estimator):
    """_validate_input converts X to (np.float64, np.float32): float32 stays float32, anything
    else becomes float64, and coefs_, intercepts_ and the predictions take that dtype;
    neurone's dtype= still forces one."""
    X, y = iris
    for X_in, expected in [(X.astype(np.float32), np.float32), (X, np.float64), (X.astype(np.int64), np.float64), (X.astype(np.float16), np.float64)]:
        model = estimator(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_in, y)
        assert {c.dtype for c in model.coefs_ + model.intercepts_} == {np.dtype(expected)}, X_in.dtype
        outputs = model.predict_proba(X_in) if estimator is MLPClassifier else model.predict(X_in)
        assert outputs.dtype == expected
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        forced = estimator(hidden_layer_sizes=(4,), max_iter=3, dtype="float32", random_state=0).fit(X, y)
    assert forced.coefs_[0].dtype == np.float32


def test_poisson_loss_fits_counts_with_an_exp_output():
    """MLPRegressor(loss="poisson") (1.7): out_activation_ is 'exp' (the log link), the loss is
    half the Poisson deviance, mean over samples of xlogy(y, y/a) − y + a, and the predictions
    are positive; on counts drawn from a known rate it learns the rate about as well as
    scikit-learn's."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(400, 2))
    rate = np.exp(0.8 * X[:, 0] - 0.5 * X[:, 1])
    y = rng.poisson(rate).astype(float)
    params = dict(loss="poisson", hidden_layer_sizes=(8,), solver="lbfgs", max_iter=300, random_state=0, alpha=0.0)
    ours, theirs = MLPRegressor(**params).fit(X, y), sk.MLPRegressor(**params).fit(X, y)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    predicted = ours.predict(X)
    assert (predicted > 0).all()
    deviance = np.mean(np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / predicted), 0.0) - y + predicted)
    assert np.isclose(ours.loss_, deviance, rtol=1e-6)
    ours_error, theirs_error = (np.mean((model.predict(X) - rate) ** 2) for model in (ours, theirs))
    assert ours_error < 1.5 * theirs_error + 1e-3, (ours_error, theirs_error)
