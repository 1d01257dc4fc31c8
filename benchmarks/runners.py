"""One sweep through three runners, side by side: ours, ``mesa.batch_run`` and EMA
Workbench's ``MultiprocessingEvaluator``, on 1 and 2 processes.

    python -m benchmarks.runners [--points 10] [--replicates 10] [--repeat 2]

The same model, design and seeds: a Latin-hypercube sweep of the Ukraine scenario (two
factors, two rules, ``--replicates`` seeds per point, ``--points`` points). Ours is
``ip4sim sweep`` (``sim.app.run_sweep``, into a fresh Parquet store each time, read back
afterwards); ``mesa.batch_run`` builds :class:`SweepModel` from keyword arguments (the
sweep file, the point, the rule and ``rng``, the seed); EMA plays the sweep's own runs
(``sim.ema.sweep_experiments``, ``combine="cycle"``) through the model ``sim.app.ema_model``
makes. Every runner plays the same model, its choices unexplained (each reduces a run to
its outcomes only: ``sim.outputs.reads_no_terms``), and computes the same outcomes per run
(``analysis.outcomes``); the bench
checks they are equal, value for value. The six ways are interleaved over ``--repeat``
rounds and the best round of each is reported, as ``timeit`` does, since other load on a
shared machine only ever slows a round down. Times include starting the workers.

Start methods: ours names its own (``forkserver``); ``batch_run`` sets the process-wide
default to ``spawn``; EMA's pool uses the process-wide default, which this bench puts
back to the platform's own (``fork`` on Linux) before each EMA measurement, so EMA runs as
it would alone.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

import mesa
import pandas as pd

from benchmarks.runs import BatchModel, differences
from benchmarks.sweep import SWEEP  # the same sweep as the memory bench, smaller
from sim.app import ema_model, run_sweep
from sim.batch import default_workers
from sim.ema import sweep_experiments, workbench
from sim.model import IP4Model
from sim.request import RunRequest
from sim.sweep import apply, plan_sweep

CHECKED = ("joint_rate", "cohesion", "coercion_successes")  # the sweep's outcomes
PLATFORM_START = multiprocessing.get_start_method()  # before batch_run forces spawn


@lru_cache(maxsize=4)
def cached_plan(path: str):
    return plan_sweep(path)


class SweepModel(BatchModel):
    """One run of the sweep, from keyword arguments as ``batch_run`` gives them: the
    point's factor values set as ``ip4sim sweep`` sets them, then played and reduced as
    :class:`benchmarks.runs.BatchModel` does."""

    def __init__(self, sweep: str = "", point: int = 0, rule: str = "caucus", rng: int = 1):
        plan = cached_plan(sweep)
        loaded = plan.scenarios[0]
        request = apply(RunRequest(scenario=loaded.path), plan.values[point])
        IP4Model.__init__(self, checked=request.model_copy(
            update={"rule": rule, "seed": rng}).check(loaded), explained=False)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, n=name: m._outcomes.get(n, math.nan))
                             for name in CHECKED})
        self._outcomes = {}


def ours(path: Path, workers: int) -> tuple[float, dict]:
    out = Path(tempfile.mkdtemp(prefix="ip4sim-runners-"))
    try:
        start = time.perf_counter()
        run_sweep(path, out / "store", workers=workers, progress=False)
        seconds = time.perf_counter() - start
        data = pd.read_parquet(out / "store")
    finally:
        shutil.rmtree(out)
    data = data[(data["actor"] == "") & data["outcome"].isin(CHECKED)]
    return seconds, {(p, r, s, o): v for p, r, s, o, v in zip(
        data["point"], data["rule"], data["seed"], data["outcome"], data["value"],
        strict=True)}


def batch_run(path: Path, processes: int) -> tuple[float, dict]:
    plan = cached_plan(str(path))
    start = time.perf_counter()
    rows = mesa.batch_run(SweepModel, {"sweep": str(path), "point": range(len(plan.values)),
                                       "rule": plan.rules},
                          number_processes=processes, rng=plan.seeds, max_steps=10_000,
                          data_collection_period=-1, display_progress=False)
    seconds = time.perf_counter() - start
    return seconds, {(r["point"], r["rule"], r["rng"], o): r[o] for r in rows for o in CHECKED}


def ema(path: Path, processes: int) -> tuple[float, dict]:
    workbench_ = workbench()
    plan = cached_plan(str(path))
    model = ema_model(path)
    scenarios, policies = sweep_experiments(plan)
    multiprocessing.set_start_method(PLATFORM_START, force=True)
    start = time.perf_counter()
    with workbench_.MultiprocessingEvaluator(model, n_processes=processes) as evaluator:
        _, outcomes = evaluator.perform_experiments(scenarios, policies, combine="cycle",
                                                    log_progress=True)
    seconds = time.perf_counter() - start
    values = {}
    for row, (point, policy) in enumerate(zip(scenarios, policies, strict=True)):
        for o in CHECKED:
            for r, seed in enumerate(plan.seeds):
                values[(int(point.name), policy["rule"], seed, o)] = float(outcomes[o][row, r])
    return seconds, values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.runners",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=10)
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2, help="interleaved rounds (default 2)")
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="ip4sim-runners-"))
    path = base / "sweep.yaml"
    path.write_text(SWEEP.format(points=args.points, replicates=args.replicates),
                    encoding="utf-8")
    plan = cached_plan(str(path))
    n = len(plan.jobs)
    ours(path, 1)  # warm up: imports and caches, as a second sweep would find them
    print(f"{n} runs ({args.points} points x {len(plan.rules)} rules x {args.replicates} "
          f"seeds of ukraine_response); {args.repeat} interleaved rounds; python "
          f"{sys.version.split()[0]}, mesa {mesa.__version__}, ema_workbench "
          f"{workbench().__version__}, {default_workers()} cores; EMA's pool starts by "
          f"{PLATFORM_START}")
    ways = {f"{label}, {p} process{'es' if p > 1 else ''}": (run, p)
            for p in (1, 2) for label, run in (("ip4sim sweep", ours),
                                               ("mesa.batch_run", batch_run),
                                               ("EMA multiprocessing", ema))}
    rates: dict[str, list[float]] = {k: [] for k in ways}
    results: dict[str, list[dict]] = {k: [] for k in ways}
    for round_ in range(1, args.repeat + 1):
        cells = []
        for label, (run, processes) in ways.items():  # interleaved: a busy spell hits all
            seconds, values = run(path, processes)
            rates[label].append(n / seconds)
            results[label].append(values)
            cells.append(f"{n / seconds:5.0f}")
        print(f"  round {round_}: runs/s " + " | ".join(cells), flush=True)
    best = {k: max(v) for k, v in rates.items()}
    print("  runs/s, best and median of the rounds:")
    for label in ways:
        print(f"    {label:<34} best {best[label]:6.1f}   median "
              f"{statistics.median(rates[label]):6.1f}")
    for p in ("1 process", "2 processes"):
        mine = best[f"ip4sim sweep, {p}"]
        print(f"  {p}: ip4sim / batch_run {mine / best[f'mesa.batch_run, {p}']:.2f}x, "
              f"ip4sim / EMA {mine / best[f'EMA multiprocessing, {p}']:.2f}x")
    for label in ("ip4sim sweep", "mesa.batch_run", "EMA multiprocessing"):
        print(f"  speed-up from 1 to 2 processes, {label}: "
              f"{best[f'{label}, 2 processes'] / best[f'{label}, 1 process']:.2f}x")
    reference = results["ip4sim sweep, 1 process"][0]
    differ = {f"{k}, round {i + 1}": differences(reference, v)
              for k, runs in results.items() for i, v in enumerate(runs)}
    agree = len(reference) == n * len(CHECKED) and not any(differ.values())
    print(f"  outcomes identical in every measurement ({len(reference)} values each): "
          f"{'yes' if agree else 'NO'}")
    for label, keys in differ.items():
        if keys:
            print(f"    {label}: {len(keys)} values differ, e.g. {keys[0]}")
    shutil.rmtree(base)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
