"""People at the table: a chooser that asks a player at the terminal.

The player sees the question, the options with the engine's probabilities, the engine's
advice (the terms that favour its most likely option) and the group's lean, then types
an option's number or id. The run records the choice as made by "human".
"""

from __future__ import annotations

from collections.abc import Callable

from sim.decisions import ChoiceRequest


class PlayerQuit(Exception):
    """The player's input ended (end of file) before the exercise did."""


class PromptChooser:
    name = "human"

    def __init__(self, ask: Callable[[str], str] | None = None,
                 say: Callable[[str], None] | None = None,
                 brief: Callable[[], None] | None = None):
        self.ask = ask or input
        self.say = say or print
        self.brief = brief  # tells the player what has happened since their last choice

    def choose(self, request: ChoiceRequest) -> str:
        if self.brief is not None:
            self.brief()
        options = request.decision.options
        self.say(f"\n[{request.actor}] turn {request.turn}: {request.decision.question}")
        for k, option in enumerate(options, 1):
            p = request.probabilities[option.id]
            lean = "  <- the group's lean" if option.id == request.group_option else ""
            self.say(f"  {k}. {option.label} ({option.id}): engine {p:.0%}{lean}")
        self.say(f"  the engine's reading: {request.advice}")
        while True:
            try:
                answer = self.ask(f"{request.actor} chooses (1-{len(options)} or id): ").strip()
            except EOFError:
                raise PlayerQuit(f"input ended while {request.actor} was choosing") from None
            chosen = self.parse(answer, [o.id for o in options])
            if chosen:
                return chosen
            self.say(f"  '{answer}' is not one of the options; type a number or an id.")

    @staticmethod
    def parse(answer: str, ids: list[str]) -> str | None:
        if answer.isdigit() and 1 <= int(answer) <= len(ids):
            return ids[int(answer) - 1]
        return answer if answer in ids else None
