"""A record of what happened: which government did what, and when, for scoring runs of a
scenario set in history (``ip4sim backtest``).

A record is a YAML file beside its scenario's schema, checked like a scenario: every
problem with its file, field and line, exit 2. Each entry names an actor (a code, or NAC
for a Council decision), one of the scenario's decisions, the options that count as doing
what the record says, the date, what happened and its source. The date is placed in the
scenario's turns from its ``start_date``. The model never reads a record: runs are scored
against it afterwards (``analysis/backtest.py``).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import Field

from agents.catalog import Catalog
from scenarios.errors import InputError, did_you_mean
from scenarios.guarded import read_user_file
from scenarios.loader import read_yaml, unknown_actor
from scenarios.salvage import parsed
from scenarios.schema import Scenario, Slug, Strict

COUNCIL = "NAC"  # an entry about a Council decision names the Council, not an ally
# Free text nothing refers to, and what stands in for it in an entry that lacks it, so that
# the entry's actor, decision, options and date are still checked (scenarios/salvage.py).
TEXT_FIELDS = ("what", "source")
MISSING = "(missing)"


class EntryFile(Strict):
    id: str = Slug
    actor: str = Field(description="an actor code, or NAC for a Council decision")
    decision: str = Field(description="one of the scenario's decisions")
    options: list[str] = Field(min_length=1, description=(
        "the options that count as doing what the record says"))
    date: datetime.date = Field(description="when it happened (announced or decided)")
    what: str = Field(min_length=1)
    source: str = Field(min_length=1, description="where the record says so: a citation")


class RecordFile(Strict):
    scenario: str = Field(description="the id of the scenario this record scores")
    title: str
    note: str = Field("", description="what a reader of the scores should know, e.g. which "
                                      "entries the profiles were calibrated on")
    entries: list[EntryFile] = Field(min_length=1)


@dataclass(frozen=True)
class Entry:
    """One checked entry, its date placed in the scenario's turns."""

    id: str
    actor: str
    decision: str
    options: tuple[str, ...]
    date: datetime.date
    turn: int
    what: str
    source: str


@dataclass(frozen=True)
class Record:
    """A checked record, and what identifies it: its file and the hash of its bytes."""

    path: str
    sha256: str
    scenario: str
    title: str
    days_per_turn: float
    entries: tuple[Entry, ...]
    note: str = ""

    def summary(self) -> str:
        """What the record records, in a line (``ip4sim validate`` prints it)."""
        dates = sorted(e.date for e in self.entries)
        return (f"{self.title}: {len(self.entries)} entries on "
                f"{len({e.decision for e in self.entries})} decisions of scenario "
                f"{self.scenario}, by {len({e.actor for e in self.entries})} actors, "
                f"{dates[0]} to {dates[-1]}")


def records_dir() -> Path:
    return Path(str(resources.files("scenarios") / "records"))


def builtin_record(scenario_id: str) -> Path | None:
    """The built-in record of a built-in scenario, if there is one."""
    path = records_dir() / f"{scenario_id}.yaml"
    return path if path.is_file() else None


def load_record(path: str | Path, scenario: Scenario, catalog: Catalog) -> Record:
    """Read and check a record against ``scenario``; InputError names every problem with
    its field and line: the format, then each entry's actor, decision, options and date."""
    return read_record(path, catalog, lambda _: scenario)


# A record's scenario, found by the id the record gives (MISSING when its scenario field
# fails its format): the scenario, why there is none, or None when that is said already.
ScenarioOf = Callable[[str], "Scenario | str | None"]


def read_record(path: str | Path, catalog: Catalog, scenario_of: ScenarioOf) -> Record:
    """Read and check a record against the scenario ``scenario_of`` finds for the id it
    names (or says why it found none: a problem of the record's ``scenario`` field), as
    :func:`load_record` does."""
    path = Path(path)
    if not path.is_file():
        raise InputError.one(str(path), "", "no such file")
    raw, text = read_user_file(path)
    source = str(path)
    doc = read_yaml(text, source, "a record is a mapping: scenario, title, entries")
    record, kept, problems = parsed(  # the parts that pass are checked on
        RecordFile, doc, source, {"scenario": MISSING, "title": MISSING, "entries": []},
        text=dict.fromkeys(TEXT_FIELDS, MISSING))

    def report(loc: tuple, message: str) -> None:
        problems.append(kept.problem(source, doc.root, loc, message))

    scenario = scenario_of(record.scenario)
    if isinstance(scenario, str):
        report(("scenario",), scenario)
    if not isinstance(scenario, Scenario):  # its entries cannot be checked without it
        raise InputError.by_line(problems)
    if record.scenario not in (scenario.id, MISSING):
        report(("scenario",), f"this record is for {record.scenario!r}, not {scenario.id!r}")
    entries = _entries(record, scenario, catalog, report)
    if problems:
        raise InputError.by_line(problems)
    return Record(source, hashlib.sha256(raw).hexdigest(), record.scenario, record.title,
                  scenario.days_per_turn, tuple(entries), " ".join(record.note.split()))


def _entries(parsed: RecordFile, scenario: Scenario, catalog: Catalog,
             report: Callable[[tuple, str], None]) -> list[Entry]:
    """The entries that pass their checks against the scenario, placed in its turns; what
    fails is reported."""
    if scenario.start_date is None:
        report(("scenario",), f"{scenario.id!r} has no start_date, so no date can be placed "
                              "in its turns")
    entries, seen = [], set()
    for i, e in enumerate(parsed.entries):
        at = ("entries", i)
        if e.id in seen:
            report((*at, "id"), f"entry id {e.id!r} repeats")
        seen.add(e.id)
        good = entry_problems(e, scenario, catalog)
        for loc, message in good:
            report((*at, *loc), message)
        turn = scenario.turn_of(e.date)
        if turn is None and scenario.start_date is not None:
            last = scenario.start_date + datetime.timedelta(
                days=scenario.turns * scenario.days_per_turn - 1)
            report((*at, "date"), f"{e.date} is outside the scenario ({scenario.start_date} "
                                  f"to {last})")
        if not good and turn is not None:
            entries.append(Entry(e.id, e.actor if e.actor == COUNCIL
                                 else catalog.resolve(e.actor), e.decision,
                                 tuple(e.options), e.date, turn, e.what, e.source))
    return entries


def entry_problems(e: EntryFile, scenario: Scenario, catalog: Catalog
                   ) -> list[tuple[tuple[str | int, ...], str]]:
    """(loc within the entry, message) for an entry's actor, decision and options."""
    decisions = {d.id: d for d in scenario.decisions}
    problems = []
    decision = decisions.get(e.decision)
    if decision is None:
        problems.append((("decision",), f"unknown decision {e.decision!r}"
                                     f"{did_you_mean(e.decision, decisions)}"))
    else:
        known = [o.id for o in decision.options]
        problems += [(("options", k), f"{o!r} is not an option of {decision.id} "
                      f"({', '.join(known)}){did_you_mean(o, known)}")
                     for k, o in enumerate(e.options) if o not in known]
    if e.actor == COUNCIL:
        if decision is not None and decision.forum != "nac":
            problems.append((("actor",), f"{decision.id} is put to the {decision.forum} forum, "
                                      "not the Council: name the actor"))
        return problems
    message = unknown_actor(e.actor, catalog)
    if message:
        return [(("actor",), message + " (or NAC)"), *problems]
    code = catalog.resolve(e.actor)
    kind = catalog.profiles[code].kind
    if decision is not None:
        answers = {"partners": ("partner",), "allies": ("ally",), "all": ("partner", "ally"),
                   "nac": ()}[decision.forum]
        if kind not in answers:
            who = "the Council (NAC)" if decision.forum == "nac" else f"the {decision.forum}"
            problems.append((("actor",), f"{code} does not answer {decision.id}: it is put to "
                                      f"{who}"))
    return problems
