"""The Python package beside scikit-learn's MLP, in the same process and the same run.

    target/python-package-venv/bin/python bench/python_package.py --repeats 3

(the venv of scripts/python-package-env.sh, which holds both). Each repetition fits every
workload with neurone.MLP* in float32 and in float64 (dtype=; every workload's data is float64),
then sklearn.neural_network.MLP* (which computes in float64 for float64 data), same architecture, solver, batch size
and number of epochs (no early stop: tol = 0), one thread each (BLAS threads fixed to 1 before
numpy loads; neurone's n_threads=1). Prints a Markdown table of medians and ratios for
bench/RESULTS.md.
"""

import argparse
import os
import statistics
import time
import timeit
import warnings

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import numpy as np  # noqa: E402
import sklearn.neural_network as sk  # noqa: E402
from sklearn.datasets import load_digits, load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import neurone  # noqa: E402
from common import grid_mse, load_mnist, sine_training_data  # noqa: E402

warnings.filterwarnings("ignore", category=ConvergenceWarning)
parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--mnist-epochs", type=int, default=1)
parser.add_argument("--workloads", default="iris,sine,digits,mnist,predict")
parser.add_argument("--cpu-time", action="store_true",
                    help="time each fit in the process's CPU seconds rather than wall-clock ones: on a shared, "
                         "loaded machine they leave out the time other programs held the core (every side runs "
                         "one thread)")
args = parser.parse_args()


def fixed(epochs, **params):
    """The same settings for both: a fixed number of epochs, no L2, seed 0."""
    return dict(max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1, alpha=0.0, random_state=0, **params)


def ours(kind, **params):
    return getattr(neurone, kind)(n_threads=1, **params)


def theirs(kind, **params):
    return getattr(sk, kind)(**params)


def iris():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    params = fixed(200, hidden_layer_sizes=(100,), solver="adam")
    return "MLPClassifier", params, (X, y), lambda model: model.score(X, y), "training accuracy"


def sine():
    X, y = sine_training_data(42)
    params = fixed(500, hidden_layer_sizes=(16, 16), activation="tanh", solver="sgd", learning_rate_init=0.05,
                   momentum=0.0, nesterovs_momentum=False, batch_size=16)
    return "MLPRegressor", params, (X, y.ravel()), lambda model: grid_mse(model.predict), "grid MSE"


def digits_data():
    X, y = load_digits(return_X_y=True)
    return X[:1400] / 16.0, y[:1400], X[1400:] / 16.0, y[1400:]


def digits():
    X, y, X_test, y_test = digits_data()
    params = fixed(200, hidden_layer_sizes=(64, 32), solver="adam", batch_size=32)
    return "MLPClassifier", params, (X, y), lambda model: model.score(X_test, y_test), "held-out accuracy"


def mnist():
    # In float64, as the other workloads' data: scikit-learn computes in its input's dtype, and
    # neurone's float32 side converts once, as its dtype= asks.
    X, y, X_test, y_test = (array.astype(np.float64) if array.dtype == np.float32 else array for array in load_mnist())
    params = fixed(args.mnist_epochs, hidden_layer_sizes=(128, 64), solver="adam", batch_size=64)
    return "MLPClassifier", params, (X, y), lambda model: model.score(X_test, y_test), "test accuracy"


WORKLOADS = {"iris": iris, "sine": sine, "digits": digits, "mnist": mnist}


clock = time.process_time if args.cpu_time else time.perf_counter


def fit_seconds(model, data):
    started = clock()
    model.fit(*data)
    return clock() - started


def predict_latency(model, x, calls=2000):
    """Median seconds of one predict_proba call on one sample."""
    return statistics.median(timeit.repeat(lambda: model.predict_proba(x), number=calls, repeat=5)) / calls


selected = [name for name in args.workloads.split(",") if name in WORKLOADS]
prepared = {name: WORKLOADS[name]() for name in selected}
SIDES = {
    "float32": lambda kind, **params: ours(kind, dtype="float32", **params),
    "float64": lambda kind, **params: ours(kind, dtype="float64", **params),
    "scikit-learn": theirs,
}
times = {name: {side: [] for side in SIDES} for name in selected}
quality = {name: {} for name in selected}
for repeat in range(args.repeats):
    for name, (kind, params, data, measure, _) in prepared.items():
        for side, make in SIDES.items():
            model = make(kind, **params)
            times[name][side].append(fit_seconds(model, data))
            quality[name][side] = measure(model)

seconds = "CPU seconds" if args.cpu_time else "wall-clock seconds"
print(f"{args.repeats} repetitions, medians of {seconds}; one thread each; fit at equal architecture, solver, batch and epochs\n")
print("| workload | neurone float32 fit (s) | neurone float64 fit (s) | scikit-learn fit (s) | ratio float32 | ratio float64 | neurone float32 | neurone float64 | scikit-learn |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for name, (kind, params, data, measure, metric) in prepared.items():
    single, double, reference = (statistics.median(times[name][side]) for side in SIDES)
    scores = " | ".join(f"{quality[name][side]:.4f}" for side in SIDES)
    print(f"| {name} ({metric}) | {single:.3f} | {double:.3f} | {reference:.3f} | {reference / single:.1f}× | {reference / double:.1f}× | {scores} |")

if "predict" in args.workloads.split(","):
    X, y, _, _ = digits_data()
    params = fixed(5, hidden_layer_sizes=(64, 32), solver="adam", batch_size=32)
    models = {"neurone": ours("MLPClassifier", **params).fit(X, y), "scikit-learn": theirs("MLPClassifier", **params).fit(X, y)}
    sample = X[:1]
    latency = {side: predict_latency(model, sample) for side, model in models.items()}
    print("\n| one-sample predict_proba, 64→64→32→10 (float64 row in) | neurone (µs) | scikit-learn (µs) | ratio |")
    print("| --- | ---: | ---: | ---: |")
    a, b = latency["neurone"] * 1e6, latency["scikit-learn"] * 1e6
    print(f"| median of 5 × 2000 calls | {a:.1f} | {b:.1f} | {b / a:.1f}× |")
