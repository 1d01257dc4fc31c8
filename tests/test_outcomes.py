"""Per-run outcomes read from a run's outputs (events and time series) only."""

import math

from agents.catalog import IP4
from analysis.outcomes import run_outcomes
from scenarios.information import NARRATIVE_IDS
from scenarios.loader import load_scenario
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
        assert rows[("swayed_choices", code)] >= 0


def test_formal_binds_at_a_cost_and_bilateral_never_speaks_together(ukraine):
    def outcomes(rule):
        run = play(checked(ukraine, rule, seed=5))
        return {(o, a): v for o, a, v in run_outcomes(run.events, run.timeseries)}

    formal, bilateral = outcomes("formal"), outcomes("bilateral")
    assert formal[("joint_rate", "")] == 1.0 and formal[("cohesion", "")] == 1.0
    assert formal[("binding_cost", "")] > 0
    assert all(formal[("binding_cost", c)] >= 0 for c in IP4)
    assert formal[("hook_max", "")] > bilateral[("hook_max", "")]
    assert bilateral[("joint_rate", "")] == 0.0 and bilateral[("japan_rok_contacts", "")] == 0
    assert bilateral[("shock_to_joint", "")] == 10 and not math.isnan(formal[("attention", "")])
    assert formal[("attention", "")] > bilateral[("attention", "")]


def test_the_response_is_weighted_by_the_run_s_own_capability(ukraine):
    run = play(checked(ukraine, "bilateral", seed=2,
                       overrides={"NZL": {"capability": 1.0}}))
    weight = {c: next(v for _, m, a, v in run.timeseries if m == "capability" and a == c)
              for c in IP4}
    assert weight["NZL"] == 1.0
    by_decision = {}
    for e in run.events:
        if e.kind == "choice" and e.actor in IP4:
            by_decision.setdefault((e.turn, e.decision), {})[e.actor] = e.position
    sizes = [sum(weight[c] * p for c, p in chosen.items()) / sum(weight.values())
             for chosen in by_decision.values() if len(chosen) == len(IP4)]
    outcomes = {(o, a): v for o, a, v in run_outcomes(run.events, run.timeseries)}
    outcome = outcomes[("response_size", "")]
    assert abs(outcome - sum(sizes) / len(sizes)) < 1e-9
