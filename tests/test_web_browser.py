"""A whole exercise in a real headless Chromium (the operating system's, installed by
`make test`): the facilitator starts a game with two human seats, each seat answers in
its own browser, the facilitator holds and overrides an engine choice, releases an
inject, takes back a turn, plays to the end and produces the report; the run folder
then replays to the same report with `ip4sim run --replay`."""

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from sim.outputs import Choice, InjectReleased, read_events  # noqa: E402

ROOT = Path(__file__).parent.parent
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000")
SCENARIO = "cyber_attack"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "sim.cli", "serve", "--port", str(port),
                                "--runs", str(runs)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdout.readline().startswith(f"ip4sim serve: http://127.0.0.1:{port}")
    yield f"http://127.0.0.1:{port}", runs
    process.terminate()
    process.wait(10)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tempfile.mkdtemp()}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(DRIVER))


def fresh(read, timeout=20.0):
    """``read()`` again while the page redraws under it (a stale element)."""
    end = time.monotonic() + timeout
    while True:
        try:
            return read()
        except StaleElementReferenceException:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def wait_for(driver, css, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = fresh(lambda: [e for e in driver.find_elements(By.CSS_SELECTOR, css)
                               if e.is_displayed()])
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{css} did not appear")


def click(driver, css, pick=lambda found: found[0]):
    fresh(lambda: pick(wait_for(driver, css)).click())


def status(driver) -> str:
    return fresh(lambda: wait_for(driver, ".ip4-status")[0].text)


def until_changed(driver, before, timeout=20.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end and status(driver) == before:
        time.sleep(0.05)
    return status(driver)


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs chromium and chromedriver "
                    "(`make test` installs them)")
def test_a_whole_exercise_in_the_browser_replays_to_the_same_report(server, tmp_path):
    url, runs = server
    console, japan, korea = browser(), browser(), browser()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    try:
        console.get(url + "/")
        wait_for(console, ".ip4-start")
        for code in ("JPN", "KOR"):
            fresh(lambda c=code: console.find_element(
                By.XPATH, f"//*[contains(@class,'ip4-people')]//*[text()='{c}']").click())
        click(console, ".ip4-start")  # the first scenario in the list: cyber_attack
        assert "waiting for JPN, KOR" in status(console)
        assert "join code" in fresh(lambda: wait_for(console, ".ip4-started")[0].text)
        assert "?game=" in console.current_url  # a reload keeps the game

        for seat, code in ((japan, "JPN"), (korea, "KOR")):  # each in its own browser
            seat.get(fresh(lambda c=code: console.find_element(
                By.XPATH, f"//a[contains(@href,'/seat/{c}')]").get_attribute("href")))
            wait_for(seat, "[class*=ip4-prompt-]")
            assert seat.title == f"ip4sim: {code}'s seat"
            assert not seat.find_elements(By.CSS_SELECTOR, ".v-tab")  # nothing of the console's
        for stage in ("intention", "choice"):  # both intend, then both choose
            for seat in (japan, korea):
                wait_for(seat, f".ip4-prompt-{stage}")
                if seat is japan and stage == "choice":  # the consultation heard
                    japan.save_screenshot(str(shots / "seat.png"))
                before = status(console)
                click(seat, f".ip4-prompt-{stage} [class*=ip4-option-]")
                until_changed(console, before)

        click(console, ".ip4-hold")  # Australia's next choice waits for the facilitator
        note_says(console, "next choice is held")
        while not console.find_elements(By.CSS_SELECTOR, "[class*=ip4-held-]"):
            step(console)
        text = fresh(lambda: wait_for(console, "[class*=ip4-held-]")[0].text)
        engine = text.split("(engine: ")[1].split(")")[0]
        before = status(console)
        click(console, "[class*=ip4-override-]", lambda found: next(
            b for b in found if f"ip4-override-{engine}" not in b.get_attribute("class")))
        until_changed(console, before)
        override_turn = turn_of(before)

        click(console, "[class*=ip4-release-]")
        note_says(console, "released")  # the hold's note is still up: wait for this one
        while turn_of(status(console)) < override_turn + 2:
            step(console)
        back = wait_for(console, ".ip4-back-turn input")[0]
        back.send_keys(Keys.CONTROL, "a")
        back_to = override_turn + 2
        back.send_keys(str(back_to), Keys.ENTER)
        before = status(console)
        click(console, ".ip4-back")
        assert turn_of(until_changed(console, before)) == override_turn + 1

        while "finished" not in status(console):
            step(console)
        console.execute_script("document.querySelector('.ip4-status').scrollIntoView()")
        console.save_screenshot(str(shots / "console.png"))  # where the game stands, its seats
        click(console, ".ip4-report")
        wait_for(console, ".ip4-report-text", timeout=60)

        projector = browser()
        try:
            projector.get(fresh(lambda: console.find_element(
                By.LINK_TEXT, "Projector").get_attribute("href")))
            projector.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": 1600, "height": 900, "deviceScaleFactor": 1, "mobile": False})
            wait_for(projector, ".ip4-projector img", timeout=30)
            size, figure, window = projector.execute_script(
                "const p = document.querySelector('.ip4-projector .solara-markdown p');"
                "const i = document.querySelector('.ip4-projector img').getBoundingClientRect();"
                "return [parseFloat(getComputedStyle(p).fontSize), [i.top, i.bottom, i.width],"
                " [window.innerWidth, window.innerHeight]]")
            assert size >= 20  # large type
            top, bottom, width = figure  # on a projector's screen, whole, without scrolling
            assert window == [1600, 900] and top >= 0 and bottom <= 900 and width > 800
            projector.save_screenshot(str(shots / "projector.png"))
        finally:
            projector.quit()
    finally:
        for driver in (console, japan, korea):
            driver.quit()

    folder = next(runs.glob(f"web-{SCENARIO}-*"))
    events = read_events(folder / "events.jsonl")
    by = {e.by for e in events if isinstance(e, Choice)}
    assert {"human", "facilitator", "engine"} <= by
    assert any(isinstance(e, InjectReleased) for e in events)
    replay = tmp_path / "replay"
    subprocess.run([sys.executable, "-m", "sim.cli", "run", SCENARIO, "--seed", "1",
                    "--replay", str(folder / "events.jsonl"), "--out", str(replay), "--quiet"],
                   cwd=ROOT, check=True, capture_output=True)
    # the same report, but for the folder each names in the command it suggests, and for
    # the take-back, which the browser's game keeps in its manifest (what it undid: here
    # nothing people did, taken back to the start of the turn under way) and a replay of
    # the record cannot know
    served = (folder / "report.md").read_text().replace(str(folder), "FOLDER")
    took_back = ("- The white cell took the game back **once**; what it undid is not in the "
                 f"record below:\n  - at turn {back_to}, to the start of turn {back_to}: no "
                 "choice by people, no release\n")
    assert took_back in served
    assert (replay / "report.md").read_text().replace(str(replay), "FOLDER") == \
        served.replace(took_back, "")
    assert read_events(replay / "events.jsonl") == events
    for name in ("console", "seat", "projector"):
        assert (shots / f"{name}.png").stat().st_size > 10_000


def note_says(driver, text, timeout=20.0):
    """The white cell's note once it says ``text`` (a click the page redrew under, lost,
    would leave the last note standing)."""
    end = time.monotonic() + timeout
    while text not in fresh(lambda: wait_for(driver, ".ip4-note")[0].text):
        if time.monotonic() > end:
            raise AssertionError(f"the note never said {text!r}")
        time.sleep(0.05)


def turn_of(status_text: str) -> int:
    return int(status_text.split(", turn ")[1].split(" ")[0])


def step(console, timeout=20.0):
    """One move of the white cell: let the engine answer a waiting seat, or go on (once
    the page shows either: a page drawn before the seats' panel has neither)."""
    before = status(console)
    end = time.monotonic() + timeout
    while not (move := next((css for css in ("[class*=ip4-engine-]", ".ip4-next:enabled")
                             if console.find_elements(By.CSS_SELECTOR, css)), None)):
        if time.monotonic() > end:
            raise AssertionError("no seat to answer for and no turn to play")
        time.sleep(0.05)
    click(console, move)
    until_changed(console, before)
