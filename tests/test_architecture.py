"""The flow runs one way, and Mesa users find what they expect at the boundary."""

import ast
import inspect
from pathlib import Path

import mesa
import pytest

from analysis.outcomes import run_outcomes
from scenarios.errors import InputError
from sim.cli import main
from sim.model import IP4Model
from sim.request import RunRequest
from sim.runner import play

ROOT = Path(__file__).parent.parent
COMPOSITION_ROOT = "sim/app"  # the one package of sim/ that joins runs to analysis
OUTPUT_CONTRACT = "sim.outputs"


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize(("package", "forbidden"), [
    ("agents", ("scenarios", "sim", "analysis")),
    ("scenarios", ("sim", "analysis")),
    ("sim", ("analysis",)),
])
def test_a_layer_never_imports_the_layers_above_it(package, forbidden):
    wrong = {str(f.relative_to(ROOT)): sorted(m for m in imports(f)
                                              if m.split(".")[0] in forbidden)
             for f in files(package)
             if f.parent.relative_to(ROOT).as_posix() != COMPOSITION_ROOT}
    assert {f: m for f, m in wrong.items() if m} == {}


def test_analysis_reads_runs_only_through_the_output_contract():
    wrong = {str(f.relative_to(ROOT)): sorted(m for m in imports(f) if m.startswith("sim")
                                              and m != OUTPUT_CONTRACT)
             for f in files("analysis")}
    assert {f: m for f, m in wrong.items() if m} == {}
    for f in files("analysis"):  # nor the model's inputs: profiles and scenario files
        text = f.read_text(encoding="utf-8")
        assert "load_catalog" not in text and "load_scenario" not in text, f
    # of scenarios/, only the schema's types that events carry (an inject's expected
    # actions), the record of history a backtest scores runs against (data, not a model
    # input) and the errors it reports; a narrative's label comes with the output contract
    allowed = {"scenarios.schema", "scenarios.record", "scenarios.errors"}
    inputs = {str(f.relative_to(ROOT)): sorted(m for m in imports(f) if m.startswith(
        "scenarios") and m not in allowed) for f in files("analysis")}
    assert {f: m for f, m in inputs.items() if m} == {}


def test_the_model_is_built_from_plain_keywords_and_stops_by_itself():
    model = IP4Model(exercise="dprk_provocation", rule="coalition:k=3", rng=4)
    assert isinstance(model.scenario, mesa.experimental.scenarios.Scenario)  # Mesa's own
    assert model.exercise.id == "dprk_provocation"
    model.run_model()
    assert not model.running and model.turns_done == model.exercise.turns
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.exercise.turns and "joint_positions" in frame.columns
    assert len(model.agents_by_type[type(model.partners[0])]) == 4


def test_batch_run_gives_the_outcomes_of_our_runner():
    rows = mesa.batch_run(IP4Model, parameters={"exercise": "ukraine_response",
                                                "rule": "caucus"},
                          rng=[3, 9], max_steps=100, number_processes=1,
                          display_progress=False)
    for seed in (3, 9):
        ours = play(RunRequest(rule="caucus", seed=seed))
        joint = {(o, a): v for o, a, v in run_outcomes(ours.events, ours.timeseries)}
        last = [r for r in rows if r["rng"] == seed][-1]
        assert last["joint_positions"] == pytest.approx(
            joint[("joint_rate", "")] * joint[("partner_decisions", "")])


def test_a_solara_style_reset_rebuilds_the_model():
    """SolaraViz's reset (mesa 3.5, solara_viz._build_model_init_kwargs) passes a Mesa
    Scenario only to a model whose __init__ takes ``scenario`` or ``**kwargs``; ours takes
    neither, so the reset is ``type(model)(**model_params)``."""
    model = IP4Model(exercise="cyber_attack", rule="bilateral", rng=2)
    init = inspect.signature(type(model).__init__).parameters
    assert "scenario" not in init
    assert not any(p.kind == p.VAR_KEYWORD for p in init.values())
    again = type(model)(**{"exercise": "cyber_attack", "rule": "consensus", "rng": 5})
    assert again.rule.name == "consensus" and again.exercise.id == "cyber_attack"


BAD = [
    ({"parameters": {"temprature": 0.2}}, ["--param", "temprature=0.2"], "did you mean"),
    ({"overrides": {"JPM": {"china_threat": 0.6}}}, ["--set", "JPM.china_threat=0.6"], "JPN"),
    ({"rule": "caucas"}, ["--rule", "caucas"], "did you mean 'caucus'"),
    ({"levers": {"messaging": 1.5}}, ["--lever", "messaging=1.5"], "outside [0, 1]"),
    ({"population": 0}, ["--population", "0"], "--population"),
    ({"players": ("CHN",)}, ["--player", "CHN"], "engine's rules"),
]


@pytest.mark.parametrize(("fields", "argv", "says"), BAD)
def test_the_api_refuses_what_the_command_line_refuses_with_the_same_message(
        fields, argv, says, capsys, tmp_path):
    with pytest.raises(InputError) as refused:
        RunRequest(**fields).check()
    assert main(["run", "ukraine_response", *argv, "--out", str(tmp_path / "x")]) == 2
    printed = capsys.readouterr().err.strip().splitlines()
    assert [f"error: {p}" for p in refused.value.problems] == printed
    assert says in printed[0]


def test_a_scenario_file_s_misspelt_parameter_is_refused_where_it_loads(tmp_path):
    text = (ROOT / "scenarios/library/cyber_attack.yaml").read_text(encoding="utf-8")
    path = tmp_path / "typo.yaml"
    path.write_text(text + "parameters:\n  temprature: 0.2\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        RunRequest(scenario=str(path)).check()
    (problem,) = refused.value.problems
    assert problem.field == "parameters.temprature" and problem.line is not None
