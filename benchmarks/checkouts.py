"""The other checkout a benchmark measures this one against (``.bench/before``, a worktree
git ignores: ``git worktree add --detach .bench/before COMMIT``)."""

from __future__ import annotations

import argparse
from pathlib import Path


def checkout(text: str) -> Path:
    """An argparse ``type``: the root folder of another checkout of ip4sim, resolved; one
    that is not is refused with the usage line and exit status 2."""
    path = Path(text)
    if not (path / "sim" / "model.py").is_file():
        raise argparse.ArgumentTypeError(f"{text}: not a checkout of ip4sim (no sim/model.py)")
    return path.resolve()
