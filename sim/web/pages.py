"""The pages: the facilitator's console (/), a seat for each team (/seat/JPN) and the
projector view (/projector), as solara components on the games of ``sim/web/games.py``.

A page keeps no game of its own: it finds its game by the id in its address
(``?game=ID``: a seat and the projector take the latest game when there is none, the
console lists the games to open and puts the id of the one it opens in its address) and
redraws when the game's version changes, so every browser on one game sees the same
state and no two games mix. What a game refuses is a note on the page (``use_attempt``),
never a traceback. Figures are drawn on ``matplotlib.figure.Figure`` off the redraw path
(``sim/web/figures.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import solara
from solara.components.file_drop import FileInfo

from agents.catalog import IP4
from scenarios.errors import InputError
from scenarios.guarded import MAX_FILE_BYTES
from scenarios.loader import load_scenario
from scenarios.schema import Inject
from sim.app import (
    ROOM_NOTE,
    allies_line,
    coercion_line,
    council_line,
    likely,
    not_yet_note,
    outcome_label,
)
from sim.outputs import (
    TERMS,
    Choice,
    Coercion,
    CouncilVote,
    DecisionOpened,
    GroupStance,
    InjectFired,
    InjectReleased,
    JointPosition,
    PublicOpinion,
    because,
)
from sim.protocol import Request
from sim.rules import REGISTRY as REGISTRIES
from sim.rules import parse_rule, rule_names
from sim.web.games import REFUSALS, Game, Games, SavedGame, SeatRefused, SeatView

REGISTRY = Games()  # `ip4sim serve` configures it (host, scenario folders) before serving
# A button's label wraps within its card (a contingency's title is long), and a select's
# long items (a rule's summary) wrap too.
CONSOLE_CSS = """
.ip4-releases {flex-wrap: wrap; margin-bottom: 8px}
.ip4-releases .v-btn {height: auto !important; min-height: 36px; max-width: 100%;
  white-space: normal; text-transform: none; text-align: left; padding: 6px 12px}
.ip4-releases .v-btn__content {flex: 1 1 auto; white-space: normal}
.v-menu__content .v-list-item__title {white-space: normal}
"""
# Large type for a room (solara's markdown is 14px and at most 1024px wide, like the
# console's), the turn's account beside the figure: on a 1600x900 projector both show
# without scrolling; a long turn's account scrolls while the figure stays in view, no
# taller than the screen.
PROJECTOR_CSS = """
.ip4-projector .solara-markdown {max-width: none; font-size: 22px; line-height: 1.45}
.ip4-projector .v-expansion-panel-header {font-size: 22px}
.ip4-projector h1 {font-size: 34px; margin: 0 0 8px}
.ip4-projector-main {display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr);
  gap: 28px; align-items: start; width: 100%}
.ip4-projector-figure {position: sticky; top: 0}
.ip4-projector-figure img {width: 100%; max-height: calc(100vh - 140px);
  object-fit: contain; object-position: left top}
.ip4-projector .ip4-figure-caption .solara-markdown {font-size: 18px; line-height: 1.3}
"""


def configure(games: Games) -> None:
    global REGISTRY
    REGISTRY = games


def query() -> dict[str, str]:
    router = solara.use_router()
    return {k: v[0] for k, v in parse_qs(router.search or "").items()}


def find_game(game_id: str | None) -> Game | None:
    if game_id:
        return REGISTRY.games.get(game_id)
    return next(reversed(REGISTRY.games.values()), None)


def use_version(game: Game | None) -> int | None:
    """Redraw this page whenever its game changes (an answer in another browser): a
    thread waits on the game and yields each new version, and solara redraws on each.
    Returns the version, which a page passes to the parts it draws: solara redraws a
    child only when its arguments change."""

    def watch(cancel):
        seen = -1
        while not cancel.is_set():
            game.tick()  # a seat whose time has run out is answered by the engine
            now = game.wait_change(seen, 0.5)
            if now != seen:
                seen = now
                yield now

    return solara.use_thread(watch if game else (lambda: None),
                             dependencies=[game and game.id], intrusive_cancel=False).value


# -- the facilitator's console ----------------------------------------------------------

@dataclass(frozen=True)
class UploadNote:
    """What the console says of the last file dropped on it."""

    done: str = ""
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # each with its file, field and line


def scenario_label(name: str) -> str:
    """A scenario as the console lists it: its title, then its name (a built-in's, or the
    file's path) and its length; a file that does not load is listed by its path (Start
    then says what is wrong with it, as `ip4sim validate` does)."""
    try:
        scenario = load_scenario(name).scenario
    except InputError:
        return f"{name} (not a valid scenario: Start says why)"
    return f"{scenario.title} ({name}; {scenario.turns} turns of {scenario.turn_represents})"


def rule_label(name: str) -> str:
    return f"{name}: {REGISTRIES[name].summary}"


def rule_check(spec: str) -> tuple[str, str]:
    """A rule spec as the console reads it: what its parameters are (each with its
    value and meaning), or why it is not a rule (``sim.rules.parse_rule``'s words)."""
    try:
        rule = parse_rule(spec)
    except InputError as err:
        return "", "; ".join(f"{p.field}: {p.message}" for p in err.problems)
    fields = type(rule).model_fields
    said = "; ".join(f"{k}={v} ({fields[k].description})" for k, v in rule.model_dump().items())
    return f"*{rule.name}*: " + (f"{said}" if said else "no parameters"), ""


@solara.component
def StartForm(on_start, current: Game | None):
    scenarios = REGISTRY.scenarios()
    labels = solara.use_memo(lambda: {scenario_label(s): s for s in scenarios},
                             dependencies=[tuple(scenarios)])
    scenario, set_scenario = solara.use_state(scenarios[0])
    spec, set_spec = solara.use_state("caucus")
    seed, set_seed = solara.use_state(1)
    people, set_people = solara.use_state(list[str]())
    show_engine, set_show_engine = solara.use_state(True)
    error, set_error = solara.use_state("")
    upload, set_upload = solara.use_state(UploadNote())
    started, set_started = solara.use_state("")  # the id of the game this form started
    parameters, wrong = rule_check(spec)
    rule = spec.partition(":")[0].strip()

    def uploaded(info: FileInfo):  # solara calls it from a thread once the file is dropped
        try:
            loaded = REGISTRY.upload(info["name"], info["file_obj"], info["size"])
        except InputError as err:
            set_upload(UploadNote(problems=[str(p) for p in err.problems]))
            return
        set_scenario(loaded.path)
        set_upload(UploadNote(f"{info['name']} is valid: kept as `{loaded.path}` and "
                              "chosen above; Start plays it.",
                              [str(w) for w in loaded.warnings]))

    def start():
        try:
            game = REGISTRY.start(scenario, spec, int(seed), tuple(people), show_engine)
        except InputError as err:
            set_error(str(err))
            return
        set_error("")
        set_started(game.id)
        on_start(game)

    with solara.Card("Start a game", classes=["ip4-start-form"]):
        by_name = {name: label for label, name in labels.items()}
        solara.Select("Scenario", values=list(labels), value=by_name.get(scenario),
                      on_value=lambda label: set_scenario(labels[label]),
                      classes=["ip4-scenario"])
        with solara.Div(classes=["ip4-upload"]):
            solara.FileDrop(label=f"Or drop a scenario file here (YAML, at most "
                            f"{MAX_FILE_BYTES:,} bytes; checked as `ip4sim validate` does)",
                            on_file=uploaded, lazy=True)
        if upload.done:
            solara.Success(upload.done, classes=["ip4-upload-done"])
        for warning in upload.warnings:
            solara.Warning(warning, classes=["ip4-upload-warning"])
        for problem in upload.problems:
            solara.Error(problem, classes=["ip4-upload-error"])
        solara.Select("Rule", values=[rule_label(n) for n in rule_names()],
                      value=rule_label(rule) if rule in REGISTRIES else None,
                      on_value=lambda label: set_spec(label.partition(":")[0]),
                      classes=["ip4-rule"])
        solara.InputText("The rule, with any parameters (coalition:k=2, caucus:cover=0.5)",
                         value=spec, on_value=set_spec, continuous_update=True,
                         error=wrong or False, classes=["ip4-rule-spec"])
        if parameters:
            with solara.Div(classes=["ip4-rule-parameters"]):
                solara.Markdown(parameters)
        solara.InputInt("Seed", value=seed, on_value=set_seed, classes=["ip4-seed"])
        solara.Markdown("Played by people (the engine plays the others):")
        solara.ToggleButtonsMultiple(value=people, on_value=set_people, values=list(IP4),
                                     classes=["ip4-people"])
        solara.Checkbox(label="Seats see the engine's reading", value=show_engine,
                        on_value=set_show_engine)
        solara.Button("Start", on_click=start, color="primary", classes=["ip4-start"])
        if error:
            solara.Error(error, classes=["ip4-error"])
        if current is not None and current.id == started:
            StartedCard(current)


@solara.component
def StartedCard(game: Game):
    """Under Start, where the facilitator is looking: the new game's seats and their join
    codes (the game's own console, at the top of the page, has them too)."""
    seats = "; ".join(f"**{actor}** join code `{code}`, [seat](/seat/{actor}?game={game.id}"
                      f"&code={code})" for actor, code in game.codes.items())
    solara.Success(f"Started game {game.id}: " + (
        f"give each team its seat: {seats}. " if seats else "the engine plays every seat. ")
        + "The game's console is at the top of this page.", classes=["ip4-started"])


Attempt = Callable[..., None]  # attempt(action, done): see use_attempt


def use_attempt() -> tuple[str, Attempt]:
    """A panel's note and its way to act: ``attempt(action, done)`` runs ``action`` and
    notes ``done`` (a text, or a function of what the action returned), or "refused:
    why" when the game refuses it: a wrong or stale click never shows a traceback."""
    note, set_note = solara.use_state("")

    def attempt(action: Callable[[], Any], done: str | Callable[[Any], str] = "") -> None:
        try:
            result = action()
        except REFUSALS as err:
            set_note(f"refused: {err}")
            return
        set_note(done(result) if callable(done) else done)

    return note, attempt


@solara.component
def Note(text: str, kind: str):
    """A panel's note (class ``kind``), once there is one."""
    if text:
        solara.Info(text, classes=[kind])


def action_button(label: str, refused: str, on_click: Callable[[], None], kind: str,
                  disabled: bool = False, **style) -> None:
    """A button that is disabled, with the reason in its label, while it cannot act."""
    solara.Button(f"{label} ({refused})" if refused else label, on_click=on_click,
                  disabled=disabled or bool(refused), classes=[kind], **style)


@solara.component
def Options(request: Request, choose: Callable[[str], None], kind: str, stopped: str,
            show_engine: bool = False):
    """A request's options as buttons. One the government cannot take yet (a measure
    within its lead time) is disabled with its reason; all are while the game is stopped."""
    for option in request.decision.options:
        label = option.label
        if option.id == request.group_option:
            label += " (the group's lean)"
        if show_engine:
            label += f", engine {request.probabilities[option.id]:.0%}"
        unready = request.unready.get(option.id)
        action_button(label, f"not yet: {unready}" if unready else "",
                      lambda o=option.id: choose(o), f"{kind}-{option.id}",
                      disabled=bool(unready or stopped))


@solara.component
def SeatsPanel(game: Game, version: int | None):
    note, attempt = use_attempt()
    with solara.Card("Seats"):
        for actor, code in game.codes.items():
            waiting = game.waiting_for(actor)
            status = f"waiting: {', '.join(r.stage for r in waiting)}" if waiting else "answered"
            if waiting and game.time_limit is not None:
                status += f" ({game.time_left(waiting[0]):.0f} s left)"
            with solara.Row(classes=[f"ip4-seat-{actor}"]):
                solara.Markdown(f"**{actor}** join code `{code}`, "
                                f"[seat](/seat/{actor}?game={game.id}&code={code}): {status}")
                if waiting:
                    action_button(f"Engine answers for {actor}", game.stopped,
                                  lambda a=actor: attempt(lambda: game.engine_answers(a)),
                                  f"ip4-engine-{actor}")
        Note(note, "ip4-seats-note")


def back_note(turn: int, undone: list[InjectReleased], held: bool) -> str:
    """What a take-back kept and what it undid of the white cell's own (``held``: whether
    any hold stands)."""
    said = f"taken back to turn {turn}" + ("; the holds stand" if held else "")
    if undone:
        said += "; undone with the turns after it: " + releases(undone)
    return said


def releases(undone: list[InjectReleased]) -> str:
    return ", ".join(f"the release of *{r.inject.title}* into turn {r.turn}"
                     for r in undone) + " (release again what still applies)"


@solara.component
def HeldRequest(game: Game, request: Request, attempt: Attempt):
    """A government's request the facilitator holds, with the options to answer it."""
    def choose(option: str) -> None:
        attempt(lambda: game.override(request.actor, option),
                f"{request.actor}: {option}, by the facilitator")

    with solara.Row(classes=[f"ip4-held-{request.actor}"]):
        stopped = f": *not now, {game.stopped}*" if game.stopped else ""  # buttons disabled
        solara.Markdown(f"**{request.actor}**: {request.decision.question} "
                        f"(engine: {request.engine}){stopped}")
        Options(request, choose, "ip4-override", game.stopped)


@solara.component
def WhiteCell(game: Game, version: int | None):
    governments = [c for c in game.model.catalog.profiles
                   if c not in game.codes and c not in ("CHN", "RUS")]
    actor, set_actor = solara.use_state(governments[0])
    back_to, set_back_to = solara.use_state(1)
    title, set_title = solara.use_state("")
    synopsis, set_synopsis = solara.use_state("")
    var, set_var = solara.use_state(next(iter(game.model.timeline.world), ""))
    value, set_value = solara.use_state(0.8)
    opens, set_opens = solara.use_state(list[str]())
    note, attempt = use_attempt()
    limit, set_limit = solara.use_state(game.time_limit or 0.0)

    def write_inject():
        spot = Inject(id=f"spot_{len(game.model.events)}", turn=game.turn + 1, title=title,
                      synopsis=synopsis, effects=[{"var": var, "set": value}] if var else [],
                      opens=opens)
        game.release(spot)

    with solara.Card("White cell"):
        with solara.Row():
            if game.paused:
                solara.Button("Play on", on_click=game.play_on, color="primary",
                              classes=["ip4-play-on"])
            else:
                solara.Button("Pause", on_click=game.pause, classes=["ip4-pause"])
            solara.InputFloat("Time limit per answer, seconds (0: none)", value=limit,
                              on_value=set_limit, continuous_update=True,
                              classes=["ip4-time-limit"])
            solara.Button("Set the time limit", classes=["ip4-set-limit"], on_click=lambda: attempt(
                lambda: game.set_time_limit(float(limit) or None),
                f"time limit {float(limit):g} s" if limit else "no time limit"))
        with solara.Row():
            solara.Select("Hold an engine government's next choice", values=governments,
                          value=actor, on_value=set_actor, classes=["ip4-hold-actor"])
            solara.Button("Hold", on_click=lambda: attempt(lambda: game.hold(actor),
                                                           f"{actor}'s next choice is held"),
                          classes=["ip4-hold"])
        for request in game.held_requests():
            HeldRequest(game, request, attempt)
        if game.contingencies():
            solara.Markdown("The scenario's contingency injects (one released fires at the "
                            "start of the next turn):")
        with solara.Row(classes=["ip4-releases"]):
            for inject in game.contingencies():
                action_button(f"Release: {inject.title}", game.release_refused,
                              lambda i=inject.id: attempt(lambda: game.release(i),
                                                          f"released {i}"),
                              f"ip4-release-{inject.id}")
        with solara.Details("Write an inject on the spot"):
            solara.InputText("Title (required)", value=title, on_value=set_title,
                             classes=["ip4-inj-title"])
            solara.InputText("Synopsis", value=synopsis, on_value=set_synopsis,
                             classes=["ip4-inj-synopsis"])
            solara.Select("World variable", values=list(game.model.timeline.world), value=var,
                          on_value=set_var)
            solara.SliderFloat("set to", value=value, on_value=set_value, min=0, max=1,
                               step=0.05)
            solara.SelectMultiple("Decisions it opens", all_values=[
                d.id for d in game.model.exercise.decisions], values=opens, on_value=set_opens)
            action_button("Release this inject", game.release_refused,
                          lambda: attempt(write_inject, f"released {title!r}"),
                          "ip4-inj-release")
        with solara.Row():
            action_button("Next turn", game.next_refused, lambda: attempt(game.next_turn),
                          "ip4-next", color="primary")
            solara.InputInt("Take back to turn", value=back_to, on_value=set_back_to,
                            classes=["ip4-back-turn"])
            solara.Button("Take back", classes=["ip4-back"], on_click=lambda: attempt(
                lambda: game.take_back(int(back_to)),
                lambda undone: back_note(back_to, undone, game.holding)))
        Note(note, "ip4-note")


def line_cell(outcome: str, outcomes: dict[str, float]) -> str:
    """A line's outcome in the table; turns to joint, on a line with no joint position of
    all four yet, is "none yet" (the outcome counts such a line as its last turn + 1)."""
    if outcome == "shock_to_joint" and not outcomes.get("joint_any"):
        return "none yet"
    return f"{outcomes[outcome]:.3g}"


def lines_table(lines: list[Game]) -> str:
    """The lines of play side by side: each line's turn and run-wide outcomes so far."""
    outcomes = [line.outcomes() for line in lines]
    head = ["outcome", *(f"`{g.id}`" + (f" (from {REGISTRY.origin_name(g)} at turn "
                                        f"{g.branched.turn})" if g.branched else "")
                         for g in lines)]
    rows = [["turns played", *(str(g.model.turns_done) for g in lines)]]
    rows += [[outcome_label(name), *(line_cell(name, o) for o in outcomes)]
             for name in outcomes[0]]
    return "\n".join("| " + " | ".join(r) + " |" for r in
                     [head, ["---"] * len(head), *rows])


@solara.component
def LinesPanel(game: Game, version: int | None, on_open):
    turn, set_turn = solara.use_state(game.turn)
    note, attempt = use_attempt()
    lines = REGISTRY.lines(game.id)

    with solara.Card("Lines of play"):
        if game.not_carried:
            solara.Info(f"This line began at turn {game.branched.turn} of "
                        f"{REGISTRY.origin_name(game)} "
                        f"without what was released there from that turn on: "
                        f"{releases(game.not_carried)}", classes=["ip4-not-carried"])
        with solara.Row():
            solara.InputInt("Branch from the start of turn", value=turn, on_value=set_turn,
                            classes=["ip4-branch-turn"])
            solara.Button("Branch", classes=["ip4-branch"], on_click=lambda: attempt(
                lambda: on_open(REGISTRY.branch(game.id, int(turn)))))
        Note(note, "ip4-lines-note")
        if len(lines) > 1:
            with solara.Row():
                for line in lines:
                    solara.Button(f"Open {line.id}", on_click=lambda g=line: on_open(g),
                                  disabled=line is game, classes=[f"ip4-line-{line.id}"])
            solara.Markdown(lines_table(lines))


@solara.component
def ReportPanel(game: Game):
    text, set_text = solara.use_state("")
    note, attempt = use_attempt()

    def produce():
        attempt(lambda: set_text((game.write_report() / "report.md").read_text(
            encoding="utf-8")))

    with solara.Card("Debrief"):
        solara.Button("Produce the report", on_click=produce, classes=["ip4-report"])
        Note(note, "ip4-report-note")
        if text:
            solara.Markdown(f"Written to `{game.out}` (report.md, report.html).")
            solara.FileDownload((game.out / "report.html").read_bytes(), "report.html",
                                label="Printable report (HTML)")
            with solara.Div(classes=["ip4-report-text"]):
                solara.Markdown(text)


def game_state(game: Game) -> str:
    """Where a game stands: finished, paused, waiting for whom, or between turns."""
    model = game.model
    return "finished" if model.finished else "paused" if game.paused else (
        f"waiting for {', '.join(sorted({r.actor for r in model.waiting}))}"
        if model.waiting else "between turns")


def game_summary(game: Game) -> str:
    """A game in one line, for the console's list of the games on this server."""
    model = game.model
    seats = ", ".join(game.people) or "none"
    branched = f", branched from {REGISTRY.origin_name(game)} at turn " \
        f"{game.branched.turn}" if game.branched else ""
    return (f"`{game.id}` {model.exercise.title} ({model.exercise.id}, {model.rule.spec()}, "
            f"seed {model.checked.seed}{branched}): turn {game.turn} of "
            f"{model.exercise.turns}, seats played by people: {seats}; **{game_state(game)}**")


@solara.component
def GamesPanel(current: Game | None, version: int | None, on_open):
    """Every game on this server, to reopen (after a reload, from another browser); the
    console shows it only to whoever has its key. Drawn again whenever the open game
    changes (``version``), so its own line is never behind the console."""
    games = list(REGISTRY.games.values())
    if not games:
        return
    with solara.Card("Games on this server", classes=["ip4-games"]):
        for game in games:
            with solara.Row(classes=[f"ip4-game-{game.id}"]):
                action_button("Open", "this game" if game is current else "",
                              lambda g=game: on_open(g), f"ip4-open-{game.id}")
                solara.Markdown(game_summary(game))


def saved_summary(saved: SavedGame) -> str:
    """A saved game in one line, for the console's list of the games to open again."""
    record = saved.record
    people = ", ".join(c for c, by in record.players.items() if by == "human") or "none"
    state = "in progress" if record.status == "in progress" else \
        "finished: open it to show and debrief"
    return (f"`{saved.folder.name}` {record.scenario.title} ({record.scenario.id}, "
            f"{record.rule}, seed {record.seed}): {record.turns_played} of "
            f"{record.scenario.turns} turns played, seats played by people: {people}; "
            f"**{state}** (saved {record.created})")


def reopened_note(game: Game) -> str:
    """What the console says once a saved game is open again."""
    if not game.paused:
        return f"opened `{game.out.name}` as game `{game.id}`"
    return (f"opened `{game.out.name}` as game `{game.id}`, paused: give each seat its new "
            "join code (Seats), then play on")


@solara.component
def SavedPanel(on_open):
    """The games saved in the server's runs folder and not open on it, to pick up again
    after the server stopped; read from the folder when the console is drawn afresh, a
    game is opened or the facilitator looks again."""
    looked, set_looked = solara.use_state(0)
    saved = solara.use_memo(REGISTRY.saved, dependencies=[looked, len(REGISTRY.games)])
    note, attempt = use_attempt()

    def reopen(folder: Path) -> Game:
        game = REGISTRY.reopen(folder)
        on_open(game)
        return game

    with solara.Card(f"Saved games in {REGISTRY.runs}", classes=["ip4-saved"]):
        if not saved:
            solara.Markdown("None that is not open on this server.")
        for entry in saved:
            with solara.Row(classes=[f"ip4-saved-{entry.folder.name}"]):
                solara.Button("Open", classes=[f"ip4-reopen-{entry.folder.name}"],
                              on_click=lambda f=entry.folder: attempt(lambda: reopen(f),
                                                                      reopened_note))
                solara.Markdown(saved_summary(entry))
        solara.Button("Look again", on_click=lambda: set_looked(looked + 1),
                      classes=["ip4-saved-again"])
        Note(note, "ip4-saved-note")


def console_address(params: dict[str, str], game: Game) -> str:
    """The console's address for ``game``, its key kept: a reload reopens the game."""
    return "/?" + urlencode({**params, "game": game.id})


@solara.component
def Console():
    # hooks first, on every render (solara's rules of hooks), then the key
    router = solara.use_router()
    params = query()
    allowed = REGISTRY.console_allowed(params.get("key"))
    game = REGISTRY.games.get(params.get("game", ""))
    version = use_version(game if allowed else None)  # no watcher, no clock, for a stranger
    if not allowed:
        solara.Error("The console needs its key (the address `ip4sim serve` printed).",
                     classes=["ip4-refused"])
        return

    def open_game(opened: Game) -> None:
        router.push(console_address(params, opened))

    solara.Style(CONSOLE_CSS)
    with solara.Column(style="max-width: 70em"):
        solara.Markdown("# ip4sim: facilitator's console")
        if params.get("game") and game is None:
            solara.Warning(f"No game {params['game']!r} on this server (was it restarted?): "
                           "open one below (a game saved in the runs folder picks up where "
                           "it stopped) or start one.", classes=["ip4-no-game"])
        if game is not None:  # first: where the facilitator looks, seats and codes on top
            GameConsole(game, version, open_game).key(game.id)  # its forms start afresh
        # keyed, they keep their notes when a game opens above them
        GamesPanel(game, version, open_game).key("games")
        SavedPanel(open_game).key("saved")
        StartForm(open_game, game).key("start")


@solara.component
def GameConsole(game: Game, version: int | None, on_open):
    """One game's part of the console: where it stands, its seats, the white cell, its
    lines of play and its debrief."""
    model = game.model
    with solara.Div(classes=["ip4-status"]):
        last = f"; last: {game.said}" if game.said else ""  # what a click, or a seat, did
        solara.Markdown(f"## {model.exercise.title}\nGame `{game.id}`, turn {game.turn} "
                        f"of {model.exercise.turns} ({model.rule.spec()}, seed "
                        f"{model.checked.seed}): **{game_state(game)}**{last}. "
                        f"[Projector]({projector_address(game)})")
        if game.unsaved:
            solara.Warning(game.unsaved, classes=["ip4-unsaved"])
        ConsultationNotes(game, version)
    SeatsPanel(game, version)
    WhiteCell(game, version)
    LinesPanel(game, version, on_open=on_open)
    ReportPanel(game)


@solara.component
def ConsultationNotes(game: Game, version: int | None):
    """This turn's consultations as the rules noted them, whole: the projector says each
    in short (``consultation``), the seats hear it as they choose."""
    questions = {d.id: d.question for d in game.model.exercise.decisions}
    stances = this_turn(game, GroupStance)
    if stances:
        with solara.Div(classes=["ip4-consultation-notes"]), solara.Details(
                "This turn's consultation, in full (the projector says it in short)"):
            solara.Markdown("\n\n".join(f"**{questions[e.decision]}** ({e.rule}): {e.note}"
                                          for e in stances))


# -- a team's seat ----------------------------------------------------------------------

@solara.component
def RoleCard(profile):
    with solara.Details(f"Role card: {profile.name}"):
        if profile.note:
            solara.Markdown(profile.note)
        for dim, value in profile.values.items():
            with solara.Details(f"{dim} {value.value:.2f}: "
                                f"{profile.dimensions.get(dim, '')}"):
                solara.Markdown(value.describe())


@solara.component
def Prompt(seat: SeatView, request: Request, show_engine: bool):
    game = seat.game
    note, attempt = use_attempt()
    what = ("What does your government intend? (stated to the other partners)"
            if request.stage == "intention" else "What does your government choose?")
    with solara.Card(request.decision.question, classes=[f"ip4-prompt-{request.stage}"]):
        solara.Markdown(what)
        if request.consultation:
            solara.Markdown(f"The consultation: {request.consultation}")
        if request.binding and request.group_option:
            bound = request.decision.option(request.group_option).label
            solara.Warning(f"The group's position binds its members: your government will "
                           f"take *{bound}* whatever you choose; your own choice is recorded.",
                           classes=["ip4-binding"])
        left = game.time_left(request)
        if left is not None:
            solara.Info(f"Time left: {left:.0f} s (then the engine answers for you)",
                        classes=["ip4-time-left"])
        Options(request, lambda o: attempt(lambda: seat.answer(request, o)), "ip4-option",
                game.stopped, show_engine)
        Note(note, "ip4-seat-note")
        if show_engine:
            with solara.Div(classes=["ip4-reading"]):
                solara.Markdown(reading(request))


def reading(request: Request) -> str:
    """The engine's reading, named: its terms are those of the option it finds likeliest
    (the one it would answer with alone), whose probability it gives."""
    likeliest = max(request.probabilities, key=request.probabilities.get)  # the first of ties
    return (f"The engine's reading of *{request.decision.option(likeliest).label}*, the "
            f"option it finds likeliest ({request.probabilities[likeliest]:.0%}): "
            f"{request.advice}")


def answers_this_turn(game: Game, actor: str) -> list[str]:
    """What a team's government stated and chose this turn, each by its option's label
    and question, in the order given: answers to a round the other seats have still to
    answer too (the record holds a round once every seat has answered it)."""
    said = []
    for given in game.answers(game.turn, game.turn, actor):
        decision = game.model.exercise.decision(given.decision)
        what = "stated it intends" if given.stage == "intention" else "chose"
        line = f"Your government {what} **{decision.option(given.option).label}** " \
               f"({decision.question})"
        if not given.by.startswith("human"):
            line += f", answered by the {given.by}"
        if given.bound_to:
            line += (f"; the group's binding position makes it "
                     f"*{decision.option(given.bound_to).label}*")
        said.append(line)
    return said


@solara.component
def SeatPage():
    router = solara.use_router()
    actor = router.parts[-1]
    params = query()
    game = find_game(params.get("game"))
    seat, refused = None, None
    if game is not None:
        try:
            seat = REGISTRY.seat(game.id, actor, params.get("code"))
        except SeatRefused as err:
            refused = err
    use_version(game if seat else None)  # a page refused its seat drives no clock
    if game is None:
        solara.Warning("No game yet: the facilitator starts one.")
        return
    if refused is not None:
        solara.Error(str(refused), classes=["ip4-refused"])
        return
    Seat(seat, game.version)


@solara.component
def Seat(seat: SeatView, version: int | None):
    """A team's seat on its game as the game now stands (after a take-back too), with
    links to the game's other lines of play, where the team keeps its seat and code."""
    game, actor = seat.game, seat.actor
    model = game.model
    solara.Markdown(f"# {model.catalog.profiles[actor].name}: turn {game.turn}")
    others = [line for line in REGISTRY.lines(game.id) if line is not game]
    if others:
        with solara.Div(classes=["ip4-seat-lines"]):
            solara.Markdown("Other lines of play of this game (the facilitator says which is "
                            "played): " + ", ".join(
                                f"[`{line.id}`](/seat/{actor}?game={line.id}&code="
                                f"{line.codes[actor]})" for line in others))
    RoleCard(model.catalog.profiles[actor])
    for e in this_turn(game, InjectFired):
        solara.Markdown(f"**{e.title}**: {e.synopsis}")
    prompts = seat.prompts()
    if game.paused:
        solara.Warning("The game is paused: the facilitator will play on.",
                       classes=["ip4-paused"])
    if not prompts:
        solara.Info("The game is over: nothing more to answer." if model.finished else
                    "Nothing to answer now: the next question comes when the other seats "
                    "have answered or the facilitator goes on.", classes=["ip4-idle"])
        said = answers_this_turn(game, actor)
        if said:
            with solara.Card("Your answers this turn", classes=["ip4-answered"]):
                solara.Markdown("\n\n".join(said))
    for request in prompts[:1]:  # one at a time: the intention before the choice
        Prompt(seat, request, game.show_engine).key(str(request.key))  # its own note


# -- the projector ----------------------------------------------------------------------

def this_turn(game: Game, kind) -> list:
    return [e for e in game.model.events if e.turn == game.turn and isinstance(e, kind)]


def projector_lines(game: Game, every_term: bool = False) -> list[str]:
    """The turn in plain words, for the room: injects, the questions, the consultation in
    short, each partner's choice with how likely the engine found it and the three terms
    of the engine's reading of that option (+ toward it, - away from it) and the options
    not open yet, the allies' choices, joint positions, the Council, China's coercion
    (pressure and backing) and the publics, in the account's words where it has them
    (``sim.app``: `ip4sim run` prints the same); ``every_term``: only the partners'
    choices, each with every term."""
    names = {c: p.name for c, p in game.model.catalog.profiles.items()}
    labels = {d.id: {o.id: o.label for o in d.options} for d in game.model.exercise.decisions}
    lines: list[str] = []
    allies: list[Choice] = []  # one question's allies, said together once they all chose
    for e in game.model.events:
        if e.turn != game.turn or every_term and not (isinstance(e, Choice) and e.actor in IP4):
            continue
        if allies and not (isinstance(e, Choice) and e.actor not in IP4):
            lines.append(allies_line(allies, labels, names))
            allies = []
        match e:
            case InjectFired():
                lines.append(f"**INJECT {e.title}**: {e.synopsis}")
            case DecisionOpened():
                lines.append(f"**QUESTION** {e.question}")
            case GroupStance():
                lines.append(consultation(e, labels[e.decision]))
            case Choice() if e.actor in IP4:
                lines.append(f"{names[e.actor]} ({e.by}): **{labels[e.decision][e.option]}** "
                             f"({likely(e, len(labels[e.decision]))}); the engine's reading "
                             "of this option: "
                             f"{because(e.terms, top=len(TERMS) if every_term else 3)}"
                             + not_yet_note(e, labels))
            case Choice():
                allies.append(e)
            case JointPosition():
                lines.append(f"Joint position: {', '.join(e.members)} speak together: "
                             f"**{labels[e.decision][e.option]}**")
            case CouncilVote():
                lines.append(council_line(e, labels[e.decision], names))
            case Coercion():
                lines.append(coercion_line(e, names))
            case PublicOpinion():
                lines.append("Publics, support: " + ", ".join(
                    f"{c} {m['support']:.2f}" for c, m in e.means.items()))
    if allies:
        lines.append(allies_line(allies, labels, names))
    return lines


def consultation(stance: GroupStance, labels: dict[str, str]) -> str:
    """The consultation as the room reads it at a glance: who intends what, grouped by
    option (the most intended first, each label once), and what the rule made of it: the
    group's lean, or a binding option, in bold. The rule's own note (the stakes and
    positions that broke a tie, its thresholds) is the console's and, as heard, the
    seats'."""
    rule = stance.rule.partition(":")[0]
    if not stance.intentions:  # a rule under which nobody states an intention
        return f"Consultation ({rule}): {stance.note}"
    intend: dict[str, list[str]] = {}
    for actor, option in stance.intentions.items():
        intend.setdefault(option, []).append(actor)
    members = set(stance.members)
    everyone = members == set(stance.intentions)
    made = f"binding {'all four' if everyone else ', '.join(stance.members)}" \
        if stance.binding else "the group's lean" if everyone else \
        "acting together" if members == set(intend.get(stance.option, ())) else \
        f"the lean of {', '.join(stance.members)}"
    said = [f"**{labels[o]}**: {', '.join(actors)} ({made})" if o == stance.option else
            f"*{labels[o]}*: {', '.join(actors)}"
            for o, actors in sorted(intend.items(), key=lambda kv: -len(kv[1]))]
    if stance.option is None:
        said.append("no group position: each acts alone")
    elif stance.option not in intend:  # the rule's option, though nobody intended it
        said.append(f"**{labels[stance.option]}** ({made})")
    return f"Consultation ({rule}): " + "; ".join(said)


def projector_address(game: Game) -> str:
    """The projector's address for ``game``, with the console's key when the server is
    reachable from the network (the projector shows the whole game, as the console does)."""
    key = REGISTRY.console_key
    return f"/projector?{urlencode({'game': game.id, **({'key': key} if key else {})})}"


@solara.component
def Projector():
    params = query()
    allowed = REGISTRY.console_allowed(params.get("key"))
    game = find_game(params.get("game"))
    version = use_version(game if allowed else None)  # no watcher, no clock, for a stranger
    if not allowed:
        solara.Error("The projector needs the console's key (the console's link to it "
                     "carries it).", classes=["ip4-refused"])
        return
    if game is None:
        solara.Warning("No game yet.")
        return
    ProjectorView(game, version)


@solara.component
def ProjectorView(game: Game, version: int | None):
    model = game.model
    solara.Style(PROJECTOR_CSS)
    with solara.Column(classes=["ip4-projector"]):
        solara.Markdown(f"# {model.exercise.title}: turn {game.turn} of {model.exercise.turns}")
        with solara.Div(classes=["ip4-projector-main"]):
            with solara.Div(classes=["ip4-projector-account"]):
                solara.Markdown("\n\n".join(projector_lines(game)))  # one widget: quick
                with solara.Div(classes=["ip4-every-term"]), solara.Details(
                        "Every term of each partner's why"):
                    solara.Markdown("\n\n".join(projector_lines(game, every_term=True)))
            with solara.Div(classes=["ip4-projector-figure"]):
                SummaryFigure(game, game.figure_key)


@solara.component
def SummaryFigure(game: Game, key: tuple[str, int, int]):
    """The game's last finished summary figure. The figure of ``key`` is drawn by the
    server's one figure worker (``sim/web/figures.py``), off this page's redraw; this
    component's thread waits for it and redraws the page when it is done."""
    drawing = solara.use_thread(lambda: REGISTRY.figures.request(game).result(),
                                dependencies=[key], intrusive_cancel=False)
    drawn = drawing.value if drawing.state == solara.ResultState.FINISHED \
        else REGISTRY.figures.last(game.id)
    if drawn is None:
        solara.Markdown("*The summary figure is being drawn.*")
        return
    shown = f"The run's summary to turn {drawn.key[2]}"
    if drawn.key != key:
        shown += " (the figure as the game now stands is being drawn)"
    solara.Image(drawn.png, width="100%", classes=["ip4-figure"])  # fits the column
    with solara.Div(classes=["ip4-figure-caption"]):
        solara.Markdown(f"*{shown}*: {ROOM_NOTE}. The world, and the pressure each "
                        "partner felt: the report's summary figure.")


@solara.component
def NoSeat():
    """/seat without a country: nothing of any game, only where a seat is found."""
    solara.Warning("A seat opens from the link the facilitator gives each team "
                   "(/seat/JPN?game=...&code=...).", classes=["ip4-no-seat"])


@solara.component
def Layout(children: list):
    """Every page without solara's tabs, which led a seat to the facilitator's pages and
    to /seat; the console links its game's seats and projector itself."""
    return solara.AppLayout(children=children, navigation=False, style={
        "height": "100%", "max-height": "100%", "overflow": "auto", "padding": "12px"})


routes = [  # each label is the page's title in the browser
    solara.Route(path="/", component=Console, label="ip4sim: facilitator's console",
                 layout=Layout),
    solara.Route(path="seat", children=[
        solara.Route(path="/", component=NoSeat, label="ip4sim: seats"),
        *(solara.Route(path=c, component=SeatPage, label=f"ip4sim: {c}'s seat") for c in IP4)]),
    solara.Route(path="projector", component=Projector, label="ip4sim: projector"),
]
