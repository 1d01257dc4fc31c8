"""Faults: a killed worker, Ctrl-C, ``kill -9`` of the batch, most runs failing, and a
script without a ``__main__`` guard; none loses finished work or fails silently."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil
import pytest

from analysis.outcomes import run_outcomes
from sim.app import run_sweep
from sim.batch import BatchFailed, Job, run_jobs
from sim.request import RunRequest
from tests.sweeps import (
    ROOT,
    SMALL,
    cli,
    ctrl_c,
    dataset,
    ledger_lines,
    manifest,
    sweep_file,
    wait_for,
)

MARK = 0.321  # a capability no profile has: the mark of the run that kills its worker


def exit_on_mark(events, rows):
    """A reduce that kills its worker process on the marked run (module-level, so the
    workers can import it)."""
    if (1, "capability", "AUS", MARK) in rows:
        os._exit(1)
    return run_outcomes(events, rows)


def always_fails(events, rows):
    raise ValueError("a systematic fault")


def test_a_run_that_kills_its_worker_fails_alone_and_the_rest_complete():
    jobs = [Job(RunRequest(seed=s, **({"overrides": {"AUS": {"capability": MARK}}}
                                      if s == 3 else {}))) for s in range(8)]
    done = run_jobs(jobs, exit_on_mark, workers=2, chunk_size=1, progress=False)
    failed = {r.job.request.seed: r.error for r in done if not r.ok}
    assert list(failed) == [3] and "worker died" in failed[3]
    assert all(r.rows for r in done if r.ok)


def test_a_batch_where_most_runs_fail_raises():
    with pytest.raises(BatchFailed, match="4 of 4 runs failed, e.g. ValueError: a systematic"):
        run_jobs([Job(RunRequest(seed=s)) for s in range(4)], always_fails, workers=1,
                 progress=False)


def batch_processes(proc: subprocess.Popen) -> list[psutil.Process]:
    return psutil.Process(proc.pid).children(recursive=True)


def survivors(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    """The processes still running after ``seconds`` (a zombie, dead but not yet reaped by
    its parent, counts as dead)."""
    def running(p: psutil.Process) -> bool:
        try:
            return p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    end = time.monotonic() + seconds
    while (alive := [p for p in processes if running(p)]) and time.monotonic() < end:
        time.sleep(0.1)
    return alive


def pool_workers(proc: subprocess.Popen) -> list[psutil.Process]:
    """The pool's workers: the processes the forkserver forked."""
    return [p for p in batch_processes(proc) if p.ppid() != proc.pid]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    base = tmp_path_factory.mktemp("faults")
    path = sweep_file(base)
    run_sweep(path, base / "ref", workers=1, progress=False)
    return path, base / "ref"


def started_sweep(path, out) -> subprocess.Popen:
    """``ip4sim sweep`` on two workers in a subprocess, once its first parts are written
    (and well before its last: 40 runs)."""
    proc = cli("sweep", str(path), "--out", str(out), "--workers", "2", "--quiet")
    wait_for(lambda: ledger_lines(out) >= 3 or proc.poll() is not None, what="first parts")
    assert pool_workers(proc) and ledger_lines(out) < 40, "the fault must land mid-way"
    return proc


def test_killing_a_worker_mid_sweep_loses_no_run(uninterrupted, tmp_path):
    path, ref = uninterrupted
    out = tmp_path / "out"
    proc = started_sweep(path, out)
    pool_workers(proc)[0].kill()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert manifest(out)["failed"] == 0
    assert dataset(out).equals(dataset(ref))


def interrupted(proc: subprocess.Popen, out, jobs: int, times: int = 1) -> str:
    """Ctrl-C (``times``, a tenth of a second apart) to a sweep under way; checks that it
    exits 130 within seconds, says only what it kept and how to resume, and leaves no
    process behind; returns the command it says resumes."""
    children = batch_processes(proc)
    for _ in range(times):
        ctrl_c(proc)
        time.sleep(0.1)
    _, err = proc.communicate(timeout=STOP_SECONDS)
    assert proc.returncode == 130, err
    done = ledger_lines(out)
    said, again = err.strip().split("; to resume, run again: ")
    assert said == f"interrupted: {done} of {jobs} runs are done and kept in {out}/", err
    assert done < jobs and manifest(out)["status"] == "incomplete"
    assert survivors(children, seconds=5) == []
    return again


# Seconds an interrupted sweep may take to stop: its own pool ends its workers at once; a
# Dask cluster waits up to 4 s for a worker to end before it kills it.
STOP_SECONDS = 20


def test_ctrl_c_stops_cleanly_with_130_and_keeps_finished_runs(uninterrupted, tmp_path):
    path, ref = uninterrupted
    out = tmp_path / "out"
    again = interrupted(started_sweep(path, out), out, 40)
    assert again == f"ip4sim sweep {path} --out {out} --workers 2 --quiet"
    resumed = run_sweep(path, out, workers=1, progress=False)
    assert resumed.skipped >= 3 and dataset(out).equals(dataset(ref))


# 800 runs in blocks of 50: a block's rows are more than a pipe holds (64 KiB), and a block
# takes seconds, so a second Ctrl-C lands while the first stops the pool.
LONG = SMALL.replace("replicates: 5", "replicates: 100")


def test_a_second_ctrl_c_while_the_pool_stops_neither_hangs_nor_says_more(tmp_path):
    """Before, the first Ctrl-C waited for the chunks under way (whose rows are dropped)
    and a second one, during that wait, left the workers blocked on a full result pipe and
    the process hung at exit."""
    path, out = sweep_file(tmp_path, LONG), tmp_path / "out"
    proc = cli("sweep", str(path), "--out", str(out), "--workers", "2", "--quiet")
    wait_for(lambda: ledger_lines(out) >= 50 or proc.poll() is not None, what="a part")
    interrupted(proc, out, 800, times=2)


def test_ctrl_c_under_dask_says_only_what_it_kept_and_the_same_command_resumes(
        uninterrupted, tmp_path):
    """A terminal's Ctrl-C reaches the local Dask cluster's workers too: they ignore it
    (before, each printed a KeyboardInterrupt traceback), and Dask's warnings of the tasks
    it cancels and the workers it kills on closing are not printed. (Most of this test's
    time is the cluster's start, 5 to 15 s here.)"""
    pytest.importorskip("dask.distributed")
    path, ref = uninterrupted
    out = tmp_path / "out"
    proc = cli("sweep", str(path), "--out", str(out), "--workers", "2", "--dask", "local",
               "--quiet")
    wait_for(lambda: ledger_lines(out) >= 3 or proc.poll() is not None, what="a part")
    again = interrupted(proc, out, 40)
    assert again == f"ip4sim sweep {path} --out {out} --workers 2 --dask local --quiet"
    done = ledger_lines(out)
    resumed = run_sweep(path, out, workers=1, progress=False)  # its store, resumed
    assert resumed.skipped == done and resumed.ran == 40 - done
    assert dataset(out).equals(dataset(ref))


def test_kill_9_of_the_batch_leaves_no_process_and_no_finished_look(uninterrupted, tmp_path):
    path, _ = uninterrupted
    out = tmp_path / "out"
    proc = started_sweep(path, out)
    children = batch_processes(proc)
    proc.kill()
    proc.wait()
    assert survivors(children, seconds=5) == []
    assert manifest(out)["status"] == "running"


SCRIPT = """\
from sim.app import run_sweep
done = run_sweep({path!r}, {out!r}, workers=2, progress=False)
print("ran", done.ran, "failed", done.failed)
"""


def test_a_script_without_a_main_guard_loses_no_run(uninterrupted, tmp_path):
    path, ref = uninterrupted
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT.format(path=str(path), out=str(tmp_path / "out")))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.monotonic()
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("ran 40 failed 0") == 1, done.stdout  # run once, not per worker
    assert dataset(tmp_path / "out").equals(dataset(ref))
    assert time.monotonic() - start < 120


def test_kill_9_of_compare_leaves_a_folder_that_does_not_look_finished(tmp_path):
    out = tmp_path / "cmp"
    proc = cli("compare", "ukraine_response", "--rules", "all", "--seeds", "400",
               "--workers", "2", "--quiet", "--out", str(out))
    wait_for(lambda: (out / "manifest.json").exists() or proc.poll() is not None,
             what="the manifest")
    wait_for(lambda: pool_workers(proc) or proc.poll() is not None, what="workers")
    children = batch_processes(proc)
    proc.kill()
    proc.wait()
    assert '"status": "running"' in (out / "manifest.json").read_text()
    assert survivors(children, seconds=5) == []
