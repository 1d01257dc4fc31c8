"""Runs scored against a record of what happened (``ip4sim backtest``).

A record (``scenarios/record.py``, checked and passed in by ``sim/app/backtests.py``) lists what
each government did and in which turn. A run *matches* an entry when the entry's actor
(or, for ``NAC``, the Council, by an approved vote) chooses one of the entry's options on
the entry's decision; the run's turn is the first turn it does so, and its *timing
error* is that turn less the entry's turn (negative: earlier than in fact), in turns and,
times the turn's length, in days. Over many seeds: the share of runs that match, and the
mean and median timing error over the runs that match.

Written to the output folder: ``backtest.csv`` (one row per entry), ``backtest.png``
(hits and timing errors per entry), ``threats.png`` (each public's threat perception over
the runs against its polls) and ``backtest.md`` (a short report).
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from analysis.figures import save
from analysis.intervals import mean_interval, wilson_interval
from sim.outputs import PARTNERS as IP4
from sim.outputs import (
    Choice,
    CouncilVote,
    EventBase,
    Row,
    number_text,
    reads_no_terms,
    write_text,
)

if TYPE_CHECKING:
    from scenarios.record import Entry, Record

BACKTEST_FILES = ("backtest.csv", "backtest.png", "threats.png", "backtest.md")
COLUMNS = ("entry", "actor", "decision", "options", "date", "record_turn", "asked_turn", "runs",
           "hit_rate", "hit_rate_low", "hit_rate_high", "matching_runs", "mean_error_turns",
           "median_error_turns", "mean_error_days", "mean_error_days_low",
           "mean_error_days_high", "median_error_days", "hit_weights_share",
           "timing_weights_share", "source")
MOSTLY = 0.5  # as in analysis/compare.py: above it, more of the doubt is the weights'
NO_ASSUMPTIONS = ("The shares and errors are over seeds alone, with every assumed weight at "
                  "its value: `--assumptions K` says which entries' scores rest mostly on "
                  "those weights.")
COUNCIL = "NAC"
THREAT = "public.threat."
# The turns the report's threat table shows: the start, the weeks after the invasion,
# then about monthly, and the last (added where the scenario is shorter or longer).
THREAT_TURNS = (1, 2, 4, 8, 13, 19)

Act = tuple[int, str, str, str]  # turn, decision, actor (NAC for the Council), option


def acts_of(events: list[EventBase]) -> list[Act]:
    """What a run did that a record can name: every choice, and every approved Council
    decision (as the Council's act)."""
    acts = [(e.turn, e.decision, e.actor, e.option) for e in events if isinstance(e, Choice)]
    acts += [(e.turn, e.decision, COUNCIL, e.option) for e in events
             if isinstance(e, CouncilVote) and e.outcome == "approved"]
    return acts


@reads_no_terms
def backtest_rows(events: list[EventBase], rows: list[Row]) -> list[tuple]:
    """A run reduced to what the backtest reads (``sim.batch``'s reduce): its acts, and
    each public's threat perceptions per turn."""
    threats = [("threat", turn, metric.removeprefix(THREAT), actor, value)
               for turn, metric, actor, value in rows if metric.startswith(THREAT)]
    return [("act", *act) for act in acts_of(events)] + threats


def first_turn(acts: list[Act], entry: Entry) -> int | None:
    """The first turn in which the run did what the entry records, or None."""
    turns = [turn for turn, decision, actor, option in acts
             if decision == entry.decision and actor == entry.actor
             and option in entry.options]
    return min(turns) if turns else None


@dataclass
class EntryScore:
    entry: Entry
    runs: int
    errors: list[int]  # turn of the run's first match less the entry's, per matching run
    # the first turn any run's actor chose on the entry's question at all: a run cannot
    # match before it, so an error is the scenario's timetable's as much as the model's
    asked: int | None = None

    @property
    def timetabled(self) -> bool:
        """Whether the question is first asked after the record's turn: no run can match
        on time, whatever the model does."""
        return self.asked is not None and self.asked > self.entry.turn

    @property
    def hit_rate(self) -> float:
        return len(self.errors) / self.runs if self.runs else 0.0

    def error(self, how: str, days_per_turn: float = 1.0) -> float | None:
        if not self.errors:
            return None
        value = statistics.fmean(self.errors) if how == "mean" else \
            float(statistics.median(self.errors))
        return value * days_per_turn

    def hit_interval(self) -> tuple[float, float]:
        """The Wilson interval of the share of runs that match (a proportion)."""
        return wilson_interval(len(self.errors), self.runs)

    def error_interval(self, days_per_turn: float) -> tuple[float, float]:
        """The t interval of the mean timing error in days, over the matching runs; NaN
        with fewer than two, or where every matching run erred alike (a spread of 0 over
        a few runs does not make the mean exact: ``analysis.intervals``)."""
        low, high, _ = mean_interval(np.array(self.errors, dtype=float) * days_per_turn,
                                     -math.inf, math.inf)
        return low, high


def score(runs: list[list[Act]], record: Record) -> list[EntryScore]:
    """Each entry against every run."""
    scores = []
    for entry in record.entries:
        found = [first_turn(acts, entry) for acts in runs]
        asked = min((turn for acts in runs for turn, decision, actor, _ in acts
                     if decision == entry.decision and actor == entry.actor), default=None)
        scores.append(EntryScore(entry, len(runs),
                                 [t - entry.turn for t in found if t is not None], asked))
    return scores


def weights_shares(scores: list[EntryScore], drawn: list[list[EntryScore]]
                   ) -> dict[str, tuple[float, float]]:
    """Per entry, the share of the uncertainty of its hit rate and of its mean timing
    error that is the assumed weights' (``drawn``: the scores of each draw of the weights)
    rather than the seeds': sd_w^2 / (sd_w^2 + se^2), with se the standard error over the
    batch's runs (binomial for the hit rate) and sd_w the standard deviation across draws;
    NaN where neither varies enough to say."""
    def share(sd: float, se: float) -> float:
        total = sd ** 2 + se ** 2
        return sd ** 2 / total if total > 0 else math.nan

    out = {}
    for i, s in enumerate(scores):
        p, n = s.hit_rate, s.runs
        hits = [d[i].hit_rate for d in drawn]
        errors = [e for d in drawn if (e := d[i].error("mean")) is not None]
        se_hit = math.sqrt(p * (1 - p) / n) if n else math.nan
        se_err = statistics.stdev(s.errors) / math.sqrt(len(s.errors)) \
            if len(s.errors) > 1 else math.nan
        out[s.entry.id] = (
            share(statistics.stdev(hits), se_hit) if len(hits) > 1 else math.nan,
            share(statistics.stdev(errors), se_err) if len(errors) > 1 else math.nan)
    return out


def table_rows(scores: list[EntryScore], days_per_turn: float,
               shares: dict[str, tuple[float, float]] | None = None) -> list[dict]:
    def num(value: float | None) -> str:
        return "" if value is None or math.isnan(value) else number_text(round(value, 4))

    shares = shares or {}

    return [{"entry": s.entry.id, "actor": s.entry.actor, "decision": s.entry.decision,
             "options": " ".join(s.entry.options), "date": s.entry.date.isoformat(),
             "record_turn": s.entry.turn, "asked_turn": "" if s.asked is None else s.asked,
             "runs": s.runs, "hit_rate": num(s.hit_rate),
             **dict(zip(("hit_rate_low", "hit_rate_high"), map(num, s.hit_interval()),
                        strict=True)),
             "matching_runs": len(s.errors),
             "mean_error_turns": num(s.error("mean")),
             "median_error_turns": num(s.error("median")),
             "mean_error_days": num(s.error("mean", days_per_turn)),
             **dict(zip(("mean_error_days_low", "mean_error_days_high"),
                        map(num, s.error_interval(days_per_turn)), strict=True)),
             "median_error_days": num(s.error("median", days_per_turn)),
             "hit_weights_share": num(shares.get(s.entry.id, (None, None))[0]),
             "timing_weights_share": num(shares.get(s.entry.id, (None, None))[1]),
             "source": s.entry.source} for s in scores]


def backtest_csv(scores: list[EntryScore], days_per_turn: float,
                 shares: dict[str, tuple[float, float]] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table_rows(scores, days_per_turn, shares))
    return out.getvalue()


def threat_means(runs: list[list[tuple]]) -> dict[tuple[str, str], dict[int, float]]:
    """(country, china|russia) -> turn -> the mean over runs of the public's threat
    perception."""
    sums: dict[tuple[str, str], dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for rows in runs:
        for _, turn, adversary, actor, value in (r for r in rows if r[0] == "threat"):
            sums[(actor, adversary)][turn].append(value)
    return {key: {t: statistics.fmean(v) for t, v in sorted(turns.items())}
            for key, turns in sums.items()}


def backtest_figure(scores: list[EntryScore], days_per_turn: float, title: str) -> Figure:
    fig = Figure(figsize=(11, 0.38 * len(scores) + 1.6))
    hits, timing = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 2]})
    y = np.arange(len(scores))[::-1]
    hits.barh(y, [s.hit_rate for s in scores], color="#4c72b0")
    hits.set_xlim(0, 1)
    hits.set_yticks(y, [f"{s.entry.id} ({s.entry.date:%d %b})" for s in scores], fontsize=8)
    hits.set_xlabel("share of runs that match")
    for yi, s in zip(y, scores, strict=True):
        if s.errors:
            days = np.array(s.errors) * days_per_turn
            timing.scatter(days, np.full(len(days), yi), color="#999999", alpha=0.15, s=12)
            timing.scatter([s.error("mean", days_per_turn)], [yi], color="#c44e52",
                           marker="D", s=24, zorder=3)
    timing.axvline(0, color="black", linewidth=0.8)
    timing.set_xlabel("timing error in days (run's first turn less the record's; "
                      "diamond: mean)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def threat_figure(means: dict[tuple[str, str], dict[int, float]],
                  polls: dict[tuple[str, str], float], title: str) -> Figure:
    fig = Figure(figsize=(10, 4))
    axes = fig.subplots(1, 2, sharey=True)
    colours = dict(zip(IP4, ("#4c72b0", "#dd8452", "#55a868", "#c44e52"), strict=True))
    for ax, adversary in zip(axes, ("china", "russia"), strict=True):
        for code in IP4:
            series = means.get((code, adversary), {})
            ax.plot(list(series), list(series.values()), color=colours[code], label=code)
            if (code, adversary) in polls:
                ax.axhline(polls[(code, adversary)], color=colours[code], linestyle="--",
                           linewidth=0.8)
        ax.set_title(f"{adversary.capitalize()} seen as a threat (dashed: the poll)",
                     fontsize=9)
        ax.set_xlabel("turn")
        ax.set_ylim(0, 1)
    axes[0].set_ylabel("share of the public")
    axes[0].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def threat_table(means: dict[tuple[str, str], dict[int, float]],
                 polls: dict[tuple[str, str], float], last: int) -> list[str]:
    turns = [t for t in THREAT_TURNS if t < last] + [last]
    lines = ["| public | poll | " + " | ".join(f"turn {t}" for t in turns) + " |",
             "| --- | --- | " + " | ".join("---" for _ in turns) + " |"]
    for adversary in ("china", "russia"):
        for code in IP4:
            series = means.get((code, adversary), {})
            poll = polls.get((code, adversary))
            lines.append(f"| {code} {adversary} | "
                         f"{'' if poll is None else f'{poll:.2f}'} | "
                         + " | ".join(f"{series[t]:.2f}" if t in series else ""
                                      for t in turns) + " |")
    return lines


def bracketed(row: dict, name: str) -> str:
    """A table row's value with its interval, ``0.42 [0.33, 0.52]``, or alone if none."""
    low, high = row[f"{name}_low"], row[f"{name}_high"]
    return f"{row[name]} [{low}, {high}]" if low != "" else row[name]


def report_text(scores: list[EntryScore], record: Record, means: dict, polls: dict,
                polls_cited: dict[tuple[str, str], str], header: list[str],
                turns: int, shares: dict[str, tuple[float, float]] | None = None,
                assumption_note: str = "") -> str:
    days = record.days_per_turn
    matched = [s for s in scores if s.errors]
    all_errors = [abs(e) for s in scores for e in s.errors]
    exact = sum(1 for s in scores if s.errors and s.error("median") == 0)
    hit = statistics.fmean(s.hit_rate for s in scores)
    off = statistics.fmean(all_errors) * days if all_errors else 0.0
    lines = [f"# Backtest: {record.title}", "", *header, "",
             *([f"Note from the record: {record.note}", ""] if record.note else []),
             f"{len(scores)} entries; mean share of runs that match {hit:.2f}; {exact} entries "
             f"matched in the right turn by the median run; mean absolute timing error "
             f"{off:.1f} days over the {len(matched)} entries some run matched.", "",
             *timetable_note(scores),
             "A run matches an entry when the actor (NAC: the Council, by an approved vote) "
             "first chooses one of the entry's options; its timing error is that turn less "
             f"the record's, times {days:g} days (negative: earlier than in fact). Mean and "
             "median are over the runs that match, and the table says how many they are. "
             "Brackets: 95% intervals, Wilson's for the share (a proportion of the runs), "
             "Student t for the mean error (none with fewer than two matching runs, or where "
             "every matching run erred alike).", "",
             assumption_note or NO_ASSUMPTIONS, "",
             "| entry | date | record turn | asked from turn | share matching | runs matching | "
             "mean error (days) | median error (days) | weights' share (matching, timing) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in table_rows(scores, days, shares):
        weights = f"{row['hit_weights_share'] or '-'}, {row['timing_weights_share'] or '-'}" \
            if shares else ""
        lines.append(f"| {row['entry']} | {row['date']} | {row['record_turn']} | "
                     f"{row['asked_turn'] or '-'} | "
                     f"{bracketed(row, 'hit_rate')} | {row['matching_runs']} of {row['runs']} | "
                     f"{bracketed(row, 'mean_error_days')} | {row['median_error_days']} | "
                     f"{weights} |")
    lines += ["", "## Each public's threat perception against its polls", "",
              "The mean over runs of the share of each public that sees China and Russia as "
              "a threat, beside the poll each public starts from and relaxes toward:", "",
              *threat_table(means, polls, turns), "", "The polls:", ""]
    lines += [f"- {code} {adversary}: {cited}" for (code, adversary), cited
              in sorted(polls_cited.items())]
    lines += ["", "## The record's sources", ""]
    lines += [f"- `{e.id}`: {e.what.strip()} ({e.source})" for e in record.entries]
    return "\n".join(lines) + "\n"


def timetable_note(scores: list[EntryScore]) -> list[str]:
    """What the scenario's timetable, not the model, sets of the timing errors: the
    entries whose question it first asks after the turn the record dates them to (no run
    can match them on time), and those it first asks in that very turn (a run can match
    them on time only by choosing as in fact when asked)."""
    late = [f"`{s.entry.id}` (turn {s.asked}, recorded at turn {s.entry.turn})"
            for s in scores if s.timetabled]
    on_cue = [f"`{s.entry.id}`" for s in scores if s.asked == s.entry.turn]
    notes = []
    if late:
        notes.append(f"The scenario first asks {len(late)} entries' questions after the turn "
                     f"the record dates them to, so no run can match them on time: "
                     f"{', '.join(late)}; their timing error is the scenario's timetable's "
                     "before it is the model's.")
    if on_cue:
        notes.append(f"The scenario first asks {len(on_cue)} entries' questions in the very "
                     f"turn the record dates them to ({', '.join(on_cue)}): a run matches "
                     "them on time by choosing as in fact when asked, which tests the choice, "
                     "not its timing.")
    return [" ".join(notes) + " (`asked from turn`: the first turn any run's actor chose on "
            "the question.)", ""] if notes else []


def scored(runs: list[list[tuple]], record: Record) -> list[EntryScore]:
    """Runs reduced by :func:`backtest_rows`, scored."""
    return score([[tuple(r[1:]) for r in rows if r[0] == "act"] for rows in runs],  # type: ignore[misc]
                 record)


def write_backtest(out: Path, runs: list[list[tuple]], record: Record,
                   polls: dict[tuple[str, str], tuple[float, str]], header: list[str],
                   turns: int, drawn: list[list[list[tuple]]] | None = None,
                   assumption_note: str = "") -> list[EntryScore]:
    """Score the runs (each reduced by :func:`backtest_rows`) and write the folder's
    files; ``polls``: (country, china|russia) -> the poll's value and citation;
    ``drawn``: per draw of the assumed weights, its runs (for :func:`weights_shares`)."""
    scores = scored(runs, record)
    shares = weights_shares(scores, [scored(d, record) for d in drawn]) if drawn else None
    means = threat_means(runs)
    values = {k: v for k, (v, _) in polls.items()}
    write_text(out / "backtest.csv", backtest_csv(scores, record.days_per_turn, shares))
    save(backtest_figure(scores, record.days_per_turn,
                         f"{record.title}: {len(runs)} runs"), out / "backtest.png")
    save(threat_figure(means, values, f"{record.title}: threat perceptions, mean of "
                                      f"{len(runs)} runs"), out / "threats.png")
    write_text(out / "backtest.md",
               report_text(scores, record, means, values,
                           {k: c for k, (_, c) in polls.items()}, header, turns, shares,
                           assumption_note))
    return scores
