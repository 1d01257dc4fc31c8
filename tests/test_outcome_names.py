"""Outcomes analysts can trust (issue 13): a joint rate that means one thing under every
rule, a table that fits a terminal in the figure's names, plain values and plain logs."""

from analysis.compare import SummaryRow, format_table, outcomes_figure
from analysis.outcomes import HEADLINE, OUTCOMES, declared, run_outcomes
from sim.batch import Job, all_rules, run_jobs
from sim.cli import main
from sim.outputs import PARTNERS, GroupStance, JointPosition
from sim.request import RunRequest
from sim.runner import play
from tests.helpers import checked


def outcomes(events, rows=()):
    return {(o, a): v for o, a, v in run_outcomes(list(events), list(rows))}


def test_a_coalition_without_new_zealand_is_a_group_position_not_a_joint_one():
    # Today's joint_rate counted this coalition of three as joint (1.0).
    events = [GroupStance(turn=1, decision="d", rule="coalition:k=3", members=["AUS", "JPN",
                                                                             "KOR"],
                          option="o", binding=False, note=""),
              JointPosition(turn=1, decision="d", members=["AUS", "JPN", "KOR"], option="o"),
              GroupStance(turn=2, decision="e", rule="coalition:k=3", members=list(PARTNERS),
                          option="o", binding=False, note=""),
              JointPosition(turn=2, decision="e", members=list(PARTNERS), option="o")]
    got = outcomes(events)
    assert got[("joint_rate", "")] == 0.5 and got[("group_rate", "")] == 1.0
    assert got[("in_group", "NZL")] == 0.5 and got[("in_group", "AUS")] == 1.0


def test_in_played_coalitions_the_four_partner_rate_is_below_the_any_group_rate(ukraine):
    joint = group = 0.0
    for seed in range(4):
        run = play(checked(ukraine, "coalition:k=3", seed=seed))
        got = outcomes(run.events, run.timeseries)
        assert got[("joint_rate", "")] <= got[("group_rate", "")]
        joint, group = joint + got[("joint_rate", "")], group + got[("group_rate", "")]
    assert joint < group  # a partner stayed out of some coalition: it shows


def summary(rules):
    return [SummaryRow(rule, outcome, "", 10.123, 0.0, 100.5, 30)
            for rule in rules for outcome in HEADLINE]


def test_the_compare_table_fits_a_terminal_and_uses_the_figure_s_names():
    rules = [*all_rules(), "lead:lead=auto,tolerance=0.25", "coalition:k=2"]
    table = format_table(summary(rules), rules)
    assert max(map(len, table.splitlines())) <= 100, table
    for label in HEADLINE.values():
        assert label in table, label
    titles = {ax.get_title() for ax in outcomes_figure(summary(rules), rules, "t").axes}
    assert set(HEADLINE.values()) <= titles
    assert "joint rate (all four): share of partner decisions on which all four" in table


def test_params_prints_unset_not_none(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    (line,) = [x for x in out.splitlines() if x.startswith("japan_rok_friction")]
    assert " unset " in line and "None" not in out


def test_progress_in_a_log_is_plain_lines_not_a_bar(capsys):
    jobs = [Job(RunRequest(scenario="cyber_attack", seed=s)) for s in range(3)]
    run_jobs(jobs, run_outcomes, workers=1, progress=True, description="cyber")
    err = capsys.readouterr().err
    assert "\r" not in err
    assert any(line.startswith("cyber: 3/3 runs, 0 failed") for line in err.splitlines())


def test_a_bad_rules_spec_names_rules(capsys):
    assert main(["compare", "cyber_attack", "--rules", ":k=3", "--seeds", "1"]) == 2
    assert capsys.readouterr().err.startswith("error: --rules:")


def test_params_prints_each_default_with_its_bounds_in_aligned_columns(capsys):
    assert main(["params"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0]
    assert header.split() == ["parameter", "default", "bounds", "meaning"]
    at = {name: header.index(name) for name in ("default", "bounds", "meaning")}
    (temperature,) = [x for x in lines if x.startswith("temperature ")]
    (population,) = [x for x in lines if x.startswith("population ")]
    for line in (temperature, population):
        assert line[at["default"] - 1] == " " and line[at["bounds"] - 1] == " "
    assert temperature[at["bounds"]:].startswith("(0, 5]")  # above 0, at most 5
    assert population[at["default"]:].startswith("2,000") and "[1, 10,000,000]" in population
    assert "0.2702702" not in "\n".join(lines)  # defaults read as a person reads them


def test_every_outcome_a_run_gives_is_declared_with_its_bounds(ukraine):
    # A new outcome computed in analysis.outcomes but not declared in OUTCOMES would be
    # refused by a sweep file, never clipped, and ranked the wrong way if less is better.
    result = play(checked(ukraine, "formal", seed=2))
    for outcome, actor, value in run_outcomes(result.events, result.timeseries):
        found = declared(outcome)
        assert found is not None, f"{outcome} is computed but not declared in OUTCOMES"
        low, high = found.bounds
        assert low <= value <= high, (outcome, actor, value)
        assert not found.binary or value in (0.0, 1.0), outcome
    assert all(o.legend for o in OUTCOMES.values() if o.label), "a headline needs a legend"


def test_a_belief_is_an_adversarys_narrative_so_less_of_it_ranks_first():
    import pandas as pd

    from agents.catalog import ADVERSARIES
    from analysis.sensitivity import firsts
    from scenarios.information import NARRATIVES

    # every belief.<narrative> is declared less-is-better: true only while every narrative
    # is China's or Russia's (a partner's own narrative would need its own declaration)
    assert all(n.sponsor in ADVERSARIES for n in NARRATIVES.values())
    assert all(declared(f"belief.{n}").lower_is_better for n in NARRATIVES)
    assert declared("gap").lower_is_better and not declared("support").lower_is_better
    means = pd.DataFrame({"scenario": "s", "point": 0, "actor": "NZL", "rule": ["a", "b"] * 3,
                          "outcome": ["belief.asia_pacific_nato"] * 2 + ["gap"] * 2
                          + ["support"] * 2, "mean": [0.2, 0.3, 0.2, 0.3, 0.2, 0.3]})
    first = firsts(means).set_index(["outcome", "rule"])["first"]
    assert first[("belief.asia_pacific_nato", "a")] == first[("gap", "a")] == 1  # less
    assert first[("support", "b")] == 1  # more


def test_a_rule_given_twice_is_said_to_be_played_once(tmp_path, capsys):
    assert main(["compare", "cyber_attack", "--rules", "caucus,caucus:pull=1,bilateral",
                 "--seeds", "2", "--workers", "1", "--quiet", "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert "the same rule given twice is played once; comparing caucus, bilateral" in err
    assert main(["compare", "cyber_attack", "--rules", "caucus,caucus", "--seeds", "2",
                 "--workers", "1", "--quiet", "--out", str(tmp_path / "b")]) == 0
    assert "one rule: its outcomes are written, with no differences" in capsys.readouterr().err
    assert main(["compare", "cyber_attack", "--rules", "caucus,hybrid:min_stake=0.2,"
                 "max_spread=0.3", "--seeds", "2", "--workers", "1", "--quiet", "--out",
                 str(tmp_path / "c")]) == 0
    assert "note:" not in capsys.readouterr().err
