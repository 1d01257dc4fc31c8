"""The browser's figures: time from a seat's answer to the projector's redraw, time to draw
a turn, memory per open game.

    python -m benchmarks.web [--games 5] [--scenario ukraine_response]

1. **memory per game**: ``--games`` games started on one registry (Japan and Korea played by
   people), the traced allocations (``tracemalloc``) divided by the number of games.
2. **answer to projector**: the projector component is rendered with solara's test
   renderer on one game, watching it as a browser's page does; each answer is timed from
   the call to the moment the projector has redrawn with the game's new version (the
   engine playing on to the next prompt included), over every answer of the game.
3. **draw a turn**: the projector drawn afresh (its lines and the summary figure) at
   every turn boundary.

Medians and maxima in milliseconds. The target is under 200 ms for the redraw.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import solara

from sim.web import pages
from sim.web.games import Games

PEOPLE = ("JPN", "KOR")


def memory_per_game(scenario: str, n: int, runs: Path) -> float:
    games = Games(runs=runs)
    games.start(scenario, people=PEOPLE)  # imports and caches before measuring
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for seed in range(n):
        games.start(scenario, seed=seed, people=PEOPLE)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    return grown / n


def answer_to_projector(scenario: str, runs: Path) -> tuple[list[float], list[float]]:
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
    redraw, turns = [], []
    while not game.model.finished:
        if not game.model.waiting:
            start = time.perf_counter()
            solara.render(pages.ProjectorView(game, game.version), handle_error=False)
            turns.append(time.perf_counter() - start)
            game.next_turn()
            continue
        request = game.model.waiting[0]
        start = time.perf_counter()
        game.answer(request.actor, request.engine, request.stage)
        target = game.version
        deadline = time.perf_counter() + 30
        while (not seen or seen[-1] < target) and time.perf_counter() < deadline:
            time.sleep(0.001)
        redraw.append(time.perf_counter() - start)
    return redraw, turns


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms" \
        f" (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=5)
    parser.add_argument("--scenario", default="ukraine_response")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        per_game = memory_per_game(args.scenario, args.games, Path(tmp))
        print(f"memory per open game ({args.scenario}, {args.games} games): "
              f"{per_game / 2**20:.1f} MiB")
        redraw, turns = answer_to_projector(args.scenario, Path(tmp))
        print(f"answer to projector redraw: {ms(redraw)}")
        print(f"draw a turn (projector lines and figure): {ms(turns)}")


if __name__ == "__main__":
    main()
