"""People at the table: a player at the terminal, and replays of a played run."""

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.outputs import Choice, read_events
from sim.players import PlayerQuit, TerminalPlayer
from sim.protocol import Request


def request(ukraine):
    decision = ukraine.scenario.decision("sanctions")
    return Request(turn=1, actor="JPN", decision=decision, stage="choice",
                   probabilities={"none": 0.0, "targeted": 0.1, "broad": 0.9},
                   engine="broad", advice="position +0.62", group_option="broad")


def test_the_player_sees_the_engine_reading_and_may_answer_by_number_or_id(ukraine):
    shown = []
    answers = iter(["7", "nonsense", "2"])
    chooser = TerminalPlayer(ask=lambda _: next(answers), say=shown.append)
    assert chooser.ask(request(ukraine)) == "targeted"
    text = "\n".join(shown)
    assert "engine 90%" in text and "the group's lean" in text and "position +0.62" in text
    assert text.count("is not one of the options") == 2
    assert TerminalPlayer(ask=lambda _: "broad", say=shown.append).ask(request(ukraine)) \
        == "broad"


def test_the_end_of_input_stops_the_player_cleanly(ukraine):
    def closed(_):
        raise EOFError

    with pytest.raises(PlayerQuit):
        TerminalPlayer(ask=closed, say=lambda _: None).ask(request(ukraine))


def test_a_played_run_is_recorded_and_replays_exactly(tmp_path, monkeypatch, capsys):
    answers = iter(["1"] * 50)  # Japan refuses every first option offered
    monkeypatch.setattr("builtins.input", lambda _: next(answers))
    played = tmp_path / "played"
    assert main(["run", "ukraine_response", "--seed", "3", "--player", "JPN",
                 "--out", str(played)]) == 0
    out = capsys.readouterr().out
    assert "INJECT Full-scale invasion" in out and "[JPN] turn 1" in out
    manifest = json.loads((played / "manifest.json").read_text())
    assert manifest["players"] == {"JPN": "human"}
    japan = [e for e in read_events(played / "events.jsonl")
             if isinstance(e, Choice) and e.actor == "JPN"]
    assert japan and all(e.by == "human" for e in japan)

    replayed = tmp_path / "replayed"
    assert main(["run", "ukraine_response", "--seed", "3", "--quiet", "--replay",
                 str(played / "events.jsonl"), "--out", str(replayed)]) == 0

    def choices(folder):
        return [(e.turn, e.decision, e.actor, e.option) for e in read_events(
            folder / "events.jsonl") if isinstance(e, Choice)]

    assert choices(replayed) == choices(played)
    assert (replayed / "report.md").read_text().count("| met |") == 1


def test_a_player_cannot_take_an_adversary_or_an_unknown_actor(tmp_path, capsys):
    for code, needle in (("CHN", "engine's rules"), ("JPM", "did you mean")):
        assert main(["run", "ukraine_response", "--player", code,
                     "--out", str(tmp_path)]) == 2
        assert needle in capsys.readouterr().err


def test_a_missing_replay_file_is_a_clear_error(tmp_path, capsys):
    assert main(["run", "ukraine_response", "--replay", str(tmp_path / "nope.jsonl"),
                 "--out", str(tmp_path / "r")]) == 2
    assert "events.jsonl" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()  # a refused replay leaves no empty folder behind


def test_an_option_the_government_cannot_take_yet_is_marked_and_refused(ukraine):
    """Typing an option within its lead time asks again (it once ended the game with a
    traceback and an empty run folder)."""
    shown = []
    answers = iter(["3", "broad", "1"])
    blocked = Request(turn=1, actor="NZL", decision=ukraine.scenario.decision("sanctions"),
                      stage="intention", probabilities={"none": 1.0, "targeted": 0.0,
                                                        "broad": 0.0},
                      engine="none", advice="position -0.74",
                      unready={"broad": "NZL needs 16 days (new law) for sanctions"})
    chooser = TerminalPlayer(ask=lambda _: next(answers), say=shown.append)
    assert chooser.ask(blocked) == "none"
    text = "\n".join(shown)
    assert "broad sanctions (broad): engine 0%  (not yet: NZL needs 16 days" in text
    assert text.count("broad cannot be chosen yet: NZL needs 16 days") == 2


def test_a_player_bound_by_the_rule_is_told_and_its_own_choice_recorded(tmp_path, monkeypatch,
                                                                       capsys):
    answers = iter(["1"] * 50)  # New Zealand takes every first option offered
    monkeypatch.setattr("builtins.input", lambda _: next(answers))
    out = tmp_path / "formal"
    assert main(["run", "indo_pacific_contingency", "--rule", "formal", "--seed", "3",
                 "--player", "NZL", "--out", str(out)]) == 0
    assert "the group's position binds its members: NZL will take" in capsys.readouterr().out
    bound = [e for e in read_events(out / "events.jsonl") if isinstance(e, Choice)
             and e.actor == "NZL" and e.bound_from is not None]
    assert bound and all(e.by == "human, bound by formal" and e.option == e.group
                         and e.bound_from != e.option for e in bound)
    assert "'s team chose" in (out / "report.md").read_text()


def test_a_game_from_a_relative_scenario_path_resumes_from_another_directory(
        tmp_path, monkeypatch, capsys):
    from scenarios.loader import load_scenario

    (tmp_path / "scen").mkdir()
    (tmp_path / "scen" / "mine.yaml").write_bytes(
        Path(load_scenario("dprk_provocation").path).read_bytes())
    monkeypatch.chdir(tmp_path)
    answers = iter(["1"])  # one answer, then the input ends: the game is saved

    def one_answer(_):
        for answer in answers:
            return answer
        raise EOFError

    monkeypatch.setattr("builtins.input", one_answer)
    assert main(["run", "scen/mine.yaml", "--player", "JPN", "--out", "game"]) == 1  # stopped
    manifest = json.loads((tmp_path / "game" / "manifest.json").read_text())
    assert manifest["status"] == "in progress"
    assert manifest["scenario"]["file"] == str(tmp_path / "scen" / "mine.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr("builtins.input", lambda _: "1")
    capsys.readouterr()
    assert main(["run", "--resume", str(tmp_path / "game")]) == 0, capsys.readouterr().err


def test_a_replay_line_that_is_no_event_is_named_by_its_line_and_field(tmp_path, capsys):
    played = tmp_path / "played"
    assert main(["run", "ukraine_response", "--seed", "3", "--quiet", "--out",
                 str(played)]) == 0
    lines = (played / "events.jsonl").read_text().splitlines()
    lines[3] = '{"turn": 1, "kind": "choice", "decision": "sanctions"}'
    lines[5] = "not json"
    (played / "events.jsonl").write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    assert main(["run", "ukraine_response", "--seed", "3", "--replay",
                 str(played / "events.jsonl"), "--out", str(tmp_path / "again")]) == 2
    err = capsys.readouterr().err
    assert f"error: {played / 'events.jsonl'}:4: choice.actor: Field required" in err
    assert f"{played / 'events.jsonl'}:6: not a JSON line" in err
    assert "Traceback" not in err and "pydantic.dev" not in err
    assert not (tmp_path / "again").exists()


def test_a_finished_game_suggests_a_replay_that_works_as_typed(tmp_path, capsys):
    """The replay reads the scenario, rule, seed and what-ifs from the run's manifest."""
    played = tmp_path / "played"
    assert main(["run", "dprk_provocation", "--rule", "formal", "--seed", "5", "--set",
                 "NZL.capability=0.3", "--quiet", "--out", str(played)]) == 0
    capsys.readouterr()
    assert main(["run", "--resume", str(played)]) == 2
    suggested = capsys.readouterr().err.split("`")[1].split()
    assert suggested[:3] == ["ip4sim", "run", "--replay"]
    assert main(suggested[1:] + ["--quiet"]) == 0
    again = Path(suggested[-1])
    assert (again / "events.jsonl").read_text() == (played / "events.jsonl").read_text()
    assert main(["run", "--replay", str(played / "events.jsonl"), "--seed", "6",
                 "--out", str(tmp_path / "x")]) == 2
    assert "--seed would be ignored" in capsys.readouterr().err


def test_a_member_the_rule_cannot_bind_yet_is_not_told_it_is_bound():
    """In ukraine_2022 under formal, the group's broad sanctions are beyond New Zealand's law
    in turn 1: the rule cannot bind it, so its seat is not told it will take them."""
    from sim.protocol import HumanSeat
    from sim.request import RunRequest
    from sim.runner import build

    checked = RunRequest(scenario="ukraine_2022", rule="formal", seed=1,
                         players=("NZL",)).check()
    model = build(checked, {"NZL": HumanSeat()})
    while (waiting := model.advance()) and waiting[0].stage != "choice":
        model.answer("NZL", waiting[0].engine, by="human", stage=waiting[0].stage)
    (request,) = waiting
    assert request.group_option in request.unready and not request.binding
    model.answer("NZL", "none", by="human", stage="choice")
    model.advance()
    (choice,) = [e for e in model.events if isinstance(e, Choice) and e.actor == "NZL"]
    assert choice.option == "none" and choice.by == "human" and choice.bound_from is None


def test_why_says_who_chose_what_a_rule_bound_and_what_china_is(tmp_path, capsys):
    out = tmp_path / "formal"
    assert main(["run", "ukraine_response", "--rule", "formal", "--seed", "7", "--quiet",
                 "--out", str(out)]) == 0
    bound = next(e for e in read_events(out / "events.jsonl") if isinstance(e, Choice)
                 and e.bound_from is not None)
    capsys.readouterr()
    assert main(["why", str(out), "--turn", str(bound.turn), "--actor", bound.actor]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "bound to it by the formal rule" in said and "chosen by engine" not in said
    assert "the engine drew " in said and "the rule bound it to the group's option" in said
    assert main(["why", str(out), "--turn", "5", "--actor", "CHN"]) == 2
    assert "China and Russia make no choices to explain" in capsys.readouterr().err


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_a_terminal_game_killed_keeps_the_answers_given(how, tmp_path):
    """A terminal closed (SIGHUP), a kill (SIGTERM) or a hard kill (SIGKILL) loses no
    answer given: the game is saved before each question, and the first two stop it as the
    end of input does."""
    import signal
    import subprocess
    import sys
    import time

    from sim.outputs import read_manifest

    out = tmp_path / "game"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "run", "ukraine_response", "--seed", "3",
         "--player", "JPN", "--out", str(out)], cwd=Path(__file__).parent.parent,
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    proc.stdin.write("1\n1\n")  # Japan's intention and choice in turn 1; then it waits
    proc.stdin.flush()

    def answered() -> int:  # Japan's answers the folder holds: its choices, its intentions
        try:
            text = (out / "events.jsonl").read_text()
        except OSError:
            return 0
        return text.count('"by":"human"') + text.count('"JPN":"human"')

    deadline = time.monotonic() + 120
    while answered() < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(getattr(signal, how))
    _, err = proc.communicate(timeout=60)
    assert answered() >= 2, err  # both answers are in the folder, however it ended
    assert read_manifest(out).status == "in progress"
    if how != "SIGKILL":
        assert proc.returncode == 1 and f"stopped ({how} received)" in err
        assert f"Go on with: ip4sim run --resume {out}" in err
