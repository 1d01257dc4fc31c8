"""Bad input ends in a clear message (file, field, line) and exit code 2, never a traceback."""

import contextlib
import random

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.debrief import after_action_report
from benchmarks.fuzz import line_edits
from scenarios.errors import InputError
from scenarios.loader import LoadedScenario, library_dir, load_scenario, parse_scenario
from sim.cli import main
from sim.outputs import RunOutputs
from sim.request import RunRequest
from sim.runner import build, manifest, play
from tests.helpers import checked

UKRAINE = (library_dir() / "ukraine_response.yaml").read_text(encoding="utf-8")


def problems_of(text: str) -> list:
    with pytest.raises(InputError) as caught:
        parse_scenario(text, "exercise.yaml")
    return caught.value.problems


def test_the_builtin_scenario_is_valid():
    assert parse_scenario(UKRAINE, "ukraine_response.yaml").id == "ukraine_response"


def test_a_misspelled_field_is_named_with_its_line():
    text = UKRAINE.replace("turn_represents:", "turn_represent:")
    found = problems_of(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("turn_represent:"))
    (problem,) = found  # the missing turn_represents is this mistake, not a second one
    assert problem.field == "turn_represent" and problem.line == line
    assert "did you mean 'turn_represents'" in problem.message


def test_an_out_of_range_option_position_names_the_option():
    text = UKRAINE.replace("label: \"broad sanctions\", position: 1.0",
                           "label: \"broad sanctions\", position: 1.7")
    (problem,) = problems_of(text)
    assert problem.field == "decisions.0.options.2.position"
    assert "1" in problem.message and problem.line is not None
    assert text.splitlines()[problem.line - 1].strip().startswith("- {id: broad")


def test_an_inject_opening_an_unknown_decision_is_named():
    text = UKRAINE.replace("opens: [sanctions]", "opens: [sanctionz]")
    (problem,) = problems_of(text)  # not also "sanctions is never put": one mistake
    assert problem.field == "injects.0.opens.0"
    assert "'sanctionz'; did you mean 'sanctions'" in problem.message
    assert "sanctionz" in text.splitlines()[problem.line - 1]


DPRK = (library_dir() / "dprk_provocation.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("when, given", [
    ('{var: dprk_threat, op: ">=", value: 0.9, outcome: split}', "var, value, outcome"),
    ("{outcome: split, not_before: 6}", "outcome"),
    ('{decision: ip4_condemnation, outcome: split, op: "<"}', None),
])
def test_a_trigger_with_a_stray_or_half_condition_is_refused(when, given):
    # The field that does not belong would be ignored: the inject would fire on another
    # condition than the author wrote.
    text = DPRK.replace('{var: dprk_threat, op: ">=", value: 0.9, not_before: 6}', when)
    assert text != DPRK
    (problem,) = problems_of(text)
    assert problem.field.endswith(".when") and "when: " + when in text.splitlines()[
        problem.line - 1]
    assert (f"this one gives {given}" if given else "a 'decision' trigger takes none") \
        in problem.message


def test_a_trigger_reads_back_as_it_was_written():
    # a released inject carries its trigger whole into events.jsonl, every field written
    from scenarios.schema import Trigger

    for trigger in (Trigger(decision="d", outcome="joint"), Trigger(var="x", value=0.5)):
        assert Trigger.model_validate_json(trigger.model_dump_json()) == trigger


def test_a_key_given_twice_hides_no_other_format_error():
    lines = UKRAINE.splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("turns:"))
    text = "\n".join([*lines[:at + 1], lines[at], *lines[at + 1:]]).replace(
        'label: "broad sanctions", position: 1.0', 'label: "broad sanctions", position: 1.7')
    fields = [p.field for p in problems_of(text)]
    assert fields == ["turns", "decisions.0.options.2.position"], fields


def test_a_builtin_whose_id_is_not_its_file_name_is_refused(tmp_path, monkeypatch):
    # a copy of a built-in saved under another name would be listed twice, under one id
    import scenarios.loader

    monkeypatch.setattr(scenarios.loader, "library_dir", lambda: tmp_path)
    (tmp_path / "ukraine_copy.yaml").write_text(UKRAINE, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario("ukraine_copy")
    (problem,) = caught.value.problems
    assert problem.field == "id" and "'ukraine_copy', not 'ukraine_response'" in problem.message
    assert UKRAINE.splitlines()[problem.line - 1].startswith("id:")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "ukraine_copy.yaml").write_text(UKRAINE, encoding="utf-8")
    assert load_scenario(str(outside / "ukraine_copy.yaml")).scenario.id == "ukraine_response"


def test_an_unknown_actor_in_overrides_suggests_a_name():
    text = UKRAINE + "\nactors:\n  overrides:\n    JPM: {china_threat: 0.6}\n"
    (problem,) = problems_of(text)
    assert "JPM" in problem.message and "JPN" in problem.message
    assert problem.field == "actors.overrides.JPM"


def test_an_unknown_profile_field_and_an_out_of_range_value():
    text = UKRAINE + "\nactors:\n  overrides:\n    JPN: {china_threet: 0.6, nato_enthusiasm: 2}\n"
    found = {p.field: p.message for p in problems_of(text)}
    assert "china_threat" in found["actors.overrides.JPN.china_threet"]
    assert "outside [0, 1]" in found["actors.overrides.JPN.nato_enthusiasm"]


def test_a_key_given_twice_is_refused_with_its_line():
    text = UKRAINE.replace("turns: 10", "turns: 10\nturns: 3")
    (problem,) = problems_of(text)
    assert problem.field == "turns" and "twice" in problem.message
    assert text.splitlines()[problem.line - 1] == "turns: 3"


def test_an_unquoted_yes_as_an_option_id_gets_a_hint():
    text = UKRAINE.replace('{id: none, label: "no sanctions"', '{id: no, label: "no sanctions"')
    (problem,) = problems_of(text)
    assert "quotes" in problem.message


def test_an_expected_action_names_an_actor_by_its_code():
    text = UKRAINE.replace("{actor: AUS, decision: china_support",
                           "{actor: aus, decision: china_support")
    found = problems_of(text)
    assert found and all("'AUS'" in p.message for p in found)


def test_broken_yaml_gives_its_line():
    text = UKRAINE.replace("turns: 10", "turns: [10")
    (problem,) = problems_of(text)
    assert problem.line is not None and "YAML" in problem.message
    # the parser gives up a line or more below the unclosed bracket: both lines are named
    opened = text.splitlines().index("turns: [10") + 1
    assert problem.line > opened
    assert problem.message.endswith(f"(while parsing a flow sequence that began on line "
                                    f"{opened})")


def test_a_file_that_is_not_a_mapping():
    (problem,) = problems_of("- just\n- a list\n")
    assert "mapping" in problem.message


# -- any YAML a user can type ends in a valid scenario or in that message -----------------

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 300),
                         st.floats(-2, 2, allow_nan=False), st.text(max_size=12))
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=20)


def ends_well(text: str) -> None:
    """A clear error, or a scenario that then plays out and gets its debrief."""
    try:
        scenario = parse_scenario(text, "exercise.yaml")
    except InputError as err:
        assert err.problems and all(p.source == "exercise.yaml" and p.message
                                    for p in err.problems)
        return
    loaded = LoadedScenario(scenario, "exercise.yaml", "0" * 64)
    try:
        spec = checked(loaded, "caucus", seed=1)
        events = play(spec).events
    except InputError:  # e.g. levers that ask for a Council vote the file lacks
        return
    assert {e.turn for e in events} <= set(range(1, scenario.turns + 1))
    result = play(spec)
    after_action_report(RunOutputs(events=result.events, timeseries=result.timeseries,
                                   manifest=manifest(result)))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_mutated_scenario_files_end_in_a_scenario_or_a_clear_error(seed):
    ends_well(line_edits(random.Random(seed), UKRAINE.encode()).decode())


@settings(max_examples=150, deadline=None)
@given(yaml_values)
def test_generated_yaml_ends_in_a_scenario_or_a_clear_error(value):
    ends_well(yaml.safe_dump(value))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_ends_in_a_scenario_or_a_clear_error(text):
    ends_well(text)


# -- the command line ----------------------------------------------------------------------

@pytest.mark.parametrize("argv, needle", [
    (["run", "ukraine_respons"], "did you mean 'ukraine_response'"),
    (["run", "ukraine_response", "--set", "JPM.china_threat=0.6"], "JPN"),
    (["run", "ukraine_response", "--set", "JPN.china_threet=0.6"], "china_threat"),
    (["run", "ukraine_response", "--set", "JPN.china_threat=1.6"], "outside [0, 1]"),
    (["run", "ukraine_response", "--set", "JPN.china_threat=high"], "not a number"),
    (["run", "ukraine_response", "--set", "KOR.government=junta"], "progressive"),
    (["run", "ukraine_response", "--set", "KOR.goverment=progressive"],
     "KOR.goverment: no such field; did you mean 'government'?"),
    (["run", "ukraine_response", "--set", "NZ.capability=0.1", "--set", "NZL.capability=0.9"],
     "NZL.capability: given twice (NZ.capability names it too)"),
    (["run", "ukraine_response", "--rule", "caucas"], "did you mean 'caucus'"),
    (["run", "ukraine_response", "--param", "temperature=-1"], "temperature"),
    (["run", "ukraine_response", "--param", "temprature=0.1"], "did you mean 'temperature'"),
    (["run", "no/such/file.yaml"], "no such file"),
    (["run", "ukraine_response", "--seed", "-1"], "0 or more"),
    (["run", "ukraine_response", "--param", "population=0"], "population"),
    (["actors", "XYZ"], "unknown actor"),
    (["run", "ukraine_response", "--seed", "٣"], "not a whole number"),
    (["run", "ukraine_response", "--seed", "1_000"], "not a whole number"),
    (["run", "ukraine_response", "--population", "٥٠"], "not a whole number"),
    (["run", "ukraine_response", "--population", "0"], "--population"),
    (["run", "ukraine_response", "--param", "temperature=inf"], "not a number"),
    (["run", "ukraine_response", "--param", "temperature=0.1", "--param", "temperature=0.2"],
     "given twice"),
    (["run", "ukraine_response", "--rule", "coalition:k=3,k=2"], "k is given twice"),
    (["run", "ukraine_response", "--rule", "hybrid:min_stake=inf"], "min_stake: not a number"),
    (["compare", "ukraine_response", "--seeds", "1000000000000"], "1 to 10,000"),
    (["run", "ukraine_response", *[a for c in ("AUS", "JPN", "KOR", "NZL")
                                   for a in ("--set", f"{c}.capability=0")]],
     "capability above 0"),
])
def test_bad_command_line_input_exits_2_with_a_message(argv, needle, capsys, tmp_path):
    with contextlib.suppress(SystemExit):  # argparse's own errors exit 2 by SystemExit
        assert main([*argv, *(["--out", str(tmp_path)] if argv[0] == "run" else [])]) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err and "error: " in err


def test_a_run_refuses_an_output_path_that_is_a_file_before_computing(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    assert main(["run", "ukraine_response", "--out", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_scenario_parameters_are_checked_with_their_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(UKRAINE + "\nparameters:\n  temperature: -3\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    line = len((UKRAINE + "\nparameters:\n  temperature: -3").splitlines())
    assert f"bad.yaml:{line}: parameters.temperature" in err


def test_validate_reports_every_problem_of_every_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(UKRAINE.replace("turns: 10", "turns: 0").replace("forum: all", "forum: al", 1))
    good = library_dir() / "ukraine_response.yaml"
    assert main(["validate", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "ok:" in captured.out
    assert "turns" in captured.err and "forum" in captured.err


def test_a_council_question_where_every_option_blocks_is_refused():
    text = UKRAINE.replace('- {id: accept, label: "accept partner contributions", position: 1.0}',
                           '- {id: accept, label: "accept", position: 1.0, blocks: true}')
    assert any("every option blocks" in p.message for p in problems_of(text))


def test_nac_expectations_belong_to_council_questions():
    text = UKRAINE.replace("{actor: ALLIES, decision: sanctions",
                           "{actor: NAC, decision: sanctions")
    assert any(p.field == "injects.0.expected_actions.1.actor" and "Council" in p.message
               for p in problems_of(text))


def test_one_actor_under_two_names_is_refused():
    text = UKRAINE + ("\nactors:\n  overrides:\n    KOR: {china_threat: 0.6}\n"
                      "    ROK: {china_threat: 0.2}\n")
    assert any("same actor" in p.message for p in problems_of(text))


def test_a_replay_of_another_run_is_refused(tmp_path, capsys):
    assert main(["run", "ukraine_response", "--seed", "3", "--quiet",
                 "--out", str(tmp_path / "a")]) == 0
    assert main(["run", "ukraine_response", "--seed", "4", "--quiet", "--replay",
                 str(tmp_path / "a" / "events.jsonl"), "--out", str(tmp_path / "b")]) == 2
    assert "another seed" in capsys.readouterr().err


def test_a_large_population_is_costed_before_it_runs(capsys):
    from sim.cli import warn_of_cost

    warn_of_cost(RunRequest(population=300_000).check(), 10, runs=3)
    err = capsys.readouterr().err
    assert "1,200,000 citizens" in err and "GiB" in err and "3 runs of 10 turns" in err
    warn_of_cost(RunRequest().check(), 10)
    assert capsys.readouterr().err == ""


def test_a_run_never_overwrites_another_run_or_a_played_game(tmp_path, capsys):
    """A folder of another run (another seed), of a game people played, or of anything
    else is refused with exit 2 before any work, and left as it was; the same engine run
    again may write its own folder (the same bytes)."""
    from sim.runner import result_of, write_run

    class People:
        name = "human"

        def answer(self, request):
            return request.engine

    out = tmp_path / "seed5"
    assert main(["run", "ukraine_response", "--seed", "5", "--quiet", "--out", str(out)]) == 0
    before = (out / "events.jsonl").read_bytes()
    assert main(["run", "ukraine_response", "--seed", "5", "--quiet", "--out", str(out)]) == 0
    assert main(["run", "ukraine_response", "--seed", "9", "--quiet", "--out", str(out)]) == 2
    assert "holds another run (ukraine_response, rule caucus:pull=1.0,cover=0.35, seed 5), " \
        "which differs in seed: 5 in the folder, 9 now" in capsys.readouterr().err
    assert (out / "events.jsonl").read_bytes() == before
    game = tmp_path / "played"
    model = build(RunRequest(seed=5).check(), seats={"JPN": People()})
    write_run(result_of(model.run()), game)
    assert main(["run", "ukraine_response", "--seed", "5", "--quiet", "--out", str(game)]) == 2
    assert "holds a game people played (JPN), complete: choose another folder with --out, " \
        f"or rebuild it with --replay {game / 'events.jsonl'}" in capsys.readouterr().err
    stopped = tmp_path / "stopped"  # a game people stopped: go on with it, not replay it
    model = build(RunRequest(seed=5).check(), seats={"JPN": People()})
    model.advance(until_turn=2)
    write_run(result_of(model), stopped)
    assert main(["run", "ukraine_response", "--seed", "5", "--quiet", "--out",
                 str(stopped)]) == 2
    assert f"in progress: choose another folder with --out, or go on with it: ip4sim run " \
        f"--resume {stopped}" in capsys.readouterr().err
    assert main(["run", "ukraine_response", "--seed", "5", "--quiet", "--replay",
                 str(stopped / "events.jsonl"), "--out", str(tmp_path / "again")]) == 0
    assert f"records a game stopped at turn 3: the engine plays every seat after it (to go " \
        f"on with the people, ip4sim run --resume {stopped})" in capsys.readouterr().err
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep", encoding="utf-8")
    assert main(["run", "ukraine_response", "--quiet", "--out", str(other)]) == 2
    assert "holds files but no manifest.json" in capsys.readouterr().err
    assert [p.name for p in other.iterdir()] == ["mine.txt"]
    assert main(["run", "--resume", str(out)]) == 2
    assert "the game is complete" in capsys.readouterr().err


def test_a_run_of_an_edited_scenario_file_is_refused_for_that_edit(tmp_path, capsys):
    scenario = tmp_path / "exercise.yaml"
    scenario.write_text(UKRAINE, encoding="utf-8")
    argv = ["run", str(scenario), "--quiet", "--population", "200", "--out", str(tmp_path / "r")]
    assert main(argv) == 0
    was = load_scenario(str(scenario)).sha256
    scenario.write_text(UKRAINE + "# edited\n", encoding="utf-8")
    assert main(argv) == 2
    now = load_scenario(str(scenario)).sha256
    assert f"which differs in scenario file's content (sha256): {was[:12]} in the folder, " \
           f"{now[:12]} now: choose" in capsys.readouterr().err


def test_serve_refuses_a_bad_port_host_or_a_taken_address_before_it_starts(capsys):
    import socket

    assert main(["serve", "--port", "99999"]) == 2
    assert "--port: 99999: a port is a whole number from 1 to 65535" in capsys.readouterr().err
    assert main(["serve", "--host", "no-such-host.invalid"]) == 2
    assert "--host" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert f"cannot listen on 127.0.0.1:{port}" in err and "listening" not in out


@pytest.mark.parametrize("option", [["--brief"], ["--html", "x.html"]])
def test_a_briefing_without_an_actor_is_refused(option, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["actors", *option]) == 2
    assert "give its code" in capsys.readouterr().err and not (tmp_path / "x.html").exists()


def test_a_world_variable_nothing_reads_is_warned_of_with_its_line(tmp_path, capsys):
    from scenarios.schema import BUILTIN_VARIABLES

    text = (library_dir() / "ukraine_response.yaml").read_text(encoding="utf-8")
    path = tmp_path / "unread.yaml"
    path.write_text(text.replace("world:\n", "world:\n  morale: 0.5\n", 1), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = "".join(capsys.readouterr())
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if "morale" in t)
    assert f"{path}:{line}: world.morale: nothing reads this world variable" in out
    assert all(out.count(f"{name},") + out.count(f"{name} have") == 1
               for name in BUILTIN_VARIABLES)  # each built-in name said once


def test_run_names_a_sweep_file_or_a_record_for_what_it_is(tmp_path, capsys):
    from scenarios.sweep import EXAMPLE

    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(EXAMPLE, encoding="utf-8")
    record = library_dir().parent / "records" / "ukraine_2022.yaml"
    for other in (sweep, record):
        assert main(["run", str(other), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{sweep}:1: a sweep file" in err and "`ip4sim sweep FILE`" in err
    assert "a record of what happened" in err and "ip4sim validate SCENARIO FILE" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("argv", "says"), [
    (["run", "--param", "population=5", "--population", "7"], "given twice"),
    (["run", "dprk_provocation", "--resume", "runs/x"], "a scenario would be ignored"),
    (["run", "--resume", "runs/x", "--seed", "4", "--set", "JPN.capability=0.5"],
     "--seed, --set would be ignored"),
    (["actors", "JPN", "--government", "KOR=progressive"], "changes only KOR's own profile"),
])
def test_input_that_would_be_ignored_or_contradicts_itself_is_refused(argv, says, capsys,
                                                                        tmp_path):
    assert main([*argv, "--out", str(tmp_path / "o")] if argv[:2] == ["run", "--param"]
                else argv) == 2
    assert says in capsys.readouterr().err


# -- a folder of something else ------------------------------------------------------------

@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A folder of each kind a command may be pointed at by mistake: a run, a comparison
    (its store a sweep's dataset), a backtest, a broken manifest.json, files that are no
    output."""
    from sim.app import analyze, backtest, compare

    base = tmp_path_factory.mktemp("folders")
    assert main(["run", "ukraine_response", "--quiet", "--population", "200",
                 "--out", str(base / "run")]) == 0
    compare("ukraine_response", "bilateral", 1, workers=1, out_dir=base / "comparison",
            progress=False, population=200)
    backtest(n_seeds=1, workers=1, out_dir=base / "backtest", progress=False, population=200)
    analyze(base / "comparison" / "store", base / "analysis")
    (base / "broken").mkdir()
    (base / "broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    (base / "notes").mkdir()
    (base / "notes" / "mine.txt").write_text("keep", encoding="utf-8")
    return base


# Each command that writes into or reads from a folder, with the kind of folder it takes.
FOLDER_COMMANDS = {
    "run --out": ("run", ["run", "ukraine_response", "--quiet", "--out", "{}"]),
    "run --resume": ("run", ["run", "--resume", "{}"]),
    "why": ("run", ["why", "{}"]),
    "run --replay": ("run", ["run", "ukraine_response", "--quiet", "--replay",
                             "{}/events.jsonl", "--out", "{}-replayed"]),
    "compare --out": ("comparison", ["compare", "ukraine_response", "--rules", "bilateral",
                                     "--seeds", "1", "--quiet", "--out", "{}"]),
    "backtest --out": ("backtest", ["backtest", "--seeds", "1", "--quiet", "--out", "{}"]),
}
FOLDER_SAYS = {"run": "holds a run", "comparison": "holds a comparison",
               "comparison/store": "holds a sweep's dataset", "backtest": "holds a backtest",
               "broken": "holds a manifest.json that is not valid JSON",
               "notes": "holds files but no manifest.json",
               "analysis": "holds a sweep's analysis"}


# Every command against every kind of folder but its own; a replay is only checked against
# folders with a manifest (an events file alone needs none).
MISTAKES = [(command, kind) for command, (takes, _) in FOLDER_COMMANDS.items()
            for kind in FOLDER_SAYS if kind != takes
            and not (command == "run --replay" and kind in ("comparison/store", "notes"))]


@pytest.mark.parametrize(("command", "kind"), MISTAKES)
def test_a_folder_of_something_else_is_named_for_what_it_holds_and_left_as_it_was(
        command, kind, folders, capsys):
    _, argv = FOLDER_COMMANDS[command]
    folder = folders / kind
    before = {p: p.stat().st_mtime_ns for p in folders.rglob("*")}
    assert main([a.format(folder) for a in argv]) == 2
    err = capsys.readouterr().err
    assert f"{folder}: {FOLDER_SAYS[kind]}" in err and "Traceback" not in err
    assert {p: p.stat().st_mtime_ns for p in folders.rglob("*")} == before


# -- every problem a file has, in one reading ------------------------------------------------

# Where the first expected action of Australia on China's support is, in the built-in file.
AUS_AT = next(f"{i}.expected_actions.{j}"
              for i, inj in enumerate(parse_scenario(UKRAINE, "u.yaml").injects)
              for j, act in enumerate(inj.expected_actions)
              if (act.actor, act.decision) == ("AUS", "china_support"))


def line_with(text: str, needle: str) -> int:
    return next(n for n, t in enumerate(text.splitlines(), 1) if needle in t)


def test_validate_reports_a_format_error_and_an_unknown_actor_elsewhere_at_once(tmp_path,
                                                                               capsys):
    """A bad option in one decision does not hide an unknown actor in an inject, an inject
    that fails (a misspelt synopsis) still has its expected actions checked, and the
    problems come in the order of the file's lines; a valid file beside it passes."""
    text = (UKRAINE.replace('label: "broad sanctions", position: 1.0',
                            'label: "broad sanctions", position: 1.7')
            .replace("{actor: AUS, decision: china_support", "{actor: AUZ, decision: "
                     "china_support", 1)
            .replace('    synopsis: "Russian forces', '    synopsys: "Russian forces')
            .replace("- {actor: ALLIES, decision: sanctions", "- {actor: ALLIED, decision: "
                     "sanctions"))
    path = tmp_path / "exercise.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(library_dir() / "ukraine_response.yaml"), str(path)]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err and out.startswith("ok: ") and str(path) not in out
    head, *lines = err.strip().splitlines()
    assert head == f"{path}: checked as a scenario (it holds turns, decisions, injects): " \
                   f"{len(lines)} problems"
    said = {line.split(": ")[2]: line for line in lines}
    assert set(said) == {"decisions.0.options.2.position", "injects.0.synopsys",
                         "injects.0.expected_actions.1.actor", f"injects.{AUS_AT}.actor"}
    for field_, needle in [("decisions.0.options.2.position", "position: 1.7"),
                           ("injects.0.synopsys", "synopsys:"),
                           ("injects.0.expected_actions.1.actor", "actor: ALLIED"),
                           (f"injects.{AUS_AT}.actor", "actor: AUZ")]:
        assert said[field_].startswith(f"error: {path}:{line_with(text, needle)}: {field_}: ")
    assert "unknown actor 'AUZ'; did you mean 'AUS'?" in said[f"injects.{AUS_AT}.actor"]
    numbers = [int(line.split(":")[2]) for line in lines]
    assert numbers == sorted(numbers)


def test_an_inject_that_fails_the_format_checks_still_has_its_references_checked():
    text = UKRAINE.replace('    synopsis: "Russian forces', '    synopsys: "Russian forces')
    text = text.replace("opens: [sanctions]", "opens: [sanctionz]")
    found = {p.field: p for p in problems_of(text)}
    assert set(found) == {"injects.0.synopsys", "injects.0.opens.0"}
    opened = found["injects.0.opens.0"]
    assert "did you mean 'sanctions'" in opened.message
    assert opened.line == line_with(text, "opens: [sanctionz]")


def test_a_failing_item_of_a_list_keeps_the_file_s_numbering_for_the_rest():
    """The inject's first effect fails (a misspelt field) and is set aside: the second,
    which names an unknown world variable, is still called effects.1."""
    text = UKRAINE.replace("effects: [{var: russia_threat, set: 0.7}, {var: russia_escalation,",
                           "effects: [{var: russia_threat, sett: 0.7}, {var: russia_escalaton,")
    found = {p.field: p for p in problems_of(text)}
    assert set(found) == {"injects.0.effects.0.sett", "injects.0.effects.1.var"}
    assert "did you mean 'set'" in found["injects.0.effects.0.sett"].message
    assert "did you mean 'russia_escalation'" in found["injects.0.effects.1.var"].message
    assert found["injects.0.effects.1.var"].line == line_with(text, "russia_escalaton")


def test_a_key_given_twice_is_set_aside_and_the_rest_still_checked():
    text = UKRAINE.replace('question: "Impose sanctions on Russia over the invasion?"',
                           'question: "Impose sanctions on Russia over the invasion?"\n'
                           '    question: "Sanctions?"').replace(
        "{actor: AUS, decision: china_support", "{actor: AUZ, decision: china_support", 1)
    twice, unknown = problems_of(text)
    assert twice.field == "decisions.0.question" and "given twice" in twice.message
    assert twice.line == line_with(text, "Sanctions?")
    assert unknown.field == f"injects.{AUS_AT}.actor" and "'AUZ'" in unknown.message
    assert unknown.line == line_with(text, "actor: AUZ")


def test_an_option_without_its_label_keeps_its_decision_checked():
    """A missing label stands for nothing another part names, so the decision stays, and
    an expected action naming an option it lacks is still reported; a bad position sets
    the decision aside, and what refers to it is not reported again (its options' names
    are unknown)."""
    text = UKRAINE.replace('{id: none, label: "no sanctions", position: 0.0}',
                           '{id: none, position: 0.0}').replace(
        "{actor: IP4, decision: sanctions, options: [targeted, broad]",
        "{actor: IP4, decision: sanctions, options: [targeted, brod]", 1)
    found = {p.field: p.message for p in problems_of(text)}
    assert set(found) == {"decisions.0.options.0.label", "injects.0.expected_actions.0.options.1"}
    assert "'brod' is not an option of sanctions" in found[
        "injects.0.expected_actions.0.options.1"]
    moved = text.replace('{id: targeted, label: "targeted sanctions", position: 0.5',
                         '{id: targeted, label: "targeted sanctions", position: 5')
    assert {p.field for p in problems_of(moved)} == {"decisions.0.options.0.label",
                                                     "decisions.0.options.1.position"}
