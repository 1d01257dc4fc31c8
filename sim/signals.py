"""Signals handled otherwise while a block runs, then as before (the standard library only:
the command line imports it before any command runs)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Handler = Callable[[int, object], None] | int


@contextmanager
def handled(handlers: dict[signal.Signals, Handler]) -> Iterator[None]:
    """Each signal handled as ``handlers`` says while the block runs, and as before after;
    set from the main thread only, the one Python lets set them (elsewhere the block runs
    with the handlers as they are). A process started meanwhile is born ignoring a signal
    ignored here."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {number: signal.signal(number, handler) for number, handler in handlers.items()}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def ctrl_c_ignored():
    """SIGINT ignored while the block runs (:func:`handled`)."""
    return handled({signal.SIGINT: signal.SIG_IGN})
