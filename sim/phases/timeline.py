"""The scenario's clock: injects fire, the world changes, decisions open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scenarios.errors import InputError, Problem
from scenarios.schema import DecisionPoint, Inject, Trigger
from sim.outputs import InjectFired, InjectReleased

if TYPE_CHECKING:
    from sim.model import IP4Model

COMPARE = {">=": float.__ge__, "<=": float.__le__, ">": float.__gt__, "<": float.__lt__}


class Timeline:
    """Owns the world's named quantities, which injects have fired, the decisions open
    this turn and the outcome of each decision put (joint, split, approved, blocked)."""

    def __init__(self, model: IP4Model):
        self.model = model
        self.exercise = model.exercise
        self.world: dict[str, float] = dict(self.exercise.world)
        self.fired: set[str] = set()
        self.open: list[str] = []
        self.outcomes: dict[str, str] = {}
        self.first_put: dict[str, int] = {}  # decision -> the turn it was first put
        self.turn = 0  # the last turn whose injects fired
        self.released: dict[int, list[InjectReleased]] = {}  # turn -> released into it

    def fire_injects(self, turn: int) -> None:
        """This turn's scheduled injects, then the contingency injects whose trigger now
        holds (so a trigger can react to what a scheduled inject just changed)."""
        self.turn = turn
        for inject in self.exercise.injects:
            if inject.turn == turn:
                self.fire(turn, inject)
        for released in self.released.pop(turn, []):
            self.model.log(released)
            self.fire(turn, released.inject)
        for inject in self.exercise.injects:
            if inject.when and inject.id not in self.fired and self.holds(inject.when, turn):
                self.fire(turn, inject)

    def release(self, inject: Inject, turn: int | None = None, by: str = "facilitator") -> int:
        """Release an inject (a contingency inject of the scenario, or one written on the
        spot) into ``turn``, by default the next turn to start; it fires after that turn's
        scheduled injects and is recorded, so a replay releases it again. Returns the turn;
        InputError names what does not fit the scenario."""
        turn = self.turn + 1 if turn is None else turn
        pending = {r.inject.id for rs in self.released.values() for r in rs}
        scheduled = {i.id for i in self.exercise.injects if i.when is None}
        problems = []
        if inject.id in self.fired | pending | scheduled:
            problems.append(Problem("inject", "id", f"{inject.id!r} is scheduled, has fired "
                                    "or is released already"))
        problems += [Problem("inject", f"effects.{k}.var", f"{e.var!r} is not a world variable "
                             f"of this scenario ({', '.join(sorted(self.world))})")
                     for k, e in enumerate(inject.effects) if e.var not in self.world]
        known = {d.id for d in self.exercise.decisions}
        problems += [Problem("inject", f"opens.{k}", f"{d!r} is not a decision of this scenario "
                             f"({', '.join(sorted(known))})")
                     for k, d in enumerate(inject.opens) if d not in known]
        if turn <= self.turn or turn > self.exercise.turns:
            problems.append(Problem("inject", "turn", f"turn {turn} is not to come "
                                    f"(turns {self.turn + 1}..{self.exercise.turns})"))
        if problems:
            raise InputError(problems)
        self.released.setdefault(turn, []).append(InjectReleased(turn=turn, inject=inject, by=by))
        return turn

    def holds(self, trigger: Trigger, turn: int) -> bool:
        if turn < trigger.not_before:
            return False
        if trigger.var is not None:
            return COMPARE[trigger.op](float(self.world[trigger.var]), float(trigger.value))
        return self.outcomes.get(trigger.decision) == trigger.outcome

    def fire(self, turn: int, inject: Inject) -> None:
        self.fired.add(inject.id)
        changed = {}
        for e in inject.effects:
            new = e.set if e.set is not None else self.world[e.var] + e.add
            self.world[e.var] = changed[e.var] = round(min(1.0, max(0.0, new)), 6)
        self.open += [d for d in inject.opens if d not in self.open]
        self.model.log(InjectFired(turn=turn, inject=inject.id, title=inject.title,
                                   synopsis=inject.synopsis, world=changed, opens=inject.opens,
                                   expected=inject.expected_actions))

    def take_open(self) -> list[DecisionPoint]:
        """The decisions this turn's injects opened, in order; none stays open after."""
        opened, self.open = self.open, []
        for d in opened:
            self.first_put.setdefault(d, self.turn)
        return [self.exercise.decision(d) for d in opened]

    def days_open(self, decision: str) -> float:
        """Days from the start of the turn the question was first put to the end of this
        turn: what a government has had to prepare a measure by the time it chooses."""
        return (self.turn - self.first_put[decision] + 1) * self.exercise.days_per_turn

    def get(self, name: str, default: float = 0.0) -> float:
        return self.world.get(name, default)
