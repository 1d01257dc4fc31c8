"""Hostile files and command lines end in a scenario or a clear refusal, quickly; a
scenario's author hears of every mistake in one pass (issues 8 and 13)."""

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.fuzz import (
    BUILTINS,
    MUTATIONS,
    TIME_LIMIT,
    command_line,
    command_outcome,
    file_outcome,
    stopping,
)
from scenarios.errors import InputError
from scenarios.guarded import MAX_DEPTH, MAX_NODES, load_yaml, parse_number, parse_whole
from scenarios.loader import library_dir, load_scenario, parse_scenario
from sim.cli import main

UKRAINE = (library_dir() / "ukraine_response.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


def timed(outcome, *args):
    start = time.perf_counter()
    result = outcome(*args)
    return result, time.perf_counter() - start


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MUTATIONS), st.sampled_from(MUTATIONS), st.integers(0, 2**32 - 1))
def test_a_hostile_file_is_a_scenario_or_refused_in_time(workdir, first, second, seed):
    rng = random.Random(seed)
    data = BUILTINS[rng.choice(sorted(BUILTINS))]
    data = first(rng, data)
    if rng.random() < 0.3:
        data = second(rng, data)
    path = workdir / "exercise.yaml"
    path.write_bytes(data)
    result, seconds = timed(file_outcome, path)
    assert result in ("accepted", "refused")
    assert seconds < TIME_LIMIT


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32 - 1))
def test_a_generated_command_line_exits_0_or_2_without_a_traceback(workdir, seed):
    scenario = workdir / "tiny.yaml"
    scenario.write_text(UKRAINE, encoding="utf-8")
    argv = command_line(random.Random(seed), str(scenario), workdir / "out")
    with stopping():
        result, seconds = timed(command_outcome, argv)
    assert result in ("accepted", "refused"), argv
    assert seconds < TIME_LIMIT


@pytest.mark.parametrize("text, needle", [
    ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested more than"),
    ("a: &a [" + ", ".join(["x"] * 9) + "]\n" + "".join(
        f"b{i}: &b{i} [" + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 9) + "]\n"
        for i in range(8)), f"more than {MAX_NODES:,} values"),
    ("recur: &r [*r]\n", "inside the node it names"),
    ("a: &a {b: *a}\n", "inside the node it names"),
    ('title: !!float "abc"\n', "cannot read this value"),
    ("turns: " + "9" * 5000 + "\n", "4300 digits"),
    ("turn: 0x" + "f" * 2000 + "\n", "more than 128 bits"),  # read, but never printable
    ("ok: !!bool maybe\n", "'maybe' is not a value of this type"),
    ("a: 1\nb: \x00\n", "NUL"),
    ("a: 1\nb: \x1b[31m\n", "ESC"),
])
def test_each_class_of_hostile_yaml_is_refused_with_its_line(text, needle):
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        load_yaml(text, "f.yaml")
    (problem,) = caught.value.problems
    assert needle in problem.message and problem.line is not None
    assert time.perf_counter() - start < 1.0


def test_bytes_that_are_not_utf8_are_refused_with_their_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(UKRAINE.replace("one month", "un an caf\xe9").encode("latin-1"))
    with pytest.raises(InputError) as caught:
        load_scenario(str(path))
    (problem,) = caught.value.problems
    assert "0xe9 is not UTF-8" in problem.message
    assert "caf" in UKRAINE.replace("one month", "un an caf").splitlines()[problem.line - 1]


@pytest.mark.parametrize("text, value", [
    ("0.6", 0.6), ("-1", -1.0), ("2e-3", 0.002), ("٣", None), ("1_000", None),
    ("inf", None), ("nan", None), ("1e999", None), ("0x10", None), ("", None), ("½", None),
])
def test_numbers_are_ascii_digits_and_finite(text, value):
    assert parse_number(text) == value


def test_whole_numbers_are_ascii_digits():
    assert [parse_whole(t) for t in ("3", "-1", "٣", "1_000", "3.0", "²")] == \
        [3, -1, None, None, None, None]


# -- one pass over every mistake (issue 13) ------------------------------------------

MISTAKES = [  # (what is written, what a hurried author writes instead)
    ("turns: 10", "turns: 0"),
    ('    synopsis: "Kyiv asks', '    synopis: "Kyiv asks'),
    ('forum: partners\n    dimension: russia_stance\n    pressure: russia_threat\n    options:\n'
     '      - {id: none, label: "no financial aid"',
     'forum: partner\n    dimension: russia_stance\n    pressure: russia_threat\n    options:\n'
     '      - {id: none, label: "no financial aid"'),
    ('label: "broad sanctions", position: 1.0', 'label: "broad sanctions", position: 1.7'),
    ("opens: [sanctions_tightening]", "opens: [sanctions_tightenning]"),
    ("effects: [{var: summit_visibility, set: 0.8}]",
     "effects: [{var: summit_visibilty, set: 0.8}]"),
    ("{actor: AUS, decision: china_support", "{actor: JAP, decision: china_support"),
    ("{actor: IP4, decision: summit_attendance, options: [leaders],",
     "{actor: IP4, decision: summit_attendance, options: [leader],"),
    ("opens: [sanctions_tightening, aid_channel]\n    expected_actions:\n"
     "      - {actor: IP4, decision: sanctions_tightening",
     "opens: [sanctions_tightening, aid_channel]\n    expected_actions:\n"
     "      - {actor: IP4, decision: sanctions"),
    ("  - id: strategic_concept", "  - id: summit_attendance"),
]
ACTOR_MISTAKES = ("\nactors:\n  overrides:\n    JAP: {china_threat: 0.6}\n"
                  "    JPN: {dprk_priorty: 0.5}\n  governments:\n    KOR: junta\n")


def problems_of(text: str) -> list:
    with pytest.raises(InputError) as caught:
        parse_scenario(text, "exercise.yaml")
    return caught.value.problems


def test_validate_reports_all_thirteen_mistakes_of_a_file_in_one_pass():
    text = UKRAINE
    for right, wrong in MISTAKES:
        assert right in text
        text = text.replace(right, wrong, 1)
    found = problems_of(text + ACTOR_MISTAKES)
    assert len(found) == 13
    said = "\n".join(map(str, found))
    for needle in ["turns:", "did you mean 'synopsis'", "decisions.1.forum",
                   "decisions.0.options.2.position", "did you mean 'sanctions_tightening'",
                   "did you mean 'summit_visibility'", "'leader' is not an option",
                   "does not open 'sanctions'", "'summit_attendance' repeats",
                   "actors.overrides.JAP", "did you mean 'dprk_priority'", "'junta'",
                   "expected_actions.0.actor: unknown actor 'JAP'"]:
        assert needle in said
    assert all(p.line for p in found)


def test_a_repeated_decision_id_is_reported_once_with_what_it_hides():
    text = UKRAINE.replace("  - id: financial_aid", "  - id: sanctions")
    (problem,) = problems_of(text)
    assert "'sanctions' repeats" in problem.message and "'financial_aid'" in problem.message
    assert text.splitlines()[problem.line - 1] == "  - id: sanctions"


def test_an_expected_action_for_a_decision_its_inject_does_not_open_is_refused():
    text = UKRAINE.replace("opens: [sanctions_tightening, aid_channel]\n    expected_actions:\n"
                           "      - {actor: IP4, decision: sanctions_tightening",
                           "opens: [sanctions_tightening, aid_channel]\n    expected_actions:\n"
                           "      - {actor: IP4, decision: financial_aid")
    (problem,) = problems_of(text)
    assert problem.field.endswith("expected_actions.0.decision")
    assert "does not open 'financial_aid'" in problem.message


def test_a_world_variable_nothing_reads_is_a_warning_not_an_error(tmp_path, capsys):
    path = tmp_path / "warned.yaml"
    path.write_text(UKRAINE.replace("world:\n", "world:\n  china_warning: 0.0\n").replace(
        "effects: [{var: summit_visibility, set: 0.8}]",
        "effects: [{var: summit_visibility, set: 0.8}, {var: china_warning, set: 1.0}]"))
    (warning,) = load_scenario(str(path)).warnings
    assert warning.field == "world.china_warning"
    assert path.read_text().splitlines()[warning.line - 1] == "  china_warning: 0.0"
    assert main(["validate", str(path)]) == 0
    assert "warning:" in capsys.readouterr().err


def test_validate_says_which_standing_campaigns_run_unless_the_file_lists_its_own(
        tmp_path, capsys):
    assert main(["validate", "ukraine_response"]) == 0
    assert "RUS 'NATO caused the war'" in capsys.readouterr().out
    path = tmp_path / "quiet.yaml"
    path.write_text(UKRAINE + "\ncampaigns: []\n")
    assert main(["validate", str(path)]) == 0
    assert "standing campaigns" not in capsys.readouterr().out
