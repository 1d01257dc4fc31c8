from pydantic import Field

from scenarios.schema import DecisionPoint
from sim.rules.base import PULL, Intention, Rule, Stance, label


class Consensus(Rule):
    name = "consensus"
    summary = ("a consensus-bound IP4: the four act as a group only when all four intend the "
               "same option; one dissent and each acts alone")
    # assumption: a position all four reached freely is one each has reason to defend, so a
    # member China coerces over it gets more cover than from a caucus (0.35), though with no
    # formal commitment to a collective response it stays well short of a framework's 1.0.

    pull: float = Field(1.0, ge=0.0, le=1.0, description=PULL)
    cover: float = Field(0.6, ge=0.0, le=1.0, description=(
        "how far the group stands behind a member China coerces: 0 none, 1 full"))

    def stance(self, decision: DecisionPoint, intentions: dict[str, Intention]) -> Stance:
        options = {i.option for i in intentions.values()}
        if len(options) == 1:
            option = options.pop()
            return Stance(members=tuple(intentions), option=option, binding=False, pull=self.pull,
                          note=f"all four intend {label(decision, option)}, so they act as one")
        camps: dict[str, list[str]] = {}
        for code, i in intentions.items():
            camps.setdefault(i.option, []).append(code)
        views = "; ".join(f"{', '.join(codes)} {'intends' if len(codes) == 1 else 'intend'} "
                          f"{label(decision, option)}" for option, codes in camps.items())
        return Stance(members=(), option=None, binding=False, pull=0.0,
                      note=f"no consensus ({views}), so each acts alone")
