"""The event log: everything that happens in a run, as typed records, one JSON line each.

``analysis/`` reads these (and the time series) and nothing else of a run, so an
event carries what a reader needs: who, what, and, for a choice, why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from scenarios.schema import ExpectedAction


class EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    turn: int


class InjectFired(EventBase):
    kind: Literal["inject"] = "inject"
    inject: str
    title: str
    synopsis: str
    world: dict[str, float] = Field(default_factory=dict, description="variables changed")
    opens: list[str] = Field(default_factory=list)
    expected: list[ExpectedAction] = Field(default_factory=list)


class DecisionOpened(EventBase):
    kind: Literal["decision"] = "decision"
    decision: str
    question: str
    forum: str
    dimension: str = Field(description="the profile dimension the options are placed on")
    options: dict[str, str] = Field(description="option id -> label")


class GroupStance(EventBase):
    """What the coordination rule made of the partners' shared intentions."""

    kind: Literal["group_stance"] = "group_stance"
    decision: str
    rule: str
    members: list[str]
    option: str | None
    binding: bool
    note: str


class Choice(EventBase):
    kind: Literal["choice"] = "choice"
    decision: str
    actor: str
    option: str
    position: float
    probability: float = Field(description="the engine's probability of the chosen option")
    by: str = Field(description="who chose: 'engine', or a chooser's name ('scripted', "
                                "'human', ...), with ', bound by RULE' when a rule bound it")
    terms: dict[str, float] = Field(description="each term's pull toward this option, "
                                                "relative to the average option")
    group: str | None = Field(default=None, description="group option it was drawn toward")
    violation: float = Field(default=0.0, description=(
        "for a member a binding group position covers: its own best option's utility less "
        "the bound option's (0 when they are the same)"))
    swayed_from: str | None = Field(default=None, description=(
        "public opinion tipped this choice: the option the actor would have chosen, with the "
        "same random draw, had its public's support stayed at its anchor"))


class JointPosition(EventBase):
    kind: Literal["joint"] = "joint"
    decision: str
    members: list[str]
    option: str


class CouncilVote(EventBase):
    kind: Literal["council"] = "council"
    decision: str
    outcome: Literal["approved", "blocked"]
    option: str = Field(description="the option the Council adopts (the most chosen non-block)")
    blockers: list[str]
    tally: dict[str, int]


class Coercion(EventBase):
    kind: Literal["coercion"] = "coercion"
    actor: str
    target: str
    pressure: float
    backing: float
    success: bool


class Pressure(EventBase):
    kind: Literal["pressure"] = "pressure"
    actor: str
    level: float
    note: str


class Message(EventBase):
    """A disinformation campaign (CHN, RUS) or NATO public diplomacy (NATO) in one turn."""

    kind: Literal["message"] = "message"
    actor: str
    narrative: str = Field(description="a narrative id, or public_diplomacy")
    reach: dict[str, float] = Field(description="target -> share of its public reached")
    intensity: float
    note: str = ""


class LeverSwitched(EventBase):
    """A lever that needed the allies' consensus takes effect."""

    kind: Literal["lever"] = "lever"
    lever: str
    value: float
    decision: str
    note: str = ""


class PublicOpinion(EventBase):
    """The publics after a turn's update: country means."""

    kind: Literal["publics"] = "publics"
    means: dict[str, dict[str, float]] = Field(description=(
        "country -> awareness, understanding, support, gap, inoculation, belief.<narrative>"))


Event = Annotated[
    InjectFired | DecisionOpened | GroupStance | Choice | JointPosition | CouncilVote
    | Coercion | Pressure | Message | LeverSwitched | PublicOpinion,
    Field(discriminator="kind"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def to_jsonl(events: list[BaseModel]) -> str:
    return "".join(e.model_dump_json() + "\n" for e in events)


def read_events(path: str | Path) -> list[Event]:
    """Read an events.jsonl file back into typed events."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [EVENT_ADAPTER.validate_python(json.loads(line)) for line in lines if line]
