"""Where drawing a run's figures spends its time, and how many Python calls a debrief makes.

    python -m benchmarks.drawing [--repeat 10]

Plays ``ukraine_response`` (seed 1), then draws its summary and publics figures as PNGs
(``analysis.figures.png``) ``--repeat`` times, sampling the stack as CPU time passes
(``SIGPROF``), and prints each part's share of the samples (a part's share counts the
samples anywhere below it, so parts overlap). Then counts the Python function calls of one
``write_debrief`` of the run's folder (``cProfile``): a figure that load on the machine does
not move, to compare two versions by.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import signal
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import FrameType

# part -> (a module's file name, without .py, and a function in it): the stack frames that
# mark the part
PARTS = {
    "building the summary figure": ("figures", "summary_figure"),
    "building the publics figure": ("figures", "publics_figure"),
    "drawing both (Figure.draw)": ("figure", "draw"),
    "  of which texts (laid out, glyphs rendered)": ("text", "draw"),
    "  of which placing axis labels": ("axis", "_update_label_position"),
    "  of which placing axes titles": ("_base", "_update_title_position"),
    "encoding the PNGs": ("ImageFile", "_save"),
    "making tick objects (building and drawing)": ("axis", "_get_tick"),
}
INTERVAL = 0.001  # seconds of CPU time between samples asked for (the kernel's timer may
# take them further apart: read shares, not milliseconds)


def frames(frame: FrameType | None) -> set[tuple[str, str]]:
    """(module file name, function) of every frame of a stack."""
    out = set()
    while frame is not None:
        out.add((Path(frame.f_code.co_filename).stem, frame.f_code.co_name))
        frame = frame.f_back
    return out


def shares(draw, repeat: int) -> tuple[int, dict[str, float]]:
    """Samples taken while ``draw()`` ran ``repeat`` times, and each part's share of them."""
    samples: list[set[tuple[str, str]]] = []
    signal.signal(signal.SIGPROF, lambda _signum, frame: samples.append(frames(frame)))
    signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)
    try:
        for _ in range(repeat):
            draw()
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
    counts = Counter(part for stack in samples for part, mark in PARTS.items() if mark in stack)
    return len(samples), {part: counts[part] / max(len(samples), 1) for part in PARTS}


def calls(write_debrief, folder: Path) -> int:
    """Python function calls of one ``write_debrief(folder)``."""
    profile = cProfile.Profile()
    profile.runcall(write_debrief, folder)
    return pstats.Stats(profile).total_calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.drawing",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    from sim.cli import engine_first
    with engine_first():  # as `ip4sim run` imports
        from analysis.figures import png, publics_figure, summary_figure
        from sim.app import report
        from sim.outputs import read_run
        from sim.request import RunRequest
        from sim.runner import play
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "run"
        report(play(RunRequest(scenario="ukraine_response", seed=1).check()), folder)
        run = read_run(folder)

        def draw() -> None:
            png(summary_figure(run.timeseries, run.manifest.title, run.events,
                               run.manifest.actors))
            png(publics_figure(run.timeseries, run.manifest.title, run.manifest.actors))

        draw()  # fonts loaded, caches warm
        taken, share = shares(draw, args.repeat)
        from analysis.debrief import write_debrief
        made = calls(write_debrief, folder)
    print(f"drawing the summary and publics figures {args.repeat} times: {taken} samples")
    for part, value in share.items():
        print(f"  {part:<46} {value:6.1%}")
    print(f"Python function calls of one write_debrief: {made:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
