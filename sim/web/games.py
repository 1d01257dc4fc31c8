"""The games a server holds: one model per game, seats with join codes, the white cell.

Pages (``sim/web/pages.py``) hold no game state of their own: every browser looks its
game up here by id, so two games on one server never share a model, and each change
to a game (an answer, an override, an inject, a turn) bumps its ``version`` and wakes
the pages waiting on it. A game plays within a turn as far as the seats have answered
and stops between turns for the facilitator to go on; everything it records goes to its
run folder through the same writer as a terminal run (``sim.app.report``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from scenarios.errors import InputError
from scenarios.guarded import read_user_bytes
from scenarios.loader import LoadedScenario, builtin_names, load_scenario, parse_scenario
from scenarios.schema import Inject
from sim.app import line_outcomes, report
from sim.model import IP4Model
from sim.outputs import (
    BranchOrigin,
    Choice,
    ConsoleSettings,
    GroupStance,
    InjectReleased,
    RunManifest,
    TakeBack,
    UndoneChoice,
    read_manifest,
    refuse_unless,
    remove_debrief,
    write_text,
)
from sim.protocol import AnswerError, FacilitatorSeat, HumanSeat, Request, Stage, white_cell_of
from sim.request import RunRequest
from sim.runner import (
    build,
    pending_of,
    result_of,
    resume,
    standing_holds,
    take_back,
    write_run,
)
from sim.web.figures import Figures
from sim.writing import said

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TIMED_OUT = "engine (time limit)"  # who answered a seat whose time ran out, as recorded


class SeatRefused(PermissionError):
    """A seat asked for without its join code, or for an actor that is not its own."""


class Refused(ValueError):
    """What a game will not do now, in words (it is paused or over, an option is not open
    yet, the question was answered already): a page shows it as a note, not a traceback."""


# Everything a game refuses a click with: the pages catch these and only these.
REFUSALS = (Refused, SeatRefused, InputError)
SERVED = ["ip4sim", "serve"]  # the command a game's manifest records


@dataclass(frozen=True)
class Given:
    """An answer a seat gave: an intention stated or a choice, and, where the group's
    binding position overrode the choice, the option it became (``bound_to``)."""

    turn: int
    actor: str
    decision: str
    option: str
    by: str
    stage: Stage
    bound_to: str = ""


@dataclass
class Game:
    """One exercise: its model, the people's seats and their join codes."""

    id: str
    model: IP4Model
    codes: dict[str, str]  # actor played by people -> its join code
    out: Path  # the run folder
    show_engine: bool = True  # seats see the engine's reading
    version: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)
    clock: Callable[[], float] = time.monotonic  # injectable: tests move time by hand
    time_limit: float | None = None  # seconds a seat has for each answer; None: no limit
    paused: bool = False
    opened: dict = field(default_factory=dict)  # open request's key -> clock when asked
    paused_at: float | None = None
    branched: BranchOrigin | None = None  # the line it branched from, kept in its manifest
    taken_back: list[TakeBack] = field(default_factory=list)  # kept in its manifest too
    line: int = 0  # how many times it was taken back: a new line of play each time
    unsaved: str = ""  # why the last save failed ("" once saved)
    said: str = ""  # the last change, in words, for the console (who answered, what it did)
    _saved: tuple = ()  # what the folder holds: the line of play, events, turns, ... (save)

    @property
    def people(self) -> list[str]:
        return list(self.codes)

    @property
    def turn(self) -> int:
        """The turn under way, or the last one played."""
        return self.model.timeline.turn

    @property
    def figure_key(self) -> tuple[str, int, int]:
        """What the summary figure depends on: the game, its line of play, turns done."""
        return self.id, self.line, self.model.turns_done

    def bump(self, said: str = "") -> None:
        """The game changed (``said``: how, in words): every page watching it redraws, and
        what was played is saved."""
        with self.changed:
            self.version += 1
            self.said = said or self.said
            self.changed.notify_all()
            self.save()

    @property
    def console(self) -> ConsoleSettings:
        """The console's settings for this game, as its manifest keeps them."""
        return ConsoleSettings(time_limit=self.time_limit, show_engine=self.show_engine,
                               branched=self.branched, taken_back=self.taken_back)

    @property
    def origin(self) -> Path | None:
        """The run folder of the line this one branched from (beside its own)."""
        return self.out.with_name(self.branched.folder) if self.branched else None

    @property
    def not_carried(self) -> list[InjectReleased]:
        """The releases on the line it branched from that this line does not carry (a
        release is part of the history it left)."""
        return list(self.branched.not_carried) if self.branched else []

    def save(self) -> None:
        """The game so far in its run folder (events, time series, and a manifest that
        says "in progress" until its last turn, with what the events do not hold yet: the
        white cell's holds and releases not yet fired, the answers given to a round still
        open, the console's settings), as a terminal game is kept: a server stopped in
        the middle of a class loses no turn played and no answer given, and the console
        (:meth:`Games.reopen`) or `ip4sim run --resume` goes on from the folder. Written
        only when any of that changed (20-30 ms on a long game); a folder that cannot be
        written is said on the console (``unsaved``), and the game goes on."""
        with self.changed:
            mark = self.saved_mark()
            if mark == self._saved:
                return
            try:
                write_run(result_of(self.model, self.console), self.out, SERVED)
            except OSError as err:
                self.unsaved = f"the game could not be saved: {said(err)}"
                return
            self._saved, self.unsaved = mark, ""

    def saved_mark(self) -> tuple:
        """What a save writes, as far as it can change: the line of play, its record so
        far, what the record does not hold yet, the console's settings."""
        return (self.line, len(self.model.events), self.model.turns_done,
                pending_of(self.model), self.console)

    def wait_change(self, seen: int, timeout: float) -> int:
        """The game's version once it differs from ``seen`` (or after ``timeout``)."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout)
            return self.version

    # -- seats ----------------------------------------------------------------------------

    def waiting_for(self, actor: str) -> list[Request]:
        return [r for r in self.model.waiting if r.actor == actor]

    def answer(self, actor: str, option: str, stage: str, by: str = "human") -> None:
        """An open request answered, then the turn played on as far as it can go."""
        with self.changed:
            self._going()
            try:
                self.model.answer(actor, option, by=by, stage=stage)
            except (AnswerError, LookupError) as err:  # an option not open yet, a stale page
                raise Refused(str(err)) from None
            if not self.model.waiting:
                self.model.advance(until_turn=self.turn)
            self._stamp()
        self.bump(answered(actor, stage, by))

    # -- the clock: time limits and pause -------------------------------------------------

    @property
    def stopped(self) -> str:
        """Why the game takes no answer and plays no turn now; "" while it goes on."""
        if self.model.finished:
            return "the game is over"
        if self.paused:
            return "the game is paused: the facilitator plays on first"
        return ""

    @property
    def next_refused(self) -> str:
        """Why the next turn cannot be played now; "" when it can."""
        waiting = sorted({r.actor for r in self.model.waiting})
        return self.stopped or (f"the turn waits for {', '.join(waiting)}" if waiting else "")

    def _going(self) -> None:
        if self.stopped:
            raise Refused(self.stopped)

    def _stamp(self) -> None:
        """Note when each open request was first asked; forget the answered ones."""
        now = self.clock()
        keys = {r.key for r in self.model.waiting}
        self.opened = {k: self.opened.get(k, now) for k in keys}

    def set_time_limit(self, seconds: float | None) -> None:
        """Each seat's time for an answer from now on (the requests open now included,
        counted from when they were asked); None lifts the limit."""
        if seconds is not None and not seconds > 0:
            raise Refused(f"a time limit is a number of seconds above 0, not {seconds}")
        with self.changed:
            self.time_limit = seconds
            self._stamp()
        self.bump(f"time limit {seconds:g} s" if seconds else "no time limit")

    def time_left(self, request: Request) -> float | None:
        """Seconds the seat has left for ``request`` (frozen while paused), or None."""
        if self.time_limit is None or request.actor not in self.codes:
            return None
        now = self.paused_at if self.paused else self.clock()
        return max(0.0, self.opened.get(request.key, now) + self.time_limit - now)

    def tick(self) -> list[Request]:
        """The engine answers, recorded as ``TIMED_OUT``, every seat's request whose time
        has run out; returns those requests. The pages call it as they wait."""
        with self.changed:
            if self.paused or self.time_limit is None:
                return []
            self._stamp()
            due = [r for r in self.model.waiting if self.time_left(r) == 0.0]
            for request in due:
                if request.key not in {r.key for r in self.model.waiting}:
                    continue  # already answered as the turn went on
                self.answer(request.actor, request.engine, request.stage, by=TIMED_OUT)
            return due

    def pause(self) -> None:
        """Nothing advances and no answer is taken until :meth:`play_on`; the seats'
        clocks stop."""
        with self.changed:
            if not self.paused:
                self.paused, self.paused_at = True, self.clock()
        self.bump("paused")

    def play_on(self) -> None:
        """Go on after a pause; each open request keeps the time it had left."""
        with self.changed:
            if self.paused:
                stopped = self.clock() - self.paused_at
                self.opened = {k: t + stopped for k, t in self.opened.items()}
                self.paused, self.paused_at = False, None
        self.bump("playing on")

    def engine_answers(self, actor: str) -> None:
        """The white cell lets the engine answer an actor's open requests."""
        self._going()
        requests = self.waiting_for(actor)
        if not requests:  # answered since the page was drawn
            raise Refused(f"{actor} has no question open")
        for request in requests:
            self.answer(actor, request.engine, request.stage, by="engine")

    # -- the white cell -------------------------------------------------------------------

    def hold(self, actor: str, stage: str = "choice") -> None:
        """The actor's next request of ``stage`` waits for the facilitator, who then
        answers it with :meth:`answer` ``by="facilitator"`` (an override of the engine)."""
        if actor in self.codes:
            raise Refused(f"{actor} is played by people; let the engine answer instead")
        if actor not in self.model.catalog.profiles or actor in ("CHN", "RUS"):
            raise Refused(f"{actor} is not a government of this game")
        held_seat(self.model, actor).hold(stage)
        self.bump(f"{actor}'s next {stage} held for the facilitator")

    def override(self, actor: str, option: str) -> None:
        """The facilitator's answer to a held request, in place of the engine's."""
        if actor in self.codes:
            raise Refused(f"{actor} is played by people")
        self.answer(actor, option, "choice", by="facilitator")

    @property
    def holding(self) -> bool:
        """Whether any of the white cell's holds is in force."""
        return bool(standing_holds(self.model))

    def held_requests(self) -> list[Request]:
        return [r for r in self.model.waiting if r.actor not in self.codes]

    def contingencies(self) -> list[Inject]:
        """The scenario's contingency injects not fired or released yet."""
        timeline = self.model.timeline
        pending = {r.inject.id for rs in timeline.released.values() for r in rs}
        return [i for i in self.model.exercise.injects
                if i.when is not None and i.id not in timeline.fired | pending]

    def release(self, inject: Inject | str) -> int:
        """Release a contingency inject (by id) or one written on the spot into the next
        turn; InputError names what does not fit."""
        if self.release_refused:
            raise InputError.one("inject", "turn", self.release_refused)
        if isinstance(inject, str):
            inject = next((i for i in self.contingencies() if i.id == inject), None) or \
                _no_such_inject(inject, self.contingencies())
        if not inject.title.strip():  # the report and the room would read "released **"
            raise InputError.one("inject", "title", "a title is required: it is what the room "
                                 "and the report read")
        with self.changed:
            turn = self.model.timeline.release(inject)
        self.bump(f"released *{inject.title}* into turn {turn}")
        return turn

    @property
    def release_refused(self) -> str:
        """Why no inject can be released now; "" while a turn is left to release one into."""
        last = self.model.exercise.turns
        if self.model.timeline.turn < last:
            return ""
        state = "the game is over" if self.model.finished else f"turn {last} is the last"
        return f"{state}: no turn is left to release an inject into"

    def next_turn(self) -> None:
        """Play the next turn as far as the seats let it (the facilitator goes on)."""
        with self.changed:
            if self.next_refused:
                raise Refused(self.next_refused)
            self.model.advance(until_turn=self.model.turns_done + 1)
            self._stamp()
        self.bump(f"turn {self.turn} began")

    def take_back(self, turn: int) -> list[InjectReleased]:
        """The game as it stood at the start of ``turn``; it plays on from there. The
        white cell's holds stand (see :meth:`taken_back_model`); its releases into ``turn``
        or later are undone with the rest of that history: returned, for the console to
        say. The take-back is kept (``taken_back``, for the debrief) once it is made, and a
        debrief written before it, of the line it undid, is removed from the folder."""
        with self.changed:
            undone = self.releases_from(turn)
            record = TakeBack(at_turn=self.turn, to_turn=turn,
                              releases=[r.inject.title for r in undone],
                              choices=self.people_answers_from(turn))
            self.model = self.taken_back_model(turn)  # refuses a turn it cannot go back to
            self.taken_back.append(record)
            self.line += 1
            self._stamp()
            remove_debrief(self.out)
        self.bump(f"taken back to the start of turn {turn}")
        return undone

    def answers(self, first: int, last: int | None = None, actor: str | None = None
                ) -> list[Given]:
        """The answers given in turns ``first`` to ``last`` (to the end if None), of one
        ``actor`` or all, in the order given: the intentions stated and the choices the
        record holds, then the answers to the round still open, which it does not yet."""
        def wanted(turn: int, who: str) -> bool:
            return turn >= first and (last is None or turn <= last) and actor in (None, who)

        given = []
        for e in self.model.events:
            if isinstance(e, GroupStance):
                given += [Given(e.turn, who, e.decision, option, e.stated_by.get(who, "engine"),
                                "intention") for who, option in e.intentions.items()
                          if wanted(e.turn, who)]
            elif isinstance(e, Choice) and wanted(e.turn, e.actor):
                given.append(Given(e.turn, e.actor, e.decision, e.bound_from or e.option,
                                   e.by, "choice", e.option if e.bound_from else ""))
        given += [Given(turn, who, decision, answer.option, answer.by, stage)
                  for (turn, decision, who, stage), answer in self.model.given.items()
                  if wanted(turn, who)]
        return given

    def people_answers_from(self, turn: int) -> list[UndoneChoice]:
        """What people (a team, or the white cell) answered in ``turn`` or later
        (:meth:`answers`), in the room's words."""
        exercise = self.model.exercise
        return [UndoneChoice(turn=g.turn, actor=g.actor, by=g.by, stage=g.stage,
                             question=exercise.decision(g.decision).question,
                             option=exercise.decision(g.decision).option(
                                 g.bound_to or g.option).label)
                for g in self.answers(turn) if g.by in ("human", FacilitatorSeat.name)]

    def taken_back_model(self, turn: int) -> IP4Model:
        """A new model at the start of ``turn``, with the white cell's holds: a hold is a
        standing setting, so those not yet put stay, and so do those whose request the
        take-back puts again (open, or answered by the facilitator, at ``turn`` or later)."""
        if not 1 <= turn <= self.model.turns_done + 1:
            raise Refused(f"turn {turn} has not been played yet")
        return take_back(self.model, turn, self.holds_from(turn))

    def holds_from(self, turn: int) -> dict[str, set[Stage]]:
        """The holds that apply again once the game is taken back to ``turn``, by actor:
        those in force, and those the facilitator answered at ``turn`` or later (in the
        record, or given to the round under way, which is always at ``turn`` or later)."""
        holds = standing_holds(self.model)
        again = [(e.actor, "choice") for e in self.model.events if isinstance(e, Choice)
                 and e.by.startswith(FacilitatorSeat.name) and e.turn >= turn]
        again += [(actor, stage) for (_, _, actor, stage), answer in self.model.given.items()
                  if answer.by == FacilitatorSeat.name]
        for actor, stage in again:
            holds.setdefault(actor, set()).add(stage)
        return holds

    def releases_from(self, turn: int) -> list[InjectReleased]:
        """The white cell's releases into ``turn`` or later: fired, or waiting to fire
        (always after the turn under way, so after any turn it can be taken back to)."""
        fired = [e for e in self.model.events if isinstance(e, InjectReleased)
                 and e.turn >= turn]
        return fired + [r for rs in self.model.timeline.released.values() for r in rs]

    def outcomes(self) -> dict[str, float]:
        """This line of play's run-wide outcomes so far."""
        with self.changed:
            return line_outcomes(list(self.model.events), list(self.model.timeseries))

    def write_report(self) -> Path:
        """The run folder with its after-action report: report.md and a printable
        report.html beside it. Refused, naming the file and the reason, where the folder
        cannot be written (a full disk): the game goes on."""
        try:
            with self.changed:
                report(result_of(self.model, self.console), self.out, SERVED)
            markdown_text = (self.out / "report.md").read_text(encoding="utf-8")
            write_text(self.out / "report.html",
                       printable(markdown_text, self.model.exercise.title))
        except OSError as err:
            raise Refused(f"no report: {said(err)}") from err
        return self.out


def answered(actor: str, stage: str, by: str) -> str:
    """Who answered a seat's question, in words, for the console."""
    if by == "human":
        return f"{actor} answered its {stage}"
    if by == TIMED_OUT:
        return f"{actor}'s time ran out: the engine answered its {stage}"
    return f"the {by} answered {actor}'s {stage}"


def held_seat(model: IP4Model, actor: str) -> FacilitatorSeat:
    """The white cell's seat behind ``actor``, put in front of the one it had if need be."""
    seat = white_cell_of(model.seats.get(actor))
    if seat is None:
        seat = model.seats[actor] = FacilitatorSeat(behind=model.seats.get(actor))
    return seat


def join_codes(people: tuple[str, ...]) -> dict[str, str]:
    """A new six-digit join code for each seat played by people."""
    return {code: f"{secrets.randbelow(10**6):06d}" for code in people}


@dataclass(frozen=True)
class SavedGame:
    """A game saved in a run folder, as the console lists it to open again."""

    folder: Path
    record: RunManifest


def listed(folder: Path) -> SavedGame | None:
    """The game saved in ``folder``, or None when it holds none this version can open."""
    try:
        return SavedGame(folder, saved_game(folder))
    except InputError:  # another output, a run the engine played alone, a broken manifest
        return None


def is_game(record: RunManifest) -> bool:
    """Whether a run folder holds a game: played by people or the white cell, or in the
    browser (its console's settings; a game resumed at the terminal keeps them, though its
    command is the terminal's now)."""
    return bool({"human", FacilitatorSeat.name} & set(record.players.values())) \
        or record.console is not None or record.command == SERVED


def saved_game(folder: Path) -> RunManifest:
    """The manifest of the game saved in ``folder``; InputError naming what the folder
    holds when it is not a game."""
    refuse_unless(folder, {"run"}, "not a saved game: nothing to open")
    record = read_manifest(folder)
    if not is_game(record):
        raise InputError.one(str(folder), "", (
            "holds a run the engine played alone (no seat played by people, not played in "
            f"the browser): nothing to pick up; `ip4sim run --replay {folder / 'events.jsonl'}` "
            "plays it again"))
    return record


def _no_such_inject(name: str, available: list[Inject]) -> Inject:
    names = ", ".join(i.id for i in available) or "none left"
    raise InputError.one("inject", "id", f"no contingency inject {name!r} to release ({names})")


def printable(markdown_text: str, title: str) -> str:
    """The report as a page that prints cleanly (figures are files beside it)."""
    import markdown  # solara's own dependency: installed with the web extra

    body = markdown.markdown(markdown_text, extensions=["tables"])
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
            "img{max-width:100%}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:2px 6px}"
            "@media print{a{color:black}}</style></head>"
            f"<body>{body}</body></html>")


class Games:
    """Every game a server holds, by id; ``host`` is where the server listens: beyond
    this machine, every seat needs its join code."""

    def __init__(self, host: str = "127.0.0.1", folders: tuple[Path, ...] = (),
                 runs: Path = Path("runs"), clock: Callable[[], float] = time.monotonic):
        self.host = host
        self.clock = clock
        self.folders = tuple(Path(f) for f in folders)
        self.runs = Path(runs)
        self.games: dict[str, Game] = {}
        self.lock = threading.Lock()
        self.uploaded: list[str] = []  # scenario files uploaded from the console, as kept
        self.figures = Figures()  # the projectors' figures, drawn off the pages' redraw
        # Beyond this machine the console, too, needs a key: `ip4sim serve` prints its address.
        self.console_key = secrets.token_urlsafe(8) if self.codes_required else None

    @property
    def codes_required(self) -> bool:
        return self.host not in LOCAL_HOSTS

    def console_allowed(self, key: str | None) -> bool:
        return self.console_key is None or secrets.compare_digest(key or "", self.console_key)

    def scenarios(self) -> list[str]:
        """What the facilitator may open: the built-in library, the named folders and the
        files uploaded to this server."""
        files = [str(p) for folder in self.folders for p in sorted(folder.glob("*.y*ml"))]
        return [*builtin_names(), *files, *self.uploaded]

    def upload(self, name: str, stream: BinaryIO, size: int | None = None) -> LoadedScenario:
        """A scenario file uploaded from the console, read within MAX_FILE_BYTES (refused
        before reading when ``size`` says it is larger) and checked by the validator
        (InputError naming the file, the field and the line); once valid it is kept as
        ``RUNS/uploads/NAME-DIGEST.yaml``, so that its games' manifests name a file that
        replays, and the facilitator may open it."""
        source = Path(name).name or "upload"  # the browser's name for it, without folders
        raw, text = read_user_bytes(stream, source, size)
        parse_scenario(text, source)
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(source).stem)[:40] or "upload"
        path = self.runs / "uploads" / f"{stem}-{hashlib.sha256(raw).hexdigest()[:12]}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        with self.lock:
            if str(path) not in self.uploaded:
                self.uploaded.append(str(path))
        return load_scenario(str(path))

    def start(self, scenario: str, rule: str = "caucus", seed: int = 1,
              people: tuple[str, ...] = (), show_engine: bool = True,
              out: Path | None = None, time_limit: float | None = None) -> Game:
        """A new game; InputError (from the one input layer) on bad input."""
        if scenario not in self.scenarios():
            raise InputError.one("scenario", scenario, "not in the built-in library nor in "
                                 "the scenario folders this server was given")
        checked = RunRequest(scenario=scenario, rule=rule, seed=seed,
                             players=tuple(people)).check(load_scenario(scenario))
        game_id = secrets.token_hex(4)
        model = build(checked, {code: HumanSeat() for code in checked.request.players})
        out = out or self.runs / f"web-{checked.loaded.scenario.id}-{game_id}"
        game = Game(game_id, model, join_codes(checked.request.players), Path(out),
                    show_engine, clock=self.clock)
        model.advance(until_turn=1)
        game.set_time_limit(time_limit)  # bumps, and so saves the first turn
        game.said = "started"
        with self.lock:
            self.games[game_id] = game
        return game

    def reopen(self, folder: Path) -> Game:
        """The game saved in a run folder, open on this server again (the one open already,
        if it is): the same scenario, rule, seed and record, standing where it stopped,
        with the white cell's holds and releases not yet fired and the console's settings
        as its manifest keeps them; the seats its manifest names as played by people each
        get a new join code (codes are never written to the folder, an output others may
        read). It saves into the same folder. A game in progress opens paused: the seats
        need their new codes before their clocks run. InputError names a folder that holds
        no game (another kind of output, a run the engine played alone) or whose scenario
        file changed since."""
        folder = Path(folder)
        with self.lock:  # two clicks on one folder open one game
            opened = self.open_at(folder)
            if opened is None:
                opened = self.game_from(folder, secrets.token_hex(4))
                self.games[opened.id] = opened
                self.share_codes(opened)
        return opened

    def share_codes(self, game: Game) -> None:
        """A line reopened beside another line of its game takes that line's join codes: a
        team keeps one code for every line of its game, as branching gave them."""
        mate = next((g for g in self.lines(game.id) if g is not game), None)
        if mate is not None:
            game.codes = {actor: mate.codes.get(actor, code)
                          for actor, code in game.codes.items()}

    def game_from(self, folder: Path, game_id: str) -> Game:
        """A game standing where the one saved in ``folder`` stopped (see :meth:`reopen`)."""
        record = saved_game(folder)
        model = resume(folder)
        console = record.console or ConsoleSettings()
        game = Game(game_id, model, join_codes(model.checked.request.players), folder,
                    console.show_engine, clock=self.clock, time_limit=console.time_limit,
                    paused=not model.finished, branched=console.branched,
                    taken_back=list(console.taken_back))
        game.paused_at = self.clock() if game.paused else None
        game.said = f"opened again from `{folder.name}`"
        game._stamp()
        game._saved = game.saved_mark()  # the folder holds it: opening it rewrites nothing
        return game

    def saved(self) -> list[SavedGame]:
        """The games saved in the folders of this server's runs folder and not open on it:
        in progress first, then finished, the latest saved first in each."""
        with self.lock:
            open_here = {g.out.resolve() for g in self.games.values()}
        folders = sorted(self.runs.iterdir()) if self.runs.is_dir() else []
        found = [game for folder in folders if folder.resolve() not in open_here
                 and (game := listed(folder)) is not None]
        found.sort(key=lambda s: s.record.created, reverse=True)
        return sorted(found, key=lambda s: s.record.status != "in progress")

    def get(self, game_id: str) -> Game:
        try:
            return self.games[game_id]
        except KeyError:
            raise LookupError(f"no game {game_id!r} on this server") from None

    def branch(self, game_id: str, turn: int) -> Game:
        """A second line of play from the start of ``turn``: a new game that shares the
        record of ``game_id`` up to that turn (its seats and join codes too) and plays on
        in a run folder of its own; the original is left as it stands."""
        game = self.get(game_id)
        with game.changed:
            model = game.taken_back_model(turn)
            left = game.releases_from(turn)
        branch_id = secrets.token_hex(4)
        branch = Game(branch_id, model, dict(game.codes), game.out.with_name(
            f"{game.out.name}-branch-{branch_id}"), game.show_engine, clock=self.clock,
                      branched=BranchOrigin(folder=game.out.name, turn=turn, not_carried=left))
        branch.set_time_limit(game.time_limit)
        branch.said = f"branched from `{game.id}` at the start of turn {turn}"
        with self.lock:
            self.games[branch_id] = branch
        # its pages list the new line (the seats find their seat in it)
        game.bump(f"branched at the start of turn {turn} as `{branch_id}`")
        return branch

    def lines(self, game_id: str) -> list[Game]:
        """Every line of play of a game's family open on this server (the game it first
        branched from and all lines branched from that, and from those), in the order
        opened; lines are told by their folders, so a family reopened after a restart is
        one family again, whichever line was opened first."""
        root = self.root_of(self.get(game_id))
        return [g for g in list(self.games.values()) if self.root_of(g) is root]

    def root_of(self, game: Game) -> Game:
        """The first line of a game's family that is open here (a manifest edited by hand
        into a loop of origins stops where the loop closes)."""
        seen = {id(game)}
        while (parent := self.open_at(game.origin)) is not None and id(parent) not in seen:
            seen.add(id(parent))
            game = parent
        return game

    def open_at(self, folder: Path | None) -> Game | None:
        """The game open on this server that saves into ``folder``, if any."""
        if folder is None:
            return None
        return next((g for g in self.games.values() if g.out.resolve() == folder.resolve()),
                    None)

    def origin_name(self, game: Game) -> str:
        """The line a game branched from, as the console names it: its id while it is open
        here, else its folder's name ("" for a game that did not branch)."""
        if game.origin is None:
            return ""
        parent = self.open_at(game.origin)
        return f"`{parent.id}`" if parent is not None else f"the saved game `{game.origin.name}`"

    def seat(self, game_id: str, actor: str, code: str | None) -> SeatView:
        """A team's seat; refused without the actor's join code when the server listens
        beyond this machine, and for an actor people do not play."""
        game = self.get(game_id)
        if actor not in game.codes:
            raise SeatRefused(f"{actor} is not played by people in this game")
        if self.codes_required and not secrets.compare_digest(code or "", game.codes[actor]):
            raise SeatRefused(f"the seat for {actor} needs its join code (the console shows it)")
        return SeatView(game, actor)


@dataclass(frozen=True)
class SeatView:
    """What one team may see and do: its own prompts, its own answers."""

    game: Game
    actor: str

    def prompts(self) -> list[Request]:
        return self.game.waiting_for(self.actor)

    def answer(self, request: Request, option: str) -> None:
        if request.actor != self.actor:
            raise SeatRefused(f"the seat for {self.actor} cannot answer for {request.actor}")
        self.game.answer(self.actor, option, request.stage)
