from scenarios.schema import DecisionPoint
from sim.rules.base import NO_GROUP, Intention, Rule, Stance


class Bilateral(Rule):
    name = "bilateral"
    summary = "each partner deals with NATO alone; no pre-coordination"

    def stance(self, decision: DecisionPoint, intentions: dict[str, Intention]) -> Stance:
        return NO_GROUP
