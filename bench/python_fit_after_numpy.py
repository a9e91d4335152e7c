"""An iris fit's time alone, and right after other numpy work (as python_package.py interleaves
the two libraries' fits): seven fits of neurone.MLPClassifier alone, seven each after a
scikit-learn fit, seven each after a 2000×2000 numpy product; medians.

    cd bench && ../target/python-package-venv/bin/python python_fit_after_numpy.py
"""

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn.neural_network as sk  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import neurone  # noqa: E402

warnings.simplefilter("ignore")
X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
params = dict(max_iter=200, tol=0.0, n_iter_no_change=201, alpha=0.0, random_state=0, hidden_layer_sizes=(100,), solver="adam")


def fit_seconds():
    started = time.perf_counter()
    neurone.MLPClassifier(n_threads=1, **params).fit(X, y)
    return time.perf_counter() - started


def after(work):
    times = []
    for _ in range(7):
        work()
        times.append(fit_seconds())
    return statistics.median(times) * 1e3


product = np.random.default_rng(0).random((2000, 2000))
alone = after(lambda: None)
after_sklearn = after(lambda: sk.MLPClassifier(**params).fit(X, y))
after_product = after(lambda: product @ product)
print(f"iris fit: alone {alone:.2f} ms, after scikit-learn's fit {after_sklearn:.2f} ms, after a numpy product {after_product:.2f} ms")
