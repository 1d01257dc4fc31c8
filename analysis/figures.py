"""Figures a person would want to look at, drawn from a run's outputs.

Uses ``matplotlib.figure.Figure`` directly (no pyplot), so figures can be drawn
from worker threads or any front end.

The figures read a run's time series (and, for the summary, its events) and nothing
else of the run. Every time axis is in whole turns.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Transform

from analysis.narrative import Names, name, narrative_label
from sim.outputs import PARTNERS as IP4
from sim.outputs import (
    Choice,
    Coercion,
    DecisionOpened,
    EventBase,
    Row,
    metrics,
    series,
    write_bytes,
)

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
    "formalization_aversion": "IP4 positions on formalizing the group",
    "ip4_ambition": "IP4 positions on the group's own ambition",
    "contingency_expectation": "IP4 expecting the Ukraine model in a crisis",
}
# The layouts are fixed, in inches, rather than left to a layout engine, whose passes
# measured every text of a figure again (0.15 to 0.25 s of the summary's 0.6 s). The
# question labels' sizes are estimated from their length: DejaVu Sans, matplotlib's
# font, averages half an em a character; EM_WIDTH errs wide.
EM_WIDTH = 0.56
QUESTION_CHARACTERS = 40  # a question's label on a position panel, cut at a word
EM_HEIGHT = 1.1
QUESTION_SIZE = 7  # points
QUESTION_ANGLE = math.radians(30)
SUMMARY_WIDTH = 13.0
HEADER = 0.95  # the title, the partners' legend and its note
PANEL_LEFT = 0.6  # room for the y tick labels
PANEL_GAP = 0.55
PANEL_RIGHT = 0.3
PANEL_TITLE = 0.45  # a position panel's two-line title, above its question labels
PANEL_HEIGHT = 2.35
PANEL_BELOW = 0.6  # tick labels and the x label
LOWER = 4.3  # the world and coercion row, at the bottom
DPI = 110  # a PNG's dots per inch: the summary is 1,430 pixels wide
WORLD = (0.55, 0.55, 5.0, 3.3)  # left, bottom, width, height in inches
COERCION = (7.6, 0.55, 2.9, 3.3)  # felt pressure above China's attempts
# The keys (legends) are plain artists placed in inches: a Legend packs its entries and
# measures its texts again at every draw (0.1 s of the summary's 0.3 s). In ems of the
# key's font size, as a Legend spaces them:
KEY_SAMPLE = 3.2  # an entry's sample of its line: a dash-dot shows its pattern
KEY_PAD = 0.8  # between the sample and the label
KEY_PITCH = 1.5  # from one row to the next
PARTNER_KEY_COLUMN = 2.2  # inches
POSITION_NOTE = ("each partner's line is nudged a little up or down so equal positions all "
                 "show; a marker: each choice it made;\na line is one question, named above "
                 "the panel at the turn it was put (two in one turn: a marker each, the line "
                 "follows the last)")


@dataclass(frozen=True)
class Sizes:
    """A summary's position panels and coercion attempts, in inches and points: PAPER for
    the run folder's summary.png (13 inches wide, read up close), ROOM for the projector's
    figure, whose type a room reads from the back."""

    width: float  # the figure's
    panel_left: float  # room for the y tick labels
    panel_gap: float
    panel_right: float
    panel_title_line: float  # inches a line of a panel's title takes
    panel_height: float
    panel_below: float  # tick labels and the x label
    title: float  # points, of a panel's title
    ticks: float  # of the tick labels
    label: float  # of an axis label, a panel's note, the attempts' partners
    key: float  # of the partners' key
    key_column: float  # inches, a partner's column of it
    side_key: float  # points, of a key beside a panel
    question: float  # of a question's label over a position panel (0: none drawn)
    marker: float  # points, a decision's marker
    x_label: str  # the position panels'
    levels: tuple[float, ...]  # the position panels' y ticks
    scale_in_title: bool  # a panel's title says its scale, "(0 none, 1 strongest)"


PAPER = Sizes(width=SUMMARY_WIDTH, panel_left=PANEL_LEFT, panel_gap=PANEL_GAP,
              panel_right=PANEL_RIGHT, panel_title_line=PANEL_TITLE / 2,
              panel_height=PANEL_HEIGHT, panel_below=PANEL_BELOW, title=10, ticks=10,
              label=8, key=9, key_column=PARTNER_KEY_COLUMN, side_key=7,
              question=QUESTION_SIZE, marker=6,
              x_label="turn (lines nudged apart; marker: a decision)",
              levels=(0, 0.25, 0.5, 0.75, 1), scale_in_title=True)
# The projector shows its figure beside the turn's account at about 96 pixels an inch
# (a 9.6-inch figure in 60% of a 1600-pixel screen): 15 points are then 20 pixels, near
# the page's 22-pixel type. At that size a question's label would take more room than its
# panel, so the room's panels name no question (the account beside them does), and
# their titles are wrapped to the panel rather than followed by the scale.
ROOM = Sizes(width=9.6, panel_left=0.7, panel_gap=0.75, panel_right=0.25,
             panel_title_line=0.3, panel_height=2.1, panel_below=0.6, title=16, ticks=15,
             label=15, key=12, key_column=2.4, side_key=14, question=0, marker=9,
             x_label="turn", levels=(0, 0.5, 1), scale_in_title=False)
ROOM_KEY = 0.5  # inches: the partners' key, atop the room's figure
ROOM_LOW_PANELS = 1.4  # inches: the panels' height when they take two rows
ROOM_ATTEMPTS = (0.35, 1.3)  # inches: the attempts' title, and their panel


def nudge(code: str) -> float:
    """How far a partner's line sits off its true value (centred on the four)."""
    i = IP4.index(code) if code in IP4 else 0
    return (i - (len(IP4) - 1) / 2) * NUDGE


def turn_axis(ax: Axes, turns: tuple[int, int] | None = None) -> None:
    """Whole turns only on the x axis, over the run's turns: the ticks are fixed to the
    turns shown (a locator's ticks beyond them would be made, at a cost, and not drawn).
    One whole tick is enough: by default the locator wants two, and over the one turn of
    a run's first turn (0.5 to 1.5) it gave up on integers and ticked 0.5, 0.6, ... 1.5."""
    locator = MaxNLocator(integer=True, min_n_ticks=1)
    if not turns:
        ax.xaxis.set_major_locator(locator)
        return
    low, high = turns[0] - 0.5, turns[1] + 0.5
    ax.set_xlim(low, high)
    ax.set_xticks([t for t in locator.tick_values(low, high) if low <= t <= high])


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
    panels = PositionPanels(rows, events, PAPER)
    height = HEADER + panels.height + LOWER
    fig = Figure(figsize=(SUMMARY_WIDTH, height))
    fig.suptitle(title, y=1 - 0.12 / height)
    panels.draw(fig, height - HEADER, names)
    if panels.chunks:
        fig.text(0.5, 1 - 0.35 / height, POSITION_NOTE, fontsize=8, ha="center", va="top",
                 gid="key")
        partner_key(fig, height - 0.68, names, PAPER)
    _world(add_axes(fig, *WORLD), rows, panels.turns)
    _coercion(fig, rows, events, panels.turns)
    return fig


def projector_figure(rows: list[Row], events: Sequence[EventBase],
                     names: Names | None = None) -> Figure:
    """The summary for a room, in :data:`ROOM` sizes: the partners' positions on each
    question's dimension (no question named: the account beside the figure names this
    turn's) and China's coercion attempts. No title (the page's heading says it), no
    note on the lines (the page's caption: :data:`ROOM_NOTE`), and neither the world nor
    the felt pressure (the run folder's summary.png has them; the account says each
    attempt's pressure and backing)."""
    names = names or {}
    panels = PositionPanels(rows, events, ROOM)
    if len(panels.chunks) > 1:  # lower panels: two rows still fit a projector's height
        panels = PositionPanels(rows, events, replace(ROOM, panel_height=ROOM_LOW_PANELS))
    title, attempts = ROOM_ATTEMPTS
    height = ROOM_KEY + panels.height + title + attempts + ROOM.panel_below
    fig = Figure(figsize=(ROOM.width, height))
    partner_key(fig, height - 0.08, names, ROOM)
    panels.draw(fig, height - ROOM_KEY, names)
    side = (KEY_SAMPLE + KEY_PAD) * ROOM.side_key / 72 + text_size(
        max(ATTEMPT_KEY.values(), key=len), ROOM.side_key)[0] + 0.15
    ax = add_axes(fig, ROOM.panel_left, ROOM.panel_below,
                  ROOM.width - ROOM.panel_left - ROOM.panel_right - side, attempts)
    _attempts(ax, events, ROOM, "none so far")  # a game in the room is still going
    title_of(ax, "China's coercion attempts", ROOM.title)
    ax.set_ylabel("")  # the title says it
    turn_axis(ax, panels.turns)
    return fig


ROOM_NOTE = ("positions from 0 (none) to 1 (strongest); each partner's line is nudged a "
             "little up or down so equal positions all show; a marker: a choice it made")


class PositionPanels:
    """A summary's position panels, one per dimension the run's questions placed the
    partners on, three to a row, each row with room above it for the panels' titles and
    (in :data:`PAPER` sizes) the questions' labels."""

    def __init__(self, rows: list[Row], events: Sequence[EventBase] | None, sizes: Sizes):
        positions = [m.removeprefix("position.") for m in metrics(rows, "position.")]
        shown = [d for d in DIMENSION_TITLES if d in positions] + [
            d for d in positions if d not in DIMENSION_TITLES]
        self.rows, self.sizes = rows, sizes
        self.turns = turn_range(rows)
        self.decided = decision_marks(rows, events)
        self.asked = questions(events)
        said = question_words(events)
        self.labels = {d: question_starts(rows, d, self.asked, said) if sizes.question else {}
                       for d in shown}
        self.chunks = [shown[i:i + 3] for i in range(0, len(shown), 3)]
        self.width, self.gap = panel_width(self.labels, self.turns, sizes)
        self.titles = {d: panel_title(d, self.width, sizes) for d in shown}
        self.heads = [max(self.titles[d].count("\n") + 1 for d in chunk)
                      * sizes.panel_title_line
                      + labels_height([self.labels[d] for d in chunk], sizes.question)
                      for chunk in self.chunks]

    @property
    def height(self) -> float:
        """Inches the rows take, from the top of the first row's titles."""
        return sum(h + self.sizes.panel_height + self.sizes.panel_below for h in self.heads)

    def draw(self, fig: Figure, top: float, names: Names) -> None:
        """The rows, the first one's titles from ``top`` (inches) down."""
        sizes = self.sizes
        for chunk, head in zip(self.chunks, self.heads, strict=True):
            bottom = top - head - sizes.panel_height
            title_room = max(self.titles[d].count("\n") + 1 for d in chunk) \
                * sizes.panel_title_line
            for k, dimension in enumerate(chunk):
                ax = add_axes(fig, sizes.panel_left + k * (self.width + self.gap), bottom,
                              self.width, sizes.panel_height)
                _positions(ax, self.rows, dimension, self.decided, self.asked, self.turns,
                           names, sizes)
                _panel_head(ax, self.titles[dimension], self.labels[dimension],
                            (head - title_room) * 72, sizes)
            top = bottom - sizes.panel_below


def panel_title(dimension: str, width: float, sizes: Sizes) -> str:
    """A position panel's title: with its scale below it (:data:`PAPER`), or wrapped to
    the panel's ``width`` (inches) where the type is large; a centred title may run into
    a little of the gaps on either side."""
    title = DIMENSION_TITLES.get(dimension, f"IP4 positions: {dimension}")
    if sizes.scale_in_title:
        return f"{title}\n(0 none, 1 strongest)"
    room = width + 0.6 * sizes.panel_gap
    return textwrap.fill(title, max(10, int(room * 72 / (sizes.title * EM_WIDTH))))


def partner_key(fig: Figure, top: float, names: Names, sizes: Sizes) -> None:
    """The four partners' colours and markers in one row, centred, from ``top`` down."""
    handles = [Line2D([], [], color=PARTNER_COLOURS[c], marker=PARTNER_MARKERS[c],
                      linewidth=2, markeredgecolor="white", label=name(c, names)) for c in IP4]
    key(fig, [(h, h.get_label()) for h in handles],
        (sizes.width - len(handles) * sizes.key_column) / 2, top, sizes.key,
        columns=len(handles), column_width=sizes.key_column)


def add_axes(fig: Figure, left: float, bottom: float, width: float, height: float,
             **kwargs) -> Axes:
    """An axes placed in inches from the figure's lower left corner."""
    w, h = fig.get_size_inches()
    return fig.add_axes((left / w, bottom / h, width / w, height / h), **kwargs)


def title_of(ax: Axes, title: str, points: float | str = "large",
             pad: float | None = None) -> None:
    """An axes' title, ``pad`` points above it (None: matplotlib's default), its position
    given (y=1, the panel's top) rather than left to matplotlib: then at every draw it
    measured every tick label of the axes to lift the title over any drawn above the
    panel (10% of drawing both figures), and no panel here has any there."""
    ax.set_title(title, fontsize=points, pad=pad, y=1.0)


def beside(ax: Axes) -> tuple[float, float]:
    """Just right of an axes' upper right corner, in inches: where its key goes."""
    box = ax.get_position()
    w, h = ax.get_figure().get_size_inches()
    return box.x1 * w + 0.08, box.y1 * h


def key(fig: Figure, entries: list[tuple[Artist | None, str]], left: float, top: float,
        points: float, columns: int = 1, column_width: float = 0.0) -> None:
    """A legend's entries from ``left, top`` (inches): a sample of each artist's style
    (None: a note alone) before its label, filling the columns in turn, the first ones
    one entry longer when they do not come out even (as a Legend fills them)."""
    em = points / 72
    rows, extra = divmod(len(entries), columns)
    cells = [(row, column) for column in range(columns)
             for row in range(rows + (column < extra))]
    for (artist, label), (row, column) in zip(entries, cells, strict=True):
        x = left + column * column_width
        y = top - (row + 0.5) * KEY_PITCH * em
        if artist is not None:
            fig.add_artist(sample(artist, x, y, em, fig.dpi_scale_trans))
        fig.text(x + (KEY_SAMPLE + KEY_PAD) * em, y, label, fontsize=points, va="center",
                 transform=fig.dpi_scale_trans, gid="key")


def sample(artist: Artist, x: float, y: float, em: float, inches: Transform) -> Artist:
    """A key's sample of a plotted artist's style at ``x, y`` (inches): a short line with
    one marker in its middle, or a filled box for a filled area."""
    if isinstance(artist, Line2D):
        line = Line2D([x, x + KEY_SAMPLE * em / 2, x + KEY_SAMPLE * em], [y, y, y])
        line.update_from(artist)  # the style, and also the axes' transform and clipping
        line.set(transform=inches, clip_on=False, clip_path=None, markevery=[1], label="")
        return line
    return Rectangle((x, y - 0.35 * em), KEY_SAMPLE * em, 0.7 * em, transform=inches,
                     facecolor=artist.get_facecolor()[0], edgecolor="none")


def text_size(text: str, points: float) -> tuple[float, float]:
    """A one-line text's estimated width and height in inches."""
    return len(text) * points * EM_WIDTH / 72, points * EM_HEIGHT / 72


def labels_height(panels: list[dict[int, str]], points: float = QUESTION_SIZE) -> float:
    """Inches above a row of position panels that its tallest question label needs."""
    if not points:
        return 0.1
    tallest = 0.0
    for text in (t for labels in panels for t in labels.values()):
        w, h = text_size(text, points)
        tallest = max(tallest, w * math.sin(QUESTION_ANGLE) + h * math.cos(QUESTION_ANGLE))
    return tallest + 0.1


def panel_width(labels: dict[str, dict[int, str]], turns: tuple[int, int] | None,
                sizes: Sizes = PAPER) -> tuple[float, float]:
    """The position panels' width and the gap after each, in inches: three to a row, the
    gap (and the right margin) wide enough for a question label that runs on past its
    panel's right edge."""
    width = (sizes.width - sizes.panel_left - sizes.panel_right - 2 * sizes.panel_gap) / 3
    if turns is None:
        return width, sizes.panel_gap
    span = turns[1] - turns[0] + 1
    over = 0.1 + max((((t - turns[0] + 0.5) / span - 1) * width
                      + text_size(text, sizes.question)[0] * math.cos(QUESTION_ANGLE)
                      for panel in labels.values() for t, text in panel.items()), default=0.0)
    gap, right = max(sizes.panel_gap, over), max(sizes.panel_right, over)
    return (sizes.width - sizes.panel_left - right - 2 * gap) / 3, gap


def question_starts(rows: list[Row], dimension: str,
                    asked: dict[tuple[str, str], dict[int, str]],
                    said: dict[str, str] | None = None) -> dict[int, str]:
    """Turn -> the questions on a dimension whose lines start there, named for a label
    ("a / b" when two start in one turn; ``said``: each decision's words, else its id): a
    question asked again after another one is named again where its line starts anew."""
    at: dict[int, list[str]] = defaultdict(list)
    for code in IP4:
        ts, values = series(rows, f"position.{dimension}", code)
        for decision, xs, _ in segments(ts, values, asked.get((dimension, code), {})):
            label = (said or {}).get(decision) or decision.replace("_", " ")
            if decision and label not in at[xs[0]]:
                at[xs[0]].append(label)
    return {turn: " / ".join(at[turn]) for turn in sorted(at) if at[turn]}


def decision_marks(rows: list[Row], events: Sequence[EventBase] | None
                   ) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """(dimension, partner) -> (turn, position) of each choice that partner made on a
    decision about that dimension (each ``DecisionOpened`` event names its dimension): two
    questions in one turn give two marks, where the time series keeps the last. Without
    events: where a position first appears or changes."""
    out: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    if events is None:
        value = {(m.removeprefix("position."), a, t): v for t, m, a, v in rows
                 if m.startswith("position.")}
        for (dimension, actor, t), v in value.items():
            if value.get((dimension, actor, t - 1)) != v:
                out[(dimension, actor)].append((t, v))
        return out
    dimension_of = {e.decision: e.dimension for e in events if isinstance(e, DecisionOpened)}
    for e in events:
        if isinstance(e, Choice) and e.actor in IP4 and e.decision in dimension_of:
            out[(dimension_of[e.decision], e.actor)].append((e.turn, e.position))
    return out


def question_words(events: Sequence[EventBase] | None) -> dict[str, str]:
    """Each decision's question, cut at a word to at most :data:`QUESTION_CHARACTERS` for
    a panel's label: a reader knows a question by its words, not its id."""
    out = {}
    for e in events or ():
        if isinstance(e, DecisionOpened):
            words = e.question.rstrip("?")
            out[e.decision] = words if len(words) <= QUESTION_CHARACTERS else \
                words[:QUESTION_CHARACTERS].rsplit(" ", 1)[0] + "…"
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
               decided: dict[tuple[str, str], list[tuple[int, float]]],
               asked: dict[tuple[str, str], dict[int, str]],
               turns: tuple[int, int] | None, names: Names, sizes: Sizes = PAPER) -> None:
    for code in IP4:
        ts, values = series(rows, f"position.{dimension}", code)
        if not ts:
            continue
        off = nudge(code)
        colour = PARTNER_COLOURS[code]
        for k, (decision, xs, ys) in enumerate(segments(ts, values, asked.get((dimension, code),
                                                                               {}))):
            add_line(ax, xs, [v + off for v in ys], drawstyle="steps-post", color=colour,
                     linewidth=1.8, alpha=0.9, label=name(code, names) if k == 0 else None,
                     gid=f"position:{code}:{decision}")
        marks = [(t, v + off) for t, v in decided.get((dimension, code), [])]
        if marks:
            add_line(ax, *zip(*marks, strict=True), linestyle="none",
                     marker=PARTNER_MARKERS[code], markersize=sizes.marker, color=colour,
                     markeredgecolor="white", markeredgewidth=0.6, gid=f"decision:{code}")
    ax.set_ylim(-0.08, 1.08)
    ax.set_yticks(sizes.levels)
    ax.grid(alpha=0.25)
    ax.set_xlabel(sizes.x_label, fontsize=sizes.label)
    ax.tick_params(labelsize=sizes.ticks)
    turn_axis(ax, turns)


def add_line(ax: Axes, xs: Sequence[float], ys: Sequence[float], **style) -> Line2D:
    """A line of the given style added to ``ax`` as it is: the line ``Axes.plot`` makes when
    its colour is given, without plot's parsing of its arguments (made in two thirds of
    plot's time, some 50 µs less a line). Unlike plot it asks for no rescaling to the data:
    the caller sets the axes' limits."""
    return ax.add_line(Line2D(xs, ys, **style))


def _panel_head(ax: Axes, title: str, labels: dict[int, str], room: float,
                sizes: Sizes) -> None:
    """A position panel's title, raised ``room`` points above the panel, and below it each
    question on the dimension named at the turn its line starts, with a tick."""
    title_of(ax, title, sizes.title, pad=room)
    if not labels:
        return
    where = ax.get_xaxis_transform()  # x in turns, y in the panel's height
    ax.plot(list(labels), [1.0] * len(labels), transform=where, linestyle="none",
            marker="|", markersize=4, color="black", clip_on=False, gid="question ticks")
    for turn, text in labels.items():
        ax.text(turn, 1.02, text, transform=where, fontsize=sizes.question,
                rotation=math.degrees(QUESTION_ANGLE), rotation_mode="anchor", ha="left",
                va="bottom", gid="question")


def _world(ax: Axes, rows: list[Row], turns: tuple[int, int] | None) -> None:
    for metric in metrics(rows, "world."):
        ts, values = series(rows, metric)
        ax.plot(ts, values, marker="o", markersize=3,
                label=metric.removeprefix("world.").replace("_", " "))
    ts, values = series(rows, "russia_pressure")
    if any(v != 0 for v in values):
        ax.plot(ts, values, linestyle="--", color="black", label="Russian pressure")
    title_of(ax, "The world", 10)
    ax.set_ylim(-0.05, 1.05)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1])
    ax.grid(alpha=0.25)
    ax.set_xlabel("turn")
    turn_axis(ax, turns)
    key(ax.get_figure(), [(line, line.get_label()) for line in ax.get_lines()], *beside(ax), 7)


def _coercion(fig: Figure, rows: list[Row], events: Sequence[EventBase] | None,
              turns: tuple[int, int] | None) -> None:
    """Felt pressure and backing per partner over turns; below, with the events, China's
    attempts per partner per turn (hollow: resisted, filled: pressure landed)."""
    left, bottom, width, height = COERCION
    if events is None:
        felt = add_axes(fig, *COERCION)
        attempts_ax = None
    else:
        below = height * 0.3
        attempts_ax = add_axes(fig, left, bottom, width, below)
        felt = add_axes(fig, left, bottom + below + 0.1, width, height - below - 0.1,
                        sharex=attempts_ax)
    top = 1.0
    for code in IP4:
        off = nudge(code) * 0.5
        ts, values = series(rows, "coerced", code)
        if ts:
            add_line(felt, ts, [v + off for v in values], color=PARTNER_COLOURS[code],
                     linewidth=1.8, gid=f"coerced:{code}")
            top = max(top, *values)
        ts, values = series(rows, "backing", code)
        if ts:
            add_line(felt, ts, [v + off for v in values], color=PARTNER_COLOURS[code],
                     linestyle=":", linewidth=1.6, gid=f"backing:{code}")
            top = max(top, *values)
    felt.set_ylim(-0.05, top + 0.05)
    title_of(felt, "Chinese coercion: pressure felt and backing from partners", 10)
    felt.grid(alpha=0.25)
    key(fig, [(Line2D([], [], color="grey", linewidth=1.8), "pressure felt (decays each turn)"),
              (Line2D([], [], color="grey", linestyle=":", linewidth=1.6),
               "backing from partners"),
              (None, "(lines nudged apart"), (None, "so equal values show)")], *beside(felt), 7)
    turn_axis(felt, turns)
    if attempts_ax is None:
        felt.set_xlabel("turn")
        return
    felt.tick_params(labelbottom=False)
    _attempts(attempts_ax, events)
    turn_axis(attempts_ax, turns)


ATTEMPT_KEY = {"white": "attempt resisted", "black": "pressure landed"}  # face -> label


def _attempts(ax: Axes, events: Sequence[EventBase], sizes: Sizes = PAPER,
              none: str = "no coercion attempts in this run") -> None:
    """China's coercion attempts: one row per partner, one marker per attempt (``none``:
    what the panel says when there is none)."""
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
                ax.scatter(xs, [y] * len(xs), s=7 * sizes.marker, marker="o", linewidths=1.6,
                           edgecolors=colour, facecolors=colour if success else "white",
                           zorder=3, gid=f"attempt:{code}:{'landed' if success else 'resisted'}")
    ax.set_yticks(range(len(IP4)), list(reversed(IP4)), fontsize=sizes.label)
    ax.set_ylim(-0.6, len(IP4) - 0.4)
    ax.grid(axis="x", alpha=0.25)
    ax.set_xlabel("turn", fontsize=sizes.ticks)  # as large as the turns it names
    ax.tick_params(axis="x", labelsize=sizes.ticks)
    ax.set_ylabel("attempts", fontsize=sizes.label)
    if not by_turn:
        ax.text(0.5, 0.5, none, transform=ax.transAxes,
                ha="center", va="center", fontsize=sizes.label, color="#555555")
    key(ax.get_figure(), [
        (Line2D([], [], linestyle="none", marker="o", markerfacecolor=face,
                markeredgecolor="black"), label) for face, label in ATTEMPT_KEY.items()],
        *beside(ax), sizes.side_key)


def png(fig: Figure) -> bytes:
    """The figure as a PNG at :data:`DPI`, compressed at zlib's fastest level: a quarter of
    the summary's encoding time saved (10 ms) for a file 4% larger. Files and the browser's
    projector alike get these bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def save(fig: Figure, path: Path) -> Path:
    """The figure's :func:`png` written to ``path``, whole or not at all (a full disk is said
    naming the file, ``sim.outputs.write_bytes``)."""
    write_bytes(path, png(fig))
    return path


# -- publics ------------------------------------------------------------------------------

BELIEF_COLOURS = ("#d62728", "#8c564b", "#9467bd", "#bcbd22", "#17becf")
THREAT_COLOURS = {"china": "#ff7f0e", "russia": "#2ca02c"}
PUBLICS_SIZE = (12.0, 8.6)
PUBLICS_KEY_COLUMN = 2.3  # inches
PUBLICS_KEY_COLUMNS = 4
PUBLICS_KEY_ROW = 0.2  # inches a row of the key takes below the panels
PUBLICS_LEFT = 0.5  # inches: room for the y tick labels
PUBLICS_RIGHT = 0.15
PUBLICS_TITLE = 0.75  # the figure's title, above the panels
PUBLICS_COLUMN_GAP = 0.2
PUBLICS_ROW_GAP = 0.45  # the lower panels' titles, between the rows
PUBLICS_AXIS = 0.55  # the turn axis' ticks and label, above the key


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
    fig = Figure(figsize=PUBLICS_SIZE)
    fig.suptitle(f"Publics: {title}", y=1 - 0.1 / PUBLICS_SIZE[1])
    entries = 4 + len(beliefs) + len(THREAT_COLOURS)  # the key's, as plotted below
    axes = fig.subplots(2, 2, sharex=True, sharey=True,
                        gridspec_kw=publics_grid(key_rows(entries))).ravel()
    office = [t for t, v in zip(*series(rows, "liaison_office_open"), strict=True) if v > 0]
    turns = turn_range(rows)
    for ax, code in zip(axes, codes, strict=False):
        ts, aware = series(rows, "public.awareness", code)
        _, understand = series(rows, "public.understanding", code)
        ax.fill_between(ts, understand, aware, color="#1f77b4", alpha=0.12,
                        label="awareness-understanding gap")
        add_line(ax, ts, aware, color="#1f77b4", linewidth=2, label="awareness")
        add_line(ax, ts, understand, color="#1f77b4", linestyle="--", linewidth=2,
                 label="understanding")
        add_line(ax, ts, series(rows, "public.support", code)[1], color="black", linewidth=2.5,
                 label="support for engaging NATO")
        for colour, narrative in zip(BELIEF_COLOURS, beliefs, strict=False):
            add_line(ax, ts, series(rows, f"public.belief.{narrative}", code)[1], color=colour,
                     linestyle=":", linewidth=2, label=f"belief: {narrative_label(narrative)}")
        for adversary, colour in THREAT_COLOURS.items():
            ts_threat, threat = series(rows, f"public.threat.{adversary}", code)
            if ts_threat:
                add_line(ax, ts_threat, threat, color=colour, linestyle="-.", linewidth=2,
                         label=f"sees {adversary.capitalize()} as a threat")
        if office:
            ax.axvline(office[0], color="grey", linewidth=1)
            ax.text(office[0], 0.97, " Tokyo office opens", fontsize=7, va="top",
                    color="grey")
        title_of(ax, name(code, names))
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
        key(fig, list(zip(handles, labels, strict=True)),
            (PUBLICS_SIZE[0] - PUBLICS_KEY_COLUMNS * PUBLICS_KEY_COLUMN) / 2,
            PUBLICS_KEY_ROW * key_rows(len(labels)) + 0.1, 8, columns=PUBLICS_KEY_COLUMNS,
            column_width=PUBLICS_KEY_COLUMN)
    return fig


def key_rows(entries: int) -> int:
    """Rows of the publics' key for this many entries."""
    return math.ceil(entries / PUBLICS_KEY_COLUMNS)


def publics_grid(legend_rows: int) -> dict[str, float]:
    """The publics' 2 x 2 panels placed in inches: the title above, the panels' titles
    between the rows, the turn axis and the legend's rows below."""
    width, height = PUBLICS_SIZE
    bottom = PUBLICS_AXIS + PUBLICS_KEY_ROW * legend_rows
    panel_w = (width - PUBLICS_LEFT - PUBLICS_RIGHT - PUBLICS_COLUMN_GAP) / 2
    panel_h = (height - PUBLICS_TITLE - bottom - PUBLICS_ROW_GAP) / 2
    return {"left": PUBLICS_LEFT / width, "right": 1 - PUBLICS_RIGHT / width,
            "top": 1 - PUBLICS_TITLE / height, "bottom": bottom / height,
            "wspace": PUBLICS_COLUMN_GAP / panel_w, "hspace": PUBLICS_ROW_GAP / panel_h}
