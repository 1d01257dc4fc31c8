"""The README's examples work as written."""

import argparse
import re
from pathlib import Path

import pytest

from scenarios.loader import parse_scenario
from sim.cli import build_parser, main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_the_scenario_example_is_a_valid_scenario_that_plays(tmp_path):
    example = next(b for b in blocks("yaml") if b.startswith("id: my_exercise"))
    assert parse_scenario(example, "README.md").turns == 6
    path = tmp_path / "my_exercise.yaml"
    path.write_text(example, encoding="utf-8")
    assert main(["run", str(path), "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert (tmp_path / "run" / "report.md").is_file()


def test_the_documented_error_messages_are_the_ones_printed(capsys):
    assert main(["run", "ukraine_response", "--set", "JPM.china_threat=0.6"]) == 2
    printed = capsys.readouterr().err.strip()
    assert printed in README


def commands() -> dict[str, argparse.ArgumentParser]:
    return next(a for a in build_parser()._actions
                if isinstance(a, argparse._SubParsersAction)).choices


@pytest.mark.parametrize("command", commands())
def test_the_command_table_gives_every_option_of_each_command(command):
    table = README[README.index("## Commands"):README.index("Bad input never ends")]
    cells = " ".join(row[2:].split(" | ")[0] for row in table.splitlines()
                     if re.match(rf"\| `ip4sim {command}\b", row))
    options = {o for a in commands()[command]._actions for o in a.option_strings
               if o.startswith("--") and o != "--help"}
    assert cells and sorted(o for o in options
                            if not re.search(re.escape(o) + r"(?![\w-])", cells)) == []
