#!/usr/bin/env bash
# The benchmark of issue 7 in one command: neurone against PyTorch and scikit-learn on CPU.
#
#   bench/run.sh                          # every workload, 3 interleaved repetitions
#   bench/run.sh --repeats 5 --wait-quiet 20
#   bench/run.sh --repeats 1 --workloads sine,mnist   # a quick smoke run
#
# Prepares bench/.venv (pinned packages from bench/requirements.txt, installed once and reused),
# builds neurone and bench/neurone-bench (with its Criterion micro-benchmarks) in release mode,
# then runs bench/harness.py with the arguments given here; it prints the table and writes
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=bench/.venv
stamp="$venv/requirements.installed"
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s bench/requirements.txt "$stamp"; then
    echo "Installing the Python side into $venv (PyTorch is large: the first time takes minutes)…"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r bench/requirements.txt
    cp bench/requirements.txt "$stamp"
fi

echo "Building neurone and bench/neurone-bench (release)…"
cargo build --release --quiet
cargo build --release --quiet --manifest-path bench/neurone-bench/Cargo.toml --target-dir target/neurone-bench
cargo bench --no-run --quiet --manifest-path bench/neurone-bench/Cargo.toml --target-dir target/neurone-bench

export NEURONE_DATA="${NEURONE_DATA:-$(cd .. && pwd)/shared/data}"
exec "$venv/bin/python" bench/harness.py --command "bench/run.sh $*" "$@"
