"""`ip4sim --version` and `--help` answer at once (issue 9): the parser is built from light
modules only, and each command imports what it needs when it runs; `ip4sim run` imports
nothing beyond Mesa's own imports and what it plays, draws and checks with. Checked by what
a fresh interpreter has imported, not by a clock."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import build_parser

ROOT = Path(__file__).parent.parent
HEAVY = ("mesa", "numpy", "pydantic", "matplotlib", "solara", "pandas", "scipy", "pyarrow")
# Run main() on the arguments (argparse's help and version end in SystemExit), then list
# every module the interpreter has loaded.
PROBE = """
import json, sys
from sim.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
# What `ip4sim run` has no use for: the sweeps', analyses' and browser's libraries.
NOT_FOR_A_RUN = ("SALib", "solara", "dask", "distributed", "ema_workbench", "statsmodels",
                 "scipy.stats", "pyarrow.parquet", "pyarrow.dataset", "ipywidgets", "selenium")
# What a run needs beyond Mesa's own imports (numpy, scipy.spatial, networkx; pandas,
# which a run defers and never loads): pydantic for its records, PyYAML for its inputs,
# matplotlib for its figures.
RUN_NEEDS = {"pydantic", "pydantic_core", "annotated_types", "typing_inspection",
             "typing_extensions", "yaml", "matplotlib", "mpl_toolkits", "PIL", "kiwisolver",
             "cycler", "fontTools", "pyparsing", "dateutil", "packaging"}
OURS = {"agents", "analysis", "scenarios", "sim"}


def loaded(code: str, *argv: str) -> set[str]:
    """Every module a fresh interpreter has loaded after running ``code``."""
    done = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def imported(*argv: str) -> list[str]:
    """The heavy packages ``main(argv)`` imported."""
    return sorted({m.split(".")[0] for m in loaded(PROBE, *argv)} & set(HEAVY))


def commands() -> list[str]:
    """Every subcommand's name (the one action whose choices are parsers)."""
    return next(list(a.choices) for a in build_parser()._actions if isinstance(a.choices, dict))


@pytest.mark.parametrize("argv", [["--version"], ["--help"]] + [[c, "--help"]
                                                                 for c in commands()])
def test_version_and_help_import_nothing_heavy(argv):
    assert imported(*argv) == []


def test_the_probe_sees_what_a_command_imports():
    assert "pydantic" in imported("rules")  # a command that runs imports what it needs


def test_a_run_imports_only_what_it_needs(tmp_path):
    ran = loaded(PROBE, "run", "ukraine_response", "--quiet", "--out", str(tmp_path / "run"))
    assert not ran & set(NOT_FOR_A_RUN)
    mesa_own = loaded("import json, sys, mesa; print(json.dumps(sorted(sys.modules)), "
                      "file=sys.stderr)")
    beyond = {m.split(".")[0] for m in ran - mesa_own} - set(sys.stdlib_module_names) - OURS
    assert beyond <= RUN_NEEDS, beyond - RUN_NEEDS
    assert "pandas.core" not in ran  # Mesa imports pandas; a run never loads it


# A module deferred (sim.deferred), then used every way a program uses a module. A module
# of the standard library that a fresh interpreter has not loaded stands in for pandas.
DEFERRED = """
import inspect, sys
from sim.deferred import Deferred, defer
defer("fractions"); defer("email")
import fractions as f
import email
inspect.getmodule(inspect)  # reads every loaded module's __file__, as Mesa's loggers do
assert type(sys.modules["fractions"]) is Deferred and type(sys.modules["email"]) is Deferred
assert f.Fraction(1, 2) + f.Fraction(1, 2) == 1  # the first use loads the real module
assert type(sys.modules["fractions"]) is not Deferred and f.Fraction is sys.modules[
    "fractions"].Fraction
from fractions import Fraction
assert Fraction is f.Fraction
import email.mime.text  # a submodule's import loads its package
assert type(sys.modules["email"]) is not Deferred and email.mime.text.MIMEText
defer("fractions"); assert sys.modules["fractions"] is not f  # loaded already: left alone
defer("no_such_module_anywhere"); assert "no_such_module_anywhere" not in sys.modules
print("ok")
"""


def test_a_deferred_module_loads_when_first_used():
    done = subprocess.run([sys.executable, "-c", DEFERRED], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
