"""`ip4sim validate` checks every kind of file a user writes (a scenario, a sweep file, a
record of what happened), each told apart by the fields it alone has, or as ``--kind`` says,
and reports every problem of every file with its line."""

import re

from scenarios.loader import library_dir
from scenarios.record import records_dir
from scenarios.sweep import EXAMPLE
from sim.cli import main

RECORD = (records_dir() / "ukraine_2022.yaml").read_text(encoding="utf-8")
HISTORY = (library_dir() / "ukraine_2022.yaml").read_text(encoding="utf-8")


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lines_of(text: str, needle: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if needle in line]


def test_each_kind_is_checked_and_summed_up_in_a_line(tmp_path, capsys):
    sweep = write(tmp_path, "sweep.yaml", EXAMPLE)
    assert main(["sweep", str(sweep), "--check"]) == 0
    would_run = capsys.readouterr().out.removeprefix(f"ok: {sweep}: ")
    assert main(["validate", str(sweep), str(records_dir() / "ukraine_2022.yaml"),
                 "ukraine_response"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"ok: {sweep} (sweep): {would_run.strip()}"  # what --check says
    assert re.fullmatch(r"ok: .*ukraine_2022.yaml \(record\): February to July 2022.*: 20 "
                        r"entries on \d+ decisions of scenario ukraine_2022, by \d+ actors, "
                        r"2022-02-\d\d to 2022-06-29", out[1])
    assert out[2].startswith("ok: ukraine_response (scenario): ")


def test_every_problem_of_a_record_is_reported_at_once_in_line_order(tmp_path, capsys):
    text = RECORD.replace("actor: NZL", "actor: NZZ", 1).replace(
        "date: 2022-06-29", "date: 2023-06-29", 1).replace("decision: sanctions",
                                                           "decision: sanctons", 1)
    record = write(tmp_path, "my-record.yaml", text)
    assert main(["validate", str(record)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{record}: checked as a record of what happened (it holds entries): " \
                     "3 problems"
    found = [int(re.match(rf"error: {re.escape(str(record))}:(\d+): ", e)[1]) for e in err[1:]]
    assert found == sorted(found) and len(found) == 3
    assert "unknown actor 'NZZ'" in err[found.index(lines_of(text, "NZZ")[0]) + 1]
    assert "'sanctons'" in "".join(err) and "2023-06-29 is outside the scenario" in "".join(err)
    assert not any("unknown field" in e for e in err)  # not read as a scenario


def test_a_record_is_checked_against_a_scenario_file_given_with_it(tmp_path, capsys):
    scenario = write(tmp_path, "my_2022.yaml", HISTORY.replace("id: ukraine_2022", "id: my_2022"))
    record = write(tmp_path, "rec.yaml", RECORD.replace("scenario: ukraine_2022",
                                                        "scenario: my_2022"))
    assert main(["validate", str(record), str(scenario)]) == 0  # in either order
    assert "of scenario my_2022" in capsys.readouterr().out
    assert main(["validate", str(record)]) == 2
    err = capsys.readouterr().err
    assert f"error: {record}:{lines_of(RECORD, 'scenario: ukraine_2022')[0]}: scenario: no " \
           f"scenario 'my_2022' among the files given or built in" in err
    broken = write(tmp_path, "broken.yaml", scenario.read_text().replace("turns: ", "turns: -",
                                                                          1))
    assert main(["validate", str(broken), str(record)]) == 2
    err = capsys.readouterr().err
    assert f"its scenario {broken} has problems (reported with it)" in err
    assert f"error: {broken}:" in err


def test_a_file_of_no_kind_or_of_two_gets_one_problem(tmp_path, capsys):
    none = write(tmp_path, "none.yaml", "title: notes\nsynopsis: nothing here\n")
    both = write(tmp_path, "both.yaml", "turns: 3\nentries: []\n")
    assert main(["validate", str(none), str(both)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert err[0].startswith(f"error: {none}:1: none of the three kinds of file: a scenario "
                             "holds turns, decisions or injects; a sweep file holds "
                             "scenarios, factors, design or replicates; a record of what "
                             "happened holds entries")
    assert err[1].startswith(f"error: {both}:1: holds the fields of two kinds, a scenario "
                             "(turns) and a record of what happened (entries)")


def test_kind_forces_how_a_file_is_checked(tmp_path, capsys):
    sweep = write(tmp_path, "sweep.yaml", EXAMPLE)
    assert main(["validate", "--kind", "record", str(sweep)]) == 2
    err = capsys.readouterr().err
    assert f"{sweep}: checked as a record of what happened (--kind)" in err
    assert "scenarios: unknown field; did you mean 'scenario'?" in err
    none = write(tmp_path, "none.yaml", "title: notes\n")
    assert main(["validate", "--kind", "scenario", str(none)]) == 2
    assert "turns: Field required" in capsys.readouterr().err


def test_a_sweep_files_problems_are_all_reported_with_its_kind(tmp_path, capsys):
    text = EXAMPLE.replace("temperature", "temprature").replace("kind: lhs", "kind: lhs2")
    sweep = write(tmp_path, "sweep.yaml", text)
    good = write(tmp_path, "good.yaml", EXAMPLE)
    assert main(["validate", str(sweep), str(good)]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(f"ok: {good} (sweep): ")
    assert err.startswith(f"{sweep}: checked as a sweep file (it holds scenarios, factors, "
                          "design, replicates): 2 problems")
    assert "did you mean 'temperature'" in err and "design.kind: Input should be" in err
