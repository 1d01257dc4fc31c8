"""`ip4sim --version` and `--help` answer at once (issue 9): the parser is built from light
modules only, and each command imports what it needs when it runs. Checked by what a fresh
interpreter has imported, not by a clock."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import build_parser

ROOT = Path(__file__).parent.parent
HEAVY = ("mesa", "numpy", "pydantic", "matplotlib", "solara", "pandas", "scipy", "pyarrow")
# Run main() on the arguments, then say which heavy packages it imported (argparse's help
# and version end in SystemExit).
PROBE = f"""
import json, sys
from sim.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))),
      file=sys.stderr)
"""


def imported(*argv: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stderr.strip().splitlines()[-1])


def commands() -> list[str]:
    """Every subcommand's name (the one action whose choices are parsers)."""
    return next(list(a.choices) for a in build_parser()._actions if isinstance(a.choices, dict))


@pytest.mark.parametrize("argv", [["--version"], ["--help"]] + [[c, "--help"]
                                                                 for c in commands()])
def test_version_and_help_import_nothing_heavy(argv):
    assert imported(*argv) == []


def test_the_probe_sees_what_a_command_imports():
    assert "pydantic" in imported("rules")  # a command that runs imports what it needs
