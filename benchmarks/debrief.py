"""How long a run's debrief takes to draw: ``analysis.debrief.write_debrief`` (the summary
and publics figures, as PNGs, and the after-action report), in the state `ip4sim run`
calls it in.

    python -m benchmarks.debrief [--rounds 8] [--other OTHER_CHECKOUT]

Plays ``ukraine_response`` (seed 1) once into a scratch folder; then, each round, a new
interpreter imports what `ip4sim run` imports, as it does (the collector paused, then
what was imported frozen: ``sim.cli.engine_first``), and writes that folder's debrief
twice: the first call is the one `ip4sim run` pays (fonts and caches still cold), the
second one is warm. Prints each call's CPU seconds, median and best over the rounds.
With ``--other``, the same from that checkout (``PYTHONPATH``), alternated round by
round with this one, so the two are measured under the same load.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.cli import MAIN, ROOT, arguments

# Two debriefs of the folder argv[1] into copies of it, timed in CPU seconds, printed as
# JSON: written as a program so an older checkout, without this module, runs it too.
TIME = """
import gc, json, shutil, sys, tempfile, time
from pathlib import Path
from sim.cli import engine_first
with engine_first():
    from sim.app import write_debrief
seconds = []
for _ in range(2):
    out = Path(tempfile.mkdtemp(dir=sys.argv[2]))
    for name in ("events.jsonl", "timeseries.csv", "manifest.json"):
        shutil.copy(Path(sys.argv[1]) / name, out / name)
    began = time.process_time()
    write_debrief(out)
    seconds.append(time.process_time() - began)
print(json.dumps(seconds))
"""


def debriefs(tree: Path, run: Path, scratch: Path) -> list[float]:
    """CPU seconds of a first and a second ``write_debrief`` in a new interpreter."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", TIME, str(run), str(scratch)], cwd=tree,
                          env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    rounds, trees = arguments("python -m benchmarks.debrief", __doc__, argv)
    with tempfile.TemporaryDirectory() as scratch:
        run = Path(scratch) / "run"
        subprocess.run([sys.executable, "-c", MAIN, "run", "ukraine_response", "--quiet",
                        "--out", str(run)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        for tree in trees.values():  # a first, unmeasured pass writes the bytecode
            debriefs(tree, run, Path(scratch))
        seconds = {name: [] for name in trees}
        for _ in range(rounds):
            for name, tree in trees.items():
                seconds[name].append(debriefs(tree, run, Path(scratch)))
    print(f"write_debrief, CPU seconds, {rounds} rounds (median, best)")
    for k, call in enumerate(("first call", "second call")):
        cells = [f"{name} {statistics.median(s[k] for s in calls):.3f}, "
                 f"{min(s[k] for s in calls):.3f}" for name, calls in seconds.items()]
        print(f"  {call:<12} " + "; ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
