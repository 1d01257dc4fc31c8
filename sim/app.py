"""The application: the engine's runs joined to what analysis makes of them.

The one module of ``sim/`` that imports ``analysis/`` (a test keeps it so): the command
line and Python users call these to play and report, or to compare rules and summarize.
"""

from __future__ import annotations

import json
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from analysis.compare import BOUNDS, SUMMARY_FILES, SummaryRow, format_table, summarize_batch
from analysis.debrief import write_debrief
from analysis.figures import summary_figure
from analysis.narrative import LiveAccount, narrate, sources
from analysis.outcomes import run_outcomes
from analysis.sensitivity import analyze_sweep
from analysis.why import choices_of, explain
from sim.outputs import ResultRow
from sim.request import RunRequest
from sim.runner import RunResult, write_run
from sim.sweep import Failure, SweepRun, compare_rules, dask_executor, plan_sweep, run_store

__all__ = ["LiveAccount", "analyze", "choices_of", "compare", "explain", "narrate", "report",
           "run_sweep", "sources", "summary_figure", "write_debrief"]


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

    def table(self) -> str:
        return format_table(self.summary, self.rules)


def line_outcomes(events: list, rows: list) -> dict[str, float]:
    """A line of play's run-wide outcomes (``analysis.outcomes``), outcome -> value, read
    from its events and time series as any run's are."""
    return {outcome: value for outcome, actor, value in run_outcomes(events, rows) if not actor}


def compare(scenario: str | RunRequest = "ukraine_response", rules: list[str] | str = "all",
            n_seeds: int = 100, root_seed: int = 1, workers: int | None = None,
            out_dir: str | Path | None = None, progress: bool = True,
            executor: Executor | None = None,
            command: list[str] | None = None, **what_if) -> Comparison:
    """Every rule over the same seeds: runs (``sim.sweep.compare_rules``, a
    one-factor sweep that resumes when called again after an interruption), then the
    summary, table and figures (``analysis.compare``). ``scenario`` is a name or path, or
    a RunRequest whose rule and seed are replaced; ``what_if`` are RunRequest fields
    (``parameters=``, ``overrides=``, ``governments=``, ``levers=``, ``population=``).
    ``executor``: any concurrent.futures.Executor, e.g. a Dask client's."""
    base = scenario if isinstance(scenario, RunRequest) else \
        RunRequest(scenario=scenario, **what_if)
    batch = compare_rules(base, rules, n_seeds, run_outcomes, root_seed=root_seed,
                          workers=workers, out_dir=out_dir, progress=progress,
                          executor=executor, command=command)
    manifest = json.loads((batch.out_dir / "manifest.json").read_text(encoding="utf-8"))
    title = f"{batch.checked.loaded.scenario.title}: {n_seeds} seeds per rule"
    summary = summarize_batch(batch.results, batch.rules, title, batch.out_dir, manifest)
    return Comparison(batch.checked.loaded.scenario.id, batch.rules, batch.seeds, summary,
                      batch.results, batch.failures, batch.out_dir, batch.seconds,
                      [*batch.files, *SUMMARY_FILES])


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
