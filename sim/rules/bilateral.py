from typing import ClassVar

from scenarios.schema import DecisionPoint
from sim.rules.base import NO_GROUP, Intention, Rule, Stance


class Bilateral(Rule):
    name = "bilateral"
    summary = "each partner deals with NATO alone; no pre-coordination"
    consults = False  # nobody shares an intention, so nobody is asked for one
    cover: ClassVar[float] = 0.0  # no group, so no one stands behind a coerced partner

    def stance(self, decision: DecisionPoint, intentions: dict[str, Intention]) -> Stance:
        return NO_GROUP
