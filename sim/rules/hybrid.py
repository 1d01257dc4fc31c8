"""The report's own condition for when the IP4 format adds value (USIP executive summary):
"The IP4's role as a talk shop and coordination mechanism may have particular added value
[...] when all four countries have a stake in an issue and hold similar views"."""

from pydantic import Field

from scenarios.schema import DecisionPoint
from sim.rules.base import PULL, Intention, Rule, Stance, describe, label, plurality, tie_note


class Hybrid(Rule):
    name = "hybrid"
    summary = ("the stake-and-views hybrid: the four act as a group only when all four have a "
               "stake in the issue and hold similar views; otherwise each acts alone")
    # assumption: the group forms only where all four care and agree, so its members have
    # reason to stand behind one another, more than in a caucus (0.35); with no formal
    # commitment, the cover stays at a coalition's 0.5.

    min_stake: float = Field(0.15, ge=0.0,
                             description="least stake (utility spread) every partner must have")
    max_spread: float = Field(0.3, ge=0.0, le=1.0,
                              description="widest gap between intended positions")

    pull: float = Field(1.0, ge=0.0, le=1.0, description=PULL)
    cover: float = Field(0.5, ge=0.0, le=1.0, description=(
        "how far the group stands behind a member China coerces: 0 none, 1 full"))

    def stance(self, decision: DecisionPoint, intentions: dict[str, Intention]) -> Stance:
        idle = [code for code, i in intentions.items() if i.stake < self.min_stake]
        positions = [i.position for i in intentions.values()]
        spread = max(positions) - min(positions)
        if idle:
            return Stance(members=(), option=None, binding=False, pull=0.0,
                          note=f"{', '.join(idle)} {'has' if len(idle) == 1 else 'have'} "
                               "too little at stake, so each acts alone")
        if spread > self.max_spread:
            return Stance(members=(), option=None, binding=False, pull=0.0,
                          note=f"their views differ too much ({describe(decision, intentions)}: "
                               f"{spread:.2f} apart, more than {self.max_spread:.2f}), "
                               "so each acts alone")
        lean = plurality(intentions)
        views = describe(decision, intentions)
        return Stance(members=tuple(intentions), option=lean, binding=False, pull=self.pull,
                      note=f"all four have a stake and similar views ({views}); "
                           f"the group leans {label(decision, lean)}"
                           f"{tie_note(decision, intentions, lean)}")
