#!/usr/bin/env python3
"""Predictions of a neurone model file, computed in numpy from the file alone.

Usage: forward.py MODEL.safetensors INPUTS.csv

INPUTS.csv holds raw (encoded, unscaled) inputs, one sample per line, no header. Prints one
line of comma-separated predictions per sample, in the targets' original units.

The file is read with safetensors' numpy loader and the JSON in its metadata; nothing from
neurone is used, so this is also a reference for reading the format from any language.
"""

import json
import re
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

SUPPORTED_FORMAT_VERSION = 1


def activation(name, z):
    """sigma(z) for an activation named as neurone writes it, e.g. `leaky_relu(0.1)`."""
    match = re.fullmatch(r"\s*([a-z_]+)\s*(?:\(\s*([^)]*?)\s*\))?\s*", name)
    if match is None:
        raise ValueError(f"unreadable activation `{name}`")
    kind, argument = match.group(1), match.group(2)
    parameter = None if argument is None else float(argument)
    if kind in ("identity", "linear"):
        return z
    if kind in ("sigmoid", "logistic"):
        return 1.0 / (1.0 + np.exp(-z))
    if kind == "tanh":
        return np.tanh(z)
    if kind == "relu":
        return np.maximum(z, 0.0)
    if kind == "leaky_relu":
        slope = 0.01 if parameter is None else parameter
        return np.where(z > 0, z, slope * z)
    if kind == "elu":
        alpha = 1.0 if parameter is None else parameter
        return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))
    if kind == "softplus":
        return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    if kind == "gelu":  # the tanh approximation
        return 0.5 * z * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z**3)))
    if kind == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError(f"unknown activation `{name}`")


def load(path):
    """The tensors and the decoded metadata of a model file."""
    with safe_open(path, framework="np") as handle:
        metadata = handle.metadata() or {}
    if metadata.get("format") != "neurone":
        raise ValueError(f"{path}: not a neurone model file")
    version = int(metadata["format_version"])
    if version > SUPPORTED_FORMAT_VERSION:
        raise ValueError(f"{path}: format {version} is newer than this script ({SUPPORTED_FORMAT_VERSION})")
    tensors = load_file(path)
    architecture = json.loads(metadata["architecture"])
    preprocessing = json.loads(metadata["preprocessing"])
    return tensors, architecture, preprocessing


def predict(tensors, architecture, preprocessing, raw_inputs):
    """Fill in missing inputs, scale them, run the network in evaluation mode, unscale the outputs."""
    dtype = tensors["layers.0.weight"].dtype
    a = raw_inputs.astype(np.float64)
    imputer = preprocessing.get("imputer")
    if imputer is not None:
        a = np.where(np.isnan(a), np.array(imputer["fills"]), a)
    scaler = preprocessing.get("input_scaler")
    if scaler is not None:
        a = (a - np.array(scaler["offsets"])) / np.array(scaler["scales"])
    a = a.astype(dtype)
    for index, layer in enumerate(architecture["layers"]):
        name = f"layers.{index}"
        if layer["type"] == "dense":
            # z = W a + b, with a batch as rows: Z = A W^T + b
            z = a @ tensors[f"{name}.weight"].T + tensors[f"{name}.bias"]
            a = activation(layer["activation"], z).astype(dtype)
        elif layer["type"] == "batch_norm":
            mean, variance = tensors[f"{name}.running_mean"], tensors[f"{name}.running_var"]
            gamma, beta = tensors[f"{name}.weight"], tensors[f"{name}.bias"]
            epsilon = np.asarray(layer["epsilon"], dtype=dtype)
            a = (gamma * ((a - mean) / np.sqrt(variance + epsilon)) + beta).astype(dtype)
        elif layer["type"] == "dropout":
            pass  # the identity in evaluation
        else:
            raise ValueError(f"unknown layer type `{layer['type']}`")
    outputs = a.astype(np.float64)
    scaler = preprocessing.get("target_scaler")
    if scaler is not None:
        outputs = outputs * np.array(scaler["scales"]) + np.array(scaler["offsets"])
    return outputs


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tensors, architecture, preprocessing = load(sys.argv[1])
    raw_inputs = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
    for row in predict(tensors, architecture, preprocessing, raw_inputs):
        print(",".join(repr(float(value)) for value in row))


if __name__ == "__main__":
    main()
