"""What people read: the account, the report, `ip4sim why` (issue 13). Each test names
the defect it guards against."""

import pytest

from analysis.debrief import after_action_report, checks
from analysis.narrative import narrate
from scenarios.loader import load_scenario as load_scenario_named
from scenarios.schema import DecisionPoint, ExpectedAction, Option
from sim.cli import main
from sim.outputs import (
    TERM_LABELS,
    TERM_MEANINGS,
    TERM_PROFILE,
    TERM_WEIGHTS,
    TERMS,
    Choice,
    DecisionOpened,
    GroupStance,
    InjectFired,
    RunManifest,
    RunOutputs,
    ScenarioRecord,
    read_run,
)
from sim.rules import parse_rule
from sim.rules.base import Intention
from sim.runner import play, write_run
from tests.helpers import checked

QUESTION = DecisionOpened(turn=1, decision="sanctions", question="Sanction?", forum="all",
                          dimension="russia_stance",
                          options={"none": "no sanctions", "targeted": "targeted sanctions",
                                   "broad": "broad sanctions"})


def ally_choice(actor, option, terms=None):
    return Choice(turn=1, decision="sanctions", actor=actor, option=option, position=0.5,
                  probability=0.8, by="engine", terms=terms or {"position": 0.3})


def manifest(**fields):
    return RunManifest(ip4sim="0", rule="caucus", seed=1, parameters={},
                       scenario=ScenarioRecord(id="t", title="T", file="f.yaml", sha256="0" * 64,
                                               turns=1, turn_represents="one week"), **fields)


def test_the_allies_line_names_every_ally_who_chose_otherwise():
    # Today's code stopped at six names, silently.
    outliers = ["HUN", "LTU", "NLD", "GBR", "USA", "PRT", "SVK", "SWE", "TUR"]
    names = {c: f"Name{c}" for c in outliers}
    events = [QUESTION, *(ally_choice(c, "broad") for c in ("DEU", "FRA", "ITA", "ESP",
                                                            "POL", "CAN", "NOR", "DNK",
                                                            "FIN", "BEL")),
              *(ally_choice(c, "targeted") for c in outliers)]
    (line,) = [x for x in narrate(events, names=names) if "Allies:" in x]
    assert all(f"Name{c} targeted sanctions" in line for c in outliers), line


@pytest.mark.parametrize("probability, not_yet, said", [
    (0.18, {}, "(18% likely)"),  # an unlikely draw must read as one, not as a preference
    (0.9996, {}, "(almost certain)"),
    (0.003, {}, "(under 1% likely)"),
    (1.0, {"broad": "KOR needs 7 days", "targeted": "KOR needs 7 days"},
     "(the only option open)"),
    (1.0, {"broad": "KOR needs 7 days"}, "(almost certain)"),  # targeted is open too
])
def test_a_partners_choice_says_how_likely_the_engine_found_it(probability, not_yet, said):
    choice = Choice(turn=1, decision="sanctions", actor="KOR", option="none", position=0.0,
                    probability=probability, by="engine", terms={"position": 0.3},
                    not_yet=not_yet)
    (line,) = [x for x in narrate([QUESTION, choice], names={"KOR": "Republic of Korea"})
               if "Republic of Korea" in x]
    assert f"Republic of Korea: no sanctions {said}: position +0.30" in line, line


def test_a_bound_choice_is_said_to_be_bound_not_an_unlikely_draw(capsys, tmp_path):
    # formal binds Korea in turn 3 of seed 1: its own draw was the likeliest option
    out = write_run(play(checked(load_scenario_named("ukraine_response"), "formal", seed=1)),
                    tmp_path / "r")
    (korea,) = [e for e in read_run(out).events if isinstance(e, Choice) and e.turn == 3
                and e.actor == "KOR"]
    assert korea.bound_from and korea.likeliest
    events = read_run(out).events
    overridden = [e for e in events if isinstance(e, Choice) and e.actor == "KOR"
                  and e.bound_from]
    said = [x for x in narrate(events, names={"KOR": "Republic of Korea"})
            if x.startswith("    Republic of Korea:")
            and "(bound to the group's option by the rule)" in x]
    assert len(said) == len(overridden) and not any("likely" in x for x in said)
    assert main(["why", str(out), "--turn", "3", "--actor", "KOR", "--short"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "less likely draw" not in said and "the rule bound it to the group's option" in said


def tie_decision():
    return DecisionPoint(id="d", question="Speak?", forum="partners", dimension="china_threat",
                         options=[Option(id="quiet", label="speak privately", position=0.5),
                                  Option(id="loud", label="speak publicly", position=1.0)])


def test_a_tie_is_explained_by_what_broke_it_with_the_values():
    intentions = {"AUS": Intention("loud", 1.0, 0.61), "JPN": Intention("loud", 1.0, 0.52),
                  "KOR": Intention("quiet", 0.5, 0.90), "NZL": Intention("quiet", 0.5, 0.75)}
    note = parse_rule("caucus").stance(tie_decision(), intentions).note
    assert "1.65" in note and "1.13" in note and "more at stake" in note, note
    even = {c: Intention(i.option, i.position, 0.5) for c, i in intentions.items()}
    note = parse_rule("caucus").stance(tie_decision(), even).note
    assert "stake 1.00" in note and "less forward" in note and "position 0.50" in note, note


def test_a_group_note_speaks_in_labels_not_option_ids():
    intentions = {c: Intention("loud", 1.0, 0.5) for c in ("AUS", "JPN", "KOR", "NZL")}
    for spec in ("caucus", "consensus", "coalition:k=3", "formal", "lead", "hybrid"):
        note = parse_rule(spec).stance(tie_decision(), intentions).note
        assert "speak publicly" in note and "loud" not in note, (spec, note)


def test_the_report_lists_the_governments_people_played_and_its_sources():
    record = manifest(players={"JPN": "human", "KOR": "human"},
                      actors={"JPN": "Japan", "KOR": "Republic of Korea"})
    report = after_action_report(RunOutputs(events=[QUESTION], timeseries=[], manifest=record))
    assert "Played by people: **Japan, Republic of Korea**" in report
    assert "## Sources" in report


def test_an_unmet_expected_action_says_what_was_chosen_instead_and_why():
    events = [InjectFired(turn=1, inject="invasion", title="Invasion", synopsis="...",
                          expected=[ExpectedAction(actor="NZL", decision="sanctions",
                                                   options=["broad"], text="Wellington")]),
              QUESTION, ally_choice("NZL", "targeted", {"position": 0.41, "us_pull": -0.07})]
    (row,) = checks(events)
    assert not row.met and row.observed == "targeted sanctions"
    assert "targeted sanctions" in row.instead and "position +0.41" in row.instead
    assert "US pull -0.07" in row.instead


@pytest.fixture(scope="module")
def folder(ukraine, tmp_path_factory):
    return write_run(play(checked(ukraine, "caucus", seed=7)),
                     tmp_path_factory.mktemp("run") / "r")


def test_why_prints_every_term_with_its_meaning_profile_value_and_source(folder, capsys):
    assert main(["why", str(folder), "--turn", "4", "--actor", "JPN"]) == 0
    out = capsys.readouterr().out
    (choice,) = [e for e in read_run(folder).events if isinstance(e, Choice)
                 and e.turn == 4 and e.actor == "JPN"]
    for term, label in TERM_LABELS.items():
        assert f"{label} " in out and f"{choice.terms.get(term, 0.0):+.4f}" in out, term
    assert "Japan's china_threat = 0.85" in out and 'source: report: "Canberra and Tokyo' in out
    assert "weight w_us_pull = 0.3" in out


def test_why_names_its_options_when_they_are_wrong(folder, capsys):
    assert main(["why", str(folder), "--actor", "JPM"]) == 2
    assert "--actor: JPM" in capsys.readouterr().err
    assert main(["why", str(folder), "--turn", "99"]) == 2
    assert "--turn: 99" in capsys.readouterr().err


def test_why_says_when_a_choice_was_a_less_likely_draw_and_short_says_what_weighed(
        folder, capsys):
    # seed 7, turn 4: Australia raised China's support publicly, an 18% draw
    (choice,) = [e for e in read_run(folder).events if isinstance(e, Choice)
                 and e.turn == 4 and e.actor == "AUS"]
    ((favoured, probability),) = choice.likeliest.items()
    assert choice.probability < 0.5 < probability
    assert main(["why", str(folder), "--turn", "4", "--actor", "AUS", "--short"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"most likely (probability {probability:.2f}): this choice was a less likely draw" \
        in out
    assert "position +0.37: closeness of the option" in out
    assert "source:" not in out and "weight w_" not in out and "+0.00" not in out


def test_why_says_whose_choice_a_turn_lacks(folder, capsys):
    choices = [e for e in read_run(folder).events if isinstance(e, Choice)]
    turn = min({e.turn for e in choices} - {e.turn for e in choices if e.actor == "KOR"})
    assert main(["why", str(folder), "--turn", str(turn), "--actor", "KOR"]) == 2
    assert "no choice of Republic of Korea in that turn (its questions went to others)" in \
        capsys.readouterr().err
    assert main(["why", str(folder), "--turn", "99"]) == 2
    assert "no choice of the four partners in that turn; turns with" in capsys.readouterr().err


def test_the_account_and_report_carry_sources_and_the_stance_in_labels(folder):
    run = read_run(folder)
    report = after_action_report(run)
    assert '"Canberra and Tokyo both proactively engage on China at NATO"' in report
    stances = [e for e in run.events if isinstance(e, GroupStance)]
    assert any("broad sanctions" in e.note for e in stances)


def test_every_term_of_the_utility_is_explained():
    assert set(TERM_MEANINGS) == set(TERM_WEIGHTS) == set(TERM_PROFILE) == set(TERMS) \
        == set(TERM_LABELS)


def test_the_sources_count_the_reports_distinct_sentences_not_only_its_values():
    # One sentence serves every ally of an archetype: the line says how many values rest on
    # how many sentences, and that each number is this exercise's reading.
    from agents.catalog import load_catalog
    from analysis.narrative import provenance
    from sim.runner import recorded_profiles

    catalog = load_catalog().with_values({"JPN": {"china_threat": 0.6}}, "command line")
    line = provenance(recorded_profiles(catalog))
    sentences = {v.quote for p in catalog.profiles.values() for v in p.values.values()
                 if v.source == "report"}
    assert f"rest on {len(sentences)} distinct sentences of the report" in line
    assert "each number this exercise's reading of its sentence" in line
    assert "1 was set for this run" in line and "quote the report" not in line
