#!/usr/bin/env python3
"""Runs an ONNX model exported by neurone in onnxruntime, after onnx's own checker.

Usage: run_onnx.py MODEL.onnx INPUTS.csv

INPUTS.csv holds raw inputs, one sample per line, no header. Prints one line of
comma-separated outputs per sample.
"""

import sys

import numpy as np
import onnx
import onnxruntime


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model = onnx.load(sys.argv[1])
    onnx.checker.check_model(model, full_check=True)
    session = onnxruntime.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
    inputs = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2).astype(np.float32)
    (outputs,) = session.run(["output"], {"input": inputs})
    for row in outputs:
        print(",".join(repr(float(value)) for value in row))


if __name__ == "__main__":
    main()
