"""The after-action report's evaluation guide: expected actions against what happened."""

from analysis.debrief import after_action_report, checks
from scenarios.schema import ExpectedAction
from sim.outputs import (
    Choice,
    CouncilVote,
    InjectFired,
    JointPosition,
    RunManifest,
    RunOutputs,
    ScenarioRecord,
)


def inject(*expected):
    return InjectFired(turn=1, inject="crisis", title="Crisis", synopsis="...",
                       expected=[ExpectedAction(**e) for e in expected])


def choice(actor, option, probability=0.9, by="engine"):
    return Choice(turn=1, decision="statement", actor=actor, option=option, position=1.0,
                  probability=probability, by=by, terms={})


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
              choice("AUS", "speak", probability=0.1),  # the engine's own: not asked
              choice("JPN", "silent", probability=0.2, by="human"),
              choice("KOR", "speak", probability=0.3, by="human"),  # likely enough
              choice("NZL", "speak")]
    hot_wash = report_of(events).split("## Hot-wash questions for the room")[1].split("##")[0]
    questions = [line for line in hot_wash.splitlines() if line[:1].isdigit()]
    assert questions[0].startswith("1. JPN (human) chose *silent* on statement in turn 1, "
                                   "which the engine gave 20%")
    assert '"Tokyo speaks." (crisis) of JPN' in questions[1]
    assert questions[2].startswith("3. The four split on statement in turn 1 (AUS speak, "
                                   "JPN silent, KOR speak, NZL speak)")
    assert len(questions) == 4 and "ran again" in questions[3]
