"""Run many jobs (scenario x rule x seed x parameters) on every core, and reduce each run
where it ran.

This is the engine side of comparisons and sweeps; it knows nothing of analysis. A
caller hands :func:`run_jobs` a list of :class:`Job` and a *reduce* function, a
module-level (so picklable) function ``(events, timeseries) -> list of rows``. Each job is
played and reduced in the worker, so only the small rows travel back, never the
events or the time series.

* **Seeds** come from one root seed (:func:`derive_seeds`), so a sweep is named by
  its root seed and any one of its runs can be reproduced alone from its own seed.
* **Chunks**: a run of a built-in scenario takes a few milliseconds, while handing one
  task to a process pool costs about a millisecond (pickling, a pipe round trip, future
  bookkeeping); one task per run would spend much of the time on overhead (Mesa's
  ``batch_run`` on two processes is slower than on one for millisecond runs). Jobs are
  therefore sent in chunks of about :data:`TARGET_CHUNK_SECONDS` of work each, sized
  from the time of the first job, which is played here before the others are sent
  (the engine's speed changes as it grows, so a constant would go stale).
* **Failure isolation**: a run that raises becomes a failure record (its job and the
  error message); the other runs go on.
* **Order**: results come back in job order whatever order the workers finish in, so
  a serial and a parallel batch give the same rows, byte for byte once written.
* **Executors**: ``workers=1`` runs in this process (no pool, easy to debug and
  profile); otherwise a local :class:`~concurrent.futures.ProcessPoolExecutor`; or
  any :class:`concurrent.futures.Executor` passed as ``executor``, e.g. a Dask
  cluster's ``Client("tcp://scheduler:8786").get_executor()`` (Dask is not a
  dependency; the executor only needs ``submit``). The workers must be able to import
  this package and read the scenario file at the path the job names.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from scenarios.errors import InputError, Problem
from sim.outputs import EventBase, ResultRow, Row, write_results, write_text
from sim.progress import progress as progress_of
from sim.request import CheckedRun, RunRequest, cached_scenario, check_seed_count
from sim.rules import parse_rule, rule_names
from sim.runner import git_commit, package_version, play, versions

# What a worker keeps of a run: a module-level (so picklable) function of its events and
# time series, e.g. analysis.outcomes.run_outcomes; only its small rows travel back.
Reduce = Callable[[list[EventBase], list[Row]], list[tuple]]

# Seconds of work aimed at per chunk. Long enough that the pool's ~1 ms per task is under
# 1% of the work; short enough that the progress bar moves several times a second per
# worker, that the last, unbalanced chunks cost a fraction of a second, and that an
# interrupted batch loses little.
TARGET_CHUNK_SECONDS = 0.2
# Used when no run has been timed (serial batches, where chunks only pace the progress
# bar): a 10-turn built-in scenario, played and reduced, took 6-20 ms here.
RUN_SECONDS_ESTIMATE = 0.01
# At least this many chunks per worker, so a short batch still spreads over all workers.
MIN_CHUNKS_PER_WORKER = 4


def derive_seeds(root_seed: int, n: int) -> list[int]:
    """``n`` run seeds from one root seed, each a non-negative int below 2**63.

    numpy's ``SeedSequence(root_seed).generate_state(n, uint64)``: a hash of the root
    seed, documented by numpy as stable across versions and platforms, with no useful
    correlation between neighbouring words. The list is prefix-stable (the first 100
    seeds of a 500-seed batch are the seeds of a 100-seed batch with the same root), so
    a comparison can be extended without rerunning what it has. The top bit is cleared
    so a seed fits a signed 64-bit column (Parquet, CSV readers); with 63 bits a
    repeated seed is vanishingly unlikely even over millions of runs.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    words = np.random.SeedSequence(int(root_seed)).generate_state(n, dtype=np.uint64)
    return [int(w) & (2**63 - 1) for w in words]


@dataclass(frozen=True)
class Job:
    """One run to play: a request (plain values, so it pickles cheaply) and, when given,
    the sha256 of the scenario file the batch was planned with: the worker checks it
    against the file it loads, so an edit to the scenario in the middle of a batch fails
    the runs instead of mixing two versions."""

    request: RunRequest
    sha256: str | None = None

    def checked(self) -> CheckedRun:
        """The checked run, loading (and caching, per process) its scenario."""
        name = self.request.scenario
        loaded = cached_scenario(name)
        if self.sha256 and loaded.sha256 != self.sha256:
            cached_scenario.cache_clear()  # the file changed since this process cached it
            loaded = cached_scenario(name)
        if self.sha256 and loaded.sha256 != self.sha256:
            raise RuntimeError(f"scenario {name} changed since the batch started "
                               f"(sha256 {loaded.sha256[:12]}, expected {self.sha256[:12]})")
        return self.request.check(loaded)


@dataclass(frozen=True)
class JobResult:
    """What became of one job: its reduced rows, or the error that stopped it."""

    index: int  # position in the job list
    job: Job
    rows: list[Any] | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_job(job: Job, reduce: Reduce) -> list[Any]:
    """Play one job and reduce it: what a worker does for each job of its chunk. Rows are
    ``(rule spec, seed, *row)`` for each row ``reduce(events, timeseries)`` gives."""
    checked = job.checked()
    result = play(checked)
    rule, seed = checked.rule.spec(), checked.seed
    return [(rule, seed, *row) for row in reduce(result.events, result.timeseries)]


def _run_chunk(chunk: Sequence[tuple[int, Job]], reduce: Reduce) -> list[JobResult]:
    out = []
    for index, job in chunk:
        try:
            out.append(JobResult(index, job, run_job(job, reduce)))
        except Exception as err:  # a failed run is recorded; the batch goes on
            out.append(JobResult(index, job, None, describe_error(err)))
    return out


def _timed_first(item: tuple[int, Job], reduce: Reduce) -> tuple[JobResult, float]:
    """Play one job in this process, timed without loading its scenario and rule."""
    with contextlib.suppress(Exception):  # a bad job fails again, and is recorded, below
        item[1].checked()  # load and cache the scenario outside the timing
    start = time.perf_counter()
    result = _run_chunk([item], reduce)[0]
    return result, time.perf_counter() - start


def describe_error(err: BaseException) -> str:
    """``Type: message (file:line in function)`` for the innermost frame."""
    frames = traceback.extract_tb(err.__traceback__)
    where = f" ({os.path.basename(frames[-1].filename)}:{frames[-1].lineno} in " \
            f"{frames[-1].name})" if frames else ""
    return f"{type(err).__name__}: {err}{where}"


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_chunk_size(n_jobs: int, workers: int,
                       seconds_per_run: float = RUN_SECONDS_ESTIMATE) -> int:
    """About :data:`TARGET_CHUNK_SECONDS` of work per chunk, but at least
    :data:`MIN_CHUNKS_PER_WORKER` chunks per worker when the batch is small."""
    by_time = max(1, round(TARGET_CHUNK_SECONDS / max(seconds_per_run, 1e-4)))
    by_balance = max(1, math.ceil(n_jobs / (workers * MIN_CHUNKS_PER_WORKER)))
    return min(by_time, by_balance)


def process_pool(workers: int, preload: Sequence[str] = ()) -> ProcessPoolExecutor:
    """A local process pool started with ``forkserver``: the server process imports the
    engine once (``preload``), and each worker is forked from it, so a worker starts in
    milliseconds with the modules already imported, and never inherits the parent's
    threads (``fork`` from a threaded parent, e.g. after pyarrow or a progress bar, can
    deadlock, and Python 3.12 warns about it)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.batch", *preload])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def run_jobs(jobs: Sequence[Job], reduce: Reduce, workers: int | None = None,
             chunk_size: int | None = None, executor: Executor | None = None,
             progress: bool = True, description: str = "runs") -> list[JobResult]:
    """Play every job, reduce each where it ran, and return one JobResult per job, in
    job order.

    ``workers``: processes for the local pool (default: every core); 1 runs in this
    process. ``executor``: any ``concurrent.futures.Executor`` to use instead (it is not
    shut down here); ``workers`` then only sizes the chunks. ``chunk_size``: jobs per
    task (default: about :data:`TARGET_CHUNK_SECONDS` of work, timed on the first job,
    which a parallel batch plays in this process first). ``progress``: a bar on stderr
    when it is a terminal, else plain occasional lines (``sim.progress``).

    With the local pool (``forkserver``, like ``spawn``), a script that calls this must
    guard its entry point with ``if __name__ == "__main__":``, as for any multiprocessing.

    ``reduce`` must be a module-level function so it can be pickled to the workers. A
    job whose run raises gets a JobResult with ``error`` set and ``rows`` None; so does
    every job of a chunk whose worker died (the error then names the pool's failure).
    """
    jobs = list(jobs)
    workers = workers or default_workers()
    if workers < 1:
        raise ValueError(f"workers must be >= 1, not {workers}")
    indexed = list(enumerate(jobs))
    results: list[JobResult | None] = [None] * len(jobs)

    def keep(done: list[JobResult]) -> None:
        for r in done:
            results[r.index] = r

    serial = executor is None and workers == 1
    if serial or chunk_size:
        size = chunk_size or default_chunk_size(len(jobs), workers)
    else:  # time the first job here, and size the chunks of the rest from it
        first, seconds = _timed_first(indexed[0], reduce) if indexed else (None, 0.0)
        if first is not None:
            keep([first])
            indexed = indexed[1:]
        estimate = seconds if first is not None and first.ok else RUN_SECONDS_ESTIMATE
        size = default_chunk_size(len(indexed), workers, estimate)
    chunks = [indexed[i:i + size] for i in range(0, len(indexed), size)]

    if serial:
        with progress_of(len(jobs), description, disable=not progress) as bar:
            for chunk in chunks:
                keep(_run_chunk(chunk, reduce))
                bar.update(len(chunk))
        return results  # type: ignore[return-value]

    own = executor is None
    pool = process_pool(workers, [reduce.__module__]) if own else executor
    try:
        futures: dict[Future, list[tuple[int, Job]]] = {
            pool.submit(_run_chunk, chunk, reduce): chunk for chunk in chunks}
        with progress_of(len(jobs), description, initial=len(jobs) - len(indexed),
                         disable=not progress) as bar:
            for future in as_completed(futures):
                chunk = futures[future]
                try:
                    keep(future.result())
                except Exception as err:  # the worker or the transport failed
                    message = f"chunk failed: {describe_error(err)}"
                    keep([JobResult(i, job, None, message) for i, job in chunk])
                bar.update(len(chunk))
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    return results  # type: ignore[return-value]



# -- comparing rules: every rule over the same seeds -------------------------------------

# The order "--rules all" lists the rules in: from no coordination to the most binding,
# then the report's own condition; any rule added later comes after, alphabetically.
RULE_ORDER = ("bilateral", "caucus", "consensus", "coalition", "lead", "hybrid", "formal")


def split_rules(text: str) -> list[str]:
    """``all`` or a comma list of rule specs; a piece that is only ``key=value`` belongs to
    the spec before it, so ``caucus,hybrid:min_stake=0.2,max_spread=0.3`` is two rules.
    ``all`` may be mixed with specs (``all,coalition:k=2``)."""
    specs: list[str] = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        if "=" in piece and ":" not in piece and specs and ":" in specs[-1]:
            specs[-1] += "," + piece
        elif piece == "all":
            specs += all_rules()
        else:
            specs.append(piece)
    return list(dict.fromkeys(specs))


def all_rules() -> list[str]:
    names = rule_names()
    return [r for r in RULE_ORDER if r in names] + sorted(set(names) - set(RULE_ORDER))


def check_rules(rules: list[str] | str) -> list[str]:
    """The rule specs, each checked (InputError naming every bad one, as ``--rules``);
    two specs for the same rule and parameters are kept once."""
    specs = split_rules(rules) if isinstance(rules, str) else list(rules)
    if not specs:
        raise InputError.one("--rules", "", "no rule given; use all or a comma list, "
                             "e.g. bilateral,caucus,coalition:k=3")
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for spec in specs:
        try:
            seen.setdefault(parse_rule(spec).spec(), spec)
        except InputError as err:
            problems += [Problem("--rules", p.field, p.message) for p in err.problems]
    if problems:
        raise InputError(problems)
    return list(seen.values())


@dataclass
class Batch:
    """What :func:`compare_rules` ran and wrote: the result rows, the failures, and where."""

    checked: CheckedRun  # the first rule's run, for the scenario and the parameters
    rules: list[str]
    seeds: list[int]
    results: list[ResultRow]
    failures: list[JobResult]
    out_dir: Path
    seconds: float
    files: list[str]


def compare_rules(base: RunRequest, rules: list[str] | str, n_seeds: int, reduce: Reduce,
                  root_seed: int = 1, workers: int | None = None,
                  out_dir: str | Path | None = None, progress: bool = True,
                  chunk_size: int | None = None, executor: Executor | None = None,
                  command: list[str] | None = None) -> Batch:
    """Play ``base`` under every rule over the same ``n_seeds`` seeds (from ``root_seed``),
    reduce each run with ``reduce`` where it ran, and write ``results.parquet``,
    ``results.csv``, ``failures.csv`` (if some failed) and ``manifest.json`` to
    ``out_dir`` (default ``runs/compare-SCENARIO``). Bad input raises InputError before
    any run."""
    check_seed_count(n_seeds)
    if workers is not None and workers < 1:
        raise InputError.one("--workers", str(workers), "must be at least 1")
    specs = check_rules(rules)
    checked = base.model_copy(update={"rule": specs[0]}).check()
    sid = checked.loaded.scenario.id
    out = Path(out_dir) if out_dir else Path("runs") / f"compare-{sid}"
    try:  # before any run: a batch must never compute what it cannot write
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError.one("--out", str(out), f"cannot create the folder: {err}") from None
    seeds = derive_seeds(root_seed, n_seeds)
    request = checked.request.model_copy(update={"scenario": checked.loaded.path})
    jobs = [Job(request.model_copy(update={"rule": spec, "seed": seed}), checked.loaded.sha256)
            for spec in specs for seed in seeds]
    start = time.perf_counter()
    done = run_jobs(jobs, reduce, workers=workers, chunk_size=chunk_size, executor=executor,
                    progress=progress, description=sid)
    seconds = time.perf_counter() - start
    results: list[ResultRow] = [(sid, r.job.request.rule, seed, outcome, actor, value)
                                for r in done if r.ok
                                for _, seed, outcome, actor, value in r.rows]
    failures = [r for r in done if not r.ok]
    files = write_results(results, out)
    stale = out / "failures.csv"
    if failures:
        write_text(stale, failures_csv(failures, sid))
        files.append("failures.csv")
    elif stale.exists():
        stale.unlink()
    record = batch_manifest(checked, specs, root_seed, seeds, len(jobs), len(failures), seconds,
                            "executor" if executor else workers or default_workers(), command)
    write_text(out / "manifest.json", json.dumps(record, indent=2) + "\n")
    files.append("manifest.json")
    return Batch(checked, specs, seeds, results, failures, out, seconds, files)


def failures_csv(failures: list[JobResult], scenario: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("scenario", "rule", "seed", "error"))
    for f in failures:
        writer.writerow((scenario, f.job.request.rule, f.job.request.seed, f.error))
    return buf.getvalue()


def batch_manifest(checked: CheckedRun, specs: list[str], root_seed: int, seeds: list[int],
                   runs: int, failed: int, seconds: float, workers: int | str,
                   command: list[str] | None) -> dict:
    scenario, request = checked.loaded.scenario, checked.request
    return {
        "kind": "compare",
        "ip4sim": package_version("ip4sim"),
        "scenario": {"id": scenario.id, "title": scenario.title, "file": checked.loaded.path,
                     "sha256": checked.loaded.sha256, "turns": scenario.turns,
                     "turn_represents": scenario.turn_represents},
        "rules": [{"label": s, "spec": parse_rule(s).spec()} for s in specs],
        "seeds": {"root_seed": root_seed, "n": len(seeds),
                  "derivation": "numpy SeedSequence(root_seed).generate_state(n, uint64) "
                                "& (2**63 - 1) (sim.batch.derive_seeds)",
                  "seeds": seeds},
        "parameters": checked.params.model_dump(),
        "overrides": request.overrides,
        "governments": request.governments,
        "levers": request.levers,
        "runs": runs,
        "failed": failed,
        "workers": workers,
        "seconds": round(seconds, 3),
        "runs_per_second": round(runs / seconds, 1) if seconds > 0 else None,
        "versions": {**versions(), "pyarrow": package_version("pyarrow")},
        "git_commit": git_commit(),
        "command": command or [],
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
