"""scikit-learn's own test suite for estimators, over both estimators, with no expected failure.

The checks feed float64 data, which (as scikit-learn's MLP) makes float64 networks: a row
predicted alone and in a batch agree to 1e-16, and a weight of 2 and a repeated sample to the
checks' tolerance. float32 networks (float32 data, or dtype='float32') agree to float32
rounding only; docs/python.md says so."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from neurone import MLPClassifier, MLPRegressor


@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
