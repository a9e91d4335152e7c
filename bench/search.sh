#!/usr/bin/env bash
# neurone search beside scikit-learn's GridSearchCV: 18 candidates × 5 folds on insurance, 2 jobs.
#
#   bench/search.sh                 # 3 interleaved repetitions
#   bench/search.sh --repeats 5
#
# Prepares bench/.venv (bench/venv.sh), builds neurone in release mode, then runs bench/search.py,
# which prints a Markdown section for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/venv.sh
cargo build --release --quiet
export NEURONE_DATA="${NEURONE_DATA:-$(cd .. && pwd)/shared/data}"
exec "$venv/bin/python" bench/search.py "$@"
