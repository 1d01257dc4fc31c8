"""The three kinds of file a user writes, told apart by the fields each alone has.

A scenario holds turns, decisions or injects; a sweep file scenarios, factors, design or
replicates; a record of what happened entries. No kind has another's fields, so a file
holding fields of exactly one kind is that kind, whatever else it holds or misspells
(``ip4sim validate`` then reports its problems as that kind's); a file holding none, or
fields of two, is named as such, in one problem, rather than checked as each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from scenarios.errors import InputError
from scenarios.guarded import load_yaml, read_user_file

Kind = Literal["scenario", "sweep", "record"]

# The fields only each kind has (scenarios/schema.py, scenarios/sweep.py, scenarios/record.py).
FIELDS: dict[Kind, tuple[str, ...]] = {
    "scenario": ("turns", "decisions", "injects"),
    "sweep": ("scenarios", "factors", "design", "replicates"),
    "record": ("entries",),
}
NAMES: dict[Kind, str] = {"scenario": "a scenario", "sweep": "a sweep file",
                          "record": "a record of what happened"}
# What each kind holds, in the words of the rule above, for help and for a file of no kind.
RULE = "; ".join(f"{NAMES[k]} holds {', '.join(FIELDS[k][:-1])}"
                 f"{' or ' if len(FIELDS[k]) > 1 else ''}{FIELDS[k][-1]}" for k in FIELDS)


def kinds_of(data: dict) -> list[Kind]:
    """The kinds whose fields ``data`` (a file's top-level mapping) holds."""
    return [kind for kind, fields in FIELDS.items() if data.keys() & set(fields)]


def file_kind(path: Path) -> tuple[Kind, dict]:
    """The kind of the file at ``path`` and its top-level mapping; InputError naming the
    file when it is not a YAML mapping or holds the fields of no kind, or of several."""
    source = str(path)
    data = load_yaml(read_user_file(path)[1], source).data
    if not isinstance(data, dict):
        raise InputError.one(source, "", f"not a mapping of fields: {RULE}", 1)
    found = kinds_of(data)
    if len(found) == 1:
        return found[0], data
    if not found:
        raise InputError.one(source, "", f"none of the three kinds of file: {RULE} "
                             "(--kind scenario|sweep|record checks it as one)", 1)
    both = " and ".join(f"{NAMES[k]} ({held(k, data)})" for k in found)
    raise InputError.one(source, "", f"holds the fields of two kinds, {both}: keep one "
                         "kind's, or say which it is with --kind", 1)


def held(kind: Kind, data: dict) -> str:
    """Why a file was taken for ``kind``: the fields of that kind it holds."""
    return ", ".join(f for f in FIELDS[kind] if f in data)
