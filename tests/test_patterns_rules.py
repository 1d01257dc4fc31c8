"""Patterns the report describes about the coordination rules, over many seeds.

Pattern-oriented modelling (Grimm et al. 2005): each test quotes the report sentence it
rests on (agents/sources/usip_ip4_executive_summary.txt), says what it measures and why
its threshold. Where the engine does not reproduce a pattern the test is marked
``xfail(strict=True)`` with the numbers seen, so the gap stays visible and the mark must
come off when the engine changes enough to close it. The engine is not tuned here.
"""

from collections import defaultdict

import numpy as np
import pytest
from pydantic import PrivateAttr

from agents.catalog import IP4
from analysis.outcomes import run_outcomes
from scenarios.loader import builtin_names, load_scenario
from sim.batch import Job, derive_seeds, run_jobs
from sim.outputs import Choice, GroupStance, JointPosition
from sim.request import RunRequest
from sim.rules.caucus import Caucus
from sim.rules.hybrid import Hybrid
from sim.runner import play
from tests.helpers import checked

pytestmark = pytest.mark.slow

SEEDS = derive_seeds(2024, 150)
CONTINGENCY = ("indo_pacific_contingency" if "indo_pacific_contingency" in builtin_names()
               else "ukraine_response")
VULNERABLE, OTHERS = ("KOR", "NZL"), ("AUS", "JPN")


class RecordingCaucus(Caucus):
    """The caucus, recording the intentions the four shared on each decision (in the order
    of the run's GroupStance events). It defines no ``name``, so it is not registered as
    a rule of its own."""

    _shared: list = PrivateAttr(default_factory=list)

    def stance(self, decision, intentions):
        self._shared.append(dict(intentions))
        return super().stance(decision, intentions)


def chosen(events) -> dict[tuple[int, str], dict[str, str | float]]:
    out: dict = defaultdict(dict)
    for e in events:
        if isinstance(e, Choice) and e.actor in IP4:
            out[(e.turn, e.decision)][e.actor] = (e.option, e.position)
    return out


def spread(choices: dict) -> float:
    positions = [p for _, p in choices.values()]
    return max(positions) - min(positions)


def by_agreement(scenario: str) -> dict[str, dict[str, list[float]]]:
    """Every partner decision under the caucus, paired with the same seed under bilateral,
    sorted by what the four intended: "agreed" when all four have a stake (at least the
    hybrid rule's ``min_stake``) and intend the same option, "other" otherwise. For each:
    whether the caucus spoke jointly, and the cohesion it gained over bilateral (the
    bilateral spread of chosen positions less the caucus spread, same seed and decision)."""
    loaded = load_scenario(scenario)
    min_stake = Hybrid().min_stake
    out: dict = {"agreed": defaultdict(list), "other": defaultdict(list)}
    for seed in SEEDS:
        rule = RecordingCaucus()
        events = play(checked(loaded, rule, seed=seed)).events
        alone = chosen(play(checked(loaded, "bilateral", seed=seed)).events)
        together = chosen(events)
        joint = {(e.turn, e.decision) for e in events if isinstance(e, JointPosition)}
        stances = [e for e in events if isinstance(e, GroupStance)]
        assert len(stances) == len(rule._shared)
        for stance, intended in zip(stances, rule._shared, strict=True):
            key = (stance.turn, stance.decision)
            agreed = (len({i.option for i in intended.values()}) == 1
                      and min(i.stake for i in intended.values()) >= min_stake)
            cell = out["agreed" if agreed else "other"]
            cell["joint"].append(float(key in joint))
            if key in alone:
                cell["gain"].append(spread(alone[key]) - spread(together[key]))
    return out


@pytest.fixture(scope="module", params=sorted({CONTINGENCY, "ukraine_response"}))
def agreement(request):
    return request.param, by_agreement(request.param)


def test_the_group_speaks_together_most_when_all_four_have_a_stake_and_agree(agreement):
    """"The IP4's role as a talk shop and coordination mechanism may have particular added
    value when demonstrating widespread support and unity on a topic is seen as critical,
    when all four countries have a stake in an issue and hold similar views or can benefit
    from one another's input, and when coordination between the partners before
    engagement with NATO may be beneficial."

    What the format adds that bilateral dealings cannot is a joint position (bilateral
    never has one), and with it the group's voice at NATO. Measured under the caucus over
    150 seeds, on partner decisions where all four have a stake and intend the same option
    versus all the others. Threshold: the joint-position rate on the first is at least 0.6
    and at least 0.4 above the second: the report calls this the case of "particular"
    added value, so a small edge would not do; seen: about 0.7 vs 0.03 (contingency, where the
    one such decision is whether to formalize the IP4: all four intend to stay informal),
    0.99 vs 0.20 (Ukraine: sanctions and aid)."""
    scenario, cells = agreement
    agreed, other = np.mean(cells["agreed"]["joint"]), np.mean(cells["other"]["joint"])
    assert len(cells["agreed"]["joint"]) >= 100, "too few agreed decisions to judge"
    assert agreed >= 0.6 and agreed - other >= 0.4, \
        f"{scenario}: joint rate {agreed:.3f} when all agree, {other:.3f} otherwise"


def test_the_group_adds_most_cohesion_when_all_four_have_a_stake_and_agree(agreement, request):
    """"... may have particular added value ... when all four countries have a stake in an
    issue and hold similar views ..." (the sentence quoted in full above).

    The cohesion the caucus adds over bilateral dealings (bilateral spread of the four's
    chosen positions less the caucus spread, same seed, same decision), on decisions where
    all four have a stake and intend the same option versus the others. Threshold: the
    gain on the first exceeds the second by at least 0.05 on the 0..1 position scale (the
    sampling error of each mean is about 0.01-0.03 over 150 seeds).

    Holds in the Indo-Pacific contingency (seen: about 0.2 vs 0.03). Does not hold in the
    Ukraine scenario (seen: 0.014 vs 0.11): there, when all four agree they already choose
    alike on their own (bilateral spread 0.02), so the group has nothing left to add to
    cohesion; its pull does most where a member has little at stake and is easily drawn
    (the summit attendance decision, where the ROK's stake is near zero: gain 0.30).
    The report's "added value" is then the joint voice (the test above), not convergence.
    """
    scenario, cells = agreement
    if scenario == "ukraine_response":
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            "ceiling effect: decisions all four agree on are already unanimous alone "
            "(cohesion gain 0.014 vs 0.11 on the others)")))
    agreed, other = np.mean(cells["agreed"]["gain"]), np.mean(cells["other"]["gain"])
    assert agreed - other >= 0.05, \
        f"{scenario}: cohesion gain {agreed:.3f} when all agree, {other:.3f} otherwise"


@pytest.fixture(scope="module")
def coercion():
    """Mean coercion attempts and successes per run, per rule and partner ("" for all
    four), over the same seeds of the Indo-Pacific contingency."""
    jobs = [Job(RunRequest(scenario=CONTINGENCY, rule=rule, seed=seed))
            for rule in ("bilateral", "caucus", "formal") for seed in SEEDS]
    done = run_jobs(jobs, run_outcomes, progress=False)
    assert all(r.ok for r in done), [r.error for r in done if not r.ok][:3]
    means: dict = defaultdict(float)
    for r in done:
        for _, _, outcome, actor, value in r.rows:
            if outcome in ("coercion_attempts", "coercion_successes"):
                means[(r.job.request.rule, outcome, actor)] += value / len(SEEDS)
    return means


def test_without_coordination_coercion_lands_mostly_on_wellington_and_seoul(coercion):
    """"Wellington and Seoul both feel vulnerable to disruptions of trade relations with
    China and have been careful about managing relations with Beijing, although each is
    growing more willing to push back against China."

    Under bilateral dealings (no group, so no cover), over 150 seeds of the Indo-Pacific
    contingency: New Zealand and the ROK take at least three quarters of China's
    successful coercion, and each of them more than either Australia or Japan. "Mostly"
    would be a half; the report singles the two out, so the test asks for a clear
    majority, three to one. Seen: about NZL 3, KOR 1, AUS 0.03, JPN 0 successes per run
    (share near 1). It works through China's targeting (agents/states.py): the chance that
    pressure lands grows with exposure x felt vulnerability and falls with backing and
    China threat perception, and both NZL and KOR feel vulnerable and see China as less
    of a threat than Canberra and Tokyo do."""
    hits = {p: coercion[("bilateral", "coercion_successes", p)] for p in IP4}
    vulnerable = sum(hits[p] for p in VULNERABLE)
    share = vulnerable / sum(hits.values()) if sum(hits.values()) else float("nan")
    assert share >= 0.75, f"NZL+KOR take {share:.0%} of successes: {hits}"
    assert min(hits[p] for p in VULNERABLE) > max(hits[p] for p in OTHERS), hits


def test_group_cover_makes_it_harder_for_china_to_pressure_individual_partners(coercion):
    """"Increased ties within the group may also make it more difficult for China to
    pressure individual countries against closer relations with NATO."

    Chinese coercion successes per run, all four partners, over the same 150 seeds of the
    Indo-Pacific contingency: the informal caucus (cover 0.35) and a formal IP4 (cover
    1.0) against bilateral dealings. Threshold: the caucus at most half of bilateral
    ("more difficult" should be a difference a briefing would mention, not a rounding
    error), and the formal IP4, with the most cover, no higher than the caucus. Seen:
    bilateral about 4, caucus about 0.5, formal 0 (a formal IP4's full cover leaves China
    nothing to gain, so it never tries)."""
    bilateral, caucus, formal = (coercion[(rule, "coercion_successes", "")]
                                 for rule in ("bilateral", "caucus", "formal"))
    assert caucus <= 0.5 * bilateral, f"caucus {caucus:.2f} vs bilateral {bilateral:.2f}"
    assert formal <= caucus, f"formal {formal:.2f} vs caucus {caucus:.2f}"
