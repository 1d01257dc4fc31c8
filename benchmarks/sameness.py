"""This checkout's engine against another's: are a run's events and time series the same,
byte for byte?

    python -m benchmarks.sameness OTHER_CHECKOUT [--seeds 2]

One worker process per checkout (``PYTHONPATH`` set to it) plays every built-in scenario
(``scenarios/library/*.yaml``) under every rule (``ip4sim rules``) for seeds 1 to
``--seeds``, explained (as ``ip4sim run`` plays it) and unexplained (as a batch whose reduce
reads no terms plays it), and writes each run's ``events.jsonl`` and ``timeseries.csv``
with ``sim.outputs``' own writers; the two folders are then compared file by file. For a
change meant to make the engine faster and nothing else. Make the other checkout inside
this one, where git ignores it: ``git worktree add --detach .bench/before COMMIT``.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.checkouts import checkout

ROOT = Path(__file__).resolve().parent.parent

# What each worker runs: argv[1] the folder to write into, argv[2] the number of seeds.
WORKER = """
import sys
from pathlib import Path
from sim.outputs import timeseries_csv, to_jsonl
from sim.request import RunRequest
from sim.rules import rule_names
from sim.runner import play

out, seeds = Path(sys.argv[1]), int(sys.argv[2])
for scenario in sorted(Path("scenarios/library").glob("*.yaml")):
    for rule in rule_names():
        for seed in range(1, seeds + 1):
            for explained in (True, False):
                result = play(RunRequest(scenario=str(scenario), rule=rule, seed=seed),
                              explained=explained)
                name = f"{scenario.stem}.{rule}.{seed}.{'explained' if explained else 'bare'}"
                (out / f"{name}.events.jsonl").write_text(to_jsonl(result.events))
                (out / f"{name}.timeseries.csv").write_text(timeseries_csv(result.timeseries))
"""


def write_runs(tree: Path, out: Path, seeds: int) -> subprocess.Popen:
    out.mkdir()
    return subprocess.Popen([sys.executable, "-c", WORKER, str(out), str(seeds)], cwd=tree,
                            env={**os.environ, "PYTHONPATH": str(tree)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sameness",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=checkout, help="the other checkout's root folder")
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        trees = {"this": ROOT, "other": args.other}
        workers = [write_runs(tree, Path(folder) / name, args.seeds)
                   for name, tree in trees.items()]
        if any(worker.wait() for worker in workers):
            print("error: a worker failed (above)", file=sys.stderr)
            return 1
        this, other = Path(folder) / "this", Path(folder) / "other"
        names = sorted(p.name for p in this.iterdir())
        if names != sorted(p.name for p in other.iterdir()):
            print("error: the two checkouts played different runs", file=sys.stderr)
            return 1
        differ = [n for n in names if not filecmp.cmp(this / n, other / n, shallow=False)]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(names)} files ({len(names) // 2} runs), {len(names) - len(differ)} "
          f"byte for byte the same as {args.other}'s, {len(differ)} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
