"""Figures a person would want to look at, drawn from a run's outputs.

Uses ``matplotlib.figure.Figure`` directly (no pyplot), so figures can be drawn
from worker threads or any front end.

The figures read a run's time series (and, for the summary, its events) and nothing
else of the run. Every time axis is in whole turns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from analysis.narrative import Names, name, narrative_label
from sim.outputs import PARTNERS as IP4
from sim.outputs import Choice, Coercion, DecisionOpened, EventBase, Row, metrics, series

PARTNER_COLOURS = {"AUS": "#1b9e77", "JPN": "#d95f02", "KOR": "#7570b3", "NZL": "#e7298a"}
PARTNER_MARKERS = {"AUS": "o", "JPN": "s", "KOR": "^", "NZL": "D"}
# Partners often hold the same position (options sit at 0, 0.5, 1), so each partner's
# line is drawn this far above or below the true value (AUS lowest, NZL highest) and all
# four stay visible; the panels say so.
NUDGE = 0.025
DIMENSION_TITLES = {
    "russia_stance": "IP4 positions on Russia",
    "china_threat": "IP4 positions on China at NATO",
    "nato_enthusiasm": "IP4 engagement with NATO",
    "dprk_priority": "IP4 positions on North Korea",
    "formalization_aversion": "IP4 dislike of formalizing the IP4",
    "ip4_ambition": "IP4 ambition for the IP4",
    "contingency_expectation": "IP4 expecting the Ukraine model in a crisis",
}
POSITION_NOTE = ("each partner's line is nudged a little up or down so equal positions all "
                 "show; a marker: that partner decided that turn; a line is one question, "
                 "named above the panel at the turn it was decided (two in one turn: the "
                 "line shows the last)")


def nudge(code: str) -> float:
    """How far a partner's line sits off its true value (centred on the four)."""
    i = IP4.index(code) if code in IP4 else 0
    return (i - (len(IP4) - 1) / 2) * NUDGE


def turn_axis(ax: Axes, turns: tuple[int, int] | None = None) -> None:
    """Whole turns only on the x axis, over the run's turns."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if turns:
        ax.set_xlim(turns[0] - 0.5, turns[1] + 0.5)


def turn_range(rows: list[Row]) -> tuple[int, int] | None:
    turns = [t for t, *_ in rows]
    return (min(turns), max(turns)) if turns else None


# -- summary --------------------------------------------------------------------------------

def summary_figure(rows: list[Row], title: str,
                   events: Sequence[EventBase] | None = None,
                   names: Names | None = None) -> Figure:
    """Partners' positions (one panel per position dimension in the run), the world, and
    Chinese coercion.

    With the run's ``events``, each position panel marks the turns a partner decided on
    that dimension, and the coercion panel shows each attempt (hollow: resisted, filled:
    pressure landed). Without events, markers show changes of position and the coercion
    panel has no attempts."""
    names = names or {}
    positions = [m.removeprefix("position.") for m in metrics(rows, "position.")]
    shown = [d for d in DIMENSION_TITLES if d in positions] + [
        d for d in positions if d not in DIMENSION_TITLES]
    chunks = [shown[i:i + 3] for i in range(0, len(shown), 3)]
    fig = Figure(figsize=(13, 4.3 * (len(chunks) + 1) + 0.5), layout="constrained")
    fig.suptitle(title)
    turns = turn_range(rows)
    decided = decision_turns(rows, events)
    asked = questions(events)
    # One subfigure per row, so the legends beside the lower panels never push the
    # position panels apart; one position panel per dimension, up to three a row.
    parts = fig.subfigures(len(chunks) + 1, 1, squeeze=False)[:, 0]
    for part, chunk in zip(parts, chunks, strict=False):
        for ax, dimension in zip(part.subplots(1, len(chunk), squeeze=False)[0], chunk,
                                 strict=True):
            _positions(ax, rows, dimension, decided, asked, turns, names)
    if chunks:
        handles = [Line2D([], [], color=PARTNER_COLOURS[c], marker=PARTNER_MARKERS[c],
                          linewidth=2, markeredgecolor="white", label=name(c, names)) for c in IP4]
        parts[0].legend(handles=handles, loc="outside upper center", ncol=len(handles),
                        fontsize=9, frameon=False, title=POSITION_NOTE,
                        title_fontsize=8)
    grid = parts[-1].add_gridspec(1, 2)
    _world(parts[-1].add_subplot(grid[0]), rows, turns)
    _coercion(parts[-1], grid[1], rows, events, turns)
    return fig


def decision_turns(rows: list[Row], events: Sequence[EventBase] | None
                   ) -> dict[tuple[str, str], set[int]]:
    """(dimension, partner) -> the turns that partner chose on a decision about that
    dimension (each ``DecisionOpened`` event names its dimension). Without events: the
    turns a position first appears or changes."""
    out: dict[tuple[str, str], set[int]] = defaultdict(set)
    if events is None:
        value = {(m.removeprefix("position."), a, t): v for t, m, a, v in rows
                 if m.startswith("position.")}
        for (dimension, actor, t), v in value.items():
            if value.get((dimension, actor, t - 1)) != v:
                out[(dimension, actor)].add(t)
        return out
    dimension_of = {e.decision: e.dimension for e in events if isinstance(e, DecisionOpened)}
    for e in events:
        if isinstance(e, Choice) and e.actor in IP4 and e.decision in dimension_of:
            out[(dimension_of[e.decision], e.actor)].add(e.turn)
    return out


def questions(events: Sequence[EventBase] | None) -> dict[tuple[str, str], dict[int, str]]:
    """(dimension, partner) -> turn -> the decision whose choice set the partner's position
    on that dimension that turn (the last, when two were put in one turn)."""
    out: dict[tuple[str, str], dict[int, str]] = defaultdict(dict)
    if events is None:
        return out
    dimension_of = {e.decision: e.dimension for e in events if isinstance(e, DecisionOpened)}
    for e in events:
        if isinstance(e, Choice) and e.actor in IP4 and e.decision in dimension_of:
            out[(dimension_of[e.decision], e.actor)][e.turn] = e.decision
    return out


def segments(ts: list[int], values: list[float], asked: dict[int, str]
             ) -> list[tuple[str, list[int], list[float]]]:
    """A partner's position series cut where the question behind it changes: (decision,
    turns, values), each run on to the turn the next question starts so a line ends where
    the next begins without joining them; "" before the first question."""
    out: list[tuple[str, list[int], list[float]]] = []
    current = ""
    for t, v in zip(ts, values, strict=True):
        current = asked.get(t, current)
        if out and out[-1][0] == current:
            out[-1][1].append(t)
            out[-1][2].append(v)
        else:
            if out:
                out[-1][1].append(t)
                out[-1][2].append(out[-1][2][-1])
            out.append((current, [t], [v]))
    return out


def _positions(ax: Axes, rows: list[Row], dimension: str,
               decided: dict[tuple[str, str], set[int]],
               asked: dict[tuple[str, str], dict[int, str]],
               turns: tuple[int, int] | None, names: Names) -> None:
    first: dict[str, int] = {}
    for code in IP4:
        ts, values = series(rows, f"position.{dimension}", code)
        if not ts:
            continue
        off = nudge(code)
        colour = PARTNER_COLOURS[code]
        for k, (decision, xs, ys) in enumerate(segments(ts, values, asked.get((dimension, code),
                                                                               {}))):
            ax.step(xs, [v + off for v in ys], where="post", color=colour, linewidth=1.8,
                    alpha=0.9, label=name(code, names) if k == 0 else None,
                    gid=f"position:{code}:{decision}")
            if decision:
                first[decision] = min(first.get(decision, xs[0]), xs[0])
        marks = [(t, v + off) for t, v in zip(ts, values, strict=True)
                 if t in decided.get((dimension, code), ())]
        if marks:
            ax.plot(*zip(*marks, strict=True), linestyle="none",
                    marker=PARTNER_MARKERS[code], markersize=6, color=colour,
                    markeredgecolor="white", markeredgewidth=0.6, gid=f"decision:{code}")
    ax.set_title(f"{DIMENSION_TITLES.get(dimension, 'IP4 positions: ' + dimension)}\n"
                 "(0 none, 1 strongest)", fontsize=10)
    _question_labels(ax, first)
    ax.set_ylim(-0.08, 1.08)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    ax.grid(alpha=0.25)
    ax.set_xlabel("turn (lines nudged apart; marker: a decision)", fontsize=8)
    turn_axis(ax, turns)


def _question_labels(ax: Axes, first: dict[str, int]) -> None:
    """Each question on this dimension named above the panel, at the turn its line starts."""
    at: dict[int, list[str]] = defaultdict(list)
    for decision, turn in first.items():
        at[turn].append(decision.replace("_", " "))
    top = ax.secondary_xaxis("top")
    top.set_xticks(sorted(at), [" / ".join(at[t]) for t in sorted(at)], fontsize=7,
                   rotation=30, ha="left", gid="questions")
    top.tick_params(length=2, pad=1)


def _world(ax: Axes, rows: list[Row], turns: tuple[int, int] | None) -> None:
    for metric in metrics(rows, "world."):
        ts, values = series(rows, metric)
        ax.plot(ts, values, marker="o", markersize=3,
                label=metric.removeprefix("world.").replace("_", " "))
    ts, values = series(rows, "russia_pressure")
    if any(v != 0 for v in values):
        ax.plot(ts, values, linestyle="--", color="black", label="Russian pressure")
    ax.set_title("The world", fontsize=10)
    ax.set_ylim(-0.05, 1.05)
    ax.grid(alpha=0.25)
    ax.set_xlabel("turn")
    turn_axis(ax, turns)
    if ax.get_lines():
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)


def _coercion(fig: Figure, slot, rows: list[Row], events: Sequence[EventBase] | None,
              turns: tuple[int, int] | None) -> None:
    """Felt pressure and backing per partner over turns; below, with the events, China's
    attempts per partner per turn (hollow: resisted, filled: pressure landed)."""
    if events is None:
        felt = fig.add_subplot(slot)
        attempts_ax = None
    else:
        inner = slot.subgridspec(2, 1, height_ratios=(2.2, 1), hspace=0.05)
        felt = fig.add_subplot(inner[0])
        attempts_ax = fig.add_subplot(inner[1], sharex=felt)
    top = 1.0
    for code in IP4:
        off = nudge(code) * 0.5
        ts, values = series(rows, "coerced", code)
        if ts:
            felt.plot(ts, [v + off for v in values], color=PARTNER_COLOURS[code],
                      linewidth=1.8, gid=f"coerced:{code}")
            top = max(top, *values)
        ts, values = series(rows, "backing", code)
        if ts:
            felt.plot(ts, [v + off for v in values], color=PARTNER_COLOURS[code],
                      linestyle=":", linewidth=1.6, gid=f"backing:{code}")
            top = max(top, *values)
    felt.set_ylim(-0.05, top + 0.05)
    felt.set_title("Chinese coercion: pressure felt and backing from partners", fontsize=10)
    felt.grid(alpha=0.25)
    felt.legend(handles=[Line2D([], [], color="grey", linewidth=1.8,
                                label="pressure felt (decays each turn)"),
                         Line2D([], [], color="grey", linestyle=":", linewidth=1.6,
                                label="backing from partners"),
                         Line2D([], [], linestyle="none", label="(lines nudged apart\n"
                                "so equal values show)")],
                fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    turn_axis(felt, turns)
    if attempts_ax is None:
        felt.set_xlabel("turn")
        return
    felt.tick_params(labelbottom=False)
    _attempts(attempts_ax, events)
    turn_axis(attempts_ax, turns)


def _attempts(ax: Axes, events: Sequence[EventBase]) -> None:
    """China's coercion attempts: one row per partner, one marker per attempt."""
    by_turn: dict[tuple[str, int], list[bool]] = defaultdict(list)
    for e in events:
        if isinstance(e, Coercion) and e.target in IP4:
            by_turn[(e.target, e.turn)].append(e.success)
    for row, code in enumerate(IP4):
        y = len(IP4) - 1 - row
        points = {True: [], False: []}
        for (target, turn), outcomes in sorted(by_turn.items()):
            if target != code:
                continue
            for k, success in enumerate(outcomes):  # two in a turn sit side by side
                points[success].append(turn + 0.26 * (k - (len(outcomes) - 1) / 2))
        colour = PARTNER_COLOURS[code]
        for success, xs in points.items():
            if xs:
                ax.scatter(xs, [y] * len(xs), s=42, marker="o", linewidths=1.6,
                           edgecolors=colour, facecolors=colour if success else "white",
                           zorder=3, gid=f"attempt:{code}:{'landed' if success else 'resisted'}")
    ax.set_yticks(range(len(IP4)), list(reversed(IP4)), fontsize=8)
    ax.set_ylim(-0.6, len(IP4) - 0.4)
    ax.grid(axis="x", alpha=0.25)
    ax.set_xlabel("turn")
    ax.set_ylabel("attempts", fontsize=8)
    if not by_turn:
        ax.text(0.5, 0.5, "no coercion attempts in this run", transform=ax.transAxes,
                ha="center", va="center", fontsize=8, color="#555555")
    ax.legend(handles=[
        Line2D([], [], linestyle="none", marker="o", markerfacecolor="white",
               markeredgecolor="black", label="attempt resisted"),
        Line2D([], [], linestyle="none", marker="o", markerfacecolor="black",
               markeredgecolor="black", label="pressure landed")],
        fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)


def save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=110)
    return path


# -- publics ------------------------------------------------------------------------------

BELIEF_COLOURS = ("#d62728", "#8c564b", "#9467bd", "#bcbd22", "#17becf")
THREAT_COLOURS = {"china": "#ff7f0e", "russia": "#2ca02c"}


def has_publics(rows: list[Row]) -> bool:
    return any(m.startswith("public.") for _, m, _, _ in rows)


def publics_figure(rows: list[Row], title: str, names: Names | None = None) -> Figure:
    """One panel per partner public: awareness and understanding (the gap between them
    shaded), support for engaging NATO, belief in each narrative, and the share seeing
    China and Russia as threats (dash-dot), over turns. One legend for all panels, below
    them, so it covers no line or label."""
    names = names or {}
    codes = [c for c in IP4 if series(rows, "public.support", c)[0]]
    beliefs = [m.removeprefix("public.belief.") for m in metrics(rows, "public.belief.")]
    fig = Figure(figsize=(12, 8.6), layout="constrained")
    fig.suptitle(f"Publics: {title}")
    axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
    office = [t for t, v in zip(*series(rows, "liaison_office_open"), strict=True) if v > 0]
    turns = turn_range(rows)
    for ax, code in zip(axes, codes, strict=False):
        ts, aware = series(rows, "public.awareness", code)
        _, understand = series(rows, "public.understanding", code)
        ax.fill_between(ts, understand, aware, color="#1f77b4", alpha=0.12,
                        label="awareness-understanding gap")
        ax.plot(ts, aware, color="#1f77b4", linewidth=2, label="awareness")
        ax.plot(ts, understand, color="#1f77b4", linestyle="--", linewidth=2,
                label="understanding")
        ax.plot(ts, series(rows, "public.support", code)[1], color="black", linewidth=2.5,
                label="support for engaging NATO")
        for colour, narrative in zip(BELIEF_COLOURS, beliefs, strict=False):
            ax.plot(ts, series(rows, f"public.belief.{narrative}", code)[1], color=colour,
                    linestyle=":", linewidth=2, label=f"belief: {narrative_label(narrative)}")
        for adversary, colour in THREAT_COLOURS.items():
            ts_threat, threat = series(rows, f"public.threat.{adversary}", code)
            if ts_threat:
                ax.plot(ts_threat, threat, color=colour, linestyle="-.", linewidth=2,
                        label=f"sees {adversary.capitalize()} as a threat")
        if office:
            ax.axvline(office[0], color="grey", linewidth=1)
            ax.text(office[0], 0.97, " Tokyo office opens", fontsize=7, va="top",
                    color="grey")
        ax.set_title(name(code, names))
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        turn_axis(ax, turns)
    for ax in axes[len(codes):]:
        ax.set_axis_off()
    for ax in axes[2:]:
        ax.set_xlabel("turn")
        ax.tick_params(labelbottom=True)
    if codes:
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8,
                   frameon=False)
    return fig
