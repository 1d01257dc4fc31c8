"""What of a user file passes the format checks, so that its cross-reference checks still
run when another part of it fails: one reading reports every problem the file has.

Each field is validated on its own, and a field that fails is taken apart: a list keeps
the items that pass (an inject with a bad effect keeps its other effects), a mapping the
keys that pass, a nested model the fields that pass. A field that still fails takes its
default; a required one, a stand-in if it is free text nothing refers to (a title, a
synopsis), or else its whole item goes, and the reader's checks skip the names it gave.
What the file's checks refer to by index is kept in the file's numbering (:meth:`in_file`).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from scenarios.errors import Problem, dotted, from_validation, line_of, unwrap_optional

if typing.TYPE_CHECKING:
    from scenarios.guarded import Document

Loc = tuple[str | int, ...]


class _Dropped:
    """A part that did not pass and has no stand-in."""


DROPPED = _Dropped()


@dataclass
class Salvage:
    """One salvage of one file's data.

    ``text``: stand-ins for required free-text fields at any depth (nothing refers to
    them); ``whole``: list fields whose items other parts name by id, so that an item
    that fails for want of more than a stand-in fails the list (a decision that lost an
    option would call a reference to it unknown); ``doomed``: locations that fail
    whatever their value (a key given twice: which of the two was meant is unknown)."""

    text: Mapping[str, Any] = field(default_factory=dict)
    whole: frozenset[str] = frozenset()
    doomed: frozenset[Loc] = frozenset()
    kept: dict[Loc, list[int]] = field(default_factory=dict)  # list loc -> file indices

    def model(self, cls: type[BaseModel], data: Any, top: Mapping[str, Any]) -> BaseModel:
        """``data`` as ``cls``, built from the parts that pass; ``top``: stand-ins for the
        root's own required fields (a scenario with no usable turns gets the most). The
        root is built as it is (its own checks are the file's cross-references)."""
        fields = self._fields(cls, data, (), {**self.text, **top}) \
            if isinstance(data, dict) else DROPPED
        return cls.model_construct(**(top if fields is DROPPED else fields))

    def in_file(self, loc: Loc) -> Loc:
        """A location in the salvaged data as the file numbers it."""
        done: Loc = ()
        for part in loc:
            indices = self.kept.get(done)
            if isinstance(part, int) and indices is not None and part < len(indices):
                part = indices[part]
            done = (*done, part)
        return done

    def problem(self, source: str, root: yaml.Node | None, loc: Loc, message: str) -> Problem:
        """A problem found in the salvaged data, with its place and line in the file."""
        at = self.in_file(loc)
        return Problem(source, dotted(at), message, line_of(root, at))

    def _value(self, annotation: Any, value: Any, at: Loc) -> Any:
        if at in self.doomed:
            return DROPPED
        if not any(d[:len(at)] == at for d in self.doomed):
            try:
                return _adapter(annotation).validate_python(value)
            except ValidationError:
                pass
        base = _base(annotation)
        if isinstance(base, type) and issubclass(base, BaseModel) and isinstance(value, dict):
            return self._model(base, value, at)
        origin = typing.get_origin(base)
        if origin is list and isinstance(value, list):
            return self._list(typing.get_args(base)[0], value, at)
        if origin is dict and isinstance(value, dict):
            item = typing.get_args(base)[1]
            kept = {k: self._value(item, v, (*at, k)) for k, v in value.items()
                    if isinstance(k, str)}
            return {k: v for k, v in kept.items() if v is not DROPPED}
        return DROPPED

    def _list(self, item: Any, value: list, at: Loc) -> list:
        passed = [(i, self._value(item, v, (*at, i))) for i, v in enumerate(value)]
        kept = [(i, v) for i, v in passed if v is not DROPPED]
        if len(kept) < len(value) and at[-1] in self.whole:
            return DROPPED
        self.kept[at] = [i for i, _ in kept]
        return [v for _, v in kept]

    def _model(self, cls: type[BaseModel], data: dict, at: Loc) -> BaseModel | _Dropped:
        """The item from its parts that pass, if together they pass its own checks (a
        factor with neither range nor levels would mislead the checks that read it)."""
        fields = self._fields(cls, data, at, self.text)
        try:
            return DROPPED if fields is DROPPED else cls.model_validate(fields)
        except ValidationError:
            return DROPPED

    def _fields(self, cls: type[BaseModel], data: dict, at: Loc,
                stand_ins: Mapping[str, Any]) -> dict[str, Any] | _Dropped:
        values: dict[str, Any] = {}
        for name, info in cls.model_fields.items():
            got = self._value(_field(cls, name), data[name], (*at, name)) \
                if name in data else DROPPED
            if got is not DROPPED:
                values[name] = got
            elif info.is_required() and name in stand_ins:
                values[name] = stand_ins[name]
            elif info.is_required():
                return DROPPED
        return values


@functools.cache
def _field(cls: type[BaseModel], name: str) -> Any:
    """A field's type with its constraints, one object per field (so its adapter is kept)."""
    info = cls.model_fields[name]
    return Annotated[info.annotation, info]


@functools.cache
def _adapter(annotation: Any) -> TypeAdapter:
    return TypeAdapter(annotation)  # building one costs more than what it validates here


def _base(annotation: Any) -> Any:
    """The type under ``Annotated[...]`` and ``X | None``."""
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return unwrap_optional(annotation)


def format_problems(err: ValidationError, doc: Document, source: str,
                    cls: type[BaseModel]) -> list[Problem]:
    """A file's format problems, but those under a key it gives twice: that key is set
    aside whole, and its own problem says why."""
    doomed = [dotted(loc) for loc in doc.repeated_at]
    return [p for p in from_validation(err, source, doc.root, cls).problems
            if not any(p.field == d or p.field.startswith(f"{d}.") for d in doomed)]


def parsed[M: BaseModel](cls: type[M], doc: Document, source: str, top: Mapping[str, Any],
                         text: Mapping[str, Any] | None = None
                         ) -> tuple[M, Salvage, list[Problem]]:
    """A file read as ``cls``, or, where it has problems of format (keys given twice
    among them), built from the parts that pass (``top`` and ``text``: stand-ins, see
    :class:`Salvage`), with those problems, so that its other checks still run."""
    problems, kept = list(doc.repeated), Salvage(text=text or {}, doomed=doc.repeated_at)
    try:
        model = cls.model_validate(doc.data)
        if not problems:
            return model, kept, problems
    except ValidationError as err:
        problems += format_problems(err, doc, source, cls)
    return kept.model(cls, doc.data, top), kept, problems  # type: ignore[return-value]
