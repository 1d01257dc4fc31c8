"""Large sweeps of the Ukraine scenario: runs per second, peak memory, analysis time.

    python -m benchmarks.sweep [--runs 10000 100000] [--workers 2] [--dask local] [--out DIR]

For each ``--runs`` size, a Latin-hypercube sweep (two rules, two factors, five
replicates per point) of about that many runs is run into a fresh store, then
``analyze``d, in a fresh process of its own, so that each size's peak memory is its own
(a process's high-water mark never goes down). Per size it prints runs per second, the
sweeping process's peak resident memory (``ru_maxrss``), the largest pool worker's and
the whole process tree's (main and workers, their proportional set sizes summed, sampled
every :data:`SAMPLE_SECONDS` with psutil), the dataset's size on disk, and the time and
peak memory of the analysis. Then a verdict: the sweeping process under
:data:`LIMIT_MB` at every size, and not growing with the number of runs (results stream
to disk; the plan builds its jobs from their index).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SWEEP = """\
scenarios: [ukraine_response]
rules: [caucus, {{coalition: {{k: [3]}}}}]
factors:
  - {{name: NZL.coercion_vulnerability, range: [0.3, 0.9]}}
  - {{name: temperature, range: [0.04, 0.2]}}
design: {{kind: lhs, points: {points}}}
replicates: {replicates}
root_seed: 1
outcomes: [joint_rate, cohesion, coercion_successes]
"""
REPLICATES = 5
RULES = 2
# The bound on a sweep's memory, and how much more a larger sweep may take than
# the smallest before it counts as growing (allocator noise, a longer ledger read).
LIMIT_MB = 500
GROWTH_MB = 25
SAMPLE_SECONDS = 0.5


def peak_mb() -> float:
    """This process's peak resident memory (workers, children of the forkserver, are
    not counted: RUSAGE_CHILDREN never sees them)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


class TreeSampler(threading.Thread):
    """The largest resident memory of this process's pool workers, and the memory of the
    whole tree (this process and every descendant) as the sum of their proportional set
    sizes (PSS: a page the forkserver's children share counts once, not once a worker),
    sampled while it runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        import psutil

        self.me, self.stop = psutil.Process(), threading.Event()
        self.worker_mb = self.tree_mb = 0.0

    def run(self) -> None:
        import psutil

        while not self.stop.wait(SAMPLE_SECONDS):
            total, largest = self.me.memory_full_info().pss, 0
            for child in self.me.children(recursive=True):
                try:
                    info = child.memory_full_info()
                except psutil.Error:  # ended since it was listed
                    continue
                total, largest = total + info.pss, max(largest, info.rss)
            self.worker_mb = max(self.worker_mb, largest / 2**20)
            self.tree_mb = max(self.tree_mb, total / 2**20)


def one_size(runs: int, workers: int, dask: str | None, out: Path | None) -> dict:
    """Sweep about ``runs`` runs and analyze them, in this process: its figures."""
    from sim.app import analyze, run_sweep

    points = max(1, runs // (REPLICATES * RULES))
    base = Path(tempfile.mkdtemp(prefix="ip4sim-bench-"))
    store = out or base / "store"
    path = base / "sweep.yaml"
    path.write_text(SWEEP.format(points=points, replicates=REPLICATES), encoding="utf-8")
    sampler = TreeSampler()
    sampler.start()
    start = time.perf_counter()
    done = run_sweep(path, store, workers=workers, dask=dask, progress=True)
    seconds = time.perf_counter() - start
    sampler.stop.set()
    sweep_peak = peak_mb()
    start = time.perf_counter()
    analyze(store)
    figures = {
        "runs": done.ran, "points": points, "seconds": seconds, "failed": done.failed,
        "runs_per_second": done.ran / seconds, "main_mb": sweep_peak,
        "worker_mb": sampler.worker_mb, "tree_mb": sampler.tree_mb,
        "disk_mb": sum(p.stat().st_size for p in store.glob("part-*.parquet")) / 2**20,
        "analyze_seconds": time.perf_counter() - start, "analyze_mb": peak_mb(),
        "on": dask or f"{workers} processes"}
    if out is None:
        shutil.rmtree(base)
    return figures


def report(f: dict) -> None:
    print(f"{f['runs']:,} runs ({f['points']:,} points x {RULES} rules x {REPLICATES} "
          f"replicates) in {f['seconds']:.0f} s on {f['on']}: {f['runs_per_second']:.1f} "
          f"runs/s, {f['failed']} failed")
    print(f"  peak memory: sweeping process {f['main_mb']:.0f} MB, largest worker "
          f"{f['worker_mb']:.0f} MB, whole tree {f['tree_mb']:.0f} MB (PSS); dataset "
          f"{f['disk_mb']:.1f} MB on disk")
    print(f"  ip4sim analyze: {f['analyze_seconds']:.1f} s, peak memory "
          f"{max(f['analyze_mb'], f['main_mb']):.0f} MB", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[10_000],
                        help="sweep sizes, each in a fresh process (default 10000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", help="local, or a scheduler's address")
    parser.add_argument("--out", type=Path, help="keep the store here (one size only; "
                                                 "default: a temporary folder)")
    parser.add_argument("--figures", type=Path, help=argparse.SUPPRESS)  # one size's child
    args = parser.parse_args()
    if args.figures:  # a child: one size, its figures as JSON for the parent
        args.figures.write_text(json.dumps(one_size(args.runs[0], args.workers, args.dask,
                                                    args.out)))
        return 0
    if args.out and len(args.runs) > 1:
        parser.error("--out keeps one size's store: give one --runs")
    results = []
    for runs in args.runs:
        with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
            command = [sys.executable, "-m", "benchmarks.sweep", "--runs", str(runs),
                       "--workers", str(args.workers), "--figures", tmp.name,
                       *(["--dask", args.dask] if args.dask else []),
                       *(["--out", str(args.out)] if args.out else [])]
            subprocess.run(command, check=True)
            results.append(json.loads(Path(tmp.name).read_text()))
        report(results[-1])
    mains = [f["main_mb"] for f in results]
    under = max(mains) < LIMIT_MB
    flat = max(mains) - mains[0] <= GROWTH_MB
    print(f"sweeping process under {LIMIT_MB} MB at every size: {'yes' if under else 'NO'}; "
          f"flat with the number of runs (within {GROWTH_MB} MB): "
          f"{'yes' if flat else 'NO'} ({', '.join(f'{m:.0f}' for m in mains)} MB)")
    return 0 if under and flat else 1


if __name__ == "__main__":
    sys.exit(main())
