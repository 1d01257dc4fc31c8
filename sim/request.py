"""The one input layer: a run as a person or a program asks for it, checked once.

The command line, the Python API, ``compare``, sweeps and front ends all build a
:class:`RunRequest` (plain values: a scenario name or path, a rule spec, numbers) and
call :meth:`RunRequest.check`, which refuses bad input with an :class:`InputError`
naming the input (the command-line option it comes from: ``--set``, ``--param``, ...),
the field and what is wrong, and returns a :class:`CheckedRun`: the loaded scenario,
the rule, the parameters, the actors' profiles and the levers, ready to play. The
same bad input gets the same message whichever door it came through.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.catalog import IP4, Catalog, governments_available, load_catalog
from scenarios.errors import InputError, Problem, did_you_mean, option_problems
from scenarios.guarded import MAX_SEEDS
from scenarios.information import (
    GATED_LEVERS,
    Levers,
    gate_message,
    lever_problem,
    switchable,
)
from scenarios.loader import LoadedScenario, dimension_problem, load_scenario, unknown_actor
from scenarios.parameters import Parameters, merged
from sim.rules import Rule, parse_rule

CAPABILITY = "capability"  # the profile value that weighs a partner in a response's size


class RunRequest(BaseModel):
    """Everything that determines a run, as plain values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str = Field("ukraine_response", description="a built-in name or a file path")
    rule: str = Field("caucus", description="a rule spec: caucus, coalition:k=3, ...")
    seed: int = 1
    parameters: dict[str, float | int | None] = Field(default_factory=dict, description=(
        "model parameters on top of the scenario file's"))
    overrides: dict[str, dict[str, float]] = Field(default_factory=dict, description=(
        "profile values: {'JPN': {'china_threat': 0.6}}"))
    governments: dict[str, str] = Field(default_factory=dict, description="{'KOR': 'progressive'}")
    levers: dict[str, float] = Field(default_factory=dict, description=(
        "the report's levers on top of the scenario file's"))
    population: int | None = Field(None, description="simulated citizens per public")
    players: tuple[str, ...] = Field((), description="actors played by people")

    def check(self, loaded: LoadedScenario | None = None) -> CheckedRun:
        """Every input checked; InputError naming each problem, or the run ready to play.
        ``loaded``: the scenario already loaded from ``scenario`` (batches reuse it)."""
        loaded = loaded or load_scenario(self.scenario)
        problems: list[Problem] = []
        rule = _collect(problems, parse_rule, self.rule)
        seed = _collect(problems, check_seed, self.seed)
        params = _collect(problems, check_parameters, loaded, self.parameters, self.population)
        catalog = _collect(problems, check_actors, loaded, self.overrides, self.governments)
        levers = _collect(problems, check_levers, loaded, self.levers)
        players = _collect(problems, check_players, self.players)
        if problems:
            raise InputError(problems)
        canonical = self.model_copy(update={
            "rule": rule.spec(), "players": players,
            "overrides": {catalog.resolve(c): v for c, v in self.overrides.items()},
            "governments": {catalog.resolve(c): v for c, v in self.governments.items()}})
        return CheckedRun(canonical, loaded, rule, seed, params, catalog, levers)


@dataclass(frozen=True)
class CheckedRun:
    """A request whose every input was checked: what the model is built from."""

    request: RunRequest  # with canonical actor codes and the rule's full spec
    loaded: LoadedScenario
    rule: Rule
    seed: int
    params: Parameters
    catalog: Catalog  # the profiles, with the scenario's and the request's overrides
    levers: Levers


def _collect(problems: list[Problem], check, *args):
    try:
        return check(*args)
    except InputError as err:
        problems += err.problems
        return None


def check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError.one("--seed", str(seed), "a seed is a whole number, 0 or more")
    return seed


def check_seed_count(n_seeds: int) -> int:
    """``--seeds``: at least 1 and at most MAX_SEEDS per rule."""
    if isinstance(n_seeds, bool) or not isinstance(n_seeds, int) or \
            not 1 <= n_seeds <= MAX_SEEDS:
        raise InputError.one("--seeds", str(n_seeds), f"seeds per rule: a whole number from "
                             f"1 to {MAX_SEEDS:,}")
    return n_seeds


# A run's publics cost, per citizen: float32 arrays of state and anchors (awareness,
# understanding, support, inoculation, a belief per narrative, a threat per adversary) and
# one turn's uniforms (one per campaign, one for public diplomacy); the time per citizen
# and turn as benchmarks/publics.py measured it on the 2-core development machine (about
# 0.1 s a turn for 1,000,000 citizens). Above LARGE_POPULATION the CLI says so first.
FLOATS_PER_CITIZEN = 4 + 3 + 2 + 3 + 3 + 2 + 4
SECONDS_PER_CITIZEN_TURN = 1e-7
LARGE_POPULATION = 1_000_000


def population_cost(checked: CheckedRun) -> tuple[int, int, float]:
    """Citizens in all, bytes of their arrays and seconds of their update per turn, as
    estimated from FLOATS_PER_CITIZEN and SECONDS_PER_CITIZEN_TURN."""
    citizens = checked.params.population * len(checked.catalog.by_kind("partner"))
    return citizens, citizens * FLOATS_PER_CITIZEN * 4, citizens * SECONDS_PER_CITIZEN_TURN


def check_parameters(loaded: LoadedScenario, values: dict[str, float | int | None],
                     population: int | None) -> Parameters:
    """The scenario file's parameters with the run's on top (``--param``, then
    ``--population``)."""
    unknown = [Problem("--param", k, f"unknown parameter{did_you_mean(k, Parameters.model_fields)}"
                       " (`ip4sim params` lists them)")
               for k in values if k not in Parameters.model_fields]
    if unknown:
        raise InputError(unknown)
    try:
        params = merged(loaded.scenario.parameters, values)
    except ValidationError as err:
        raise option_problems(err, "--param") from None
    if population is None:
        return params
    if values.get("population") is not None:
        raise InputError.one("--population", str(population), (
            f"given twice, also as --param population={values['population']}: give one"))
    try:
        return Parameters(**{**params.model_dump(exclude_unset=True), "population": population})
    except ValidationError:
        bounds = Parameters.model_fields["population"].metadata
        top = next(m.le for m in bounds if hasattr(m, "le"))
        raise InputError.one("--population", str(population),
                             f"a public needs at least 1 citizen and at most {top:,} "
                             "(e.g. --population 2000)"
                             ) from None


def check_actors(loaded: LoadedScenario, overrides: dict[str, dict[str, float]],
                 governments: dict[str, str]) -> Catalog:
    """The profiles for this run: the scenario's government choices and overrides, then
    the request's (``--set CODE.FIELD=VALUE``, ``--set KOR.government=progressive``)."""
    catalog = load_catalog()
    problems = []
    for code, government in governments.items():
        message = unknown_actor(code, catalog)
        if not message:
            choices = governments_available().get(catalog.resolve(code), ())
            if government not in choices:
                message = (f"unknown government {government!r}; choices: "
                           f"{', '.join(choices) or 'none for ' + catalog.resolve(code)}")
        if message:
            problems.append(Problem("--set", f"{code}.government", message))
    for code, values in overrides.items():
        message = unknown_actor(code, catalog)
        if message:
            problems += [Problem("--set", f"{code}.{dim}", message) for dim in values]
            continue
        known = [*catalog.profiles[catalog.resolve(code)].values, "government"]
        problems += [Problem("--set", f"{code}.{dim}", message) for dim, value in values.items()
                     if (message := dimension_problem(known, dim, value))]
    if problems:
        raise InputError(problems)
    chosen = {**loaded.scenario.actors.governments,
              **{catalog.resolve(c): g for c, g in governments.items()}}
    catalog = load_catalog(chosen)
    catalog = catalog.with_values(_resolved(catalog, loaded.scenario.actors.overrides),
                                  "scenario file")
    catalog = catalog.with_values(_resolved(catalog, overrides), "command line")
    if not any(catalog.profiles[c].values[CAPABILITY].value > 0 for c in IP4):
        # the size of a response weighs each partner's position by its capability: with
        # all four at 0 it has no weights, and no meaning (analysis/outcomes.py)
        by_option = any(CAPABILITY in v for v in overrides.values())
        raise InputError.one("--set" if by_option else loaded.path, f"{'/'.join(IP4)}."
                             f"{CAPABILITY}", "at least one partner needs a capability above "
                             "0 (the size of a response is weighed by capability)")
    return catalog


def _resolved(catalog: Catalog, overrides: dict[str, dict[str, float]]
              ) -> dict[str, dict[str, float]]:
    return {catalog.resolve(code): values for code, values in overrides.items()}


def check_levers(loaded: LoadedScenario, levers: dict[str, float]) -> Levers:
    """The scenario file's levers with the run's on top (``--lever NAME=VALUE``); a lever
    the allies must approve needs a Council decision in the scenario that can approve it."""
    scenario = loaded.scenario
    problems = [Problem("--lever", name, message) for name, value in levers.items()
                if (message := lever_problem(name, value))]
    if problems:
        raise InputError(problems)
    try:
        merged_levers = Levers.model_validate({**scenario.levers.model_dump(), **levers})
    except ValidationError as err:
        raise option_problems(err, "--lever") from None
    for lever in sorted(GATED_LEVERS):
        if getattr(merged_levers, lever) > 0 and lever not in switchable(scenario):
            raise InputError.one("--lever", lever, gate_message(lever))
    return merged_levers


def check_players(players: tuple[str, ...]) -> tuple[str, ...]:
    """People take governments; China and Russia act by the engine's rules."""
    catalog = load_catalog()
    problems, codes = [], []
    for code in players:
        message = unknown_actor(code, catalog)
        if not message and catalog.profiles[catalog.resolve(code)].kind == "adversary":
            message = "China and Russia act by the engine's rules; a player takes a government"
        if message:
            problems.append(Problem("--player", code, message))
        else:
            codes.append(catalog.resolve(code))
    if problems:
        raise InputError(problems)
    return tuple(dict.fromkeys(codes))
