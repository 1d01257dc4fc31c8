"""The pages as solara components, rendered with solara's own tools (no browser)."""

import pytest

solara = pytest.importorskip("solara")
import ipyvuetify as v  # noqa: E402

from agents.catalog import IP4  # noqa: E402
from analysis.narrative import likely  # noqa: E402
from scenarios.guarded import MAX_FILE_BYTES  # noqa: E402
from scenarios.loader import library_dir  # noqa: E402
from sim.outputs import TERMS, Choice, GroupStance, because  # noqa: E402
from sim.web import pages  # noqa: E402
from sim.web.games import Games  # noqa: E402


def console(path: str = "/"):
    """The console at ``path`` under solara's router, as the server serves it (its buttons
    change the address); returns the rendered box and its render context."""
    from solara.autorouting import RoutingProvider

    box, rc = solara.render(RoutingProvider(children=[pages.Console()], routes=pages.routes,
                                            pathname=path), handle_error=False)
    return box, rc


@pytest.fixture
def registry(tmp_path, monkeypatch):
    games = Games(runs=tmp_path)
    monkeypatch.setattr(pages, "REGISTRY", games)
    return games


def test_the_console_starts_a_game_and_shows_where_it_stands(registry):
    box, rc = console()
    rc.find(v.Btn, children=["Start"]).widget.click()
    (game,) = registry.games.values()
    assert game.people == [] and game.turn == 1


def test_a_seat_shows_only_its_own_prompt_and_its_answer_reaches_the_game(registry):
    game = registry.start("dprk_provocation", seed=1, people=("JPN", "KOR"))
    request = game.waiting_for("JPN")[0]
    seat = registry.seat(game.id, "JPN", None)
    box, rc = solara.render(pages.Prompt(seat, request, True), handle_error=False)
    buttons = rc.find(v.Btn).widgets
    assert len(buttons) == len(request.decision.options)  # its own options, nobody else's
    buttons[0].click()
    assert not game.waiting_for("JPN") or game.waiting_for("JPN")[0].key != request.key
    assert game.waiting_for("KOR")  # Korea's own prompt is untouched


READING = "; the engine's reading of this option: "


def test_the_projector_tells_the_turn_in_plain_words(registry):
    game = registry.start("dprk_provocation", seed=1)  # turn 1: an inject and four choices
    lines = pages.projector_lines(game)
    assert any(line.startswith("**INJECT") for line in lines)
    assert any(line.startswith("**QUESTION** ") for line in lines)
    why = [line.split(READING)[1] for line in lines if READING in line]
    assert len(why) == 4 and all(w.count(",") == 2 for w in why)  # the three that weighed most
    every = pages.projector_lines(game, every_term=True)  # on demand: every term
    chosen = [e for e in game.model.events if isinstance(e, Choice) and e.actor in IP4]
    assert [line.split(READING)[1] for line in every] == [
        because(e.terms, top=len(TERMS)) for e in chosen]
    assert all(len(e.terms) > 3 for e in chosen)


def test_a_choice_on_the_projector_is_the_engine_s_reading_of_it_with_how_likely_it_was(
        registry):
    # "weighing position -0.20, ..." read as the students' own reasoning
    game = registry.start("indo_pacific_contingency", seed=2, people=("KOR",))
    while game.turn < 2 or game.model.waiting:
        for request in list(game.model.waiting):
            game.answer(request.actor, request.decision.options[0].id, request.stage)
        if not game.next_refused and game.turn < 2:
            game.next_turn()
    lines = pages.projector_lines(game)
    chosen = [e for e in game.model.events if isinstance(e, Choice) and e.actor in IP4
              and e.turn == game.turn]
    names = {c: p.name for c, p in game.model.catalog.profiles.items()}
    labels = {d.id: {o.id: o.label for o in d.options} for d in game.model.exercise.decisions}
    for e in chosen:
        said = likely(e, len(labels[e.decision]))
        assert (f"{names[e.actor]} ({e.by}): **{labels[e.decision][e.option]}** ({said})"
                f"{READING}{because(e.terms)}") in lines
    assert {e.by for e in chosen} == {"engine", "human"}
    assert any("% likely)" in line for line in lines)  # the account's own words
    assert not any("weighing" in line for line in lines)


def test_the_projector_shows_what_the_account_says_of_allies_council_and_coercion(registry):
    from analysis.narrative import narrate

    game = registry.start("indo_pacific_contingency", seed=2)
    names = {c: p.name for c, p in game.model.catalog.profiles.items()}
    said = set()
    for _ in range(2):  # turn 2: a Council question; turn 3: China coerces Korea
        game.next_turn()
        lines = pages.projector_lines(game)
        account = [line.strip() for line in narrate(
            [e for e in game.model.events if e.turn == game.turn], names=names)]
        for kind in ("Allies: ", "North Atlantic Council: ", "China coerces "):
            lines_of_kind = [line for line in account if line.startswith(kind)]
            assert all(line in lines for line in lines_of_kind), kind
            said |= {kind} if lines_of_kind else set()
    assert said == {"Allies: ", "North Atlantic Council: ", "China coerces "}
    assert any("(pressure 0.50, backing 0.35): Republic of Korea holds firm" in line
               for line in lines)


def test_the_consultation_is_short_on_the_projector_and_whole_on_the_console(registry):
    game = registry.start("ukraine_response", seed=7)
    while game.turn < 4:  # the four split two and two on raising China's support
        game.next_turn()
    (stance,) = [e for e in game.model.events if isinstance(e, GroupStance)
                 and e.turn == game.turn]
    labels = {o.id: o.label for o in game.model.exercise.decision(stance.decision).options
              if o.id in stance.intentions.values()}
    (line,) = [line for line in pages.projector_lines(game)
               if line.startswith("Consultation")]
    assert line == ("Consultation (caucus): *raise it publicly at the Council*: AUS, JPN; "
                    "**raise it privately with allies**: KOR, NZL (the group's lean)")
    assert [line.count(label) for label in labels.values()] == [1, 1]  # each label once
    assert "stake" in stance.note and len(line) < len(stance.note) / 2
    box, rc = solara.render(pages.GameConsole(game, game.version, lambda g: None),
                            handle_error=False)
    (notes,) = rc.find(v.Html, class_="ip4-consultation-notes").find(
        v.VuetifyTemplate).widgets
    assert stance.note.replace("'", "&#x27;") in notes.template


@pytest.mark.parametrize("rule, said", [
    ("formal", "**raise it privately with allies**: KOR, NZL (binding all four)"),
    ("lead", "**raise it privately with allies**: KOR, NZL (acting together)"),
    ("consensus", "*raise it privately with allies*: KOR, NZL; no group position: each "
                  "acts alone"),
    ("bilateral", "Consultation (bilateral): no group position")])
def test_the_short_consultation_says_what_each_rule_made_of_the_intentions(
        registry, rule, said):
    game = registry.start("ukraine_response", seed=7, rule=rule)
    while game.turn < 4:
        game.next_turn()
    (line,) = [line for line in pages.projector_lines(game)
               if line.startswith("Consultation")]
    assert line.endswith(said)


def test_the_model_works_in_a_plain_solaraviz_page():
    """A Mesa user's own page: SolaraViz with a plot of a datacollector column renders
    (an error in it would raise here) and the model steps under it."""
    from mesa.visualization import SolaraViz, make_plot_component

    from sim.model import IP4Model

    model = IP4Model(exercise="dprk_provocation", rng=2)
    page = SolaraViz(model, components=[make_plot_component("joint_positions")],
                     name="ip4sim")
    box, rc = solara.render(page, handle_error=False)
    assert rc.find(v.Sheet).widgets
    model.step()
    assert model.turns_done == 1


def test_the_white_cell_pauses_and_sets_a_time_limit_and_the_seat_sees_both(registry):
    registry.clock = lambda: 0.0  # time stands still: the seat has all of its 90 s
    game = registry.start("dprk_provocation", seed=1, people=("JPN",))
    box, rc = solara.render(pages.WhiteCell(game, game.version), handle_error=False)
    rc.find(v.TextField, label="Time limit per answer, seconds (0: none)").widget.v_model = "90"
    rc.find(v.Btn, children=["Set the time limit"]).widget.click()
    rc.find(v.Btn, children=["Pause"]).widget.click()
    assert game.time_limit == 90 and game.paused
    seat = registry.seat(game.id, "JPN", None)
    box, rc = solara.render(pages.Prompt(seat, seat.prompts()[0], True), handle_error=False)
    assert all(b.disabled for b in rc.find(v.Btn).widgets)  # no answer while paused
    (left,) = rc.find(v.Alert, class_="ip4-time-left").widgets
    assert left.children == ["Time left: 90 s (then the engine answers for you)"]


def test_the_console_branches_a_game_and_shows_both_lines_side_by_side(registry):
    game = registry.start("dprk_provocation", seed=1)
    game.next_turn()
    opened = []
    box, rc = solara.render(pages.LinesPanel(game, game.version, on_open=opened.append),
                            handle_error=False)
    rc.find(v.TextField, label="Branch from the start of turn").widget.v_model = "2"
    rc.find(v.Btn, children=["Branch"]).widget.click()
    (branch,) = opened
    assert (branch.origin, branch.branched.turn) == (game.out, 2)
    assert branch.model.turns_done == 1
    table = pages.lines_table(registry.lines(game.id))
    assert f"from `{game.id}` at turn 2" in table and "| cohesion |" in table
    assert "| joint rate (all four) |" in table and "| joint_rate |" not in table
    assert "| turns to joint | 0 | 0 |" in table  # all four spoke together at once
    no_joint = {"joint_any": 0.0, "shock_to_joint": 3.0}  # a line with none counts turns + 1
    assert pages.line_cell("shock_to_joint", no_joint) == "none yet"
    assert pages.line_cell("shock_to_joint", {**no_joint, "joint_any": 1.0}) == "3"


def test_the_projector_shows_its_figure_drawn_once_per_turn_and_line_of_play(registry):
    import ipywidgets

    game = registry.start("dprk_provocation", seed=1)  # nobody to wait for: turn 1 played
    drawing = registry.figures.request(game)
    assert registry.figures.request(game) is drawing  # a second page shares the drawing
    first = drawing.result()
    assert first.key == (game.id, 0, 1) and first.png.startswith(b"\x89PNG")
    box, rc = solara.render(pages.ProjectorView(game, game.version), handle_error=False)
    image = rc.find(ipywidgets.Image).wait_for(timeout=30).widget
    assert image.value == first.png
    assert image.layout.width == "100%"  # the figure fits the page's column, on any screen

    game.next_turn()
    game.take_back(2)  # the same turns done as after turn 1, on a new line of play
    assert game.figure_key == (game.id, 1, 1)
    again = registry.figures.request(game)
    assert again is not drawing and again.result().key == game.figure_key
    rc.render(pages.ProjectorView(game, game.version))  # until then, the last one shown
    rc.find(ipywidgets.Image).assert_wait(lambda w: w.value == again.result().png,
                                          timeout=30)
    assert registry.figures.last(game.id) == again.result()


def test_the_projector_shows_the_turn_s_account_beside_the_figure_for_the_room(registry):
    # the figure began some 1,300 pixels down: a 1600 x 900 projector showed only text
    import ipywidgets

    from sim.app import png, projector_figure

    game = registry.start("dprk_provocation", seed=1)
    box, rc = solara.render(pages.ProjectorView(game, game.version), handle_error=False)
    (main,) = rc.find(v.Html, class_="ip4-projector-main").widgets
    account, figure = main.children  # side by side (PROJECTOR_CSS): the account first
    assert "ip4-projector-account" in account.class_ and "ip4-projector-figure" in figure.class_
    said = rc.find(v.Html, class_="ip4-projector-account").find(v.VuetifyTemplate).widgets
    assert any("INJECT" in w.template for w in said)
    image = rc.find(v.Html, class_="ip4-projector-figure").find(ipywidgets.Image).wait_for(
        timeout=30).widget
    model = game.model
    names = {c: p.name for c, p in model.catalog.profiles.items()}
    assert image.value == png(projector_figure(model.timeseries, model.events, names))
    assert "grid-template-columns" in pages.PROJECTOR_CSS and "sticky" in pages.PROJECTOR_CSS


def drop(rc, name: str, data: bytes, size: int | None = None):
    """A file dropped on the console's FileDrop, as the browser would send it: the
    widget's file list changes, then solara's FileDrop reads the file in its thread (here
    from memory instead of from the browser, chunk by chunk)."""
    import io

    from solara.components.file_drop import FileDropZone

    zone = rc.find(FileDropZone).widget
    info = {"name": name, "size": len(data) if size is None else size}
    zone.get_files = lambda timeout=30: [{**info, "file_obj": io.BytesIO(data)}]
    zone.file_info = [info]


def test_an_uploaded_scenario_is_checked_kept_and_played(registry):
    text = (library_dir() / "dprk_provocation.yaml").read_bytes()
    box, rc = console()
    drop(rc, "my exercise.yaml", text.replace(b"id: dprk_provocation", b"id: my_exercise"))
    note = rc.find(v.Alert, class_="ip4-upload-done").wait_for(timeout=10).widget
    (kept,) = registry.uploaded
    assert kept.endswith(".yaml") and "/uploads/my_exercise-" in kept and kept in str(
        note.children)
    rc.find(v.Btn, children=["Start"]).widget.click()
    (game,) = registry.games.values()
    assert game.model.exercise.id == "my_exercise" and game.model.turns_done == 1
    assert game.model.checked.loaded.path == kept  # the manifest names a file that replays


def test_a_malformed_upload_shows_its_file_field_and_line_and_is_not_kept(registry):
    box, rc = console()
    drop(rc, "broken.yaml", b"id: broken\ntitle: Broken\nturns: many\n")
    errors = rc.find(v.Alert, class_="ip4-upload-error").wait_for(timeout=10).widgets
    assert any("broken.yaml:3: turns:" in str(e.children) for e in errors)
    assert registry.uploaded == [] and not (registry.runs / "uploads").exists()


def test_an_oversized_upload_is_refused_before_it_is_read(registry):
    box, rc = console()
    drop(rc, "huge.yaml", b"", size=MAX_FILE_BYTES + 1)  # the browser's size: not read
    (error,) = rc.find(v.Alert, class_="ip4-upload-error").wait_for(timeout=10).widgets
    assert error.children == [f"huge.yaml: {MAX_FILE_BYTES + 1:,} bytes: larger than "
                              f"the limit of {MAX_FILE_BYTES:,} bytes for a file"]
    drop(rc, "liar.yaml", b"#" * (MAX_FILE_BYTES + 1), size=10)  # a size that lies
    rc.find(v.Alert, class_="ip4-upload-error").assert_wait(
        lambda e: "liar.yaml: larger than the limit" in str(e.children), timeout=10)
    assert registry.uploaded == []


def prompts(rc) -> list[str]:
    """The prompts a seat shows, by their class."""
    return [c for card in rc.find(v.Card).widgets for c in card.class_.split()
            if c.startswith("ip4-prompt-")]


def test_a_seat_keeps_working_after_a_take_back_and_finds_the_branches(registry):
    game = registry.start("dprk_provocation", seed=1, people=("JPN",))
    seat = registry.seat(game.id, "JPN", None)
    box, rc = solara.render(pages.Seat(seat, game.version), handle_error=False)
    assert prompts(rc) == ["ip4-prompt-intention"]
    rc.find(v.Btn, class_="ip4-option-" + seat.prompts()[0].decision.options[0].id).widget.click()
    rc.render(pages.Seat(seat, game.version))
    assert prompts(rc) == ["ip4-prompt-choice"]  # then its choice

    game.take_back(1)  # a new model, stopped at the start of turn 1 until the facilitator
    rc.render(pages.Seat(seat, game.version))
    assert prompts(rc) == [] and rc.find(v.Alert, class_="ip4-idle").widgets
    game.next_turn()  # goes on: the seat is asked its intention again
    rc.render(pages.Seat(seat, game.version))
    assert prompts(rc) == ["ip4-prompt-intention"]
    branch = registry.branch(game.id, 1)
    rc.render(pages.Seat(seat, game.version))
    (text,) = rc.find(v.Html, class_="ip4-seat-lines").find(v.VuetifyTemplate).widgets
    assert f"/seat/JPN?game={branch.id}&amp;code={branch.codes['JPN']}" in text.template


def shown(rc) -> str:
    """What the page says: its markdown, its buttons' labels and its notes."""
    texts = [w.template for w in rc.find(v.VuetifyTemplate).widgets
             if isinstance(w.template, str)]  # a markdown widget's html
    texts += [str(w.children) for kind in (v.Btn, v.Alert) for w in rc.find(kind).widgets]
    return " ".join(texts)


def address(rc) -> str:
    from solara.widgets import Navigator

    return rc.find(Navigator).widget.location


def test_the_console_keeps_its_game_in_the_address_and_lists_the_games_to_reopen(
        tmp_path, monkeypatch):
    room = Games(host="0.0.0.0", runs=tmp_path)  # reachable from the room: a key
    monkeypatch.setattr(pages, "REGISTRY", room)
    box, rc = console(f"/?key={room.console_key}")
    rc.find(v.Btn, children=["Start"]).widget.click()
    (game,) = room.games.values()
    assert address(rc) == f"/?key={room.console_key}&game={game.id}"  # a reload keeps it
    rc.find(v.Html, class_="ip4-status").assert_single()

    other = room.start("dprk_provocation", seed=2, people=("JPN",))
    box, rc = console(f"/?key={room.console_key}")  # a reload without the game's id
    assert not rc.find(v.Html, class_="ip4-status").widgets
    assert "turn 1 of" in shown(rc) and "waiting for JPN" in shown(rc)
    rc.find(v.Btn, class_=f"ip4-open-{other.id}").widget.click()
    assert address(rc) == f"/?key={room.console_key}&game={other.id}"
    assert f"Game <code>{other.id}</code>, turn 1" in shown(rc)

    for refused in (console("/")[1], console(f"/?game={other.id}&key=guess")[1]):
        assert other.id not in shown(refused) and game.id not in shown(refused)
        refused.find(v.Alert, class_="ip4-refused").assert_single()


def test_a_seat_shows_an_option_not_open_yet_disabled_with_why_and_refuses_it_in_words(
        registry):
    game = registry.start("ukraine_2022", seed=1, people=("NZL",))
    seat = registry.seat(game.id, "NZL", None)
    (request,) = seat.prompts()
    box, rc = solara.render(pages.Prompt(seat, request, True), handle_error=False)
    broad = rc.find(v.Btn, class_="ip4-option-broad").widget
    assert broad.disabled and "(not yet: NZL needs 16 days (new law) for sanctions" in str(
        broad.children)
    broad.click()  # a page the browser let through: refused in words, the question open
    (note,) = rc.find(v.Alert, class_="ip4-seat-note").widgets
    assert note.children == ["refused: 'broad' cannot be chosen yet: NZL needs 16 days (new "
                             f"law) for sanctions; {request.unready['broad'].split('; ')[1]}"]
    assert [r.key for r in seat.prompts()] == [request.key]
    game.answer("NZL", request.engine, request.stage)  # answered elsewhere meanwhile
    rc.find(v.Btn, class_=f"ip4-option-{request.engine}").widget.click()
    rc.find(v.Alert, class_="ip4-seat-note").assert_wait(
        lambda w: w.children == ["refused: no open question for NZL"])


def test_the_console_refuses_in_words_what_a_paused_game_cannot_do(registry):
    paused = "the game is paused: the facilitator plays on first"
    game = registry.start("dprk_provocation", seed=3, people=("JPN",))
    game.hold("AUS")
    game.pause()
    box, rc = solara.render(pages.GameConsole(game, game.version, lambda g: None),
                            handle_error=False)
    engine = rc.find(v.Btn, class_="ip4-engine-JPN").widget
    assert engine.disabled and engine.children == [f"Engine answers for JPN ({paused})"]
    assert rc.find(v.Btn, class_="ip4-next").widget.children == [f"Next turn ({paused})"]
    engine.click()  # the page was drawn before the pause: refused, not a traceback
    rc.find(v.Alert, class_="ip4-seats-note").assert_wait(
        lambda w: w.children == [f"refused: {paused}"])

    game.play_on()
    while not game.held_requests():
        game.engine_answers("JPN") if game.model.waiting else game.next_turn()
    game.pause()
    rc.render(pages.GameConsole(game, game.version, lambda g: None))
    override = rc.find(v.Btn, class_=f"ip4-override-{game.held_requests()[0].engine}").widget
    assert override.disabled and f"not now, {paused}" in shown(rc)
    override.click()
    rc.find(v.Alert, class_="ip4-note").assert_wait(
        lambda w: w.children == [f"refused: {paused}"])
    assert game.held_requests()  # still the facilitator's to answer


def test_the_white_cell_says_what_a_take_back_undid_and_refuses_an_untitled_inject(registry):
    game = registry.start("dprk_provocation", seed=3)
    game.hold("AUS")
    inject = game.contingencies()[0]
    game.release(inject.id)  # into turn 2
    box, rc = solara.render(pages.WhiteCell(game, game.version), handle_error=False)
    rc.find(v.Btn, class_="ip4-inj-release").widget.click()  # no title written
    rc.find(v.Alert, class_="ip4-note").assert_wait(lambda w: w.children == [
        "refused: inject: title: a title is required: it is what the room and the report "
        "read"])
    rc.find(v.Btn, class_="ip4-back").widget.click()  # back to turn 1
    rc.find(v.Alert, class_="ip4-note").assert_wait(lambda w: w.children == [
        f"taken back to turn 1; the holds stand; undone with the turns after it: the "
        f"release of *{inject.title}* into turn 2 (release again what still applies)"])
    assert game.holds_from(1) == {"AUS": {"choice"}}


@pytest.mark.parametrize("path, title", [
    ("/", "ip4sim: facilitator's console"), ("/seat/JPN", "ip4sim: JPN's seat"),
    ("/seat", "ip4sim: seats"), ("/projector", "ip4sim: projector")])
def test_each_page_has_a_title_and_no_tabs_to_the_facilitators_pages(registry, path, title):
    from solara.autorouting import RenderPage, RoutingProvider
    from solara.components.title import TitleWidget
    from solara.routing import Router

    registry.start("dprk_provocation", seed=1, people=("JPN",))
    assert Router(path, pages.routes).possible_match  # the server serves it: no 404
    box, rc = solara.render(RoutingProvider(children=[RenderPage()], routes=pages.routes,
                                            pathname=path), handle_error=False)
    assert title in [w.title for w in rc.find(TitleWidget).widgets]
    assert not rc.find(v.Tab).widgets  # no HOME, SEAT, PROJECTOR tabs anywhere
    if path == "/seat":  # not a seat of no country: where a seat is found
        rc.find(v.Alert, class_="ip4-no-seat").assert_single()


def test_a_seat_bound_by_the_rule_is_told_before_it_chooses(registry):
    game = registry.start("indo_pacific_contingency", seed=3, rule="formal", people=("NZL",))
    seat = registry.seat(game.id, "NZL", None)
    while not (prompts := seat.prompts()) or prompts[0].stage != "choice":
        game.answer("NZL", prompts[0].engine, prompts[0].stage)
    (request,) = prompts
    assert request.binding and request.group_option
    box, rc = solara.render(pages.Prompt(seat, request, False), handle_error=False)
    (warning,) = rc.find(v.Alert, class_="ip4-binding").widgets
    label = request.decision.option(request.group_option).label
    assert f"will take *{label}* whatever you choose" in str(warning.children)


def test_a_branch_shows_the_releases_it_does_not_carry(registry):
    game = registry.start("dprk_provocation", seed=3)
    game.next_turn()
    game.release(game.contingencies()[0].id)  # into turn 3, not fired yet
    branch = registry.branch(game.id, 2)
    box, rc = solara.render(pages.LinesPanel(branch, branch.version, on_open=lambda g: None),
                            handle_error=False)
    (note,) = rc.find(v.Alert, class_="ip4-not-carried").widgets
    assert f"began at turn 2 of `{game.id}`" in str(note.children)
    assert "into turn 3 (release again what still applies)" in str(note.children)


def test_a_console_refused_its_key_does_not_drive_the_games_clock(tmp_path, monkeypatch):
    import time

    now = [0.0]
    room = Games(host="0.0.0.0", runs=tmp_path, clock=lambda: now[0])
    monkeypatch.setattr(pages, "REGISTRY", room)
    game = room.start("dprk_provocation", seed=2, people=("JPN",), time_limit=5)
    assert game.tick() == []  # JPN's question is stamped as asked at 0
    (asked,) = [r.key for r in game.model.waiting]
    now[0] = 60.0  # JPN's time ran out long ago: a page that ticks answers for it

    def open_keys():
        return {r.key for r in game.model.waiting}

    console(f"/?game={game.id}&key=guess")
    time.sleep(1.2)  # two of a watcher's half-second waits
    assert asked in open_keys()
    console(f"/?game={game.id}&key={room.console_key}")  # the facilitator's page does
    deadline = time.monotonic() + 10
    while asked in open_keys() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert asked not in open_keys()


def test_the_games_list_follows_the_open_game(tmp_path, monkeypatch):
    import time

    room = Games(host="0.0.0.0", runs=tmp_path)
    monkeypatch.setattr(pages, "REGISTRY", room)
    game = room.start("dprk_provocation", seed=2)  # nobody seated: turn 1 played
    box, rc = console(f"/?key={room.console_key}&game={game.id}")
    line = f"turn {{}} of {game.model.exercise.turns}, seats played by people"  # its summary
    assert line.format(1) in shown(rc)
    game.next_turn()  # from another browser
    deadline = time.monotonic() + 10
    while line.format(2) not in shown(rc) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert line.format(2) in shown(rc)


def test_the_projector_reached_from_the_network_needs_the_console_s_key(tmp_path, monkeypatch):
    from solara.autorouting import RoutingProvider

    room = Games(host="0.0.0.0", runs=tmp_path)
    monkeypatch.setattr(pages, "REGISTRY", room)
    game = room.start("dprk_provocation", seed=2)

    def projector(path: str):
        return solara.render(RoutingProvider(children=[pages.Projector()], routes=pages.routes,
                                             pathname=path), handle_error=False)[1]

    for refused in (projector(f"/projector?game={game.id}"),
                    projector(f"/projector?game={game.id}&key=guess")):
        refused.find(v.Alert, class_="ip4-refused").assert_single()
        assert game.model.exercise.title not in shown(refused)
    address = pages.projector_address(game)
    assert f"key={room.console_key}" in address
    shown_to_the_room = projector(address)
    assert not shown_to_the_room.find(v.Alert, class_="ip4-refused").widgets
    assert "INJECT" in shown(shown_to_the_room)


def test_the_console_lists_the_saved_games_and_reopens_one_paused_with_new_codes(
        tmp_path, monkeypatch):
    before = Games(runs=tmp_path)  # the server that stopped
    stopped = before.start("dprk_provocation", seed=2, people=("JPN",), time_limit=45)
    stopped.hold("AUS")
    room = Games(host="0.0.0.0", runs=tmp_path)  # started again, open to the room
    monkeypatch.setattr(pages, "REGISTRY", room)
    box, rc = console(f"/?key={room.console_key}&game={stopped.id}")
    rc.find(v.Alert, class_="ip4-no-game").assert_single()
    assert f"{stopped.out.name}</code> North Korea" in shown(rc)
    assert "<strong>in progress</strong>" in shown(rc)
    rc.find(v.Btn, class_=f"ip4-reopen-{stopped.out.name}").widget.click()
    (game,) = room.games.values()
    assert address(rc) == f"/?key={room.console_key}&game={game.id}"
    assert game.out == stopped.out and game.paused and game.time_limit == 45
    assert game.holds_from(game.turn + 1) == {"AUS": {"choice"}}
    rc.find(v.Alert, class_="ip4-saved-note").assert_wait(lambda w: w.children == [
        f"opened `{stopped.out.name}` as game `{game.id}`, paused: give each seat its new "
        "join code (Seats), then play on"])
    assert f"join code <code>{game.codes['JPN']}</code>" in shown(rc)
    assert "None that is not open on this server." in shown(rc)  # listed once it is not open

    (tmp_path / "web-broken").mkdir()
    (tmp_path / "web-broken" / "manifest.json").write_text("{not json")
    assert [s.folder for s in room.saved()] == []  # not a game: never offered


def in_order(box) -> list:
    """Every widget under ``box``, depth first, in the order the page shows them."""
    out = [box]
    for child in getattr(box, "children", None) or []:
        if not isinstance(child, str):  # a widget, not a text
            out += in_order(child)
    return out


def classes_of(box) -> list[str]:
    return [c for w in in_order(box) for c in (getattr(w, "class_", None) or "").split()]


def test_a_started_game_s_seats_and_codes_are_where_the_facilitator_looks(registry):
    # the codes were under the "Start a game" form, off screen
    box, rc = console()
    rc.find(v.BtnToggle, class_="ip4-people").widget.v_model = [1, 2]  # JPN and KOR
    rc.find(v.Btn, children=["Start"]).widget.click()
    (game,) = registry.games.values()
    (started,) = rc.find(v.Alert, class_="ip4-started").widgets  # under Start
    for actor, code in game.codes.items():
        assert f"<strong>{actor}</strong> join code <code>{code}</code>" in str(
            started.children) or f"**{actor}** join code `{code}`" in str(started.children)
    shown_in_order = classes_of(box)
    assert shown_in_order.index("ip4-status") < shown_in_order.index("ip4-seat-JPN") \
        < shown_in_order.index("ip4-games") < shown_in_order.index("ip4-start-form")


def test_the_status_says_in_words_what_changed_last(registry):
    game = registry.start("dprk_provocation", seed=1, people=("JPN",))

    def status() -> str:
        box, rc = solara.render(pages.GameConsole(game, game.version, lambda g: None),
                                handle_error=False)
        said = rc.find(v.Html, class_="ip4-status").find(v.VuetifyTemplate).widgets
        return said[0].template  # the status line, before this turn's consultation

    assert "(change" not in status() and "last: started" in status()
    request = game.waiting_for("JPN")[0]
    game.answer("JPN", request.engine, request.stage)
    assert "last: JPN answered its intention" in status()
    game.engine_answers("JPN")
    assert "last: the engine answered JPN's choice" in status()
    game.pause()
    assert "<strong>paused</strong>; last: paused" in status()


def test_the_release_buttons_wrap_within_their_card(registry):
    game = registry.start("indo_pacific_contingency", seed=2)  # two long titles
    box, rc = solara.render(pages.WhiteCell(game, game.version), handle_error=False)
    (row,) = [w for w in rc.find(v.Sheet).widgets if "ip4-releases" in w.class_.split()]
    assert len(row.children) == len(game.contingencies()) == 2
    assert ".ip4-releases {flex-wrap: wrap" in pages.CONSOLE_CSS  # a row that wraps,
    assert "white-space: normal" in pages.CONSOLE_CSS.split(".ip4-releases .v-btn {")[1]


def test_the_start_form_names_scenarios_and_rules_and_checks_a_rule_s_parameters(registry):
    from sim.rules import REGISTRY as RULES

    box, rc = console()
    scenarios = rc.find(v.Select, label="Scenario").widget
    assert "Ukraine-style response: sanctions, aid and aid through NATO (ukraine_response; " \
           "10 turns of one month)" in scenarios.items
    rules = rc.find(v.Select, label="Rule").widget
    assert all(f"{name}: {RULES[name].summary}" in rules.items for name in RULES)
    spec = rc.find(v.TextField, class_="ip4-rule-spec").widget
    spec.v_model = "coalition:k=x"
    rc.find(v.TextField, class_="ip4-rule-spec").assert_wait(
        lambda w: w.error and w.messages == ["coalition:k=x: k: not a number: 'x'"])
    rc.find(v.Btn, children=["Start"]).widget.click()
    assert not registry.games and "not a number" in str(
        rc.find(v.Alert, class_="ip4-error").widget.children)
    spec.v_model = "coalition:k=2"
    rc.find(v.Html, class_="ip4-rule-parameters").find(v.VuetifyTemplate).assert_wait(
        lambda w: "k=2 (how many must intend the same option)" in w.template)
    rules.v_model = next(label for label in rules.items if label.startswith("caucus:"))
    assert spec.v_model == "caucus"
    spec.v_model = "caucus:cover=0.5"
    scenarios.v_model = next(label for label in scenarios.items if "(ukraine_response;" in label)
    rc.find(v.Btn, children=["Start"]).widget.click()
    (game,) = registry.games.values()
    assert game.model.exercise.id == "ukraine_response"
    assert game.model.rule.spec() == "caucus:pull=1.0,cover=0.5"


def test_the_seat_names_the_option_of_the_engine_s_reading_and_its_probability(registry):
    game = registry.start("ukraine_response", seed=7, people=("JPN",))
    seat = registry.seat(game.id, "JPN", None)
    for _ in range(2):  # its intention, then its choice
        (request,) = seat.prompts()
        box, rc = solara.render(pages.Prompt(seat, request, True), handle_error=False)
        (said,) = rc.find(v.Html, class_="ip4-reading").find(v.VuetifyTemplate).widgets
        best = max(request.probabilities, key=request.probabilities.get)
        label = request.decision.option(best).label
        assert (f"The engine's reading of <em>{label}</em>, the option it finds "
                f"likeliest ({request.probabilities[best]:.0%}): {request.advice}"
                ) in said.template
        game.answer("JPN", request.engine, request.stage)


def test_after_answering_the_seat_confirms_what_its_government_stated_and_chose(registry):
    # it said only "Nothing to answer now."
    game = registry.start("ukraine_response", seed=7, people=("JPN", "KOR"))
    seat = registry.seat(game.id, "JPN", None)
    (request,) = seat.prompts()
    options = request.decision.options
    seat.answer(request, options[0].id)  # Korea has still to state its intention
    box, rc = solara.render(pages.Seat(seat, game.version), handle_error=False)
    rc.find(v.Alert, class_="ip4-idle").assert_single()

    def said() -> str:
        cards = [w for w in rc.find(v.Card).widgets if "ip4-answered" in w.class_.split()]
        return " ".join(w.template for card in cards for w in in_order(card)
                        if isinstance(w, v.VuetifyTemplate))  # its markdown's html

    assert (f"Your government stated it intends <strong>{options[0].label}</strong> "
            f"({request.decision.question})") in said()
    game.engine_answers("KOR")  # the round is recorded: the choice is asked
    rc.render(pages.Seat(seat, game.version))
    assert prompts(rc) == ["ip4-prompt-choice"] and not said()  # until the next question
    (request,) = seat.prompts()
    seat.answer(request, options[1].id)
    game.engine_answers("KOR")
    rc.render(pages.Seat(seat, game.version))
    assert f"stated it intends <strong>{options[0].label}</strong>" in said()
    assert f"chose <strong>{options[1].label}</strong>" in said()
    assert "answered by" not in said()


def test_a_report_that_cannot_be_written_is_a_note_and_the_game_goes_on(registry):
    game = registry.start("dprk_provocation", seed=1)
    (game.out / "report.md").mkdir()  # in the way of the report: fails for root too
    box, rc = solara.render(pages.ReportPanel(game), handle_error=False)
    rc.find(v.Btn, children=["Produce the report"]).widget.click()
    note = rc.find(v.Alert, class_="ip4-report-note").widget.children[0]
    assert note.startswith("refused: no report: could not write ")
    assert "report.md" in note and "Is a directory" in note
    game.next_turn()  # nothing of the game was lost
    assert game.turn == 2


def test_a_take_back_says_the_holds_stand_only_when_one_does(registry):
    game = registry.start("dprk_provocation", seed=3)
    box, rc = solara.render(pages.WhiteCell(game, game.version), handle_error=False)
    rc.find(v.Btn, class_="ip4-back").widget.click()  # back to turn 1, nothing held
    rc.find(v.Alert, class_="ip4-note").assert_wait(
        lambda w: w.children == ["taken back to turn 1"])
