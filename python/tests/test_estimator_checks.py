"""scikit-learn's own test suite for estimators, over both estimators."""

from sklearn.utils.estimator_checks import (
    check_methods_subset_invariance,
    check_sample_weight_equivalence_on_dense_data,
    parametrize_with_checks,
)

from neurone import MLPClassifier, MLPRegressor

# Why a one-sample prediction may differ from the same row predicted in a batch: the
# library's matrix-vector loop (one row) and its packed product (several rows) add the same
# terms in different orders. In float32 (the default) rows agree to float32 rounding, about
# 1e-7 relative, which the check's 1e-7 tolerance for float64 outputs does not allow; in
# float64 they agree to 1e-16 and the check passes (test below). Also in docs/python.md.
SUBSET_INVARIANCE = (
    "float32 networks: one row and a batch sum in different orders (the library's matrix-vector "
    "loop and its packed product), agreeing to float32 rounding, not to the check's 1e-7; "
    "passes with dtype='float64'"
)
# Why weights of 2 and a repeated sample give other float32 numbers: the batch's loss adds
# w·Jᵢ once where the repeated data adds Jᵢ twice, so gradients differ by float32 rounding,
# which 200 epochs carry to about 1e-4 in the probabilities; the check allows 1e-7. In float64
# they agree to the check's tolerance and it passes (test below). Also in docs/python.md.
SAMPLE_WEIGHT_EQUIVALENCE = (
    "float32 networks: a weight of 2 and a repeated sample add the same loss in different float32 "
    "roundings, which training carries beyond the check's 1e-7; passes with dtype='float64'"
)
EXPECTED_FAILURES = {
    "check_methods_subset_invariance": SUBSET_INVARIANCE,
    "check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_EQUIVALENCE,
}


@parametrize_with_checks([MLPClassifier(), MLPRegressor()], expected_failed_checks=lambda _: EXPECTED_FAILURES)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_float64_networks_pass_the_subset_invariance_check():
    for estimator in (MLPClassifier(dtype="float64"), MLPRegressor(dtype="float64")):
        check_methods_subset_invariance(type(estimator).__name__, estimator)


def test_float64_networks_pass_the_sample_weight_equivalence_check():
    for estimator in (MLPClassifier(dtype="float64"), MLPRegressor(dtype="float64"), MLPClassifier(dtype="float64", solver="lbfgs")):
        check_sample_weight_equivalence_on_dense_data(type(estimator).__name__, estimator)
