"""Throughput of the comparison runner against Mesa's ``batch_run``, side by side.

    python -m benchmarks.runs [--scenario ukraine_response] [--seeds 50] [--repeat 3]

The same jobs (every rule x the same seeds, derived from one root seed) are run four
ways in one process: our runner (:func:`sim.batch.run_jobs`) on 1 and on 2
processes, and ``mesa.batch_run`` on 1 and on 2 processes through :class:`BatchModel`,
interleaved over a few rounds; the best round of each is reported, as ``timeit`` does,
since other load on a shared machine only ever slows a round down. BatchModel is a
keyword-parameter adapter (``batch_run`` builds a model from keyword arguments and cannot
pass a Scenario object). Both sides play the same model, its choices unexplained (outcomes
never read their terms), and compute the same outcomes per run
(:func:`analysis.outcomes.run_outcomes`); the bench checks that they agree.
Times include starting the worker processes. It prints runs per
second, the ratios, and peak memory from ``resource.getrusage``: this process's maximum
resident set size after each measurement, and each of our pool workers' own maximum
(``RUSAGE_CHILDREN`` is not used: on Linux a forked or spawned child starts from its
parent's high-water mark, so it would only repeat the parent's figure).

Note: ``batch_run`` sets the process-wide multiprocessing start method to ``spawn``
(``force=True``); our runner names its own context (``forkserver``), so it is not
affected, but other code in the same process would be.
"""

from __future__ import annotations

import argparse
import importlib
import math
import resource
import statistics
import sys
import time

import mesa

from analysis.outcomes import run_outcomes
from scenarios.loader import load_scenario
from sim.batch import (
    Job,
    default_workers,
    derive_seeds,
    process_pool,
    run_jobs,
)
from sim.model import IP4Model
from sim.request import RunRequest

CHECKED = ("cohesion", "joint_rate", "coercion_successes")


class BatchModel(IP4Model):
    """IP4Model with keyword parameters, for ``mesa.batch_run``: a built-in scenario name
    or path, a rule spec and ``rng`` (an int seed). It stops itself after the scenario's
    last turn and then collects the run's outcomes once (run-wide rows) as model
    reporters."""

    def __init__(self, exercise: str = "ukraine_response", rule: str = "caucus",
                 rng: int = 1):
        loaded = load_scenario(exercise)
        # outcomes only, as our runner's runs: choices unexplained (sim.outputs.reads_no_terms)
        super().__init__(checked=RunRequest(scenario=exercise, rule=rule, seed=rng)
                         .check(loaded), explained=False)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in CHECKED})
        self._outcomes: dict[str, float] = {}

    def step(self) -> None:
        super().step()
        if not self.running:
            self._outcomes = {o: v for o, a, v in run_outcomes(self.events, self.timeseries)
                              if a == ""}
            self.datacollector.collect(self)


def _reporter(name: str):
    return lambda model: model._outcomes.get(name, math.nan)


def peak_mb() -> float:
    """This process's maximum resident set size so far, in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


WORKER_PEAKS: list[float] = []


def _self():
    """This module by its importable name (not ``__main__``), so that its functions and
    classes pickle by a name a worker process can import."""
    return importlib.import_module("benchmarks.runs")


def ours(jobs: list[Job], workers: int) -> tuple[float, dict]:
    start = time.perf_counter()
    if workers == 1:
        done = run_jobs(jobs, run_outcomes, workers=1, progress=False)
        seconds = time.perf_counter() - start
    else:
        pool = process_pool(workers, ["analysis.outcomes"])
        try:
            done = run_jobs(jobs, run_outcomes, workers=workers, executor=pool, progress=False)
            seconds = time.perf_counter() - start
            asked = [pool.submit(_self().peak_mb) for _ in range(4 * workers)]
            WORKER_PEAKS[:] = [max(f.result() for f in asked)]
        finally:
            pool.shutdown()
    assert all(r.ok for r in done), [r.error for r in done if not r.ok][:3]
    values = {(r.job.request.rule, r.job.request.seed, o): v for r in done
              for _, _, o, a, v in r.rows if a == "" and o in CHECKED}
    return seconds, values


def theirs(model_cls: type, scenario: str, rules: list[str], seeds: list[int],
           processes: int) -> tuple[float, dict]:
    start = time.perf_counter()
    rows = mesa.batch_run(model_cls, {"exercise": scenario, "rule": rules},
                          number_processes=processes, rng=seeds, max_steps=10_000,
                          data_collection_period=-1, display_progress=False)
    seconds = time.perf_counter() - start
    values = {(r["rule"], r["rng"], o): r[o] for r in rows for o in CHECKED}
    return seconds, values


def differences(a: dict, b: dict) -> list:
    """(rule, seed, outcome) keys whose values differ, or that one side lacks."""
    return sorted((k for k in a.keys() | b.keys() if k not in a or k not in b or not (
        a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])))), key=str)


def main(argv: list[str] | None = None) -> int:
    from sim.batch import check_rules

    parser = argparse.ArgumentParser(prog="python -m benchmarks.runs", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--scenario", default="ukraine_response")
    parser.add_argument("--seeds", type=int, default=50, help="seeds per rule (default 50)")
    parser.add_argument("--rules", default="all")
    parser.add_argument("--root-seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of the four measurements, interleaved (default 3)")
    args = parser.parse_args(argv)

    model_cls = _self().BatchModel
    loaded = load_scenario(args.scenario)
    rules = check_rules(args.rules)
    seeds = derive_seeds(args.root_seed, args.seeds)
    jobs = [Job(RunRequest(scenario=loaded.path, rule=rule, seed=seed))
            for rule in rules for seed in seeds]
    n = len(jobs)
    ours(jobs[:2], 1)  # warm up: imports and caches, as a second comparison would find them

    print(f"{loaded.scenario.id}: {len(rules)} rules x {len(seeds)} seeds = {n} runs, "
          f"{loaded.scenario.turns} turns each; {args.repeat} interleaved rounds; python "
          f"{sys.version.split()[0]}, mesa {mesa.__version__}, {default_workers()} cores")
    ways = {
        "ip4sim run_jobs, 1 process": lambda: ours(jobs, 1),
        "ip4sim run_jobs, 2 processes": lambda: ours(jobs, 2),
        "mesa.batch_run, 1 process": lambda: theirs(model_cls, loaded.path, rules, seeds, 1),
        "mesa.batch_run, 2 processes": lambda: theirs(model_cls, loaded.path, rules, seeds, 2),
    }
    rates: dict[str, list[float]] = {k: [] for k in ways}
    results: dict[str, list[dict]] = {k: [] for k in ways}
    for round_ in range(1, args.repeat + 1):
        cells = []
        for label, run in ways.items():  # interleaved, so a busy spell hits all four
            seconds, values = run()
            rates[label].append(n / seconds)
            results[label].append(values)
            cells.append(f"{n / seconds:5.0f}")
        print(f"  round {round_}: runs/s " + " | ".join(cells), flush=True)

    labels = list(ways)
    best = {k: max(v) for k, v in rates.items()}
    print("  runs/s, best and median of the rounds (the best is the least disturbed by other "
          "load on the machine):")
    for label in labels:
        print(f"    {label:<30} best {best[label]:6.0f}   median "
              f"{statistics.median(rates[label]):6.0f}")
    print(f"  ratio ip4sim / batch_run, 2 processes: {best[labels[1]] / best[labels[3]]:.1f}x; "
          f"1 process: {best[labels[0]] / best[labels[2]]:.1f}x")
    speedup = best[labels[1]] / best[labels[0]]
    print(f"  speed-up from 1 to 2 processes: ip4sim {speedup:.2f}x (parallel efficiency "
          f"{speedup / 2:.0%}), batch_run {best[labels[3]] / best[labels[2]]:.2f}x")
    reference = results[labels[0]][0]
    differ = {f"{k}, round {i + 1}": differences(reference, v)
              for k, runs in results.items() for i, v in enumerate(runs)}
    agree = not any(differ.values())
    print(f"  outcomes identical in every measurement: {'yes' if agree else 'NO'}")
    for label, keys in differ.items():
        if keys:
            print(f"    {label}: {len(keys)} values differ, e.g. {keys[0]} (was the engine "
                  "edited while the bench ran?)")
    worker = f"{WORKER_PEAKS[0]:.0f} MB" if WORKER_PEAKS else "n/a"
    print(f"  peak memory (max RSS): this process {peak_mb():.0f} MB; an ip4sim pool worker "
          f"{worker}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
