"""How the time of one run grows: against turns, citizens and publics (issue 9).

    python -m benchmarks.growth [--repeat 3] [--largest 1000000]

Each series changes one thing of the Ukraine-style run (``ukraine_response``, caucus,
seed 1, 4 x 2,000 citizens, the partners' publics only):

* **turns**: 10, 100, 1,000. The scenario's ten turns are played again and again: its
  scheduled injects come back every ten turns (under new ids), its contingency inject
  stays as it is. Built in memory from the loaded scenario, past the 200 turns a file may
  have (``scenarios.schema.MAX_TURNS``).
* **citizens**: 200 to ``--largest`` citizens per partner public.
* **publics**: the partners' four, then the allies' 32 as well (``IP4Model``'s
  ``public_allies``), at 2,000 and at 20,000 citizens each.

A run is the model built from its checked request and played to its end (no run folder
is written; the scenario is loaded and checked once, before), timed in this process's CPU
time: a run is single-threaded, and CPU time is what other load on a shared machine
disturbs least. Each is played ``--repeat`` times and the best is kept, as ``timeit``
does: other load only ever slows a run down. For every step the table gives the seconds
per run, how much the size and the time grew, and the marginal cost of one more unit
(turn, citizen, public) over the step. Linear growth (a fixed cost plus a cost per unit)
keeps that marginal cost the same from step to step; a step whose marginal cost is more
than ``FLAG`` times, or less than 1 / ``FLAG`` of, the step before's is flagged. The
publics series has two points (the allies' publics are on or off), so nothing to flag:
its marginal cost is what one more public costs a run.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import time

from scenarios.loader import LoadedScenario, load_scenario
from sim.model import IP4Model
from sim.request import RunRequest

FLAG = 1.5  # a marginal cost this many times the step before's is not linear
TURNS = (10, 100, 1_000)
CITIZENS = (200, 2_000, 20_000, 200_000, 1_000_000)
PUBLICS_AT = (2_000, 20_000)  # citizens per public in the publics series


def repeated(loaded: LoadedScenario, turns: int) -> LoadedScenario:
    """The scenario played for ``turns`` turns: its scheduled injects again every
    ``scenario.turns`` turns (a copy's id ends in @2, @3, ...). Not validated: past
    MAX_TURNS on purpose."""
    scenario = loaded.scenario
    period = scenario.turns
    timed = [i for i in scenario.injects if i.turn is not None]
    copies = [i.model_copy(update={"id": f"{i.id}@{k + 1}", "turn": i.turn + k * period})
              for k in range(1, -(-turns // period)) for i in timed
              if i.turn + k * period <= turns]
    longer = scenario.model_copy(update={"turns": turns,
                                         "injects": [*scenario.injects, *copies]})
    return dataclasses.replace(loaded, scenario=longer)


def seconds(loaded: LoadedScenario, population: int, public_allies: bool,
            repeat: int) -> float:
    """The best of ``repeat`` runs (CPU seconds): build the model, play it to its end."""
    checked = RunRequest(scenario=loaded.path, population=population).check(loaded)
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        IP4Model.from_checked(checked, public_allies=public_allies).run()
        best = min(best, time.process_time() - start)
    return best


@dataclasses.dataclass
class Step:
    size: float
    seconds: float
    marginal: float | None = None  # seconds per unit over the step to this size
    flag: str = ""


def steps(points: list[tuple[float, float]]) -> list[Step]:
    """Each point with its step's marginal cost, flagged when it is not linear."""
    out = [Step(*points[0])]
    for size, secs in points[1:]:
        prev = out[-1]
        step = Step(size, secs, (secs - prev.seconds) / (size - prev.size))
        if prev.marginal and step.marginal and prev.marginal > 0:
            ratio = step.marginal / prev.marginal
            if ratio > FLAG:
                step.flag = f"NOT LINEAR: {ratio:.1f}x the marginal cost of the step before"
            elif ratio < 1 / FLAG:
                step.flag = f"NOT LINEAR: {ratio:.2f}x the marginal cost of the step before"
        out.append(step)
    return out


def table(title: str, unit: str, rows: list[Step], label=lambda s: f"{s:,.0f}") -> list[str]:
    lines = [f"\n{title}", f"  {unit:>12}  {'s/run':>8}  {'size x':>7}  {'time x':>7}  "
             f"{'marginal s per ' + unit:>24}"]
    for i, r in enumerate(rows):
        grow = "" if i == 0 else f"{r.size / rows[i - 1].size:7.1f}  " \
                                 f"{r.seconds / rows[i - 1].seconds:7.2f}"
        marginal = "" if r.marginal is None else f"{r.marginal:24.3g}"
        lines.append(f"  {label(r.size):>12}  {r.seconds:8.3f}  {grow:>16}  {marginal}"
                     f"  {r.flag}".rstrip())
    return lines


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.growth",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per point, best kept")
    parser.add_argument("--largest", type=int, default=CITIZENS[-1],
                        help="the largest public of the citizens series (default 1,000,000)")
    args = parser.parse_args(argv)
    loaded = load_scenario("ukraine_response")
    base = loaded.scenario.turns

    turns = steps([(n, seconds(repeated(loaded, n), 2_000, False, args.repeat))
                   for n in TURNS])
    sizes = [c for c in CITIZENS if c < args.largest] + [args.largest]
    # fewer repeats of the largest: each is seconds long, and its noise is relatively small
    citizens = steps([(c, seconds(loaded, c, False, args.repeat if c <= 20_000 else 1))
                      for c in sizes])
    lines = [f"CPU time per run (best of {args.repeat} runs), ukraine_response, caucus, seed 1"]
    lines += table("turns (4 x 2,000 citizens)", "turns", turns)
    lines += table(f"citizens per partner public ({base} turns)", "citizens", citizens)
    for at in PUBLICS_AT:
        pair = steps([(4, seconds(loaded, at, False, args.repeat)),
                      (36, seconds(loaded, at, True, args.repeat))])
        lines += table(f"publics of {at:,} citizens ({base} turns)", "publics", pair)
    lines.append(f"\npeak resident memory {peak_mb():,.0f} MB")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
