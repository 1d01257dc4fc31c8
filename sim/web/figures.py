"""The projector's figure, drawn off the pages' redraw path.

The projector's summary (``projector_figure``: the run's summary in type a room reads)
takes about 0.7 s to draw on the 2-core development machine (0.2 s to
lay out, 0.5 s to render the PNG): a page that drew it as it redrew would show every change
that much later. It changes only when a turn ends or is taken back, so it is drawn once per
(game, line of play, turn) by one worker thread that every page on the server shares, and a
page shows the last figure finished for its game until the next one is done (its own
thread waits for it and redraws the page then). One worker, not one per page: two
browsers on one projector do not draw the same figure twice, and the server's other
threads keep the second core.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from sim.app import png, projector_figure


@dataclass(frozen=True)
class Drawn:
    """A finished figure: the PNG, and the (game, line, turns done) it shows."""

    key: tuple[str, int, int]
    png: bytes


class Figures:
    """Every game's summary figure, drawn once per (game, line, turn) in one worker."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ip4sim-figures")
        self.lock = threading.Lock()
        self.drawing: dict[str, tuple[tuple, Future[Drawn]]] = {}  # game id -> latest asked
        self.finished: dict[str, Drawn] = {}  # game id -> the last figure finished

    def request(self, game) -> Future[Drawn]:
        """The figure of ``game`` as it stands (drawn once: later calls share it)."""
        with game.changed:  # the key and the record it is drawn from, from one moment
            key = game.figure_key
            model = game.model
            done = model.turns_done
            rows = [r for r in model.timeseries if r[0] <= done]
            events = [e for e in model.events if e.turn <= done]
        with self.lock:
            asked = self.drawing.get(game.id)
            if asked is None or asked[0] != key:  # only the latest is kept: one per game
                names = {c: p.name for c, p in model.catalog.profiles.items()}
                future = self.pool.submit(self._draw, key, rows, events, names)
                asked = self.drawing[game.id] = (key, future)
        return asked[1]

    def last(self, game_id: str) -> Drawn | None:
        """The game's last finished figure (perhaps of an earlier turn), or None."""
        return self.finished.get(game_id)

    def _draw(self, key: tuple[str, int, int], rows, events, names) -> Drawn:
        drawn = Drawn(key, png(projector_figure(rows, events, names)))
        with self.lock:
            self.finished[key[0]] = drawn
        return drawn
