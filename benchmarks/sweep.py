"""A large sweep of the Ukraine scenario: runs per second, peak memory, analysis time.

    python -m benchmarks.sweep [--runs 10000] [--workers 2] [--dask local] [--out DIR]

Builds a Latin-hypercube sweep (two rules, two factors, five replicates per point) of
about ``--runs`` runs, runs it into a fresh store, then ``analyze``s it. Prints runs per
second, the main process's peak resident memory (``ru_maxrss``, which must stay flat as
the number of runs grows: the results stream to disk), the dataset's size on disk and the
time of the analysis.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from sim.app import analyze, run_sweep

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


def peak_mb() -> float:
    """This process's peak resident memory. The workers' is not counted: they are the
    forkserver's children, not this process's, so ``RUSAGE_CHILDREN`` never sees them."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", help="local, or a scheduler's address")
    parser.add_argument("--out", type=Path, help="the store (default: a temporary folder)")
    args = parser.parse_args()
    points = max(1, args.runs // (REPLICATES * RULES))
    base = Path(tempfile.mkdtemp(prefix="ip4sim-bench-"))
    out = args.out or base / "store"
    path = base / "sweep.yaml"
    path.write_text(SWEEP.format(points=points, replicates=REPLICATES), encoding="utf-8")
    start = time.perf_counter()
    done = run_sweep(path, out, workers=args.workers, dask=args.dask, progress=True)
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in out.glob("part-*.parquet")) / 2**20
    print(f"{done.ran} runs ({points} points x {RULES} rules x {REPLICATES} replicates) in "
          f"{seconds:.1f} s on {args.dask or f'{args.workers} processes'}: "
          f"{done.ran / seconds:.1f} runs/s, {done.failed} failed")
    print(f"peak memory of the main process: {peak_mb():.0f} MB; dataset {size:.1f} MB on disk")
    start = time.perf_counter()
    analyze(out)
    print(f"ip4sim analyze: {time.perf_counter() - start:.1f} s; peak memory now "
          f"{peak_mb():.0f} MB")
    if args.out is None:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
