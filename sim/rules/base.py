"""The interface every IP4 coordination rule implements.

A rule sees the partners' shared intentions on one decision (what each would
choose alone) and says how the four act: who is in the group, which option the
group takes, whether it binds its members, and how strongly it draws them. After
the partners have chosen, it says who speaks together. Adding a rule is adding
one module to ``sim/rules`` with one subclass of :class:`Rule`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from scenarios.schema import DecisionPoint

REGISTRY: dict[str, type[Rule]] = {}


@dataclass(frozen=True)
class Intention:
    """What a partner would choose alone, shared with the others before engaging NATO."""

    option: str
    position: float
    stake: float  # how much the choice matters to it: its best option's utility less its worst


@dataclass(frozen=True)
class Stance:
    """The group's answer to one decision, before each partner makes its own choice."""

    members: tuple[str, ...]  # partners who act as a group on this decision
    option: str | None  # the group's option, if it has one
    binding: bool  # members must adopt the group option
    pull: float  # 0..1, how strongly members are drawn to the group option
    note: str  # why, in plain words


# The description of every rule's ``pull`` parameter: how strongly the group's option
# draws its members (the peer-pull term's weight, and a share of the cover it gives).
PULL = "how strongly the group's option draws its members: 0 not at all, 1 fully"

NO_GROUP = Stance(members=(), option=None, binding=False, pull=0.0, note="no group position")


class Rule(BaseModel, ABC):
    """A coordination rule; its fields are its parameters (``coalition:k=3``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ClassVar[str]
    summary: ClassVar[str]
    formal: ClassVar[bool] = False  # a formal IP4 hands China its "Asia-Pacific NATO" hook
    consults: ClassVar[bool] = True  # the four state their intentions before they choose
    # Each rule that forms groups has a ``cover`` parameter: how far the group stands behind
    # a member China coerces ("safety in numbers"), 0 none, 1 full; an assumption per rule,
    # stated in each rule's module and in docs/ODD.md, settable like any rule parameter
    # (``caucus:cover=0.5``); a rule that forms no group sets a class value of 0.

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            REGISTRY[cls.name] = cls

    def spec(self) -> str:
        """The rule as typed on the command line, parameters included."""
        params = ",".join(f"{k}={v}" for k, v in self.model_dump().items())
        return f"{self.name}:{params}" if params else self.name

    def slug(self) -> str:
        """A short name for folders: the rule and any parameter not at its default
        (``caucus``, ``coalition-k2``)."""
        changed = [f"{k}{v}" for k, v in self.model_dump(exclude_defaults=True).items()]
        return "-".join([self.name, *changed])

    @abstractmethod
    def stance(self, decision: DecisionPoint, intentions: dict[str, Intention]) -> Stance:
        """How the four act on this decision, given what each intends."""

    def speakers(self, stance: Stance, choices: dict[str, str]) -> list[str]:
        """Who speaks together once each has chosen: the members who chose the group
        option, if at least ``min_speakers`` did (by default, every member)."""
        if not stance.option:
            return []
        chose = [m for m in stance.members if choices.get(m) == stance.option]
        return chose if len(chose) >= max(2, self.min_speakers(stance)) else []

    def min_speakers(self, stance: Stance) -> int:
        """How many members must hold the group option for it to be a joint position."""
        return len(stance.members)

    def backing(self, code: str, stance: Stance, capability: dict[str, float]) -> float:
        """Cover a partner gets against coercion: the share of the other partners'
        weight standing with it in the group, times how strongly the group holds, times
        the rule's cover."""
        if code not in stance.members:
            return 0.0
        others = {c: w for c, w in capability.items() if c != code}
        total = sum(others.values()) or 1.0
        standing = sum(w for c, w in others.items() if c in stance.members)
        return self.cover * stance.pull * standing / total


def plurality(intentions: dict[str, Intention]) -> str:
    """The most intended option. A tie goes to the option whose backers care more (the
    larger total stake), then to the less forward option: an informal group that cannot
    agree settles on the text everyone can live with."""
    counts, stake, position = tally(intentions)
    return max(counts, key=lambda o: (counts[o], round(stake[o], 9), -position[o], o))


def tally(intentions: dict[str, Intention]
          ) -> tuple[Counter[str], Counter[str], dict[str, float]]:
    """Per intended option: how many intend it, their total stake, and its position."""
    counts = Counter(i.option for i in intentions.values())
    stake: Counter[str] = Counter()
    position = {}
    for i in intentions.values():
        stake[i.option] += i.stake
        position[i.option] = i.position
    return counts, stake, position


def tie_note(decision: DecisionPoint, intentions: dict[str, Intention], lean: str) -> str:
    """Say so when the lean came out of a tie, with the values that broke it, so a reader
    can follow the group (the same intentions can lead differently on two turns when the
    stakes behind them differ)."""
    counts, stake, position = tally(intentions)
    tied = [o for o in counts if counts[o] == counts[lean]]
    if len(tied) < 2:
        return ""
    sides = " against ".join(f"{label(decision, o)} (stake {stake[o]:.2f}, position "
                             f"{position[o]:.2f})" for o in sorted(tied, key=lambda o: o != lean))
    others = [o for o in tied if o != lean]
    if all(round(stake[lean], 9) > round(stake[o], 9) for o in others):
        broke = "its side has more at stake"
    elif all(position[lean] < position[o] for o in others):
        broke = "the stakes are equal, and it is the less forward option"
    else:
        broke = "stakes and positions are equal, and its id sorts last"
    return (f" (a tie, {counts[lean]} each: {sides}; {label(decision, lean)} leads because "
            f"{broke})")


def label(decision: DecisionPoint, option: str) -> str:
    """An option's label: notes speak in labels, as the account does, never in ids."""
    return decision.option(option).label


def describe(decision: DecisionPoint, intentions: dict[str, Intention]) -> str:
    return ", ".join(f"{code} {label(decision, i.option)}" for code, i in intentions.items())
