"""The actor catalogue: profile data files read, validated and resolved.

Data files live in ``agents/data``:

* ``partners.yaml``: the four IP4 partners, each value sourced; the ROK carries
  one set of values per government (the report ties its recent dynamism to the
  Yoon administration).
* ``allies.yaml``: two archetypes (more and less ambitious about the IP4) and
  the 32 allies, each with the archetype it takes, why, and its own overrides.
* ``adversaries.yaml``: China and Russia.
* ``orderings.yaml``: the ordinal claims of the report the numbers must respect.
* ``relations.yaml``: pairwise frictions (Japan-ROK).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from agents.profiles import (
    AdversaryProfile,
    AllyArchetype,
    Evidence,
    LeadTime,
    Measure,
    Ordering,
    Profile,
    Sourced,
    StateProfile,
)

# Country codes the code names (ISO 3166-1 alpha-3); every other actor is only data.
AUS, JPN, KOR, NZL = "AUS", "JPN", "KOR", "NZL"
USA, CHN, RUS = "USA", "CHN", "RUS"
IP4 = (AUS, JPN, KOR, NZL)
ADVERSARIES = (CHN, RUS)
ALIASES = {"ROK": KOR, "UK": "GBR", "US": USA, "NZ": NZL, "PRC": CHN}


def canonical(code: str) -> str:
    """The actor code a person means: upper case, aliases resolved (ROK -> KOR)."""
    code = code.strip().upper()
    return ALIASES.get(code, code)


def same_value(name: str) -> str:
    """A ``CODE.FIELD`` name as the run reads it, the actor's alias resolved (``NZ.x`` and
    ``NZL.x`` name one value); a name with no actor, as it is."""
    code, dot, rest = name.partition(".")
    return f"{canonical(code)}.{rest}" if dot else name


class PartnerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    note: str = ""
    values: dict[str, Sourced]
    governments: dict[str, dict[str, Sourced]] = Field(default_factory=dict)
    default_government: str | None = None
    lead_times: dict[Measure, LeadTime] = Field(default_factory=dict)


class AllyEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    archetype: AllyArchetype
    archetype_basis: Evidence
    note: str = ""
    values: dict[str, Sourced] = Field(default_factory=dict)


class AlliesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    archetypes: dict[AllyArchetype, dict[str, Sourced]]
    allies: list[AllyEntry]


class Relation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pair: tuple[str, str]
    friction: Sourced


class Catalog(BaseModel):
    """Every actor's resolved profile, plus the report's orderings and pairwise relations."""

    model_config = ConfigDict(extra="forbid")

    profiles: dict[str, Profile]
    orderings: list[Ordering]
    relations: list[Relation]

    def resolve(self, code: str) -> str:
        """The canonical code for a user-typed actor name, or KeyError."""
        code = canonical(code)
        if code not in self.profiles:
            raise KeyError(code)
        return code

    def by_kind(self, kind: str) -> list[str]:
        return [c for c, p in self.profiles.items() if p.kind == kind]

    def friction(self, a: str, b: str) -> float:
        for rel in self.relations:
            if set(rel.pair) == {a, b}:
                return rel.friction.value
        return 0.0

    def with_values(self, overrides: dict[str, dict[str, float]], origin: str) -> Catalog:
        """A copy with some values replaced; each keeps a record of where it was set."""
        profiles = dict(self.profiles)
        for code, values in overrides.items():
            profile = profiles[code]
            merged = dict(profile.values)
            for dim, value in values.items():
                if dim not in merged:
                    raise KeyError(f"{code} has no profile value {dim!r}")
                merged[dim] = Sourced(value=value, source="override", reason=origin)
            profiles[code] = profile.model_copy(update={"values": merged})
        return self.model_copy(update={"profiles": profiles})


# The profiles' own files, parsed by libyaml's safe loader where PyYAML was built with it
# (its wheels are): the same safe subset as yaml.safe_load, parsed in C, a quarter of the
# time of checking a run (agents/data is ours; people's files go through scenarios.guarded).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _read(name: str) -> object:
    """A data file's contents, parsed once per process (callers validate, never mutate)."""
    path = resources.files("agents") / "data" / name
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)


def _partners(data: object, governments: dict[str, str]) -> dict[str, StateProfile]:
    out = {}
    for raw in data["partners"]:  # type: ignore[index]
        entry = PartnerEntry.model_validate(raw)
        values = dict(entry.values)
        government = governments.get(entry.code, entry.default_government)
        if entry.governments:
            if government not in entry.governments:
                known = ", ".join(entry.governments)
                raise ValueError(f"{entry.code}: unknown government {government!r}; known: {known}")
            values.update(entry.governments[government])
        note = entry.note + (f" Government in office: {government}." if government else "")
        out[entry.code] = StateProfile(
            code=entry.code, name=entry.name, kind="partner", note=note.strip(), values=values,
            lead_times=entry.lead_times)
    return out


def _allies(data: object) -> dict[str, StateProfile]:
    parsed = AlliesFile.model_validate(data)
    out = {}
    for entry in parsed.allies:
        values = {**parsed.archetypes[entry.archetype], **entry.values}
        basis = entry.archetype_basis.describe()
        note = (f"{entry.note} Sorted as {entry.archetype} about the IP4 by this exercise, "
                f"not by the report, which names no ally ({basis}).").strip()
        out[entry.code] = StateProfile(
            code=entry.code,
            name=entry.name,
            kind="ally",
            archetype=entry.archetype,
            archetype_basis=entry.archetype_basis,
            note=note,
            values=values,
        )
    return out


@cache
def governments_available() -> dict[str, tuple[str, ...]]:
    """Partners whose profile depends on the government in office, and the choices."""
    return {
        raw["code"]: tuple(raw.get("governments", {}))
        for raw in _read("partners.yaml")["partners"]  # type: ignore[index]
        if raw.get("governments")
    }


@cache
def _load(governments: tuple[tuple[str, str], ...]) -> Catalog:
    gov = dict(governments)
    profiles: dict[str, Profile] = {}
    profiles.update(_partners(_read("partners.yaml"), gov))
    profiles.update(_allies(_read("allies.yaml")))
    for raw in _read("adversaries.yaml")["adversaries"]:  # type: ignore[index]
        adversary = AdversaryProfile.model_validate(raw)
        profiles[adversary.code] = adversary
    orderings = [Ordering.model_validate(o) for o in _read("orderings.yaml")["orderings"]]  # type: ignore[index]
    relations = [Relation.model_validate(r) for r in _read("relations.yaml")["relations"]]  # type: ignore[index]
    return Catalog(profiles=profiles, orderings=orderings, relations=relations)


def load_catalog(governments: dict[str, str] | None = None) -> Catalog:
    """The built-in catalogue, with a chosen government for partners that have several
    (``{"KOR": "progressive"}``; aliases such as ROK are accepted)."""
    chosen = {canonical(k): v for k, v in (governments or {}).items()}
    switchable = governments_available()
    for code in chosen:
        if code not in switchable:
            raise ValueError(f"{code} has no government switch; only "
                             f"{', '.join(switchable)} has one")
    return _load(tuple(sorted(chosen.items())))
