"""Where a run's time goes: cProfile over many runs, summed by phase of the turn.

    python -m benchmarks.hotspots [--scenario ukraine_response] [--runs 100] [--top 12]

Plays ``--runs`` seeds of the scenario under caucus through ``sim.batch.run_job`` with every
outcome computed (``analysis.outcomes.run_outcomes``), as a sweep's worker does, under
cProfile, and prints each part's share of the time (cumulative, so the parts of a part
are inside it) and the functions that spend the most time themselves. cProfile slows
Python calls more than numpy's, so read shares, not milliseconds; the speed itself is
``benchmarks.runs``. Run with ``PYTHONPATH`` set to another checkout to profile it
(``docs/performance.md`` has before and after).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import time

from analysis.outcomes import run_outcomes
from scenarios.loader import load_scenario
from sim.batch import Job, run_job
from sim.request import RunRequest

# (label, file suffix, function): the parts of a run, in the order of a turn's story
PARTS = (
    ("the model built (publics' anchors drawn)", "sim/model.py", "__init__"),
    ("  the publics' anchors", "agents/publics.py", "__init__"),
    ("a turn: the partners consult and choose", "sim/phases/consultation.py", "decide"),
    ("a turn: the allies at the Council", "sim/phases/council.py", "decide"),
    ("  every choice (partners, allies, Council)", "sim/phases/choices.py", "choose"),
    ("a turn: the publics updated and read", "sim/phases/information.py", "update_publics"),
    ("  the citizens' update", "agents/publics.py", "update"),
    ("a turn: the time series recorded", "sim/phases/metrics.py", "record"),
    ("a turn: China and Russia act", "sim/phases/adversaries.py", "act"),
    ("the run's outcomes", "analysis/outcomes.py", "run_outcomes"),
)


class CollectorClock:
    """A ``gc.callbacks`` entry that adds up the time of every collection (cProfile charges
    a collection to whatever function was running when it started)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._began = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hotspots",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="ukraine_response")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)
    loaded = load_scenario(args.scenario)
    jobs = [Job(RunRequest(scenario=loaded.path, seed=s)) for s in range(args.runs)]

    def runs() -> None:
        for job in jobs:  # as a batch's worker plays them, whatever that checkout does
            run_job(job, run_outcomes)

    runs()  # warm: imports, caches
    collecting = CollectorClock()
    gc.callbacks.append(collecting)
    began = time.perf_counter()
    runs()
    plain = (time.perf_counter() - began) / args.runs
    gc.callbacks.remove(collecting)
    profiler = cProfile.Profile()
    profiler.runcall(runs)
    stats = pstats.Stats(profiler)
    total = sum(t for _, _, t, _, _ in stats.stats.values())  # every function's own time
    cumulative = {}
    for (file, _, function), (_, _, _, cum, _) in stats.stats.items():
        for label, suffix, name in PARTS:
            if file.endswith(suffix) and function == name:
                cumulative[label] = cumulative.get(label, 0.0) + cum
    print(f"{args.runs} runs of {args.scenario} under caucus: {1000 * plain:.1f} ms a run "
          f"unprofiled, of which {1000 * collecting.seconds / args.runs:.2f} ms in Python's "
          f"garbage collector; {stats.total_calls / args.runs:,.0f} function calls a run")
    print("share of the profiled time (cumulative):")
    for label, _, _ in PARTS:
        print(f"  {label:<46} {cumulative.get(label, 0.0) / total:6.1%}")
    print(f"the {args.top} functions that spend the most time themselves:")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print("\n".join(line for line in out.getvalue().splitlines()
                    if line.strip() and "function calls" not in line
                    and not line.lstrip().startswith(("Ordered by", "List reduced"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
