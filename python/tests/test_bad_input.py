"""Bad input raises the exception scikit-learn raises, with a message that says what is wrong,
and never crashes the interpreter: one table, like the command line's corpus."""

import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse
from sklearn.exceptions import NotFittedError

from neurone import MLPClassifier, MLPRegressor

X = np.random.RandomState(0).normal(size=(20, 3))
y = np.arange(20) % 2
with_nan = X.copy()
with_nan[3, 1] = np.nan
with_inf = X.copy()
with_inf[0, 0] = np.inf

# (case, estimator, what is called, exception, what the message says)
CASES = [
    ("NaN in X", MLPClassifier(), lambda e: e.fit(with_nan, y), ValueError, "Input X contains NaN"),
    ("infinity in X", MLPRegressor(), lambda e: e.fit(with_inf, y), ValueError, "Input X contains infinity"),
    ("NaN in y", MLPRegressor(), lambda e: e.fit(X, np.where(y == 1, np.nan, 0.0)), ValueError, "Input y contains NaN"),
    ("1-D X", MLPClassifier(), lambda e: e.fit(X[:, 0], y), ValueError, "Expected 2D array, got 1D array"),
    ("empty X", MLPRegressor(), lambda e: e.fit(X[:0], y[:0]), ValueError, "0 sample"),
    ("strings in X", MLPClassifier(), lambda e: e.fit(np.array([["a", "b", "c"]] * 20), y), ValueError, "could not convert"),
    ("objects in X", MLPRegressor(), lambda e: e.fit(np.array([[object()] * 3] * 20), y), TypeError, "float"),
    ("continuous y for a classifier", MLPClassifier(), lambda e: e.fit(X, X[:, 0]), ValueError, "Unknown label type"),
    ("lengths differ", MLPClassifier(), lambda e: e.fit(X, y[:-1]), ValueError, "inconsistent numbers of samples"),
    ("predict before fit", MLPClassifier(), lambda e: e.predict(X), NotFittedError, "not fitted yet"),
    ("NaN in sparse X", MLPRegressor(), lambda e: e.fit(scipy.sparse.csr_matrix(with_nan), y), ValueError, "Input X contains NaN"),
    ("no y", MLPRegressor(), lambda e: e.fit(X, None), ValueError, "requires y"),
    ("a hidden layer of 0", MLPClassifier(hidden_layer_sizes=(4, 0)), lambda e: e.fit(X, y), ValueError,
     "invalid hidden_layer_sizes[1]: must be at least 1, got 0"),
    ("beta_2 of 1", MLPClassifier(beta_2=1.0), lambda e: e.fit(X, y), ValueError, "invalid beta_2: must be in [0, 1), got 1"),
    ("a negative learning rate", MLPRegressor(learning_rate_init=-1.0), lambda e: e.fit(X, y), ValueError,
     "invalid learning_rate_init: must be a positive number, got -1"),
    ("an unknown learning_rate", MLPClassifier(learning_rate="bogus"), lambda e: e.fit(X, y), ValueError,
     "invalid learning_rate: expected one of constant, invscaling, adaptive, got 'bogus'"),
    ("an unknown learning_rate for SGD", MLPRegressor(solver="sgd", learning_rate="cosine"), lambda e: e.fit(X, y),
     ValueError, "invalid learning_rate: expected one of constant, invscaling, adaptive, got 'cosine'"),
    ("max_iter 0", MLPRegressor(max_iter=0), lambda e: e.fit(X, y), ValueError, "invalid max_iter: must be at least 1, got 0"),
    ("batch_size 0", MLPRegressor(batch_size=0), lambda e: e.fit(X, y), ValueError, "invalid batch_size: must be at least 1, got 0"),
    ("a negative batch_size", MLPRegressor(batch_size=-5), lambda e: e.fit(X, y), ValueError, "invalid batch_size: invalid value: integer `-5`, expected usize"),
    ("a negative alpha", MLPRegressor(alpha=-1.0), lambda e: e.fit(X, y), ValueError, "invalid alpha: must be a non-negative number"),
    ("dropout of 1", MLPRegressor(dropout=1.0), lambda e: e.fit(X, y), ValueError, "invalid dropout: must be in [0, 1), got 1"),
    ("an unknown activation", MLPRegressor(activation="swish"), lambda e: e.fit(X, y), ValueError, "unknown activation"),
    ("an unknown solver", MLPRegressor(solver="newton"), lambda e: e.fit(X, y), ValueError, "unknown variant `newton`"),
    ("an unknown loss", MLPRegressor(loss="hinge"), lambda e: e.fit(X, y), ValueError, "invalid loss: unknown loss `hinge`; expected one of mse, mae, huber, binary_cross_entropy, cross_entropy, poisson"),
    ("an unknown dtype", MLPRegressor(dtype="float16"), lambda e: e.fit(X, y), ValueError, "invalid dtype"),
    ("an unknown optimizer setting", MLPRegressor(optimizer_settings={"beta3": 1}), lambda e: e.fit(X, y), ValueError,
     "unknown field `beta3`"),
    ("a negative sample_weight", MLPRegressor(max_iter=2), lambda e: e.fit(X, y, sample_weight=np.where(y == 1, -1.0, 1.0)),
     ValueError, "invalid sample_weight: must be finite and non-negative, got -1 at sample 1"),
    ("sample weights all zero", MLPClassifier(max_iter=2), lambda e: e.fit(X, y, sample_weight=np.zeros(20)), ValueError,
     "invalid sample_weight: the weights are all zero"),
    ("NaN in sample_weight", MLPRegressor(max_iter=2), lambda e: e.fit(X, y, sample_weight=np.full(20, np.nan)), ValueError,
     "Input sample_weight contains NaN"),
    ("sample_weight of another length", MLPClassifier(max_iter=2), lambda e: e.fit(X, y, sample_weight=np.ones(19)),
     ValueError, "sample_weight.shape == (19,), expected (20,)"),
    ("class_weight of an unknown class", MLPClassifier(max_iter=2, class_weight={7: 2.0}), lambda e: e.fit(X, y), ValueError,
     "are not in class_weight"),
    ("an unknown class_weight", MLPClassifier(max_iter=2, class_weight="heavy"), lambda e: e.fit(X, y), ValueError,
     "balanced"),
    ("a diverging learning rate", MLPRegressor(solver="sgd", learning_rate_init=1e6), lambda e: e.fit(X * 1e3, y),
     ValueError, "training diverged"),
]


@pytest.mark.parametrize("case, estimator, call, error, message", CASES, ids=[case[0] for case in CASES])
def test_bad_input_raises_what_scikit_learn_raises(case, estimator, call, error, message):
    with pytest.raises(error) as raised:
        call(estimator)
    assert message in str(raised.value), str(raised.value)


def test_a_fitted_estimator_refuses_a_wrong_number_of_features():
    clf = MLPClassifier(max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but MLPClassifier is expecting 3 features as input"):
        clf.predict(X[:, :2])
    with pytest.raises(ValueError, match="X has 2 features"):
        clf.partial_fit(X[:, :2], y)
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X, y + 5)


def test_settings_scikit_learn_accepts_are_accepted():
    # Nesterov's momentum without momentum is plain SGD.
    MLPRegressor(solver="sgd", momentum=0.0, max_iter=2).fit(X, y)
    # A batch larger than the data is the whole data.
    MLPRegressor(batch_size=1000, max_iter=2).fit(X, y)


def test_predict_refuses_nan_and_infinity_after_fit():
    reg = MLPRegressor(max_iter=2).fit(X, y)
    for bad in (with_nan, with_inf, with_nan.astype(np.float32)):
        with pytest.raises(ValueError, match="Input X contains"):
            reg.predict(bad)


def test_an_instruction_set_this_cpu_does_not_run_fails_the_import():
    # As the command line refuses to start: a NEURONE_KERNELS that names no instruction set this
    # CPU runs is a one-line error naming the choices, never a silent fallback to another set.
    environment = {**os.environ, "NEURONE_KERNELS": "sse9"}
    done = subprocess.run([sys.executable, "-c", "import neurone"], env=environment, capture_output=True, text=True)
    assert done.returncode != 0
    last_line = done.stderr.strip().splitlines()[-1]
    assert last_line.startswith('ValueError: NEURONE_KERNELS="sse9": expected one of portable'), done.stderr
