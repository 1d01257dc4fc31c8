"""The browser's figures: time from a seat's answer to the projector's redraw, time to draw
a turn, memory per open game; the projector's figure drawn on its redraw path (as it was)
and off it (as it is), side by side.

    python -m benchmarks.web [--games 5] [--scenario ukraine_response]

1. **memory per game**: ``--games`` games started on one registry (Japan and Korea played by
   people), the traced allocations (``tracemalloc``) divided by the number of games; then
   the same with each game's projector figure drawn and kept (what a projector adds; at
   turn 1, when the figure's PNG is smallest).
2. **answer to projector**: the projector component is rendered with solara's test
   renderer on one game, watching it as a browser's page does; each answer is timed from
   the call to the moment the projector has redrawn with the game's new version (the
   engine playing on to the next prompt included), over every answer of the game.
3. **draw a turn**: the projector rendered afresh (its lines and its figure) at every turn
   boundary, as a browser opening it then would.
4. **figure ready** (off the redraw path only): from the end of a turn to the moment its
   figure is finished in the background and the projector can show it.

"before": the summary figure drawn inside the projector's render whenever the turn changed
(``solara.FigureMatplotlib``, the page's code until the figure worker); "now": the page as
it is (``sim/web/figures.py``). Medians and maxima in milliseconds; target: under 200 ms.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import solara

from sim.app import summary_figure
from sim.web import pages
from sim.web.games import Game, Games

PEOPLE = ("JPN", "KOR")


@solara.component
def FigureInRender(game: Game, key: tuple[str, int, int]):
    """The projector's figure as it was: drawn in the page's render when the turn changed."""
    model = game.model
    names = {c: p.name for c, p in model.catalog.profiles.items()}
    figure = solara.use_memo(lambda: summary_figure(
        model.timeseries, model.exercise.title, model.events, names), dependencies=[key])
    solara.FigureMatplotlib(figure, dependencies=[key], format="png")


@contextmanager
def figure_in_render(on: bool):
    """The projector with its figure drawn in its render (``on``) or as it is."""
    kept = pages.SummaryFigure
    if on:
        pages.SummaryFigure = FigureInRender
    try:
        yield
    finally:
        pages.SummaryFigure = kept


def memory_per_game(scenario: str, n: int, runs: Path) -> tuple[float, float]:
    games = Games(runs=runs)
    games.figures.request(games.start(scenario, people=PEOPLE)).result()  # imports, caches
    tracemalloc.start()
    gc.collect()
    before = tracemalloc.take_snapshot()
    started = [games.start(scenario, seed=seed, people=PEOPLE) for seed in range(n)]
    gc.collect()  # a drawn figure leaves cycles behind: count what is kept, not garbage
    middle = tracemalloc.take_snapshot()
    for game in started:
        games.figures.request(game).result()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()

    def grown(a, b):
        return sum(s.size_diff for s in b.compare_to(a, "filename")) / n

    return grown(before, middle), grown(before, after)


def answer_to_projector(scenario: str, runs: Path, in_background: bool
                        ) -> tuple[list[float], list[float], list[float]]:
    games = Games(runs=runs)
    pages.configure(games)
    game = games.start(scenario, seed=1, people=PEOPLE)
    seen: list[int] = []

    @solara.component
    def Watched():  # the projector page, noting each version once it is drawn
        version = pages.use_version(game)
        pages.ProjectorView(game, version)
        solara.use_effect(lambda: seen.append(version or 0), [version])

    solara.render(Watched(), handle_error=False)
    redraw, turns, ready = [], [], []
    while not game.model.finished:
        if not game.model.waiting:
            start = time.perf_counter()
            solara.render(pages.ProjectorView(game, game.version), handle_error=False)
            turns.append(time.perf_counter() - start)
            game.next_turn()
            continue
        request = game.model.waiting[0]
        done = game.model.turns_done
        start = time.perf_counter()
        game.answer(request.actor, request.engine, request.stage)
        target = game.version
        deadline = time.perf_counter() + 30
        while (not seen or seen[-1] < target) and time.perf_counter() < deadline:
            time.sleep(0.001)
        redraw.append(time.perf_counter() - start)
        if in_background and game.model.turns_done > done:  # when is its figure there?
            key = game.figure_key
            while time.perf_counter() < deadline and not (
                    (last := games.figures.last(game.id)) and last.key == key):
                time.sleep(0.001)
            ready.append(time.perf_counter() - start)
    return redraw, turns, ready


def ms(values: list[float]) -> str:
    if not values:
        return "-"
    return f"median {statistics.median(values) * 1000:.0f} ms, max " \
        f"{max(values) * 1000:.0f} ms (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=5)
    parser.add_argument("--scenario", default="ukraine_response")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started, drawn = memory_per_game(args.scenario, args.games, Path(tmp))
        print(f"memory per open game ({args.scenario}, {args.games} games): "
              f"{started / 2**20:.2f} MiB; with its projector figure kept: "
              f"{drawn / 2**20:.2f} MiB")
        results = {}
        for label, on in (("before", True), ("now", False)):
            with figure_in_render(on):
                results[label] = answer_to_projector(args.scenario, Path(tmp), not on)
        rows = [("answer to projector redraw", 0), ("draw a turn (lines and figure)", 1),
                ("a turn's figure ready", 2)]
        for what, i in rows:
            print(f"{what}:")
            for label, measured in results.items():
                if measured[i] or label == "now":
                    print(f"  {label:6} {ms(measured[i])}")


if __name__ == "__main__":
    main()
