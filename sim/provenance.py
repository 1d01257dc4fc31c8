"""What produced a run: package versions and the source tree's git commit, as every
manifest records them.

Standard library only, so that ``ip4sim --version`` answers without importing the engine.
"""

from __future__ import annotations

import functools
import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

# What a run's numbers depend on beyond its inputs: the packages' code and their data
# (profiles, sources, the scenario library).
PACKAGES = ("agents", "analysis", "scenarios", "sim")
CODE_SUFFIXES = frozenset({".py", ".yaml", ".yml", ".json", ".txt"})


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def versions() -> dict[str, str]:
    names = ("mesa", "numpy", "pydantic", "matplotlib", "PyYAML")
    return {"python": platform.python_version(), **{n: package_version(n) for n in names},
            "ip4sim code": code_fingerprint()}


@functools.cache
def code_fingerprint() -> str:
    """The sha256 (first 16 hex digits) of every source and data file of the packages,
    by path and content: two processes with the same fingerprint play the same model,
    whatever their git state (a worker on another machine, an installed copy). Read once
    per process (a few milliseconds)."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts \
                    and path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.cache  # the tree the process's code was loaded from: one `git status` a process
def git_commit() -> str | None:
    """The commit of the source tree this package runs from, when it is a git checkout,
    with "-dirty" when it has changes. One ``git status`` gives both: 5 ms, where ``git
    rev-parse`` then ``git status`` took 8."""
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(["git", "status", "--porcelain=v2", "--branch"], cwd=here,
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.splitlines()
    commit = next((line.removeprefix("# branch.oid ") for line in lines
                   if line.startswith("# branch.oid ")), "(initial)")
    if done.returncode != 0 or commit == "(initial)":
        return None
    # Untracked files count: code not yet committed still changes what a run does.
    dirty = any(not line.startswith("#") for line in lines)
    return commit + ("-dirty" if dirty else "")
