"""Play a run, write its folder, and pick a game up again: saved, resumed, taken back.

A run is reproducible from what its manifest records: the scenario file and its hash,
the rule, the parameters, the overrides, the levers, the seed and the package versions.
A game with people in it is also reproducible from its events: every answer a person
gave is in them (``Choice.by``, ``GroupStance.stated_by``), and every other answer is
the engine's, which the same seed gives again. So saving a game is writing its folder,
resuming it is replaying the people's answers until the first one not yet given, and
taking back a turn is replaying only the answers given before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from agents.catalog import Catalog
from agents.profiles import ADVERSARY_DIMENSIONS, REPORT, STATE_DIMENSIONS
from scenarios.errors import InputError
from sim.model import IP4Model
from sim.outputs import (
    ConsoleSettings,
    EventBase,
    GivenAnswer,
    InjectReleased,
    Pending,
    ProfileValue,
    Row,
    RunManifest,
    ScenarioRecord,
    Stage,
    differences,
    read_events,
    read_manifest,
    refuse_unless,
    write_run_folder,
)
from sim.protocol import (
    Answer,
    EngineSeat,
    FacilitatorSeat,
    HumanSeat,
    ScriptedSeat,
    Seat,
    white_cell_of,
)
from sim.provenance import git_commit, package_version, versions
from sim.request import CheckedRun, RunRequest


@dataclass
class RunResult:
    checked: CheckedRun
    events: list[EventBase]
    timeseries: list[Row]
    players: dict[str, str] = field(default_factory=dict)  # actor -> who chose, if not the engine
    turns_played: int = 0
    pending: Pending | None = None  # a game stopped in the middle: what its events do not hold
    console: ConsoleSettings | None = None  # a browser game's console settings

    @property
    def complete(self) -> bool:
        return self.turns_played >= self.checked.loaded.scenario.turns


def build(run: RunRequest | CheckedRun, seats: dict[str, Seat] | None = None,
          observe: Callable[[EventBase], None] | None = None, explained: bool = True
          ) -> IP4Model:
    """The model for a run, with its seats (actor -> seat; the engine's by default);
    ``explained``: see :class:`IP4Model`."""
    checked = run.check() if isinstance(run, RunRequest) else run
    model = IP4Model.from_checked(checked, seats, explained=explained)
    if observe is not None:
        model.observers.append(observe)
    return model


def play(run: RunRequest | CheckedRun, seats: dict[str, Seat] | None = None,
         observe: Callable[[EventBase], None] | None = None, explained: bool = True
         ) -> RunResult:
    """Play one run to the end; every seat must answer at once (the engine, a script)."""
    return result_of(build(run, seats, observe, explained).run())


def result_of(model: IP4Model, console: ConsoleSettings | None = None) -> RunResult:
    """The run so far; ``console``: a browser game's settings, kept in its manifest."""
    players = {code: seat.name for code, seat in model.seats.items()}
    players.update(dict.fromkeys(model.checked.request.players, "human"))
    players = dict(sorted(players.items()))  # one order however the seats were taken
    return RunResult(model.checked, list(model.events), list(model.timeseries), players,
                     model.turns_done, pending_of(model), console)


def pending_of(model: IP4Model) -> Pending | None:
    """What a game holds beyond its events, for a resume to pick up: the white cell's
    holds, its releases not yet fired and the answers given to the round under way
    (the engine's own are drawn again); None when there is none."""
    released = model.timeline.released
    pending = Pending(
        holds={actor: sorted(stages) for actor, stages in sorted(standing_holds(model).items())},
        releases=[r for turn in sorted(released) for r in released[turn]],
        answers=[GivenAnswer(turn=turn, decision=decision, actor=actor, stage=stage,
                             option=answer.option, by=answer.by)
                 for (turn, decision, actor, stage), answer in model.given.items()
                 if answer.by != EngineSeat.name])
    return None if pending == Pending() else pending


def standing_holds(model: IP4Model) -> dict[str, set[Stage]]:
    """The white cell's holds in force, by actor: those not put yet, and those whose
    request is open (a game played again from its record puts it again)."""
    holds = {actor: set(seat.held) for actor, s in model.seats.items()
             if (seat := white_cell_of(s)) is not None}
    people = set(model.checked.request.players)
    for request in model.waiting:
        if request.actor not in people:
            holds.setdefault(request.actor, set()).add(request.stage)
    return {actor: stages for actor, stages in holds.items() if stages}


# -- the run folder ---------------------------------------------------------------------

def recorded_profiles(catalog: Catalog) -> dict[str, dict[str, ProfileValue]]:
    """Every profile value of a catalogue as a run's manifest records it, with its source."""
    return {code: {dim: ProfileValue(value=v.value, source=v.source, evidence=v.describe(),
                                     cited=v.quote or v.citation or "")
                   for dim, v in p.values.items()}
            for code, p in catalog.profiles.items()}


def manifest(result: RunResult, command: list[str] | None = None) -> RunManifest:
    """What produced an output: inputs, versions, commit and the command line."""
    checked = result.checked
    scenario, request = checked.loaded.scenario, checked.request
    return RunManifest(
        status="complete" if result.complete else "in progress",
        ip4sim=package_version("ip4sim"),
        scenario=ScenarioRecord(id=scenario.id, title=scenario.title,
                                file=checked.loaded.location,
                                sha256=checked.loaded.sha256, turns=scenario.turns,
                                turn_represents=scenario.turn_represents),
        rule=checked.rule.spec(), seed=checked.seed, parameters=checked.params.model_dump(),
        overrides=request.overrides, governments=request.governments,
        levers=checked.levers.model_dump(), players=result.players,
        actors={code: p.name for code, p in checked.catalog.profiles.items()},
        profiles=recorded_profiles(checked.catalog),
        dimensions={**STATE_DIMENSIONS, **ADVERSARY_DIMENSIONS}, report=REPORT,
        turns_played=result.turns_played, pending=result.pending, console=result.console,
        versions=versions(), git_commit=git_commit(),
        command=command or [], created=datetime.now(UTC).isoformat(timespec="seconds"))


def write_run(result: RunResult, out: Path, command: list[str] | None = None) -> Path:
    return write_run_folder(out, result.events, result.timeseries, manifest(result, command))


def check_out_folder(out: Path, checked: CheckedRun, replaying: bool = False) -> None:
    """InputError, before anything is computed, for an ``--out`` folder that holds
    something a run would overwrite and lose: files that are not a run's, another run
    (another scenario file, rule, seed or what-if), or a game people played (unless this
    run replays it). The same engine run again writes the same bytes, so it may."""
    if refuse_unless(out, {"empty", "file", "run"}, "a run writes only into a new folder or "
                     "its own run's: choose another folder with --out (nothing in it was "
                     "touched)", "--out") != "run":
        return  # new, or a file the folder's creation refuses
    record = read_manifest(out)
    theirs = {"scenario file's content (sha256)": record.scenario.sha256, "rule": record.rule,
              "seed": record.seed, "parameters": record.parameters,
              "overrides": record.overrides, "governments": record.governments,
              "levers": record.levers}
    ours = dict(zip(theirs, (checked.loaded.sha256, checked.rule.spec(), checked.seed,
                             checked.params.model_dump(), checked.request.overrides,
                             checked.request.governments, checked.levers.model_dump()),
                    strict=True))
    people = sorted(code for code, by in record.players.items() if by != "engine")
    if theirs != ours:
        what = f"{record.scenario.id}, rule {record.rule}, seed {record.seed}" + (
            ", with what-ifs" if record.overrides or record.governments else "")
        raise InputError.one("--out", str(out), (
            f"holds another run ({what}), which differs in {differences(theirs, ours)}: "
            "choose another folder with --out (nothing in it was touched)"))
    if people and not replaying:
        go_on = f"go on with it: ip4sim run --resume {out}" if record.status == "in progress" \
            else f"rebuild it with --replay {out / 'events.jsonl'}"
        raise InputError.one("--out", str(out), (
            f"holds a game people played ({', '.join(people)}), {record.status}: choose "
            f"another folder with --out, or {go_on} (nothing was touched)"))


def request_of(record: RunManifest) -> RunRequest:
    """The request a run folder's manifest describes (every parameter and lever it ran
    with, so later changes to a scenario's defaults cannot shift it)."""
    return RunRequest(scenario=record.scenario.file, rule=record.rule, seed=record.seed,
                      parameters=record.parameters, overrides=record.overrides,
                      governments=record.governments, levers=record.levers,
                      players=tuple(c for c, by in record.players.items() if by == "human"))


def recorded(folder: Path) -> tuple[RunManifest, list[EventBase]]:
    """A run folder's manifest and events, or InputError naming what is wrong."""
    try:
        return read_manifest(folder), read_events(folder / "events.jsonl")
    except (OSError, ValueError) as err:
        raise InputError.one(str(folder), "", f"not a readable run folder: {err}") from None


def resume(folder: Path, observe: Callable[[EventBase], None] | None = None) -> IP4Model:
    """A saved game, played again to where it stopped, with what its manifest says its
    events do not hold yet (:class:`Pending`): the people's seats and the white cell's
    held requests then wait for their next answers."""
    record, events = recorded(folder)
    checked = request_of(record).check()
    if checked.loaded.sha256 != record.scenario.sha256:
        what = "scenario file's content (sha256)"
        raise InputError.one(str(folder), "scenario", (
            f"{record.scenario.file} changed since the game was saved: "
            f"{differences({what: record.scenario.sha256}, {what: checked.loaded.sha256})}"))
    under_way = max([record.turns_played, *(e.turn for e in events)])
    return replayed(checked, events, until_turn=under_way, observe=observe,
                    pending=record.pending)


def take_back(model: IP4Model, turn: int, holds: dict[str, set[Stage]] | None = None
              ) -> IP4Model:
    """The game as it stood at the start of ``turn``: a new model that replays only the
    answers given before it; the people's seats wait from there, and the white cell
    holds ``holds`` (actor -> stages) from there."""
    kept = Pending(holds={actor: sorted(stages) for actor, stages in (holds or {}).items()})
    return replayed(model.checked, model.events, until_turn=turn - 1, before_turn=turn,
                    pending=kept)


def replayed(checked: CheckedRun, events: list[EventBase], until_turn: int,
             before_turn: int | None = None,
             observe: Callable[[EventBase], None] | None = None,
             pending: Pending | None = None) -> IP4Model:
    """A game played again from its record to ``until_turn`` (a turn under way, as far as
    its seats had answered): the people's and the facilitator's answers and released
    injects (before ``before_turn``, if given) replayed, each answer keeping who gave it;
    the engine's played again. ``pending``: what the record does not hold yet, given and
    released again, and the white cell's holds, which apply past the record's end."""
    pending = pending or Pending()
    model = build(checked, replay_seats(checked, events, before_turn, pending), observe)
    release_recorded(model, [*events, *pending.releases], before_turn)
    model.advance(until_turn=until_turn)
    return model


def replay_seats(checked: CheckedRun, events: list[EventBase],
                 before_turn: int | None = None, pending: Pending | None = None
                 ) -> dict[str, Seat]:
    """The seats that give a record's answers again (and ``pending``'s answers, given to a
    round the record does not hold yet): one for each actor someone other than the
    engine answered for (named as the record names them: a person, the facilitator) or
    the white cell holds; past the record, the request's people wait, the white cell
    holds what ``pending`` says it held and the engine answers the rest."""
    pending = pending or Pending()
    people = set(checked.request.players)
    script = ScriptedSeat.from_events(events, before_turn=before_turn).script
    script.update({(a.turn, a.decision, a.actor, a.stage): Answer(a.option, a.by)
                   for a in pending.answers})
    who = dict.fromkeys(pending.holds, FacilitatorSeat.name)
    for (_, _, actor, _), answer in script.items():
        if answer.by != EngineSeat.name and who.get(actor) != "human":  # a person's seat
            who[actor] = "human" if actor in people else answer.by
    return {actor: ScriptedSeat(script, keep_by=True,  # named as the manifest's players
                                name="human" if actor in people else who[actor],
                                then=HumanSeat() if actor in people else
                                FacilitatorSeat(held=pending.holds.get(actor, ())))
            for actor in people | set(who)}


def release_recorded(model: IP4Model, events: list[EventBase],
                     before_turn: int | None = None) -> None:
    """The injects the facilitator released in a recorded game, released again into the
    same turns (those before ``before_turn``, if given)."""
    for e in events:
        if isinstance(e, InjectReleased) and (before_turn is None or e.turn < before_turn):
            model.timeline.release(e.inject, e.turn, e.by)
