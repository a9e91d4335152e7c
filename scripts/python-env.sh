#!/usr/bin/env bash
# Creates the Python environment the interoperability tests run in: a virtualenv in
# target/python-venv with safetensors and numpy (to read model files the way Python users do),
# onnx and onnxruntime (to check and run exported ONNX graphs). Versions are pinned so that a
# test failure means a change on our side. Idempotent: an up-to-date venv is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${NEURONE_PYTHON_VENV:-target/python-venv}"
requirements="scripts/interop/requirements.txt"
stamp="$venv/.requirements"

if [[ -x "$venv/bin/python" && -f "$stamp" ]] && cmp -s "$requirements" "$stamp"; then
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
cp "$requirements" "$stamp"
echo "python-env: $venv ready ($(tr '\n' ' ' < "$requirements"))"
