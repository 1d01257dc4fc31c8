"""Every rule over the same seeds, and how much of each outcome's doubt is the assumed
weights' rather than the seeds'."""

from __future__ import annotations

import json
import random
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from analysis.compare import (
    ASSUMPTION_FILE,
    SUMMARY_FILES,
    AssumptionRow,
    SummaryRow,
    assumption_csv,
    assumption_summary,
    assumption_table,
    format_table,
    summarize_batch,
)
from analysis.outcomes import run_outcomes
from scenarios.parameters import Parameters, assumed_weights
from sim.batch import Job, run_jobs
from sim.outputs import ResultRow, write_text
from sim.request import RunRequest
from sim.sweep import Failure, compare_rules


@dataclass
class Comparison:
    """What :func:`compare` ran, wrote and found: per rule, outcome and actor, the mean
    over seeds and its interval (``summary``), every run's outcomes (``results``), the
    runs that failed, and the files in ``out_dir``."""

    scenario: str
    rules: list[str]
    seeds: list[int]
    summary: list[SummaryRow]
    results: list[ResultRow]
    failures: list[Failure]  # rule, seed, error
    out_dir: Path
    seconds: float
    files: list[str]
    assumptions: list[AssumptionRow] | None = None  # with ``assumptions=K``
    assumption_note: str = ""

    def table(self) -> str:
        table = format_table(self.summary, self.rules)
        if self.assumptions is None:
            return table + NO_ASSUMPTIONS
        return table + "\n" + assumption_table(self.assumptions, self.rules,
                                               self.assumption_note)


# The assumed weights are drawn, each independently, between (1 - RANGE) and (1 + RANGE)
# times the value the run uses: nothing gives them more than an order of magnitude (each
# is "assumption" in scenarios/parameters.py), so half again either way is a modest doubt.
ASSUMPTION_RANGE = 0.5
# Seeds per draw: the first of the batch's own, the same for every draw, so the draws'
# differences are the weights' and not the seeds'.
ASSUMPTION_SEEDS = 20
NO_ASSUMPTIONS = ("the intervals are seed noise alone, with every assumed weight at its "
                  "value; --assumptions K says which outcomes rest mostly on those weights\n")


def compare(scenario: str | RunRequest = "ukraine_response", rules: list[str] | str = "all",
            n_seeds: int = 100, root_seed: int = 1, workers: int | None = None,
            out_dir: str | Path | None = None, progress: bool = True,
            executor: Executor | None = None, retry_failed: bool = False,
            command: list[str] | None = None, assumptions: int = 0,
            **what_if) -> Comparison:
    """Every rule over the same seeds: runs (``sim.sweep.compare_rules``, a
    one-factor sweep that resumes when called again after an interruption), then the
    summary, table and figures (``analysis.compare``). ``scenario`` is a name or path, or
    a RunRequest whose rule and seed are replaced; ``what_if`` are RunRequest fields
    (``parameters=``, ``overrides=``, ``governments=``, ``levers=``, ``population=``).
    ``executor``: any concurrent.futures.Executor, e.g. a Dask client's;
    ``retry_failed``: play again the runs the folder's store records as failed.
    ``assumptions``: K draws of the assumed weights (:func:`weight_draws`), each played
    over the first ``ASSUMPTION_SEEDS`` seeds per rule, give per outcome the share of its
    uncertainty that is the weights' rather than the seeds' (``assumptions.csv``, the
    table)."""
    base = scenario if isinstance(scenario, RunRequest) else \
        RunRequest(scenario=scenario, **what_if)
    batch = compare_rules(base, rules, n_seeds, run_outcomes, root_seed=root_seed,
                          workers=workers, out_dir=out_dir, progress=progress,
                          executor=executor, retry_failed=retry_failed, command=command)
    manifest = json.loads((batch.out_dir / "manifest.json").read_text(encoding="utf-8"))
    title = f"{batch.checked.loaded.scenario.title}: {n_seeds} seeds per rule"
    summary = summarize_batch(batch.results, batch.rules, title, batch.out_dir, manifest)
    done = Comparison(batch.checked.loaded.scenario.id, batch.rules, batch.seeds, summary,
                      batch.results, batch.failures, batch.out_dir, batch.seconds,
                      [*batch.files, *SUMMARY_FILES])
    if assumptions:
        seeds = batch.seeds[:ASSUMPTION_SEEDS]
        draws = weight_draws(batch.checked.params, assumptions, root_seed)
        jobs, keys = [], []
        for rule in batch.rules:
            for k, weights in enumerate(draws):
                for seed in seeds:
                    jobs.append(Job(weighted(base, weights, rule=rule, seed=seed)))
                    keys.append((rule, k))
        ran = run_jobs(jobs, run_outcomes, workers, executor=executor, progress=progress,
                       description="runs with drawn weights")
        drawn = [(*keys[r.index], outcome, actor, value) for r in ran if r.ok
                 for _, _, outcome, actor, value in r.rows]
        done.assumptions = assumption_summary(batch.results, drawn)
        done.assumption_note = (
            f"share of each outcome's uncertainty that is the assumed weights' "
            f"({len(draws)} draws of the {len(assumed_weights())} utility weights, each "
            f"between {1 - ASSUMPTION_RANGE:g} and {1 + ASSUMPTION_RANGE:g} times its value, "
            f"over {len(seeds)} seeds each) rather than the seeds' (the t interval above): "
            f"sd_w^2 / (sd_w^2 + se^2); * where above 0.5, the outcome rests mostly on the "
            "assumed weights")
        write_text(batch.out_dir / ASSUMPTION_FILE, assumption_csv(done.assumptions,
                                                                   batch.rules))
        done.files.append(ASSUMPTION_FILE)
    return done


def weighted(base: RunRequest, weights: dict[str, float], **update) -> RunRequest:
    """The request with a draw of the assumed weights over its own parameters."""
    return base.model_copy(update={"parameters": {**base.parameters, **weights}, **update})


def weight_draws(params: Parameters, k: int, root_seed: int) -> list[dict[str, float]]:
    """``k`` draws of the assumed weights (``scenarios.parameters.assumed_weights``), each
    weight independently between (1 -/+ ASSUMPTION_RANGE) times its value in the run,
    within its bounds; seeded from the batch's root seed, so the same command draws the
    same weights."""
    rng = random.Random(root_seed)
    fields = Parameters.model_fields
    values = params.model_dump()
    draws = []
    for _ in range(k):
        draw = {}
        for name in assumed_weights():
            high = next(m.le for m in fields[name].metadata if getattr(m, "le", None)
                        is not None)
            factor = rng.uniform(1 - ASSUMPTION_RANGE, 1 + ASSUMPTION_RANGE)
            draw[name] = round(min(high, values[name] * factor), 6)
        draws.append(draw)
    return draws
