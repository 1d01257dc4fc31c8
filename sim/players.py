"""People at the terminal: a front end on the decision protocol.

:func:`play_at_terminal` advances the model to each point where a person must answer,
asks at the terminal, answers, and goes on. A person first states what their
government intends (under a rule that consults, the four share intentions before
each decides), then chooses, seeing the group's stance formed from what every member
actually said. The engine's probabilities and reading are shown as advice.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.model import IP4Model
from sim.protocol import FacilitatorSeat, Request


class PlayerQuit(Exception):
    """The player's input ended (end of file) before the exercise did."""


class TerminalPlayer:
    """Asks a person at the terminal for an option: by its number or its id."""

    def __init__(self, ask: Callable[[str], str] | None = None,
                 say: Callable[[str], None] | None = None):
        self.ask_line = ask or input
        self.say = say or print

    def ask(self, request: Request, held: bool = False) -> str:
        """The option a person answers ``request`` with; ``held``: a request the white cell
        holds (a resumed game's), which the facilitator answers."""
        options = request.decision.options
        what = "intends (stated to the other partners)" if request.stage == "intention" \
            else "chooses"
        who = f"{request.actor}, held: the facilitator answers" if held else request.actor
        self.say(f"\n[{who}] turn {request.turn}: {request.decision.question}")
        if request.consultation:
            self.say(f"  the consultation: {request.consultation}")
        for k, option in enumerate(options, 1):
            p = request.probabilities[option.id]
            lean = "  <- the group's lean" if option.id == request.group_option else ""
            why_not = request.unready.get(option.id)
            note = f"  (not yet: {why_not})" if why_not else ""
            self.say(f"  {k}. {option.label} ({option.id}): engine {p:.0%}{lean}{note}")
        self.say(f"  the engine's reading: {request.advice}")
        if request.binding and request.group_option:
            self.say(f"  the group's position binds its members: {request.actor} will take "
                     f"{request.group_option} whatever it chooses; its own choice is recorded")
        while True:
            try:
                answer = self.ask_line(f"{request.actor} {what} (1-{len(options)} or id): ")
            except EOFError:
                raise PlayerQuit(f"input ended while {request.actor} was answering") from None
            chosen = self.parse(answer.strip(), [o.id for o in options])
            if chosen and chosen in request.unready:
                self.say(f"  {chosen} cannot be chosen yet: {request.unready[chosen]}.")
            elif chosen:
                return chosen
            else:
                self.say(f"  '{answer.strip()}' is not one of the options; type a number or "
                         "an id.")

    @staticmethod
    def parse(answer: str, ids: list[str]) -> str | None:
        if answer.isdigit() and 1 <= int(answer) <= len(ids):
            return ids[int(answer) - 1]
        return answer if answer in ids else None


def play_at_terminal(model: IP4Model, player: TerminalPlayer,
                     before_asking: Callable[[], None] = lambda: None) -> IP4Model:
    """Play to the end, asking the person behind each waiting seat in turn (a request the
    white cell holds, in a game resumed from the browser, is the facilitator's, and
    recorded so); ``before_asking`` brings them up to date (a live account)."""
    people = set(model.checked.request.players)
    while waiting := model.advance():
        for request in waiting:
            before_asking()
            held = request.actor not in people
            model.answer(request.actor, player.ask(request, held),
                         by=FacilitatorSeat.name if held else "human", stage=request.stage)
    return model
