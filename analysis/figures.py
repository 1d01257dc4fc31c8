"""Figures a person would want to look at, drawn from a run's outputs.

Uses ``matplotlib.figure.Figure`` directly (no pyplot), so figures can be drawn
from worker threads and in a browser view.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from agents.catalog import IP4
from analysis.narrative import name
from analysis.outputs import Row, metrics, series

PARTNER_COLOURS = {"AUS": "#1b9e77", "JPN": "#d95f02", "KOR": "#7570b3", "NZL": "#e7298a"}
DIMENSION_TITLES = {
    "russia_stance": "IP4 positions on Russia (0 none, 1 strongest)",
    "china_threat": "IP4 positions on China at NATO",
    "nato_enthusiasm": "IP4 engagement with NATO",
}


def summary_figure(rows: list[Row], title: str) -> Figure:
    """Four panels: partners' positions on the two main dimensions, the world, coercion."""
    fig = Figure(figsize=(12, 8), layout="constrained")
    fig.suptitle(title)
    axes = fig.subplots(2, 2)
    positions = [m.removeprefix("position.") for m in metrics(rows, "position.")]
    shown = [d for d in DIMENSION_TITLES if d in positions] + [
        d for d in positions if d not in DIMENSION_TITLES]
    for ax, dimension in zip(axes[0], (shown + [None, None])[:2], strict=True):
        _positions(ax, rows, dimension)
    _world(axes[1][0], rows)
    _coercion(axes[1][1], rows)
    return fig


def _positions(ax, rows: list[Row], dimension: str | None) -> None:
    if dimension is None:
        ax.set_axis_off()
        return
    for code in IP4:
        turns, values = series(rows, f"position.{dimension}", code)
        ax.step(turns, values, where="post", label=name(code), color=PARTNER_COLOURS[code],
                linewidth=2, alpha=0.85)
    ax.set_title(DIMENSION_TITLES.get(dimension, f"IP4 positions: {dimension}"))
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("turn")
    ax.legend(loc="lower right", fontsize=8)


def _world(ax, rows: list[Row]) -> None:
    for metric in metrics(rows, "world."):
        turns, values = series(rows, metric)
        ax.plot(turns, values, marker="o", markersize=3, label=metric.removeprefix("world."))
    turns, values = series(rows, "russia_pressure")
    ax.plot(turns, values, linestyle="--", color="black", label="Russian pressure")
    ax.set_title("The world")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("turn")
    ax.legend(fontsize=8)


def _coercion(ax, rows: list[Row]) -> None:
    for code in IP4:
        turns, values = series(rows, "coerced", code)
        ax.plot(turns, values, label=f"{name(code)}: felt coercion",
                color=PARTNER_COLOURS[code])
        turns, values = series(rows, "backing", code)
        ax.plot(turns, values, linestyle=":", color=PARTNER_COLOURS[code],
                label=f"{name(code)}: backing")
    ax.set_title("Chinese coercion felt, and backing from partners")
    ax.set_xlabel("turn")
    ax.legend(fontsize=7, ncol=2)


def save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=110)
    return path
