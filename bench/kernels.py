"""The Criterion micro-benchmarks of neurone's kernels, run and summarised for RESULTS.md.

`cargo bench` on bench/neurone-bench's `kernels` target times each kernel alone (Criterion's own
warm-up, sampling and outlier analysis); this module runs it and turns the estimates Criterion
leaves in bench/neurone-bench/target/criterion into a Markdown table.
"""

import json
import subprocess
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
COMMAND = ["cargo", "bench", "--quiet", "--manifest-path", "bench/neurone-bench/Cargo.toml",
           "--target-dir", "target/neurone-bench", "--bench", "kernels"]
ESTIMATES = BENCH / "neurone-bench" / "target" / "criterion"


def run():
    """Runs the micro-benchmarks; returns the Markdown section, or raises if cargo fails."""
    started = time.time()
    subprocess.run(COMMAND, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    rows = []
    for benchmark_file in sorted(ESTIMATES.rglob("new/benchmark.json")):
        if benchmark_file.stat().st_mtime < started:
            continue  # left by an earlier run of a benchmark that no longer exists
        benchmark = json.loads(benchmark_file.read_text())
        median = json.loads((benchmark_file.parent / "estimates.json").read_text())["median"]
        low, high = (median["confidence_interval"][bound] for bound in ("lower_bound", "upper_bound"))
        elements = (benchmark.get("throughput") or {}).get("Elements")
        rate = f"{elements / median['point_estimate']:.2f}" if elements else ""
        rows.append(f"| {benchmark['full_id']} | {median['point_estimate'] / 1e3:,.1f} | "
                    f"{low / 1e3:,.1f}–{high / 1e3:,.1f} | {rate} |")
    return "\n".join([
        "## 5. Kernels alone (Criterion micro-benchmarks)",
        "",
        f"`{' '.join(COMMAND)}` (bench/neurone-bench/benches/kernels.rs), run after the workloads above.",
        "",
        "| benchmark | median (µs) | 95 % interval of the median (µs) | throughput (G per s) |",
        "|---|---|---|---|",
        *rows,
        "",
        "- Throughput counts floating-point operations (2·m·k·n) for `sgemm`, so its column reads as "
        "GFLOP/s; values for `activation` and `adam`. Single-threaded unless the name says threads.",
        "- `sgemm/neurone` is the library's product (`GemmKernel::gemm_kernel`), `sgemm/matrixmultiply` "
        "the crate it falls back on, on the same operands in the same process.",
        "",
    ])
