"""The scikit-learn side of the benchmark (and plain numpy for the sgemm reference).

Run by harness.py, one workload per process. scikit-learn's MLP computes with numpy, whose BLAS
threads the harness fixes through OMP_NUM_THREADS/OPENBLAS_NUM_THREADS/MKL_NUM_THREADS before
the process starts; --threads only records the intended number.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_info

from common import grid_mse, load_mnist, sine_training_data, write_result

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("workload", choices=["sine", "mnist", "sgemm", "inference"])
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--hidden", default="128,64", help="hidden layer widths, comma separated")
parser.add_argument("--repeats", type=int, default=20, help="sgemm: passes over the products")
parser.add_argument("--result", help="where to write the JSON figures")
args = parser.parse_args()

# Training runs a fixed number of epochs on purpose: scikit-learn warns that it has not converged.
warnings.filterwarnings("ignore", category=ConvergenceWarning)


def hidden_widths():
    return tuple(int(width) for width in args.hidden.split(","))


def fixed_epochs(epochs):
    """Never stop early: tol = 0 and more patience than there are epochs; no L2 (alpha = 0)."""
    return {"max_iter": epochs, "tol": 0.0, "n_iter_no_change": epochs + 1, "alpha": 0.0,
            "early_stopping": False, "shuffle": True, "random_state": args.seed}


def sine():
    x, y = sine_training_data(args.seed)
    # MLPRegressor's squared loss is ½ × mean squared error, the course's J: same η, same step.
    model = MLPRegressor(hidden_layer_sizes=(16, 16), activation="tanh", solver="sgd",
                         learning_rate="constant", learning_rate_init=0.05, momentum=0.0,
                         nesterovs_momentum=False, batch_size=16, **fixed_epochs(2000))
    started = time.perf_counter()
    model.fit(x, y.ravel())
    seconds = time.perf_counter() - started
    return {"train_seconds": seconds, "grid_mse": grid_mse(model.predict), "epochs": model.n_iter_}


def classifier(epochs):
    return MLPClassifier(hidden_layer_sizes=hidden_widths(), activation="relu", solver="adam",
                         learning_rate_init=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                         batch_size=args.batch, **fixed_epochs(epochs))


def mnist():
    x_train, y_train, x_test, y_test = load_mnist()
    model = classifier(args.epochs)
    started = time.perf_counter()
    model.fit(x_train, y_train)
    seconds = time.perf_counter() - started
    # fit() runs all epochs in one call: its time per epoch is the mean (setup included).
    return {"epoch_seconds": [seconds / model.n_iter_] * model.n_iter_, "train_seconds": seconds,
            "test_accuracy": float(model.score(x_test, y_test)), "epochs": model.n_iter_}


def sgemm():
    """The matrix products of one training step, alone (see torch_workloads.py), in float32."""
    widths = [784, *hidden_widths(), 10]
    rng = np.random.default_rng(args.seed)
    products = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        a = rng.random((args.batch, fan_in), dtype=np.float32)
        w = rng.random((fan_out, fan_in), dtype=np.float32)
        delta = rng.random((args.batch, fan_out), dtype=np.float32)
        products.append((a, w, delta))
    flops = sum(6 * w.size * args.batch for _, w, _ in products)

    def one_pass():
        for layer, (a, w, delta) in enumerate(products):
            a @ w.T
            delta.T @ a
            if layer > 0:
                delta @ w

    one_pass()
    started = time.perf_counter()
    for _ in range(args.repeats):
        one_pass()
    seconds = time.perf_counter() - started
    return {"gflops": flops * args.repeats / seconds / 1e9, "seconds": seconds}


def inference():
    """Latency of one sample and throughput over the 10 000 test images. The network is fitted
    for one epoch on 1000 images first (scikit-learn predicts only with a fitted model)."""
    x_train, y_train, x_test, _ = load_mnist()
    model = classifier(1).fit(x_train[:1000], y_train[:1000])
    for _ in range(100):
        model.predict_proba(x_test[:1])
    latencies = []
    for index in range(2000):
        started = time.perf_counter()
        model.predict_proba(x_test[index : index + 1])
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    batch_seconds = []
    for _ in range(5):
        started = time.perf_counter()
        model.predict_proba(x_test)
        batch_seconds.append(time.perf_counter() - started)
    return {"latency_seconds": latencies[len(latencies) // 2],
            "throughput_per_second": len(x_test) / min(batch_seconds)}


workloads = {"sine": sine, "mnist": mnist, "sgemm": sgemm, "inference": inference}
result = workloads[args.workload]()
result["threads"] = args.threads
result["blas"] = [
    {key: pool.get(key) for key in ("internal_api", "version", "num_threads", "architecture", "filepath")}
    for pool in threadpool_info()
]
write_result(args.result, result)
