"""Third-party modules a command may never use, loaded when first used instead of at start.

Mesa imports pandas as it is imported (``mesa.agent``, its data recorders), yet a single
run (``ip4sim run``) never asks pandas for anything: 0.2 to 0.3 s of its 1.7 s went to
loading it. :func:`defer` puts a stand-in under the module's name in ``sys.modules``;
``import pandas as pd`` then binds the stand-in, and the first attribute anyone reads of
it (``pd.DataFrame``, ``from pandas import X``, a submodule's import) loads the real
module, which from then on answers for the stand-in too. Nothing changes for code that
uses the module, only when it is loaded.

The standard library's ``importlib.util.LazyLoader`` cannot do this: its module loads on
any attribute read, ``__spec__`` included, which every later ``import pandas`` statement
reads, and ``inspect.getmodule`` (Mesa's loggers call ``inspect.stack()`` as Mesa is
imported) reads ``__file__`` of every module loaded. The stand-in carries both.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types


class Deferred(types.ModuleType):
    """A module's stand-in until an attribute of it is first read."""

    def __getattr__(self, name: str):  # only for what the stand-in does not carry itself
        # No lock of our own: the import system's per-module lock makes a second thread
        # wait for the first one's import, and a lock around an import could deadlock
        # with a module another thread is importing.
        if sys.modules.get(self.__name__) is self:
            sys.modules.pop(self.__name__, None)
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        return getattr(real, name)


def defer(name: str) -> None:
    """Load the top-level module ``name`` when it is first used; nothing if it is loaded
    already or not installed (its import then fails where it is used, as it would)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stand_in = Deferred(name)
    stand_in.__spec__, stand_in.__file__ = spec, spec.origin
    sys.modules[name] = stand_in
