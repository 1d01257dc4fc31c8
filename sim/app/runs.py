"""A run's report, and what the live account, ``why`` and the browser read of a run."""

from __future__ import annotations

from pathlib import Path

from analysis.debrief import write_debrief
from analysis.figures import ROOM_NOTE, png, projector_figure, summary_figure
from analysis.narrative import (
    LiveAccount,
    allies_line,
    coercion_line,
    council_line,
    likely,
    narrate,
    not_yet_note,
    option_labels,
    sources,
)
from analysis.outcomes import outcome_label, run_outcomes
from analysis.why import choices_of, explain
from sim.runner import RunResult, write_run

__all__ = ["ROOM_NOTE", "LiveAccount", "allies_line", "choices_of", "coercion_line",
           "council_line", "explain", "likely", "line_outcomes", "narrate", "not_yet_note",
           "option_labels", "outcome_label",
           "png", "projector_figure", "report", "sources", "summary_figure", "write_debrief"]


def report(result: RunResult, out: Path, command: list[str] | None = None) -> list[str]:
    """Write a run's folder and its debrief (figures, after-action report)."""
    write_run(result, out, command)
    return ["events.jsonl", "timeseries.csv", "manifest.json", *write_debrief(out)]


def line_outcomes(events: list, rows: list) -> dict[str, float]:
    """A line of play's run-wide outcomes (``analysis.outcomes``), outcome -> value, read
    from its events and time series as any run's are."""
    return {outcome: value for outcome, actor, value in run_outcomes(events, rows) if not actor}
