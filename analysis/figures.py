"""Figures a person would want to look at, drawn from a run's outputs.

Uses ``matplotlib.figure.Figure`` directly (no pyplot), so figures can be drawn
from worker threads and in a browser view.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from agents.catalog import IP4
from analysis.narrative import name, narrative_label
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


# -- publics ------------------------------------------------------------------------------

BELIEF_COLOURS = ("#d62728", "#8c564b", "#9467bd", "#bcbd22", "#17becf")


def has_publics(rows: list[Row]) -> bool:
    return any(m.startswith("public.") for _, m, _, _ in rows)


def publics_figure(rows: list[Row], title: str) -> Figure:
    """One panel per partner public: awareness and understanding (the gap between them
    shaded), support for engaging NATO, and belief in each narrative, over turns."""
    codes = [c for c in IP4 if series(rows, "public.support", c)[0]]
    beliefs = [m.removeprefix("public.belief.") for m in metrics(rows, "public.belief.")]
    fig = Figure(figsize=(12, 8), layout="constrained")
    fig.suptitle(f"Publics: {title}")
    axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
    office = [t for t, v in zip(*series(rows, "liaison_office_open"), strict=True) if v > 0]
    for ax, code in zip(axes, codes, strict=False):
        turns, aware = series(rows, "public.awareness", code)
        _, understand = series(rows, "public.understanding", code)
        ax.fill_between(turns, understand, aware, color="#1f77b4", alpha=0.12,
                        label="awareness-understanding gap")
        ax.plot(turns, aware, color="#1f77b4", linewidth=2, label="awareness")
        ax.plot(turns, understand, color="#1f77b4", linestyle="--", linewidth=2,
                label="understanding")
        ax.plot(turns, series(rows, "public.support", code)[1], color="black", linewidth=2.5,
                label="support for engaging NATO")
        for colour, narrative in zip(BELIEF_COLOURS, beliefs, strict=False):
            ax.plot(turns, series(rows, f"public.belief.{narrative}", code)[1], color=colour,
                    linestyle=":", linewidth=2, label=f"belief: {narrative_label(narrative)}")
        if office:
            ax.axvline(office[0], color="grey", linewidth=1)
            ax.text(office[0], 0.97, " Tokyo office opens", fontsize=7, va="top",
                    color="grey")
        ax.set_title(name(code))
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes[len(codes):]:
        ax.set_axis_off()
    for ax in axes[2:]:
        ax.set_xlabel("turn")
    if codes:
        axes[0].legend(fontsize=7, loc="upper left")
    return fig
