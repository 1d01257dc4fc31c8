"""Every built-in scenario loads, runs under every coordination rule, and yields its figures."""

from pathlib import Path

import pytest

from analysis.debrief import write_debrief
from scenarios.loader import builtin_names, load_scenario
from sim.outputs import Choice, PublicOpinion
from sim.request import CheckedRun
from sim.rules import rule_names
from sim.runner import play, write_run
from tests.helpers import checked

SMALL = 200  # citizens per public: enough to exercise the publics, fast enough for every rule


def spec(name: str, rule: str, seed: int = 1) -> CheckedRun:
    return checked(load_scenario(name), rule, seed=seed, population=SMALL)


def test_the_library_has_the_disinformation_scenario():
    assert "disinformation_campaign" in builtin_names()


@pytest.mark.parametrize("name", builtin_names())
@pytest.mark.parametrize("rule", rule_names())
def test_every_builtin_scenario_runs_under_every_rule(name, rule):
    result = play(spec(name, rule))
    scenario = load_scenario(name).scenario
    assert {e.turn for e in result.events} <= set(range(1, scenario.turns + 1))
    assert any(isinstance(e, Choice) for e in result.events)
    assert len([e for e in result.events if isinstance(e, PublicOpinion)]) == scenario.turns
    assert max(t for t, *_ in result.timeseries) == scenario.turns


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scenario_writes_its_figures_and_report(name, tmp_path):
    load_scenario(name)  # a built-in that fails to load fails here, before the run
    out = write_run(play(spec(name, "caucus")), tmp_path / name)
    written = write_debrief(out)
    assert {"summary.png", "report.md", "publics.png"} <= set(written)
    for file in written:
        assert (out / file).stat().st_size > 1000, file


def test_a_file_is_parsed_once_per_content_and_again_when_it_changes(tmp_path):
    """play() in a loop must not re-parse its scenario every run (it was nine tenths of
    the time), yet an edited file must never be served from the cache."""
    path = tmp_path / "mine.yaml"
    text = Path(load_scenario("ukraine_response").path).read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first, again = load_scenario(str(path)), load_scenario(str(path))
    assert again is first
    path.write_text(text.replace('title: "', 'title: "Edited ', 1), encoding="utf-8")
    edited = load_scenario(str(path))
    assert edited is not first and edited.sha256 != first.sha256
    assert edited.scenario.title.startswith("Edited")
