"""Progress for many runs: a bar on a terminal, plain occasional lines in a log.

A tqdm bar redraws itself with carriage returns, which a log file keeps as one long line
of bars; where stderr is not a terminal, a line is printed each time another tenth of
the runs is done (and at the end), so a log reads like a log.
"""

from __future__ import annotations

import sys
from typing import TextIO

STEPS = 10  # lines in a log: one per tenth of the runs


class LogProgress:
    """The part of tqdm's interface a batch uses (a context manager with ``update``)."""

    def __init__(self, total: int, desc: str, initial: int = 0, disable: bool = False,
                 file: TextIO | None = None):
        self.total, self.desc, self.n, self.disable = total, desc, initial, disable
        self.file = file
        self.shown = initial * STEPS // max(1, total)

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int = 1) -> None:
        self.n += n
        step = self.n * STEPS // max(1, self.total)
        if self.disable or step <= self.shown:
            return
        self.shown = step
        done = self.n / max(1, self.total)
        print(f"{self.desc}: {self.n} of {self.total} runs done ({done:.0%})",
              file=self.file or sys.stderr, flush=True)


def progress(total: int, desc: str, initial: int = 0, disable: bool = False):
    """A tqdm bar when stderr is a terminal, else a :class:`LogProgress`."""
    if not sys.stderr.isatty():
        return LogProgress(total, desc, initial, disable)
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, disable=disable, desc=desc, unit="run",
                smoothing=0.1, mininterval=0.25)
