import math
import statistics
from collections import Counter

from pydantic import Field

from scenarios.schema import DecisionPoint
from sim.rules.base import PULL, Intention, Rule, Stance, label, plurality, tie_note


class Formal(Rule):
    name = "formal"
    summary = ("a formalized IP4 (a counterfactual): the four vote, and the option with the "
               "quorum's share (by default half) binds all four, or failing that the one nearest "
               "their median view; unity is high, but it hands China its 'Asia-Pacific NATO' hook")
    formal = True
    # assumption: a formal framework commits members to one another, so a member China
    # coerces has the full weight of the other three behind it.

    quorum: float = Field(0.5, gt=0.0, le=1.0,
                          description="share of the members an option needs to bind them all")

    pull: float = Field(1.0, ge=0.0, le=1.0, description=PULL)
    cover: float = Field(1.0, ge=0.0, le=1.0, description=(
        "how far the group stands behind a member China coerces: 0 none, 1 full"))

    def stance(self, decision: DecisionPoint, intentions: dict[str, Intention]) -> Stance:
        members = tuple(intentions)
        needed = math.ceil(self.quorum * len(intentions) - 1e-9)
        lean = plurality(intentions)
        votes = Counter(i.option for i in intentions.values())[lean]
        if votes >= needed:
            return Stance(members=members, option=lean, binding=True, pull=self.pull,
                          note=f"{votes} of {len(intentions)} intend {label(decision, lean)}, at "
                               f"least the {needed} needed, so the formal IP4 binds all four to "
                               f"it{tie_note(decision, intentions, lean)}")
        # No option has the quorum: the framework still owes a position, so it binds all four
        # to the option nearest the middle of their views (the median on this dimension).
        middle = statistics.median(i.position for i in intentions.values())
        option = min(decision.options, key=lambda o: (abs(o.position - middle), o.id)).id
        return Stance(members=members, option=option, binding=True, pull=self.pull,
                      note=f"no option has the {needed} votes needed (at most {votes}, for "
                           f"{label(decision, lean)}), so the formal IP4 binds all four to "
                           f"{label(decision, option)}, the option "
                           "nearest the middle of their views")
