"""ip4sim as an EMA Workbench model, for analysts who do scenario discovery with it.

    pip install 'ip4sim[ema]'

A sweep file (``scenarios.sweep``) says what varies; :func:`ema_model` turns it into an
``ema_workbench.ReplicatorModel``:

* **uncertainties**: the sweep's factors that are not levers, each with the range the
  file gives (``RealParameter``; ``IntegerParameter`` for the population) or its levels
  (``CategoricalParameter``); several scenarios are a categorical ``scenario``;
* **levers**: the coordination rule (a categorical over the file's rules, each spec as
  ``ip4sim rules`` gives it) and the report's levers among the factors (``messaging``, ...);
* **outcomes**: the file's ``outcomes``, each an ``ArrayOutcome`` with one value per
  replicate (``results["joint_rate"].mean(axis=1)`` is the point mean);
* **replications**: the sweep's seeds, ``derive_seeds(root_seed, replicates)``, the same
  for every experiment (common random numbers, as in ``ip4sim sweep``).

The file is checked as ``ip4sim sweep`` checks it (``sim.sweep.plan_sweep``: every
factor's extremes through ``RunRequest.check``), and every experiment is a
``RunRequest`` played through ``sim.batch.run_job``, i.e. checked again by
``RunRequest.check`` in the process that plays it: a value EMA samples outside what a run
accepts fails with the run's own message. EMA names must be Python identifiers, so a
profile factor ``NZL.coercion_vulnerability`` is the parameter ``NZL_coercion_vulnerability``
(its ``variable_name`` keeps the factor's name). EMA samples its own designs; to play
the sweep's own runs instead, :func:`sweep_experiments` gives its points and rules as
EMA scenarios and policies.

EMA is an optional extra: this module imports it only when a model is built. The
outcome names and the reduce are given by the caller (``sim.app.ema_model`` gives
``analysis.outcomes``'), since ``sim`` does not import ``analysis``.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scenarios.errors import InputError
from scenarios.sweep import Factor, SweepFile
from sim.batch import Job, Reduce, run_job
from sim.request import RunRequest
from sim.sweep import Plan, apply, factor_kind, plan_sweep

RULE = "rule"
SCENARIO = "scenario"
SEED = "seed"


def ema_name(factor: str) -> str:
    """An EMA parameter's name for a factor: EMA wants a Python identifier."""
    return re.sub(r"\W", "_", factor)


class Experiment:
    """The model's function: one EMA experiment (an uncertainty and lever value per
    parameter, the replicate's seed) played as a run and reduced to its outcomes.
    A class, not a closure, so that EMA's worker processes can unpickle it."""

    def __init__(self, scenarios: dict[str, tuple[str, str]], factors: dict[str, str],
                 reduce: Reduce, outcomes: list[str]) -> None:
        self.scenarios = scenarios  # scenario id -> (path, sha256)
        self.factors = factors  # factor name -> its key in an experiment
        self.reduce, self.outcomes = reduce, outcomes

    def request(self, experiment: dict[str, Any]) -> Job:
        path, sha256 = self.scenarios[experiment[SCENARIO]]
        values = {name: experiment[key] for name, key in self.factors.items()}
        request = apply(RunRequest(scenario=path), values).model_copy(update={
            "rule": experiment[RULE], "seed": int(experiment[SEED])})
        return Job(request, sha256)

    def __call__(self, **experiment: Any) -> dict[str, float]:
        rows = run_job(self.request(experiment), self.reduce)
        got = {outcome: value for _, _, outcome, actor, value in rows if not actor}
        return {name: got.get(name, math.nan) for name in self.outcomes}


def workbench():
    """``ema_workbench``, imported without its warning that ipyparallel (one of its
    evaluators, not used here) is missing; InputError if the extra is not installed."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "ipyparallel not installed")
            import ema_workbench
    except ImportError:
        raise InputError.one("ema", "ema_workbench", "needs EMA Workbench: pip install "
                             "'ip4sim[ema]'") from None
    return ema_workbench


def factor_parameter(factor: Factor):
    """An EMA parameter for a sweep factor (a Constant for a single level). A parameter
    reaches the model's function under its ``variable_name``, the factor's name; a
    Constant under its own name, the factor's as an identifier."""
    ema = workbench()
    name = ema_name(factor.name)
    if factor.levels is not None:
        if len(factor.levels) == 1:
            return ema.Constant(name, factor.levels[0])
        return ema.CategoricalParameter(name, factor.levels, variable_name=factor.name)
    low, high = factor.range
    if factor.name == "population":
        return ema.IntegerParameter(name, round(low), round(high), variable_name=factor.name)
    return ema.RealParameter(name, low, high, variable_name=factor.name)


def choice(name: str, values: list[str]):
    """A categorical over ``values``, or a Constant when there is only one."""
    ema = workbench()
    if len(values) == 1:
        return ema.Constant(name, values[0])
    return ema.CategoricalParameter(name, values)


def ema_model(sweep: str | Path | SweepFile | Plan, reduce: Reduce,
              outcome_problem: Callable[[str], str | None] | None = None,
              name: str = "ip4sim"):
    """The sweep as an ``ema_workbench.ReplicatorModel`` (see the module's docstring).
    Bad input raises InputError, as ``ip4sim sweep`` does, before any run."""
    ema = workbench()
    plan = sweep if isinstance(sweep, Plan) else plan_sweep(sweep, outcome_problem)
    factors = plan.sweep.factors
    params = [(f, factor_parameter(f)) for f in factors]
    keys = {f.name: p.name if isinstance(p, ema.Constant) else f.name for f, p in params}
    model = ema.ReplicatorModel(name, function=Experiment(
        {s.scenario.id: (s.location, s.sha256) for s in plan.scenarios}, keys, reduce,
        list(plan.sweep.outcomes)))
    model.uncertainties = [p for f, p in params if factor_kind(f.name) != "lever"
                           and not isinstance(p, ema.Constant)]
    scenario_choice = choice(SCENARIO, [s.scenario.id for s in plan.scenarios])
    if not isinstance(scenario_choice, ema.Constant):
        model.uncertainties = [*model.uncertainties, scenario_choice]
    model.levers = [p for f, p in params if factor_kind(f.name) == "lever"
                    and not isinstance(p, ema.Constant)]
    rule_choice = choice(RULE, plan.rules)
    if not isinstance(rule_choice, ema.Constant):
        model.levers = [*model.levers, rule_choice]
    model.constants = [p for _, p in params if isinstance(p, ema.Constant)] + [
        c for c in (scenario_choice, rule_choice) if isinstance(c, ema.Constant)]
    model.outcomes = [ema.ArrayOutcome(o) if o.isidentifier() else
                      ema.ArrayOutcome(ema_name(o), variable_name=o)
                      for o in plan.sweep.outcomes]
    model.replications = [{SEED: seed} for seed in plan.seeds]
    return model


def sweep_experiments(plan: Plan) -> tuple[list, list]:
    """The sweep's own runs as EMA scenarios and policies, to be paired one to one
    (``perform_experiments(model, scenarios, policies, combine="cycle")``): for each
    scenario, design point and rule, in ``ip4sim sweep``'s order, a scenario with the
    point's uncertainties and a policy with its levers and the rule. A policy's name is
    unique (``POINT:RULE``): EMA re-initialises the model only when the name changes."""
    Sample = workbench().Sample
    factors = [f.name for f in plan.sweep.factors
               if not (f.levels is not None and len(f.levels) == 1)]  # Constants
    uncertain = [n for n in factors if factor_kind(n) != "lever"]
    levers = [n for n in factors if factor_kind(n) == "lever"]
    several = len(plan.scenarios) > 1
    scenarios, policies = [], []
    for s in plan.scenarios:
        for point, values in enumerate(plan.values):
            for rule in plan.rules:
                where = f"{s.scenario.id}:{point}" if several else str(point)
                scenarios.append(Sample(name=where, **{ema_name(n): values[n]
                                                       for n in uncertain},
                                        **({SCENARIO: s.scenario.id} if several else {})))
                policies.append(Sample(name=f"{where}:{rule}",
                                       **{ema_name(n): values[n] for n in levers},
                                       **({RULE: rule} if len(plan.rules) > 1 else {})))
    return scenarios, policies
