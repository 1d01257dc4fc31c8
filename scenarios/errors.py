"""Input errors a person can act on: the file, the field, the line, and what is wrong."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml
from pydantic import ValidationError


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
    def one(cls, source: str, field_: str, message: str, line: int | None = None) -> InputError:
        return cls([Problem(source, field_, message, line)])


def did_you_mean(word: str, known: Iterable[str], n: int = 1) -> str:
    """'; did you mean 'x'?' for the closest of ``known`` (case-insensitive), or ''."""
    known = list(known)
    by_lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=n)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(by_lower[c]) for c in close) + "?"


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
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


def from_validation(err: ValidationError, source: str, root: yaml.Node | None) -> InputError:
    """Turn pydantic's errors into problems that name the field and the YAML line."""
    problems = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        message = e["msg"].removeprefix("Value error, ")
        if isinstance(e.get("input"), bool):
            message += " (YAML reads yes, no, on, off, true and false as true or false: " \
                       "put the word in quotes)"
        problems.append(Problem(source, dotted(loc), message, line_of(root, loc)))
    return InputError(problems)
