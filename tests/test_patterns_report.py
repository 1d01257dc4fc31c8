"""More of the report's patterns (P11 to P13, docs/ODD.md section 1): formalization,
Japan-ROK contact, and the ROK's dependence on its government. Each test quotes its sentence
and states its threshold."""

import numpy as np
import pytest

from agents.catalog import load_catalog
from scenarios.parameters import Parameters
from sim.outputs import Choice, DecisionOpened, JointPosition
from sim.runner import play
from tests.helpers import checked, run_events

SEEDS = range(100)


@pytest.fixture(scope="module")
def contingency():
    from scenarios.loader import load_scenario

    return load_scenario("indo_pacific_contingency")


def final(rows, metric):
    return next(v for t, m, a, v in reversed(rows) if m == metric)


@pytest.mark.parametrize("rule", ["caucus", "bilateral"])
def test_nobody_formalizes_the_ip4_and_the_allies_split(contingency, rule):
    """"neither NATO nor the partner countries appear interested, at this time, in
    formalizing the IP4", and "some allies are more ambitious about the IP4 format and some
    less so".

    Threshold: across 100 runs, no more than 5% of the partners' and 5% of the allies'
    votes go to a formal framework (the report: no interest on either side), and the
    allies sorted as more ambitious back the standing mechanism at least 0.2 more often
    than those sorted as less so (a split, not noise)."""
    catalog = load_catalog()
    votes = [e for s in SEEDS for e in run_events(contingency, rule=rule, seed=s)
             if isinstance(e, Choice) and e.decision == "formalize_ip4"]
    partners = [e for e in votes if catalog.profiles[e.actor].kind == "partner"]
    allies = [e for e in votes if catalog.profiles[e.actor].kind == "ally"]
    assert np.mean([e.option == "formal_framework" for e in partners]) <= 0.05
    assert np.mean([e.option == "formal_framework" for e in allies]) <= 0.05

    def standing(archetype):
        return np.mean([e.option == "standing_mechanism" for e in allies
                        if catalog.profiles[e.actor].archetype == archetype])

    assert standing("ambitious") - standing("cautious") >= 0.2


def test_japan_and_the_rok_meet_through_the_group_even_when_friction_is_high(ukraine):
    """"The IP4 has also served as a platform for Japan-ROK engagement that would have been
    controversial bilaterally due to tensions between Tokyo and Seoul at the time."

    Threshold: raising the friction from 0.6 to 0.9 at least halves direct Tokyo-Seoul
    contacts when the four deal with NATO bilaterally, but leaves the contacts through
    the caucus untouched (they do not depend on friction), and at high friction the two
    meet far more through the caucus than they would directly: at least twice as often."""
    def contacts(rule, friction):
        params = Parameters(japan_rok_friction=friction)
        runs = [play(checked(ukraine, rule, seed=s, params=params))
                for s in range(40)]
        return (np.mean([final(r.timeseries, "japan_rok_contacts") for r in runs]),
                np.mean([final(r.timeseries, "japan_rok_direct") for r in runs]))

    _, direct_low = contacts("bilateral", 0.6)
    through_bilateral, direct_high = contacts("bilateral", 0.9)
    caucus_low, _ = contacts("caucus", 0.6)
    caucus_high, _ = contacts("caucus", 0.9)
    assert through_bilateral == 0
    assert direct_high <= 0.5 * direct_low
    assert caucus_high == caucus_low > 0
    assert caucus_high >= 2 * direct_high


def test_without_the_yoon_government_the_rok_engages_nato_less(ukraine):
    """"ROK-NATO relations are currently in a dynamic state as a result of external and
    internal changes, including the war in Ukraine and the Yoon Suk-yeol administration's
    interest in cultivating supportive partners in Europe."

    Threshold: over 100 runs, the ROK's mean chosen position on the questions of
    engagement with NATO (channelling aid through NATO, summit attendance) and of raising
    China there is lower under the progressive setting by at least 0.05, with the 95%
    interval of the paired difference above zero."""
    engagement = ("aid_channel", "summit_attendance", "china_support")

    def rok(governments):
        return [np.mean([e.position for e in run_events(ukraine, seed=s, governments=governments)
                         if isinstance(e, Choice) and e.actor == "KOR"
                         and e.decision in engagement]) for s in SEEDS]

    diff = np.array(rok({})) - np.array(rok({"KOR": "progressive"}))
    low = diff.mean() - 1.96 * diff.std(ddof=1) / np.sqrt(len(diff))
    assert diff.mean() >= 0.05 and low > 0, (diff.mean(), low)


def test_the_four_and_nato_coordinate_positions_on_north_korea():
    """"The IP4 and NATO have also coordinated positions on issues such as North Korea."

    Threshold: in dprk_provocation under caucus, over 40 seeds, the four speak together on
    at least 90% of the questions of a joint statement on a test (observed 0.98), and that
    joint text is the one with the NATO allies on at least 90% of them (observed 0.98)."""
    from scenarios.loader import load_scenario

    dprk = load_scenario("dprk_provocation")
    put = joint = with_allies = 0
    for seed in range(40):
        events = run_events(dprk, rule="caucus", seed=seed)
        put += sum(isinstance(e, DecisionOpened) and e.decision == "ip4_condemnation"
                   for e in events)
        spoken = [e for e in events if isinstance(e, JointPosition)
                  and e.decision == "ip4_condemnation"]
        joint += len(spoken)
        with_allies += sum(e.option == "joint_with_allies" for e in spoken)
    assert joint / put >= 0.9, (joint, put)
    assert with_allies / put >= 0.9, (with_allies, put)
