"""``ip4sim serve``: the pages on solara's server, one process holding every game."""

from __future__ import annotations

import os
from pathlib import Path

from scenarios.errors import InputError
from sim.web.games import Games


def serve(host: str = "127.0.0.1", port: int = 8765, folders: tuple[Path, ...] = (),
          runs: Path = Path("runs")) -> None:
    """Serve the console, the seats and the projector until interrupted."""
    for folder in folders:
        if not folder.is_dir():
            raise InputError.one("--scenarios", str(folder), "not a folder")
    os.environ["SOLARA_APP"] = "sim.web.pages"  # read when solara's server is imported
    import solara.server.starlette
    import uvicorn

    from sim.web import pages

    games = Games(host=host, folders=folders, runs=runs)
    pages.configure(games)
    key = f"/?key={games.console_key}" if games.console_key else ""
    where = "the network: the console needs this key, every seat its join code" \
        if games.codes_required else "this machine only"
    print(f"ip4sim serve: http://{host}:{port}{key} (listening on {where}; Ctrl-C stops)",
          flush=True)
    uvicorn.run(solara.server.starlette.app, host=host, port=port, log_level="warning")
