"""Shared by the PyTorch and scikit-learn sides: the data, the sine grid metric, the result file.

The thread count is fixed by the harness through the environment (OMP_NUM_THREADS and friends)
before numpy or torch is imported, so importing this module does not change it.
"""

import gzip
import json
import math
import os
import sys

import numpy as np

SINE_SAMPLES = 500
SINE_GRID_POINTS = 1000


def sine_training_data(seed):
    """500 points, x uniform on [0, 2π], y = sin x: the same distribution neurone's `sine` dataset
    draws from (not the same numbers: neurone draws them with its own ChaCha8 generator)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0 * math.pi, size=(SINE_SAMPLES, 1)).astype(np.float32)
    return x, np.sin(x).astype(np.float32)


def sine_grid():
    """The 1000 evenly spaced points from 0 to 2π (inclusive) neurone reports its test MSE on."""
    x = np.linspace(0.0, 2.0 * math.pi, SINE_GRID_POINTS, dtype=np.float64).reshape(-1, 1)
    return x.astype(np.float32), np.sin(x)


def grid_mse(predict):
    """Plain mean of squared errors on the grid (no ½), as neurone's metrics.json `mse`."""
    x, y = sine_grid()
    prediction = np.asarray(predict(x), dtype=np.float64).reshape(-1, 1)
    return float(np.mean((prediction - y) ** 2))


def _read_idx(path):
    with gzip.open(path, "rb") as file:
        data = file.read()
    dimensions = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dimensions))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dimensions).reshape(shape)


def load_mnist():
    """The MNIST IDX files from $NEURONE_DATA/mnist, pixels scaled to [0, 1] as neurone does."""
    folder = os.path.join(os.environ.get("NEURONE_DATA", "../shared/data"), "mnist")

    def images(name):
        return (_read_idx(os.path.join(folder, name)).reshape(-1, 784).astype(np.float32)) / 255.0

    def labels(name):
        return _read_idx(os.path.join(folder, name)).astype(np.int64)

    return (
        images("train-images-idx3-ubyte.gz"),
        labels("train-labels-idx1-ubyte.gz"),
        images("t10k-images-idx3-ubyte.gz"),
        labels("t10k-labels-idx1-ubyte.gz"),
    )


def write_result(path, result):
    """Writes one run's figures as JSON for the harness (or prints them without --result)."""
    text = json.dumps(result)
    if path:
        with open(path, "w") as file:
            file.write(text)
    else:
        print(text, file=sys.stdout)
