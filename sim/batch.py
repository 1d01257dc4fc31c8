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
import gc
import logging
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scenarios.errors import InputError, Problem
from scenarios.loader import load_scenario
from sim.outputs import EventBase, Row, reads_terms
from sim.provenance import code_fingerprint
from sim.request import CheckedRun, RunRequest
from sim.rules import parse_rule, rule_names
from sim.runner import play

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
        """The checked run (its scenario is parsed once per process and file content)."""
        name = self.request.scenario
        loaded = load_scenario(name)
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
    trace: str | None = None  # the failed run's whole traceback

    @property
    def ok(self) -> bool:
        return self.error is None


def run_job(job: Job, reduce: Reduce) -> list[Any]:
    """Play one job and reduce it: what a worker does for each job of its chunk. Rows are
    ``(rule spec, seed, *row)`` for each row ``reduce(events, timeseries)`` gives. A
    reduce marked :func:`sim.outputs.reads_no_terms` gets runs whose choices are not
    explained (the same events but for ``Choice.terms``, in less time)."""
    checked = job.checked()
    with collector_paused():
        result = play(checked, explained=reads_terms(reduce))
    rule, seed = checked.rule.spec(), checked.seed
    return [(rule, seed, *row) for row in reduce(result.events, result.timeseries)]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while a run plays, then one collection
    of the young objects, which frees the run's model (Mesa's agents and their model refer
    to each other). A run makes a few thousand objects that live to its end, so left on
    the collector starts two or three times a run and walks them each time, a tenth of a
    run's time (``docs/performance.md``). A caller that turned it off keeps it off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)


def _run_chunk(chunk: Sequence[tuple[int, Job]], reduce: Reduce,
               code: str | None = None) -> list[JobResult]:
    """Play a chunk's jobs; ``code``: the batch's code fingerprint, which a worker in
    another process checks against its own, failing every job if they differ (a Dask
    worker started from another checkout would otherwise mix two models in one dataset)."""
    if code is not None and code != code_fingerprint():
        message = (f"this worker runs other code than the batch (code fingerprint "
                   f"{code_fingerprint()} here, {code} where the batch started): start the "
                   "workers from the same version of ip4sim")
        return [JobResult(index, job, None, message) for index, job in chunk]
    out = []
    for index, job in chunk:
        try:
            out.append(JobResult(index, job, run_job(job, reduce)))
        except Exception as err:  # a failed run is recorded; the batch goes on
            out.append(JobResult(index, job, None, describe_error(err), traceback.format_exc()))
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


def _worker_start(main_pid: int) -> None:
    """In each pool worker: leave Ctrl-C to the main process (which stops the batch and
    keeps what finished), and die with the main process, even on ``kill -9``. A worker
    blocked on its task queue would otherwise outlive its batch for ever, and keep the
    forkserver and the resource tracker alive with it: each worker holds a copy of the
    pipes whose closing tells them the batch is over. The modules the worker imported
    are moved out of the collector's sight (``gc.freeze``): they live as long as the
    worker, and the collections between runs need not walk them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()

    def watch() -> None:
        while _alive(main_pid):
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="ip4sim-main-watch").start()


def _alive(pid: int) -> bool:
    """Whether the process runs (a killed process its parent has not yet reaped, a
    zombie, counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by someone else
        return True
    with contextlib.suppress(OSError):  # Linux: the state follows the name in parentheses
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    return True


def dask_setup(worker) -> None:
    """In each worker of our local Dask cluster (its ``preload``, ``sim.sweep.dask_executor``):
    leave Ctrl-C to the main process, as a pool worker does (:func:`_worker_start`). A
    terminal's Ctrl-C reaches every process of its group; a Dask worker would otherwise stop
    on it with a traceback, and the cluster would log the lost worker, while the main
    process stops the batch and closes the cluster itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def quiet_dask_logs() -> None:
    """In this process: Dask's warnings silenced (errors still said); for a cluster being
    closed because the batch stopped, whose cancelled tasks and killed workers are our doing."""
    logging.getLogger("distributed").setLevel(logging.ERROR)


# How often a worker checks that the main process is alive: a worker outlives a killed
# batch by at most this much.
PARENT_POLL_SECONDS = 0.5


def process_pool(workers: int, preload: Sequence[str] = ()) -> ProcessPoolExecutor:
    """A local process pool started with ``forkserver``: the server process imports the
    engine once (``preload``), and each worker is forked from it, so a worker starts in
    milliseconds with the modules already imported, and never inherits the parent's
    threads (``fork`` from a threaded parent, e.g. after pyarrow or a progress bar, can
    deadlock, and Python 3.12 warns about it). Workers ignore Ctrl-C and die with their
    parent (:func:`_worker_start`)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.batch", *(m for m in preload if m != "__main__")])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_worker_start, initargs=(os.getpid(),))


@contextlib.contextmanager
def main_script_hidden(reduce: Reduce):
    """While workers start, hide the calling script from multiprocessing, so the workers
    (and the forkserver) do not run it again: a script without an ``if __name__ ==
    "__main__":`` guard would otherwise start a batch inside each of them and break the
    pool. The jobs and ``reduce`` live in importable modules, so the workers never need
    the script; a ``reduce`` defined in the script itself does, and then the guard is
    needed as for any multiprocessing."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None or reduce.__module__ == "__main__" or \
            getattr(main, "__spec__", None) is not None:  # `python -m`: imported by name
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


class BatchFailed(RuntimeError):
    """Most runs of a batch failed: a result made of the few that did not would mislead."""


# A batch in which more than this share of the runs failed raises BatchFailed instead of
# returning the rest: a systematic fault (a broken pool, a bad setting) not a rare run.
MAX_FAILED_SHARE = 0.5
def stream_chunks(chunks: Iterable[Sequence[tuple[int, Job]]], reduce: Reduce,
                  workers: int, executor: Executor | None = None
                  ) -> Iterator[list[JobResult]]:
    """The results of each chunk of ``(index, job)`` as it finishes, in any order: in this
    process (``workers == 1`` and no executor), on a local pool, or on ``executor``.
    Chunks are taken from ``chunks`` as workers free up (at most
    :data:`IN_FLIGHT_PER_WORKER` per worker are sent ahead), so a generator of chunks is
    never held in memory whole.

    A local pool that breaks (a worker killed, or out of memory) is replaced and every
    chunk not yet finished is sent again; the chunks already finished are kept. If it
    breaks again, a chunk may be killing its worker: the lost chunks are then sent one
    at a time until the one that breaks the pool alone is found; its runs are recorded
    as failed and the rest go back to running in parallel. A break is one event,
    described once, so recording it costs the same however many chunks were waiting.
    A broken executor passed in (not ours to replace) fails the chunks it lost.
    Ctrl-C (KeyboardInterrupt) cancels what has not started, lets the running chunks
    end, and propagates, so the caller keeps what finished.
    """
    if executor is None and workers == 1:
        for chunk in chunks:
            yield _run_chunk(chunk, reduce)
        return
    own = executor is None
    pool = executor
    source = iter(chunks)
    resend: deque[Sequence[tuple[int, Job]]] = deque()  # lost in a break: sent first
    in_flight: dict[Future, Sequence[tuple[int, Job]]] = {}
    breaks = 0  # since the last chunk found to kill its worker
    try:
        while True:
            if own and pool is None:
                pool = process_pool(workers, [reduce.__module__])
            probing = breaks >= 2
            limit = 1 if probing else workers * IN_FLIGHT_PER_WORKER
            broken: BaseException | None = None
            with main_script_hidden(reduce):
                while len(in_flight) < limit and (chunk := _next(resend, source)) is not None:
                    try:
                        in_flight[pool.submit(_run_chunk, chunk, reduce,
                                              code_fingerprint())] = chunk
                    except BrokenProcessPool as err:  # a worker died since the last wait
                        resend.appendleft(chunk)
                        broken = err
                        break
            if not in_flight and broken is None:
                return
            finished = () if broken is not None else \
                wait(in_flight, return_when=FIRST_COMPLETED)[0]
            for future in finished:
                try:
                    done = future.result()
                except BrokenProcessPool as err:  # every unfinished future shares it
                    broken = err
                    break
                except Exception as err:  # the transport failed this chunk alone
                    message = f"chunk failed: {describe_error(err)}"
                    done = [JobResult(i, job, None, message) for i, job in in_flight[future]]
                del in_flight[future]
                yield done
            if broken is None:
                continue
            lost = []
            for future, chunk in in_flight.items():  # finished before the break: keep
                if future.done() and not future.cancelled() and future.exception() is None:
                    yield future.result()
                else:
                    lost.append(chunk)
            in_flight = {}
            message = f"its worker died: {describe_error(broken)}"
            if not own:
                for chunk in [*lost, *resend, *source]:
                    yield [JobResult(i, job, None, message) for i, job in chunk]
                return
            pool.shutdown(wait=True, cancel_futures=True)
            pool = None
            if probing:  # this chunk broke the pool on its own
                for chunk in lost:
                    yield [JobResult(i, job, None, message) for i, job in chunk]
                breaks = 0
            else:
                breaks += 1
                resend.extendleft(reversed(lost))
    except BaseException:  # Ctrl-C, or the caller stopped: what is under way is dropped
        if own and pool is not None:
            stop_now(pool)
            pool = None
        raise
    finally:
        if own and pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def stop_now(pool: ProcessPoolExecutor) -> None:
    """Our pool stopped at once, its workers ended mid-chunk: the caller drops the chunks
    under way (a part is written only whole), so waiting for them would only make a Ctrl-C
    take a chunk's time (seconds), and a second Ctrl-C during that wait left the workers
    blocked on a full result pipe and the process hung at exit."""
    # Python 3.12 has no public way to end a pool's workers (3.14 adds terminate_workers)
    for process in list((pool._processes or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _next(resend: deque, source: Iterator):
    return resend.popleft() if resend else next(source, None)


# Chunks sent ahead per worker: enough that a worker never waits for the main process to
# hand it work, few enough that a long batch's jobs are not all held in memory at once.
IN_FLIGHT_PER_WORKER = 4


def run_jobs(jobs: Sequence[Job], reduce: Reduce, workers: int | None = None,
             chunk_size: int | None = None, executor: Executor | None = None,
             progress: bool = True, description: str = "runs") -> list[JobResult]:
    """Play every job, reduce each where it ran, and return one JobResult per job, in
    job order.

    ``workers``: processes for the local pool (default: every core); 1 runs in this
    process. ``executor``: any ``concurrent.futures.Executor`` to use instead (it is not
    shut down here); ``workers`` then only sizes the chunks. ``chunk_size``: jobs per
    task (default: about :data:`TARGET_CHUNK_SECONDS` of work, timed on the first job,
    which a parallel batch plays in this process first). ``progress``: a progress
    display on stderr (:class:`Progress`).

    ``reduce`` must be a module-level function so it can be pickled to the workers. A
    job whose run raises gets a JobResult with ``error`` set and ``rows`` None. A worker
    that dies costs only the time of its chunk (:func:`stream_chunks`). If more than
    :data:`MAX_FAILED_SHARE` of the runs fail, :class:`BatchFailed` is raised.
    """
    jobs = list(jobs)
    workers = workers or default_workers()
    if workers < 1:
        raise ValueError(f"workers must be >= 1, not {workers}")
    indexed = list(enumerate(jobs))
    results: list[JobResult | None] = [None] * len(jobs)
    failed = 0

    def keep(done: list[JobResult]) -> None:
        nonlocal failed
        for r in done:
            results[r.index] = r
            failed += not r.ok

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
    with Progress(len(jobs), len(jobs) - len(indexed), description, progress) as bar:
        for done in stream_chunks(chunks, reduce, workers, executor):
            keep(done)
            bar.update(len(done), sum(not r.ok for r in done))
    check_failures(failed, len(jobs), next((r.error for r in results if r and not r.ok), ""))
    return results  # type: ignore[return-value]


def check_failures(failed: int, total: int, example: str | None) -> None:
    """Raise :class:`BatchFailed` when most of a batch failed."""
    if total and failed > MAX_FAILED_SHARE * total:
        raise BatchFailed(f"{failed} of {total} runs failed, e.g. {example}")


class Progress:
    """Runs done, failures, runs per second and time left, on stderr: a live bar on a
    terminal, else a plain line every :data:`PROGRESS_LINE_SECONDS` (a log file or a
    CI job gets a readable record, not carriage returns)."""

    def __init__(self, total: int, initial: int = 0, description: str = "runs",
                 enabled: bool = True, stream=None) -> None:
        self.total, self.done, self.failed = total, initial, 0
        self.initial, self.description, self.enabled = initial, description, enabled
        self.stream = stream or sys.stderr
        self.start = self.last = time.monotonic()
        self.bar = None
        if enabled and self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, desc=description, unit="run",
                            smoothing=0.1, mininterval=0.25, file=self.stream)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, n: int, failed: int = 0) -> None:
        self.done += n
        self.failed += failed
        if self.bar is not None:
            self.bar.update(n)
            if failed:
                self.bar.set_postfix(failed=self.failed)
        elif self.enabled and time.monotonic() - self.last >= PROGRESS_LINE_SECONDS:
            self.last = time.monotonic()
            print(self.line(), file=self.stream, flush=True)

    def line(self) -> str:
        seconds = max(time.monotonic() - self.start, 1e-9)
        rate = (self.done - self.initial) / seconds
        left = f"{(self.total - self.done) / rate:.0f} s left" if rate > 0 else "time left ?"
        return (f"{self.description}: {self.done}/{self.total} runs, {self.failed} failed, "
                f"{rate:.1f} runs/s, {left}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self.enabled and self.stream is not None and self.done > self.initial:
            print(self.line(), file=self.stream, flush=True)
        self.enabled = False


PROGRESS_LINE_SECONDS = 10.0


# -- comparing rules: every rule over the same seeds -------------------------------------

# The order "--rules all" lists the rules in: from no coordination to the most binding,
# then the report's own condition; any rule added later comes after, alphabetically.
RULE_ORDER = ("bilateral", "caucus", "consensus", "coalition", "lead", "hybrid", "formal")


def split_rules(text: str) -> list[str]:
    """``all`` or a comma list of rule specs, each once (:func:`given_rules`)."""
    return list(dict.fromkeys(given_rules(text)))


def given_rules(text: str) -> list[str]:
    """``all`` or a comma list of rule specs, as given; a piece that is only ``key=value``
    belongs to the spec before it, so ``caucus,hybrid:min_stake=0.2,max_spread=0.3`` is two
    rules. ``all`` may be mixed with specs (``all,coalition:k=2``)."""
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
    return specs


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
