"""The engine end to end: reproducible runs, replays, and the run folder a user gets."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.catalog import IP4
from sim.cli import main
from sim.outputs import Choice, read_events, to_jsonl
from sim.protocol import ScriptedSeat
from sim.runner import play, write_run
from tests.helpers import checked, run_events


def events_bytes(loaded, seed, **kwargs) -> str:
    return to_jsonl(run_events(loaded, seed=seed, **kwargs))


def test_same_inputs_give_byte_identical_events(ukraine, tmp_path):
    spec = checked(ukraine, "caucus", seed=11,
                   overrides={"JPN": {"china_threat": 0.6}})
    first = write_run(play(spec), tmp_path / "a")
    second = write_run(play(spec), tmp_path / "b")
    assert (first / "events.jsonl").read_bytes() == (second / "events.jsonl").read_bytes()
    assert (first / "timeseries.csv").read_bytes() == (second / "timeseries.csv").read_bytes()


def test_different_seeds_give_different_events(ukraine):
    assert len({events_bytes(ukraine, seed) for seed in range(5)}) == 5


def test_an_override_changes_what_the_actor_weighs(ukraine):
    base = run_events(ukraine, seed=3)
    hawk = run_events(ukraine, seed=3, overrides={"NZL": {"china_threat": 1.0}})

    def nzl_on_china(events):
        return [e.position for e in events if isinstance(e, Choice)
                and e.actor == "NZL" and e.decision == "china_support"]

    assert sum(nzl_on_china(hawk)) > sum(nzl_on_china(base))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), rule=st.sampled_from(["caucus", "bilateral"]))
def test_the_scripted_chooser_replays_a_recorded_run_exactly(ukraine, seed, rule):
    recorded = run_events(ukraine, rule=rule, seed=seed)
    script = ScriptedSeat.from_events(recorded)
    actors = {e.actor for e in recorded if isinstance(e, Choice)}
    replayed = play(checked(ukraine, rule, seed=seed),
                    seats=dict.fromkeys(actors, script)).events

    def without_chooser(events):
        return [e.model_dump(exclude={"by", "stated_by", "engine_option"}) for e in events]

    assert without_chooser(replayed) == without_chooser(recorded)
    assert all(e.by == "scripted" and e.engine_option == e.option  # the engine's own record
               for e in replayed if isinstance(e, Choice))


def test_a_scripted_player_overrides_the_engine_and_is_marked(ukraine):
    # A facilitator's human player for Japan who refuses every sanction.
    class Refuser:
        name = "human"

        def answer(self, request):
            if request.stage == "intention":
                return request.engine
            assert request.probabilities and abs(sum(request.probabilities.values()) - 1) < 1e-9
            return request.decision.options[0].id

    events = play(checked(ukraine, "caucus", seed=2),
                  seats={"JPN": Refuser()}).events
    japan = [e for e in events if isinstance(e, Choice) and e.actor == "JPN"]
    assert japan and all(e.by == "human" and e.position in (0.0, 0.1, 0.2) for e in japan)


def test_the_run_command_writes_a_complete_run_folder(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "ukraine_response", "--rule", "caucus", "--seed", "7",
                 "--set", "JPN.china_threat=0.6", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Turn 1" in printed and "Japan:" in printed and "QUESTION" in printed
    for name in ("events.jsonl", "timeseries.csv", "manifest.json", "summary.png", "report.md"):
        assert (out / name).stat().st_size > 0, name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["rule"].startswith("caucus")
    assert manifest["overrides"] == {"JPN": {"china_threat": 0.6}}
    assert len(manifest["scenario"]["sha256"]) == 64 and manifest["versions"]["mesa"]
    events = read_events(out / "events.jsonl")
    assert {e.actor for e in events if isinstance(e, Choice)} >= set(IP4)
    report = (out / "report.md").read_text()
    assert "Expected actions" in report and "| met |" in report


def test_the_same_command_twice_writes_the_same_events(tmp_path):
    for name in ("a", "b"):
        assert main(["run", "ukraine_response", "--seed", "5", "--quiet",
                     "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "a/events.jsonl").read_bytes() == (tmp_path / "b/events.jsonl").read_bytes()


@pytest.mark.parametrize("argv, needle", [
    (["actors"], "JPN"),
    (["actors", "ROK"], "Republic of Korea"),
    (["actors", "JPN"], 'report: "'),
    (["scenarios"], "ukraine_response"),
    (["rules"], "caucus"),
    (["params"], "temperature"),
])
def test_listing_commands(argv, needle, capsys):
    assert main(argv) == 0
    assert needle in capsys.readouterr().out


def test_the_rules_list_lines_its_summaries_up(capsys, monkeypatch):
    # a rule whose name is longer than any built-in's still starts its summary in line
    from sim.rules import REGISTRY
    from sim.rules.caucus import Caucus

    monkeypatch.setitem(REGISTRY, "a_much_longer_rule_name", Caucus)
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    starts = {re.match(r"\S+\s+", line).end() for line in lines}
    assert len(starts) == 1, lines


def test_the_rok_government_switch_reaches_the_run(ukraine):
    yoon = run_events(ukraine, seed=4)
    progressive = run_events(ukraine, seed=4, governments={"KOR": "progressive"})

    def kor_engagement(events):
        return sum(e.position for e in events if isinstance(e, Choice) and e.actor == "KOR"
                   and e.decision in ("aid_channel", "summit_attendance", "china_support"))

    assert kor_engagement(progressive) < kor_engagement(yoon)


def test_a_contingency_inject_reacts_to_a_scheduled_inject_of_the_same_turn(ukraine):
    """A trigger sees what this turn's scheduled injects changed, even on the last turn."""
    text = Path(ukraine.path).read_text(encoding="utf-8") + """
  - id: last_turn_alarm
    when: {var: russia_escalation, op: "<=", value: 0.7, not_before: 10}
    title: "Alarm"
    synopsis: "Fires on the last turn, when the fatigue inject lowers escalation."
    opens: []
"""
    from scenarios.loader import LoadedScenario, parse_scenario

    scenario = parse_scenario(text, "alarm.yaml")
    events = play(checked(LoadedScenario(scenario, "alarm.yaml", "0" * 64))).events
    fired = [e.turn for e in events if e.kind == "inject" and e.inject == "last_turn_alarm"]
    assert fired == [10]


@pytest.mark.parametrize("rule", ["caucus", "formal", "coalition:k=3"])
@pytest.mark.parametrize("scenario", ["ukraine_response", "indo_pacific_contingency",
                                      "disinformation_campaign"])
def test_a_run_unexplained_differs_only_in_the_choices_terms(scenario, rule):
    """What a batch whose reduce never reads Choice.terms plays (sim.batch.run_job): every
    event the same but for the terms, which are empty, and so the same outcomes."""
    from analysis.outcomes import run_outcomes
    from scenarios.loader import load_scenario

    spec = checked(load_scenario(scenario), rule, seed=5)
    full, lean = play(spec), play(spec, explained=False)
    choices = [e for e in full.events if isinstance(e, Choice)]
    assert choices and all(e.terms for e in choices)
    blanked = [e.model_copy(update={"terms": {}}) if isinstance(e, Choice) else e
               for e in full.events]
    assert to_jsonl(lean.events) == to_jsonl(blanked)
    assert lean.timeseries == full.timeseries
    assert run_outcomes(lean.events, lean.timeseries) == \
        run_outcomes(full.events, full.timeseries)


def test_a_batch_explains_its_runs_unless_its_reduce_reads_no_terms():
    from analysis.outcomes import run_outcomes
    from sim.batch import Job, run_job
    from sim.outputs import reads_no_terms, reads_terms
    from sim.request import RunRequest

    def terms_seen(events, rows):
        return [(len(e.terms),) for e in events if isinstance(e, Choice)]

    job = Job(RunRequest(seed=2))
    explained = [n for *_, n in run_job(job, terms_seen)]
    unexplained = [n for *_, n in run_job(job, reads_no_terms(terms_seen))]
    assert len(explained) == len(unexplained) > 100
    assert min(explained) > 0 and max(unexplained) == 0
    assert reads_terms(lambda events, rows: []) and not reads_terms(run_outcomes)


def test_a_batch_run_frees_its_model_though_the_collector_is_held_off_while_it_plays():
    import gc

    from sim.batch import Job, run_job
    from sim.model import IP4Model
    from sim.request import RunRequest

    def models() -> int:
        return sum(isinstance(o, IP4Model) for o in gc.get_objects())

    before = models()

    def models_alive(events, rows):  # the reduce runs once the run's model is gone
        return [(models() - before,)]

    for seed in range(3):
        assert run_job(Job(RunRequest(seed=seed)), models_alive)[0][-1] == 0
    assert gc.isenabled()


def collector_state(events, rows):
    """A reduce that reports what the collector of the process it ran in looks like."""
    import gc

    return [(gc.isenabled(), gc.get_freeze_count())]


def test_a_pool_worker_freezes_what_it_imported_and_collects_between_runs():
    from sim.batch import Job, run_jobs
    from sim.request import RunRequest

    done = run_jobs([Job(RunRequest(seed=s)) for s in range(4)], collector_state, workers=2,
                    chunk_size=1, progress=False)
    states = [row[-2:] for r in done for row in r.rows]
    # every run went to the pool (chunks of one, so none is timed here first), whose
    # workers froze the engine's modules (tens of thousands of objects)
    assert len(states) == 4 and all(enabled for enabled, _ in states)
    assert min(frozen for _, frozen in states) > 10_000
