"""Scenario files (YAML, shaped like a Master Scenario Events List) and their loader.

The names below are imported when first asked for (PEP 562), so that importing a light
module of this package (``scenarios.errors``, ``scenarios.guarded``) does not import the
loader and pydantic with it: ``ip4sim --help`` answers at once.
"""

import importlib

_HOME = {
    "InputError": "scenarios.errors", "Problem": "scenarios.errors",
    "LoadedScenario": "scenarios.loader", "builtin_names": "scenarios.loader",
    "load_scenario": "scenarios.loader", "parse_scenario": "scenarios.loader",
    "DecisionPoint": "scenarios.schema", "Inject": "scenarios.schema",
    "Option": "scenarios.schema", "Scenario": "scenarios.schema",
}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'scenarios' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)
