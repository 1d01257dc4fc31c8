"""The 2022 backtest: a record of what happened, checked like a scenario, and runs scored
against it (analysis/backtest.py): a run that copies the record is a perfect match, one
shifted by k turns is off by k, and a bad entry is refused with its file, field and line."""

import json

import pytest

from agents.catalog import load_catalog
from analysis.backtest import acts_of, score, table_rows
from scenarios.errors import InputError
from scenarios.loader import load_scenario
from scenarios.record import builtin_record, load_record
from sim.cli import main
from sim.outputs import Choice, CouncilVote

SCENARIO = load_scenario("ukraine_2022").scenario
RECORD = load_record(builtin_record("ukraine_2022"), SCENARIO, load_catalog())
TEXT = builtin_record("ukraine_2022").read_text(encoding="utf-8")


def copy_of_the_record(shift: int = 0) -> list:
    """The events of a scripted run that does what the record says, ``shift`` turns late,
    having done something else on the same question every turn before."""
    events = []
    for e in RECORD.entries:
        decision = SCENARIO.decision(e.decision)
        other = next(o.id for o in decision.options if o.id not in e.options)
        for turn in range(1, e.turn + shift + 1):
            option = e.options[0] if turn == e.turn + shift else other
            if e.actor == "NAC":
                events.append(CouncilVote(turn=turn, decision=e.decision, outcome="approved",
                                          option=option, blockers=[], tally={}))
            else:
                events.append(Choice(turn=turn, decision=e.decision, actor=e.actor,
                                     option=option, position=0.0, probability=1.0,
                                     by="scripted", terms={}))
    return events


def test_a_run_that_copies_the_record_is_a_perfect_match():
    scores = score([acts_of(copy_of_the_record())] * 3, RECORD)
    assert len(scores) == len(RECORD.entries) == 20
    assert all(s.hit_rate == 1.0 and s.errors == [0, 0, 0] for s in scores)
    assert {s.error("mean", RECORD.days_per_turn) for s in scores} == {0.0}


@pytest.mark.parametrize("k", [1, 2, 4])
def test_a_run_shifted_by_k_turns_is_off_by_k(k):
    scores = score([acts_of(copy_of_the_record(k))], RECORD)
    assert all(s.hit_rate == 1.0 and s.errors == [k] for s in scores)
    assert {s.error("median", RECORD.days_per_turn) for s in scores} == {7.0 * k}


def test_an_entry_asked_only_after_its_recorded_turn_is_said_to_be_the_timetable_s():
    from analysis.backtest import timetable_note

    entry = RECORD.entries[0]
    late = [a for a in acts_of(copy_of_the_record(2))  # first asked two turns late
            if a[1] == entry.decision and a[2] == entry.actor and a[0] >= entry.turn + 2]
    (scored,) = [s for s in score([late], RECORD) if s.entry.id == entry.id]
    assert scored.asked == entry.turn + 2 and scored.timetabled and scored.errors == [2]
    (note, _) = timetable_note([scored])
    assert f"`{entry.id}` (turn {entry.turn + 2}, recorded at turn {entry.turn})" in note
    early = score([acts_of(copy_of_the_record())], RECORD)  # every question asked at turn 1
    assert not any(s.timetabled for s in early)
    (on_cue,) = [s for s in early if s.entry.turn == 1][:1]
    assert f"in the very turn the record dates them to (`{on_cue.entry.id}`" in \
        timetable_note(early)[0]
    assert table_rows(early, RECORD.days_per_turn)[0]["asked_turn"] == 1
    assert timetable_note([s for s in early if s.entry.turn > 1]) == []  # asked before


def test_a_share_of_runs_that_match_has_its_interval_and_says_how_many_runs_back_it():
    """Three copies of the record match every entry: a share of 1 of 3 runs is not sure
    (Wilson: down to 0.44), and a timing error the same in every run has no interval."""
    missing_nzl = [e for e in copy_of_the_record() if getattr(e, "actor", "") != "NZL"]
    runs = [acts_of(copy_of_the_record()), acts_of(copy_of_the_record(1)), acts_of(missing_nzl)]
    rows = {r["entry"]: r for r in table_rows(score(runs, RECORD), RECORD.days_per_turn)}
    nzl = next(e.id for e in RECORD.entries if e.actor == "NZL")
    aus = next(e.id for e in RECORD.entries if e.actor == "AUS")
    assert (rows[nzl]["hit_rate"], rows[nzl]["matching_runs"]) == ("0.6667", 2)
    assert (rows[nzl]["hit_rate_low"], rows[nzl]["hit_rate_high"]) == ("0.2077", "0.9385")
    assert rows[aus]["hit_rate_low"] == "0.4385" and rows[aus]["hit_rate_high"] == "1.0"
    # errors of 0, 7 and 0 days: a mean of 2.33 whose t interval spans the spread
    assert rows[aus]["mean_error_days"] == "2.3333"
    assert float(rows[aus]["mean_error_days_low"]) < 0 < 7 < float(
        rows[aus]["mean_error_days_high"])
    alike = table_rows(score([acts_of(copy_of_the_record())] * 3, RECORD), 7.0)[0]
    assert alike["mean_error_days"] == "0.0" and alike["mean_error_days_low"] == ""


def test_a_run_that_never_does_it_misses():
    events = [e for e in copy_of_the_record() if getattr(e, "actor", "") != "NZL"]
    missed = {s.entry.id for s in score([acts_of(events)], RECORD) if s.hit_rate == 0.0}
    assert missed == {e.id for e in RECORD.entries if e.actor == "NZL"}


# The entry whose actor is New Zealand on sanctions, in the built-in record.
NZZ_AT = next(i for i, e in enumerate(RECORD.entries)
              if (e.actor, e.decision) == ("NZL", "sanctions"))


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


BAD = [
    ("actor: NZL\n    decision: sanctions", "actor: NZZ\n    decision: sanctions",
     "actor", "unknown actor 'NZZ'; did you mean 'NZL'?"),
    ("decision: nonlethal_aid", "decision: nonlethal_ayd", "decision",
     "unknown decision 'nonlethal_ayd'; did you mean 'nonlethal_aid'?"),
    ("options: [name_challenge]", "options: [name_threats]", "options.0",
     "'name_threats' is not an option of strategic_concept"),
    ("date: 2022-06-29\n    what: \"Prime Minister Ardern", "date: 2022-08-01\n    what: "
     "\"Prime Minister Ardern", "date", "2022-08-01 is outside the scenario (2022-02-21 to "
     "2022-07-31)"),
]


@pytest.mark.parametrize(("old", "new", "field", "says"), BAD)
def test_a_bad_entry_is_refused_with_its_file_field_and_line(old, new, field, says, tmp_path,
                                                             capsys):
    bad = TEXT.replace(old, new, 1)
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    assert main(["backtest", "--record", str(path), "--seeds", "1", "--workers", "1",
                 "--out", str(tmp_path / "out"), "--quiet"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    entry = bad[:bad.index(new)].count("\n  - id: ") - 1
    assert line.startswith(f"error: {path}:{line_of(bad, new.splitlines()[0])}: "
                           f"entries.{entry}.{field}: {says}")
    assert not (tmp_path / "out" / "backtest.csv").exists()  # refused before any run


def test_an_entry_that_fails_the_format_checks_does_not_hide_another_s_problem(tmp_path):
    """A misspelt field in one entry and an unknown actor in another, both reported, in
    the order of the file's lines; the failing entry's own decision is still checked."""
    text = TEXT.replace("actor: NZL\n    decision: sanctions",
                        "actor: NZZ\n    decision: sanctions", 1)
    first = TEXT.index("  - id: ")
    text = text[:first] + text[first:].replace("    what:", "    wat:", 1).replace(
        "    decision: sanctions", "    decision: sanctionz", 1)
    path = tmp_path / "record.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_record(path, SCENARIO, load_catalog())
    found = [(p.field, p.line) for p in refused.value.problems]
    assert found == sorted([("entries.0.decision", line_of(text, "decision: sanctionz")),
                            ("entries.0.wat", line_of(text, "wat:")),
                            (f"entries.{NZZ_AT}.actor", line_of(text, "actor: NZZ"))],
                           key=lambda f: f[1])


def test_an_actor_that_is_not_asked_the_question_is_refused(tmp_path):
    text = TEXT.replace("actor: NZL\n    decision: nonlethal_aid",
                        "actor: USA\n    decision: nonlethal_aid", 1)
    path = tmp_path / "record.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_record(path, SCENARIO, load_catalog())
    (problem,) = refused.value.problems
    assert problem.field.endswith(".actor") and problem.source == str(path)
    assert "USA does not answer nonlethal_aid" in problem.message
    assert problem.line == line_of(text, "actor: USA\n    decision: nonl")


def test_the_backtest_writes_its_table_figures_report_and_manifest(tmp_path, capsys):
    out = tmp_path / "bt"
    assert main(["backtest", "--seeds", "2", "--workers", "1", "--out", str(out),
                 "--quiet"]) == 0
    assert {p.name for p in out.iterdir()} >= {"backtest.csv", "backtest.png", "threats.png",
                                               "backtest.md", "manifest.json"}
    rows = (out / "backtest.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + len(RECORD.entries) and rows[0].startswith("entry,actor,")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "backtest" and len(manifest["seeds"]) == 2
    assert manifest["record"]["entries"] == 20
    assert "| aus_sanctions | 2022-02-23 | 1 |" in (out / "backtest.md").read_text()
    assert manifest["runs"] == 2 and manifest["assumptions"] is None
    assert main(["backtest", "--seeds", "3", "--assumptions", "2", "--population", "200",
                 "--workers", "1", "--out", str(out), "--quiet"]) == 0  # its own folder
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["seeds"]) == 3 and manifest["runs"] == 3 + 2 * 3
    assert manifest["assumptions"]["k"] == 2 and manifest["assumptions"]["seeds"] == \
        manifest["seeds"] and len(manifest["assumptions"]["draws"]) == 2


@pytest.mark.parametrize("argv", [["--rule", "nosuch"], ["--param", "temperature=9"],
                                  ["ukraine_response"]])
def test_a_refused_backtest_leaves_no_folder_behind(argv, tmp_path, capsys):
    out = tmp_path / "a" / "new"
    assert main(["backtest", *argv, "--seeds", "2", "--out", str(out)]) == 2
    assert "error: " in capsys.readouterr().err
    assert not (tmp_path / "a").exists()
