"""Helpers the tests share (fixtures stay in conftest.py)."""

from dataclasses import replace

from scenarios.parameters import Parameters
from sim.request import CheckedRun, RunRequest
from sim.rules import Rule
from sim.runner import play


def checked(loaded, rule: str | Rule = "caucus", seed: int = 1,
            params: Parameters | None = None, **fields) -> CheckedRun:
    """A checked run of an already loaded scenario; ``rule`` may be a Rule instance (a
    test's own, e.g. one that records what it saw); ``params``: Parameters to run with."""
    spec = rule if isinstance(rule, str) else rule.spec()
    parameters = params.model_dump(exclude_unset=True) if params is not None else {}
    run = RunRequest(scenario=loaded.path, rule=spec, seed=seed, parameters=parameters,
                     **fields).check(loaded)
    return run if isinstance(rule, str) else replace(run, rule=rule)


def run_events(loaded, rule="caucus", seed=1, **kwargs):
    return play(checked(loaded, rule, seed, **kwargs)).events
