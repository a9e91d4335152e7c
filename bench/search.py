"""neurone search beside scikit-learn's GridSearchCV, the same 18-candidate grid on insurance.

Both sides search on the same 1,070 training rows and test their refitted best on the same 268
rows: scikit-learn's train_test_split (seed 42) of insurance.csv, written into target/bench-search/
and given to neurone as data.path and data.test_path. Each repetition runs the two as fresh processes in turn (neurone, scikit-learn, neurone, …),
times each whole process, and reads its best CV R² and its refitted best's test R². Prints a
Markdown section for RESULTS.md: medians, min–max, the ratio, the machine's load.
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from harness import ROOT, child_environment, compilers_running, machine_description, versions

SPLIT = ROOT / "target" / "bench-search"
DATA = ["--set", 'data.dataset="csv"', "--set", f'data.path="{SPLIT}/train.csv"', "--set",
        f'data.test_path="{SPLIT}/test.csv"', "--set", 'data.target="charges"', "--set", "data.test=0"]
GRID = ["--grid", "model.layers=[[16],[16,16],[32,32]]", "--grid", "model.activation=[relu,tanh]",
        "--grid", "train.l2=[1e-4,1e-3,3e-3]"]

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--jobs", type=int, default=2)
args = parser.parse_args()


def timed(command, environment):
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-2000:]}")
    return wall, done.stdout


def neurone(scratch):
    out = Path(scratch) / "search"
    command = ["target/release/neurone", "search", "examples/insurance.toml", *DATA, *GRID, "--folds", "5",
               "--jobs", str(args.jobs), "--quiet", "--no-plots", "--out", str(out)]
    wall, _ = timed(command, child_environment(1))
    with open(out / "search.csv", newline="") as file:
        best = next(row for row in csv.DictReader(file) if row["rank"] == "1")
    test = json.loads((out / "best" / "metrics.json").read_text())["r2"]
    return wall, float(best["mean_r2"]), test


def sklearn():
    command = [str(ROOT / "bench/.venv/bin/python"), "bench/sklearn_search.py", "--jobs", str(args.jobs),
               "--split", str(SPLIT)]
    wall, stdout = timed(command, child_environment(1))
    result = json.loads(stdout)
    return wall, result["best_cv_r2"], result["test_r2"]


def write_split():
    """insurance.csv split 80/20 by scikit-learn's train_test_split, as two CSV files."""
    from sklearn.model_selection import train_test_split

    with open(Path(os.environ["NEURONE_DATA"]) / "insurance.csv") as file:
        header, *rows = file.read().splitlines()
    train, test = train_test_split(rows, test_size=0.2, random_state=42)
    SPLIT.mkdir(parents=True, exist_ok=True)
    for name, part in [("train", train), ("test", test)]:
        (SPLIT / f"{name}.csv").write_text("\n".join([header, *part]) + "\n")


write_split()
runs = {"neurone": [], "scikit-learn": []}
compilers = set()
loads = []
for repeat in range(args.repeats):
    with tempfile.TemporaryDirectory() as scratch:
        compilers.update(name.split()[1] for name in compilers_running())
        loads.append(os.getloadavg()[0])
        runs["neurone"].append(neurone(scratch))
        runs["scikit-learn"].append(sklearn())

ratios = [s[0] / n[0] for n, s in zip(runs["neurone"], runs["scikit-learn"])]
print(f"## 7. Hyperparameter search: 18 candidates × 5 folds on insurance, {args.jobs} jobs\n")
print(f"{machine_description()}; {versions()}. {args.repeats} interleaved repetitions; load average "
      f"{min(loads):.1f}–{max(loads):.1f} at their starts; compilers seen running: "
      f"{', '.join(sorted(compilers)) or 'none'}.\n")
print("| side | wall seconds, median (min–max) | best CV R² | test R² of the refitted best |")
print("| --- | --- | --- | --- |")
for side, figures in runs.items():
    walls = [figure[0] for figure in figures]
    print(f"| {side} | {statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f}) | "
          f"{figures[0][1]:.4f} | {figures[0][2]:.4f} |")
print(f"\nscikit-learn / neurone, pair by pair: median {statistics.median(ratios):.1f}× "
      f"({min(ratios):.1f}–{max(ratios):.1f}).")
