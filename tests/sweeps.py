"""Helpers for the sweep tests: small sweep files, a CLI in a subprocess, the dataset
as sorted rows."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).parent.parent

# 4 points x 2 rules x 5 replicates = 40 runs: a few seconds on one process.
SMALL = """\
scenarios: [ukraine_response]
rules: [caucus, {coalition: {k: [2]}}]
factors:
  - name: NZL.coercion_vulnerability
    range: [0.3, 0.9]
  - name: population
    levels: [200, 400]
design: {kind: grid, levels: 2}
replicates: 5
root_seed: 3
"""


def sweep_file(tmp: Path, text: str = SMALL, name: str = "sweep.yaml") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def dataset(folder: Path) -> pd.DataFrame:
    """The tidy table, in a canonical order (parts arrive in any order)."""
    data = pd.read_parquet(folder)
    return data.sort_values(["job", "outcome", "actor"]).reset_index(drop=True)


def ledger_lines(folder: Path) -> int:
    path = folder / "_ledger.jsonl"
    return len(path.read_text().splitlines()) if path.exists() else 0


def manifest(folder: Path) -> dict:
    return json.loads((folder / "_sweep.json").read_text())


def cli(*args: str) -> subprocess.Popen:
    """``ip4sim ARGS`` in a subprocess, importing this worktree, in a process group of its
    own (as a terminal starts a command), so that :func:`ctrl_c` reaches it alone."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "sim.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def ctrl_c(proc: subprocess.Popen) -> None:
    """What a terminal's Ctrl-C does: SIGINT to every process of the command's group (its
    workers too), not to the main process alone."""
    os.killpg(proc.pid, signal.SIGINT)


def wait_for(condition, timeout: float = 120.0, what: str = "condition") -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
