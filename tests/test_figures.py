"""Figures a briefing reader can trust: whole turns, every partner visible, China's
coercion attempts shown, comparison intervals inside each outcome's natural bounds."""

import math

import numpy as np
import pytest
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from agents.catalog import IP4
from analysis.compare import (
    SummaryRow,
    bounds,
    clip_interval,
    format_table,
    outcomes_figure,
    summarize,
)
from analysis.figures import (
    QUESTION_CHARACTERS,
    ROOM,
    decision_marks,
    projector_figure,
    publics_figure,
    question_words,
    summary_figure,
)
from analysis.outcomes import OUTCOMES
from scenarios.loader import library_dir, load_scenario
from sim.cli import main
from sim.outputs import Choice, Coercion, DecisionOpened, read_run

SHORT_TURNS = 6


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """The Ukraine scenario cut to six turns, played and written like any run."""
    base = tmp_path_factory.mktemp("short")
    data = yaml.safe_load((library_dir() / "ukraine_response.yaml").read_text())
    data["turns"] = SHORT_TURNS
    data["injects"] = [i for i in data["injects"] if i.get("turn", 0) <= SHORT_TURNS]
    opened = {d for i in data["injects"] for d in i.get("opens", [])}
    data["decisions"] = [d for d in data["decisions"] if d["id"] in opened]
    path = base / "short.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = base / "run"
    assert main(["run", str(path), "--seed", "7", "--quiet", "--out", str(out)]) == 0
    return read_run(out), load_scenario(str(path)), out


def partner_lines(ax):
    return [line for line in ax.get_lines() if (line.get_gid() or "").startswith("position:")]


def position_axes(fig):
    return [ax for ax in fig.axes if partner_lines(ax)]


def assert_whole_turn_ticks(fig):
    for ax in fig.axes:
        if not ax.axison or not ax.get_xlabel().startswith("turn"):
            continue
        low, high = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        assert ticks and all(float(t).is_integer() for t in ticks), (ax.get_title(), ticks)


def test_short_run_has_whole_turn_ticks_and_every_partner_visible(short_run):
    outputs, loaded, folder = short_run
    fig = summary_figure(outputs.timeseries, "short", outputs.events)
    fig.canvas.draw()
    assert_whole_turn_ticks(fig)
    assert (folder / "summary.png").stat().st_size > 0
    panels = position_axes(fig)
    recorded = {m for _, m, _, _ in outputs.timeseries if m.startswith("position.")}
    assert len(panels) == len(recorded)  # every dimension has its panel
    for ax in panels:
        lines = partner_lines(ax)
        assert {line.get_gid().split(":")[1] for line in lines} == set(IP4)
        low, high = ax.get_ylim()
        for i, a in enumerate(lines):
            ya = np.asarray(a.get_ydata(), dtype=float)
            assert a.get_visible() and ((ya >= low) & (ya <= high)).all()
            for b in lines[i + 1:]:  # equal positions still draw apart
                if a.get_gid().split(":")[1] == b.get_gid().split(":")[1]:
                    continue  # one partner's lines for two questions
                yb = np.asarray(b.get_ydata(), dtype=float)
                assert len(ya) != len(yb) or not np.allclose(ya, yb), ax.get_title()


def test_no_line_joins_two_questions_and_each_question_is_named_where_drawn(short_run):
    """Today one line per partner ran on from one question to the next on a dimension."""
    outputs, loaded, folder = short_run
    fig = summary_figure(outputs.timeseries, "short", outputs.events)
    dimension = {d.id: d.dimension for d in loaded.scenario.decisions}
    said = question_words(outputs.events)  # a question is named by its words, not its id
    assert said and all(len(w) <= QUESTION_CHARACTERS + 1 for w in said.values())
    set_by: dict[tuple[str, str, int], str] = {}
    for e in outputs.events:  # the last choice in a turn sets the position drawn
        if isinstance(e, Choice) and e.actor in IP4:
            set_by[(dimension[e.decision], e.actor, e.turn)] = e.decision
    for ax in position_axes(fig):
        names = " ".join(t.get_text() for t in ax.texts if t.get_gid() == "question")
        for line in partner_lines(ax):
            _, code, decision = line.get_gid().split(":")
            if not decision:
                continue
            dim = dimension[decision]
            xs = list(line.get_xdata())
            turns = [int(t) for t in (xs[:-1] if len(xs) > 1 else xs)]
            asked = {set_by[(dim, code, t)] for t in turns if (dim, code, t) in set_by}
            assert asked == {decision}, (line.get_gid(), asked)
            assert said[decision] in names
    assert all(ax.axison for ax in fig.axes), "no empty panels"


def visible_texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def test_the_fixed_layout_keeps_every_text_in_the_figure_and_labels_under_titles():
    """The layouts are fixed in inches (no layout engine): long question names decided in
    the last turn, two to a turn, still fit, and never run into a panel's title."""
    rows = synthetic_rows(dimensions=("china_threat", "russia_stance", "nato_enthusiasm"))
    events = [DecisionOpened(turn=t, decision=d, question="", forum="all", dimension=dim,
                             options={})
              for t, d, dim in ((6, "logistics_coordination", "nato_enthusiasm"),
                                (6, "partner_contributions", "nato_enthusiasm"),
                                (1, "sanctions", "russia_stance"))]
    events += [Choice(turn=t, actor=code, decision=d, option="a", position=0.5,
                      probability=1.0, by="engine", terms={})
               for t, d in ((6, "logistics_coordination"), (6, "partner_contributions"),
                            (1, "sanctions")) for code in IP4]
    fig = summary_figure(rows, "synthetic", events)
    renderer = drawn(fig)
    assert keys_overlap_no_panel(fig, renderer)
    inside = fig.bbox.padded(1)
    for text in visible_texts(fig):
        box = text.get_window_extent(renderer)
        assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), text
    for ax in position_axes(fig):
        title = ax.title.get_window_extent(renderer)
        for label in (t for t in ax.texts if t.get_gid() == "question"):
            assert label.get_window_extent(renderer).y1 <= title.y0, label.get_text()


# The projector's page gives its figure 60% of a 1600-pixel screen (sim/web/pages.py)
ROOM_PIXELS_PER_INCH = 0.6 * 1600 / ROOM.width


@pytest.mark.parametrize("dimensions", [("russia_stance",), (
    "russia_stance", "china_threat", "nato_enthusiasm", "formalization_aversion")])
def test_the_projector_s_figure_is_in_type_a_room_reads_and_keeps_its_texts_in_place(
        dimensions):
    # the summary shown on the projector had 9-pixel keys and axis labels beside 22-pixel type
    events = [Coercion(turn=2, actor="CHN", target="NZL", pressure=0.5, backing=0.35,
                       success=True)]
    fig = projector_figure(synthetic_rows(dimensions=dimensions), events)
    renderer = drawn(fig)
    texts = visible_texts(fig)
    assert min(t.get_fontsize() for t in texts) * ROOM_PIXELS_PER_INCH / 72 >= 15
    assert keys_overlap_no_panel(fig, renderer)
    inside = fig.bbox.padded(1)
    for text in texts:
        box = text.get_window_extent(renderer)
        assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), text
    panels = position_axes(fig)
    assert len(panels) == len(dimensions)
    for ax in panels:  # a title wrapped to its panel, never over its neighbour's
        title = ax.title.get_window_extent(renderer)
        assert title.x0 >= ax.get_window_extent(renderer).x0 - 0.3 * fig.dpi, \
            ax.title.get_text()
    assert attempt_points(fig) == {"landed": 1, "resisted": 0}
    assert_whole_turn_ticks(fig)
    # a 1600 x 900 projector shows it whole under the page's heading, scaled down by a
    # few percent at most where the panels take two rows
    assert fig.get_size_inches()[1] * ROOM_PIXELS_PER_INCH <= 850


def test_decision_markers_sit_on_the_turns_partners_chose(short_run):
    outputs, loaded, folder = short_run
    dimension = {d.id: d.dimension for d in loaded.scenario.decisions}
    said = question_words(outputs.events)  # a question is named by its words, not its id
    assert said and all(len(w) <= QUESTION_CHARACTERS + 1 for w in said.values())
    expected: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for e in outputs.events:  # every choice, two in one turn included
        if isinstance(e, Choice) and e.actor in IP4:
            expected.setdefault((dimension[e.decision], e.actor), []).append(
                (e.turn, e.position))
    got = decision_marks(outputs.timeseries, outputs.events)
    assert {k: v for k, v in got.items() if v} == expected
    fig = summary_figure(outputs.timeseries, "short", outputs.events)
    marked = sum(len(line.get_xdata()) for ax in fig.axes for line in ax.get_lines()
                 if (line.get_gid() or "").startswith("decision:"))
    assert marked == sum(len(v) for v in expected.values())


def synthetic_rows(turns=SHORT_TURNS, dimensions=("china_threat",), russia=0.0):
    rows = []
    for t in range(1, turns + 1):
        rows += [(t, "world.summit_visibility", "", 0.2), (t, "russia_pressure", "", russia)]
        for code in IP4:
            rows += [(t, "coerced", code, 0.0), (t, "backing", code, 0.35)]
            rows += [(t, f"position.{d}", code, 0.5) for d in dimensions]
    return rows


def attempt_points(fig):
    points = {"landed": 0, "resisted": 0}
    for ax in fig.axes:
        for c in ax.collections:
            gid = c.get_gid() or ""
            if gid.startswith("attempt:"):
                points[gid.rsplit(":", 1)[1]] += len(c.get_offsets())
    return points


def test_coercion_panel_shows_attempts_resisted_and_landed():
    events = [Coercion(turn=2, actor="CHN", target="NZL", pressure=0.5, backing=0.35,
                       success=False),
              Coercion(turn=4, actor="CHN", target="NZL", pressure=0.5, backing=0.35,
                       success=True),
              Coercion(turn=4, actor="CHN", target="KOR", pressure=0.4, backing=0.35,
                       success=False)]
    fig = summary_figure(synthetic_rows(), "synthetic", events)
    assert attempt_points(fig) == {"landed": 1, "resisted": 2}
    # the felt pressure stays 0 here (only the landed attempt would raise it), yet the
    # attempts show
    assert attempt_points(summary_figure(synthetic_rows(), "synthetic", [])) == {
        "landed": 0, "resisted": 0}


@pytest.mark.parametrize("turns", [1, 2, 10, 26])
def test_every_turn_axis_ticks_whole_turns_only_even_at_the_first_turn(turns):
    # at one turn, the locator's default (two integers at least) ticked 0.5, 0.6, ... 1.5
    fig = summary_figure(synthetic_rows(turns=turns), "synthetic", [])
    fig.canvas.draw()
    assert_whole_turn_ticks(fig)
    rows = [(t, f"public.{m}", "JPN", 0.5) for t in range(1, turns + 1)
            for m in ("support", "awareness", "understanding")]
    fig = publics_figure(rows, "synthetic")
    fig.canvas.draw()
    assert_whole_turn_ticks(fig)


def test_one_dimension_zero_russian_pressure_and_integer_ticks():
    fig = summary_figure(synthetic_rows(), "synthetic", [])
    fig.canvas.draw()
    assert_whole_turn_ticks(fig)
    assert len(position_axes(fig)) == 1 and all(ax.axison for ax in fig.axes)
    labels = [line.get_label() for ax in fig.axes for line in ax.get_lines()]
    assert "Russian pressure" not in labels
    fig = summary_figure(synthetic_rows(russia=0.3), "synthetic")
    assert "Russian pressure" in [line.get_label() for ax in fig.axes
                                  for line in ax.get_lines()]


def drawn(fig):
    """The figure drawn (which places the axis labels), and its renderer."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def keys_overlap_no_panel(fig, renderer):
    panels = [ax.get_window_extent(renderer) for ax in fig.axes]
    return not any(t.get_window_extent(renderer).overlaps(panel)
                   for t in fig.texts if t.get_gid() == "key" for panel in panels)


def test_publics_key_sits_outside_the_panels_and_names_every_line(short_run):
    outputs, _, _ = short_run
    fig = publics_figure(outputs.timeseries, "short")
    renderer = drawn(fig)
    keyed = {t.get_text() for t in fig.texts if t.get_gid() == "key"}
    assert keyed == set(fig.axes[0].get_legend_handles_labels()[1])  # every labelled artist
    assert "awareness-understanding gap" in keyed
    assert keys_overlap_no_panel(fig, renderer)
    assert_whole_turn_ticks(fig)


def test_every_panel_s_title_clears_its_panel_and_the_tick_labels_above_it(short_run):
    # titles are placed at the panel's top (analysis.figures.title_of), no longer lifted by
    # matplotlib over tick labels drawn above a panel: a panel given such labels fails here
    outputs, _, _ = short_run
    rows, events = outputs.timeseries, outputs.events
    for fig in (summary_figure(rows, "short", events), publics_figure(rows, "short"),
                projector_figure(rows, events)):
        renderer = drawn(fig)
        titled = [ax for ax in fig.axes if ax.get_title()]
        assert titled
        for ax in titled:
            title = ax.title.get_window_extent(renderer)
            assert title.y0 >= ax.get_window_extent(renderer).y1, ax.get_title()
            labels = ax.xaxis.get_tightbbox(renderer)
            assert labels is None or title.y0 >= labels.y1, ax.get_title()


def test_the_publics_figure_draws_each_publics_threat_perceptions(short_run):
    outputs, _, _ = short_run
    fig = publics_figure(outputs.timeseries, "short")
    for ax in fig.axes[:4]:
        labels = [line.get_label() for line in ax.get_lines()]
        assert {"sees China as a threat", "sees Russia as a threat"} <= set(labels), labels


# -- comparison intervals -------------------------------------------------------------------

@pytest.mark.parametrize(("outcome", "low", "high", "clipped"), [
    ("coercion_successes", -1.48, 3.48, (0.0, 3.48)),
    ("hook_max", -0.0, 0.0, (0.0, 0.0)),
    ("hook_max", -1e-12, 2e-12, (0.0, 2e-12)),
    ("cohesion", 0.9, 1.2, (0.9, 1.0)),
    ("response_size", -0.3, 1.4, (0.0, 1.0)),
    ("joint_rate", 0.2, 0.4, (0.2, 0.4)),
    ("shock_to_joint", -2.0, 5.0, (0.0, 5.0)),
    ("belief.asia_pacific_nato", -0.1, 1.1, (0.0, 1.0)),
    ("some_new_outcome", -5.0, 5.0, (-5.0, 5.0)),
])
def test_clip_interval_keeps_natural_bounds(outcome, low, high, clipped):
    got = clip_interval(outcome, low, high)
    assert got == clipped
    assert all(math.copysign(1.0, v) > 0 for v in got if v == 0)  # never "-0.00"


def test_clip_interval_leaves_nan():
    assert all(math.isnan(v) for v in clip_interval("cohesion", math.nan, math.nan))


def test_summary_intervals_never_leave_the_bounds():
    rng = np.random.default_rng(3)
    results = []
    for outcome, (lo, hi) in ((name, o.bounds) for name, o in OUTCOMES.items()):
        for seed in range(3):  # few seeds and skewed values: raw t intervals overshoot
            value = float(rng.choice([lo, lo, lo, min(hi, lo + 3.0)]))
            results.append(("s", "caucus", seed, outcome, "", value))
    for s in summarize(results, ["caucus"]):
        lo, hi = bounds(s.outcome)
        for v in (s.mean, s.ci_low, s.ci_high):
            assert math.isnan(v) or lo <= v <= hi, s


def test_table_footer_says_clipped_and_censored():
    rows = [SummaryRow("caucus", "cohesion", "", 0.8, 0.7, 0.9, 30),
            SummaryRow("caucus", "shock_to_joint", "", 3.0, 0.0, 6.0, 30)]
    text = format_table(rows, ["caucus"])
    assert "clipped" in text and "natural bounds" in text
    assert "censored" in text and "last turn + 1" in text


def test_bounded_outcomes_are_drawn_on_the_whole_unit_axis():
    rows = [SummaryRow(rule, "response_size", "", m, m - 0.005, m + 0.005, 30)
            for rule, m in (("caucus", 0.91), ("formal", 0.92))]
    rows += [SummaryRow("caucus", "coercion_successes", "", 2.0, 1.5, 2.5, 30)]
    fig = outcomes_figure(rows, ["caucus", "formal"], "synthetic")
    by_title = {ax.get_title(): ax for ax in fig.axes}
    low, high = by_title["response size"].get_xlim()
    assert low <= 0 and high >= 1
    low, _ = by_title["coercion successes"].get_xlim()
    assert -0.5 < low <= 0
