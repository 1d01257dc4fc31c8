from pydantic import Field, field_validator

from agents.catalog import IP4, canonical
from scenarios.schema import DecisionPoint
from sim.rules.base import PULL, Intention, Rule, Stance, label


class LeadNation(Rule):
    name = "lead"
    summary = ("an issue lead nation: one partner proposes its option, and the others whose "
               "views are within a tolerance of it follow")
    # assumption: followers stand behind a lead they chose to follow, but a lead commits them
    # to one issue, not to one another, so cover is a little below a coalition's 0.5.

    lead: str = Field("auto", description="the lead partner's code, or 'auto': the partner "
                                          "with the most at stake on each decision")
    tolerance: float = Field(0.25, ge=0.0, le=1.0,
                             description="how far from the lead's option a follower may stand")
    pull: float = Field(1.0, ge=0.0, le=1.0, description=PULL)
    cover: float = Field(0.45, ge=0.0, le=1.0, description=(
        "how far the group stands behind a member China coerces: 0 none, 1 full"))

    @field_validator("lead")
    @classmethod
    def _known(cls, value: str) -> str:
        value = value.strip()
        if value.lower() == "auto":
            return "auto"
        code = canonical(value)
        if code in IP4:
            return code
        raise ValueError(f"must be 'auto' or one of {', '.join(IP4)}, not {value!r}")

    def leader(self, intentions: dict[str, Intention]) -> str:
        """The lead on this decision: the named partner, or the one with the most at stake
        (ties go to the first code in alphabetical order)."""
        if self.lead != "auto":
            return self.lead
        return min(intentions, key=lambda code: (-intentions[code].stake, code))

    def stance(self, decision: DecisionPoint, intentions: dict[str, Intention]) -> Stance:
        lead = self.leader(intentions)
        proposal = intentions[lead]
        followers = [code for code, i in intentions.items()
                     if code != lead and abs(i.position - proposal.position) <= self.tolerance]
        why = "has the most at stake and " if self.lead == "auto" else ""
        proposed = label(decision, proposal.option)
        if not followers:
            return Stance(members=(), option=None, binding=False, pull=0.0,
                          note=f"{lead} {why}proposes {proposed}, but no one else's view "
                               "is close enough to follow, so each acts alone")
        members = tuple(code for code in intentions if code == lead or code in followers)
        return Stance(members=members, option=proposal.option, binding=False, pull=self.pull,
                      note=f"{lead} {why}proposes {proposed}; {', '.join(followers)} "
                           f"{'stands' if len(followers) == 1 else 'stand'} close enough to "
                           "follow")

    def min_speakers(self, stance: Stance) -> int:
        """The lead and at least one follower who chose its option."""
        return 2
