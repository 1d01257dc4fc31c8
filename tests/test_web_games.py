"""The games a server holds and the white cell's hooks into the engine: held choices
recorded as the facilitator's, released injects, seats and their codes; each kept
across take-back, resume and replay."""

import pytest

from scenarios.errors import InputError
from scenarios.schema import Inject
from sim.outputs import (
    Choice,
    DecisionOpened,
    GroupStance,
    InjectFired,
    InjectReleased,
    read_events,
    read_manifest,
    to_jsonl,
)
from sim.protocol import FacilitatorSeat
from sim.request import RunRequest
from sim.runner import (
    build,
    pending_of,
    release_recorded,
    result_of,
    resume,
    take_back,
    write_run,
)
from sim.web.games import TIMED_OUT, Games, Refused, SeatRefused

SCENARIO = "dprk_provocation"
SPOT = {"id": "ferry_sunk", "turn": 1, "title": "A ferry is sunk",
        "synopsis": "A ferry sinks near the line.",
        "effects": [{"var": "dprk_threat", "set": 0.95}], "opens": []}


def spot_inject(**changes) -> Inject:
    """An inject written on the spot (its turn is not consulted: it fires when released)."""
    return Inject.model_validate({**SPOT, **changes})


def manifest_players(folder):
    return read_manifest(folder).players


def play_out(game, pick=lambda request: request.engine):
    """Answer every seat's prompts and go on to the last turn."""
    while not game.model.finished:
        for request in list(game.model.waiting):
            game.answer(request.actor, pick(request), request.stage)
        if not game.next_refused:  # the last answer may end the game
            game.next_turn()


@pytest.fixture
def games(tmp_path):
    return Games(runs=tmp_path)


def test_a_held_engine_choice_is_the_facilitators_and_survives_take_back_and_resume(
        games, tmp_path):
    game = games.start(SCENARIO, seed=3, people=("JPN",))
    game.hold("AUS")
    while not game.held_requests():
        for request in game.waiting_for("JPN"):
            game.answer("JPN", request.engine, request.stage)
        if not game.model.waiting:
            game.next_turn()
    held = game.held_requests()[0]
    other = next(o.id for o in held.decision.options if o.id != held.engine)
    game.override("AUS", other)
    for request in game.waiting_for("JPN"):  # Japan's choice was asked with Australia's
        game.answer("JPN", request.engine, request.stage)
    turn = held.turn
    chosen = [e for e in game.model.events if isinstance(e, Choice) and e.actor == "AUS"
              and e.turn == turn and e.decision == held.decision.id]
    assert [(e.option, e.by) for e in chosen] == [(other, "facilitator")]

    game.model.advance(until_turn=turn)  # the turn played out, then taken back after it
    later = take_back(game.model, turn + 1)
    again = [e for e in later.events if isinstance(e, Choice) and e.by == "facilitator"]
    assert [(e.turn, e.actor, e.option) for e in again] == [(turn, "AUS", other)]
    assert later.waiting == [] or all(r.actor == "JPN" for r in later.waiting)
    assert result_of(later).players == {"JPN": "human", "AUS": "facilitator"}

    game.write_report()
    debrief = (game.out / "report.md").read_text(encoding="utf-8")
    assert "- Australia: " in debrief and "1 choice by the facilitator" in debrief
    label = held.decision.option(other).label  # the room's words, not ids
    assert f"| {turn} | {held.decision.question} | Australia | facilitator | {label} |" \
        in debrief
    assert "<table>" in (game.out / "report.html").read_text(encoding="utf-8")
    assert manifest_players(game.out) == {"JPN": "human", "AUS": "facilitator"}
    resumed = resume(game.out)
    assert [e for e in resumed.events if isinstance(e, Choice) and e.by == "facilitator"] \
        == again


def test_a_released_inject_fires_next_turn_and_a_replay_releases_it_again(games):
    game = games.start(SCENARIO, seed=5)
    turn = game.release(spot_inject())
    assert turn == game.turn + 1
    game.next_turn()
    fired = [e for e in game.model.events if e.turn == turn
             and isinstance(e, InjectReleased | InjectFired) and "ferry" in str(e)]
    assert [e.kind for e in fired] == ["released", "inject"]
    assert fired[1].world == {"dprk_threat": 0.95}
    play_out(game)
    game.write_report()

    assert "released *A ferry is sunk*" in (game.out / "report.md").read_text(encoding="utf-8")
    recorded = read_events(game.out / "events.jsonl")
    replay = build(game.model.checked)
    release_recorded(replay, recorded)
    replay.run()
    assert [e.model_dump() for e in replay.events] == [e.model_dump() for e in recorded]
    before = take_back(game.model, turn)  # taken back to the turn: the release is undone
    before.advance()
    assert not any(isinstance(e, InjectReleased) for e in before.events)


def test_a_contingency_inject_can_be_released_once_and_a_bad_one_is_named(games):
    game = games.start(SCENARIO, seed=2)
    contingency = game.contingencies()[0]
    game.release(contingency.id)
    assert contingency not in game.contingencies()
    with pytest.raises(InputError, match="no contingency inject"):
        game.release(contingency.id)
    with pytest.raises(InputError) as bad:
        game.release(spot_inject(id="other", effects=[{"var": "dprk_thret", "set": 1.0}],
                                 opens=["no_such_decision"]))
    fields = {p.field for p in bad.value.problems}
    assert fields == {"effects.0.var", "opens.0"}


def test_two_games_on_one_server_do_not_see_each_other(games):
    one = games.start(SCENARIO, seed=1, people=("JPN",))
    two = games.start(SCENARIO, seed=1, people=("JPN",))
    assert one.id != two.id and one.model is not two.model
    request = one.waiting_for("JPN")[0]
    one.answer("JPN", request.decision.options[0].id, request.stage)
    assert two.model.waiting and two.waiting_for("JPN")[0].key == request.key  # untouched
    assert len(one.model.events) > len(two.model.events) or one.model.waiting != \
        two.model.waiting
    one.release(spot_inject())
    assert two.model.timeline.released == {}


def test_a_seat_needs_its_code_beyond_this_machine_and_answers_only_for_itself(tmp_path):
    local = Games(runs=tmp_path)
    game = local.start(SCENARIO, seed=1, people=("JPN", "KOR"))
    assert local.seat(game.id, "JPN", None).prompts()  # on this machine: no code needed

    room = Games(host="0.0.0.0", runs=tmp_path)
    game = room.start(SCENARIO, seed=1, people=("JPN", "KOR"))
    with pytest.raises(SeatRefused, match="join code"):
        room.seat(game.id, "JPN", None)
    with pytest.raises(SeatRefused, match="join code"):
        room.seat(game.id, "JPN", game.codes["KOR"])
    with pytest.raises(SeatRefused, match="not played by people"):
        room.seat(game.id, "AUS", game.codes["JPN"])
    assert local.console_allowed(None) and not room.console_allowed(None)
    assert not room.console_allowed("guess") and room.console_allowed(room.console_key)
    japan = room.seat(game.id, "JPN", game.codes["JPN"])
    korea_request = room.seat(game.id, "KOR", game.codes["KOR"]).prompts()[0]
    assert all(r.actor == "JPN" for r in japan.prompts())
    with pytest.raises(SeatRefused, match="cannot answer for KOR"):
        japan.answer(korea_request, korea_request.engine)


def test_only_the_library_and_the_named_folders_can_be_opened(tmp_path):
    (tmp_path / "mine.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    games = Games(folders=(tmp_path,), runs=tmp_path / "runs")
    with pytest.raises(InputError, match="not in the built-in library"):
        games.start("/etc/passwd.yaml")
    with pytest.raises(InputError) as bad:
        games.start(str(tmp_path / "mine.yaml"))
    assert bad.value.problems[0].line is not None


def test_a_facilitator_seat_answers_as_the_engine_unless_it_holds():
    seat = FacilitatorSeat()
    model = build(RunRequest(scenario=SCENARIO, seed=4).check(), {"JPN": seat})
    model.advance()
    assert model.waiting == []  # nothing held: the engine answered throughout
    assert {e.by for e in model.events if isinstance(e, Choice) and e.actor == "JPN"} \
        == {"engine"}


class Clock:
    """A clock the test moves by hand: no sleeping."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_seat_whose_time_runs_out_is_answered_by_the_engine_and_recorded_so(tmp_path):
    clock = Clock()
    games = Games(runs=tmp_path, clock=clock)
    game = games.start(SCENARIO, seed=1, people=("JPN", "KOR"), time_limit=60)
    japan, korea = game.waiting_for("JPN")[0], game.waiting_for("KOR")[0]
    game.answer("KOR", korea.engine, korea.stage)
    clock.now += 59
    assert game.tick() == [] and game.time_left(japan) == pytest.approx(1)
    clock.now += 1
    assert [r.key for r in game.tick()] == [japan.key]
    assert japan.key not in {r.key for r in game.model.waiting}
    stated = [e for e in game.model.events if isinstance(e, GroupStance)
              and e.turn == japan.turn]
    assert stated[0].stated_by == {"JPN": TIMED_OUT, "KOR": "human"}
    game.write_report()  # the run folder keeps who answered through a resume
    kept = [e for e in resume(game.out).events if isinstance(e, GroupStance)]
    assert kept[0].stated_by == stated[0].stated_by
    with pytest.raises(ValueError, match="above 0"):
        game.set_time_limit(0)


def test_a_paused_game_takes_no_answer_and_its_clocks_stop(tmp_path):
    clock = Clock()
    games = Games(runs=tmp_path, clock=clock)
    game = games.start(SCENARIO, seed=1, people=("JPN",), time_limit=30)
    request = game.waiting_for("JPN")[0]
    clock.now += 10
    game.pause()
    assert games.seat(game.id, "JPN", None).game.paused
    with pytest.raises(ValueError, match="paused"):
        game.answer("JPN", request.engine, request.stage)
    with pytest.raises(ValueError, match="paused"):
        game.next_turn()
    clock.now += 1000  # a long pause: the seat's time does not run
    assert game.tick() == [] and game.time_left(request) == pytest.approx(20)
    game.play_on()
    assert game.time_left(request) == pytest.approx(20)
    clock.now += 20
    assert [r.key for r in game.tick()] == [request.key]


def test_a_branch_plays_a_second_line_from_a_turn_and_both_are_compared(games):
    game = games.start(SCENARIO, seed=2, people=("JPN",))
    play_out(game)
    kept = list(game.model.events)
    branch = games.branch(game.id, 2)
    assert branch.id != game.id and branch.out != game.out and branch.codes == game.codes
    assert branch.model.events == [e for e in kept if e.turn < 2]  # the shared record
    play_out(branch, pick=lambda r: r.decision.options[-1].id)  # Japan plays another line
    assert game.model.events == kept  # the original line is left as it stood
    japan = [[(e.turn, e.option) for e in line.model.events
              if isinstance(e, Choice) and e.actor == "JPN" and e.turn >= 2]
             for line in (game, branch)]
    assert japan[0] != japan[1]
    assert games.lines(branch.id) == [game, branch] == games.lines(game.id)
    assert game.outcomes().keys() == branch.outcomes().keys() >= {"cohesion", "joint_rate"}
    with pytest.raises(ValueError, match="not been played"):
        games.branch(game.id, game.model.turns_done + 2)


def test_an_option_not_open_yet_is_refused_in_words_and_the_question_stays_open(games):
    game = games.start("ukraine_2022", seed=1, people=("NZL",))
    (request,) = game.waiting_for("NZL")
    assert "broad" in request.unready  # a new law takes New Zealand 16 days
    with pytest.raises(Refused, match="'broad' cannot be chosen yet: NZL needs 16 days"):
        games.seat(game.id, "NZL", None).answer(request, "broad")
    assert [r.key for r in game.waiting_for("NZL")] == [request.key]
    game.answer("NZL", request.engine, request.stage)
    with pytest.raises(Refused, match="no open question for NZL"):  # a page drawn before
        game.answer("NZL", request.engine, request.stage)


def test_a_paused_or_finished_game_refuses_each_white_cell_action_in_words(games):
    game = games.start(SCENARIO, seed=3, people=("JPN",))
    game.hold("AUS")
    game.pause()
    for action in (lambda: game.engine_answers("JPN"), game.next_turn,
                   lambda: game.override("AUS", "anything"),
                   lambda: game.answer("JPN", "anything", "intention")):
        with pytest.raises(Refused, match="the game is paused"):
            action()
    assert game.next_refused == game.stopped == "the game is paused: the facilitator " \
                                                "plays on first"
    game.play_on()
    assert game.next_refused == "the turn waits for JPN"
    with pytest.raises(Refused, match="waits for JPN"):
        game.next_turn()
    play_out(game)
    for action in (lambda: game.engine_answers("JPN"), game.next_turn):
        with pytest.raises(Refused, match="the game is over"):
            action()


def test_an_inject_needs_a_title_and_a_turn_to_come(games):
    game = games.start(SCENARIO, seed=1)
    with pytest.raises(InputError, match="title: a title is required"):
        game.release(spot_inject(title="  "))
    assert game.model.timeline.released == {}
    play_out(game)
    with pytest.raises(InputError) as late:
        game.release(spot_inject())
    assert str(late.value) == ("inject: turn: the game is over: no turn is left to release "
                               "an inject into")


def test_a_take_back_keeps_the_holds_and_names_the_releases_it_undoes(games):
    game = games.start(SCENARIO, seed=3)  # nobody seated: turn 1 is played
    game.hold("AUS")
    assert game.take_back(1) == []  # before Australia was asked: the hold stands
    game.next_turn()
    (held,) = game.held_requests()
    game.override("AUS", held.engine)
    game.next_turn()
    game.next_turn()
    game.release(game.contingencies()[0].id)  # after turn 3, into turn 4
    released = game.model.timeline.released[4][0].inject
    game.next_turn()
    assert not game.held_requests()
    undone = game.take_back(held.turn)  # before the override and the release
    assert [(r.turn, r.inject.id) for r in undone] == [(4, released.id)]
    assert released in game.contingencies()  # to be released again, if it still applies
    game.next_turn()  # Australia's overridden choice is put to the facilitator again
    assert [r.key for r in game.held_requests()] == [held.key]


def test_the_take_backs_are_kept_and_the_debrief_says_what_each_undid(games, tmp_path):
    game = games.start(SCENARIO, seed=3)  # nobody seated: turn 1 is played
    game.hold("AUS")
    game.take_back(1)  # before anything people did; Australia is asked in turn 1
    game.next_turn()
    (held,) = game.held_requests()
    game.override("AUS", held.engine)
    game.release(game.contingencies()[0].id)
    title = game.model.timeline.released[held.turn + 1][0].inject.title
    label = next(e.options[held.engine] for e in game.model.events
                 if e.kind == "decision" and e.decision == held.decision.id)
    game.next_turn()
    game.take_back(held.turn)
    (first, second) = read_manifest(game.out).console.taken_back
    assert (first.at_turn, first.to_turn, first.releases, first.choices) == (1, 1, [], [])
    assert (second.at_turn, second.to_turn, second.releases) == (held.turn + 1, held.turn,
                                                                 [title])
    assert [(c.actor, c.option, c.by) for c in second.choices] == [("AUS", label,
                                                                    "facilitator")]

    again = Games(runs=tmp_path).reopen(game.out)  # kept across a restart
    assert again.taken_back == game.taken_back
    report = (again.write_report() / "report.md").read_text()
    assert "The white cell took the game back **2 times**" in report
    assert f"Australia's choice of *{label}*" in report and f"the release of *{title}*" in report
    assert "at turn 1, to the start of turn 1: no choice by people, no release" in report


def test_a_take_back_mid_turn_names_what_people_answered_and_a_refused_one_is_not_kept(
        games):
    game = games.start(SCENARIO, seed=3, people=("JPN", "KOR"))
    for actor in ("JPN", "KOR"):  # both state their intentions: the round is recorded
        (request,) = game.waiting_for(actor)
        game.answer(actor, pick(request), request.stage)
    (request,) = game.waiting_for("JPN")  # Japan chooses; Korea has still to
    game.answer("JPN", pick(request), request.stage)
    game.write_report()
    with pytest.raises(Refused):
        game.take_back(game.turn + 5)  # refused: nothing is taken back, nothing kept
    assert game.taken_back == [] and (game.out / "report.md").exists()
    game.take_back(1)
    (took,) = read_manifest(game.out).console.taken_back
    assert sorted((c.actor, c.stage) for c in took.choices) == [
        ("JPN", "choice"), ("JPN", "intention"), ("KOR", "intention")]
    assert not any((game.out / name).exists() for name in ("report.md", "summary.png"))
    report = (game.write_report() / "report.md").read_text()
    assert "Japan's stated intention of *" in report and "Japan's choice of *" in report


def test_a_branch_says_which_releases_it_does_not_carry(games):
    game = games.start(SCENARIO, seed=3)  # nobody seated: turn 1 is played
    game.next_turn()
    game.release(game.contingencies()[0].id)  # after turn 2, into turn 3: not fired yet
    title = game.model.timeline.released[3][0].inject.title
    branch = games.branch(game.id, 2)
    assert [(r.turn, r.inject.title) for r in branch.not_carried] == [(3, title)]
    assert games.branch(game.id, 1).not_carried == branch.not_carried
    assert games.branch(branch.id, 1).not_carried == []  # the branch never had it


def test_a_game_is_kept_in_its_run_folder_turn_by_turn_and_resumes_from_it(games):
    from sim.outputs import read_events, read_manifest
    from sim.runner import resume

    game = games.start(SCENARIO, seed=3, people=("JPN",))
    assert read_manifest(game.out).status == "in progress"  # kept from its first turn
    while game.waiting_for("JPN") and game.turn < 3:
        (request, *_) = game.waiting_for("JPN")
        game.answer("JPN", request.engine, request.stage)
        if not game.model.waiting:
            game.next_turn()
    assert read_events(game.out / "events.jsonl") == game.model.events  # as it stands
    again = resume(game.out)  # the server stopped: the game stands as it stood
    assert again.events == game.model.events and again.turns_done == game.model.turns_done
    assert [r.key for r in again.waiting] == [r.key for r in game.model.waiting]
    assert again.advance() and again.waiting[0].actor == "JPN"  # on to the next question


def test_a_game_whose_folder_cannot_be_written_goes_on_and_says_so(games, tmp_path):
    game = games.start(SCENARIO, seed=3)
    (tmp_path / "blocked").write_text("a file where the run folder should be")
    game.out = tmp_path / "blocked"
    game.next_turn()  # no traceback: the turn is played, the console told
    assert game.model.turns_done == 2 and "could not be saved" in game.unsaved
    game.out = tmp_path / "free"
    game.next_turn()
    assert game.unsaved == "" and (game.out / "events.jsonl").is_file()
    saved = (game.out / "events.jsonl").stat().st_mtime_ns
    game.pause()  # nothing played: the folder is not written again
    assert (game.out / "events.jsonl").stat().st_mtime_ns == saved


# -- a game picked up again after the server stopped --------------------------------------

def pick(request):
    """The answer the tests give, a team's or the facilitator's: the last option."""
    return request.decision.options[-1].id


def answer_japan(game):
    (request, *_) = game.waiting_for("JPN")
    game.answer("JPN", pick(request), request.stage)


def release_both(game):
    game.hold("AUS")  # Australia's next choice, in turn 3, is the facilitator's
    game.release(spot_inject())  # into turn 3


def release_contingency(game):
    game.release("sidelines_meeting")  # into the turn after the one under way


def override_held(game):
    (held,) = game.held_requests()
    game.override(held.actor, pick(held))


# Japan's intention and choice in turn 1; turn 2 (nobody is asked); a hold and a release;
# turn 3 (the release fires), a contingency released into turn 4, Japan's intention, then
# Japan's and Australia's choices (Australia's held): a game may stop after any step.
STEPS = [answer_japan, answer_japan, lambda g: g.next_turn(), release_both,
         lambda g: g.next_turn(), release_contingency, answer_japan, override_held,
         answer_japan]


def play_steps(game, steps):
    for step in steps:
        step(game)


def finish(game, steps=tuple(STEPS)):
    play_steps(game, steps)
    play_out(game, pick)
    return game


def test_a_branch_reopened_after_the_server_stopped_knows_the_line_it_left(tmp_path):
    first = Games(runs=tmp_path)
    game = first.start(SCENARIO, seed=3)
    game.next_turn()
    game.release(game.contingencies()[0].id)  # into turn 3: the branch at 2 leaves it
    branch = first.branch(game.id, 2)
    assert read_manifest(branch.out).console.branched.folder == game.out.name
    assert read_manifest(game.out).console.branched is None
    report = (branch.write_report() / "report.md").read_text()  # the room tells them apart
    assert (f"branched** from the game saved in `{game.out.name}` at the start of turn 2; "
            f"it does not carry what was released there from that turn on: "
            f"*{branch.not_carried[0].inject.title}* (turn 3).") in report
    assert "branched**" not in (game.write_report() / "report.md").read_text()

    server = Games(runs=tmp_path)  # the server started again: the branch is opened first
    again = server.reopen(branch.out)
    assert again.branched == branch.branched and again.not_carried == branch.not_carried
    assert again.not_carried and server.lines(again.id) == [again]
    assert server.origin_name(again) == f"the saved game `{game.out.name}`"
    origin = server.reopen(game.out)  # new ids both, one family again
    assert server.lines(again.id) == [again, origin] == server.lines(origin.id)
    assert server.origin_name(again) == f"`{origin.id}`" != f"`{game.id}`"


# stopped between turns; in a turn: before Japan's intention, with the held request open,
# with the facilitator's answer given (Japan's still to come)
@pytest.mark.parametrize("stop", [4, 6, 7, 8])
def test_a_game_reopened_after_the_server_stopped_plays_on_with_the_white_cells_settings(
        tmp_path, stop):
    whole = finish(Games(runs=tmp_path / "a").start(
        SCENARIO, seed=3, people=("JPN",), show_engine=False, time_limit=600))
    first = Games(runs=tmp_path / "b")
    game = first.start(SCENARIO, seed=3, people=("JPN",), show_engine=False, time_limit=600)
    play_steps(game, STEPS[:stop])
    saved = read_manifest(game.out)
    assert saved.pending == pending_of(game.model) and saved.pending is not None
    assert saved.console.time_limit == 600 and saved.console.show_engine is False

    server = Games(runs=tmp_path / "b")  # the server started again
    (listed,) = server.saved()
    assert listed.folder == game.out and listed.record.status == "in progress"
    again = server.reopen(listed.folder)
    assert server.reopen(game.out) is again and server.saved() == []  # open once
    assert again.out == game.out and again.people == ["JPN"] and again.paused
    assert again.time_limit == 600 and again.show_engine is False
    assert again.model.events == game.model.events
    assert [r.key for r in again.model.waiting] == [r.key for r in game.model.waiting]
    assert again.holds_from(again.turn + 1) == game.holds_from(game.turn + 1)
    assert again.model.timeline.released == game.model.timeline.released
    folder_text = "".join(p.read_text() for p in game.out.iterdir())
    assert not any(code in folder_text for code in [*again.codes.values(),
                                                    *game.codes.values()])
    with pytest.raises(Refused, match="paused"):  # the seats get their new codes first
        again.next_turn()
    again.play_on()
    play_steps(again, STEPS[stop:])
    play_out(again, pick)
    assert to_jsonl(again.model.events) == to_jsonl(whole.model.events)
    assert (again.out / "events.jsonl").read_text() == to_jsonl(whole.model.events)
    assert read_manifest(again.out).status == "complete"
    by = {(e.actor, e.by) for e in again.model.events if isinstance(e, Choice) and e.turn == 3
          and e.actor in ("AUS", "JPN")}
    assert by == {("AUS", "facilitator"), ("JPN", "human")}  # the hold held after the stop
    fired = [e.inject for e in again.model.events if isinstance(e, InjectFired)]
    assert {"ferry_sunk", "sidelines_meeting"} <= set(fired)


def test_a_game_stopped_in_the_browser_goes_on_at_the_terminal_with_its_hold_and_release(
        tmp_path, monkeypatch, capsys):
    from sim.cli import main

    at_the_terminal = [step for step in STEPS if step is not release_contingency]
    whole = finish(Games(runs=tmp_path / "a").start(SCENARIO, seed=3, people=("JPN",)),
                   at_the_terminal)
    game = Games(runs=tmp_path / "b").start(SCENARIO, seed=3, people=("JPN",))
    play_steps(game, STEPS[:4])  # between turns 2 and 3, the hold and the release set

    def typed(prompt: str) -> str:  # "JPN chooses (1-3 or id): ": the last option
        return prompt.split("(1-")[1].split(" ")[0]

    monkeypatch.setattr("builtins.input", typed)
    assert main(["run", "--resume", str(game.out)]) == 0, capsys.readouterr().err
    assert "[AUS, held: the facilitator answers] turn 3" in capsys.readouterr().out
    assert (game.out / "events.jsonl").read_text() == to_jsonl(whole.model.events)


def test_only_a_game_is_reopened_and_any_other_folder_is_named_for_what_it_holds(
        games, tmp_path):
    from sim.runner import play

    alone = write_run(play(RunRequest(scenario=SCENARIO, seed=1).check()), tmp_path / "alone")
    with pytest.raises(InputError, match="holds a run the engine played alone .* --replay"):
        games.reopen(alone)
    (tmp_path / "cmp").mkdir()
    (tmp_path / "cmp" / "manifest.json").write_text('{"kind": "compare"}')
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("not a run")
    for folder, holds in (("cmp", "holds a comparison"), ("notes", "holds files but no "
                                                                   "manifest.json"),
                          ("nowhere", "is empty or does not exist")):
        with pytest.raises(InputError, match=f"{holds}: not a saved game: nothing to open"):
            games.reopen(tmp_path / folder)
    assert games.games == {} and games.saved() == []  # none of them is listed either


def test_the_saved_games_list_the_ones_in_progress_first_and_a_finished_one_opens(games):
    done = games.start(SCENARIO, seed=1)
    play_out(done)
    stopped = games.start(SCENARIO, seed=2, people=("JPN",))
    server = Games(runs=games.runs)
    assert [(s.folder, s.record.status) for s in server.saved()] == [
        (stopped.out, "in progress"), (done.out, "complete")]
    shown = server.reopen(done.out)  # to show and debrief: nothing to pause
    assert shown.model.finished and not shown.paused and shown.stopped == "the game is over"
    assert shown.model.events == done.model.events and shown.write_report().is_dir()


def test_serve_opens_the_saved_games_it_is_given_and_refuses_any_other_folder(
        games, tmp_path, monkeypatch, capsys):
    import socket

    import uvicorn

    from sim.cli import main
    from sim.web import pages

    stopped = games.start(SCENARIO, seed=2, people=("JPN",))
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("not a run")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    assert main(["serve", "--port", port, "--resume", str(tmp_path / "notes")]) == 2
    assert f"error: {tmp_path / 'notes'}: holds files but no manifest.json: not a saved " \
           "game: nothing to open" in capsys.readouterr().err
    monkeypatch.setenv("SOLARA_APP", "sim.web.pages")
    monkeypatch.setattr(pages, "REGISTRY", pages.REGISTRY)  # serve configures its own
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)  # served: no server
    assert main(["serve", "--port", port, "--resume", str(stopped.out)]) == 0
    (game,) = pages.REGISTRY.games.values()
    assert game.out == stopped.out and game.paused
    assert f"  {stopped.out}: game {game.id}, turn 1 (paused: play on from the console): " \
           f"http://127.0.0.1:{port}/?game={game.id}" in capsys.readouterr().out


def test_the_debrief_lists_the_releases_apart_from_the_peoples_table(games):
    game = games.start(SCENARIO, seed=3, people=("JPN",))
    answer_japan(game)
    answer_japan(game)
    game.release(spot_inject())
    game.next_turn()
    lines = (game.write_report() / "report.md").read_text().splitlines()
    (first,) = [k for k, line in enumerate(lines) if " released *" in line]
    assert lines[first - 1] == "" and lines[first - 2].startswith("| 1 |")  # not a table row
    html = (game.out / "report.html").read_text()
    assert "<td>- Turn" not in html and "released <em>" in html


def test_a_browser_game_resumed_at_the_terminal_is_still_a_game(games):
    from sim.web.games import is_game

    game = games.start(SCENARIO, seed=3)  # nobody seated: the white cell alone
    at_terminal = read_manifest(game.out).model_copy(update={"command": ["ip4sim", "run"]})
    assert is_game(at_terminal)  # its console's settings say where it was played
    held = at_terminal.model_copy(update={"console": None, "players": {"AUS": "facilitator"}})
    assert is_game(held)  # the white cell answered in it
    assert not is_game(held.model_copy(update={"players": {}}))


def test_the_debrief_names_the_engines_option_for_a_seat_whose_time_ran_out(tmp_path):
    clock = Clock()
    game = Games(runs=tmp_path, clock=clock).start(SCENARIO, seed=1, people=("JPN",),
                                                    time_limit=60)
    answer_japan(game)  # its intention; its choice is left to run out
    (choice,) = game.waiting_for("JPN")
    clock.now += 60
    assert [r.key for r in game.tick()] == [choice.key]
    label = next(e.options[choice.engine] for e in game.model.events
                 if isinstance(e, DecisionOpened) and e.decision == choice.decision.id)
    report = (game.write_report() / "report.md").read_text()
    row = next(line for line in report.splitlines() if f"| {TIMED_OUT} |" in line)
    assert row.endswith(f"| {label} |") and "unrecorded" not in row


def test_the_lines_of_a_game_reopened_share_each_teams_code(tmp_path):
    first = Games(runs=tmp_path, host="0.0.0.0")  # beyond this machine: codes required
    game = first.start(SCENARIO, seed=3, people=("JPN",))
    answer_japan(game)
    answer_japan(game)
    branch = first.branch(game.id, 1)
    assert branch.codes == game.codes != {}
    server = Games(runs=tmp_path, host="0.0.0.0")
    again, origin = server.reopen(branch.out), server.reopen(game.out)
    assert origin.codes == again.codes and set(again.codes) == {"JPN"}
    assert again.codes != game.codes  # new codes, never written: the old ones open nothing
    assert server.seat(origin.id, "JPN", again.codes["JPN"])  # one code, every line


def test_a_line_whose_manifest_names_itself_as_its_origin_is_a_family_of_one(games):
    from sim.outputs import BranchOrigin

    game = games.start(SCENARIO, seed=3)
    game.branched = BranchOrigin(folder=game.out.name, turn=1)  # as if edited by hand
    assert games.lines(game.id) == [game] and games.root_of(game) is game
