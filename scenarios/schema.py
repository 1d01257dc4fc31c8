"""The scenario file, shaped like a facilitator's Master Scenario Events List (MSEL).

A scenario has a background, what a turn stands for, the world's starting state,
the decision points (questions with options), and a timeline of injects: each
fires on a turn (or when a trigger holds), changes the world, opens decisions,
and lists the player actions a facilitator expects, so that the after-action
report can say which were met.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from agents.profiles import STATE_DIMENSIONS
from scenarios.errors import dotted
from scenarios.information import CampaignSpec, Levers, information_errors
from scenarios.parameters import Parameters

Loc = tuple[str | int, ...]

Slug = Field(pattern=r"^[a-z][a-z0-9_]*$")
Unit = Field(default=0.0, ge=0.0, le=1.0)

# Who answers a decision point. "partners": the four IP4 governments, under the
# coordination rule; "allies": the 32 allies, each for itself; "nac": the North
# Atlantic Council, consensus (one block stops it); "all": partners and allies.
Forum = Literal["partners", "allies", "nac", "all"]


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
        on_var = self.var is not None and self.value is not None
        on_decision = self.decision is not None and self.outcome is not None
        if on_var == on_decision:
            raise ValueError(
                "a trigger names either 'var' and 'value', or 'decision' and 'outcome'"
            )
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
    turns: int = Field(ge=1, le=200)
    world: dict[str, float] = Field(default_factory=dict)
    actors: ActorSettings = Field(default_factory=ActorSettings)
    parameters: Parameters = Field(default_factory=Parameters, description=(
        "model parameters this scenario sets (scenarios/parameters.py); the rest keep "
        "their defaults, and a run's own --param go on top"))
    levers: Levers = Field(default_factory=Levers, description=(
        "the report's public-diplomacy levers (scenarios/information.py); defaults: status quo"))
    campaigns: list[CampaignSpec] | None = Field(default=None, description=(
        "Russian and Chinese disinformation campaigns; if absent, each adversary runs its "
        "own narratives at its profile's reach and intensity; [] for none"))
    decisions: list[DecisionPoint] = Field(min_length=1)
    injects: list[Inject] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Scenario:
        # The loader asks to defer these, so that it can name each one's line.
        if not (info.context or {}).get("defer_references"):
            errors = self.reference_errors()
            if errors:
                raise ValueError("; ".join(f"{dotted(loc)}: {msg}" for loc, msg in errors))
        return self

    def reference_errors(self) -> list[tuple[Loc, str]]:
        """Names that point nowhere: unknown decisions, options, world variables, late turns."""
        return [*self._world_errors(), *self._inject_errors(), *information_errors(self)]

    def _world_errors(self) -> list[tuple[Loc, str]]:
        errors: list[tuple[Loc, str]] = [
            (("world", k), f"{v} is outside [0, 1]") for k, v in self.world.items()
            if not 0.0 <= v <= 1.0
        ]
        opened = {d for inj in self.injects for d in inj.opens}
        seen: set[str] = set()
        for i, d in enumerate(self.decisions):
            if d.id in seen:
                errors.append((("decisions", i, "id"), f"decision id {d.id!r} repeats"))
            seen.add(d.id)
            if d.id not in opened:
                errors.append((("decisions", i, "id"),
                               f"no inject opens {d.id!r}, so it would never be put"))
            if d.pressure and d.pressure not in self.world:
                errors.append((("decisions", i, "pressure"),
                               f"{d.pressure!r} is not a world variable"))
        return errors

    def _inject_errors(self) -> list[tuple[Loc, str]]:
        decisions = {d.id: d for d in self.decisions}
        errors: list[tuple[Loc, str]] = []
        seen: set[str] = set()
        for i, inj in enumerate(self.injects):
            at = ("injects", i)
            if inj.id in seen:
                errors.append(((*at, "id"), f"inject id {inj.id!r} repeats"))
            seen.add(inj.id)
            if inj.turn is not None and inj.turn > self.turns:
                errors.append(((*at, "turn"), f"turn {inj.turn} is after the last ({self.turns})"))
            errors += [((*at, "opens", j), f"unknown decision {d!r}")
                       for j, d in enumerate(inj.opens) if d not in decisions]
            errors += [((*at, "effects", j, "var"), f"unknown world variable {e.var!r}")
                       for j, e in enumerate(inj.effects) if e.var not in self.world]
            if inj.when and inj.when.var and inj.when.var not in self.world:
                errors.append(((*at, "when", "var"), f"unknown world variable {inj.when.var!r}"))
            if inj.when and inj.when.decision and inj.when.decision not in decisions:
                errors.append(((*at, "when", "decision"),
                               f"unknown decision {inj.when.decision!r}"))
            for j, act in enumerate(inj.expected_actions):
                errors += _expected_errors((*at, "expected_actions", j), act, decisions)
        return errors

    def decision(self, decision_id: str) -> DecisionPoint:
        return next(d for d in self.decisions if d.id == decision_id)


def _expected_errors(at: Loc, act: ExpectedAction, decisions: dict[str, DecisionPoint]
                     ) -> list[tuple[Loc, str]]:
    dp = decisions.get(act.decision)
    if dp is None:
        return [((*at, "decision"), f"unknown decision {act.decision!r}")]
    known = {o.id for o in dp.options}
    errors = [((*at, "options", k), f"{o!r} is not an option of {dp.id}")
              for k, o in enumerate(act.options) if o not in known]
    if (act.actor == "NAC") != (dp.forum == "nac"):
        errors.append(((*at, "actor"), f"{dp.id} is put to the {dp.forum} forum: expect NAC "
                       "for a Council decision and only there"))
    return errors
