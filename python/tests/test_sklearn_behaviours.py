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
