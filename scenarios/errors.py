"""Input errors a person can act on: the file, the field, the line, and what is wrong."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: the command line reads this module before either
    import yaml
    from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input."""

    source: str  # a file path, or "--set", "--rule", ...
    field: str  # dotted path to the offending field ("" for the whole input)
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line else "")
        what = f" {self.field}:" if self.field else ""
        return f"{where}:{what} {self.message}"


@dataclass
class InputError(Exception):
    """Bad input, reported as a list of problems; the CLI prints them and exits with code 2."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def by_line(cls, problems: Iterable[Problem]) -> InputError:
        """The problems of one file in the order of its lines (a problem of the whole file,
        with no line, first), as an author reads them."""
        return cls(sorted(problems, key=lambda p: p.line or 0))

    @classmethod
    def one(cls, source: str, field_: str, message: str, line: int | None = None) -> InputError:
        return cls([Problem(source, field_, message, line)])


def did_you_mean(word: str, known: Iterable[str], n: int = 1) -> str:
    """'; did you mean 'x'?' for the closest of ``known`` (case-insensitive), or ''."""
    close = closest(word, known, n)
    if not close:
        return ""
    return "; did you mean " + " or ".join(map(repr, close)) + "?"


def closest(word: str, known: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The ``n`` names of ``known`` closest to ``word`` (case-insensitive), if any is as
    close as ``cutoff`` (difflib's ratio: 0.6 suggests, 0.85 is a slip of a letter or two)."""
    by_lower = {k.lower(): k for k in known}
    return [by_lower[c] for c in difflib.get_close_matches(word.lower(), list(by_lower), n=n,
                                                           cutoff=cutoff)]


def option_problems(err: ValidationError, source: str) -> InputError:
    """pydantic's errors for an option or API argument (no file, no line): each names
    the input (``--param``) and the field."""
    return InputError([Problem(source, dotted(e["loc"]), e["msg"].removeprefix("Value error, "))
                       for e in err.errors()])


def dotted(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc)


def line_of(node: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc``, or of its nearest ancestor."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


def from_validation(err: ValidationError, source: str, root: yaml.Node | None,
                    model: type[BaseModel] | None = None) -> InputError:
    """Turn pydantic's errors into problems that name the field and the YAML line; a
    field ``model`` does not have gets the closest of the fields it has."""
    problems = []
    errors = [(error_loc(e), e) for e in err.errors()]
    missing = {loc for loc, e in errors if e["type"] == "missing"}
    meant: set[tuple[str | int, ...]] = set()  # missing fields a misspelt one stands for
    for loc, e in errors:
        if e["type"] == "extra_forbidden" and model is not None and loc:
            fields = model_at(model, loc[:-1])
            meant |= {(*loc[:-1], f) for f in closest(str(loc[-1]), fields.model_fields)
                      if (*loc[:-1], f) in missing} if fields else set()
    for loc, e in errors:
        if loc in meant:
            continue  # reported with the misspelt field that stands for it
        message = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden" and model is not None and loc:
            fields = model_at(model, loc[:-1])
            if fields is not None:
                message = f"unknown field{did_you_mean(str(loc[-1]), fields.model_fields)}" \
                          f"; known: {', '.join(fields.model_fields)}"
        if e["type"] == "model_type" and model is not None:
            fields = model_at(model, loc)  # pydantic names the class: say what it holds
            if fields is not None:
                message = f"expected a mapping of fields ({', '.join(fields.model_fields)}), " \
                          f"not {e['input']!r}"
        if isinstance(e.get("input"), bool):
            message += " (YAML reads yes, no, on, off, true and false as true or false: " \
                       "put the word in quotes)"
        problems.append(Problem(source, dotted(loc), message, line_of(root, loc)))
    return InputError(problems)


def error_loc(error: dict) -> tuple[str | int, ...]:
    """pydantic's loc without the names of its validator functions."""
    return tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))


def model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic model at ``loc`` inside ``model`` (through lists, dicts and optional
    fields), or None if the path leads elsewhere."""
    from pydantic import BaseModel

    current: object = model
    for part in loc:
        current = unwrap_optional(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return None
            current = info.annotation
        elif typing.get_origin(current) in (list, tuple):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return None
    current = unwrap_optional(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def unwrap_optional(annotation: object) -> object:
    """``X | None`` as ``X``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation
