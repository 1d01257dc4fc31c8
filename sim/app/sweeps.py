"""Sweep files run into their store, their analysis, and the same sweep as an EMA
Workbench model."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from analysis.outcomes import OUTCOMES, RUN_WIDE, declared, run_outcomes
from analysis.sensitivity import analyze_sweep
from scenarios.errors import did_you_mean
from sim.analysis_folder import (
    ANALYSIS_MANIFEST,
    analysis_folder,
    analysis_record,
    check_sweep_folder,
    finish_analysis,
    set_aside_old_analysis,
    start_analysis,
    stray_files,
)
from sim.sweep import SweepRun, dask_executor, plan_sweep, run_store


def outcome_problem(name: str) -> str | None:
    """What is wrong with an outcome a sweep file names, or None for one
    ``analysis.outcomes`` computes and declares (``analysis.outcomes.OUTCOMES``;
    ``belief.NARRATIVE`` for any narrative)."""
    if declared(name):
        return None
    return (f"unknown outcome {name!r}{did_you_mean(name, OUTCOMES)}; known: "
            f"{', '.join(sorted(OUTCOMES))}, belief.NARRATIVE (analysis.outcomes.OUTCOMES)")


def check_sweep(file: str | Path) -> str:
    """A sweep file checked as :func:`run_sweep` checks it (InputError: every problem, by
    file, field and line), nothing run or written: what it would run, in a line."""
    plan = plan_sweep(file, outcome_problem)
    design = plan.sweep.design
    return (f"{len(plan.jobs):,} runs planned: {len(plan.unit)} design points "
            f"({design.kind}) x {len(plan.scenarios)} scenario(s) x {len(plan.rules)} "
            f"rule(s) x {len(plan.seeds)} replicate(s); rules: {', '.join(plan.rules)}; "
            f"outcomes: {', '.join(plan.sweep.outcomes)}")


def run_sweep(file: str | Path, out_dir: str | Path, workers: int | None = None,
              dask: str | None = None, executor: Executor | None = None,
              retry_failed: bool = False, progress: bool = True,
              command: list[str] | None = None) -> SweepRun:
    """Run a sweep file into ``out_dir`` (``sim.sweep``), each run reduced to its outcomes
    (``analysis.outcomes``); resumes what the folder already holds. ``dask``: ``local`` or
    a scheduler's address; ``executor``: any concurrent.futures.Executor; ``command``: the
    command line, for the store's manifest. Bad input (the file, the folder, the
    address) raises InputError before any run."""
    plan = plan_sweep(file, outcome_problem)
    if dask is None:
        return run_store(plan, out_dir, run_outcomes, workers, executor, retry_failed,
                         progress, command=command)
    with dask_executor(dask, workers) as pool:
        return run_store(plan, out_dir, run_outcomes, workers, pool, retry_failed, progress,
                         command=command)


@dataclass
class Analysis:
    """Where :func:`analyze` wrote, the files it wrote there, and what a reader must not
    miss (runs missing or failed, indices not computed), also in ``analysis.md``."""

    out: Path
    files: list[str]
    notes: list[str]


def analyze(folder: str | Path, out: str | Path | None = None,
            command: list[str] | None = None) -> Analysis:
    """Tables, figures and a short report of a sweep's dataset (``analysis.sensitivity``)
    in ``out`` (default ``folder/_analysis``), with a manifest of what produced them
    (``sim.analysis_folder``; ``command``: the command line). InputError, before anything
    is written, for a folder that is not a sweep's or an ``out`` that may not be written."""
    folder = Path(folder)
    check_sweep_folder(folder)
    target = analysis_folder(folder, None if out is None else Path(out))
    set_aside_old_analysis(folder)
    # All computed before anything is touched: an analysis that fails leaves an earlier
    # one in ``target`` whole.
    done = analyze_sweep(folder)
    record = analysis_record(folder, done.manifest, done.coverage.runs, done.coverage.failed,
                             done.files, command)
    record["not_written"] = done.omitted  # each table left out, with why
    start_analysis(target, record)
    done.write(target)
    finish_analysis(target, record)
    stray = stray_files(folder)
    notes = done.notes + ([f"{folder} holds {', '.join(stray)}, which pandas.read_parquet and "
                           "pyarrow would read as data and fail on: move it out of the store "
                           "(ip4sim reads only the part files)"] if stray else [])
    return Analysis(target, [*done.files, ANALYSIS_MANIFEST], notes)


def ema_model(sweep: str | Path, name: str = "ip4sim"):
    """A sweep file as an EMA Workbench model (``sim.ema``): its factors the
    uncertainties and levers, its rules a lever, its outcomes those of
    ``analysis.outcomes``, its seeds the replications. Needs ``ip4sim[ema]``."""
    from sim import ema

    return ema.ema_model(sweep, run_outcomes, run_wide_outcome_problem, name)


def run_wide_outcome_problem(name: str) -> str | None:
    """:func:`outcome_problem`, and for EMA, which takes one number per experiment and
    outcome, an outcome the runs give only per partner (support, belief.*, in_group...)."""
    problem = outcome_problem(name)
    if problem or name in RUN_WIDE:
        return problem
    return (f"{name!r} has a value per partner and none for the whole run, and an EMA "
            f"outcome is one number per experiment: run-wide outcomes are "
            f"{', '.join(RUN_WIDE)} (ip4sim sweep and analyze read the others per partner)")
