#!/usr/bin/env bash
# The benchmark of issue 7 in one command: neurone against PyTorch and scikit-learn on CPU.
#
#   bench/run.sh                          # every workload, 3 interleaved repetitions
#   bench/run.sh --repeats 5 --wait-quiet 20
#   bench/run.sh --repeats 1 --workloads sine,mnist   # a quick smoke run
#
# Prepares bench/.venv (bench/venv.sh: pinned packages from bench/requirements.txt, installed once),
# builds neurone and bench/neurone-bench (with its Criterion micro-benchmarks) in release mode,
# then runs bench/harness.py with the arguments given here; it prints the table and writes
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/venv.sh

echo "Building neurone and bench/neurone-bench (release)…"
cargo build --release --quiet
cargo build --release --quiet --manifest-path bench/neurone-bench/Cargo.toml --target-dir target/neurone-bench
cargo bench --no-run --quiet --manifest-path bench/neurone-bench/Cargo.toml --target-dir target/neurone-bench

export NEURONE_DATA="${NEURONE_DATA:-$(cd .. && pwd)/shared/data}"
exec "$venv/bin/python" bench/harness.py --command "bench/run.sh $*" "$@"
