"""Assumptions as data (issue 7): every number of the model that is an assumption is a
bounded, documented parameter; none hides in the code; and setting one changes a run."""

import ast
import json
import re
from pathlib import Path

import pytest
from annotated_types import Ge, Gt, Le, Lt

from scenarios.information import LEVERS, Levers, anchors
from scenarios.parameters import DEFAULTS, Parameters
from sim.cli import main, numbers
from sim.information import (
    CHANNEL_NAMES,
    WorldReading,
    campaign,
    channels,
    outreach,
    protection,
    standing_campaigns,
)
from sim.outputs import to_jsonl
from sim.request import RunRequest
from sim.runner import play

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"[A-Z][a-z]+[^.]*\b(19|20)\d\d\b")  # "Roozenbeek ... (2022"


@pytest.mark.parametrize("name", list(Parameters.model_fields))
def test_every_parameter_says_why_it_is_what_it_is(name):
    text = Parameters.model_fields[name].description or ""
    assert ("assumption" in text or CITATION.search(text) or "agents/data" in text
            or "relations.yaml" in text or "setting:" in text), (
        f"{name}: the description must say 'assumption' (and why), cite a source, or say "
        f"where the sourced value lives")


@pytest.mark.parametrize("name", list(Parameters.model_fields))
def test_every_parameter_is_bounded_and_its_default_within_the_bounds(name):
    field = Parameters.model_fields[name]
    lower = [m for m in field.metadata if isinstance(m, Ge | Gt)]
    upper = [m for m in field.metadata if isinstance(m, Le | Lt)]
    assert lower and upper, f"{name}: give both bounds (ge= or gt=, le= or lt=)"
    Parameters(**{name: field.default})  # pydantic does not check defaults by itself


# -- no numeric literal assumption in the code ----------------------------------------------

# Every file of the model's behaviour: the actors, the publics, the turn's phases, the rules.
SCANNED = ("agents/states.py", "agents/publics.py", "agents/catalog.py", "sim/information.py",
           "scenarios/information.py", "sim/decisions.py", "sim/model.py",
           *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sim" / "phases").glob("*.py")),
           *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sim" / "rules").glob("*.py")))
# (file, enclosing function or class, value): numbers that are not assumptions about the world.
NOT_ASSUMPTIONS = {
    ("agents/states.py", "coerce", 0.5): "rounding the budget to the nearest whole target",
    ("agents/publics.py", "beta_draws", 0.001): "numerical guard: Beta needs both shapes > 0",
    ("agents/publics.py", "<module>", 50_000): "STACK_BELOW: speed only, same numbers",
    ("agents/publics.py", "<module>", 4096): "QUANTILES: the resolution of the Beta "
                                             "sampler's table, a numerical method",
    ("agents/publics.py", "<module>", 512): "TABLES: how many Beta tables a process keeps: "
                                            "memory only, same numbers",
    ("agents/publics.py", "beta_quantiles", 0.5): "the middle of each of the table's "
                                                  "k-ths of probability",
    ("sim/information.py", "<module>", 0.005): "NOTE_THRESHOLD: wording of a note only",
    ("sim/phases/choices.py", "<module>", 256): "SHARED: how many arrays a process keeps "
                                                "for its runs: memory only, same numbers",
    ("scenarios/information.py", "Levers", 0.3): "a lever's status quo: a scenario input",
    ("scenarios/information.py", "Levers", 0.5): "a lever's status quo: a scenario input",
    ("scenarios/information.py", "Levers", 0.2): "a lever's status quo: a scenario input",
    ("scenarios/information.py", "<module>", 2): "prose: goals at 1 double the intensity",
    ("sim/decisions.py", "named_rows", 5e-05): "an explanation leaves out terms that round "
                                               "to 0",
    ("sim/decisions.py", "rounded", 10.0): "exact rounding: the decimal base",
    ("sim/decisions.py", "rounded", 0.5): "exact rounding: a tie is half an integer",
    ("sim/decisions.py", "rounded", 1e-06): "exact rounding: the margin around a tie",
    ("sim/decisions.py", "rounded", 1e9): "exact rounding: where the margin's bound holds",
    ("sim/decisions.py", "because", 3): "an explanation names the three largest terms",
    ("sim/rules/base.py", "speakers", 2): "a joint position takes at least two",
    ("sim/rules/base.py", "tie_note", 2): "a tie takes at least two options",
    ("sim/rules/lead_nation.py", "min_speakers", 2): "the lead and one follower",
    ("sim/rules/formal.py", "stance", 1e-09): "float guard: a quorum of exactly half of four "
                                              "needs two, not three",
    ("sim/phases/information.py", "__init__", 0.5): "a half-life: what halves in "
                                                    "threat_half_life_days (a definition)",
}


def literals(path: str):
    """(enclosing name, value, line) of every number in the code but 0 and 1, leaving out
    the digits of round() and rounded(), indices (``key[2]``), and the default and bounds of
    a ``Field`` (a rule's parameter, as a Parameters field: bounded, described, settable
    as ``rule:NAME=V`` and recorded in the rule's spec)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call)
             and isinstance(c.func, ast.Name)]
    skip = {id(c.args[1]) for c in calls if c.func.id in ("round", "rounded")
            and len(c.args) > 1}
    skip |= {id(node) for c in calls if c.func.id == "Field"
             for arg in [*c.args, *(k.value for k in c.keywords)] for node in ast.walk(arg)}
    skip |= {id(s.slice) for s in ast.walk(tree) if isinstance(s, ast.Subscript)}

    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(
                child, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef) else where
            if (isinstance(child, ast.Constant) and type(child.value) in (int, float)
                    and child.value not in (0, 1) and id(child) not in skip):
                yield where, child.value, child.lineno
            yield from visit(child, inner)

    yield from visit(tree, "<module>")


@pytest.mark.parametrize("path", SCANNED)
def test_no_number_hides_in_the_code(path):
    found = [f"{path}:{line} {value} (in {where})" for where, value, line in literals(path)
             if (path, where, value) not in NOT_ASSUMPTIONS]
    assert not found, ("numbers in the code; make each a field of Parameters "
                       "(scenarios/parameters.py) or, if it describes a country, a sourced "
                       "value in agents/data: " + "; ".join(found))


# -- the defaults are the old constants, and the prose says them -------------------------

def test_the_lever_prose_is_written_from_the_defaults():
    assert f"reach {DEFAULTS.contact_point_embassies_reach:.2f}" in LEVERS[
        "contact_point_embassies"].effect
    assert f"+{DEFAULTS.visits_visibility:g}" in LEVERS["high_level_visits"].effect
    assert f"from {DEFAULTS.outreach_intensity:g} up to 1" in LEVERS["partnership_goals"].effect
    office = DEFAULTS.liaison_office_tokyo_reach * DEFAULTS.office_reach_elsewhere
    assert f"in Japan and {office:.2f} in the other three" in LEVERS[
        "liaison_office_tokyo"].effect
    for name in ("high_level_visits", "parliamentary_exchanges", "messaging"):
        assert f"depth {getattr(DEFAULTS, f'{name}_depth'):g}" in LEVERS[name].effect, name


def test_every_narrative_and_channel_has_its_parameters():
    assert anchors(DEFAULTS) == [0.25, 0.2, 0.3]
    for name in CHANNEL_NAMES:
        assert f"{name}_reach" in Parameters.model_fields
        assert f"{name}_depth" in Parameters.model_fields
    assert protection(DEFAULTS) == (1.0, 0.10 / 0.37, 1.0)


# -- each parameter reaches what it governs ---------------------------------------------

def changed(name: str, value: float) -> Parameters:
    return DEFAULTS.model_copy(update={name: value})


def test_the_campaign_and_outreach_parameters_change_the_messages():
    world = WorldReading(hook=0.0, material=0.0, russia_pressure=0.0, office_open=True)
    spec = next(s for s in standing_campaigns({"CHN": {"disinformation_reach": 0.2,
                                                       "disinformation_intensity": 0.4},
                                               "RUS": {"disinformation_reach": 0.2,
                                                       "disinformation_intensity": 0.4}})
                if s.narrative == "nato_irrelevant_to_region")
    assert campaign(spec, 1, world, changed("office_undercut", 1.0)).intensity > campaign(
        spec, 1, world, DEFAULTS).intensity
    levers = Levers.strong()
    base = outreach(levers, "KOR", True, 1.0, DEFAULTS)
    for name in Parameters.model_fields:
        if name.endswith(("_reach", "_depth")) or name in (
                "office_reach_elsewhere", "visits_visibility", "outreach_intensity"):
            value = getattr(DEFAULTS, name)
            other = outreach(levers, "KOR", True, 1.0, changed(name, value / 2))
            assert other != base, name
    assert channels(changed("messaging_reach", 0.4))["messaging"].reach == 0.4


def events(scenario: str, items: list[str], levers: dict | None = None, seed: int = 3) -> str:
    """A run's events with ``--param`` items, parsed as the command line parses them."""
    request = RunRequest(scenario=scenario, seed=seed, parameters=numbers(items, "--param"),
                         levers=levers or {})
    return to_jsonl(play(request).events)


# name -> (scenario, value, levers): a setting at which the parameter bites.
BITES = {
    "china_base_interest": ("indo_pacific_contingency", 0.4, {}),
    "china_coercion_slope": ("indo_pacific_contingency", 1.0, {}),
    "coercion_resistance_weight": ("indo_pacific_contingency", 0.1, {}),
    "public_neutral": ("disinformation_campaign", 0.9, {}),
}
BITES |= {
    "inoculation_spillover": ("disinformation_campaign", 1.0, {"messaging": 1.0}),
    "anchor_asia_pacific_nato": ("disinformation_campaign", 0.6, {}),
    "anchor_nato_caused_war": ("disinformation_campaign", 0.6, {}),
    "anchor_nato_irrelevant_to_region": ("disinformation_campaign", 0.6, {}),
    "office_material": ("disinformation_campaign", 1.0, {"liaison_office_tokyo": 1.0}),
    "office_undercut": ("disinformation_campaign", 1.0, {"liaison_office_tokyo": 1.0}),
    "informal_hook_share": ("ukraine_response", 1.0, {}),
    "contact_point_embassies_reach": ("disinformation_campaign", 0.6, {}),
    "contact_point_embassies_depth": ("disinformation_campaign", 3.0, {}),
    "high_level_visits_reach": ("disinformation_campaign", 0.6, {}),
    "high_level_visits_depth": ("disinformation_campaign", 3.0, {}),
    "visits_visibility": ("disinformation_campaign", 1.0, {}),
    "parliamentary_exchanges_reach": ("disinformation_campaign", 0.6, {}),
    "parliamentary_exchanges_depth": ("disinformation_campaign", 0.5, {}),
    "messaging_reach": ("disinformation_campaign", 0.6, {"messaging": 1.0}),
    "messaging_depth": ("disinformation_campaign", 3.0, {"messaging": 1.0}),
    "liaison_office_tokyo_reach": ("disinformation_campaign", 0.8,
                                   {"liaison_office_tokyo": 1.0}),
    "liaison_office_tokyo_depth": ("disinformation_campaign", 4.0,
                                   {"liaison_office_tokyo": 1.0}),
    "office_reach_elsewhere": ("disinformation_campaign", 1.0, {"liaison_office_tokyo": 1.0}),
    "public_outreach_reach": ("disinformation_campaign", 0.9, {}),
    "public_outreach_depth": ("disinformation_campaign", 4.0, {}),
    "outreach_intensity": ("disinformation_campaign", 1.0, {}),
    "threat_half_life_days": ("indo_pacific_contingency", 10.0, {}),
    "threat_shock": ("indo_pacific_contingency", 1.0, {}),
    "threat_neighbour_share": ("indo_pacific_contingency", 0.0, {}),
    "w_public_threat": ("indo_pacific_contingency", 3.0, {}),
}


def test_the_tables_name_parameters():
    assert set(BITES) <= set(Parameters.model_fields)


@pytest.mark.parametrize("name", BITES)
def test_setting_a_parameter_with_param_changes_the_run(name):
    scenario, value, levers = BITES[name]
    assert value != getattr(DEFAULTS, name)
    assert events(scenario, [f"{name}={value}"], levers) != events(scenario, [], levers)


def test_a_new_parameter_set_on_the_command_line_is_in_the_manifest(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "indo_pacific_contingency", "--seed", "2", "--quiet",
                 "--param", "china_coercion_slope=3", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["china_coercion_slope"] == 3.0
