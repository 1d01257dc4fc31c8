"""Every rule over the same seeds, and how much of each outcome's doubt is the assumed
weights' rather than the seeds'."""

from __future__ import annotations

import random
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.compare import (
    ASSUMPTION_FILE,
    DIFFERENCES_FILE,
    INTERVAL,
    AssumptionRow,
    SummaryRow,
    assumption_csv,
    assumption_summary,
    assumption_table,
    bounds_record,
    differences_table,
    format_table,
    summarize_batch,
)
from analysis.outcomes import run_outcomes
from scenarios.parameters import Parameters, assumed_weights
from sim.batch import Job, run_jobs
from sim.outputs import AssumptionDraws, CompareManifest, ResultRow, write_manifest, write_text
from sim.request import RunRequest
from sim.sweep import FAILURES_FILE, Failure, compare_rules

if TYPE_CHECKING:
    import pandas as pd


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
    seconds: float  # what the rules' runs this call played took
    files: list[str]
    manifest: CompareManifest  # what the folder's manifest.json says, this call included
    differences: pd.DataFrame  # each rule less the first, seed by seed (Holm-adjusted)
    assumptions: list[AssumptionRow] | None = None  # with ``assumptions=K``
    assumption_note: str = ""

    def table(self) -> str:
        table = format_table(self.summary, self.rules)
        if not self.differences.empty:
            table += "\n" + differences_table(self.differences, self.rules)
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
# How weight_draws draws, for the manifests: enough to draw the same weights again.
DRAWS_DERIVATION = ("random.Random(root_seed); each weight in turn times uniform(1 - range, "
                    "1 + range), capped at its upper bound, rounded to 6 places "
                    "(sim.app.comparisons.weight_draws)")
# The files a comparison writes only when it has them (failed runs) or is asked for them
# (--assumptions K); removed otherwise, so that a folder never keeps another request's.
OPTIONAL_FILES = frozenset({FAILURES_FILE, ASSUMPTION_FILE, DIFFERENCES_FILE})
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
    title = f"{batch.checked.loaded.scenario.title}: {n_seeds} seeds per rule"
    summary = summarize_batch(batch.results, batch.rules, title, batch.out_dir)
    done = Comparison(batch.checked.loaded.scenario.id, batch.rules, batch.seeds,
                      summary.summary, batch.results, batch.failures, batch.out_dir,
                      batch.seconds, [*batch.files, *summary.files], batch.record,
                      summary.differences)
    done.manifest.interval, done.manifest.bounds = INTERVAL, bounds_record()
    done.manifest.assumptions = play_draws(done, base, batch.checked.params, assumptions,
                                           workers, executor, progress) if assumptions else None
    finish(done)
    return done


def draw_runs(k: int, seeds: int, rules: int) -> int:
    """How many runs ``k`` draws of the assumed weights play (:func:`play_draws`)."""
    return k * min(seeds, ASSUMPTION_SEEDS) * rules


def play_draws(done: Comparison, base: RunRequest, params: Parameters, k: int,
               workers: int | None, executor: Executor | None,
               progress: bool) -> AssumptionDraws:
    """``k`` draws of the assumed weights, each over the first ``ASSUMPTION_SEEDS`` seeds
    under every rule: the table's second part and ``assumptions.csv``. Their runs count
    as this call's; what they drew is the manifest's record of them."""
    start = time.perf_counter()
    seeds = done.seeds[:ASSUMPTION_SEEDS]  # draw_runs counts these runs
    draws = weight_draws(params, k, done.manifest.seeds.root_seed)
    jobs, keys = [], []
    for rule in done.rules:
        for j, weights in enumerate(draws):
            for seed in seeds:
                jobs.append(Job(weighted(base, weights, rule=rule, seed=seed)))
                keys.append((rule, j))
    ran = run_jobs(jobs, run_outcomes, workers, executor=executor, progress=progress,
                   description="runs with drawn weights")
    drawn = [(*keys[r.index], outcome, actor, value) for r in ran if r.ok
             for _, _, outcome, actor, value in r.rows]
    done.assumptions = assumption_summary(done.results, drawn)
    done.assumption_note = (
        f"share of each outcome's uncertainty that is the assumed weights' "
        f"({len(draws)} draws of the {len(assumed_weights())} utility weights, each "
        f"between {1 - ASSUMPTION_RANGE:g} and {1 + ASSUMPTION_RANGE:g} times its value, "
        f"over {len(seeds)} seeds each) rather than the seeds' (the t interval above): "
        f"sd_w^2 / (sd_w^2 + se^2); * where above 0.5, the outcome rests mostly on the "
        "assumed weights")
    write_text(done.out_dir / ASSUMPTION_FILE, assumption_csv(done.assumptions, done.rules))
    done.files.append(ASSUMPTION_FILE)
    done.manifest.latest.played(len(jobs), time.perf_counter() - start)
    return draws_record(draws, seeds, len(jobs), sum(not r.ok for r in ran))


def draws_record(draws: list[dict[str, float]], seeds: list[int], runs: int,
                 failed: int) -> AssumptionDraws:
    """What a manifest says of a batch's draws of the assumed weights."""
    return AssumptionDraws(k=len(draws), range=ASSUMPTION_RANGE, derivation=DRAWS_DERIVATION,
                           seeds=seeds, draws=draws, runs=runs, failed=failed)


def finish(done: Comparison) -> None:
    """End the comparison's folder: remove each optional file this request did not write
    (a failures.csv whose runs now succeed, another request's assumptions.csv), then write
    its manifest, complete, counting every run its files rest on."""
    for name in OPTIONAL_FILES - set(done.files):
        (done.out_dir / name).unlink(missing_ok=True)
    record = done.manifest
    record.runs = len(done.rules) * len(done.seeds) + (
        record.assumptions.runs if record.assumptions else 0)
    record.status = "complete"
    write_manifest(done.out_dir, record)
    done.files.append("manifest.json")


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
