"""Patterns the report describes, reproduced under the default profiles over 200 seeds.

Pattern-oriented modelling (Grimm et al. 2005): the model earns trust by
reproducing several patterns at once. Each test quotes the sentence it rests on
and states its threshold.
"""

from collections import defaultdict

import numpy as np
import pytest

from agents.catalog import IP4
from sim.outputs import Choice
from tests.helpers import run_events

SEEDS = range(200)
RUSSIA = ("sanctions", "financial_aid", "nonlethal_aid", "sanctions_tightening")
CHINA = ("china_support",)


def partner_choices(events):
    """(turn, decision) -> {partner: chosen position}, and the first option each chose."""
    by_decision, first = defaultdict(dict), {}
    for e in events:
        if isinstance(e, Choice) and e.actor in IP4:
            by_decision[(e.turn, e.decision)][e.actor] = e.position
            first.setdefault((e.decision, e.actor), e.option)
    return by_decision, first


@pytest.fixture(scope="module", params=["caucus", "bilateral"])
def runs(request, ukraine):
    return [partner_choices(run_events(ukraine, rule=request.param, seed=s)) for s in SEEDS]


def test_all_four_sanction_and_aid_some_of_it_through_nato(runs):
    """"Their governments make up four of only six outside the Euro-Atlantic area to place
    sanctions on Russia over Ukraine. All have provided financial assistance and nonlethal
    military aid, and all have channeled some of that assistance through NATO."

    Threshold: in at least 90% of runs all four do all of it, the first time each
    question is put. The report states it of all four without exception; 90% leaves
    room for the logit's noise without letting a model where one partner routinely
    abstains pass."""
    wanted = {"sanctions": {"targeted", "broad"}, "financial_aid": {"modest", "large"},
              "nonlethal_aid": {"limited", "substantial"},
              "aid_channel": {"partly_nato", "mostly_nato"}}
    share = np.mean([all(first[(d, p)] in ok for d, ok in wanted.items() for p in IP4)
                     for _, first in runs])
    assert share >= 0.9, f"only {share:.0%} of runs"


def spread(by_decision, decisions):
    gaps = [max(pos.values()) - min(pos.values()) for (_, d), pos in by_decision.items()
            if d in decisions and len(pos) == len(IP4)]
    return float(np.mean(gaps))


def test_positions_on_russia_are_closer_than_on_china(runs):
    """"they share the most consistency in views on Russia's war against Ukraine", while
    "the four countries' perspectives on China are similar in some respects but differ in
    others".

    Threshold: the mean spread (highest minus lowest chosen position of the four) on the
    Russia questions is below the spread on the China question in at least 80% of runs,
    and below half of it on average: a clear ordering, not a coin toss."""
    russia = np.array([spread(b, RUSSIA) for b, _ in runs])
    china = np.array([spread(b, CHINA) for b, _ in runs])
    assert np.mean(russia < china) >= 0.8
    assert russia.mean() < 0.5 * china.mean()


def test_canberra_and_tokyo_engage_nato_on_china_more_than_wellington_and_seoul(runs):
    """"Canberra and Tokyo both proactively engage on China at NATO and tend to see the
    alliance's increased interest in China as highly positive. Wellington and Seoul both
    feel vulnerable to disruptions of trade relations with China".

    Threshold: on the question of raising China's support for Russia at NATO, each of
    Australia and Japan chooses a higher mean position than each of New Zealand and the
    ROK, by at least 0.05, with the 95% interval of the difference above zero."""
    positions = defaultdict(list)
    for by_decision, _ in runs:
        for (_, d), pos in by_decision.items():
            if d in CHINA:
                for p, x in pos.items():
                    positions[p].append(x)
    for forward in ("AUS", "JPN"):
        for cautious in ("NZL", "KOR"):
            diff = np.array(positions[forward]) - np.array(positions[cautious])
            low = diff.mean() - 1.96 * diff.std(ddof=1) / np.sqrt(len(diff))
            assert diff.mean() >= 0.05 and low > 0, (forward, cautious, diff.mean(), low)
