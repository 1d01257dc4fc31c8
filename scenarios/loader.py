"""Read a scenario file (a built-in name or a path), validate it, and say exactly what is wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from agents.catalog import Catalog, governments_available, load_catalog
from scenarios.errors import (
    InputError,
    Problem,
    did_you_mean,
    line_of,
)
from scenarios.guarded import Document, load_yaml, read_user_file
from scenarios.kinds import Kind, kinds_of
from scenarios.salvage import Salvage, format_problems
from scenarios.schema import BUILTIN_VARIABLES, Names, Scenario, salvage

# Expected actions may name a group: each partner (IP4), all four speaking together
# (IP4_JOINT), 90% of the allies (ALLIES), or the North Atlantic Council (NAC).
GROUP_ACTORS = {"IP4", "IP4_JOINT", "ALLIES", "NAC"}


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario and what identifies it: its file and the hash of its bytes."""

    scenario: Scenario
    path: str
    sha256: str
    warnings: tuple[Problem, ...] = ()  # allowed, probably not meant (`validate` prints them)

    @property
    def location(self) -> str:
        """The file's absolute path, as outputs record it: a run resumed or replayed from
        another directory finds its scenario again."""
        return str(Path(self.path).resolve())


def library_dir() -> Path:
    return Path(str(resources.files("scenarios") / "library"))


def builtin_names() -> list[str]:
    return sorted(p.stem for p in library_dir().glob("*.yaml"))


def resolve_path(name_or_path: str) -> Path:
    """A built-in scenario's file, or the path as given; InputError if neither exists."""
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if path.is_dir():
            raise InputError.one(str(path), "", "is a folder, not a scenario file")
        if not path.is_file():
            raise InputError.one(str(path), "", "no such file")
        return path
    builtin = library_dir() / f"{name_or_path}.yaml"
    if builtin.is_file():
        return builtin
    names = builtin_names()
    raise InputError.one(name_or_path, "", f"not a file or a built-in scenario"
                         f"{did_you_mean(name_or_path, names)}; built-in: {', '.join(names)}")


def load_scenario(name_or_path: str) -> LoadedScenario:
    """The file read and checked; a file whose bytes were checked before in this process
    is not parsed again (a Python loop of ``play()`` would spend nine tenths of its time
    in the YAML parser), and a changed file is, since its hash differs."""
    path = resolve_path(name_or_path)
    raw, text = read_user_file(path)
    return _validated(hashlib.sha256(raw).hexdigest(), text, str(path))


@lru_cache(maxsize=32)
def _validated(sha256: str, text: str, source: str) -> LoadedScenario:
    scenario, root = _checked(text, source)
    return LoadedScenario(scenario, source, sha256,
                          tuple(scenario_warnings(scenario, source, root)))


# What a sweep file or a record of history given as a scenario is, and the command each is
# for: a file given to the wrong command is named for what it is (scenarios/kinds.py).
OTHER_FILES: dict[Kind, str] = {
    "sweep": "a sweep file (factors, design, replicates), not a scenario: `ip4sim sweep "
             "FILE` runs it and checks it first",
    "record": "a record of what happened (entries), not a scenario: `ip4sim validate "
              "SCENARIO FILE` checks it against its scenario, as `ip4sim backtest SCENARIO "
              "--record FILE` does",
}


def other_kind(data: dict) -> str | None:
    """What a mapping with none of a scenario's fields (turns, decisions) is, if we know."""
    kinds = kinds_of(data)
    return None if "scenario" in kinds or not kinds else OTHER_FILES[kinds[0]]


def parse_scenario(text: str, source: str) -> Scenario:
    """Validate scenario text; raise InputError naming every problem with its line: the
    format checks, then the cross-reference and actor checks on what passed them, so
    that one pass reports everything."""
    return _checked(text, source)[0]


def _checked(text: str, source: str) -> tuple[Scenario, yaml.Node | None]:
    doc = read_yaml(text, source, "a scenario file is a mapping of fields (title, background, "
                    "turns, decisions, injects, ...)")
    other = other_kind(doc.data)
    if other:
        raise InputError.one(source, "", other, 1)
    scenario, broken, kept, problems = _parsed(doc, source)
    later = [*scenario.reference_errors(broken), *actor_problems(scenario, load_catalog()),
             *builtin_name_problems(scenario, source)]
    problems += [kept.problem(source, doc.root, loc, message) for loc, message in later]
    if problems:
        raise InputError.by_line(problems)
    return scenario, doc.root


def builtin_name_problems(scenario: Scenario, source: str) -> list[tuple[tuple[str], str]]:
    """A built-in's id must be its file's name: the command line, the console and the
    tests call a built-in by its file's name, and two files with one id would be listed
    as two scenarios that runs and reports cannot tell apart."""
    path = Path(source)
    if path.parent.resolve() != library_dir().resolve() or scenario.id == path.stem \
            or not scenario.id:
        return []
    return [(("id",), f"a built-in scenario's id is its file's name: {path.stem!r}, not "
                      f"{scenario.id!r} (rename the file or the id)")]


def _parsed(doc: Document, source: str) -> tuple[Scenario, Names, Salvage, list[Problem]]:
    """The scenario, or the parts of it that pass the format checks (the names the rest
    gives, where its parts are in the file), with the problems of its format."""
    problems = list(doc.repeated)  # a key given twice: which was meant is unknown, so
    try:  # it is set aside, and what it holds
        scenario = Scenario.model_validate(doc.data, context={"defer_references": True})
        if not problems:
            return scenario, Names(), Salvage(), problems
    except ValidationError as err:
        problems += format_problems(err, doc, source, Scenario)
    return *salvage(doc.data, doc.repeated_at), problems


def scenario_warnings(scenario: Scenario, source: str, root: yaml.Node | None
                      ) -> list[Problem]:
    """What is allowed but probably not meant: world variables nothing reads."""
    return [Problem(source, f"world.{var}", "nothing reads this world variable (no trigger "
                    "or decision pressure uses it, and the engine gives it no meaning: "
                    f"{', '.join(BUILTIN_VARIABLES)} have one), so changing it does nothing",
                    line_of(root, ("world", var)))
            for var in scenario.unread_variables()]


def read_yaml(text: str, source: str, not_a_mapping: str) -> Document:
    """A YAML file read within the guarded limits, with its node tree (for the lines of
    later errors) and the keys it gives twice; InputError with the line if it is not YAML
    or not a mapping (``not_a_mapping`` says what it should be)."""
    doc = load_yaml(text, source)
    if not isinstance(doc.data, dict):
        raise InputError.one(source, "", not_a_mapping, 1)
    return doc


def actor_problems(scenario: Scenario, catalog: Catalog) -> list[tuple[tuple, str]]:
    """Unknown actors, dimensions, governments and out-of-range values in the actors block
    and the expected actions, as (loc, message)."""
    problems: list[tuple[tuple, str]] = []

    def report(loc: tuple[str | int, ...], message: str) -> None:
        problems.append((loc, message))

    named: dict[str, str] = {}
    for code, values in scenario.actors.overrides.items():
        loc = ("actors", "overrides", code)
        message = unknown_actor(code, catalog)
        if message:
            report(loc, message)
            continue
        actor = catalog.resolve(code)
        if actor in named:
            report(loc, f"{code} and {named[actor]} are the same actor: give its values once")
        named[actor] = code
        profile = catalog.profiles[catalog.resolve(code)]
        for dim, value in values.items():
            message = dimension_problem(list(profile.values), dim, value)
            if message:
                report((*loc, dim), message)
    available = governments_available()
    for code, government in scenario.actors.governments.items():
        choices = available.get(catalog.resolve(code) if not unknown_actor(code, catalog) else code)
        if not choices:
            report(("actors", "governments", code),
                   f"no government switch for {code}; switchable: {', '.join(available)}")
        elif government not in choices:
            report(("actors", "governments", code),
                   f"unknown government {government!r}; choices: {', '.join(choices)}")
    for i, inj in enumerate(scenario.injects):
        for j, act in enumerate(inj.expected_actions):
            where = ("injects", i, "expected_actions", j, "actor")
            if act.actor in GROUP_ACTORS:
                continue
            if unknown_actor(act.actor, catalog):
                report(where, unknown_actor(act.actor, catalog) + " (or IP4, IP4_JOINT, ALLIES, "
                       "NAC)")
            elif catalog.resolve(act.actor) != act.actor:
                report(where, f"write the actor code {catalog.resolve(act.actor)!r}, "
                              f"not {act.actor!r}")
    return problems


def unknown_actor(code: str, catalog: Catalog) -> str | None:
    """None if the code names an actor, else a message with the closest names."""
    try:
        catalog.resolve(code)
        return None
    except KeyError:
        hint = did_you_mean(code, catalog.profiles)
        return f"unknown actor {code!r}{hint} (`ip4sim actors` lists them)"


def dimension_problem(known: list[str], dimension: str, value: float) -> str | None:
    """None if the dimension is one of ``known`` and the value in [0, 1], else why not."""
    if dimension not in known:
        return f"unknown profile field {dimension!r}{did_you_mean(dimension, known)}"
    if not 0.0 <= value <= 1.0:
        return f"{value} is outside [0, 1]"
    return None
