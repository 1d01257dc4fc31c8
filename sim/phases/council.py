"""The North Atlantic Council decides by consensus: one ally's block stops it."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from scenarios.schema import DecisionPoint
from sim.outputs import CouncilVote
from sim.protocol import Answer, Request

if TYPE_CHECKING:
    from sim.model import IP4Model


class Council:
    def __init__(self, model: IP4Model):
        self.model = model

    def decide(self, turn: int, decision: DecisionPoint
               ) -> Generator[list[Request], dict[str, Answer], None]:
        """Every ally chooses; any block stops consensus; otherwise the Council adopts the
        most chosen option that is not a block (ties to the more forward one), and an
        adopted option that switches on a lever (the Tokyo office) switches it on."""
        model = self.model
        allies = model.allies
        chosen = yield from model.choices.choose(
            turn, decision, allies, model.choices.situation(decision, allies))
        blocking = {o.id for o in decision.options if o.blocks}
        blockers = [code for code, option in chosen.items() if option in blocking]
        tally = {o.id: sum(1 for c in chosen.values() if c == o.id) for o in decision.options}
        adopted = max((o for o in decision.options if not o.blocks),
                      key=lambda o: (tally[o.id], o.position))
        outcome = "blocked" if blockers else "approved"
        model.log(CouncilVote(turn=turn, decision=decision.id, outcome=outcome,
                              option=adopted.id, blockers=blockers, tally=tally))
        model.timeline.outcomes[decision.id] = outcome
        if outcome == "approved" and adopted.switches_on:
            model.information.switch_on(adopted.switches_on, turn, decision.id)
