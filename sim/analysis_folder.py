"""Where a sweep's analysis is written, and what its folder records.

An analysis goes to a folder of its own: by default the store's ``_analysis``, which
pyarrow's dataset discovery skips (a leading ``_``), so ``pandas.read_parquet(DIR)`` still
reads exactly the tidy table. Anywhere else inside a store (a folder holding
``_sweep.json``, or below one) is refused: pyarrow would read the analysis's files as
parts of that store. The folder's ``manifest.json`` says what produced the analysis and
lists the files it wrote, so the next analysis into the same folder removes them first
(no stale ``sobol.csv`` outlives a re-analysis), and a folder that holds anything but an
earlier analysis is refused. Every refusal is an InputError raised before anything is
written. An ``analysis/`` folder an earlier version wrote inside a store is moved aside, to
a name pyarrow skips, when the store is analysed or resumed (:func:`set_aside_old_analysis`).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from scenarios.errors import InputError
from sim.outputs import SWEEP_ANALYSIS, SWEEP_MANIFEST, write_text
from sim.provenance import git_commit, package_version, versions

ANALYSIS_MANIFEST = "manifest.json"
# Where versions before the store's ``_analysis`` wrote the analysis: inside the store, among
# its parts.
OLD_ANALYSIS = "analysis"
# What the analysis computes with, beyond what every manifest records (sim.provenance).
ANALYSIS_LIBRARIES = ("pyarrow", "pandas", "scipy", "SALib")


def check_sweep_folder(sweep: Path) -> None:
    if (sweep / SWEEP_MANIFEST).is_file():
        return
    store = sweep / "store"  # a comparison's runs are a sweep's dataset there
    raise InputError.one("analyze", str(sweep), (
        f"a comparison's folder: its runs are a sweep's dataset in {store}; ip4sim analyze "
        f"{store}" if (store / SWEEP_MANIFEST).is_file() else f"not a sweep's folder (no "
        f"{SWEEP_MANIFEST}); ip4sim sweep FILE --out FOLDER makes one"))


def stray_files(sweep: Path) -> list[str]:
    """What in a sweep's store pandas and pyarrow will try to read as data and fail on:
    any name that is neither a part file nor skipped (a leading ``_`` or ``.``). ip4sim's
    own readers read the parts by name and are not troubled."""
    return sorted(p.name for p in sweep.iterdir() if not p.name.startswith(("_", "."))
                  and not (p.name.startswith("part-") and p.name.endswith(".parquet")))


def set_aside_old_analysis(sweep: Path) -> Path | None:
    """An ``analysis/`` folder inside the store ``sweep`` (where an earlier version of ip4sim
    wrote its analysis) moved to ``_analysis-previous/`` (``-2``, ``-3``... if taken),
    which pyarrow skips: among the part files it made ``pandas.read_parquet(sweep)`` fail.
    Moved, not removed (its files are the user's), and said on stderr with both paths.
    Where it went, or None if there was none."""
    old = sweep / OLD_ANALYSIS
    if not old.is_dir() or not (sweep / SWEEP_MANIFEST).is_file():
        return None
    aside = sweep / f"{SWEEP_ANALYSIS}-previous"
    n = 1
    while aside.exists():
        n += 1
        aside = sweep / f"{SWEEP_ANALYSIS}-previous-{n}"
    try:
        old.rename(aside)
    except OSError as err:
        raise InputError.one(str(old), "", (
            f"an analysis folder inside a sweep's store breaks pandas.read_parquet; it "
            f"could not be moved to {aside} ({err.strerror}): move it out of the store"
            )) from None
    print(f"note: moved {old}/ to {aside}/: an analysis folder inside a sweep's store (where "
          "earlier versions wrote it) is read by pandas.read_parquet and pyarrow as part of "
          "the dataset, and breaks it; a name beginning with _ is skipped", file=sys.stderr)
    return aside


def analysis_folder(sweep: Path, out: Path | None) -> Path:
    """The folder the analysis of ``sweep`` goes to (default ``sweep/_analysis``), checked:
    not a file, not inside a store other than as that sweep's ``_analysis``, and empty or
    holding an earlier analysis."""
    out = sweep / SWEEP_ANALYSIS if out is None else out
    if out.exists() and not out.is_dir():
        raise InputError.one("--out", str(out), "is a file, not a folder")
    store = enclosing_store(out)
    if store is not None and (store != sweep.resolve()
                              or out.resolve() != store / SWEEP_ANALYSIS):
        raise InputError.one("--out", str(out), (
            f"lies inside the sweep store {store}: pandas.read_parquet would read the "
            f"analysis's files as parts of it; choose a folder outside any sweep's store "
            f"(the default is {sweep / SWEEP_ANALYSIS}; nothing was written)"))
    if out.is_dir() and any(out.iterdir()) and earlier_analysis(out) is None:
        raise InputError.one("--out", str(out), (
            f"is not empty and holds no earlier analysis (no {ANALYSIS_MANIFEST} of kind "
            "analysis): choose a new folder (nothing in it was touched)"))
    return out


def enclosing_store(path: Path) -> Path | None:
    """The sweep store ``path`` is or lies in (the nearest folder, itself or above, that
    holds ``_sweep.json``), resolved; None if none does."""
    path = path.resolve()
    return next((p for p in (path, *path.parents) if (p / SWEEP_MANIFEST).is_file()), None)


def earlier_analysis(out: Path) -> dict | None:
    """The manifest of the analysis ``out`` holds, or None."""
    try:
        record = json.loads((out / ANALYSIS_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("kind") == "analysis" else None


def start_analysis(out: Path, record: dict) -> None:
    """``out`` made ready: the files an earlier analysis listed removed, then a manifest
    saying this one is being written and listing its files, so that an analysis killed
    half-way is cleared by the next one too."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError.one("--out", str(out), f"cannot create the folder: "
                             f"{err.strerror}") from None
    for name in (earlier_analysis(out) or {}).get("files", []):
        if isinstance(name, str) and name == Path(name).name:  # never a path out of ``out``
            (out / name).unlink(missing_ok=True)
    write_text(out / ANALYSIS_MANIFEST, json.dumps({**record, "status": "writing"},
                                                   indent=2) + "\n")


def finish_analysis(out: Path, record: dict) -> None:
    write_text(out / ANALYSIS_MANIFEST, json.dumps({**record, "status": "complete"},
                                                   indent=2) + "\n")


def analysis_record(sweep: Path, store: dict, runs: int, failed: int, files: list[str],
                    command: list[str] | None) -> dict:
    """What produced the analysis: the sweep (its folder, its file's sha256, its status,
    the runs read of the jobs planned), the versions, the commit, the command, and the
    files it writes. ``store`` is the sweep's ``_sweep.json``."""
    return {
        "kind": "analysis",
        "sweep": {"folder": str(sweep.resolve()), "file": store.get("file"),
                  "sha256": store.get("sha256"), "status": store.get("status"),
                  "runs": runs, "jobs": store.get("jobs"), "failed": failed},
        "files": files,
        "ip4sim": package_version("ip4sim"),
        "versions": {**versions(), **{n: package_version(n) for n in ANALYSIS_LIBRARIES}},
        "git_commit": git_commit(),
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
