#!/usr/bin/env python3
"""The course's backpropagation in NumPy, for comparison with neurone's gradients.

Usage: numpy_backprop.py MODEL.safetensors BATCH.csv

BATCH.csv holds one sample per line, its inputs then its targets, no header. The script reads
the dense layers of a neurone model file, runs one forward and one backward pass for the squared
error J = ½‖a − y‖² averaged over the batch, and prints J, then ∂J/∂W(l) (row-major) and
∂J/∂b(l) for each layer, one tensor per line. Only the course's pieces: dense layers and mse.
"""

import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

# σ(z), and σ'(z) given z and a = σ(z).
SIGMA = {
    "identity": (lambda z: z, lambda z, a: np.ones_like(z)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a**2),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype)),
}


def gradients(model_path, batch_path):
    with safe_open(model_path, framework="np") as handle:
        architecture = json.loads(handle.metadata()["architecture"])
    layers, tensors = architecture["layers"], load_file(model_path)
    if architecture["loss"] != "mse" or any(layer["type"] != "dense" for layer in layers):
        sys.exit("numpy_backprop.py: the course's network only: dense layers and the mse loss")
    W = [tensors[f"layers.{l}.weight"].astype(np.float64) for l in range(len(layers))]
    b = [tensors[f"layers.{l}.bias"].astype(np.float64) for l in range(len(layers))]
    sigma = [SIGMA[layer["activation"]] for layer in layers]
    batch = np.loadtxt(batch_path, delimiter=",", ndmin=2)
    x, y, n = batch[:, : architecture["inputs"]], batch[:, architecture["inputs"] :], len(batch)

    # Forward, samples as rows: z(l) = W(l) a(l-1) + b(l) reads Z = A Wᵀ + b; a(l) = σ(z(l)).
    a, z = [x], []
    for l in range(len(layers)):
        z.append(a[l] @ W[l].T + b[l])
        a.append(sigma[l][0](z[l]))
    J = 0.5 * np.sum((a[-1] - y) ** 2) / n

    # Backward: δ(L) = ∂J/∂a ⊙ σ'(z(L)), with ∂J/∂a = (a − y)/n; then layer by layer down,
    # ∂J/∂W(l) = δ(l) a(l-1)ᵀ summed over the batch (Δᵀ A), ∂J/∂b(l) = Δᵀ 1,
    # δ(l-1) = (W(l)ᵀ δ(l)) ⊙ σ'(z(l-1)) (Δ W, row by row).
    delta, result = (a[-1] - y) / n * sigma[-1][1](z[-1], a[-1]), []
    for l in reversed(range(len(layers))):
        result[:0] = [delta.T @ a[l], delta.sum(axis=0)]
        if l > 0:
            delta = (delta @ W[l]) * sigma[l - 1][1](z[l - 1], a[l])
    return J, result


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    J, result = gradients(sys.argv[1], sys.argv[2])
    print(repr(float(J)))
    for gradient in result:
        print(",".join(repr(float(value)) for value in gradient.ravel()))
