"""The application: the engine's runs joined to what analysis makes of them.

The one package of ``sim/`` that imports ``analysis/`` (a test keeps it so); the command
line, the browser and Python users call it. One job a module:

- ``runs``: a run's folder and report, the live account, why a country chose;
- ``comparisons``: every rule over the same seeds, and the assumed weights' share of doubt;
- ``sweeps``: sweep files into their store, their analysis, the EMA Workbench model;
- ``backtests``: runs of a scenario set in history scored against the record.

``from sim.app import compare`` works for every name below; a module is imported when
one of its names is first asked for, so a single run (``ip4sim run``) loads none of the
comparisons', sweeps' or backtests' code (nor pyarrow, SALib or Dask).
"""

from __future__ import annotations

import importlib

_MODULE_OF = {
    **dict.fromkeys(("ROOM_NOTE", "LiveAccount", "allies_line", "choices_of",
                     "coercion_line", "council_line", "explain", "likely", "line_outcomes",
                     "narrate", "not_yet_note", "option_labels", "outcome_label", "png",
                     "projector_figure",
                     "report",
                     "sources", "summary_figure", "write_debrief"), "runs"),
    **dict.fromkeys(("ASSUMPTION_RANGE", "ASSUMPTION_SEEDS", "Comparison", "compare",
                     "draw_runs", "weight_draws"), "comparisons"),
    **dict.fromkeys(("Analysis", "analyze", "check_sweep", "ema_model", "outcome_problem",
                     "run_sweep"), "sweeps"),
    **dict.fromkeys(("Backtest", "backtest"), "backtests"),
}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'sim.app' has no attribute {name!r}")
    return getattr(importlib.import_module(f"sim.app.{_MODULE_OF[name]}"), name)
