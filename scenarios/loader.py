"""Read a scenario file (a built-in name or a path), validate it, and say exactly what is wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from agents.catalog import Catalog, governments_available, load_catalog
from scenarios.errors import InputError, Problem, did_you_mean, from_validation, line_of
from scenarios.schema import Scenario

# Expected actions may name a group: each partner (IP4), all four speaking together
# (IP4_JOINT), 90% of the allies (ALLIES), or the North Atlantic Council (NAC).
GROUP_ACTORS = {"IP4", "IP4_JOINT", "ALLIES", "NAC"}


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario and what identifies it: its file and the hash of its bytes."""

    scenario: Scenario
    path: str
    sha256: str


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
    path = resolve_path(name_or_path)
    raw = path.read_bytes()
    scenario = parse_scenario(raw.decode("utf-8", errors="replace"), str(path))
    return LoadedScenario(scenario, str(path), hashlib.sha256(raw).hexdigest())


def parse_scenario(text: str, source: str) -> Scenario:
    """Validate scenario text; raise InputError naming every problem with its line."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(err, "problem", None) or str(err)
        raise InputError.one(source, "", f"not valid YAML: {problem}", line) from None
    if not isinstance(data, dict):
        raise InputError.one(source, "", "a scenario file is a mapping of fields "
                             "(title, background, turns, decisions, injects, ...)", 1)
    repeated = duplicate_keys(root, source)
    if repeated:  # YAML keeps the last of two equal keys: silently wrong, so refuse
        raise InputError(repeated)
    try:
        scenario = Scenario.model_validate(data, context={"defer_references": True})
    except ValidationError as err:
        raise from_validation(err, source, root) from None
    problems = [Problem(source, ".".join(map(str, loc)), msg, line_of(root, loc))
                for loc, msg in scenario.reference_errors()]
    problems += actor_problems(scenario, source, root, load_catalog())
    if problems:
        raise InputError(problems)
    return scenario


def duplicate_keys(node: yaml.Node | None, source: str, path: str = "") -> list[Problem]:
    """Keys given twice in one mapping, anywhere in the file."""
    problems = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            where = f"{path}.{key.value}" if path else str(key.value)
            if key.value in seen:
                problems.append(Problem(source, where, "given twice; YAML would keep only the "
                                        "last", key.start_mark.line + 1))
            seen.add(key.value)
            problems += duplicate_keys(value, source, where)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            problems += duplicate_keys(item, source, f"{path}.{i}")
    return problems


def actor_problems(scenario: Scenario, source: str, root: yaml.Node | None,
                   catalog: Catalog) -> list[Problem]:
    """Unknown actors, dimensions, governments and out-of-range values in the actors block."""
    problems = []

    def report(loc: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(source, ".".join(map(str, loc)), message, line_of(root, loc)))

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
