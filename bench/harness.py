"""Runs the benchmark workloads of issue 7 on neurone, PyTorch and scikit-learn, interleaved.

Started by run.sh (which prepares the virtualenv and the release builds). Every run is a fresh
process; the sides take turns (neurone, PyTorch, scikit-learn, neurone, …) for each repetition,
so a drift in the machine's speed touches them all alike. Each figure is reported as the median
over the repetitions with its min–max spread, and the time ratio neurone ÷ other per workload.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import kernels

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
NEURONE = ROOT / "target" / "release" / "neurone"
NEURONE_BENCH = ROOT / "target" / "neurone-bench" / "release" / "neurone-bench"
PYTHON = sys.executable

MNIST_TRAIN_SAMPLES = 60_000
WIDE_HIDDEN = (1024, 1024)
# Thread-count variables read by the BLAS/OpenMP runtimes under numpy and torch.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS")


def weights(hidden):
    widths = [784, *hidden, 10]
    return sum(fan_in * fan_out for fan_in, fan_out in zip(widths[:-1], widths[1:]))


@dataclass
class Side:
    """One contender in a workload: how to start it and how to read its figures afterwards."""

    label: str
    threads: int
    command: Callable[[Path], list]  # the run's scratch folder → the command line
    read: Callable[[Path], dict]  # the run's scratch folder → its figures
    runs: list = field(default_factory=list)  # one dict of figures per repetition


@dataclass
class Column:
    key: str
    header: str
    digits: int = 3
    style: str = "f"  # "f" fixed point (with thousands separators), "e" for small errors


@dataclass
class Workload:
    name: str
    title: str
    sides: list
    columns: list
    ratio_key: str  # the time figure whose neurone ÷ other ratio is reported
    notes: list = field(default_factory=list)


# ---------------------------------------------------------------- the sides' commands and figures


def python_side(script, workload, threads, *arguments):
    def command(scratch):
        return [PYTHON, str(BENCH / script), workload, "--threads", str(threads),
                "--result", str(scratch / "result.json"), *map(str, arguments)]

    def read(scratch):
        return json.loads((scratch / "result.json").read_text())

    return command, read


def neurone_train(config, *overrides, threads=1):
    def command(scratch):
        arguments = [str(NEURONE), "train", str(config), "--out", str(scratch / "run"), "--quiet",
                     "--threads", str(threads)]
        for override in overrides:
            arguments += ["--set", override]
        return arguments

    def read(scratch):
        metrics = json.loads((scratch / "run" / "metrics.json").read_text())
        lines = (scratch / "run" / "history.csv").read_text().splitlines()
        header = lines[0].split(",")
        elapsed = [float(line.split(",")[header.index("elapsed_seconds")]) for line in lines[1:]]
        result = {"train_seconds": elapsed[-1], "epoch_seconds": [b - a for a, b in zip([0.0] + elapsed, elapsed)]}
        if "mse" in metrics:
            result["grid_mse"] = metrics["mse"]
        if "accuracy" in metrics:
            result["test_accuracy"] = metrics["accuracy"]
        return result

    return command, read


def neurone_bench(workload, *arguments):
    def command(scratch):
        return [str(NEURONE_BENCH), workload, *map(str, arguments)]

    def read(scratch):
        return json.loads((scratch / "stdout.txt").read_text().strip().splitlines()[-1])

    return command, read


def neurone_instruction_sets():
    """The SIMD instruction sets of neurone's kernels that this CPU runs (NEURONE_KERNELS's names)."""
    flags = set(open("/proc/cpuinfo").read().split()) if os.path.exists("/proc/cpuinfo") else set()
    sets = [name for name, needs in [("avx2", {"avx2", "fma"}), ("avx512", {"avx512f", "avx2", "fma"})]
            if needs <= flags]
    return sets + (["neon"] if platform.machine() in ("aarch64", "arm64") else [])


def side(label, threads, command_and_read):
    command, read = command_and_read
    return Side(label, threads, command, read)


# ---------------------------------------------------------------- the workloads


def workloads(options):
    epochs = options.mnist_epochs
    mnist_sides = [side("neurone", threads, neurone_train(BENCH / "mnist_mlp.toml", f"train.epochs={epochs}",
                                                           threads=threads)) for threads in (1, 2)]
    for threads in (1, 2):
        mnist_sides.append(side("PyTorch", threads, python_side("torch_workloads.py", "mnist", threads, "--epochs", epochs)))
    for threads in (1, 2):
        mnist_sides.append(side("scikit-learn", threads, python_side("sklearn_workloads.py", "mnist", threads, "--epochs", epochs)))

    wide = ["--hidden", ",".join(map(str, WIDE_HIDDEN)), "--batch", 256]
    wide_sides = [side("neurone", threads, neurone_train(BENCH / "mnist_wide.toml", threads=threads))
                  for threads in (1, 2)]
    for threads in (1, 2):
        wide_sides.append(side("PyTorch", threads, python_side("torch_workloads.py", "mnist", threads, "--epochs", 1, *wide)))
    wide_sides.append(side("scikit-learn", 1, python_side("sklearn_workloads.py", "mnist", 1, "--epochs", 1, *wide)))
    wide_sides += [
        side(f"sgemm: neurone {kernels}", 1, neurone_bench("sgemm", *wide, "--repeats", 50, "--kernels", kernels))
        for kernels in neurone_instruction_sets()
    ]
    wide_sides += [
        side("sgemm: matrixmultiply", 1, neurone_bench("sgemm", *wide, "--repeats", 50)),
        side("sgemm: torch.matmul", 1, python_side("torch_workloads.py", "sgemm", 1, *wide, "--repeats", 50)),
        side("sgemm: numpy matmul", 1, python_side("sklearn_workloads.py", "sgemm", 1, *wide, "--repeats", 50)),
    ]

    return {
        "sine": Workload(
            "sine",
            "1. The course's sine experiment: 1→16→16→1 tanh, SGD η = 0.05, batch 16, 2000 epochs, 500 samples",
            [
                side("neurone", 1, neurone_train(ROOT / "examples" / "sine.toml")),
                side("PyTorch", 1, python_side("torch_workloads.py", "sine", 1)),
                side("scikit-learn", 1, python_side("sklearn_workloads.py", "sine", 1)),
            ],
            [Column("wall_seconds", "whole process (s)", 2), Column("train_seconds", "training loop (s)", 2),
             Column("grid_mse", "grid MSE", 2, "e"), Column("peak_rss_mib", "peak RSS (MiB)", 0)],
            "wall_seconds",
            ["Whole-process wall time includes start-up (Python imports torch or scikit-learn; neurone "
             "generates its data). The training loop is timed inside each process.",
             "Loss: neurone's J = ½‖a − y‖² averaged over the batch; PyTorch uses 0.5 × nn.MSELoss and "
             "scikit-learn's MLPRegressor its own ½ × squared error, so η = 0.05 takes the same step "
             "everywhere. No L2 (alpha = 0), no momentum, no early stop (tol = 0, n_iter_no_change > "
             "epochs), a new shuffle every epoch, the last batch of 4 kept.",
             "Initialisation: Xavier/Glorot uniform weights everywhere; biases zero in neurone and PyTorch, "
             "Glorot uniform in scikit-learn (not configurable). The 500 training points are drawn from "
             "the same distribution (x uniform on [0, 2π]) but by each side's own generator.",
             "Grid MSE: plain mean squared error on 1000 evenly spaced points of [0, 2π]."],
        ),
        "mnist": Workload(
            "mnist",
            f"2. MNIST 784→128→64→10 ReLU, Adam η = 1e-3, batch 64, {epochs} epochs on all 60 000 training images",
            mnist_sides,
            [Column("epoch_seconds_mean", "s / epoch", 2), Column("wall_seconds", "whole process (s)", 2),
             Column("test_accuracy", "test accuracy", 4), Column("peak_rss_mib", "peak RSS (MiB)", 0)],
            "epoch_seconds_mean",
            ["Each row's ratio compares it with neurone at the same number of threads (`--threads N`; "
             "neurone's results are the same bits with any number).",
             "Initialisation: He uniform weights, zero biases in neurone and PyTorch; scikit-learn uses "
             "Glorot uniform weights and biases (not configurable). Adam β = (0.9, 0.999), ε = 1e-8; "
             "cross-entropy averaged over the batch; no L2; a new shuffle every epoch.",
             "scikit-learn trains all epochs in one fit() call: its s / epoch is that call's time ÷ epochs.",
             "Peak RSS: the largest resident set of the process (kernel accounting of the finished child).",
             "With 2 threads on a 2-core machine that is also busy with other work, PyTorch's and numpy's "
             "OpenMP/BLAS threads wait on each other and slow down many times over: trust the 2-thread "
             "rows only from a quiet run."],
        ),
        "wide": Workload(
            "wide",
            "3. Wide network 784→1024→1024→10 ReLU, Adam η = 1e-3, batch 256, 1 epoch on 60 000 images",
            wide_sides,
            [Column("epoch_seconds_mean", "s / epoch", 2), Column("gflops", "GFLOP/s", 1),
             Column("test_accuracy", "test accuracy", 4)],
            "epoch_seconds_mean",
            [f"GFLOP/s of training = 6 × {weights(WIDE_HIDDEN):,} weights × 60 000 samples ÷ seconds per "
             "epoch (the issue's count). The sgemm rows time only the products of one training step for "
             "the same shapes (Z = A·Wᵀ and dW = Δᵀ·A per layer, dA = Δ·W for all but the input layer), "
             "50 steps, single-threaded: the practical limit. They are rated with the same 6 × weights × "
             "batch count, so the GFLOP/s column compares as inverse times.",
             "The ratio column of the sgemm rows is empty: they do not train."],
        ),
        "inference": Workload(
            "inference",
            "4. Inference with 784→128→64→10 (untrained weights): one test image, and all 10 000 at once",
            [
                side("neurone", 1, neurone_bench("inference", "--hidden", "128,64")),
                side("PyTorch", 1, python_side("torch_workloads.py", "inference", 1)),
                side("scikit-learn", 1, python_side("sklearn_workloads.py", "inference", 1)),
            ],
            [Column("latency_us", "one sample (µs, median of 2000)", 1),
             Column("throughput_per_second", "batch of 10 000 (samples/s, best of 5)", 0)],
            "latency_us",
            ["Timed inside each process: neurone `Network::predict`, PyTorch `model(x).softmax()` under "
             "`torch.inference_mode()`, scikit-learn `predict_proba` (fitted for one epoch on 1000 "
             "images first, since it predicts only with a fitted model)."],
        ),
    }


def derive(figures, workload_name):
    """Figures computed the same way for every side."""
    if "epoch_seconds" in figures:
        figures["epoch_seconds_mean"] = statistics.mean(figures["epoch_seconds"])
        if workload_name == "wide":
            figures["gflops"] = 6 * weights(WIDE_HIDDEN) * MNIST_TRAIN_SAMPLES / figures["epoch_seconds_mean"] / 1e9
    if "latency_seconds" in figures:
        figures["latency_us"] = figures["latency_seconds"] * 1e6
    return figures


# ---------------------------------------------------------------- running


def child_environment(threads):
    environment = dict(os.environ)
    environment.setdefault("NEURONE_DATA", str(ROOT.parent / "shared" / "data"))
    for variable in THREAD_VARIABLES:
        environment[variable] = str(threads)
    # Set on some machines for old OpenBLAS builds; they slow a current numpy (see RESULTS.md's
    # BLAS line for the kernel actually used).
    environment.pop("OPENBLAS_CORETYPE", None)
    environment.pop("OPENBLAS_L2_SIZE", None)
    environment["PYTHONPATH"] = str(BENCH)
    return environment


def run_once(workload, entry, scratch_root):
    scratch = Path(tempfile.mkdtemp(prefix=f"{workload.name}-", dir=scratch_root))
    command = entry.command(scratch)
    with open(scratch / "stdout.txt", "w") as stdout, open(scratch / "stderr.txt", "w") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=child_environment(entry.threads), stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{(scratch / 'stderr.txt').read_text()[-2000:]}")
    figures = entry.read(scratch)
    figures["wall_seconds"] = wall
    figures["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux reports kilobytes
    shutil.rmtree(scratch)
    return derive(figures, workload.name)


COMPILERS = {"rustc", "cargo", "cc", "cc1", "cc1plus", "ld", "ld.lld", "lld"}


def compilers_running():
    """Other builds on the machine: processes named like a compiler or linker, as `pid name`."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            name = comm.read_text().strip()
        except OSError:  # the process ended meanwhile
            continue
        if name in COMPILERS:
            found.append(f"{comm.parent.name} {name}")
    return found


def wait_until_quiet(minutes):
    """Polls every 30 s until no compiler runs, for at most `minutes`; returns what it saw."""
    deadline = time.monotonic() + minutes * 60
    while compilers_running() and time.monotonic() < deadline:
        print(f"waiting for other builds to finish: {len(compilers_running())} compiler processes", flush=True)
        time.sleep(30)
    return compilers_running()


def load_average():
    return os.getloadavg()


# ---------------------------------------------------------------- reporting


def summarise(values):
    return statistics.median(values), min(values), max(values)


def format_figure(values, column):
    spec = f"{',' if column.style == 'f' else ''}.{column.digits}{column.style}"
    median, low, high = summarise(values)
    if len(values) == 1:
        return format(median, spec)
    return f"{format(median, spec)} ({format(low, spec)}–{format(high, spec)})"


def table(workload):
    neurones = [entry for entry in workload.sides if entry.label == "neurone"]
    neurone = neurones[0]

    def neurone_median(threads):
        # Compared with neurone at the same thread count, if neurone ran with it.
        same = next((entry for entry in neurones if entry.threads == threads), neurone)
        return statistics.median(run[workload.ratio_key] for run in same.runs)

    # The ratio is always taken on the first column, a time (see the report's header).
    assert workload.columns[0].key == workload.ratio_key
    headers = ["side", "threads"] + [column.header for column in workload.columns] + ["neurone ÷ side"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for entry in workload.sides:
        cells = [entry.label, str(entry.threads)]
        for column in workload.columns:
            values = [run[column.key] for run in entry.runs if column.key in run]
            cells.append(format_figure(values, column) if values else "")
        if entry in neurones or workload.ratio_key not in entry.runs[0]:
            cells.append("")
        else:
            other = statistics.median(run[workload.ratio_key] for run in entry.runs)
            cells.append(f"{neurone_median(entry.threads) / other:.3f}")
        lines.append("| " + " | ".join(cells) + " |")
    if workload.name == "wide":
        kernels = [entry for entry in workload.sides if entry.label.startswith("sgemm")]
        kernel = max(kernels, key=lambda entry: statistics.median(run["gflops"] for run in entry.runs))
        neurone_rate = statistics.median(run["gflops"] for run in neurone.runs)
        kernel_rate = statistics.median(run["gflops"] for run in kernel.runs)
        lines.append("")
        lines.append(f"neurone's single-threaded training reaches {100 * neurone_rate / kernel_rate:.0f}% of the "
                     f"fastest single-threaded sgemm of the same shapes ({kernel.label[len('sgemm: '):]}: "
                     f"{neurone_rate:.1f} of {kernel_rate:.1f} GFLOP/s).")
        rate = lambda entry: statistics.median(run["gflops"] for run in entry.runs)
        own = [entry for entry in kernels if entry.label.startswith("sgemm: neurone")]
        best_other = max((entry for entry in kernels if entry not in own), key=rate)
        for entry in own:
            lines.append(f"neurone's products alone with {entry.label[len('sgemm: neurone '):]} reach "
                         f"{100 * rate(entry) / rate(best_other):.0f}% of the fastest other single-threaded sgemm "
                         f"({best_other.label[len('sgemm: '):]}: {rate(entry):.1f} of {rate(best_other):.1f} GFLOP/s).")
    return "\n".join(lines)


def command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return "unknown"


def machine_description():
    lscpu = command_output(["lscpu"])
    fields = dict(line.split(":", 1) for line in lscpu.splitlines() if ":" in line)
    with open("/proc/meminfo") as meminfo:
        memory_kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    flags = fields.get("Flags", "").split()
    avx512 = "/".join(flag[len("avx512"):].strip("_") for flag in flags if flag.startswith("avx512"))
    model = (f"family {fields.get('CPU family', '?').strip()}, model {fields.get('Model', '?').strip()}, "
             f"stepping {fields.get('Stepping', '?').strip()}" + (f"; AVX-512 {avx512}" if avx512 else ""))
    return (f"{fields.get('Model name', '?').strip()} ({model}), {os.cpu_count()} CPUs "
            f"({fields.get('Thread(s) per core', '?').strip()} thread(s) per core), "
            f"{memory_kib / 1024 / 1024:.1f} GiB memory, {platform.system()} {platform.release()}")


def versions():
    import numpy
    import sklearn
    import torch

    return (f"neurone {command_output(['git', 'rev-parse', '--short', 'HEAD'])} "
            f"({command_output(['rustc', '--version'])}, release build), PyTorch {torch.__version__}, "
            f"scikit-learn {sklearn.__version__}, numpy {numpy.__version__}, Python {platform.python_version()}")


def blas_line(done):
    """The BLAS libraries loaded in the first scikit-learn run, with the kernels they chose."""
    for workload in done:
        for entry in workload.sides:
            for run in entry.runs:
                if "blas" in run:
                    pools = [pool for pool in run["blas"] if pool.get("architecture")]
                    return "; ".join(f"{pool['internal_api']} {pool['version']} from "
                                     f"{Path(pool.get('filepath') or '?').parent.name} ({pool['architecture']} kernels)"
                                     for pool in pools)
    return None


def report(done, options, conditions):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmark results: neurone, PyTorch and scikit-learn on CPU",
        "",
        "Written by `bench/run.sh` (see `bench/README.md`); every figure below comes from that run.",
        "",
        f"- Date: {now}",
        f"- Command: `{options.command}`",
        f"- Machine: {machine_description()}",
        f"- Software: {versions()}",
    ]
    blas = blas_line(done)
    if blas:
        parts.append(f"- numpy's BLAS (scikit-learn's arithmetic): {blas}")
    parts += [
        f"- Load: {conditions}",
        f"- Repetitions: {options.repeats}, interleaved (each side in turn, then again); each cell is the "
        "median with the min–max range in brackets; \"neurone ÷ side\" is neurone's median ÷ the "
        "side's median of the first column, a time (below 1: neurone is faster), neurone taken at the "
        "side's thread count where it ran with it.",
        "- Threads: neurone gets `--threads n` (its large matrix products split by columns, its long element-wise loops by ranges). PyTorch gets `torch.set_num_threads(n)` (one inter-op "
        "thread) and scikit-learn's numpy gets `OMP_NUM_THREADS`, `MKL_NUM_THREADS`, "
        "`OPENBLAS_NUM_THREADS` = n, with n in the threads column.",
        "",
    ]
    for workload in done:
        parts += [f"## {workload.title}", "", table(workload), ""]
        parts += [f"- {note}" for note in workload.notes]
        parts.append("")
    return "\n".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--workloads", default="sine,mnist,wide,inference,kernels",
                        help="comma-separated, in order (default: sine,mnist,wide,inference,kernels; "
                             "kernels, the Criterion micro-benchmarks, always runs last)")
    parser.add_argument("--mnist-epochs", type=int, default=3, help="epochs of workload 2 (default 3)")
    parser.add_argument("--wait-quiet", type=float, default=0,
                        help="wait up to this many minutes for other builds (rustc, cargo, cc) to finish first")
    parser.add_argument("--output", default=str(BENCH / "RESULTS.md"), help="where to write the report")
    parser.add_argument("--command", default="python bench/harness.py " + " ".join(sys.argv[1:]), help=argparse.SUPPRESS)
    options = parser.parse_args()

    available = workloads(options)
    names = options.workloads.split(",")
    chosen = [available[name] for name in names if name != "kernels"]
    still_running = wait_until_quiet(options.wait_quiet) if options.wait_quiet else compilers_running()
    load_before = load_average()
    compilers_seen = set(still_running)
    busy_runs = total_runs = 0

    scratch_root = Path(tempfile.mkdtemp(prefix="neurone-bench-"))
    try:
        for workload in chosen:
            print(f"\n{workload.title}", flush=True)
            for repetition in range(1, options.repeats + 1):
                for entry in workload.sides:
                    figures = run_once(workload, entry, scratch_root)
                    entry.runs.append(figures)
                    shown = ", ".join(f"{c.key} {format_figure([figures[c.key]], c)}" for c in workload.columns if c.key in figures)
                    print(f"  [{repetition}/{options.repeats}] {entry.label} ({entry.threads} thread): {shown}", flush=True)
                    running = compilers_running()
                    compilers_seen.update(running)
                    busy_runs += bool(running)
                    total_runs += 1
        if "kernels" in names:
            print("\nKernels alone (Criterion micro-benchmarks)…", flush=True)
            kernel_section = kernels.run()
            compilers_seen.update(compilers_running())
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)

    load_after = load_average()
    if compilers_seen:
        quiet = (f"NOT quiet: other builds ran on the 2 shared cores ({len(compilers_seen)} compiler processes "
                 f"seen; still running at the end of {busy_runs} of {total_runs} runs), so absolute times "
                 "are inflated and spreads wide; ratios of interleaved runs hold better")
    else:
        quiet = "quiet: no other compiler (rustc, cargo, cc) was running at the start or at any run's end"
    conditions = (f"{quiet}; 1-minute load average {load_before[0]:.2f} before and {load_after[0]:.2f} after "
                  "(the benchmark itself adds about 1 to 2)")
    text = report(chosen, options, conditions)
    if "kernels" in names:
        text += "\n" + kernel_section
    Path(options.output).write_text(text)
    print("\n" + text)


if __name__ == "__main__":
    main()
