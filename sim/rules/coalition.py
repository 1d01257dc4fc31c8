from pydantic import Field

from scenarios.schema import DecisionPoint
from sim.rules.base import PULL, Intention, Rule, Stance, label, plurality, tie_note


class Coalition(Rule):
    name = "coalition"
    summary = ("a k-of-4 coalition of the willing: those who intend the most intended option act "
               "together once at least k of the four do; the rest act alone")
    # assumption: a coalition commits only those in it, and the one who is coerced may have
    # been left out of it; its members stand behind one another about as much as a caucus
    # whose members share an aim, so halfway between no cover and a framework's full cover.

    k: int = Field(3, ge=1, le=4, description="how many must intend the same option")

    pull: float = Field(1.0, ge=0.0, le=1.0, description=PULL)
    cover: float = Field(0.5, ge=0.0, le=1.0, description=(
        "how far the group stands behind a member China coerces: 0 none, 1 full"))

    def stance(self, decision: DecisionPoint, intentions: dict[str, Intention]) -> Stance:
        lean = plurality(intentions)
        named, tie = label(decision, lean), tie_note(decision, intentions, lean)
        willing = tuple(code for code, i in intentions.items() if i.option == lean)
        if len(willing) < self.k:
            return Stance(members=(), option=None, binding=False, pull=0.0,
                          note=f"only {len(willing)} ({', '.join(willing)}) intend {named}, "
                               f"fewer than the {self.k} a coalition needs, so each acts alone"
                               f"{tie}")
        rest = [code for code in intentions if code not in willing]
        apart = f"; {', '.join(rest)} {'acts' if len(rest) == 1 else 'act'} alone" if rest else ""
        return Stance(members=willing, option=lean, binding=False, pull=self.pull,
                      note=f"{', '.join(willing)} intend {named}, at least the {self.k} needed, "
                           f"so they act together{apart}{tie}")

    def min_speakers(self, stance: Stance) -> int:
        """The coalition speaks once at least k of its members chose its option."""
        return self.k
