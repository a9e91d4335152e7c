"""Where the time of a small fit goes, in the Python package: the parts of one iris fit
(scikit-learn's default MLP, 200 epochs, as python_package.py's iris workload), each timed alone
over many calls, and the whole fit alone and beside scikit-learn's.

    cd bench && ../target/python-package-venv/bin/python python_fit_parts.py
"""

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import json  # noqa: E402
import timeit  # noqa: E402
import warnings  # noqa: E402

import sklearn.neural_network as sk  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import neurone  # noqa: E402
from neurone import _engine  # noqa: E402
from neurone._base import _parameter_names  # noqa: E402
from neurone._spec import network_spec, training_spec  # noqa: E402

warnings.simplefilter("ignore")
X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
params = dict(max_iter=200, tol=0.0, n_iter_no_change=201, alpha=0.0, random_state=0, hidden_layer_sizes=(100,), solver="adam")
ours = neurone.MLPClassifier(n_threads=1, **params).fit(X, y)
X_checked, y_checked = ours._validate(X, y, reset=True)
targets = ours._encode_targets(y_checked, True, None)
settings = {name: getattr(ours, name) for name in _parameter_names(type(ours))}
network, _ = network_spec(settings)


def engine_fit(epochs):
    training, _ = training_spec(settings, samples=len(X), epochs=epochs, task="classification", validation=False)
    engine = _engine.Engine(json.dumps(network), json.dumps(training), "classification", 4, 3, "float32", 1)
    return lambda: engine.fit(json.dumps(training), "classification", X_checked, targets, warm=False)


parts = {
    "validate_data (scikit-learn's)": (lambda: ours._validate(X, y, reset=True), 500),
    "label encoding": (lambda: ours._encode_targets(y_checked, True, None), 500),
    "engine: 1 epoch (its set-up)": (engine_fit(1), 500),
    "engine: 200 epochs": (engine_fit(200), 100),
    "neurone fit, alone": (lambda: neurone.MLPClassifier(n_threads=1, **params).fit(X, y), 100),
    "scikit-learn fit, alone": (lambda: sk.MLPClassifier(**params).fit(X, y), 20),
}
print("| part of an iris fit | µs (mean of the calls, best of 3) |\n| --- | ---: |")
for name, (call, number) in parts.items():
    print(f"| {name} | {min(timeit.repeat(call, number=number, repeat=3)) / number * 1e6:.0f} |")
