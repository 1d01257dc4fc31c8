"""The ``ip4sim`` command line.

Bad input (a malformed scenario, an unknown actor or field, an out-of-range value)
ends in a message naming the input, the field and, where known, the line, and
exit code 2; an output that cannot be written (a full disk, a folder that may not be
written), in a message naming the file and the OS's reason, and exit code 74 (a sweep's
or a comparison's store keeps what it holds, and the message says how to resume); never a
traceback.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import shlex
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

# Only light modules here (the standard library, PyYAML): the parser is built from them,
# so `ip4sim --version` and `--help` answer at once. Each command imports what it needs
# (Mesa, numpy, pydantic, matplotlib) when it runs; tests/test_cli_startup.py keeps it so.
from scenarios.errors import InputError, Problem, did_you_mean
from scenarios.guarded import MAX_SEEDS, parse_number, parse_whole
from scenarios.kinds import FIELDS, RULE
from scenarios.lever_names import LEVER_NAMES
from sim.deferred import defer
from sim.provenance import package_version
from sim.signals import handled
from sim.writing import said, unfinished_removed

if TYPE_CHECKING:
    from scenarios.kinds import Kind
    from scenarios.record import ScenarioOf
    from scenarios.schema import Scenario
    from sim.app import Comparison, LiveAccount
    from sim.outputs import ConsoleSettings, EventBase
    from sim.protocol import Seat
    from sim.request import CheckedRun, RunRequest
    from sim.sweep import SweepInterrupted, SweepUnwritten

EXIT_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
EXIT_UNWRITTEN = 74  # an output could not be written: sysexits.h's EX_IOERR


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except InputError as err:
        print_problems(err.problems)
        return EXIT_INPUT
    except KeyboardInterrupt:  # a batch stops its workers and keeps what finished
        print(f"\ninterrupted{getattr(args, 'interrupted_note', '')}", file=sys.stderr)
        if argv is not None and hasattr(args, "sigint_before"):  # called, not the program:
            signal.signal(signal.SIGINT, args.sigint_before)  # Ctrl-C works again after
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `ip4sim actors JPN | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:  # a full disk, a folder that may not be written: the file, why,
        # and what was kept (a sweep's or a comparison's store, and how to go on with it)
        print(f"error: {said(err)}{getattr(args, 'kept_note', '')}", file=sys.stderr)
        return EXIT_UNWRITTEN
    except Exception as err:
        from sim.batch import BatchFailed  # a batch's commands have imported it already

        if not isinstance(err, BatchFailed):
            raise
        print(f"error: {err}", file=sys.stderr)
        return 1


def print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)


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
    run.add_argument("scenario", nargs="?",
                     help="a built-in scenario name or a path to a YAML file "
                          "(default ukraine_response)")
    add_run_options(run)
    run.add_argument("--out", type=Path, help="run folder (default runs/SCENARIO-RULE-seedN)")
    run.add_argument("--quiet", action="store_true", help="do not print the turn-by-turn account")
    run.add_argument("--player", action="append", default=[], dest="players", metavar="CODE",
                     help="a person plays this actor at the terminal, e.g. --player JPN; "
                          "repeatable")
    run.add_argument("--replay", type=Path, metavar="EVENTS",
                     help="play again the choices recorded in a run's events.jsonl (for example "
                          "a run with human players): the same choices and outcomes, each "
                          "marked by who made it (human, facilitator, engine); with no "
                          "scenario, the scenario, rule, seed and what-ifs come from the run "
                          "folder's manifest")
    run.add_argument("--resume", type=Path, metavar="RUN_FOLDER",
                     help="go on with a game saved when it was stopped (its folder); the "
                          "scenario, rule, seed and players come from its manifest")
    run.set_defaults(handler=cmd_run)

    actors = sub.add_parser("actors", help="list the actors, or show one profile with sources")
    actors.add_argument("code", nargs="?", help="an actor code (JPN, ROK, USA, CHN, ...)")
    actors.add_argument("--government", action="append", default=[], metavar="CODE=NAME",
                        help="government in office, e.g. KOR=progressive")
    actors.add_argument("--brief", action="store_true",
                        help="a one-page country briefing in plain words, every claim with "
                             "its source")
    actors.add_argument("--html", type=Path, metavar="FILE",
                        help="write the briefing as an HTML page for printing")
    actors.set_defaults(handler=cmd_actors)

    why = sub.add_parser("why", help="every term of a run's choices, with what it means and "
                                     "the profile values and sources behind it")
    why.add_argument("folder", type=Path, metavar="RUN_FOLDER", help="a run folder")
    why.add_argument("--turn", type=int, metavar="T", help="only this turn's choices")
    why.add_argument("--actor", metavar="CODE",
                     help="only this actor's choices (default: the four partners')")
    why.add_argument("--short", action="store_true",
                     help="the terms that weighed, largest first, each in a line with what it "
                          "measures, without weights and sources (for a projector)")
    why.set_defaults(handler=cmd_why)

    scen = sub.add_parser("scenarios", help="list the built-in scenarios")
    scen.set_defaults(handler=cmd_scenarios)

    validate = sub.add_parser(
        "validate", help="check scenario files, sweep files and records of what happened, "
        "and report every problem", description=f"Each file is checked as the kind whose "
        f"fields it holds: {RULE}. A record is checked against the scenario it names: a "
        "scenario file given in the same command, or the built-in one of that name.")
    validate.add_argument("files", nargs="+", metavar="FILE",
                          help="a file, or a built-in scenario's name")
    validate.add_argument("--kind", choices=tuple(FIELDS),
                          help="check every file as this kind, whatever fields it holds")
    validate.set_defaults(handler=cmd_validate)

    serve = sub.add_parser("serve", help="the exercise in the browser: a facilitator's "
                           "console, a seat per team, a projector view")
    serve.add_argument("--host", default="127.0.0.1", help="where to listen (default "
                       "127.0.0.1, this machine only; 0.0.0.0 for the room: seats then need "
                       "their join codes)")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--scenarios", action="append", default=[], type=Path, metavar="DIR",
                       help="a folder of scenario files the facilitator may open; repeatable")
    serve.add_argument("--runs", type=Path, default=Path("runs"),
                       help="where games write their run folders (default runs/); the "
                       "console lists the games saved there to open again")
    serve.add_argument("--resume", action="append", default=[], type=Path,
                       metavar="RUN_FOLDER", help="open the game saved in this run folder "
                       "again at start (paused, its seats with new join codes); repeatable")
    serve.set_defaults(handler=cmd_serve)

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
    add_batch_options(comp, "seeds per rule", "outcomes")
    comp.add_argument("--out", type=Path, help="output folder (default "
                      "runs/compare-SCENARIO[-WHAT-IFS]-DIGEST; the same command resumes it, "
                      "a folder of another request is refused)")
    comp.add_argument("--retry-failed", action="store_true",
                      help="run again the runs the folder records as failed (failures.csv)")
    comp.set_defaults(handler=cmd_compare)

    back = sub.add_parser("backtest", help="score runs of a scenario set in history against "
                                           "the record of what happened (table, figures, "
                                           "report)")
    back.add_argument("scenario", nargs="?", default="ukraine_2022",
                      help="a scenario with a start_date (default ukraine_2022)")
    back.add_argument("--record", type=Path, help="the record file (default: the scenario's "
                      "built-in record, scenarios/records/SCENARIO.yaml)")
    back.add_argument("--rule", default="caucus", help="coordination rule (default caucus)")
    add_batch_options(back, "runs", "entries' scores")
    back.add_argument("--out", type=Path, help="output folder (default runs/backtest-SCENARIO)")
    back.set_defaults(handler=cmd_backtest)

    sweep = sub.add_parser("sweep", help="run a sweep file (factors, a design, rules, "
                                         "replicates) into a resumable Parquet dataset")
    sweep.add_argument("file", nargs="?", help="the sweep file (YAML; see --example)")
    sweep.add_argument("--out", type=Path, help="the dataset folder (default runs/sweep-FILE); "
                                                "the same command resumes it")
    sweep.add_argument("--example", action="store_true", help="print a commented sweep file")
    sweep.add_argument("--workers", type=int, help="processes (default: every core; 1: serial)")
    sweep.add_argument("--dask", metavar="ADDRESS",
                       help="run on Dask: local (a local cluster of --workers processes) or "
                            "a scheduler's address, e.g. tcp://HOST:8786 (pip install "
                            "'ip4sim[dask]')")
    sweep.add_argument("--retry-failed", action="store_true",
                       help="run again the runs the dataset records as failed")
    sweep.add_argument("--quiet", action="store_true", help="no progress display")
    sweep.add_argument("--check", action="store_true",
                       help="check the file (every problem at once) and say what it would "
                            "run, without running anything")
    sweep.set_defaults(handler=cmd_sweep)

    anal = sub.add_parser("analyze", help="sensitivity, effects, paired rule differences and "
                                          "rule rankings of a sweep's dataset")
    anal.add_argument("folder", type=Path, help="a sweep's dataset folder")
    anal.add_argument("--out", type=Path, help="where to write (default FOLDER/_analysis, "
                                               "which pandas.read_parquet(FOLDER) skips); "
                                               "not inside a sweep's folder otherwise")
    anal.set_defaults(handler=cmd_analyze)
    return parser


def whole_number(text: str) -> int:
    """A whole number as typed, in ASCII digits (not '1_000', '٣' or '3.0')."""
    value = parse_whole(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return value


def seed_number(text: str) -> int:
    """A seed as typed: a whole number, 0 or more (numpy's seeds are non-negative)."""
    value = whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"a seed is 0 or more, not {value}")
    return value


def out_folder(path: Path, create: bool = True) -> Path:
    """Create the output folder before any work is done, so a run never computes what it
    cannot write; ``create=False``: only check that it could be (a command whose request
    is checked later must leave no empty folder behind when it is refused)."""
    if path.exists() and not path.is_dir():
        raise InputError.one("--out", str(path), "is a file, not a folder")
    if not create:
        parent = next(p for p in (path, *path.absolute().parents) if p.exists())
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InputError.one("--out", str(path), f"cannot create the folder: {parent} "
                                 "may not be written")
        return path
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


def add_batch_options(p: argparse.ArgumentParser, seeds: str, scores: str) -> None:
    """Seeds, workers, what-ifs, assumed-weight draws and quiet: compare and backtest."""
    p.add_argument("--seeds", type=whole_number, default=100,
                   help=f"{seeds}, 1 to {MAX_SEEDS:,} (default 100)")
    p.add_argument("--root-seed", type=seed_number, default=1,
                   help="root seed the run seeds are derived from (default 1)")
    p.add_argument("--workers", type=whole_number,
                   help="processes (default: every core; 1: serial)")
    add_what_if_options(p)
    p.add_argument("--assumptions", type=whole_number, default=0, metavar="K",
                   help="also play K draws of the assumed utility weights (each within half "
                        f"again either way) over 20 seeds, and say which {scores} rest mostly "
                        "on those weights rather than on the seeds (default 0: off)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no table")


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
                        + ", ".join(LEVER_NAMES) + ")")
    p.add_argument("--population", type=whole_number, metavar="N",
                   help="simulated citizens per partner public (default 2000)")


# -- commands ---------------------------------------------------------------------------

@contextmanager
def engine_first() -> Iterator[None]:
    """Import Mesa, then (in the ``with`` block) what the command needs, with the cyclic
    garbage collector paused, and freeze what was imported.

    Mesa first: its loggers call ``inspect.stack()`` as it is imported, whose cost grows
    with the frames above the import and the modules already loaded (for `ip4sim run`,
    0.5 to 0.7 s of CPU in ``inspect`` when Mesa came deep in our own imports, 0.15 s when
    first). The collector paused: imports make some 150,000 long-lived objects and next
    to no garbage, yet its passes walked them (in `ip4sim run`, three full passes and 470
    younger ones, 0.35 to 0.6 s, freeing 4,800 objects); frozen, they are left out of
    later passes, which then see only the run's own objects (0.05 s of passes)."""
    gc.disable()
    try:
        defer("pandas")  # Mesa imports it; a run never uses it (sim/deferred.py)
        import mesa  # noqa: F401

        yield
    finally:
        gc.freeze()
        gc.enable()


def cmd_run(args: argparse.Namespace) -> int:
    with engine_first():
        from scenarios.information import standing_campaigns_note
        from sim.app import LiveAccount, narrate, report, sources
        from sim.outputs import read_manifest
        from sim.runner import build, check_out_folder, release_recorded, result_of

    if args.resume is not None:
        ignored = run_options_given(args) + (["--replay"] if args.replay else [])
        if ignored:
            raise InputError.one("--resume", str(args.resume), (
                f"a resumed game is the one its folder holds: {', '.join(ignored)} would be "
                "ignored; give --resume DIR alone"))
        return resume_game(args)
    checked = run_request(args).check()
    scenario = checked.loaded.scenario
    warn_of_cost(checked, scenario.turns)
    out = args.out or default_run_folder(checked)
    check_out_folder(out, checked, replaying=args.replay is not None)
    # a replay is read and checked before the folder is made: a refused one leaves none
    recorded = replay_events(checked, args.replay) if args.replay is not None else []
    out = out_folder(out)
    names = {c: p.name for c, p in checked.catalog.profiles.items()}
    live = LiveAccount(scenario.turn_represents, names) if checked.request.players else None
    model = build(checked, seats(checked, recorded), observe=live)
    release_recorded(model, recorded)
    status = play_with_people(model, live, out)
    if status:
        return status
    # a run the engine played alone is made again by the same command, into the same folder
    with people_kept(model), nullcontext() if live is not None else unfinished_removed(out):
        written = report(result_of(model), out, command())
    if live is not None:
        live.flush()
    elif not args.quiet:
        print(f"{scenario.title}\nrule {checked.rule.spec()}, seed {checked.seed}, "
              f"one turn = {scenario.turn_represents}")
        note = standing_campaigns_note(scenario)
        if note:
            print(note)
        print(WHY_LEGEND)
        for line in narrate(model.events, scenario.turn_represents, names):
            print(line)
    if live is not None or not args.quiet:  # the account ends with its sources
        print("\nSources", *sources(read_manifest(out)), "", sep="\n")
    print(f"wrote {out}/: " + ", ".join(written))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from sim.web.serve import serve
    except ImportError as missing:
        raise InputError.one("serve", "", f"the browser needs the web extra ({missing.name} "
                             "is missing): pip install 'ip4sim[web]'") from None
    serve(args.host, args.port, tuple(args.scenarios), args.runs, tuple(args.resume))
    return 0


def default_run_folder(checked: CheckedRun) -> Path:
    """``runs/SCENARIO-RULE-seedN``, then the people's seats and a digest of any what-ifs:
    runs that differ get folders of their own (a folder of another run is refused)."""
    request = checked.request
    name = [checked.loaded.scenario.id, checked.rule.slug(), f"seed{checked.seed}",
            *request.players]
    what_ifs = request.model_dump(include={"parameters", "overrides", "governments", "levers",
                                           "population"}, exclude_defaults=True)
    if what_ifs:
        name.append(hashlib.sha256(json.dumps(what_ifs, sort_keys=True).encode())
                    .hexdigest()[:8])
    return Path("runs") / "-".join(name)


def resume_game(args: argparse.Namespace) -> int:
    """``--resume RUN_FOLDER``: replay the saved game to where it stopped, then go on."""
    from sim.app import LiveAccount, report
    from sim.outputs import read_manifest
    from sim.runner import result_of, resume

    out = args.resume
    record = read_manifest(out)
    if record.status == "complete":
        raise InputError.one("--resume", str(out), (
            f"the game is complete ({record.turns_played} of {record.scenario.turns} turns): "
            f"nothing to resume; `ip4sim run --replay {out / 'events.jsonl'} --out "
            f"{out}-replayed` plays it again, its report and figures with it"))
    live = LiveAccount(record.scenario.turn_represents, record.actors)
    model = resume(out, observe=live)
    status = play_with_people(model, live, out, record.console)
    if status:
        return status
    with people_kept(model, record.console):
        written = report(result_of(model, record.console), out, command())
    live.flush()
    print(f"wrote {out}/: " + ", ".join(written))
    return 0


def play_with_people(model, live: LiveAccount | None, out: Path,
                     console: ConsoleSettings | None = None) -> int:
    """Play to the end, asking the people at the terminal, the game so far saved in ``out``
    before each question (with a browser game's ``console`` settings, kept for the
    browser), so a terminal closed or a process killed loses at most the answer being
    typed; if they stop (end of input, Ctrl-C, the terminal hung up, a kill), save it once
    more and say how to go on. 0, or the exit code."""
    from sim.players import PlayerQuit, TerminalPlayer, play_at_terminal
    from sim.runner import result_of, write_run

    save = SavedAsItGoes(model, out, console)

    def before_asking() -> None:
        if live:
            live.flush()
        save()

    try:
        with stops_said_as(PlayerQuit, signal.SIGTERM, signal.SIGHUP):
            play_at_terminal(model, TerminalPlayer(), before_asking)
    except LookupError as missing:  # a replay that does not fit this scenario
        raise InputError.one("--replay", "", str(missing).strip("'")) from None
    except (PlayerQuit, KeyboardInterrupt) as stop:
        with people_kept(model, console):
            write_run(result_of(model, console), out, command())
        why = str(stop) if isinstance(stop, PlayerQuit) else "interrupted"
        print(f"\nstopped ({why}); the game so far is saved in {out}/ (turn "
              f"{model.turns_done + 1} in progress). Go on with: ip4sim run --resume {out}",
              file=sys.stderr)
        return 130 if isinstance(stop, KeyboardInterrupt) else 1
    return 0


class SavedAsItGoes:
    """A terminal game's folder written again whenever it is called (before each question:
    20 to 30 ms, against a person's seconds); a folder that cannot be written is said once,
    and the game goes on (its end, or its stop, tries again and rescues it)."""

    def __init__(self, model, out: Path, console: ConsoleSettings | None):
        self.model, self.out, self.console, self.warned = model, out, console, False

    def __call__(self) -> None:
        from sim.runner import result_of, write_run

        try:
            write_run(result_of(self.model, self.console), self.out, command())
        except OSError as err:
            if not self.warned:
                print(f"warning: the game cannot be saved as it goes: {said(err)}; it is "
                      "kept in memory, and saved elsewhere at its end if this folder still "
                      "cannot be written", file=sys.stderr)
                self.warned = True


def stops_said_as(stop: type[Exception], *signals: signal.Signals):
    """While the block runs, each of ``signals`` (a terminal hung up, a kill) raises
    ``stop``, naming the signal, so the game is saved as on end of input."""
    def raise_stop(number: int, _frame) -> None:
        raise stop(f"{signal.Signals(number).name} received")

    return handled(dict.fromkeys(signals, raise_stop))


@contextmanager
def people_kept(model, console: ConsoleSettings | None = None) -> Iterator[None]:
    """A game people played is not lost to a run folder that cannot be written (a full
    disk, a folder that may not be written): it is saved in a new folder of the system's
    temporary folder instead, or, where that fails too, its events are written to the error
    stream, each with how to go on; then the error is said as any other (``main``)."""
    try:
        yield
    except OSError:
        if model.checked.request.players:
            rescue(model, console)
        raise


def rescue(model, console: ConsoleSettings | None) -> None:
    import tempfile

    from sim.outputs import to_jsonl
    from sim.runner import result_of, write_run

    result = result_of(model, console)
    try:
        spare = Path(tempfile.mkdtemp(prefix="ip4sim-game-"))
        write_run(result, spare, command())
    except OSError:
        # events without their folder's manifest replay only with the scenario, rule, seed
        # and what-ifs named again: the command that played them says all four
        again = shlex.join([*command(), "--replay", "FILE"]) if command() else (
            "ip4sim run SCENARIO --rule RULE --seed N --replay FILE, with the what-ifs it "
            "was played with")
        print(to_jsonl(result.events), end="", file=sys.stderr)
        print("the game people played could not be saved anywhere: its events are above; "
              "keep them as a FILE and play them again with the command that played it, "
              f"--replay FILE added and --out a folder that can be written: {again}",
              file=sys.stderr)
        return
    go_on = (f"ip4sim run --replay {spare / 'events.jsonl'} --out DIR writes its report"
             if result.complete else f"go on with: ip4sim run --resume {spare}")
    print(f"the game people played is saved instead in {spare}/ ({go_on})", file=sys.stderr)


def replay_events(checked: CheckedRun, replay: Path) -> list[EventBase]:
    """A recorded run's events, checked to be of this scenario, rule and seed."""
    from sim.outputs import read_events

    check_replay(checked, replay)
    try:
        return read_events(replay)  # InputError: the line and field of what is not an event
    except (OSError, UnicodeDecodeError) as err:
        raise InputError.one(str(replay), "", f"not a readable events.jsonl: {err}") from None


def seats(checked: CheckedRun, recorded: list[EventBase]) -> dict[str, Seat]:
    """Who answers instead of the engine: people at the terminal, or a recorded run (each
    answer keeping who gave it: a person, the facilitator; the engine plays its own again)."""
    from sim.protocol import HumanSeat
    from sim.runner import replay_seats

    if recorded:
        return replay_seats(checked, recorded)
    return {code: HumanSeat() for code in checked.request.players}


def check_replay(checked: CheckedRun, events: Path) -> None:
    """A replay must be of the same scenario file, rule and seed, as its manifest says."""
    from sim.outputs import read_manifest

    if not (events.parent / "manifest.json").is_file():
        return  # an events file on its own: the scripted choices are checked as they come
    record = read_manifest(events.parent)
    was = (record.scenario.sha256, record.rule, record.seed)
    now = (checked.loaded.sha256, checked.rule.spec(), checked.seed)
    for what, a, b in zip(("scenario file (sha256)", "rule", "seed"), was, now, strict=True):
        if a != b:
            raise InputError.one("--replay", str(events), f"recorded with another {what}: "
                                 f"{a} there, {b} here")
    if record.status == "in progress" and not checked.request.players:
        print(f"note: {events} records a game stopped at turn {record.turns_played + 1}: "
              "the engine plays every seat after it (to go on with the people, "
              f"ip4sim run --resume {events.parent})", file=sys.stderr)


def command() -> list[str]:
    return ["ip4sim", *sys.argv[1:]] if argv_is_ours() else []


def argv_is_ours() -> bool:
    return Path(sys.argv[0]).name in {"ip4sim", "cli.py"}


def cmd_actors(args: argparse.Namespace) -> int:
    import textwrap

    from agents.briefing import briefing, briefing_html, role_card
    from agents.catalog import load_catalog
    from scenarios.loader import unknown_actor

    governments = parse_pairs(args.government, "--government")
    try:
        catalog = load_catalog(governments)
    except ValueError as err:  # an unknown government for a partner that has several
        raise InputError.one("--government", ",".join(args.government), str(err)) from None
    if not args.code and (args.html is not None or args.brief):
        option = "--html" if args.html is not None else "--brief"
        raise InputError.one(option, "code", "a briefing is of one actor: give its code, "
                             f"e.g. `ip4sim actors JPN {option}"
                             f"{' ' + str(args.html) if args.html is not None else ''}`")
    if not args.code:
        for kind in ("partner", "ally", "adversary"):
            codes = catalog.by_kind(kind)
            print(f"{PLURAL[kind]} ({len(codes)}):")
            if kind == "ally":
                print(*textwrap.wrap(SORTED, 92, initial_indent="  ", subsequent_indent="   "),
                      sep="\n")
            for code in codes:
                p = catalog.profiles[code]
                basis = getattr(p, "archetype_basis", None)
                extra = (f"  [{p.archetype} about the IP4: {BASIS[basis.source]}]"
                         if basis else "")
                print(f"  {code}  {p.name}{extra}")
        return 0
    message = unknown_actor(args.code, catalog)
    if message:
        raise InputError.one("actors", "code", message)
    profile = catalog.profiles[catalog.resolve(args.code)]
    others = sorted(c for c in map(catalog.resolve, governments) if c != profile.code)
    if others:
        raise InputError.one("--government", ",".join(args.government), (
            f"changes only {', '.join(others)}'s own profile, not {profile.code}'s: show "
            f"{others[0]} (`ip4sim actors {others[0]} --government ...`)"))
    if args.html is not None:
        try:
            args.html.write_text(briefing_html(profile, catalog), encoding="utf-8")
        except OSError as err:
            raise InputError.one("--html", str(args.html), f"cannot write: {err.strerror}") \
                from None
        print(f"wrote {args.html}")
    elif args.brief:
        print(briefing(profile, catalog))
    else:
        print(role_card(profile, catalog))
    return 0


WHY_LEGEND = ("(after each choice, the three utility terms that weighed most, against the "
              "average option: + pulled toward it, - away from it)")
PLURAL = {"partner": "partners", "ally": "allies", "adversary": "adversaries"}
# The allies' sorting is this exercise's: the report says only that "some allies are more
# ambitious about the IP4 format and some less so", and names none.
SORTED = ("(sorted ambitious or cautious about the IP4 by this exercise, not by the report, "
          "which names no ally; `ip4sim actors CODE` gives each one's basis)")
BASIS = {"outside": "an outside indicator", "assumption": "an assumption"}


def cmd_why(args: argparse.Namespace) -> int:
    from agents.catalog import ADVERSARIES, canonical
    from sim.app import choices_of, explain
    from sim.outputs import read_run

    try:
        run = read_run(args.folder)
    except (OSError, ValueError) as err:
        raise InputError.one(str(args.folder), "", f"not a readable run folder: {err}") from None
    actor = None
    if args.actor:
        by_name = {n.lower(): c for c, n in run.manifest.actors.items()}
        actor = by_name.get(args.actor.strip().lower(), canonical(args.actor))
        if actor not in run.manifest.actors:
            raise InputError.one("--actor", args.actor, "not an actor of this run"
                                 f"{did_you_mean(args.actor, run.manifest.actors)}")
    if actor in ADVERSARIES:
        raise InputError.one("--actor", args.actor, (
            "China and Russia make no choices to explain: they act by fixed rules. China "
            "coerces the partner where coercion pays best and it lands as the target's "
            "vulnerability, backing and resolve allow (docs/ODD.md 7.7); Russia presses as the "
            "war escalates (7.8). The run's account gives each act, turn by turn"))
    chosen = choices_of(run, args.turn, actor)
    if not chosen:
        turns = sorted({e.turn for e in choices_of(run, None, actor)})
        whose = run.manifest.actors.get(actor, actor) if actor else "the four partners"
        asked_others = " (its questions went to others)" if actor and args.turn in {
            e.turn for e in run.events} else ""
        raise InputError.one("--turn", str(args.turn), (
            f"no choice of {whose} in that turn{asked_others}; turns with a choice of "
            f"{whose}: {', '.join(map(str, turns)) or 'none'}"))
    print(f"{run.manifest.title}")
    for line in explain(run, chosen, short=args.short):
        print(line)
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from scenarios.loader import builtin_names, load_scenario

    for name in builtin_names():
        loaded = load_scenario(name)
        s = loaded.scenario
        print(f"{name:<28} {s.title}  ({s.turns} turns of {s.turn_represents})")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Each file checked as its kind (by the fields it holds, or ``--kind``): a line for
    each that passes, every problem of each that does not, in the order of its lines;
    exit 2 if any failed. Warnings and notes do not fail."""
    found = {file: found_kind(file, args.kind) for file in args.files}
    passed = [validated(file, found, args.kind is not None) for file in args.files]
    return 0 if all(passed) else EXIT_INPUT


Found = dict[str, "tuple[Kind, dict] | InputError"]  # each file's kind and top-level fields


def found_kind(file: str, forced: Kind | None) -> tuple[Kind, dict] | InputError:
    """The file's kind (``forced``, else by the fields it holds) and its top-level
    fields; a name that is no file is a built-in scenario's, or a file missing, which
    the scenario's reader names. Why no kind could be told, as the file's problem."""
    from scenarios.kinds import file_kind

    path = Path(file)
    if not path.is_file():
        return forced or "scenario", {}
    try:
        kind, data = file_kind(path)
    except InputError as err:
        return (forced, {}) if forced else err
    return forced or kind, data


def validated(file: str, found: Found, forced: bool) -> bool:
    """One file checked and said: its ``ok:`` line, or what it was checked as and its
    problems."""
    from scenarios.kinds import NAMES, held

    got = found[file]
    if isinstance(got, InputError):
        print_problems(got.problems)
        return False
    kind, data = got
    try:
        summary, notes, warnings = check_file(file, kind, found)
    except InputError as err:
        if forced or data:  # a file that could be read: what it was taken for, and why
            why = "--kind" if forced else f"it holds {held(kind, data)}"
            print(f"{file}: checked as {NAMES[kind]} ({why}): {len(err.problems)} "
                  f"problem{'s' if len(err.problems) > 1 else ''}", file=sys.stderr)
        print_problems(err.problems)
        return False
    print(f"ok: {file} ({kind}): {summary}")
    for note in notes:
        print(f"  note: {note}")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return True


def check_file(file: str, kind: Kind, found: Found
               ) -> tuple[str, list[str], tuple[Problem, ...]]:
    """The file checked as ``kind`` by the reader its command uses: its summary in a line,
    notes and warnings; InputError with every problem."""
    if kind == "sweep":
        with engine_first():
            from sim.app import check_sweep  # what `ip4sim sweep --check` says

        return check_sweep(file), [], ()
    if kind == "record":
        from agents.catalog import load_catalog
        from scenarios.record import read_record

        return read_record(file, load_catalog(), record_scenario(file, found)).summary(), [], ()
    from scenarios.information import standing_campaigns_note
    from scenarios.loader import load_scenario

    loaded = load_scenario(file)
    note = standing_campaigns_note(loaded.scenario)
    return loaded.scenario.title, [note] if note else [], loaded.warnings


def record_scenario(record: str, found: Found) -> ScenarioOf:
    """How ``validate`` finds a record's scenario: a scenario file given in the same
    command whose id it names, else the built-in scenario of that name."""
    from scenarios.loader import builtin_names, library_dir, load_scenario
    from scenarios.record import MISSING

    def scenario_of(sid: str) -> Scenario | str | None:
        given = [f for f, got in found.items() if not isinstance(got, InputError)
                 and got[0] == "scenario" and got[1].get("id") == sid]
        if given:
            try:
                return load_scenario(given[0]).scenario
            except InputError:
                return (f"its scenario {given[0]} has problems (reported with it): its "
                        "entries are checked once it has none")
        if sid in builtin_names():
            return load_scenario(str(library_dir() / f"{sid}.yaml")).scenario
        if sid == MISSING:
            return None  # its scenario field's own problem says so
        return (f"no scenario {sid!r} among the files given or built in, so its entries were "
                f"not checked: give its file too (ip4sim validate SCENARIO_FILE {record})")

    return scenario_of


def cmd_rules(args: argparse.Namespace) -> int:
    from sim.rules import REGISTRY, rule_names

    width = max(map(len, rule_names()))
    for name in rule_names():
        cls = REGISTRY[name]
        params = ", ".join(f"{k}={f.default}" for k, f in cls.model_fields.items())
        print(f"{name:<{width}}  {cls.summary}" + (f"  [parameters: {params}]" if params else ""))
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from scenarios.parameters import Parameters, parameter_bounds, parameter_help, readable_number

    defaults = Parameters().model_dump()
    meanings = parameter_help()
    rows = [("parameter", "default", "bounds", "meaning")] + [
        (name, "unset" if defaults[name] is None else readable_number(defaults[name]),
         parameter_bounds(name), meaning) for name, meaning in meanings.items()]
    widths = [max(len(row[k]) for row in rows) for k in range(3)]
    for *cells, meaning in rows:
        print("  ".join(f"{cell:<{width}}" for cell, width in zip(cells, widths, strict=True))
              + f"  {meaning}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Exit 0, or 1 if some runs failed (their errors are in failures.csv)."""
    with engine_first():
        from sim.app import compare, draw_runs
        from sim.sweep import COMPARE_STORE, compare_folder, plan_compare

    base = what_if(args, args.scenario)
    checked, plan = plan_compare(base, args.rules, args.seeds, args.root_seed)
    note_rules_kept(args.rules, plan.rules)
    check_draws(args.assumptions)
    warn_of_cost(checked, checked.loaded.scenario.turns,
                 len(plan.jobs) + draw_runs(args.assumptions, args.seeds, len(plan.rules)))
    out = args.out or compare_folder(checked, plan)
    args.interrupted_note = (f"; finished runs are kept in {out / COMPARE_STORE}/: the same "
                             "command resumes")
    with store_kept(args):
        batch = compare(base, args.rules, args.seeds, args.root_seed,
                        args.workers, out, progress=not args.quiet,
                        retry_failed=args.retry_failed, command=command(),
                        assumptions=args.assumptions)
    if not args.quiet:
        print(batch.table())
    print(f"{played(batch)}; wrote {batch.out_dir}/: {', '.join(batch.files)}")
    if batch.failures:
        print(f"warning: {len(batch.failures)} runs failed; see "
              f"{batch.out_dir}/failures.csv; the same command with --retry-failed reruns "
              "them", file=sys.stderr)
        return 1
    return 0


def note_rules_kept(given: str, kept: list[str]) -> None:
    """Say when rules given twice (the same rule and parameters, however written) were
    kept once, and that one rule compares with none."""
    from sim.batch import given_rules

    if len(kept) < len(given_rules(given)):
        print(f"note: --rules {given}: the same rule given twice is played once; comparing "
              f"{', '.join(kept)}", file=sys.stderr)
    if len(kept) == 1:
        print("note: one rule: its outcomes are written, with no differences between rules "
              "(give two or more to compare them)", file=sys.stderr)


def played(batch: Comparison) -> str:
    """What this call played and in what time, and what its folder's store held already;
    or that nothing needed running (the same command on a finished comparison)."""
    call, drawn = batch.manifest.latest, batch.manifest.assumptions
    store = f"{batch.out_dir}/{batch.manifest.store}"
    failed = len(batch.failures)
    if not call.ran and failed:  # the failed runs were skipped too: not retried
        return (f"nothing was run: {call.already_done - failed} runs were in {store} "
                f"already, and {failed} that failed before were not run again")
    if not call.ran:
        return f"nothing needed running: the {call.already_done} runs were in {store} already"
    return (f"{call.ran} runs in {call.seconds:.1f} s"
            + (f" ({drawn.runs} of them with drawn weights)" if drawn else "")
            + (f"; {call.already_done} were in {store} already" if call.already_done else ""))


def check_draws(assumptions: int) -> None:
    if assumptions == 1 or assumptions < 0:
        raise InputError.one("--assumptions", str(assumptions),
                             "0 (off) or at least 2 draws, to measure a spread")


def cmd_backtest(args: argparse.Namespace) -> int:
    """Exit 0, or 1 if some runs failed (left out of the scores)."""
    with engine_first():
        from sim.app import backtest
        from sim.request import check_seed_count

    check_seed_count(args.seeds)
    if args.workers is not None and args.workers < 1:
        raise InputError.one("--workers", str(args.workers), "must be at least 1")
    check_draws(args.assumptions)
    base = what_if(args, args.scenario)
    out = out_folder(args.out, create=False) if args.out else None
    done = backtest(args.scenario, args.record, args.seeds, args.root_seed, args.rule,
                    args.workers, out, progress=not args.quiet, command=command(),
                    assumptions=args.assumptions,
                    **base.model_dump(include={"parameters", "overrides", "governments",
                                               "levers", "population"}))
    if not args.quiet:
        print((done.out_dir / "backtest.md").read_text(encoding="utf-8"))
    print(f"{len(done.seeds)} runs scored against {len(done.record.entries)} entries; wrote "
          f"{done.out_dir}/: {', '.join(done.files)}")
    if done.failed:
        print(f"warning: {done.failed} runs failed", file=sys.stderr)
        return 1
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """Exit 0 when every run is done, 1 if some failed (the ledger has their tracebacks)."""
    if args.example:
        from scenarios.sweep import EXAMPLE

        print(EXAMPLE, end="")
        return 0
    with engine_first():
        from sim.app import check_sweep, run_sweep

    if not args.file:
        raise InputError.one("sweep", "FILE", "give a sweep file (ip4sim sweep --example "
                             "prints one)")
    if args.check:
        print(f"ok: {args.file}: {check_sweep(args.file)}")
        return 0
    if args.workers is not None and args.workers < 1:
        raise InputError.one("--workers", str(args.workers), "must be at least 1")
    out = args.out or Path("runs") / f"sweep-{Path(args.file).stem}"
    args.interrupted_note = (f"; finished runs are kept in {out}/: the same command "
                             "resumes")
    with store_kept(args):
        done = run_sweep(args.file, out, args.workers, args.dask,
                         retry_failed=args.retry_failed, progress=not args.quiet,
                         command=command())
    before = f"{done.skipped - done.not_retried} already done" + (
        f", {done.not_retried} failed before and not run again" if done.not_retried else "")
    print(f"{done.ran} runs in {done.seconds:.1f} s ({before}); dataset in {done.out}/ "
          f"(pandas.read_parquet). Next: ip4sim analyze {done.out}")
    if done.failed:
        print(f"warning: {done.failed} runs failed (tracebacks in {done.out}/_ledger.jsonl); "
              "rerun them with --retry-failed", file=sys.stderr)
        return 1
    return 0


@contextmanager
def store_kept(args: argparse.Namespace) -> Iterator[None]:
    """What a sweep or a comparison keeps when it stops, for ``main`` to say with the
    command that resumes. Ctrl-C, once its store says it stopped: a further Ctrl-C, which
    has nothing left to stop, is ignored (it would cut short Python's exit handlers: a
    traceback, or no exit code 130); ``main`` called with its arguments, not as the
    program, puts the handler back. A file that could not be written (a full disk): the
    runs the store keeps, or, when the store was not what failed, that it keeps them."""
    from sim.sweep import SweepInterrupted, SweepUnwritten  # imported by the command already

    try:
        yield
    except SweepInterrupted as stop:
        args.sigint_before = signal.signal(signal.SIGINT, signal.SIG_IGN)
        args.interrupted_note = f": {sweep_kept(stop)}"
        raise
    except SweepUnwritten as stop:
        args.kept_note = f"; {sweep_kept(stop)}"
        raise
    except OSError:
        args.kept_note = getattr(args, "interrupted_note", "")
        raise


def sweep_kept(stop: SweepInterrupted | SweepUnwritten) -> str:
    """What a stopped sweep kept, and the command that goes on with it."""
    failed = f" ({stop.failed} of them failed)" if stop.failed else ""
    again = f": {shlex.join(command())}" if command() else " (the same command)"
    return (f"{stop.done + stop.failed} of {stop.jobs} runs are done{failed} and kept in "
            f"{stop.out}/; to resume, run again{again}")


def cmd_analyze(args: argparse.Namespace) -> int:
    from sim.app import analyze

    done = analyze(args.folder, args.out, command())
    print(f"wrote {done.out}/: " + ", ".join(done.files))
    for note in done.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


# -- options into a run request ----------------------------------------------------------

def warn_of_cost(checked: CheckedRun, turns: int, runs: int = 1) -> None:
    """Before a large population runs, say what it will cost."""
    from sim.request import LARGE_POPULATION, population_cost

    citizens, memory, per_turn = population_cost(checked)
    if citizens >= LARGE_POPULATION:
        print(f"note: {citizens:,} citizens in the publics: about {memory / 2**30:.1f} GiB of "
              f"arrays and {per_turn:.1f} s a turn ({per_turn * turns * runs / 60:.1f} min "
              f"for {runs:,} run{'s' if runs > 1 else ''} of {turns} turns), as measured on a "
              "2-core machine", file=sys.stderr)


def run_request(args: argparse.Namespace) -> RunRequest:
    if args.replay is not None and args.scenario is None:
        return recorded_request(args.replay, run_options_given(args))
    return what_if(args, args.scenario or "ukraine_response").model_copy(update={
        "rule": args.rule, "seed": args.seed, "players": tuple(args.players)})


def run_options_given(args: argparse.Namespace) -> list[str]:
    """The options of ``run`` that say what to play, as given (not at their defaults)."""
    return [what for what, given in (
        ("a scenario", args.scenario is not None), ("--rule", args.rule != "caucus"),
        ("--seed", args.seed != 1), ("--set", args.sets), ("--param", args.params),
        ("--lever", args.levers), ("--population", args.population is not None),
        ("--player", args.players)) if given]


def recorded_request(events: Path, given: list[str]) -> RunRequest:
    """``--replay EVENTS`` with no scenario: the run its folder's manifest describes (the
    scenario file, rule, seed and every what-if it was played with)."""
    from sim.outputs import read_manifest
    from sim.runner import request_of

    if not (events.parent / "manifest.json").is_file():
        raise InputError.one("--replay", str(events), (
            "an events file without its run folder's manifest: name the scenario, rule and "
            "seed it was played with (ip4sim run SCENARIO --rule R --seed N --replay EVENTS)"))
    if given:
        raise InputError.one("--replay", str(events), (
            f"with no scenario, a replay plays the run its folder's manifest describes: "
            f"{', '.join(given)} would be ignored; name the scenario to give them"))
    return request_of(read_manifest(events.parent)).model_copy(update={"players": ()})


def what_if(args: argparse.Namespace, scenario: str) -> RunRequest:
    """``--set``, ``--param``, ``--lever`` and ``--population`` as a request's values;
    what they name and their ranges are checked by ``RunRequest.check``."""
    from sim.request import RunRequest

    overrides, governments = parse_sets(args.sets)
    return RunRequest(scenario=scenario, parameters=numbers(args.params, "--param"),
                      overrides=overrides, governments=governments,
                      levers=numbers(args.levers, "--lever"), population=args.population)


def parse_pairs(items: list[str], source: str) -> dict[str, str]:
    """``KEY=VALUE`` options; a key given twice is refused (which was meant?)."""
    pairs = {}
    for item in items:
        key, sep, value = (p.strip() for p in item.partition("="))
        if not sep or not key or not value:
            raise InputError.one(source, item, "expected KEY=VALUE")
        if key in pairs:
            raise InputError.one(source, key, f"given twice ({pairs[key]} and {value})")
        pairs[key] = value
    return pairs


def numbers(items: list[str], source: str) -> dict[str, float]:
    values, problems = {}, []
    for key, text in parse_pairs(items, source).items():
        number = parse_number(text)
        if number is None:
            problems.append(Problem(source, key, f"not a number: {text}"))
        else:
            values[key] = number
    if problems:
        raise InputError(problems)
    return values


def parse_sets(items: list[str]) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """``--set CODE.FIELD=VALUE`` into profile overrides and government choices."""
    from agents.catalog import load_catalog, same_value
    from agents.profiles import STATE_DIMENSIONS
    from scenarios.loader import unknown_actor

    overrides: dict[str, dict[str, float]] = {}
    governments: dict[str, str] = {}
    problems, meant = [], {}
    for key, value in parse_pairs(items, "--set").items():
        code, _, dim = key.partition(".")
        same = same_value(key)
        if same in meant:
            problems.append(Problem("--set", key, f"given twice ({meant[same]} names it too)"))
            continue
        meant[same] = key
        if not dim:
            problems.append(Problem("--set", key, unknown_actor(code, load_catalog())
                                    or "expected CODE.FIELD=VALUE"))
        elif dim == "government":
            governments[code] = value
        elif (number := parse_number(value)) is None:
            problems.append(Problem("--set", key, "not a number: " + value if dim in
                                    STATE_DIMENSIONS else "no such field"
                                    + did_you_mean(dim, [*STATE_DIMENSIONS, "government"])))
        else:
            overrides.setdefault(code, {})[dim] = number
    if problems:
        raise InputError(problems)
    return overrides, governments


if __name__ == "__main__":
    sys.exit(main())
