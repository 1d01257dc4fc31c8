"""Output that cannot be written: a full disk, a folder that may not be written, a
read-only file system, a path through a file. The writers name the file that failed (a
pyarrow error names none) with the OS's reason; the command line says it in a line,
not a traceback (``sim.cli.main``). Only the standard library here: the command line
imports it before any command runs."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


class WriteFailed(OSError):
    """An output file that could not be written, and why, in the OS's words."""

    def __str__(self) -> str:
        return f"could not write {self.filename}: {self.strerror}"


def reason(err: OSError) -> str:
    """The OS's words for an error ("No space left on device"): pyarrow wraps them in its
    own ("Error writing bytes to file. Detail: [errno 28] ...")."""
    return os.strerror(err.errno) if err.errno else str(err)


def said(err: OSError) -> str:
    """An OS error in a line: the file and the reason."""
    if isinstance(err, WriteFailed):
        return str(err)
    return f"{err.filename}: {reason(err)}" if err.filename else reason(err)


@contextlib.contextmanager
def written(path: Path, partial: Path | None = None) -> Iterator[None]:
    """WriteFailed naming ``path`` for an OSError the block raises; the ``partial`` file it
    was writing is removed, so a full disk gets the space back."""
    try:
        yield
    except WriteFailed:
        raise
    except OSError as err:
        if partial is not None:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
        raise WriteFailed(err.errno, reason(err), str(path)) from err


@contextlib.contextmanager
def replaced(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` for the block to write, renamed into place once it
    is written: a reader (or a resumed game) never sees half a file; WriteFailed naming
    ``path`` (an OS's error for a full disk names no file, pyarrow's names none), the
    temporary removed."""
    partial = path.with_name(f".{path.name}.partial")
    with written(path, partial):
        yield partial
        os.replace(partial, path)


def write_bytes(path: Path, data: bytes) -> None:
    """``data`` written whole or not at all (:func:`replaced`)."""
    with replaced(path) as partial:
        partial.write_bytes(data)


@contextlib.contextmanager
def unfinished_removed(folder: Path) -> Iterator[None]:
    """For a command that writes into a new or empty ``folder`` (or one of its own, whose
    manifest.json it rewrites whole), its manifest last: where the block fails (a full
    disk) before ``folder`` holds a manifest, the files it wrote there are removed, so that
    the same command may write there again (every command refuses a folder of files
    without a manifest, which could be anyone's). For output the command can make again;
    not for a game people played."""
    try:
        yield
    except OSError:
        if folder.is_dir() and not (folder / "manifest.json").exists():
            for path in folder.iterdir():
                if path.is_file():
                    with contextlib.suppress(OSError):
                        path.unlink()
        raise
