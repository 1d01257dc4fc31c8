"""What produced a run: package versions and the source tree's git commit, as every
manifest records them.

Standard library only, so that ``ip4sim --version`` answers without importing the engine.
"""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def versions() -> dict[str, str]:
    names = ("mesa", "numpy", "pydantic", "matplotlib", "PyYAML")
    return {"python": platform.python_version(), **{n: package_version(n) for n in names}}


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
