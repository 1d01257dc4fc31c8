"""This checkout's engine against another's, side by side: runs per second of each.

    python -m benchmarks.versus OTHER_CHECKOUT [--runs 20] [--rounds 12]

Two worker processes, one importing this checkout and one the other (``PYTHONPATH``),
take turns playing the same ``--runs`` seeds of ``ukraine_response`` under caucus with
every outcome computed, as a batch's worker plays them (``sim.batch.run_job``), for
``--rounds`` rounds; the best round of each is kept (other load only ever slows a round
down) and the ratio printed. Make the other checkout inside this one, where git ignores
it: ``git worktree add --detach .bench/before COMMIT``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.checkouts import checkout

ROOT = Path(__file__).resolve().parent.parent

# What each worker runs: read a number of runs from stdin, play them, print the seconds.
WORKER = """
import sys, time
from analysis.outcomes import run_outcomes
from sim.batch import Job, run_job
from sim.request import RunRequest

def runs(n):  # as a batch's worker plays them (in this checkout, or the other's way)
    for seed in range(n):
        run_job(Job(RunRequest(seed=seed)), run_outcomes)

runs(5)
for line in sys.stdin:
    began = time.perf_counter()
    runs(int(line))
    print(time.perf_counter() - began, flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.versus",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=checkout, help="the other checkout's root folder")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args(argv)
    trees = {"this": ROOT, "other": args.other}
    workers = {name: subprocess.Popen(
        [sys.executable, "-c", WORKER], cwd=tree, text=True, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(tree)})
        for name, tree in trees.items()}
    seconds: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, worker in workers.items():
            worker.stdin.write(f"{args.runs}\n")
            worker.stdin.flush()
            seconds[name].append(float(worker.stdout.readline()))
    for worker in workers.values():
        worker.stdin.close()
        worker.wait()
    rate = {name: args.runs / min(times) for name, times in seconds.items()}
    print(f"{args.runs} runs of ukraine_response under caucus, best of {args.rounds} rounds "
          f"taken in turn: this checkout {rate['this']:.1f} runs/s, {args.other} "
          f"{rate['other']:.1f} runs/s; ratio {rate['this'] / rate['other']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
