"""Per-run outcomes read from a run's outputs (events and time series) only."""

import math
from collections import Counter
from dataclasses import replace
from types import SimpleNamespace

import pytest

from agents.catalog import IP4
from analysis.outcomes import run_outcomes
from scenarios.information import NARRATIVE_IDS, CampaignSpec, Levers
from scenarios.loader import load_scenario
from sim.outputs import Choice, GroupStance
from sim.runner import play
from tests.helpers import checked


def test_public_outcomes_are_reported_per_partner_and_in_range():
    run = play(checked(load_scenario("disinformation_campaign"), "caucus", seed=3))
    rows = {(o, a): v for o, a, v in run_outcomes(run.events, run.timeseries)}
    for code in IP4:
        assert 0 <= rows[("support", code)] <= 1
        assert 0 < rows[("gap", code)] <= 1  # awareness outruns understanding
        for narrative in NARRATIVE_IDS:
            assert 0 <= rows[(f"belief.{narrative}", code)] <= 1


def test_swayed_choices_count_the_choices_marked_as_tipped():
    """A saturating campaign with no public diplomacy lowers support enough to tip a few
    choices; the outcome (read from the time series) counts exactly the partner's choices
    the events mark."""
    loaded = load_scenario("disinformation_campaign")
    saturated = replace(loaded, scenario=loaded.scenario.model_copy(update={"campaigns": [
        CampaignSpec(narrative=n, reach=1.0, intensity=1.0) for n in NARRATIVE_IDS]}))
    tipped = 0
    for seed in range(8):
        run = play(checked(saturated, "caucus", seed=seed,
                           levers=Levers.off().model_dump()))
        rows = {(o, a): v for o, a, v in run_outcomes(run.events, run.timeseries)}
        marked = Counter(e.actor for e in run.events
                         if isinstance(e, Choice) and e.swayed_from)
        for code in IP4:
            assert rows[("swayed_choices", code)] == marked[code], (seed, code)
        tipped += sum(marked[c] for c in IP4)
    assert tipped > 0  # the check above compared some nonzero counts


def test_formal_binds_at_a_cost_and_bilateral_never_speaks_together(ukraine):
    def outcomes(rule):
        run = play(checked(ukraine, rule, seed=5))
        return {(o, a): v for o, a, v in run_outcomes(run.events, run.timeseries)}

    formal, bilateral = outcomes("formal"), outcomes("bilateral")
    assert formal[("joint_rate", "")] == 1.0 and formal[("cohesion", "")] == 1.0
    assert formal[("binding_cost", "")] > 0
    assert sum(formal[("binding_cost", c)] for c in IP4) == pytest.approx(
        formal[("binding_cost", "")])
    assert bilateral[("binding_cost", "")] == 0.0  # nothing binds, so nothing is given up
    assert formal[("hook_max", "")] > bilateral[("hook_max", "")]
    assert bilateral[("joint_rate", "")] == 0.0 and bilateral[("japan_rok_contacts", "")] == 0
    assert bilateral[("shock_to_joint", "")] == 10 and not math.isnan(formal[("attention", "")])
    assert formal[("attention", "")] > bilateral[("attention", "")]


def test_the_response_is_weighted_by_the_run_s_own_capability(ukraine):
    """One partner decision: Australia chooses position 1, the other three 0. With equal
    capability the response is a quarter; with Australia three times as capable, half. The
    weights come from the run's time series, so an override reaches the outcome."""
    events = [GroupStance(turn=1, decision="d", rule="bilateral", members=[], option=None,
                          binding=False, note="no group"),
              *(Choice(turn=1, decision="d", actor=c, option="o", position=float(c == "AUS"),
                       probability=1.0, by="engine", terms={}) for c in IP4)]

    def size(capability):
        rows = [(1, "capability", c, capability.get(c, 1.0)) for c in IP4]
        run = SimpleNamespace(events=events, timeseries=rows)
        rows = {(o, a): v for o, a, v in run_outcomes(run.events, run.timeseries)}
        return rows[("response_size", "")]

    assert size({}) == pytest.approx(0.25)
    assert size({"AUS": 3.0}) == pytest.approx(0.5)

    run = play(checked(ukraine, "bilateral", seed=2,
                       overrides={"NZL": {"capability": 1.0}}))
    recorded = {a: v for _, m, a, v in run.timeseries if m == "capability"}
    assert recorded["NZL"] == 1.0
