"""``learning_rate='invscaling'``: the library's inverse-scaling schedule, η₀ / (t + 1)^power_t
with t the samples seen, as scikit-learn's SGD solver sets it."""

import numpy as np
import pytest

from neurone import MLPRegressor


def sgd(**params):
    return MLPRegressor(hidden_layer_sizes=(8,), solver="sgd", momentum=0.0, learning_rate_init=0.05,
                        max_iter=20, tol=0.0, n_iter_no_change=100, random_state=0, **params)


def test_a_power_of_zero_is_the_constant_rate_bit_for_bit(sine):
    X, y = sine
    constant = sgd().fit(X, y)
    flat = sgd(learning_rate="invscaling", power_t=0.0).fit(X, y)
    assert constant.loss_curve_ == flat.loss_curve_


def test_the_rate_falls_as_samples_are_seen(sine):
    X, y = sine
    constant = sgd().fit(X, y)
    scaled = sgd(learning_rate="invscaling", power_t=0.5).fit(X, y)
    # The first epoch runs at η₀ in both; after it, η₀ / √(200 e + 1) moves the weights far less.
    assert scaled.loss_curve_[0] == constant.loss_curve_[0]
    assert np.ptp(scaled.loss_curve_[1:]) < np.ptp(constant.loss_curve_[1:])


def test_a_negative_power_is_the_librarys_error(sine):
    X, y = sine
    with pytest.raises(ValueError, match="invalid power_t: must be a non-negative number, got -1"):
        sgd(learning_rate="invscaling", power_t=-1.0).fit(X, y)
