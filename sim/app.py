"""The application: the engine's runs joined to what analysis makes of them.

The one module of ``sim/`` that imports ``analysis/`` (a test keeps it so): the command
line and Python users call these to play and report, or to compare rules and summarize.
"""

from __future__ import annotations

import json
import random
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analysis.backtest import BACKTEST_FILES, EntryScore, backtest_rows, write_backtest
from analysis.compare import (
    ASSUMPTION_FILE,
    BOUNDS,
    SUMMARY_FILES,
    AssumptionRow,
    SummaryRow,
    assumption_csv,
    assumption_summary,
    assumption_table,
    format_table,
    summarize_batch,
)
from analysis.debrief import write_debrief
from analysis.figures import summary_figure
from analysis.narrative import LiveAccount, narrate, sources
from analysis.outcomes import run_outcomes
from analysis.sensitivity import analyze_sweep
from analysis.why import choices_of, explain
from scenarios.errors import InputError
from scenarios.parameters import Parameters, assumed_weights
from scenarios.record import Record, builtin_record, load_record
from sim.batch import Job, derive_seeds, run_jobs
from sim.outputs import BacktestManifest, RecordRef, ResultRow, ScenarioRecord, write_text
from sim.request import RunRequest
from sim.runner import RunResult, git_commit, package_version, versions, write_run
from sim.sweep import Failure, SweepRun, compare_rules, dask_executor, plan_sweep, run_store

__all__ = ["LiveAccount", "analyze", "backtest", "choices_of", "compare", "explain", "narrate",
           "report", "run_sweep", "sources", "summary_figure", "write_debrief"]


def report(result: RunResult, out: Path, command: list[str] | None = None) -> list[str]:
    """Write a run's folder and its debrief (figures, after-action report)."""
    write_run(result, out, command)
    return ["events.jsonl", "timeseries.csv", "manifest.json", *write_debrief(out)]


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


def line_outcomes(events: list, rows: list) -> dict[str, float]:
    """A line of play's run-wide outcomes (``analysis.outcomes``), outcome -> value, read
    from its events and time series as any run's are."""
    return {outcome: value for outcome, actor, value in run_outcomes(events, rows) if not actor}


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
                    jobs.append(Job(base.model_copy(update={
                        "rule": rule, "seed": seed,
                        "parameters": {**base.parameters, **weights}})))
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


def known_outcome(name: str) -> bool:
    """An outcome ``analysis.outcomes`` computes (each has its natural bounds in
    ``analysis.compare.BOUNDS``; ``belief.NARRATIVE`` for any narrative)."""
    return name in BOUNDS or name.startswith("belief.")


def run_sweep(file: str | Path, out_dir: str | Path, workers: int | None = None,
              dask: str | None = None, executor: Executor | None = None,
              retry_failed: bool = False, progress: bool = True) -> SweepRun:
    """Run a sweep file into ``out_dir`` (``sim.sweep``), each run reduced to its outcomes
    (``analysis.outcomes``); resumes what the folder already holds. ``dask``: ``local`` or
    a scheduler's address; ``executor``: any concurrent.futures.Executor. Bad input
    (the file, the folder, the address) raises InputError before any run."""
    plan = plan_sweep(file, known_outcome)
    if dask is None:
        return run_store(plan, out_dir, run_outcomes, workers, executor, retry_failed,
                         progress)
    with dask_executor(dask, workers) as pool:
        return run_store(plan, out_dir, run_outcomes, workers, pool, retry_failed, progress)


def analyze(folder: str | Path, out: str | Path | None = None) -> list[str]:
    """Tables, figures and a short report of a sweep's dataset (``analysis.sensitivity``)."""
    return analyze_sweep(folder, out)


@dataclass
class Backtest:
    """What :func:`backtest` ran and found: per entry of the record, the share of runs
    that match it and their timing errors."""

    record: Record
    scores: list[EntryScore]
    seeds: list[int]
    failed: int
    out_dir: Path
    files: list[str]


def backtest(scenario: str = "ukraine_2022", record: str | Path | None = None,
             n_seeds: int = 100, root_seed: int = 1, rule: str = "caucus",
             workers: int | None = None, out_dir: str | Path | None = None,
             progress: bool = True, command: list[str] | None = None,
             assumptions: int = 0, **what_if) -> Backtest:
    """Play the scenario over seeds (derived from ``root_seed``) and score every run
    against the record (by default the scenario's built-in one, ``scenarios/records/``).
    The record is checked against the scenario first (InputError: file, field, line);
    the model never sees it. ``what_if``: RunRequest fields, as for :func:`compare`;
    ``assumptions``: K draws of the assumed weights, as for :func:`compare`, give each
    entry's share of doubt that is the weights' rather than the seeds'."""
    base = RunRequest(scenario=scenario, rule=rule, **what_if)
    checked = base.check()
    loaded = checked.loaded
    path = record or builtin_record(loaded.scenario.id)
    if path is None:
        raise InputError.one("--record", "", f"{loaded.scenario.id!r} has no built-in record: "
                             "give one with --record FILE")
    scored_against = load_record(path, loaded.scenario, checked.catalog)
    out = Path(out_dir or Path("runs") / f"backtest-{loaded.scenario.id}")
    out.mkdir(parents=True, exist_ok=True)
    seeds = derive_seeds(root_seed, n_seeds)
    jobs = [Job(base.model_copy(update={"seed": seed}), loaded.sha256) for seed in seeds]
    results = run_jobs(jobs, backtest_rows, workers, progress=progress,
                       description="backtest runs")
    runs = [[row[2:] for row in r.rows] for r in results if r.ok]  # without rule and seed
    polls = {(code, adversary): (value.value, value.describe())
             for code in ("AUS", "JPN", "KOR", "NZL")
             for adversary in ("china", "russia")
             for value in [checked.catalog.profiles[code].values[f"public_{adversary}_threat"]]}
    header = [f"`{' '.join(command or ['ip4sim', 'backtest'])}`: {len(runs)} runs of "
              f"`{loaded.scenario.id}` under {checked.rule.spec()} (seeds derived from root "
              f"seed {root_seed}), scored against `{scored_against.path}`."]
    drawn, note = None, ""
    if assumptions:
        draws = weight_draws(checked.params, assumptions, root_seed)
        few = seeds[:ASSUMPTION_SEEDS]
        extra = [Job(base.model_copy(update={"seed": seed, "parameters": {
            **base.parameters, **weights}}), loaded.sha256) for weights in draws for seed in few]
        ran = run_jobs(extra, backtest_rows, workers, progress=progress,
                       description="runs with drawn weights")
        drawn = [[[row[2:] for row in r.rows] for r in ran[k * len(few):(k + 1) * len(few)]
                  if r.ok] for k in range(len(draws))]
        note = (f"The last column: the share of each entry's doubt (its share matching, its "
                f"mean timing error) that is the assumed weights' rather than the seeds': "
                f"{len(draws)} draws of the {len(assumed_weights())} utility weights, each "
                f"between {1 - ASSUMPTION_RANGE:g} and {1 + ASSUMPTION_RANGE:g} times its "
                f"value, over {len(few)} seeds each; sd_w^2 / (sd_w^2 + se^2), above 0.5 the "
                "score rests mostly on the weights (- where neither varies).")
    scores = write_backtest(out, runs, scored_against, polls, header, loaded.scenario.turns,
                            drawn, note)
    files = [*BACKTEST_FILES, "manifest.json"]
    request = base.model_dump(include={"parameters", "overrides", "governments", "levers",
                                       "population"})
    manifest = BacktestManifest(
        ip4sim=package_version("ip4sim"),
        scenario=ScenarioRecord(id=loaded.scenario.id, title=loaded.scenario.title,
                                file=loaded.path, sha256=loaded.sha256,
                                turns=loaded.scenario.turns,
                                turn_represents=loaded.scenario.turn_represents),
        record=RecordRef(file=scored_against.path, sha256=scored_against.sha256,
                         title=scored_against.title, entries=len(scored_against.entries)),
        rule=checked.rule.spec(), root_seed=root_seed, seeds=seeds,
        failed=len(results) - len(runs), what_if=request, files=files, versions=versions(),
        git_commit=git_commit(), command=command or [],
        created=datetime.now(UTC).isoformat(timespec="seconds"))
    write_text(out / "manifest.json", manifest.model_dump_json(indent=2) + "\n")
    return Backtest(scored_against, scores, seeds, len(results) - len(runs), out, files)


def ema_model(sweep: str | Path, name: str = "ip4sim"):
    """A sweep file as an EMA Workbench model (``sim.ema``): its factors the
    uncertainties and levers, its rules a lever, its outcomes those of
    ``analysis.outcomes``, its seeds the replications. Needs ``ip4sim[ema]``."""
    from sim import ema

    return ema.ema_model(sweep, run_outcomes, known_outcome, name)
