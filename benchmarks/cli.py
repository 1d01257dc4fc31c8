"""How long the command line takes to answer, wall time from the shell, as a user waits.

    python -m benchmarks.cli [--rounds 8] [--other OTHER_CHECKOUT]

Times ``ip4sim --version``, ``ip4sim --help`` and ``ip4sim run ukraine_response`` (with its
report and figures, into a fresh folder), each a new interpreter, for ``--rounds`` rounds;
prints each command's median and best. With ``--other``, the same commands run from that
checkout too (``PYTHONPATH``), alternated with this one's round by round, so the two are
measured under the same load; make it inside this checkout, where git ignores it:
``git worktree add --detach .bench/before COMMIT``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.checkouts import checkout

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {"--version": ["--version"], "--help": ["--help"],
            "run ukraine_response": ["run", "ukraine_response", "--quiet", "--out"]}
MAIN = "import sys; from sim.cli import main; sys.exit(main(sys.argv[1:]))"


def wall(tree: Path, argv: list[str], scratch: Path) -> float:
    """Seconds from starting the interpreter to its exit; a run writes under ``scratch``."""
    if argv[-1] == "--out":
        argv = [*argv, tempfile.mkdtemp(dir=scratch)]
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", MAIN, *argv], cwd=tree, check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(tree)})
    return time.perf_counter() - began


def arguments(prog: str, doc: str, argv: list[str] | None) -> tuple[int, dict[str, Path]]:
    """``--rounds`` and ``--other``: the rounds, and the checkouts to time by name ("this",
    and "other" when given); an ``--other`` that is no checkout of ip4sim exits (status 2)
    with an error naming it."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--other", type=checkout, help="another checkout's root folder")
    args = parser.parse_args(argv)
    trees = {"this": ROOT}
    if args.other is not None:
        trees["other"] = args.other
    return args.rounds, trees


def main(argv: list[str] | None = None) -> int:
    rounds, trees = arguments("python -m benchmarks.cli", __doc__, argv)
    seconds = {(name, command): [] for name in trees for command in COMMANDS}
    with tempfile.TemporaryDirectory() as scratch:
        for tree in trees.values():  # a first, unmeasured pass writes the bytecode
            wall(tree, COMMANDS["run ukraine_response"], Path(scratch))
        for _ in range(rounds):
            for command, command_argv in COMMANDS.items():
                for name, tree in trees.items():
                    seconds[name, command].append(wall(tree, command_argv, Path(scratch)))
    print(f"wall seconds from the shell, {rounds} rounds (median, best)")
    for command in COMMANDS:
        cells = [f"{name} {statistics.median(seconds[name, command]):.2f}, "
                 f"{min(seconds[name, command]):.2f}" for name in trees]
        print(f"  ip4sim {command:<22} " + "; ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
