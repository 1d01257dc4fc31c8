"""ip4sim as an EMA Workbench model: the sweep's factors, rules, outcomes and seeds in
EMA's terms, EMA's own sampling played through the one input layer, and the sweep's own
runs through EMA equal to ``ip4sim sweep``'s. EMA Workbench is in the test extra."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.errors import InputError
from sim.app import ema_model, run_sweep
from sim.batch import derive_seeds
from sim.ema import sweep_experiments, workbench
from sim.sweep import plan_sweep
from tests.sweeps import dataset, sweep_file

ema = workbench()  # EMA Workbench, without its warning about ipyparallel

# 3 points x 2 rules x 2 seeds = 12 runs of small publics: a second or two.
TINY = """\
scenarios: [ukraine_response]
rules: [caucus, {coalition: {k: [3]}}]
factors:
  - {name: NZL.coercion_vulnerability, range: [0.3, 0.9]}
  - {name: temperature, range: [0.04, 0.2]}
  - {name: messaging, levels: [0, 1]}
  - {name: population, levels: [200]}
  - {name: JPN.china_threat, levels: [0.7]}
design: {kind: lhs, points: 3}
replicates: 2
root_seed: 4
outcomes: [joint_rate, cohesion]
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return sweep_file(tmp_path_factory.mktemp("ema"), TINY)


def test_the_sweep_is_an_ema_model(tiny):
    model = ema_model(tiny)
    assert isinstance(model, ema.ReplicatorModel)
    unc = {p.name: p for p in model.uncertainties}
    assert set(unc) == {"NZL_coercion_vulnerability", "temperature"}
    nzl = unc["NZL_coercion_vulnerability"]
    assert (nzl.lower_bound, nzl.upper_bound) == (0.3, 0.9)
    assert nzl.variable_name == ["NZL.coercion_vulnerability"]
    levers = {p.name: p for p in model.levers}
    assert set(levers) == {"messaging", "rule"}
    assert [c.value for c in levers["rule"].categories] == plan_sweep(tiny).rules
    assert {c.name: c.value for c in model.constants} == {
        "population": 200, "JPN_china_threat": 0.7, "scenario": "ukraine_response"}
    assert [o.name for o in model.outcomes] == ["joint_rate", "cohesion"]
    assert [r["seed"] for r in model.replications] == derive_seeds(4, 2)


def test_ema_sampling_runs_through_the_input_layer(tiny):
    model = ema_model(tiny)
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=2)
    assert len(experiments) == 4
    assert experiments["temperature"].between(0.04, 0.2).all()
    assert set(experiments["rule"]) <= set(plan_sweep(tiny).rules)
    for name in ("joint_rate", "cohesion"):
        assert outcomes[name].shape == (4, 2)  # one value per replicate (seed)
        assert np.isfinite(outcomes[name]).all()
        assert ((outcomes[name] >= 0) & (outcomes[name] <= 1)).all()


def test_the_sweep_s_own_runs_through_ema_equal_ip4sim_sweep(tiny, tmp_path):
    plan = plan_sweep(tiny)
    model = ema_model(tiny)
    scenarios, policies = sweep_experiments(plan)
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios, policies,
                                                              combine="cycle")
    run_sweep(tiny, tmp_path / "store", workers=1, progress=False)
    data = dataset(tmp_path / "store")
    ours = data[data["actor"] == ""].set_index(["point", "rule", "seed", "outcome"])["value"]
    seeds = plan.seeds
    compared = 0
    for row, (point, policy) in enumerate(zip(scenarios, policies, strict=True)):
        rule = policy["rule"]
        assert experiments["rule"][row] == rule
        for name in ("joint_rate", "cohesion"):
            for r, seed in enumerate(seeds):
                assert outcomes[name][row, r] == ours[(int(point.name), rule, seed, name)]
                compared += 1
    assert compared == len(plan.jobs) * 2


def test_a_bad_sweep_is_refused_before_ema_runs_anything(tmp_path):
    bad = sweep_file(tmp_path, TINY.replace("temperature, range", "temprature, range"))
    with pytest.raises(InputError) as refused:
        ema_model(bad)
    assert "did you mean 'temperature'" in str(refused.value)
    (problem,) = refused.value.problems
    assert problem.field == "factors.1.name" and problem.line == 5


def test_an_outcome_given_only_per_partner_is_refused_for_ema(tmp_path):
    """EMA takes one number per experiment and outcome: support or in_group, which the runs
    give per partner only, would come back as NaN; they are refused, naming the line."""
    bad = sweep_file(tmp_path, TINY.replace("outcomes: [joint_rate, cohesion]",
                                            "outcomes: [joint_rate, support]"))
    with pytest.raises(InputError) as refused:
        ema_model(bad)
    (problem,) = refused.value.problems
    assert problem.field == "outcomes.1" and "'support' has a value per partner" in \
        problem.message
