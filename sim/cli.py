"""The ``ip4sim`` command line.

Bad input (a malformed scenario, an unknown actor or field, an out-of-range value)
ends in a message naming the input, the field and, where known, the line, and
exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import textwrap
from pathlib import Path

import yaml
from pydantic import ValidationError

from agents.catalog import governments_available, load_catalog
from scenarios.errors import InputError, Problem, line_of
from scenarios.information import GATED_LEVERS, LEVERS, gate_message, lever_problem, switchable
from scenarios.loader import (
    LoadedScenario,
    builtin_names,
    dimension_problem,
    load_scenario,
    unknown_actor,
)
from scenarios.parameters import Parameters, parameter_help
from sim.decisions import Chooser, ScriptedChooser
from sim.events import read_events
from sim.players import PlayerQuit, PromptChooser
from sim.rules import REGISTRY, parse_rule, rule_names
from sim.runner import RunSpec, package_version, play, write_run

EXIT_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except InputError as err:
        for problem in err.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # `ip4sim actors JPN | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ip4sim",
        epilog="Run `ip4sim COMMAND --help` for a command's options.",
        description="Scenario and tabletop-exercise simulator: NATO and its Indo-Pacific "
                    "partners (Australia, Japan, the Republic of Korea, New Zealand).")
    parser.add_argument("--version", action="version",
                        version=f"ip4sim {package_version('ip4sim')}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="play out a scenario and write its run folder")
    run.add_argument("scenario", help="a built-in scenario name or a path to a YAML file")
    add_run_options(run)
    run.add_argument("--out", type=Path, help="run folder (default runs/SCENARIO-RULE-seedN)")
    run.add_argument("--quiet", action="store_true", help="do not print the turn-by-turn account")
    run.add_argument("--player", action="append", default=[], dest="players", metavar="CODE",
                     help="a person plays this actor at the terminal, e.g. --player JPN; "
                          "repeatable")
    run.add_argument("--replay", type=Path, metavar="EVENTS",
                     help="play again the choices recorded in a run's events.jsonl (for example "
                          "a run with human players), with the same scenario, rule and seed: "
                          "the same choices and outcomes, each marked 'scripted'")
    run.set_defaults(handler=cmd_run)

    actors = sub.add_parser("actors", help="list the actors, or show one profile with sources")
    actors.add_argument("code", nargs="?", help="an actor code (JPN, ROK, USA, CHN, ...)")
    actors.add_argument("--government", action="append", default=[], metavar="CODE=NAME",
                        help="government in office, e.g. KOR=progressive")
    actors.set_defaults(handler=cmd_actors)

    scen = sub.add_parser("scenarios", help="list the built-in scenarios")
    scen.set_defaults(handler=cmd_scenarios)

    validate = sub.add_parser("validate", help="check scenario files and report every problem")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(handler=cmd_validate)

    rules = sub.add_parser("rules", help="list the IP4 coordination rules and their parameters")
    rules.set_defaults(handler=cmd_rules)

    params = sub.add_parser("params", help="list the model parameters, defaults and meaning")
    params.set_defaults(handler=cmd_params)

    comp = sub.add_parser("compare", help="run every rule over the same seeds and compare "
                                          "outcomes (table, results, figures)")
    comp.add_argument("scenario", help="a built-in scenario name or a path to a YAML file")
    comp.add_argument("--rules", default="all",
                      help="all, or a comma list of rule specs, e.g. bilateral,caucus,"
                           "coalition:k=3 (default all)")
    comp.add_argument("--seeds", type=int, default=100, help="seeds per rule (default 100)")
    comp.add_argument("--root-seed", type=seed_number, default=1,
                      help="root seed the run seeds are derived from (default 1)")
    comp.add_argument("--workers", type=int, help="processes (default: every core; 1: serial)")
    add_what_if_options(comp)
    comp.add_argument("--out", type=Path, help="output folder (default runs/compare-SCENARIO)")
    comp.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    comp.set_defaults(handler=cmd_compare)
    return parser


def seed_number(text: str) -> int:
    """A seed as typed: a whole number, 0 or more (numpy's seeds are non-negative)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a seed is 0 or more, not {value}")
    return value


def out_folder(path: Path) -> Path:
    """Create the output folder before any work is done, so a run never computes what it
    cannot write."""
    if path.exists() and not path.is_dir():
        raise InputError.one("--out", str(path), "is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        message = f"cannot create the folder: {err.strerror}"
        raise InputError.one("--out", str(path), message) from None
    return path


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rule", default="caucus",
                   help="coordination rule, e.g. caucus, consensus, coalition:k=3 (default caucus)")
    p.add_argument("--seed", type=seed_number, default=1,
                   help="random seed, a whole number >= 0 (default 1)")
    add_what_if_options(p)


def add_what_if_options(p: argparse.ArgumentParser) -> None:
    """Profile overrides, parameters, levers and population: the same for run and compare."""
    p.add_argument("--set", action="append", default=[], dest="sets", metavar="CODE.FIELD=VALUE",
                   help="override a profile value for this run, e.g. JPN.china_threat=0.6, "
                        "or a government, e.g. KOR.government=progressive; repeatable")
    p.add_argument("--param", action="append", default=[], dest="params", metavar="NAME=VALUE",
                   help="set a model parameter, e.g. temperature=0.2; repeatable")
    p.add_argument("--lever", action="append", default=[], dest="levers", metavar="NAME=VALUE",
                   help="pull one of the report's public-diplomacy levers (0..1), e.g. "
                        "messaging=1 or contact_point_embassies=0.8; repeatable (names: "
                        + ", ".join(LEVERS) + ")")
    p.add_argument("--population", type=int, metavar="N",
                   help="simulated citizens per partner public (default 2000)")


# -- commands ---------------------------------------------------------------------------

def cmd_run(args: argparse.Namespace) -> int:
    from analysis.narrative import LiveAccount, narrate

    spec = run_spec(args)
    scenario = spec.loaded.scenario
    out = out_folder(args.out or
                     Path("runs") / f"{scenario.id}-{spec.rule.slug()}-seed{spec.seed}")
    live = LiveAccount(scenario.turn_represents) if args.players else None
    try:
        result = play(spec, choosers(spec, args.players, args.replay, live), observe=live)
    except PlayerQuit as stop:
        print(f"stopped: {stop}; nothing was written", file=sys.stderr)
        return 1
    except LookupError as missing:  # a replay that does not fit this scenario
        raise InputError.one("--replay", str(args.replay), str(missing).strip("'")) from None
    command = ["ip4sim", *sys.argv[1:]] if argv_is_ours() else []
    write_run(result, out, command)
    written = write_debrief(out, scenario.turn_represents)
    if live is not None:
        live.flush()
    elif not args.quiet:
        print(f"{scenario.title}\nrule {spec.rule.spec()}, seed {spec.seed}, "
              f"one turn = {scenario.turn_represents}")
        print(WHY_LEGEND)
        for line in narrate(result.events, scenario.turn_represents):
            print(line)
        print()
    print(f"wrote {out}/: events.jsonl, timeseries.csv, manifest.json, " + ", ".join(written))
    return 0


def choosers(spec: RunSpec, players: list[str], replay: Path | None,
             live=None) -> dict[str, Chooser]:
    """Who chooses instead of the engine: people at the terminal, or a recorded run."""
    catalog = load_catalog()
    chosen: dict[str, Chooser] = {}
    if replay is not None:
        check_replay(spec, replay)
        try:
            recorded = read_events(replay)
        except (OSError, ValueError) as err:
            raise InputError.one(str(replay), "", f"not a readable events.jsonl: {err}") from None
        script = ScriptedChooser.from_events(recorded)
        actors = sorted({actor for _, _, actor in script.script})
        chosen.update(dict.fromkeys(actors, script))
    for code in players:
        message = unknown_actor(code, catalog)
        if not message and catalog.profiles[catalog.resolve(code)].kind == "adversary":
            message = "China and Russia act by the engine's rules; a player takes a government"
        if message:
            raise InputError.one("--player", code, message)
        chosen[catalog.resolve(code)] = PromptChooser(brief=live.flush if live else None)
    return chosen


def check_replay(spec: RunSpec, events: Path) -> None:
    """A replay must be of the same scenario file, rule and seed, as its manifest says."""
    manifest_file = events.parent / "manifest.json"
    if not manifest_file.is_file():
        return  # an events file on its own: the scripted choices are checked as they come
    try:
        recorded = json.loads(manifest_file.read_text(encoding="utf-8"))
        was = (recorded["scenario"]["sha256"], recorded["rule"], recorded["seed"])
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError.one(str(manifest_file), "", "not a run's manifest.json") from None
    now = (spec.loaded.sha256, spec.rule.spec(), spec.seed)
    for what, a, b in zip(("scenario file (sha256)", "rule", "seed"), was, now, strict=True):
        if a != b:
            raise InputError.one("--replay", str(events), f"recorded with another {what}: "
                                 f"{a} there, {b} here")


def write_debrief(out: Path, turn_represents: str) -> list[str]:
    """The summary figure and the after-action report, from the run folder's outputs."""
    from analysis.debrief import after_action_report
    from analysis.figures import save, summary_figure
    from analysis.outputs import read_run

    outputs = read_run(out)
    title = f"{outputs.manifest['scenario']['title']} ({outputs.manifest['rule']}, " \
            f"seed {outputs.manifest['seed']})"
    save(summary_figure(outputs.timeseries, title, outputs.events), out / "summary.png")
    report = after_action_report(outputs.events, outputs.manifest, turn_represents,
                                 figure="summary.png")
    (out / "report.md").write_text(report, encoding="utf-8")
    written = ["summary.png", "report.md"]
    from analysis.figures import has_publics, publics_figure

    if has_publics(outputs.timeseries):
        save(publics_figure(outputs.timeseries, title), out / "publics.png")
        written.append("publics.png")
    return written


def argv_is_ours() -> bool:
    return Path(sys.argv[0]).name in {"ip4sim", "cli.py"}


def cmd_actors(args: argparse.Namespace) -> int:
    governments = parse_pairs(args.government, "--government")
    try:
        catalog = load_catalog(governments)
    except ValueError as err:  # an unknown government for a partner that has several
        raise InputError.one("--government", ",".join(args.government), str(err)) from None
    if not args.code:
        for kind in ("partner", "ally", "adversary"):
            codes = catalog.by_kind(kind)
            print(f"{PLURAL[kind]} ({len(codes)}):")
            for code in codes:
                p = catalog.profiles[code]
                extra = f"  [{p.archetype} about the IP4]" if getattr(p, "archetype", None) else ""
                print(f"  {code}  {p.name}{extra}")
        return 0
    message = unknown_actor(args.code, catalog)
    if message:
        raise InputError.one("actors", "code", message)
    print(role_card(catalog.profiles[catalog.resolve(args.code)]))
    return 0


WHY_LEGEND = ("(after each choice, the three utility terms that weighed most, against the "
              "average option: + pulled toward it, - away from it)")
PLURAL = {"partner": "partners", "ally": "allies", "adversary": "adversaries"}


def role_card(profile) -> str:
    lines = [f"{profile.name} ({profile.code}), {profile.kind}"]
    if profile.note:
        lines += textwrap.wrap(profile.note, 96)
    lines.append("")
    meaning = profile.dimensions
    for dim, value in profile.values.items():
        lines.append(f"  {dim:<24} {value.value:4.2f}  {meaning.get(dim, '')}")
        lines += textwrap.wrap(value.describe(), 90, initial_indent=" " * 32,
                               subsequent_indent=" " * 34)
    return "\n".join(lines)


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name in builtin_names():
        loaded = load_scenario(name)
        s = loaded.scenario
        print(f"{name:<28} {s.title}  ({s.turns} turns of {s.turn_represents})")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    for file in args.files:
        try:
            loaded = load_scenario(file)
            scenario_parameters(loaded)
            print(f"ok: {file}: {loaded.scenario.title}")
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    for name in rule_names():
        cls = REGISTRY[name]
        params = ", ".join(f"{k}={f.default}" for k, f in cls.model_fields.items())
        print(f"{name:<12} {cls.summary}" + (f"  [parameters: {params}]" if params else ""))
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    defaults = Parameters().model_dump()
    for name, meaning in parameter_help().items():
        print(f"{name:<20} {defaults[name]!s:<6} {meaning}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Exit 0, or 1 if some runs failed (their errors are in failures.csv)."""
    from analysis.compare import compare

    loaded = load_scenario(args.scenario)
    overrides, governments = parse_sets(args.sets)
    items = [*args.params, *population_param(args.population)]
    scenario_parameters(loaded)  # the file's own, so its errors name the file
    params = parse_params(items).model_dump(exclude_unset=True)
    levers = parse_levers(args.levers, loaded.scenario)
    command = ["ip4sim", *sys.argv[1:]] if argv_is_ours() else []
    result = compare(args.scenario, args.rules, args.seeds, args.root_seed, args.workers,
                     args.out, params=params, overrides=overrides, governments=governments,
                     levers=levers, progress=not args.quiet, command=command)
    if not args.quiet:
        print(result.table())
    print(f"{len(result.seeds) * len(result.rules)} runs in {result.seconds:.1f} s; wrote "
          f"{result.out_dir}/: {', '.join(result.files)}")
    if result.failures:
        print(f"warning: {len(result.failures)} runs failed; see "
              f"{result.out_dir}/failures.csv", file=sys.stderr)
        return 1
    return 0


# -- parsing run options -----------------------------------------------------------------

def run_spec(args: argparse.Namespace) -> RunSpec:
    loaded = load_scenario(args.scenario)
    rule = parse_rule(args.rule)
    overrides, governments = parse_sets(args.sets)
    items = [*args.params, *population_param(args.population)]
    params = parse_params(items, scenario_parameters(loaded))
    levers = parse_levers(args.levers, loaded.scenario)
    return RunSpec(loaded=loaded, rule=rule, seed=args.seed, params=params,
                   overrides=overrides, governments=governments, levers=levers)


def population_param(population: int | None) -> list[str]:
    """``--population N`` as the parameter it sets."""
    if population is None:
        return []
    if population < 1:
        raise InputError.one("--population", str(population),
                             "a public needs at least 1 citizen (e.g. --population 2000)")
    return [f"population={population}"]


def parse_levers(items: list[str], scenario) -> dict[str, float]:
    """``--lever NAME=VALUE``: a known lever, a number in [0, 1], and for a lever the
    allies must approve, a Council decision in the scenario that can approve it."""
    levers, problems = {}, []
    for key, value in parse_pairs(items, "--lever").items():
        number = to_float(value)
        message = ("not a number: " + value) if number is None else lever_problem(key, number)
        if message is None and key in GATED_LEVERS and number > 0 \
                and key not in switchable(scenario):
            message = gate_message(key)
        if message:
            problems.append(Problem("--lever", key, message))
        else:
            levers[key] = number
    if problems:
        raise InputError(problems)
    return levers


def parse_pairs(items: list[str], source: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise InputError.one(source, item, "expected KEY=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs


def parse_sets(items: list[str]) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """``--set CODE.FIELD=VALUE`` into profile overrides and government choices."""
    catalog = load_catalog()
    overrides: dict[str, dict[str, float]] = {}
    governments: dict[str, str] = {}
    problems = []
    for key, value in parse_pairs(items, "--set").items():
        code, _, dim = key.partition(".")
        message = unknown_actor(code, catalog) or (None if dim else "expected CODE.FIELD=VALUE")
        if message:
            problems.append(Problem("--set", key, message))
            continue
        code = catalog.resolve(code)
        if dim == "government":
            choices = governments_available().get(code, [])
            if value not in choices:
                problems.append(Problem("--set", key, f"unknown government {value!r}; "
                                        f"choices: {', '.join(choices) or 'none for ' + code}"))
            governments[code] = value
            continue
        number = to_float(value)
        known = [*catalog.profiles[code].values, "government"]
        message = ("not a number: " + value) if number is None else dimension_problem(
            known, dim, number)
        if message:
            problems.append(Problem("--set", key, message))
        else:
            overrides.setdefault(code, {})[dim] = number
    if problems:
        raise InputError(problems)
    return overrides, governments


def scenario_parameters(loaded: LoadedScenario) -> Parameters:
    """The scenario file's ``parameters:``, checked, with the file's lines in any error."""
    base = loaded.scenario.parameters
    root = yaml.compose(Path(loaded.path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)

    def problem(key: str, message: str) -> Problem:
        return Problem(loaded.path, f"parameters.{key}", message,
                       line_of(root, ("parameters", key)))

    problems = [problem(k, unknown_parameter(k)) for k in base if k not in Parameters.model_fields]
    if problems:
        raise InputError(problems)
    try:
        return Parameters(**base)
    except ValidationError as err:
        raise InputError([problem(".".join(map(str, e["loc"])), e["msg"])
                          for e in err.errors()]) from None


def parse_params(items: list[str], base: Parameters | None = None) -> Parameters:
    """``--param NAME=VALUE`` on top of ``base`` (the scenario file's parameters)."""
    base = base or Parameters()
    problems = []
    values: dict[str, float] = {}
    for key, value in parse_pairs(items, "--param").items():
        number = to_float(value)
        if key not in Parameters.model_fields:
            problems.append(Problem("--param", key, unknown_parameter(key)))
        elif number is None:
            problems.append(Problem("--param", key, f"not a number: {value}"))
        else:
            values[key] = number
    if problems:
        raise InputError(problems)
    try:
        return Parameters(**{**base.model_dump(exclude_unset=True), **values})
    except ValidationError as err:
        raise InputError([Problem("--param", ".".join(map(str, e["loc"])), e["msg"])
                          for e in err.errors()]) from None


def unknown_parameter(key: str) -> str:
    close = difflib.get_close_matches(key, list(Parameters.model_fields), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown parameter{hint} (`ip4sim params` lists them)"


def to_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


if __name__ == "__main__":
    sys.exit(main())
