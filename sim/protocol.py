"""Putting a question is a protocol, not a call: requests go out, answers come back.

When a turn needs an answer (a partner's intention in the consultation, an actor's
choice), the engine issues a :class:`Request` to the seat behind that actor. A seat
that can answer at once (the engine's own utility, a script replaying a record) does
so; any other seat (a person at the terminal, a browser, a facilitator) leaves the
request open, and the model stops at that point with the request in
``model.waiting``. A front end answers with ``model.answer(...)`` and calls
``model.advance()`` again; nothing in the model blocks on input.

Every request carries the engine's own answer and reading, so a seat can show what
the engine would do, and every choice consumes the same random draw whoever answers,
so a recorded game replays exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from scenarios.schema import DecisionPoint
from sim.outputs import Choice, EventBase, GroupStance, Stage

Key = tuple[int, str, str, str]  # turn, decision, actor, stage


@dataclass(frozen=True)
class Request:
    """What a seat is asked: the question, the options, and the engine's own reading."""

    turn: int
    actor: str
    decision: DecisionPoint
    stage: Stage  # "intention": what it intends, stated in the consultation; "choice"
    probabilities: dict[str, float]  # the engine's logit probabilities, option id -> p
    engine: str  # the option the engine would answer (its best alone, or its draw)
    advice: str  # the engine's explanation of its most likely option
    group_option: str | None = None  # the group's option, for a member (choice stage)
    binding: bool = False  # the group's option binds this member whatever it answers
    consultation: str = ""  # the state of the consultation, in words (choice stage)
    # options the government cannot take yet (a measure within its lead time) -> why
    unready: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.turn, self.decision.id, self.actor, self.stage)


@dataclass(frozen=True)
class Answer:
    option: str
    by: str  # who answered: "engine", "human", "scripted", "facilitator", ...


class Seat(Protocol):
    """Whoever stands behind an actor. ``answer`` returns an option id (recorded as
    chosen by the seat's ``name``) or an :class:`Answer` now, or None to leave the
    request open for a front end to answer later."""

    name: str

    def answer(self, request: Request) -> str | Answer | None: ...


class EngineSeat:
    """The engine's own answer: its best option alone as its intention, its draw as its
    choice."""

    name = "engine"

    def answer(self, request: Request) -> str:
        return request.engine


class HumanSeat:
    """A person: never answers at once; the front end (terminal, browser) does."""

    def __init__(self, name: str = "human"):
        self.name = name

    def answer(self, request: Request) -> None:
        return None


class ScriptedSeat:
    """Replays recorded answers, keyed (turn, decision, actor, stage).

    Past the end of the record, ``then`` answers (a resumed game's people); without it,
    an intention the record does not hold (a run recorded before intentions were) is the
    engine's, and a missing choice is an error. ``name`` is what the replayed events say
    chose; a resumed game passes ``keep_by`` so each answer keeps who gave it."""

    def __init__(self, script: dict[Key, Answer], name: str = "scripted",
                 keep_by: bool = False, then: Seat | None = None):
        self.script = script
        self.name = name
        self.keep_by = keep_by
        self.then = then  # who answers past the end of the record (a resumed game's people)

    @classmethod
    def from_events(cls, events: list[EventBase], actors: set[str] | None = None,
                    before_turn: int | None = None, only_people: bool = False,
                    **kwargs) -> ScriptedSeat:
        """The answers in a run's events: every choice and stated intention (or, with
        ``only_people``, those not made by the engine), before ``before_turn`` if given."""
        script: dict[Key, Answer] = {}
        for e in events:
            if before_turn is not None and e.turn >= before_turn:
                continue
            if isinstance(e, Choice):
                by = e.by.split(", bound by")[0]
                if actors is None or e.actor in actors:
                    script[(e.turn, e.decision, e.actor, "choice")] = Answer(e.option, by)
            elif isinstance(e, GroupStance):
                for actor, option in e.intentions.items():
                    by = e.stated_by.get(actor, "engine")
                    if actors is None or actor in actors:
                        script[(e.turn, e.decision, actor, "intention")] = Answer(option, by)
        if only_people:
            script = {k: a for k, a in script.items() if a.by != "engine"}
        return cls(script, **kwargs)

    def actors(self) -> set[str]:
        return {actor for _, _, actor, _ in self.script}

    def answer(self, request: Request) -> Answer | str | None:
        recorded = self.script.get(request.key)
        if recorded is None and self.then is not None:
            given = self.then.answer(request)  # named by who gave it, not by the script
            return Answer(given, self.then.name) if isinstance(given, str) else given
        if recorded is None and request.stage == "intention":
            return Answer(request.engine, "engine")
        if recorded is None:
            raise LookupError(f"no recorded choice for turn {request.turn}, "
                              f"{request.decision.id}, {request.actor}")
        return Answer(recorded.option, recorded.by if self.keep_by else self.name)


class FacilitatorSeat:
    """The white cell behind an actor: the seat ``behind`` it (the engine's, by default)
    answers, except the requests the facilitator holds (``hold("choice")``): the next
    request of that stage stays open for the facilitator's own answer, recorded as
    ``by="facilitator"`` by whoever gives it."""

    name = "facilitator"

    def __init__(self, behind: Seat | None = None, held: Iterable[Stage] = ()):
        self.behind = behind or EngineSeat()
        self.held: set[str] = set(held)

    def hold(self, stage: Stage = "choice") -> None:
        self.held.add(stage)

    def answer(self, request: Request) -> str | Answer | None:
        if request.stage in self.held:
            self.held.discard(request.stage)
            return None
        given = self.behind.answer(request)
        return Answer(given, self.behind.name) if isinstance(given, str) else given


def white_cell_of(seat: Seat | None) -> FacilitatorSeat | None:
    """The white cell's seat behind an actor: the seat itself, or, in a game played again
    from its record, the one that answers past the record's end."""
    if isinstance(seat, ScriptedSeat):
        seat = seat.then
    return seat if isinstance(seat, FacilitatorSeat) else None


class AnswerError(ValueError):
    """An answer that fits no open request, or names no option of it."""


def check_answer(request: Request, option: str) -> str:
    ids = [o.id for o in request.decision.options]
    if option not in ids:
        raise AnswerError(f"{option!r} is not an option of {request.decision.id} "
                          f"({', '.join(ids)}) for {request.actor}")
    if option in request.unready:
        raise AnswerError(f"{option!r} cannot be chosen yet: {request.unready[option]}")
    return option
