"""The course's sine to a grid MSE of 1e-6: the wall time each optimizer takes to get there.

    bench/.venv/bin/python bench/sine_floor.py [--seeds 3]

neurone (its command line, one thread) with Levenberg–Marquardt, iRprop−, L-BFGS, Adam and SGD,
and PyTorch's Rprop and LBFGS on the same 1 → 16 → 16 → 1 tanh network (Xavier uniform weights,
zero biases, 500 training points x uniform on [0, 2π]), in the same run, seed after seed. Every
epoch both sides measure the MSE on 1000 points (neurone: its validation set, 1000 points drawn
uniformly; PyTorch: the evenly spaced grid); the time reported is the training loop's, up to the
first epoch at or below 1e-6, validation included on both sides. Full-batch methods take one
step per epoch (PyTorch's LBFGS: one iteration, strong Wolfe line search of up to 20
evaluations, 10 pairs, as neurone's, both without tolerances; Rprop: Δ₀ = 0.1, η± = 1.2/0.5, Δ ∈ [1e-6, 50], as neurone's).
"""

import argparse
import csv
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from common import sine_grid, sine_training_data

TARGET = 1e-6
ROOT = Path(__file__).resolve().parent.parent

# (label, --set values, most epochs)
NEURONE = [
    ("neurone LM", ['train.optimizer={ kind = "levenberg_marquardt" }'], 300),
    ("neurone iRprop−", ['train.optimizer={ kind = "rprop" }'], 20000),
    ("neurone L-BFGS", ['train.optimizer={ kind = "lbfgs", gradient_tolerance = 0.0, change_tolerance = 0.0 }'], 5000),
    ("neurone Adam", ['train.optimizer={ kind = "adam" }', "train.learning_rate=0.001"], 10000),
    ("neurone SGD", [], 2000),
]


def neurone(sets, epochs, seed, folder):
    """Seconds to the target (None if not reached), epochs run, and the best MSE."""
    command = [str(ROOT / "target/release/neurone"), "--threads", "1", "train", str(ROOT / "examples/sine.toml"),
               "--seed", str(seed), "--out", str(folder), "--overwrite", "--no-plots", "--quiet",
               "--set", f"train.epochs={epochs}", "--set", "data.validation_samples=1000", "--set", "train.log_every=100000"]
    for value in sets:
        command += ["--set", value]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with open(folder / "history.csv") as file:
        rows = list(csv.DictReader(file))
    best = math.inf
    for row in rows:
        mse = 2.0 * float(row["val_loss"])  # J = ½ MSE
        best = min(best, mse)
        if mse <= TARGET:
            return float(row["elapsed_seconds"]), int(row["epoch"]), best
    return None, len(rows), best


def torch_run(kind, epochs, seed):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    layers = []
    for index, (fan_in, fan_out) in enumerate([(1, 16), (16, 16), (16, 1)]):
        linear = torch.nn.Linear(fan_in, fan_out)
        torch.nn.init.xavier_uniform_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers += [linear] + ([torch.nn.Tanh()] if index < 2 else [])
    model = torch.nn.Sequential(*layers)
    x, y = (torch.from_numpy(a) for a in sine_training_data(seed))
    grid_x, grid_y = sine_grid()
    grid_x, grid_y = torch.from_numpy(grid_x), torch.from_numpy(grid_y.astype(np.float32))
    if kind == "rprop":
        optimizer = torch.optim.Rprop(model.parameters(), lr=0.1, etas=(0.5, 1.2), step_sizes=(1e-6, 50))
    else:
        # max_eval: the first evaluation and a line search of up to 20, as neurone's (PyTorch's
        # default, max_iter × 5/4, would allow one in all).
        optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=1, max_eval=21, history_size=10,
                                      line_search_fn="strong_wolfe", tolerance_grad=0, tolerance_change=0)

    def closure():
        optimizer.zero_grad()
        loss = 0.5 * torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        return loss

    seconds, best = 0.0, math.inf
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        optimizer.step(closure)
        with torch.no_grad():
            mse = float(torch.mean((model(grid_x) - grid_y) ** 2))
        seconds += time.perf_counter() - started
        best = min(best, mse)
        if mse <= TARGET:
            return seconds, epoch, best
    return None, epochs, best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", help="run only the optimizers whose label contains this")
    args = parser.parse_args()
    wanted = lambda label: args.only is None or args.only in label  # noqa: E731
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "neurone-cli", "--bin", "neurone"], cwd=ROOT, check=True)
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for seed in range(1, args.seeds + 1):
            for label, sets, epochs in filter(lambda run: wanted(run[0]), NEURONE):
                results.setdefault(label, []).append(neurone(sets, epochs, seed, Path(scratch) / "run"))
                print(f"seed {seed} {label}: {results[label][-1]}", file=sys.stderr)
            for label, kind, epochs in [("PyTorch Rprop", "rprop", 20000), ("PyTorch LBFGS", "lbfgs", 5000)]:
                if wanted(label):
                    results.setdefault(label, []).append(torch_run(kind, epochs, seed))
                    print(f"seed {seed} {label}: {results[label][-1]}", file=sys.stderr)
    print(f"| optimizer | seconds to grid MSE {TARGET:g} (median, min–max) | epochs (median) | reached | best MSE (median) |")
    print("|---|---|---|---|---|")
    for label, runs in results.items():
        reached = [run for run in runs if run[0] is not None]
        best = statistics.median(run[2] for run in runs)
        if reached:
            seconds = [run[0] for run in reached]
            cell = f"{statistics.median(seconds):.3f} ({min(seconds):.3f}–{max(seconds):.3f})"
            epochs = f"{statistics.median(run[1] for run in reached):.0f}"
        else:
            cell, epochs = f"not reached in {runs[0][1]} epochs", "–"
        print(f"| {label} | {cell} | {epochs} | {len(reached)}/{len(runs)} | {best:.2e} |")


if __name__ == "__main__":
    main()
