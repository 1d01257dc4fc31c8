from pydantic import Field

from scenarios.schema import DecisionPoint
from sim.rules.base import (
    PULL,
    Intention,
    Rule,
    Stance,
    describe,
    label,
    plurality,
    tie_note,
)


class Caucus(Rule):
    name = "caucus"
    summary = ("today's informal IP4: the four share intentions before engaging NATO, then each "
               "decides for itself; if all four align they speak together")
    # assumption: an informal caucus shares information but commits no one, so a member
    # China coerces gets some cover (visibility, consultation), not a collective response.

    pull: float = Field(1.0, ge=0.0, le=1.0, description=PULL)

    cover: float = Field(0.35, ge=0.0, le=1.0, description=(
        "how far the group stands behind a member China coerces: 0 none, 1 full"))

    def stance(self, decision: DecisionPoint, intentions: dict[str, Intention]) -> Stance:
        lean = plurality(intentions)
        return Stance(members=tuple(intentions), option=lean, binding=False, pull=self.pull,
                      note=f"shared intentions ({describe(decision, intentions)}); the group leans "
                           f"{label(decision, lean)}{tie_note(decision, intentions, lean)}")
