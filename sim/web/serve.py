"""``ip4sim serve``: the pages on solara's server, one process holding every game."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from scenarios.errors import InputError
from sim.web.games import Games


def serve(host: str = "127.0.0.1", port: int = 8765, folders: tuple[Path, ...] = (),
          runs: Path = Path("runs"), resume: tuple[Path, ...] = ()) -> None:
    """Serve the console, the seats and the projector until interrupted, with the games
    saved in the ``resume`` folders open again."""
    for folder in folders:
        if not folder.is_dir():
            raise InputError.one("--scenarios", str(folder), "not a folder")
    check_address(host, port)
    games = Games(host=host, folders=folders, runs=runs)
    reopened = [games.reopen(folder) for folder in resume]  # refused before the server starts
    os.environ["SOLARA_APP"] = "sim.web.pages"  # read when solara's server is imported
    import solara.server.starlette
    import uvicorn

    from sim.web import pages

    pages.configure(games)
    key = f"key={games.console_key}" if games.console_key else ""
    where = "the network: the console needs this key, every seat its join code" \
        if games.codes_required else "this machine only"
    print(f"ip4sim serve: http://{host}:{port}{'/?' + key if key else ''} (listening on "
          f"{where}; Ctrl-C stops)", flush=True)
    for game in reopened:
        state = "paused: play on from the console" if game.paused else "finished"
        print(f"  {game.out}: game {game.id}, turn {game.turn} ({state}): "
              f"http://{host}:{port}/?game={game.id}{'&' + key if key else ''}", flush=True)
    uvicorn.run(solara.server.starlette.app, host=host, port=port, log_level="warning")


def check_address(host: str, port: int) -> None:
    """InputError, before the server starts, for a port out of range, a host that does not
    resolve, or an address something else holds (binding it once and letting go: the
    server's own bind follows at once)."""
    if not 1 <= port <= 65535:
        raise InputError.one("--port", str(port), "a port is a whole number from 1 to 65535")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port,
                                                             type=socket.SOCK_STREAM)[0]
    except socket.gaierror as err:
        raise InputError.one("--host", host, f"not an address of this machine: {err.strerror}"
                             ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn's own
        try:
            probe.bind(address)
        except OSError as err:
            raise InputError.one("--port", str(port), f"cannot listen on {host}:{port}: "
                                 f"{err.strerror} (another server? try --port {port + 1})"
                                 ) from None
