"""The report's patterns about publics, reproduced over many seeds (pattern-oriented
modelling, Grimm et al. 2005). Each test quotes the sentence it rests on; the quotes are
checked against the report."""

from functools import cache

import numpy as np
import pytest

from agents.catalog import IP4
from agents.profiles import normalize_text, report_text
from scenarios.information import ASIA_PACIFIC_NATO, NARRATIVE_IDS, Levers
from sim.model import IP4Model
from sim.outputs import PublicOpinion

SEEDS = range(40)
SUMMIT, LAST = 7, 12  # the scenario's summit turn (visibility 1.0) and its last turn
STATUS_QUO_NO_OFFICE = {"liaison_office_tokyo": 0.0}  # the report's present: no office yet
STRONG = Levers.strong().model_dump()  # every lever at 1; the office still needs the Council
MIDDLE = dict.fromkeys(Levers.model_fields, 0.6)


@cache
def means(levers: tuple | None, seed: int) -> dict[int, dict[str, dict[str, float]]]:
    """turn -> partner -> country means, for the disinformation scenario under caucus."""
    model = IP4Model("disinformation_campaign", "caucus", seed,
                     levers=dict(levers) if levers else None).run()
    return {e.turn: e.means for e in model.events if isinstance(e, PublicOpinion)}


def key(levers: dict | None) -> tuple | None:
    return tuple(sorted(levers.items())) if levers else None


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


def quoted(sentence: str) -> str:
    assert normalize_text(sentence) in report_text(), sentence
    return sentence


def test_after_a_visibility_shock_awareness_outruns_understanding_and_the_gap_persists():
    """Report: "Since the relatively sudden emergence of the IP4 into public view in 2022,
    awareness of the grouping has largely exceeded understanding of it within the partner
    countries." and "part is also due to NATO's limited reach into Indo-Pacific partner
    capitals, including through public diplomacy efforts."

    Pattern P8 (docs/ODD.md, section 1): after a visibility shock (the summit, turn 7, after a
    high-level visit and the invitation) awareness exceeds understanding, and the gap persists
    unless public diplomacy is strengthened. Status quo: the scenario's levers with no Tokyo
    office (the report's present). Thresholds, for at least 95% of (seed, partner) pairs over
    40 seeds:

    * awareness above understanding at every turn (all pairs);
    * the shock widens the gap by at least 0.10 between turn 1 and the summit;
    * five turns after the summit the gap is still at least 0.05 above its turn-1 level;
    * with every lever pulled (strengthened public diplomacy) the last-turn gap is at least
      0.10 below the status quo's and below its own turn-1 level.

    0.10 and 0.05 are a tenth and a twentieth of the scale: differences a poll would show,
    and many times the sampling noise of a 2,000-citizen mean (about 0.003).
    """
    quoted("awareness of the grouping has largely exceeded understanding of it within the "
           "partner countries")
    quoted("part is also due to NATO's limited reach into Indo-Pacific partner capitals, "
           "including through public diplomacy efforts")
    widened, persisted, closed, below_start = [], [], [], []
    for seed in SEEDS:
        sq = means(key(STATUS_QUO_NO_OFFICE), seed)
        strong = means(key(STRONG), seed)
        for code in IP4:
            assert all(sq[t][code]["gap"] > 0 and strong[t][code]["gap"] > 0 for t in sq)
            gap = {t: sq[t][code]["gap"] for t in sq}
            widened.append(gap[SUMMIT] - gap[1] >= 0.10)
            persisted.append(gap[LAST] - gap[1] >= 0.05)
            closed.append(strong[LAST][code]["gap"] <= gap[LAST] - 0.10)
            below_start.append(strong[LAST][code]["gap"] < strong[1][code]["gap"])
    assert share(widened) >= 0.95, share(widened)
    assert share(persisted) >= 0.95, share(persisted)
    assert share(closed) >= 0.95, share(closed)
    assert share(below_start) >= 0.95, share(below_start)


@pytest.mark.parametrize("narrative", NARRATIVE_IDS)
def test_stronger_public_diplomacy_lowers_belief_in_the_disinformation_narratives(narrative):
    """Report: "Such efforts become even more important in light of Russian disinformation
    efforts and as China increases its negative messaging about NATO." and "Relatedly, given
    Chinese and Russian disinformation about NATO, NATO officials should publicly both
    highlight the alliance's long-standing engagement with these partners and their region
    and clarify the nature of the IP4 grouping."

    Pattern: the stronger the public diplomacy, the lower the belief in each narrative at
    the end of the campaign. Status quo: the scenario file as written (the office proposed,
    for the Council to decide). Thresholds over 40 seeds:

    * every lever pulled: the last-turn belief is at least 0.05 below the status quo's for
      at least 95% of (seed, partner) pairs (0.05: a twentieth of the scale, many times the
      sampling noise of a 2,000-citizen mean);
    * dose response: the mean belief falls from the status quo to every lever at 0.6 to
      every lever at 1.
    """
    quoted("Such efforts become even more important in light of Russian disinformation "
           "efforts and as China increases its negative messaging about NATO.")
    quoted("given Chinese and Russian disinformation about NATO, NATO officials should "
           "publicly both highlight the alliance's long-standing engagement with these "
           "partners and their region and clarify the nature of the IP4 grouping")
    belief = f"belief.{narrative}"
    lowered, levels = [], {"status quo": [], "middle": [], "strong": []}
    for seed in SEEDS:
        sq, mid, strong = (means(key(lv), seed)[LAST] for lv in (None, MIDDLE, STRONG))
        for code in IP4:
            lowered.append(strong[code][belief] <= sq[code][belief] - 0.05)
            levels["status quo"].append(sq[code][belief])
            levels["middle"].append(mid[code][belief])
            levels["strong"].append(strong[code][belief])
    assert share(lowered) >= 0.95, share(lowered)
    mean = {k: float(np.mean(v)) for k, v in levels.items()}
    assert mean["status quo"] > mean["middle"] > mean["strong"], mean


def test_understanding_protects_against_disinformation():
    """Report: "Understanding of NATO and the benefits of NATO partnership in Indo-Pacific
    partner countries remains limited, and public diplomacy aimed at these countries has been
    uneven. Growing disinformation efforts by Russia and China about NATO increases the
    significance of this issue."

    A mechanism check, not a pattern the model could miss: the update rule damps a
    campaign's pull by (1 - understanding) (docs/ODD.md 7.14); this checks that the damping
    survives the rest of the dynamics. Within each public, citizens who understand NATO
    better end the campaign believing 'Asia-Pacific NATO' less, relative to their own
    anchors: the correlation between understanding and the rise in belief is below -0.12 in
    all 40 (seed, partner) pairs of seeds 0 to 9. Observed: -0.23 to -0.14 (2026-12-07); the
    threshold sits just above the weakest, so a damping that fades is caught.
    """
    quoted("Growing disinformation efforts by Russia and China about NATO increases the "
           "significance of this issue.")
    row = NARRATIVE_IDS.index(ASIA_PACIFIC_NATO)
    correlations = []
    for seed in range(10):
        model = IP4Model("disinformation_campaign", "caucus", seed,
                         levers=STATUS_QUO_NO_OFFICE).run()
        for public in model.information.publics.values():
            rise = public.belief[row] - public.anchor_belief[row]
            correlations.append(float(np.corrcoef(public.understanding, rise)[0, 1]))
    assert len(correlations) == 40 and max(correlations) < -0.12, sorted(correlations)
