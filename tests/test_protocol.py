"""The turn as a protocol: people's intentions count, a game waits, saves, resumes and
takes back a turn, and everything else stays as the engine plays it."""

import pytest

from sim.model import IP4Model, SeatsWaiting
from sim.outputs import GroupStance, JointPosition, read_events, read_manifest, to_jsonl
from sim.protocol import HumanSeat
from sim.request import RunRequest
from sim.runner import build, result_of, resume, take_back, write_run


class Team:
    """A team that answers at once, always the option at one place in the list (or the
    option ``odd`` for one of its members), stated as its intention and chosen."""

    name = "human"

    def __init__(self, pick):
        self.pick = pick

    def answer(self, request):
        options = [o.id for o in request.decision.options]
        return options[min(self.pick, len(options) - 1)]


def joint_and_stances(rule, seats, scenario="dprk_provocation", seed=3):
    model = IP4Model(scenario, rule, seed, seats=seats).run()
    joints = [e for e in model.events if isinstance(e, JointPosition)]
    stances = [e for e in model.events if isinstance(e, GroupStance)]
    return joints, stances


def test_four_teams_that_agree_speak_together_under_the_caucus():
    teams = {code: Team(1) for code in ("AUS", "JPN", "KOR", "NZL")}
    joints, stances = joint_and_stances("caucus", teams)
    assert len(joints) == len(stances) > 0  # every question: the four as one
    assert all(set(s.stated_by) == set(teams) and s.stated_by["JPN"] == "human"
               for s in stances)
    assert all(len(set(s.intentions.values())) == 1 for s in stances)


def test_a_team_that_picks_another_option_is_left_out_of_the_coalition():
    teams = {code: Team(1) for code in ("AUS", "JPN", "KOR")} | {"NZL": Team(0)}
    joints, _ = joint_and_stances("coalition:k=3", teams)
    assert joints and all(set(j.members) == {"AUS", "JPN", "KOR"} for j in joints)
    caucus, _ = joint_and_stances("caucus", teams)
    assert not caucus  # the caucus speaks only when all four hold the group's option


def answers_for(request):
    """A scripted room: every person takes the engine's own second option."""
    options = [o.id for o in request.decision.options]
    return options[1] if len(options) > 1 else options[0]


def play_room(model, stop_after=None):
    """Answer every waiting request like a room of people would; stop after some."""
    given = 0
    while waiting := model.advance():
        for request in waiting:
            if stop_after is not None and given == stop_after:
                return model
            model.answer(request.actor, answers_for(request), stage=request.stage)
            given += 1
    return model


PEOPLE = RunRequest(scenario="ukraine_response", rule="caucus", seed=5, players=("JPN", "KOR"))


def people_model():
    checked = PEOPLE.check()
    return build(checked, {code: HumanSeat() for code in checked.request.players})


def test_the_model_waits_for_people_and_mesa_step_refuses_to():
    model = people_model()
    waiting = model.advance()
    assert {r.actor for r in waiting} == {"JPN", "KOR"}
    assert {r.stage for r in waiting} == {"intention"}  # the caucus hears them first
    assert model.turns_done == 0
    with pytest.raises(SeatsWaiting):
        model.step()


def test_a_game_interrupted_mid_turn_resumes_to_the_same_events(tmp_path):
    whole = play_room(people_model())
    assert whole.finished
    stopped = play_room(people_model(), stop_after=7)
    assert not stopped.finished and len(stopped.waiting) == 1  # one of a round's two answered
    folder = write_run(result_of(stopped), tmp_path / "saved")
    (given,) = read_manifest(folder).pending.answers  # the round's events are not logged yet
    resumed = resume(folder)
    assert (given.actor, given.by) == (next(iter(stopped.given))[2], "human")
    assert [r.key for r in resumed.waiting] == [r.key for r in stopped.waiting]  # not again
    again = play_room(resumed)
    assert to_jsonl(again.events) == to_jsonl(whole.events)
    assert read_events(folder / "events.jsonl") == stopped.events


def test_taking_back_a_turn_replays_the_record_up_to_it():
    whole = play_room(people_model())
    back = take_back(whole, 4)
    assert back.turns_done == 3  # at the start of turn 4, nothing of it played yet
    assert to_jsonl(back.events) == to_jsonl([e for e in whole.events if e.turn < 4])
    play_room(back)
    assert to_jsonl(back.events) == to_jsonl(whole.events)


def test_a_choice_a_person_made_records_what_the_engine_drew_and_the_debrief_shows_it():
    """The debrief compares each human choice with the engine's: the engine's own draw
    (the same uniform) is recorded on the person's choice, and only there."""
    from analysis.debrief import after_action_report
    from sim.outputs import Choice, DecisionOpened, RunOutputs
    from sim.runner import manifest

    alone = IP4Model("ukraine_response", "caucus", 5).run()
    played = IP4Model("ukraine_response", "caucus", 5, seats={"JPN": Team(0)}).run()
    engine = {(e.turn, e.decision): e.option for e in alone.events
              if isinstance(e, Choice) and e.actor == "JPN"}
    people = [e for e in played.events if isinstance(e, Choice) and e.actor == "JPN"]
    # the turn's first question: the same world, so the engine drew the same option
    first = people[0]
    assert first.by == "human" and first.engine_option == engine[(first.turn, first.decision)]
    assert all(e.engine_option for e in people)
    assert all(e.engine_option is None for e in played.events
               if isinstance(e, Choice) and e.actor != "JPN")
    result = result_of(played)
    report = after_action_report(RunOutputs(events=result.events, timeseries=result.timeseries,
                                            manifest=manifest(result)))
    assert "the engine would have chosen" in report
    (asked,) = [e for e in played.events if isinstance(e, DecisionOpened)
                and (e.turn, e.decision) == (first.turn, first.decision)]
    said = asked.options  # the room's words for the options, not their ids
    assert f"| {said[first.option]} | {first.probability:.0%} | " \
        f"{said[first.engine_option]} |" in report
