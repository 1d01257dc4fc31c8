"""The after-action report's evaluation guide: expected actions against what happened."""

from analysis.debrief import after_action_report, checks
from scenarios.schema import ExpectedAction
from sim.outputs import (
    Choice,
    CouncilVote,
    DecisionOpened,
    InjectFired,
    JointPosition,
    RunManifest,
    RunOutputs,
    ScenarioRecord,
)


def inject(*expected):
    return InjectFired(turn=1, inject="crisis", title="Crisis", synopsis="...",
                       expected=[ExpectedAction(**e) for e in expected])


def choice(actor, option, probability=0.9, by="engine", turn=1, **more):
    return Choice(turn=turn, decision="statement", actor=actor, option=option, position=1.0,
                  probability=probability, by=by, terms={}, **more)


def hot_wash_of(events):
    hot_wash = report_of(events).split("## Hot-wash questions for the room")[1].split("##")[0]
    return [line for line in hot_wash.splitlines() if line[:1].isdigit()], hot_wash


def test_each_partner_is_checked_and_a_missing_choice_is_not_met():
    events = [inject({"actor": "IP4", "decision": "statement", "options": ["speak"],
                      "text": "All four speak."}),
              choice("AUS", "speak"), choice("JPN", "speak"), choice("KOR", "silent")]
    met = {c.actor: c.met for c in checks(events)}
    assert met == {"AUS": True, "JPN": True, "KOR": False, "NZL": False}


def test_a_joint_expectation_needs_all_four_together():
    expected = {"actor": "IP4_JOINT", "decision": "statement", "options": ["speak"],
                "text": "The four speak together."}
    alone = [inject(expected), *(choice(p, "speak") for p in ("AUS", "JPN", "KOR", "NZL"))]
    assert [c.met for c in checks(alone)] == [False]
    together = [*alone, JointPosition(turn=1, decision="statement",
                                      members=["AUS", "JPN", "KOR", "NZL"], option="speak")]
    assert [c.met for c in checks(together)] == [True]


def test_a_blocked_council_does_not_meet_the_expectation_and_names_the_blocker():
    events = [inject({"actor": "NAC", "decision": "statement", "options": ["agree"],
                      "text": "The Council agrees."}),
              CouncilVote(turn=1, decision="statement", outcome="blocked", option="agree",
                          blockers=["HUN"], tally={"agree": 31, "block": 1})]
    (check,) = checks(events)
    assert not check.met and "HUN" in check.observed


def test_a_decision_never_put_is_reported_as_such():
    events = [inject({"actor": "JPN", "decision": "statement", "options": ["speak"],
                      "text": "Tokyo speaks."})]
    (check,) = checks(events)
    assert not check.met and "never put" in check.observed


def report_of(events):
    manifest = RunManifest(
        ip4sim="0", rule="caucus", seed=1, parameters={},
        scenario=ScenarioRecord(id="t", title="T", file="f.yaml", sha256="0" * 64, turns=1,
                                turn_represents="one week"))
    return after_action_report(RunOutputs(events=events, timeseries=[], manifest=manifest))


def test_the_report_counts_what_was_met():
    events = [inject({"actor": "AUS", "decision": "statement", "options": ["speak"],
                      "text": "Canberra speaks."}), choice("AUS", "speak")]
    assert "Expected actions met: **1 of 1**" in report_of(events)


def test_the_hot_wash_asks_about_unlikely_human_choices_splits_and_unmet_actions():
    events = [inject({"actor": "JPN", "decision": "statement", "options": ["speak"],
                      "text": "Tokyo speaks."}),
              DecisionOpened(turn=1, decision="statement", question="Speak out?",
                             forum="partners", dimension="china_threat",
                             options={"speak": "speak", "silent": "stay silent"}),
              choice("AUS", "speak", probability=0.1),  # the engine's own: not asked
              choice("JPN", "silent", probability=0.2, by="human"),
              choice("KOR", "speak", probability=0.3, by="human"),  # likely enough
              choice("NZL", "speak")]
    questions, _ = hot_wash_of(events)
    # questions, options and injects in the words the room saw, not their ids
    assert questions[0].startswith("1. JPN (human) chose what the engine found unlikely: "
                                   '*stay silent* on "Speak out?" in turn 1 (20%)')
    assert '"Tokyo speaks." (Crisis) of JPN' in questions[1]
    assert questions[2].startswith('3. The four split on "Speak out?" in turn 1 (AUS speak, '
                                   "JPN stay silent, KOR speak, NZL speak)")
    assert len(questions) == 4 and "ran again" in questions[3]


def test_the_hot_wash_asks_each_kind_in_turn_and_says_what_it_left_out():
    """A team that declined everything must not crowd out the splits and the unmet
    expectations: one question per team for its unlikely choices, then the other kinds."""
    unlikely = [choice("JPN", "silent", probability=0.1, by="human", turn=t) for t in range(1, 6)]
    unmet = [inject(*({"actor": "JPN", "decision": f"q{k}", "options": ["speak"],
                       "text": f"Tokyo acts {k}."} for k in range(12)))]
    splits = [choice(p, o, turn=t) for t in range(1, 6)
              for p, o in (("AUS", "speak"), ("KOR", "speak"), ("NZL", "speak"))]
    questions, text = hot_wash_of([*unmet, *unlikely, *splits])
    assert len(questions) == 9  # HOT_WASH_MAX, then the closing question
    assert questions[0].startswith("1. JPN (human) chose what the engine found unlikely: ")
    assert questions[0].count("*silent*") == 3 and "and 2 more" in questions[0]
    assert "expected" in questions[1] and "split" in questions[2]
    # in turn: unlikely, expected, split; expected, split; expected, split; expected
    assert [("split" in q, "expected" in q) for q in questions[1:8]] == \
        [(False, True), (True, False)] * 3 + [(False, True)]
    assert "(10 more questions of these kinds were left out" in text  # 1 + 12 + 5 - 8


def test_a_choice_a_rule_bound_is_asked_as_such_not_credited_to_the_team():
    bound = choice("NZL", "statement_issued", probability=0.0, by="human, bound by formal",
                   group="statement_issued", bound_from="stay_silent", violation=0.4)
    questions, _ = hot_wash_of([bound])
    assert questions[0].startswith("1. NZL's team chose *stay_silent* on statement in turn 1, "
                                   "and the rule bound it to *statement_issued*")
    assert len(questions) == 2  # not also asked as an unlikely choice of the team's
    overridden = bound.model_copy(update={"by": "facilitator, bound by formal"})
    questions, _ = hot_wash_of([overridden])
    assert questions[0].startswith("1. NZL (facilitator) chose *stay_silent*")


def test_a_run_folders_report_names_the_folder_in_the_command_it_suggests(tmp_path):
    from sim.cli import main

    out = tmp_path / "run"
    assert main(["run", "ukraine_response", "--seed", "7", "--quiet", "--out", str(out)]) == 0
    report = (out / "report.md").read_text()
    assert f"`ip4sim why {out} --turn TURN --actor CODE`" in report
    assert "RUN_FOLDER" not in report
