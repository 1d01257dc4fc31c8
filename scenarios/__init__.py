"""Scenario files (YAML, shaped like a Master Scenario Events List) and their loader."""

from scenarios.errors import InputError, Problem
from scenarios.loader import LoadedScenario, builtin_names, load_scenario, parse_scenario
from scenarios.schema import DecisionPoint, Inject, Option, Scenario

__all__ = [
    "DecisionPoint", "Inject", "InputError", "LoadedScenario", "Option", "Problem", "Scenario",
    "builtin_names", "load_scenario", "parse_scenario",
]
