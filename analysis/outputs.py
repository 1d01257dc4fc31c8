"""Read a run folder back: the only door from ``analysis/`` into a run."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from sim.events import EventBase, read_events

Row = tuple[int, str, str, float]


@dataclass(frozen=True)
class RunOutputs:
    folder: Path
    events: list[EventBase]
    timeseries: list[Row]
    manifest: dict


def read_timeseries(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(int(r["turn"]), r["metric"], r["actor"], float(r["value"]))
                for r in csv.DictReader(f)]


def read_run(folder: str | Path) -> RunOutputs:
    folder = Path(folder)
    return RunOutputs(
        folder=folder,
        events=read_events(folder / "events.jsonl"),
        timeseries=read_timeseries(folder / "timeseries.csv"),
        manifest=json.loads((folder / "manifest.json").read_text(encoding="utf-8")),
    )


def series(rows: list[Row], metric: str, actor: str = "") -> tuple[list[int], list[float]]:
    """One metric's values over turns, for one actor ("" for run-wide metrics)."""
    points = [(t, v) for t, m, a, v in rows if m == metric and a == actor]
    return [t for t, _ in points], [v for _, v in points]


def metrics(rows: list[Row], prefix: str = "") -> list[str]:
    return sorted({m for _, m, _, _ in rows if m.startswith(prefix)})
