"""IP4 coordination rules, one module each; ``parse_rule('coalition:k=3')`` builds one."""

from __future__ import annotations

import importlib
import pkgutil

from pydantic import ValidationError

from scenarios.errors import InputError, did_you_mean
from scenarios.guarded import parse_number
from sim.rules.base import NO_GROUP, REGISTRY, Intention, Rule, Stance

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def rule_names() -> list[str]:
    return sorted(REGISTRY)


def parse_rule(spec: str) -> Rule:
    """``name`` or ``name:key=value,key=value``; InputError naming the problem otherwise."""
    name, _, args = spec.strip().partition(":")
    if name not in REGISTRY:
        known = ", ".join(rule_names())
        raise InputError.one("--rule", name,
                             f"unknown rule{did_you_mean(name, REGISTRY)}; known: {known}")
    params: dict[str, str | float] = {}
    fields = REGISTRY[name].model_fields
    for part in filter(None, args.split(",")):
        key, sep, value = (p.strip() for p in part.partition("="))
        if not sep:
            raise InputError.one("--rule", spec, f"parameter {part!r} is not key=value")
        if key in params:
            raise InputError.one("--rule", spec, f"{key} is given twice")
        if key not in fields:
            known = ", ".join(fields) or "none"
            raise InputError.one("--rule", spec, f"{key}: {name} has no such parameter"
                                 f"{did_you_mean(key, fields)}; its parameters: {known}")
        if fields[key].annotation in (int, float):
            number = parse_number(value)  # ASCII digits, finite: not 'inf', '1_0' or '٣'
            if number is None:
                raise InputError.one("--rule", spec, f"{key}: not a number: {value!r}")
            params[key] = int(number) if number.is_integer() and \
                fields[key].annotation is int else number
        else:
            params[key] = value
    try:
        return REGISTRY[name].model_validate(params)
    except ValidationError as err:
        problems = [f"{'.'.join(map(str, e['loc'])) or name}: {e['msg']}" for e in err.errors()]
        raise InputError.one("--rule", spec, "; ".join(problems)) from None


__all__ = ["NO_GROUP", "Intention", "Rule", "Stance", "parse_rule", "rule_names"]
