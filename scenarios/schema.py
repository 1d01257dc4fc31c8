"""The scenario file, shaped like a facilitator's Master Scenario Events List (MSEL).

A scenario has a background, what a turn stands for, the world's starting state,
the decision points (questions with options), and a timeline of injects: each
fires on a turn (or when a trigger holds), changes the world, opens decisions,
and lists the player actions a facilitator expects, so that the after-action
report can say which were met.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from agents.profiles import STATE_DIMENSIONS, Measure
from scenarios.errors import closest, did_you_mean, dotted
from scenarios.information import (
    OUTREACH_VAR,
    RUMOUR_VAR,
    THREAT_VARS,
    VISIBILITY_VAR,
    CampaignSpec,
    Levers,
    information_errors,
)
from scenarios.parameters import Parameters
from scenarios.salvage import Salvage

Loc = tuple[str | int, ...]

# What a scenario may hold (stated in the README): far above the built-ins (10 turns,
# 6 decisions, 12 injects, 8 world variables), low enough that `validate` answers in a
# second. The file's size, nesting and expanded aliases are bounded in scenarios/guarded.py.
MAX_TURNS = 200
MAX_DECISIONS = 100
MAX_INJECTS = 300
MAX_WORLD_VARIABLES = 100

SLIP = 0.85  # difflib's ratio above which a name is the same name misspelt

ESCALATION_VAR = "russia_escalation"  # world variable: drives Russia's pressure
# World variables the engine reads whatever the file says (sim/phases/adversaries.py and
# information.py); any other must be read by the file itself (a trigger or a decision's
# pressure), or changing it does nothing.
BUILTIN_VARIABLES = tuple(dict.fromkeys((  # each once: escalation is a threat variable too
    ESCALATION_VAR, VISIBILITY_VAR, OUTREACH_VAR, RUMOUR_VAR,
    *(v for names in THREAT_VARS.values() for v in names))))

Slug = Field(pattern=r"^[a-z][a-z0-9_]*$")
Unit = Field(default=0.0, ge=0.0, le=1.0)

# Who answers a decision point. "partners": the four IP4 governments, under the
# coordination rule; "allies": the 32 allies, each for itself; "nac": the North
# Atlantic Council, consensus (one block stops it); "all": partners and allies.
Forum = Literal["partners", "allies", "nac", "all"]


# How long a turn is, in days, from the scenario's own words ("one week", "2 months"):
# rates with a basis in days (a public's threat relaxing) work at any turn length.
DAYS_PER_UNIT = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
TURN_LENGTH = re.compile(r"^(\d+(?:\.\d+)?|[a-z]+) (day|week|month|year)s?$")


def turn_days(text: str) -> float | None:
    """'one week' -> 7.0, '2 months' -> 60.875; None if the words say no length."""
    match = TURN_LENGTH.match(text.strip().lower())
    if not match:
        return None
    count, unit = match.groups()
    number = float(count) if count[0].isdigit() else NUMBER_WORDS.get(count)
    return number * DAYS_PER_UNIT[unit] if number else None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    """One answer to a decision point, placed on the decision's dimension."""

    id: str = Slug
    label: str
    position: float = Field(ge=0.0, le=1.0, description="where this option stands, 0 = least")
    provokes_china: float = Unit
    provokes_russia: float = Unit
    china_framing: float = Unit
    formalization: float = Unit
    through_nato: float = Unit
    visibility: float = Unit
    cost: float = Unit
    blocks: bool = Field(default=False, description="at the NAC: this option is a block")
    switches_on: str | None = Field(default=None, description=(
        "at the NAC: a lever (liaison_office_tokyo) that adopting this option switches on"))
    measure: Measure | None = Field(default=None, description=(
        "the kind of measure this option is (sanctions, aid): a government cannot choose it "
        "until its profile's lead time for that kind has passed since the question was "
        "first put; an option without one can be chosen at once"))


class DecisionPoint(Strict):
    id: str = Slug
    question: str
    forum: Forum
    dimension: str = Field(description="profile dimension that sets each actor's ideal position")
    pressure: str | None = Field(default=None, description="world variable raising salience")
    options: list[Option] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> DecisionPoint:
        if self.dimension not in STATE_DIMENSIONS:
            raise ValueError(
                f"unknown dimension {self.dimension!r}; known: {', '.join(STATE_DIMENSIONS)}"
            )
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"option ids repeat: {ids}")
        if self.forum == "nac" and not any(o.blocks for o in self.options):
            raise ValueError("a NAC decision needs an option with 'blocks: true'")
        if all(o.blocks for o in self.options):
            raise ValueError("every option blocks: give the Council something to agree to")
        if all(o.measure for o in self.options):
            raise ValueError("every option is a measure: give one without 'measure' (not "
                             "acting yet), which a government that needs time can choose")
        return self

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)


class Effect(Strict):
    """A change to one world variable: set it, or add to it (clipped to [0, 1])."""

    var: str = Slug
    set: float | None = Field(default=None, ge=0.0, le=1.0)
    add: float | None = Field(default=None, ge=-1.0, le=1.0)

    @model_validator(mode="after")
    def _one(self) -> Effect:
        if (self.set is None) == (self.add is None):
            raise ValueError("an effect gives exactly one of 'set' or 'add'")
        return self


class Trigger(Strict):
    """A condition for a contingency inject: a world variable crossing a level, or an outcome."""

    var: str | None = None
    op: Literal[">=", "<=", ">", "<"] = ">="
    value: float | None = Field(default=None, ge=0.0, le=1.0)
    decision: str | None = None
    outcome: Literal["approved", "blocked", "joint", "split"] | None = None
    not_before: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _one(self) -> Trigger:
        """One condition, whole: a field of the other kind, or half a pair, would be
        ignored silently (``outcome: joint`` beside a ``var`` never fired on the outcome)."""
        on_var = [f for f in ("var", "value") if getattr(self, f) is not None]
        on_decision = [f for f in ("decision", "outcome") if getattr(self, f) is not None]
        if len(on_var) + len(on_decision) != 2 or len(on_var) == 1:
            given = ", ".join(on_var + on_decision) or "neither"
            raise ValueError("a trigger names either 'var' and 'value', or 'decision' and "
                             f"'outcome' (this one gives {given})")
        if on_decision and self.op != ">=":  # its default, as a written trigger carries it
            raise ValueError("'op' compares a world variable; a 'decision' trigger takes none")
        return self


class ExpectedAction(Strict):
    """What the facilitator expects an actor to do when an inject's decision is put."""

    actor: str = Field(description="an actor code, or IP4 (each partner), IP4_JOINT (the "
                       "four speaking together), ALLIES (90% of them) or NAC")
    decision: str
    options: list[str] = Field(min_length=1)
    text: str


class Inject(Strict):
    id: str = Slug
    turn: int | None = Field(default=None, ge=1)
    when: Trigger | None = None
    title: str
    synopsis: str
    effects: list[Effect] = Field(default_factory=list)
    opens: list[str] = Field(default_factory=list)
    expected_actions: list[ExpectedAction] = Field(default_factory=list)

    @model_validator(mode="after")
    def _timed(self) -> Inject:
        if (self.turn is None) == (self.when is None):
            raise ValueError("an inject has exactly one of 'turn' or 'when'")
        return self


class ActorSettings(Strict):
    governments: dict[str, str] = Field(default_factory=dict)
    overrides: dict[str, dict[str, float]] = Field(default_factory=dict)


class Scenario(Strict):
    id: str = Slug
    title: str
    background: str
    turn_represents: str
    turns: int = Field(ge=1, le=MAX_TURNS)
    start_date: datetime.date | None = Field(default=None, description=(
        "the first day of turn 1, for a scenario set in history: a record's dates are "
        "placed in turns from it (scenarios/record.py)"))
    world: dict[str, float] = Field(default_factory=dict, max_length=MAX_WORLD_VARIABLES)
    actors: ActorSettings = Field(default_factory=ActorSettings)
    parameters: Parameters = Field(default_factory=Parameters, description=(
        "model parameters this scenario sets (scenarios/parameters.py); the rest keep "
        "their defaults, and a run's own --param go on top"))
    levers: Levers = Field(default_factory=Levers, description=(
        "the report's public-diplomacy levers (scenarios/information.py); defaults: status quo"))
    campaigns: list[CampaignSpec] | None = Field(default=None, description=(
        "Russian and Chinese disinformation campaigns; if absent, each adversary runs its "
        "own narratives at its profile's reach and intensity; [] for none"))
    decisions: list[DecisionPoint] = Field(min_length=1, max_length=MAX_DECISIONS)
    injects: list[Inject] = Field(min_length=1, max_length=MAX_INJECTS)

    @field_validator("turn_represents")
    @classmethod
    def _a_length(cls, text: str) -> str:
        if turn_days(text) is None:
            largest = max(NUMBER_WORDS, key=NUMBER_WORDS.__getitem__)
            raise ValueError(f"{text!r} is not a length of time: write it as 'one week', "
                             f"'2 months' (a number, or a word from one to {largest}, then "
                             "day, week, month or year)")
        return text

    @property
    def days_per_turn(self) -> float:
        return turn_days(self.turn_represents)  # type: ignore[return-value]  # checked above

    def turn_of(self, day: datetime.date) -> int | None:
        """The turn a date falls in (turn 1 starts on ``start_date``); None if the scenario
        has no start date or the date falls outside its turns."""
        if self.start_date is None:
            return None
        turn = int((day - self.start_date).days // self.days_per_turn) + 1
        return turn if 1 <= turn <= self.turns else None

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Scenario:
        # The loader asks to defer these, so that it can name each one's line.
        if not (info.context or {}).get("defer_references"):
            errors = self.reference_errors()
            if errors:
                raise ValueError("; ".join(f"{dotted(loc)}: {msg}" for loc, msg in errors))
        return self

    def reference_errors(self, broken: Names | None = None) -> list[tuple[Loc, str]]:
        """Names that point nowhere: unknown decisions, options, world variables, late turns.
        ``broken``: names given in parts of the file that failed the format checks (reported
        there), so that what refers to them is not reported again."""
        refs = _References(self, broken or Names())
        return [*refs.world_errors(), *refs.inject_errors(), *information_errors(self)]

    def unread_variables(self) -> list[str]:
        """World variables nothing reads: no trigger, no decision's pressure, no built-in
        meaning. An inject that changes one changes nothing."""
        read = {d.pressure for d in self.decisions} | set(BUILTIN_VARIABLES)
        read |= {inj.when.var for inj in self.injects if inj.when}
        return [v for v in self.world if v not in read]

    def decision(self, decision_id: str) -> DecisionPoint:
        return next(d for d in self.decisions if d.id == decision_id)


@dataclass
class Names:
    """Names given in the parts of a file that failed the format checks."""

    decisions: set[str] = field(default_factory=set)
    opened: set[str] = field(default_factory=set)  # decisions opened by a broken inject
    world: set[str] = field(default_factory=set)


class _References:
    """The cross-reference checks. A decision id given twice is reported once, with the
    names it may have been meant to be; the first decision of an id is the one checked."""

    def __init__(self, scenario: Scenario, broken: Names):
        self.s, self.broken = scenario, broken
        self.decisions: dict[str, DecisionPoint] = {}
        for d in scenario.decisions:
            self.decisions.setdefault(d.id, d)
        named = {d for inj in scenario.injects
                 for d in [*inj.opens, *(a.decision for a in inj.expected_actions),
                           *([inj.when.decision] if inj.when and inj.when.decision else [])]}
        unknown = named - set(self.decisions) - broken.decisions
        # a name a letter or two from a decision's is a misspelling, reported where it is
        # written (and that decision is not "never put": the misspelling is the mistake)
        self.misspelt = {d: c[0] for d in unknown
                         if (c := closest(d, self.decisions, cutoff=SLIP))}
        self.repeats = len(self.decisions) < len(scenario.decisions)
        # any other unknown name, when an id repeats, may be what the repeated one was
        self.lost = sorted(unknown - set(self.misspelt)) if self.repeats else []
        self.world = set(scenario.world) | broken.world

    def unknown_decision(self, name: str) -> bool:
        """True if ``name`` should be reported as an unknown decision."""
        return not (name in self.decisions or name in self.broken.decisions
                    or name in self.lost)  # the repeated id's message names those

    def unknown(self, kind: str, name: str) -> str:
        known = self.decisions if kind == "decision" else self.world
        return f"unknown {kind} {name!r}{did_you_mean(name, known)}"

    def world_errors(self) -> list[tuple[Loc, str]]:
        s = self.s
        errors: list[tuple[Loc, str]] = [
            (("world", k), f"{v} is outside [0, 1]") for k, v in s.world.items()
            if not 0.0 <= v <= 1.0
        ]
        opened = {d for inj in s.injects for d in inj.opens} | self.broken.opened
        seen: set[str] = set()
        for i, d in enumerate(s.decisions):
            if d.id in seen:
                lost = (f"; nothing is called {', '.join(map(repr, self.lost))} now, though "
                        "injects name it: was this one meant to be that?" if self.lost else "")
                errors.append((("decisions", i, "id"), f"decision id {d.id!r} repeats{lost}"))
                continue
            seen.add(d.id)
            if d.id not in opened and d.id not in self.misspelt.values():
                errors.append((("decisions", i, "id"),
                               f"no inject opens {d.id!r}, so it would never be put"))
            if d.pressure and d.pressure not in self.world:
                errors.append((("decisions", i, "pressure"),
                               f"{d.pressure!r} is not a world variable"))
        return errors

    def inject_errors(self) -> list[tuple[Loc, str]]:
        s = self.s
        errors: list[tuple[Loc, str]] = []
        seen: set[str] = set()
        for i, inj in enumerate(s.injects):
            at = ("injects", i)
            if inj.id in seen:
                errors.append(((*at, "id"), f"inject id {inj.id!r} repeats"))
            seen.add(inj.id)
            if inj.turn is not None and inj.turn > s.turns:
                errors.append(((*at, "turn"), f"turn {inj.turn} is after the last ({s.turns})"))
            errors += [((*at, "opens", j), self.unknown("decision", d))
                       for j, d in enumerate(inj.opens) if self.unknown_decision(d)]
            errors += [((*at, "effects", j, "var"), self.unknown("world variable", e.var))
                       for j, e in enumerate(inj.effects) if e.var not in self.world]
            if inj.when and inj.when.var and inj.when.var not in self.world:
                errors.append(((*at, "when", "var"), self.unknown("world variable", inj.when.var)))
            if inj.when and inj.when.decision and self.unknown_decision(inj.when.decision):
                errors.append(((*at, "when", "decision"),
                               self.unknown("decision", inj.when.decision)))
            for j, act in enumerate(inj.expected_actions):
                errors += self.expected_errors((*at, "expected_actions", j), inj, act)
        return errors

    def expected_errors(self, at: Loc, inj: Inject, act: ExpectedAction
                        ) -> list[tuple[Loc, str]]:
        if self.unknown_decision(act.decision):
            return [((*at, "decision"), self.unknown("decision", act.decision))]
        if act.decision not in inj.opens and not any(map(self.unknown_decision, inj.opens)):
            opens = ", ".join(inj.opens) or "nothing"
            return [((*at, "decision"), f"this inject does not open {act.decision!r} (it "
                     f"opens {opens}): expect an action at the inject that puts the question, "
                     "or it is scored against another turn's choice")]
        dp = self.decisions.get(act.decision)
        if dp is None:  # a decision that failed the format checks: reported there
            return []
        known = {o.id for o in dp.options}
        errors = [((*at, "options", k), f"{o!r} is not an option of {dp.id}")
                  for k, o in enumerate(act.options) if o not in known]
        if (act.actor == "NAC") != (dp.forum == "nac"):
            errors.append(((*at, "actor"), f"{dp.id} is put to the {dp.forum} forum: expect "
                           "NAC for a Council decision and only there"))
        return errors


# -- a file with format errors: check what can be checked ------------------------------

# Stand-ins for what a scenario that fails the format checks lacks (scenarios/salvage.py):
# the scenario's own required fields refer to nothing (200 turns: no inject is late), and
# free text nothing refers to lets its decision, option, inject or expected action be checked.
_PLACEHOLDERS: dict[str, Any] = {"id": "scenario", "title": "", "background": "",
                                 "turn_represents": "", "turns": MAX_TURNS,
                                 "decisions": [], "injects": []}
TEXT_FIELDS = ("question", "label", "title", "synopsis", "text")
# A decision's options are named by the expected actions: one failing costs its decision
# (whose name stays known), not an option that references would then miss.
WHOLE_LISTS = frozenset({"options"})


def salvage(data: dict[str, Any], doomed: frozenset[Loc] = frozenset()
            ) -> tuple[Scenario, Names, Salvage]:
    """The parts of a scenario that pass the format checks, so that the cross-reference
    and actor checks can still run; the names the failing parts give; and the salvage,
    whose ``in_file`` numbers a location as the file does. ``doomed``: places that fail
    whatever they hold (keys given twice)."""
    kept = Salvage(text=dict.fromkeys(TEXT_FIELDS, ""), whole=WHOLE_LISTS, doomed=doomed)
    return kept.model(Scenario, data, _PLACEHOLDERS), _names(data), kept


def _names(data: dict[str, Any]) -> Names:
    """Every decision id, opened decision and world variable the file gives, valid or not."""
    def items(key: str) -> list[dict]:
        found = data.get(key)
        return [x for x in found if isinstance(x, dict)] if isinstance(found, list) else []

    opened = {d for inj in items("injects") if isinstance(inj.get("opens"), list)
              for d in inj["opens"] if isinstance(d, str)}
    world = data.get("world")
    return Names(decisions={d["id"] for d in items("decisions") if isinstance(d.get("id"), str)},
                 opened=opened,
                 world={k for k in world if isinstance(k, str)} if isinstance(world, dict)
                 else set())
