#!/usr/bin/env bash
# Builds the Python package's wheel as it is published (`maturin build --release`: one abi3
# extension for every CPython from 3.9, tagged manylinux after maturin's audit of the glibc
# symbols it uses) into target/wheels, then installs it into a fresh virtualenv whose PATH has
# no Rust toolchain (numpy, scikit-learn and the examples' pandas come from the package index,
# as for a user) and runs examples/python/ there. Prints the wheel's path and size.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/python-package-env.sh >/dev/null  # the pinned maturin
build_venv="${NEURONE_PACKAGE_VENV:-target/python-package-venv}"
rm -rf target/wheels
PATH="$PWD/$build_venv/bin:$PATH" CARGO_TARGET_DIR="$PWD/target/python-package" \
    "$build_venv/bin/maturin" build --release --quiet --manifest-path python/Cargo.toml --out target/wheels
wheel=$(ls target/wheels/neurone_mlp-*.whl)
case "$wheel" in
    *-abi3-manylinux*) ;;
    *) echo "python-wheel: $wheel is not an abi3 manylinux wheel" >&2; exit 1 ;;
esac

python=$("$build_venv/bin/python" -c 'import sys; print(sys._base_executable)')
venv="$PWD/target/python-wheel-venv"
"$python" -m venv --clear "$venv"
# The venv alone on the PATH (this machine's /usr/bin has a cargo too): no cargo, no rustc.
clean_path="$venv/bin"
if env PATH="$clean_path" /bin/bash -c 'command -v cargo || command -v rustc' >/dev/null; then
    echo "python-wheel: a Rust toolchain is on the clean PATH" >&2
    exit 1
fi
# The wheel with its dependencies, and pandas, which examples/python/iris.py reads the data with.
env PATH="$clean_path" "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel" pandas
examples="$PWD/examples/python"
run_in=$(mktemp -d)
trap 'rm -rf "$run_in"' EXIT
for example in sine.py iris.py; do
    (cd "$run_in" && env PATH="$clean_path" "$venv/bin/python" -W ignore "$examples/$example")
done
echo "python-wheel: $wheel, $(du -k "$wheel" | cut -f1) KiB, installed and ran examples/python/ without Rust"
