"""Per-sample weights (``sample_weight``) and per-class weights (``class_weight``): weighted as
scikit-learn's MLP weighs them, in the library's loss."""

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_sample_weight

from neurone import MLPClassifier, MLPRegressor

rng = np.random.RandomState(0)
X = rng.normal(size=(40, 3))
y_class = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)
y_value = X @ np.array([1.0, -2.0, 0.5])
WEIGHTS = rng.randint(0, 4, size=40)


def full_batch(estimator):
    """Full-batch training without shuffling: repeated samples and weights see the same
    objective at every step."""
    return estimator.set_params(batch_size=10_000, shuffle=False, max_iter=30, dtype="float64", random_state=0, tol=0.0)


@pytest.mark.parametrize("make, y", [(MLPClassifier, y_class), (MLPRegressor, y_value)], ids=["classifier", "regressor"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_integer_weights_train_as_repeated_samples(make, y, solver):
    weighted = full_batch(make(hidden_layer_sizes=(8,), solver=solver, alpha=0.01)).fit(X, y, sample_weight=WEIGHTS)
    repeated = full_batch(make(hidden_layer_sizes=(8,), solver=solver, alpha=0.01)).fit(
        np.repeat(X, WEIGHTS, axis=0), np.repeat(y, WEIGHTS)
    )
    # The L2 penalty is divided by the sum of weights, as scikit-learn divides it.
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-9)
    for a, b in zip(weighted.coefs_, repeated.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


def test_weights_of_one_give_the_bits_of_no_weights():
    plain = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(X, y_class)
    ones = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(X, y_class, sample_weight=np.ones(40))
    # Same objective, computed through the weighted path: equal to rounding.
    np.testing.assert_allclose(plain.predict_proba(X), ones.predict_proba(X), rtol=1e-5)
    again = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(X, y_class)
    assert all(np.array_equal(a, b) for a, b in zip(plain.coefs_, again.coefs_))


def test_a_weight_of_zero_removes_the_sample():
    keep = WEIGHTS > 0
    weighted = full_batch(MLPRegressor(hidden_layer_sizes=(8,))).fit(X, y_value, sample_weight=keep.astype(float))
    removed = full_batch(MLPRegressor(hidden_layer_sizes=(8,))).fit(X[keep], y_value[keep])
    np.testing.assert_allclose(weighted.predict(X), removed.predict(X), rtol=1e-7, atol=1e-10)


def test_class_weight_multiplies_the_sample_weights_as_compute_sample_weight_does():
    for class_weight in ("balanced", {0: 3.0, 1: 0.5}):
        expected = compute_sample_weight(class_weight, y_class) * WEIGHTS
        by_class = full_batch(MLPClassifier(hidden_layer_sizes=(8,), class_weight=class_weight)).fit(
            X, y_class, sample_weight=WEIGHTS
        )
        by_sample = full_batch(MLPClassifier(hidden_layer_sizes=(8,))).fit(X, y_class, sample_weight=expected)
        np.testing.assert_array_equal(by_class.predict_proba(X), by_sample.predict_proba(X))


def test_a_heavy_class_is_predicted_more_often():
    # A rare class weighted up is found more often than without weights.
    y = (X[:, 0] > 1.0).astype(int)
    plain = MLPClassifier(hidden_layer_sizes=(8,), max_iter=200, random_state=0).fit(X, y)
    balanced = MLPClassifier(hidden_layer_sizes=(8,), max_iter=200, random_state=0, class_weight={0: 1.0, 1: 20.0}).fit(X, y)
    assert balanced.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()


def test_partial_fit_and_early_stopping_take_weights():
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    clf.partial_fit(X, y_class, sample_weight=WEIGHTS, classes=[0, 1])
    clf.partial_fit(X, y_class, sample_weight=WEIGHTS)
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 2
    MLPRegressor(hidden_layer_sizes=(8,), early_stopping=True, max_iter=5, random_state=0).fit(
        X, y_value, sample_weight=WEIGHTS + 1
    )
