"""The one guarded path for what a user writes or types: files, YAML and numbers.

Every user file (a scenario now, a sweep file later) is read by :func:`read_user_file`
and parsed by :func:`load_yaml`; every number typed on the command line goes through
:func:`parse_number` or :func:`parse_whole`. Whatever the input, the answer is a value
or an :class:`InputError` naming the file (or option) and the line: never another
exception, never a hang. The limits below are stated in the README.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from yaml.events import AliasEvent, CollectionStartEvent

from scenarios.errors import InputError, Problem, dotted

# PyYAML reads about 150 kB a second, so these bound a file's reading to a second or two.
MAX_FILE_BYTES = 300_000  # the largest built-in scenario is 18 kB
MAX_DEPTH = 32  # lists and mappings inside each other; a scenario needs 6
# Values of the document with every alias expanded (a scalar, a list or a mapping is one
# each): the built-ins have under 1,000, a scenario at every limit of scenarios/schema.py
# about 15,000. Counting the expanded size stops an "alias bomb" (nine levels of nine
# aliases: 9^9 values from a few lines) before anything walks it.
MAX_NODES = 20_000
MAX_INT_BITS = 128  # a seed needs 64

# C0 control characters other than tab, newline and carriage return, and DEL: YAML
# refuses them, and they are invisible in an editor, so name the line.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NAMES = {"\x00": "a NUL byte", "\x1b": "an ESC byte"}

# Numbers as a person types them: ASCII digits only (Python's float() and int() also
# take '1_000', Arabic-Indic digits, 'inf' and 'nan', none of which is meant here).
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
MAX_DIGITS = 30  # a whole number typed as an option; seeds need at most 20
# Seeds per rule a comparison may ask for (``sim.request.check_seed_count``): 10,000 seeds
# of all seven rules are 70,000 runs, hours on a laptop; more is a sweep's job, in pieces
# that can be resumed. Here, beside the other limits on what is typed, so that the command
# line's help can state it without importing the engine.
MAX_SEEDS = 10_000


def read_user_file(path: Path) -> tuple[bytes, str]:
    """A user file's bytes and its text: within MAX_FILE_BYTES, UTF-8, no control bytes."""
    source = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            return read_user_bytes(f, source, size)
    except OSError as err:
        raise InputError.one(source, "", f"cannot read the file: {err.strerror}") from None


def read_user_bytes(stream: BinaryIO, source: str, size: int | None = None
                    ) -> tuple[bytes, str]:
    """A user file read from ``stream`` (a file, an upload) as :func:`read_user_file`
    does; ``size``, when known beforehand, refuses a file too large before reading it."""
    if size is not None and size > MAX_FILE_BYTES:
        raise InputError.one(source, "", f"{size:,} bytes: larger than the limit of "
                             f"{MAX_FILE_BYTES:,} bytes for a file")
    raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:  # it grew while we looked, or its size was not told
        raise InputError.one(source, "", f"larger than the limit of {MAX_FILE_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise InputError.one(source, "", f"byte 0x{raw[err.start]:02x} is not UTF-8 text "
                             "(save the file as UTF-8)", line) from None
    check_text(text, source)
    return raw, text


def check_text(text: str, source: str) -> None:
    """InputError with the line of the first control character, or of text too large."""
    if len(text) > MAX_FILE_BYTES:
        raise InputError.one(source, "", f"larger than the limit of {MAX_FILE_BYTES:,} bytes")
    found = _CONTROL.search(text)
    if found:
        char = found.group()
        name = _NAMES.get(char, f"the control character 0x{ord(char):02x}")
        raise InputError.one(source, "", f"{name} in the text (an editor does not show "
                             "it): delete it", _line_at(text, found.start()))


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


@dataclass
class Document:
    """A parsed YAML file: the data, its node tree (for lines) and keys given twice."""

    data: Any
    root: yaml.Node | None
    repeated: list[Problem] = field(default_factory=list)
    repeated_at: frozenset[tuple[str | int, ...]] = frozenset()  # the repeated keys' places


class _Limit(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None):
        self.message, self.mark = message, mark


class _GuardedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, composing within MAX_DEPTH and MAX_NODES and refusing an
    alias inside the node it names (a cycle nothing can walk)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.depth = 0
        self.open_anchors: set[str] = set()
        self.sizes: dict[int, int] = {}  # id(node) -> nodes with its aliases expanded
        self.total = 0  # nodes so far, aliases expanded

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self.open_anchors:
                raise _Limit(f"the alias *{event.anchor} is inside the node it names, so it "
                             "never ends", event.start_mark)
            node = super().compose_node(parent, index)
            self.count(self.sizes[id(node)], event.start_mark)
            return node
        collection = isinstance(event, CollectionStartEvent)
        anchor = event.anchor if collection else None
        self.depth += collection
        if self.depth > MAX_DEPTH:
            raise _Limit(f"lists and mappings nested more than {MAX_DEPTH} levels deep",
                         event.start_mark)
        if anchor:
            self.open_anchors.add(anchor)
        node = super().compose_node(parent, index)
        self.open_anchors.discard(anchor)
        self.depth -= collection
        self.sizes[id(node)] = 1 + sum(self.sizes[id(n)] for n in _children(node))
        self.count(1, node.start_mark)
        return node

    def count(self, nodes: int, mark: yaml.Mark) -> None:
        """Stop as soon as the document, its aliases expanded, passes MAX_NODES: its
        time to read grows with its size."""
        self.total += nodes
        if self.total > MAX_NODES:
            raise _Limit(f"more than {MAX_NODES:,} values (lists, mappings and scalars, "
                         "each alias *name counted as what it names)", mark)

    def construct_object(self, node, deep=False):
        try:
            value = super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except Exception as err:  # noqa: BLE001 - `!!float "abc"`, 5,000-digit ints,
            # `!!bool maybe` (a KeyError): PyYAML's constructors raise what they meet
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value ({_plain(err)})", node.start_mark
            ) from None
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:  # 0xfff...: Python
            # reads it, but cannot print it in decimal, nor would any field use it
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer of more than {MAX_INT_BITS} bits", node.start_mark)
        return value


def _plain(err: Exception) -> str:
    if isinstance(err, KeyError):
        return f"{err.args[0]!r} is not a value of this type"
    return str(err).split("; use sys.set_int_max_str_digits")[0]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def load_yaml(text: str, source: str) -> Document:
    """YAML text as data, within the limits; InputError with the line otherwise."""
    check_text(text, source)
    try:
        loader = _GuardedLoader(text)  # reads the first characters already
        try:
            root = loader.get_single_node()
            repeated = duplicate_keys(root, source)
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except _Limit as err:
        raise InputError.one(source, "", err.message, _line(err.mark)) from None
    except yaml.YAMLError as err:
        raise InputError.one(source, "", f"not valid YAML: {_problem(err)}",
                             _yaml_line(err, text)) from None
    return Document(data, root, [p for _, p in repeated], frozenset(at for at, _ in repeated))


def _problem(err: yaml.YAMLError) -> str:
    if isinstance(err, yaml.reader.ReaderError):
        return f"the character {chr(err.character)!r} cannot be in YAML text"
    problem = getattr(err, "problem", None) or str(err)
    context, began = getattr(err, "context", None), getattr(err, "context_mark", None)
    problem_mark = getattr(err, "problem_mark", None)
    if context and began is not None and (problem_mark is None
                                          or began.line != problem_mark.line):
        # the parser's own pointer to where it began, often the real mistake (an unclosed
        # bracket a line or more above where the parser gave up)
        problem += f" ({context} that began on line {began.line + 1})"
    return problem


def _yaml_line(err: yaml.YAMLError, text: str) -> int | None:
    if isinstance(err, yaml.reader.ReaderError):
        return _line_at(text, err.position)
    return _line(getattr(err, "problem_mark", None) or getattr(err, "context_mark", None))


def _line(mark: yaml.Mark | None) -> int | None:
    return mark.line + 1 if mark is not None else None


def duplicate_keys(root: yaml.Node | None, source: str
                   ) -> list[tuple[tuple[str | int, ...], Problem]]:
    """Keys given twice in one mapping, anywhere in the file (YAML would silently keep
    the last), each with its place. Each node is walked once, however many aliases name it."""
    found: list[tuple[tuple[str | int, ...], Problem]] = []
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node | None, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, at = stack.pop()
        if node is None or id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                where = (*at, key.value if isinstance(key, yaml.ScalarNode) else "{...}")
                if isinstance(key, yaml.ScalarNode) and key.value in keys:
                    found.append((where, Problem(source, dotted(where),
                                                 "given twice; YAML would keep only the last",
                                                 key.start_mark.line + 1)))
                if isinstance(key, yaml.ScalarNode):
                    keys.add(key.value)
                stack.append((value, where))
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, (*at, i)) for i, item in enumerate(node.value)]
    return sorted(found, key=lambda f: f[1].line or 0)


# -- numbers typed as options ----------------------------------------------------------

def parse_number(text: str) -> float | None:
    """A finite number in ASCII digits ('0.6', '-1', '2e-3'), or None."""
    text = text.strip()
    if not _NUMBER.fullmatch(text) or len(text) > MAX_DIGITS:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def parse_whole(text: str) -> int | None:
    """A whole number in ASCII digits ('3', '-1'; not '1_000', '٣' or '3.0'), or None."""
    text = text.strip()
    if not _WHOLE.fullmatch(text) or len(text) > MAX_DIGITS:
        return None
    return int(text)
