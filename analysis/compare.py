"""Comparing IP4 coordination rules: the summary, table and figures of a batch.

``sim.sweep.compare_rules`` plays every rule over the same run seeds (derived from one
root seed, so rule differences are not seed differences) and writes the tidy result rows
(``results.parquet``, ``results.csv``; outcomes defined in :mod:`analysis.outcomes`),
``failures.csv`` and ``manifest.json``. This module reads those rows and writes:

* ``summary.csv``: per (rule, outcome, actor) the mean over seeds with a 95% interval,
  n, the runs with a value, and ``interval``, how it was made (``analysis.intervals``):
  for a 0/1 outcome (declared ``binary``) the Wilson score interval; where every run gave the
  same value, the widest interval the outcome's bounds allow (none for an unbounded
  outcome: a spread of 0 over n runs does not make the mean exact); otherwise the plain t
  interval of the mean, mean +/- t(0.975, n-1) x sd / sqrt(n), then clipped to the
  outcome's natural bounds (declared in :data:`analysis.outcomes.OUTCOMES`; :func:`clip_interval`):
  counts, turns, attention and binding cost at least 0; rates, cohesion, response size, the hook and
  a public's support, gap and beliefs within [0, 1]. Where the t interval stays inside
  those bounds it is unchanged; where it crosses one (few seeds, a skewed count near 0,
  a value near 0 or 1 in almost every run) the part beyond is impossible and is cut off,
  so such an interval is narrower on that side than a symmetric t interval and is no
  more exact than the t approximation it came from;
* ``differences.csv`` with two rules or more: each rule less the first, seed by seed
  (:func:`paired_differences`, which a sweep's analysis shares), with the p-value of no
  difference and Holm's adjustment over every row of the file (``p_holm``, ``stands``);
* ``compare_outcomes.png`` and ``coercion_by_partner.png``: briefing figures;
* the interval's description and the outcomes' bounds, for the batch's ``manifest.json``.

The same rows give the same ``summary.csv``, byte for byte, however they were run.
"""

from __future__ import annotations

import csv
import io
import math
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.figures import save
from analysis.intervals import (
    ALPHA,
    CONFIDENCE,
    NONE_ALL_EQUAL,
    T,
    crossed_interval,
    holm,
    mean_interval,
    zero_p,
)
from analysis.outcomes import HEADLINE, LEGEND, OUTCOMES, UNIT, declared, outcome_label
from sim.outputs import PARTNERS as IP4
from sim.outputs import RESULT_COLUMNS, ResultRow, number_text, write_text

SUMMARY_COLUMNS = ("rule", "outcome", "actor", "mean", "ci_low", "ci_high", "n", "interval")
INTERVAL_NOTE = ("intervals clipped to each outcome's natural bounds (counts, turns, "
                 "attention, binding cost >= 0; rates, cohesion, response size, hook "
                 "in [0, 1])")
ALL_EQUAL_NOTE = ("where every run gave the same value, the interval reaches as far toward "
                  "the outcome's bounds as that many equal runs allow, and '(all equal)' "
                  "marks an outcome no bound limits: no interval is given")
# How wide the printed table may be: a terminal's width, so wider tables wrap into blocks
# of columns, each led by the rule.
TABLE_WIDTH = 100

Result = ResultRow


@dataclass(frozen=True)
class SummaryRow:
    rule: str
    outcome: str
    actor: str
    mean: float
    ci_low: float
    ci_high: float
    n: int
    interval: str = T  # how the interval was made (analysis.intervals)


# -- a batch's summary -----------------------------------------------------------------

SUMMARY_FILES = ["summary.csv", "compare_outcomes.png", "coercion_by_partner.png"]


@dataclass(frozen=True)
class BatchSummary:
    summary: list[SummaryRow]
    differences: pd.DataFrame  # each rule less the first (:func:`paired_differences`)
    files: list[str]  # what summarize_batch wrote


def summarize_batch(results: list[Result], specs: list[str], title: str,
                    out: Path) -> BatchSummary:
    """Summarize a batch's result rows (``sim.sweep.compare_rules`` wrote them): write
    :data:`SUMMARY_FILES` (``summary.csv`` and the two figures) to ``out``, and with two
    rules or more :data:`DIFFERENCES_FILE`; the batch's manifest says how the intervals
    were made (:data:`INTERVAL`, :func:`bounds_record`)."""
    summary = summarize(results, specs)
    write_text(out / "summary.csv", summary_csv(summary))
    save(outcomes_figure(summary, specs, title), out / "compare_outcomes.png")
    save(coercion_figure(summary, specs, title), out / "coercion_by_partner.png")
    differences = batch_differences(results, specs)
    if not differences.empty:
        write_text(out / DIFFERENCES_FILE, differences_csv(differences))
    return BatchSummary(summary, differences,
                        [*SUMMARY_FILES, *([] if differences.empty else [DIFFERENCES_FILE])])


INTERVAL = (f"{CONFIDENCE:.0%} interval of the mean over seeds: Student t, clipped to each "
            "outcome's natural bounds; Wilson for a 0/1 outcome; where every run gave the "
            "same value, the widest the outcome's bounds allow (none if unbounded); "
            "summary.csv's interval column names each row's. differences.csv: each rule less "
            "the first, seed by seed, by the same methods; p_value tests a difference of 0 by "
            "the method of its interval, p_holm is Holm's adjustment over every row of the "
            f"file, and a difference stands where p_holm < {1 - CONFIDENCE:.2f}")


def bounds_record() -> dict[str, list[float | None]]:
    """Each outcome's natural bounds as a manifest records them (None: no upper bound)."""
    return {name: [o.bounds[0], None if math.isinf(o.bounds[1]) else o.bounds[1]]
            for name, o in sorted(OUTCOMES.items())}


# -- summary ----------------------------------------------------------------------------

def bounds(outcome: str) -> tuple[float, float]:
    """An outcome's natural bounds; a public's ``belief.*`` is a share, in [0, 1]."""
    found = declared(outcome)
    return found.bounds if found else (-math.inf, math.inf)


def clip_interval(outcome: str, low: float, high: float) -> tuple[float, float]:
    """An interval cut to the outcome's natural bounds (NaN stays NaN; -0.0 becomes 0.0)."""
    lo, hi = bounds(outcome)

    def clip(x: float) -> float:
        return x if math.isnan(x) else min(hi, max(lo, x)) + 0.0

    return clip(low), clip(high)


def outcome_order(outcome: str, actor: str) -> tuple:
    headline = list(HEADLINE)
    rank = headline.index(outcome) if outcome in headline else len(headline)
    partner = IP4.index(actor) if actor in IP4 else -1
    return (rank, outcome, partner, actor)


def summarize(results: list[Result], specs: list[str]) -> list[SummaryRow]:
    """Mean, 95% interval (:func:`outcome_interval`) and n per (rule, outcome, actor),
    NaN values left out."""
    values: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for _, rule, _, outcome, actor, value in results:
        values[(rule, outcome, actor)].append(value)
    rows = []
    rank = {s: i for i, s in enumerate(specs)}
    for (rule, outcome, actor) in sorted(values, key=lambda k: (rank.get(k[0], len(rank)),
                                                                *outcome_order(k[1], k[2]))):
        v = np.array(values[(rule, outcome, actor)], dtype=float)
        v = v[~np.isnan(v)]
        mean = float(v.mean()) if len(v) else math.nan
        low, high, how = outcome_interval(outcome, v)
        rows.append(SummaryRow(rule, outcome, actor, _r(mean), _r(low), _r(high), len(v),
                               how))
    return rows


DIFFERENCES_FILE = "differences.csv"
DIFFERENCE_COLUMNS = ("rule", "baseline", "outcome", "actor", "mean_difference", "ci_low",
                      "ci_high", "n", "interval", "p_value", "p_holm", "stands")
HOLM_NOTE = ("* marks a difference that stands after Holm's adjustment for the {m} "
             "differences of {file} (every rule, outcome and actor: one family), so that "
             "the chance any marked one is noise is at most {error:.0%}; an interval that "
             "leaves out 0 unmarked may be one of the {error:.0%} of true zeros each "
             "interval misses")

# A run's place in a design but for its rule: a table with one column per rule
# (:func:`by_rule`) pairs the rules' runs on the same seed.
PAIRED = ["scenario", "point", "outcome", "actor", "replicate"]
DIFFERENCE_TABLE = ["scenario", "rule", "baseline", "outcome", "actor", "mean_difference",
                    "ci_low", "ci_high", "pairs", "points", "replicates", "interval",
                    "p_value"]


def by_rule(runs: pd.DataFrame) -> pd.DataFrame:
    """Every run's value (``runs``: tidy, with ``point`` and ``replicate``), one column per
    rule, indexed by :data:`PAIRED`."""
    return runs.pivot_table(index=PAIRED, columns="rule", values="value", aggfunc="first")


def runs_table(group: pd.DataFrame, column: str = "value") -> np.ndarray:
    """A group's values as design points x replicates, keeping only the points with a value
    for every replicate (the crossed interval needs a complete table)."""
    wide = group.pivot_table(index="point", columns="replicate", values=column,
                             aggfunc="first")
    return wide.dropna().to_numpy(dtype=float)


def paired_differences(wide: pd.DataFrame, rules: list[str]) -> pd.DataFrame:
    """Each rule less ``rules[0]`` on the same scenario, point, replicate (seed), outcome
    and actor (``wide``: :func:`by_rule`): the rules played the same seeds, so a seed's own
    luck cancels, and the interval of a difference is that of the paired differences
    (narrower than two rules' intervals side by side suggest, and the right one to read).
    The mean difference over the design with its interval over points and seeds
    (:func:`analysis.intervals.crossed_interval`; a comparison is a design of one point,
    whose interval is the t interval over its seeds) and the p-value of no difference by
    the same method (``zero_p``); then Holm's adjustment over every row (:func:`with_holm`).
    Pairs where either value is missing are left out. Used by a comparison
    (:func:`batch_differences`) and by a sweep's analysis (``analysis.sensitivity``)."""
    rows = []
    base = rules[0]
    for rule in rules[1:]:
        if rule not in wide or base not in wide:
            continue
        diff = (wide[rule] - wide[base]).dropna().rename("difference").reset_index()
        for (scenario, outcome, actor), d in diff.groupby(["scenario", "outcome", "actor"]):
            rows.append({"scenario": scenario, "rule": rule, "baseline": base,
                         "outcome": outcome, "actor": actor,
                         **difference(runs_table(d, "difference"), outcome)})
    return with_holm(pd.DataFrame(rows, columns=DIFFERENCE_TABLE))


def difference(table: np.ndarray, outcome: str) -> dict[str, float | int | str]:
    """The mean of a points x seeds table of paired differences of ``outcome``, its
    interval, its p-value of no difference and its size: a difference of two values within
    [lo, hi] lies within [lo - hi, hi - lo]."""
    lo, hi = bounds(outcome)
    low, high, how = crossed_interval(table, lo - hi, hi - lo)
    return {"mean_difference": float(table.mean()) if table.size else math.nan,
            "ci_low": low, "ci_high": high, "p_value": zero_p(table, lo - hi, hi - lo),
            "pairs": table.size, "points": len(table), "replicates": table.shape[1],
            "interval": how}


def with_holm(table: pd.DataFrame) -> pd.DataFrame:
    """A table of differences with ``p_holm``, Holm's adjustment of ``p_value`` over all
    its rows (one family: the table a reader scans for differences), and ``stands``,
    whether that is below ``ALPHA``: the chance that any difference of the table stands
    by chance alone is then at most 5%, the level of each interval alone."""
    adjusted = holm(table["p_value"].to_numpy())
    return table.assign(p_holm=adjusted, stands=adjusted < ALPHA)


def batch_differences(results: list[Result], specs: list[str]) -> pd.DataFrame:
    """A comparison's :func:`paired_differences`: its runs a design of one point, each
    seed a replicate; in the summary's order (rules as given, headline outcomes first).
    Empty with one rule."""
    if len(specs) < 2:
        return pd.DataFrame(columns=[*DIFFERENCE_TABLE, "p_holm", "stands"])
    runs = pd.DataFrame(results, columns=list(RESULT_COLUMNS))
    table = paired_differences(by_rule(runs.assign(point=0, replicate=runs["seed"])), specs)
    rank = {s: i for i, s in enumerate(specs)}
    order = sorted(table.index, key=lambda i: (rank[table.at[i, "rule"]],
                                               *outcome_order(table.at[i, "outcome"],
                                                              table.at[i, "actor"])))
    return table.loc[order].reset_index(drop=True)


def differences_csv(table: pd.DataFrame) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(DIFFERENCE_COLUMNS)
    for d in table.itertuples():
        writer.writerow((d.rule, d.baseline, d.outcome, d.actor,
                         *(number_text(_r(x)) for x in (d.mean_difference, d.ci_low,
                                                        d.ci_high)),
                         d.pairs, d.interval, number_text(d.p_value), number_text(d.p_holm),
                         d.stands))
    return buf.getvalue()


def differences_table(table: pd.DataFrame, rules: list[str]) -> str:
    """The headline outcomes' paired differences, one row per rule compared, in the
    summary table's layout, each marked * where it stands after Holm's adjustment."""
    index = {(d.rule, d.outcome): d for d in table[table["actor"] == ""].itertuples()}
    columns = [[HEADLINE[o], *(difference_cell(index[(r, o)]) if (r, o) in index else "-"
                               for r in rules[1:])] for o in HEADLINE]
    lines = textwrap.wrap(f"Each rule less {rules[0]}, seed by seed: the rules played the "
                          f"same seeds, so a difference's {CONFIDENCE:.0%} interval is the "
                          "paired one; read it, not two rules' intervals side by side "
                          f"({DIFFERENCES_FILE} has every outcome):", TABLE_WIDTH)
    note = HOLM_NOTE.format(m=len(table), file=DIFFERENCES_FILE, error=ALPHA)
    return "\n".join([*lines, "", *layout(["rule", *rules[1:]], columns, TABLE_WIDTH),
                      *textwrap.wrap(note, TABLE_WIDTH, subsequent_indent="  ")]
                     ).rstrip() + "\n"


def difference_cell(d) -> str:
    """A difference as the table shows it: :func:`cell`, and * where it stands."""
    shown = cell(SummaryRow(d.rule, d.outcome, d.actor, _r(d.mean_difference), _r(d.ci_low),
                            _r(d.ci_high), d.pairs, d.interval))
    return f"{shown}{' *' if d.stands else ''}"


def outcome_interval(outcome: str, values: np.ndarray) -> tuple[float, float, str]:
    """The interval of an outcome's mean over runs, within its natural bounds, and how it
    was made (``analysis.intervals.mean_interval``)."""
    found = declared(outcome)
    low, high, how = mean_interval(values, *bounds(outcome),
                                   binary=found is not None and found.binary)
    return (*clip_interval(outcome, low, high), how)


def _r(value: float) -> float:
    return value if math.isnan(value) else round(value, 9)


def lookup(summary: list[SummaryRow]) -> dict[tuple[str, str, str], SummaryRow]:
    return {(s.rule, s.outcome, s.actor): s for s in summary}


def format_table(summary: list[SummaryRow], rules: list[str] | None = None,
                 outcomes: list[str] | None = None, width: int = TABLE_WIDTH) -> str:
    """One row per rule, one column per headline outcome (``0.83 [0.81, 0.85]``), headed
    by the names the figure uses; columns that do not fit in ``width`` go on in another
    block below, each block led by the rule column; then a legend of the names."""
    rules = rules or list(dict.fromkeys(s.rule for s in summary))
    outcomes = outcomes or list(HEADLINE)
    index = lookup(summary)
    columns = [[outcome_label(o), *(cell(index[(r, o, "")]) if (r, o, "") in index else "-"
                                      for r in rules)] for o in outcomes]
    lines = layout(["rule", *rules], columns, width)
    n = {s.n for s in summary if s.outcome == "cohesion" and s.actor == ""}
    notes = [f"mean [{CONFIDENCE:.0%} interval: Student t unless said] over "
             f"{', '.join(map(str, sorted(n)))} seeds per rule; {INTERVAL_NOTE}; "
             f"{ALL_EQUAL_NOTE}"] if n else []
    notes += [f"{HEADLINE[o]}: {LEGEND[o]}" for o in outcomes if o in LEGEND]
    lines += [wrapped for note in notes
              for wrapped in textwrap.wrap(note, width, subsequent_indent="  ")]
    return "\n".join(lines).rstrip() + "\n"


def layout(lead: list[str], columns: list[list[str]], width: int) -> list[str]:
    """A table's lines: the lead column, then the columns that fit in ``width``; the rest
    go on in further blocks below, each led by the lead column again."""
    lead_width = max(map(len, lead))
    blocks: list[list[list[str]]] = [[]]
    used = lead_width
    for column in columns:
        need = 2 + max(map(len, column))
        if blocks[-1] and used + need > width:
            blocks.append([])
            used = lead_width
        blocks[-1].append(column)
        used += need
    lines: list[str] = []
    for block in blocks:
        widths = [lead_width, *(max(map(len, c)) for c in block)]
        rows = list(zip(lead, *block, strict=True))
        rows.insert(1, tuple("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
                  for row in rows]
        lines.append("")
    return lines


def cell(s: SummaryRow) -> str:
    if math.isnan(s.mean):
        return "n/a"
    digits = 2 if max(abs(s.mean), abs(s.ci_high) if not math.isnan(s.ci_high) else 0) < 100 \
        else 0
    def shown(value: float) -> str:  # never "-0.00": a value rounding to 0 is 0
        return f"{round(value, digits) + 0.0:.{digits}f}"

    if math.isnan(s.ci_low):
        why = "all equal" if s.interval == NONE_ALL_EQUAL else f"n={s.n}"
        return f"{shown(s.mean)} ({why})"
    return f"{shown(s.mean)} [{shown(s.ci_low)}, {shown(s.ci_high)}]"


# -- what rests on the assumed weights ----------------------------------------------------

ASSUMPTION_FILE = "assumptions.csv"
ASSUMPTION_COLUMNS = ("rule", "outcome", "actor", "seed_se", "weights_sd", "weights_share",
                      "rests_on")
# Above this share of its variance from the assumed weights, an outcome "rests mostly on
# the assumed weights": more of the uncertainty about it is the weights' than the seeds'.
MOSTLY = 0.5


@dataclass(frozen=True)
class AssumptionRow:
    """For one (rule, outcome, actor): ``seed_se``, the standard error of the mean over
    the batch's seeds (what the t interval is made of); ``weights_sd``, the standard
    deviation of the mean over a few seeds across draws of the assumed weights; and the
    share of the two variances that is the weights', sd_w^2 / (sd_w^2 + se^2)."""

    rule: str
    outcome: str
    actor: str
    seed_se: float
    weights_sd: float
    weights_share: float

    @property
    def rests_on(self) -> str:
        if math.isnan(self.weights_share):
            return "neither varies" if self.weights_sd == self.seed_se == 0 else ""
        return "assumed weights" if self.weights_share > MOSTLY else "seeds"


def assumption_summary(results: list[Result],
                       drawn: list[tuple[str, int, str, str, float]]) -> list[AssumptionRow]:
    """``results``: the batch's rows (seed noise); ``drawn``: (rule, draw, outcome, actor,
    value) of the runs with drawn weights, one row per run and outcome."""
    by_seed: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for _, rule, _, outcome, actor, value in results:
        if not math.isnan(value):
            by_seed[(rule, outcome, actor)].append(value)
    by_draw: dict[tuple[str, str, str], dict[int, list[float]]] = defaultdict(
        lambda: defaultdict(list))
    for rule, draw, outcome, actor, value in drawn:
        if not math.isnan(value):
            by_draw[(rule, outcome, actor)][draw].append(value)
    rows = []
    for key, values in by_seed.items():
        v = np.array(values)
        # rounded first, so that a float sum's last-digit noise is no variation
        se = _r(float(v.std(ddof=1) / math.sqrt(len(v)))) if len(v) > 1 else math.nan
        means = np.array([np.mean(x) for x in by_draw.get(key, {}).values()])
        sd = _r(float(means.std(ddof=1))) if len(means) > 1 else math.nan
        total = sd ** 2 + se ** 2
        share = sd ** 2 / total if total > 0 else math.nan  # nan: neither varies
        rows.append(AssumptionRow(*key, se, sd, _r(share)))
    return rows


def assumption_csv(rows: list[AssumptionRow], specs: list[str]) -> str:
    rank = {s: i for i, s in enumerate(specs)}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(ASSUMPTION_COLUMNS)
    for a in sorted(rows, key=lambda a: (rank.get(a.rule, len(rank)),
                                         *outcome_order(a.outcome, a.actor))):
        writer.writerow((a.rule, a.outcome, a.actor, number_text(a.seed_se),
                         number_text(a.weights_sd), number_text(a.weights_share), a.rests_on))
    return buf.getvalue()


def assumption_table(rows: list[AssumptionRow], rules: list[str], note: str,
                     width: int = TABLE_WIDTH) -> str:
    """One row per rule, one column per headline outcome: the share of the outcome's
    uncertainty from the assumed weights, marked * where it is most of it, and the
    standard deviation of the outcome's mean across the draws, in the outcome's units."""
    index = {(a.rule, a.outcome): a for a in rows if a.actor == ""}
    outcomes = [o for o in HEADLINE if any((r, o) in index for r in rules)]
    columns = [[HEADLINE[o], *(share_cell(index.get((r, o))) for r in rules)]
               for o in outcomes]
    lines = layout(["rule", *rules], columns, width)
    lines += textwrap.wrap(note, width, subsequent_indent="  ")
    return "\n".join(lines) + "\n"


def share_cell(a: AssumptionRow | None) -> str:
    if a is None or math.isnan(a.weights_share):
        return "-"
    mark = "*" if a.rests_on == "assumed weights" else ""
    return f"{a.weights_share:.2f}{mark} (sd {a.weights_sd:.2g})"


# -- writing ----------------------------------------------------------------------------

def summary_csv(summary: list[SummaryRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for s in summary:
        writer.writerow((s.rule, s.outcome, s.actor, number_text(s.mean),
                         number_text(s.ci_low), number_text(s.ci_high), s.n, s.interval))
    return buf.getvalue()


# -- figures ----------------------------------------------------------------------------

RULE_COLOURS = ("#4d4d4d", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
                "#e6ab02", "#a6761d", "#1f78b4", "#b2df8a")


def outcomes_figure(summary: list[SummaryRow], rules: list[str], title: str) -> Figure:
    """One small panel per headline outcome: each rule's mean with its 95% interval.
    An outcome bounded to [0, 1] is drawn on the whole [0, 1] axis, so a 0.01 difference
    looks as small as it is; one bounded below by 0 (counts, turns) starts at 0."""
    index = lookup(summary)
    outcomes = list(HEADLINE)
    cols = 3
    rows = math.ceil(len(outcomes) / cols)
    fig = Figure(figsize=(12, 2.1 + 0.28 * len(rules) * rows + 0.4 * rows),
                 layout="constrained")
    fig.suptitle(f"{title}\nmean and 95% interval over seeds", fontsize=11)
    axes = fig.subplots(rows, cols, squeeze=False)
    y = np.arange(len(rules))[::-1]
    for k, ax in enumerate(axes.flat):
        if k >= len(outcomes):
            ax.set_axis_off()
            continue
        outcome = outcomes[k]
        for j, rule in enumerate(rules):
            s = index.get((rule, outcome, ""))
            if s is None or math.isnan(s.mean):
                continue
            err = None if math.isnan(s.ci_low) else [[s.mean - s.ci_low], [s.ci_high - s.mean]]
            ax.errorbar([s.mean], [y[j]], xerr=err, fmt="o", color=_colour(j), capsize=3,
                        markersize=5)
        ax.set_title(HEADLINE[outcome], fontsize=10)
        ax.set_yticks(y, rules if k % cols == 0 else [""] * len(rules), fontsize=9)
        ax.set_ylim(-0.6, len(rules) - 0.4)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=8)
        _outcome_axis(ax, outcome, [s for s in (index.get((r, outcome, "")) for r in rules)
                                    if s is not None])
    fig.supxlabel("Turns, shock to joint response: a run with no joint position counts as one "
                  "turn past the end of the exercise (censored).\nIntervals: Student t, "
                  "clipped to each outcome's natural bounds (counts and turns >= 0; rates, "
                  "cohesion, size of response, hook in [0, 1]).",
                  fontsize=8, color="#555555")
    return fig


def _outcome_axis(ax, outcome: str, rows: list[SummaryRow]) -> None:
    """The x axis of one outcome's panel: [0, 1] for a bounded outcome, from 0 for one
    that cannot be negative, else the data with a margin."""
    lo, hi = bounds(outcome)
    if (lo, hi) == UNIT:
        ax.set_xlim(-0.04, 1.04)
        return
    if lo == 0.0:
        top = max([v for s in rows for v in (s.mean, s.ci_high) if not math.isnan(v)],
                  default=0.0)
        top = max(top * 1.1, 1.0)
        ax.set_xlim(-0.04 * top, top)
        return
    ax.margins(x=0.15)


def coercion_figure(summary: list[SummaryRow], rules: list[str], title: str) -> Figure:
    """Chinese coercion per partner under each rule: attempts and successes per run."""
    index = lookup(summary)
    fig = Figure(figsize=(12, 4.6), layout="constrained")
    fig.suptitle(f"{title}\nChinese coercion per partner per run (mean and 95% t interval, "
                 "clipped at 0)", fontsize=11)
    axes = fig.subplots(1, 2)
    width = 0.8 / max(1, len(rules))
    x = np.arange(len(IP4))
    for ax, outcome, label in zip(axes, ("coercion_attempts", "coercion_successes"),
                                  ("attempts", "successes"), strict=True):
        for j, rule in enumerate(rules):
            means, lows, highs = [], [], []
            for code in IP4:
                s = index.get((rule, outcome, code))
                m = s.mean if s else math.nan
                means.append(m)
                lows.append(0.0 if not s or math.isnan(s.ci_low) else m - s.ci_low)
                highs.append(0.0 if not s or math.isnan(s.ci_high) else s.ci_high - m)
            ax.bar(x - 0.4 + width * (j + 0.5), means, width, yerr=[lows, highs],
                   color=_colour(j), label=rule, capsize=2, error_kw={"linewidth": 0.8})
        ax.set_xticks(x, list(IP4))
        ax.set_title(f"coercion {label}")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("per run")
    axes[1].set_ylabel("per run")
    axes[1].legend(fontsize=8, ncol=2)
    return fig


def _colour(j: int) -> str:
    return RULE_COLOURS[j % len(RULE_COLOURS)]
