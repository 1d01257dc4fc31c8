import pytest

from scenarios.loader import load_scenario
from sim.rules import parse_rule
from sim.runner import RunSpec, play


@pytest.fixture(scope="session")
def ukraine():
    return load_scenario("ukraine_response")


def run_events(loaded, rule="caucus", seed=1, **kwargs):
    return play(RunSpec(loaded=loaded, rule=parse_rule(rule), seed=seed, **kwargs)).events
