"""Runs of a scenario set in history scored against the record of what happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agents.catalog import IP4
from agents.publics import ADVERSARIES
from analysis.backtest import BACKTEST_FILES, EntryScore, backtest_rows, write_backtest
from scenarios.errors import InputError
from scenarios.parameters import assumed_weights
from scenarios.record import Record, builtin_record, load_record
from sim.app.comparisons import (
    ASSUMPTION_RANGE,
    ASSUMPTION_SEEDS,
    draws_record,
    weight_draws,
    weighted,
)
from sim.batch import Job, derive_seeds, run_jobs
from sim.outputs import (
    BacktestManifest,
    RecordRef,
    ScenarioRecord,
    refuse_unless,
    write_manifest,
)
from sim.request import RunRequest
from sim.runner import git_commit, package_version, versions
from sim.writing import unfinished_removed


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
    the model never sees it. ``out_dir`` may hold an earlier backtest, which is rewritten,
    and nothing else (InputError before any run). ``what_if``: RunRequest fields, as for
    :func:`compare`; ``assumptions``: K draws of the assumed weights, as for
    :func:`compare`, give each entry's share of doubt that is the weights' rather than the
    seeds'."""
    base = RunRequest(scenario=scenario, rule=rule, **what_if)
    checked = base.check()
    loaded = checked.loaded
    path = record or builtin_record(loaded.scenario.id)
    if path is None:
        raise InputError.one("--record", "", f"{loaded.scenario.id!r} has no built-in record: "
                             "give one with --record FILE")
    scored_against = load_record(path, loaded.scenario, checked.catalog)
    out = Path(out_dir or Path("runs") / f"backtest-{loaded.scenario.id}")
    refuse_unless(out, {"empty", "backtest"}, "a backtest writes only into a new folder or "
                  "a backtest's: choose another folder with --out (nothing in it was touched)",
                  "--out")
    out.mkdir(parents=True, exist_ok=True)
    seeds = derive_seeds(root_seed, n_seeds)
    jobs = [Job(base.model_copy(update={"seed": seed}), loaded.sha256) for seed in seeds]
    results = run_jobs(jobs, backtest_rows, workers, progress=progress,
                       description="backtest runs")
    runs = [[row[2:] for row in r.rows] for r in results if r.ok]  # without rule and seed
    polls = {(code, adversary): (value.value, value.describe())
             for code in IP4 for adversary in ADVERSARIES
             for value in [checked.catalog.profiles[code].values[f"public_{adversary}_threat"]]}
    header = [f"`{' '.join(command or ['ip4sim', 'backtest'])}`: {len(runs)} runs of "
              f"`{loaded.scenario.id}` under {checked.rule.spec()} (seeds derived from root "
              f"seed {root_seed}), scored against `{scored_against.path}`."]
    drawn, note, draws_made = None, "", None
    if assumptions:
        draws = weight_draws(checked.params, assumptions, root_seed)
        few = seeds[:ASSUMPTION_SEEDS]
        extra = [Job(weighted(base, weights, seed=seed), loaded.sha256)
                 for weights in draws for seed in few]
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
        draws_made = draws_record(draws, few, len(extra), sum(not r.ok for r in ran))
    files = [*BACKTEST_FILES, "manifest.json"]
    request = base.model_dump(include={"parameters", "overrides", "governments", "levers",
                                       "population"})
    manifest = BacktestManifest(
        ip4sim=package_version("ip4sim"),
        scenario=ScenarioRecord(id=loaded.scenario.id, title=loaded.scenario.title,
                                file=loaded.location, sha256=loaded.sha256,
                                turns=loaded.scenario.turns,
                                turn_represents=loaded.scenario.turn_represents),
        record=RecordRef(file=scored_against.path, sha256=scored_against.sha256,
                         title=scored_against.title, entries=len(scored_against.entries)),
        rule=checked.rule.spec(), root_seed=root_seed, seeds=seeds,
        runs=len(jobs) + (draws_made.runs if draws_made else 0),
        failed=len(results) - len(runs), assumptions=draws_made, what_if=request,
        files=files, versions=versions(), git_commit=git_commit(), command=command or [],
        created=datetime.now(UTC).isoformat(timespec="seconds"))
    with unfinished_removed(out):  # a full disk: the same command writes it again
        scores = write_backtest(out, runs, scored_against, polls, header,
                                loaded.scenario.turns, drawn, note)
        write_manifest(out, manifest)
    return Backtest(scored_against, scores, seeds, len(results) - len(runs), out, files)
