#!/usr/bin/env bash
# Creates the Python package's test environment: a virtualenv in target/python-package-venv
# with the pinned packages of python/tests/requirements.txt, and neurone-mlp itself installed
# from ./python the way users install it (`pip install ./python`, built by maturin; without
# build isolation, so that the pinned maturin builds it and nothing is downloaded for the build).
# Idempotent: the venv is made once, and the package is re-installed only when its sources or
# the library's have changed.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${NEURONE_PACKAGE_VENV:-target/python-package-venv}"
requirements="python/tests/requirements.txt"

if ! [[ -x "$venv/bin/python" && -f "$venv/.requirements" ]] || ! cmp -s "$requirements" "$venv/.requirements"; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/.requirements"
    rm -f "$venv/.sources"
fi

# Everything the installed package is built from.
sources=$(find python/src python/neurone crates/neurone/src -type f \( -name '*.rs' -o -name '*.py' \) -print0 \
    | sort -z | xargs -0 sha256sum; sha256sum python/Cargo.toml python/Cargo.lock python/pyproject.toml crates/neurone/Cargo.toml)
if [[ -f "$venv/.sources" ]] && [[ "$sources" == "$(cat "$venv/.sources")" ]]; then
    exit 0
fi
# The extension builds in a target folder of its own: `cargo test` holds the lock of target/
# while the tests run, and this script runs from a test.
PATH="$PWD/$venv/bin:$PATH" CARGO_TARGET_DIR="$PWD/target/python-package" "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation --force-reinstall --no-deps ./python
echo "$sources" > "$venv/.sources"
echo "python-package-env: neurone-mlp installed in $venv"
