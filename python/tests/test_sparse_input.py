"""Sparse input, as scikit-learn 1.9's MLP takes it: ``validate_data(accept_sparse=["csr", "csc"])``
in ``_validate_input`` (fit, partial_fit) and in ``_forward_pass_fast`` (predict, predict_proba,
score), so CSR and CSC matrices and arrays are used as they are and other sparse formats are
converted to CSR; its products are ``safe_sparse_dot``, equal to the dense input's. Here the first
layer multiplies the stored values alone, in training (minibatches and the full-batch solvers)
as in prediction, by the dense product's chain: the network learns the bits it learns from the
dense matrix, and predicts the same outputs."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.neural_network as sk
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline

from neurone import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FORMATS = [sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array]


def sparse_data(rows=240, features=60, dtype=np.float64):
    """A TF-IDF-like X (one value in ten non-zero, a few empty rows) and a label from it."""
    X = sp.random(rows, features, density=0.1, format="csr", random_state=0, dtype=np.float64)
    X = sp.csr_matrix(X.multiply((np.arange(rows) % 50 != 0)[:, None]))
    y = (np.asarray(X[:, : features // 2].sum(axis=1)).ravel() > 0.3).astype(int)
    return X.astype(dtype), y


def bits(estimator):
    return [array.tobytes() for array in estimator.coefs_ + estimator.intercepts_]


@pytest.mark.parametrize("to_sparse", FORMATS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "settings",
    [
        dict(solver="adam"),
        dict(solver="sgd", batch_size=7, shuffle=False, early_stopping=True),
        dict(solver="lbfgs"),
    ],
    ids=["adam", "sgd-in-order-early-stopping", "lbfgs"],
)
def test_sparse_x_fits_and_predicts_the_bits_of_the_dense_x(to_sparse, dtype, settings):
    """accept_sparse=["csr", "csc"] in fit, predict, predict_proba and score: the same network
    and outputs as from X.toarray(), in the input's floating dtype."""
    X, y = sparse_data(dtype=dtype)
    weights = np.linspace(0.5, 2.0, len(y))
    fitted = {}
    for name, data in [("dense", X.toarray()), ("sparse", to_sparse(X))]:
        clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=15, random_state=0, **settings)
        clf.fit(data, y, sample_weight=weights)
        reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=15, random_state=0, **settings)
        reg.fit(data, y.astype(float))
        fitted[name] = (clf, reg, data)
    (clf, reg, dense), (sparse_clf, sparse_reg, sparse) = fitted["dense"], fitted["sparse"]
    assert sparse_clf.coefs_[0].dtype == dtype
    assert bits(sparse_clf) == bits(clf) and bits(sparse_reg) == bits(reg)
    np.testing.assert_array_equal(sparse_clf.predict_proba(sparse), clf.predict_proba(dense))
    np.testing.assert_array_equal(sparse_clf.predict(sparse), clf.predict(dense))
    np.testing.assert_array_equal(sparse_reg.predict(sparse), reg.predict(dense))
    assert sparse_clf.score(sparse, y) == clf.score(dense, y)
    assert sparse_reg.score(sparse, y) == reg.score(dense, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "settings",
    [dict(solver="adam", batch_size=64), dict(solver="sgd", batch_size=599, shuffle=False), dict(solver="lbfgs")],
    ids=["adam", "sgd-last-batch-of-one-row", "lbfgs"],
)
def test_wide_sparse_x_trains_to_the_bits_of_the_dense_x(dtype, settings):
    """Wider rows, read from their stored values: 300 features (two slices of the first layer's
    product), 600 rows (three slices of the gradient's sum over the rows for L-BFGS), values small
    enough for some products to round to zero, columns stored unsorted."""
    X, y = sparse_data(rows=600, features=300, dtype=dtype)
    X.data[::17] *= 1e-30
    shuffled = X.copy()
    for start, end in zip(shuffled.indptr[:-1], shuffled.indptr[1:]):
        shuffled.indices[start:end] = shuffled.indices[start:end][::-1].copy()
        shuffled.data[start:end] = shuffled.data[start:end][::-1].copy()
    shuffled.has_sorted_indices = False
    fitted = [
        MLPRegressor(hidden_layer_sizes=(12,), max_iter=4, random_state=0, **settings).fit(data, y.astype(dtype))
        for data in (X.toarray(), X, shuffled)
    ]
    assert bits(fitted[1]) == bits(fitted[0]) and bits(fitted[2]) == bits(fitted[0])


@pytest.mark.parametrize("to_sparse", FORMATS)
def test_partial_fit_takes_sparse_batches(to_sparse):
    """_partial_fit → _validate_input(accept_sparse=["csr", "csc"]): each call's batch may be
    sparse; the calls learn what they learn from the dense batches."""
    X, y = sparse_data()
    networks = []
    for convert in (lambda batch: batch.toarray(), to_sparse):
        clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
        for start in range(0, X.shape[0], 80):
            clf.partial_fit(convert(X[start : start + 80]), y[start : start + 80], classes=[0, 1])
        networks.append(bits(clf))
    assert networks[0] == networks[1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_predictions_have_each_dense_rows_bits_alone_or_in_a_batch(dtype):
    """_forward_pass_fast's safe_sparse_dot gives each row the output of its dense row. Here the
    library multiplies the stored values alone, each row by the dense product's chain: a row
    alone, in slices of 7 or 100, or rows stored out of column order or with explicit zeros
    (made dense by the library) give the outputs of X.toarray() in one batch."""
    X, y = sparse_data(dtype=dtype)
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    clf.fit(X, y)
    whole = clf.predict_proba(X.toarray())
    for rows in (1, 7, 100):
        parts = [clf.predict_proba(X[start : start + rows]) for start in range(0, X.shape[0], rows)]
        np.testing.assert_array_equal(np.concatenate(parts), whole)
    reversed_rows = X.copy()
    for row in range(X.shape[0]):
        stored = slice(X.indptr[row], X.indptr[row + 1])
        reversed_rows.indices[stored] = X.indices[stored][::-1]
        reversed_rows.data[stored] = X.data[stored][::-1]
    reversed_rows.has_sorted_indices = False
    np.testing.assert_array_equal(reversed_rows.toarray(), X.toarray())
    np.testing.assert_array_equal(clf.predict_proba(reversed_rows), whole)
    with_zeros = X.copy()
    with_zeros.data[::5] = 0.0
    np.testing.assert_array_equal(clf.predict_proba(with_zeros), clf.predict_proba(with_zeros.toarray()))


@pytest.mark.parametrize("to_sparse", [sp.coo_matrix, sp.lil_matrix, sp.dok_array, sp.bsr_matrix])
def test_other_sparse_formats_are_converted_as_scikit_learn_converts_them(to_sparse):
    """check_array converts a sparse format outside accept_sparse to its first entry, CSR."""
    X, y = sparse_data()
    kwargs = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    dense = MLPClassifier(**kwargs).fit(X.toarray(), y)
    converted = MLPClassifier(**kwargs).fit(to_sparse(X), y)
    assert bits(converted) == bits(dense)
    np.testing.assert_array_equal(converted.predict_proba(to_sparse(X)), dense.predict_proba(X.toarray()))


def test_sparse_integers_become_float64():
    """validate_data(dtype=(np.float64, np.float32)): sparse integers become float64, as dense
    ones do."""
    X, y = sparse_data()
    counts = sp.csr_matrix((X > 0.5).astype(np.int64))
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(counts, y)
    assert clf.coefs_[0].dtype == np.float64


@pytest.mark.parametrize("module", [sk, __import__("neurone")])
def test_bad_sparse_input_gets_scikit_learns_errors(module):
    """check_array's errors for sparse X: NaN in its values, too few features for a fitted
    network; scikit-learn's messages, from both."""
    X, y = sparse_data()
    with_nan = X.copy()
    with_nan.data[3] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        module.MLPClassifier(max_iter=2).fit(with_nan, y)
    clf = module.MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="X has 59 features, but MLPClassifier is expecting 60 features as input"):
        clf.predict(X[:, :59])


def test_a_tfidf_pipeline_fits_as_scikit_learns_does():
    """The text pipeline scikit-learn's MLP serves: TfidfVectorizer's CSR output straight into
    the MLP, learning what it learns from the dense TF-IDF matrix."""
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(words, size=6)) for _ in range(120)]
    y = np.array(["greek" if ("alpha" in text or "beta" in text) else "other" for text in texts])
    pipeline = make_pipeline(TfidfVectorizer(), MLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0))
    pipeline.fit(texts, y)
    tfidf = TfidfVectorizer().fit_transform(texts)
    assert sp.issparse(tfidf)
    dense = MLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0).fit(tfidf.toarray(), y)
    assert bits(pipeline[-1]) == bits(dense)
    assert pipeline.score(texts, y) == dense.score(tfidf.toarray(), y) > 0.9


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_sparse_x_is_never_made_dense_whole(solver):
    """What sparse input is for: a matrix whose dense form (1.6 GB here) would not be made, by
    minibatches nor by L-BFGS's whole training set. A child process fits and predicts it (its
    columns unsorted, as the Python layer sorts them); its peak memory stays far below the dense
    size."""
    script = textwrap.dedent(
        f"""
        import resource, warnings
        import numpy as np, scipy.sparse as sp
        from neurone import MLPClassifier
        rng = np.random.default_rng(0)
        columns = np.concatenate([rng.choice(400_000, 40, replace=False) for _ in range(1000)])
        X = sp.csr_matrix((rng.random(40_000, dtype=np.float32), columns, np.arange(0, 40_001, 40)), shape=(1000, 400_000))
        y = np.arange(1000) % 2
        warnings.simplefilter("ignore")
        clf = MLPClassifier(hidden_layer_sizes=(2,), solver="{solver}", batch_size=20, max_iter=2, random_state=0).fit(X, y)
        assert clf.predict(X).shape == (1000,)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        """
    )
    peak = int(subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout)
    dense = 1000 * 400_000 * 4
    assert peak < dense / 2, f"peak memory {peak / 1e6:.0f} MB, the dense matrix {dense / 1e6:.0f} MB"
