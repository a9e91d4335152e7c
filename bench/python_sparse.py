"""Sparse input beside scikit-learn's MLP: a TF-IDF-shaped CSR matrix, in the same process and run.

    target/python-package-venv/bin/python bench/python_sparse.py --repeats 3

(the venv of scripts/python-package-env.sh). X is 20,000 × 5,000 at 1 % density (50 non-zero
values a row, TF-IDF-like: non-negative, each row of unit length), float64, as scipy's CSR; y is
one of 4 classes read from a few columns. Each repetition fits neurone.MLPClassifier on it in
float32 and float64 (dtype=), then sklearn.neural_network.MLPClassifier, same architecture
(5,000 → 100 → 4, ReLU), Adam, batch 200, epochs (no early stop: tol = 0), one thread each
(BLAS threads fixed to 1 before numpy loads; neurone's n_threads=1), and times predict_proba on
all the rows. Prints a Markdown table of medians and ratios for bench/RESULTS.md.
"""

import argparse
import os
import statistics
import time
import warnings

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import sklearn.neural_network as sk  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.preprocessing import normalize  # noqa: E402

import neurone  # noqa: E402

warnings.filterwarnings("ignore", category=ConvergenceWarning)
parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--rows", type=int, default=20_000)
parser.add_argument("--features", type=int, default=5_000)
parser.add_argument("--density", type=float, default=0.01)
args = parser.parse_args()


def tfidf_like(rows, features, density, seed=0):
    """CSR rows of `density × features` distinct columns each (frequent columns likelier, as
    words are), non-negative values normalised to unit length; 4 classes from which of 4 groups
    of columns weighs most in the row."""
    rng = np.random.default_rng(seed)
    per_row = max(1, round(density * features))
    popularity = 1.0 / np.arange(1, features + 1)  # Zipf-like word frequencies
    popularity /= popularity.sum()
    columns = np.concatenate([np.sort(rng.choice(features, per_row, replace=False, p=popularity)) for _ in range(rows)])
    values = rng.exponential(size=rows * per_row)
    X = normalize(sp.csr_matrix((values, columns, np.arange(0, rows * per_row + 1, per_row)), shape=(rows, features)))
    groups = np.stack([np.asarray(X[:, group::4].sum(axis=1)).ravel() for group in range(4)], axis=1)
    return X, np.argmax(groups, axis=1)


X, y = tfidf_like(args.rows, args.features, args.density)
params = dict(hidden_layer_sizes=(100,), solver="adam", batch_size=200, max_iter=args.epochs, tol=0.0,
              n_iter_no_change=args.epochs + 1, alpha=0.0, random_state=0)
SIDES = {
    "float32": lambda: neurone.MLPClassifier(n_threads=1, dtype="float32", **params),
    "float64": lambda: neurone.MLPClassifier(n_threads=1, dtype="float64", **params),
    "scikit-learn": lambda: sk.MLPClassifier(**params),
}
fit_times = {side: [] for side in SIDES}
predict_times = {side: [] for side in SIDES}
accuracy = {}
for repeat in range(args.repeats):
    for side, make in SIDES.items():
        model = make()
        started = time.perf_counter()
        model.fit(X, y)
        fit_times[side].append(time.perf_counter() - started)
        started = time.perf_counter()
        model.predict_proba(X)
        predict_times[side].append(time.perf_counter() - started)
        accuracy[side] = model.score(X, y)

print(f"X: {X.shape[0]} × {X.shape[1]} CSR, {X.nnz / (X.shape[0] * X.shape[1]):.2%} non-zero, float64; "
      f"{args.epochs} epochs; {args.repeats} repetitions, medians; one thread each\n")
print("| | neurone float32 | neurone float64 | scikit-learn | ratio float32 | ratio float64 |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for what, times in (("fit (s)", fit_times), ("predict_proba, all rows (s)", predict_times)):
    single, double, reference = (statistics.median(times[side]) for side in SIDES)
    print(f"| {what} | {single:.3f} | {double:.3f} | {reference:.3f} | {reference / single:.2f}× | {reference / double:.2f}× |")
print("| training accuracy | " + " | ".join(f"{accuracy[side]:.4f}" for side in SIDES) + " | | |")
