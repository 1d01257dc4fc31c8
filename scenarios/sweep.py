"""A sweep file: which scenarios, rules and factors an analyst varies, by which design.

Read like a scenario file (guarded YAML, every error with the file, the field and the line;
a key given twice or a part that fails the format checks is set aside and the rest checked
on). What the factors *name* (a parameter, a profile value, a lever, ...) and whether
their values are allowed is checked where runs are checked, by ``sim.sweep`` through
``RunRequest.check``, so a sweep accepts exactly what a run does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agents.catalog import same_value
from scenarios.errors import InputError, Problem
from scenarios.guarded import read_user_file
from scenarios.loader import read_yaml
from scenarios.salvage import Salvage, parsed

# Grid levels per ranged factor when the file gives none; Morris's levels (p, even).
DEFAULT_LEVELS = 4


class Factor(BaseModel):
    """One input varied over the sweep: a range (``[low, high]``, sampled by the design)
    or levels (a list of values, e.g. governments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description=(
        "a model parameter (temperature), population, a lever (messaging), a profile "
        "value (NZL.coercion_vulnerability) or a government (KOR.government)"))
    range: tuple[float, float] | None = None
    levels: list[float | str] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def one_of(self) -> Factor:
        if (self.range is None) == (self.levels is None):
            raise ValueError("give either range: [low, high] or levels: [...]")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range {list(self.range)}: low must be below high")
        if self.levels is not None and len(set(map(str, self.levels))) < len(self.levels):
            raise ValueError("a level is given twice")
        return self


class Design(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["grid", "lhs", "sobol", "morris"] = Field("grid", description=(
        "grid: every combination; lhs: a Latin hypercube of `points`; sobol: Saltelli's "
        "sampling for Sobol indices, `points` = N (a power of two), N x (factors + 2) "
        "points; morris: `points` trajectories of factors + 1 points"))
    points: int | None = Field(None, ge=1, le=1_000_000, description=(
        "lhs: points; sobol: base sample N; morris: trajectories"))
    levels: int = Field(DEFAULT_LEVELS, ge=2, le=100, description=(
        "grid: values per ranged factor; morris: levels of its grid"))

    @model_validator(mode="after")
    def sized(self) -> Design:
        if self.kind != "grid" and self.points is None:
            raise ValueError(f"a {self.kind} design needs points")
        if self.kind in ("sobol", "morris") and self.points < 2:
            # the indices' bootstrap intervals resample the points: one gives a width of 0
            raise ValueError(f"{self.kind} needs points of 2 or more (one gives indices with "
                             "no interval; read them from 64 up)")
        if self.kind == "sobol" and self.points & (self.points - 1):
            raise ValueError(f"sobol needs points (N) a power of two, e.g. "
                             f"{1 << (self.points.bit_length() - 1)} or "
                             f"{1 << self.points.bit_length()}, not {self.points}")
        if self.kind == "morris" and self.levels % 2:
            raise ValueError(f"morris needs an even number of levels, not {self.levels}")
        return self


class Sweep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scenarios: list[str] = Field(min_length=1, description="built-in names or file paths")
    rules: list[str | dict[str, dict[str, list[int | float | str] | int | float | str]]] = Field(
        default_factory=lambda: ["caucus"], min_length=1, description=(
            "rule specs (caucus, coalition:k=3) or a rule with levels of its parameters: "
            "{coalition: {k: [2, 3, 4]}}; every design point runs under every rule on the "
            "same seeds"))
    factors: list[Factor] = Field(default_factory=list)
    design: Design = Field(default_factory=Design)
    replicates: int = Field(1, ge=1, le=100_000, description="seeds per design point")
    root_seed: int = Field(1, ge=0, description="the run seeds are derived from it")
    outcomes: list[str] = Field(default_factory=lambda: ["joint_rate", "cohesion"],
                                min_length=1, description="outcomes `ip4sim analyze` reports")

    @field_validator("factors")
    @classmethod
    def distinct(cls, factors: list[Factor]) -> list[Factor]:
        names = [same_value(f.name) for f in factors]
        if len(set(names)) < len(names):
            raise ValueError("a factor is named twice (an actor's alias names it too: NZ "
                             "and NZL, ROK and KOR)")
        return factors


class SweepFile(BaseModel):
    """A sweep as read: the model, where it came from, the hash of its bytes (a store
    records it, so a folder is resumed only with the file that started it) and its YAML
    nodes (for the lines of later errors). A file that fails the format checks is read
    as the parts of it that pass (``problems`` says what failed, ``kept`` where the parts
    are in the file), so that ``sim.sweep.plan_sweep`` checks those too and reports all."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    sweep: Sweep
    source: str
    sha256: str
    text: str
    root: yaml.Node | None = None
    problems: tuple[Problem, ...] = ()
    kept: Salvage = Field(default_factory=Salvage)

    def problem(self, loc: tuple[str | int, ...], message: str) -> Problem:
        """A problem of the part of the sweep at ``loc``, with its place and line in the file."""
        return self.kept.problem(self.source, self.root, loc, message)


def load_sweep(path: str | Path) -> SweepFile:
    path = Path(path)
    if not path.is_file():
        raise InputError.one(str(path), "", "no such file" if not path.exists() else
                             "not a file")
    raw, text = read_user_file(path)
    return parse_sweep(text, str(path), hashlib.sha256(raw).hexdigest())


def parse_sweep(text: str, source: str, sha256: str | None = None) -> SweepFile:
    """The sweep file, or the parts of it that pass the format checks with the problems of
    the rest (InputError only for a file that is not a YAML mapping)."""
    doc = read_yaml(text, source, "a sweep file is a mapping of fields (scenarios, rules, "
                    "factors, design, replicates, ...); see ip4sim sweep --example")
    sweep, kept, problems = parsed(Sweep, doc, source, {"scenarios": []})
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    return SweepFile(sweep=sweep, source=source, sha256=digest, text=text, root=doc.root,
                     problems=tuple(problems), kept=kept)


EXAMPLE = """\
# An ip4sim sweep. Run: ip4sim sweep THIS_FILE --out runs/my-sweep
# then: ip4sim analyze runs/my-sweep
scenarios: [ukraine_response]        # built-in names or scenario files
rules:                               # every design point runs under each, on the same seeds
  - caucus
  - coalition: {k: [2, 3]}           # a rule's parameter, with levels: coalition:k=2 and k=3
factors:                             # each a range [low, high] or levels [...]
  - name: NZL.coercion_vulnerability # a profile value (CODE.field, 0..1)
    range: [0.3, 0.9]
  - name: temperature                # a model parameter (`ip4sim params` lists them)
    range: [0.04, 0.2]
  - name: messaging                  # one of the report's levers (0..1)
    levels: [0, 1]
# other factors: population (citizens per public), KOR.government (levels: [yoon, progressive])
design:
  kind: lhs                          # grid | lhs | sobol (points a power of two) | morris
  points: 8                          # lhs: points; sobol: N; morris: trajectories
  levels: 4                          # grid: values per ranged factor; morris: grid levels
replicates: 2                        # seeds per design point (common to all points and rules)
root_seed: 1                         # the seeds derive from it (sim.batch.derive_seeds)
outcomes: [joint_rate, cohesion]     # what `ip4sim analyze` reports
"""
