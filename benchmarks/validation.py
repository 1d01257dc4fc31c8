"""The validation page: every pattern and history check, its source and its current result.

    python -m benchmarks.validation [--seeds 50] [--out docs/validation.md] [--no-tests]

Runs the pattern tests (``tests/test_patterns_*.py``) and records each one's outcome, with
the report sentence its docstring quotes and the threshold it states; then plays every
built-in scenario over seeds and sets China's coercion, as the model plays it, beside the
episodes on record (``COERCION_RECORD``); scores the 2022 backtest against its record; and
says which outcomes rest mostly on the assumed weights rather than the seeds. The page is
written, never edited by hand, so it cannot go stale: rerun the command after a change.
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import math
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from agents.catalog import IP4
from analysis.intervals import NONE_ALL_EQUAL
from analysis.outcomes import HEADLINE
from scenarios.loader import builtin_names
from sim.app import ASSUMPTION_RANGE, ASSUMPTION_SEEDS, backtest, compare
from sim.outputs import Choice, Coercion
from sim.request import RunRequest
from sim.runner import play

ROOT = Path(__file__).resolve().parent.parent
PATTERN_FILES = sorted((ROOT / "tests").glob("test_patterns_*.py"))
RULES = ("caucus", "bilateral")
DRAWS = 8  # draws of the assumed weights for the uncertainty section
UNCERTAINTY_SCENARIO = "ukraine_response"

# China's economic coercion of the four on record: the target, when, what China did and
# what the target did. Data the model is scored against; the model never reads it.
COERCION_RECORD = (
    ("JPN", "2010", "rare-earth exports halted September to November after the trawler "
     "collision near the Senkaku Islands; the detained captain was released amid the "
     "pressure; Japan cut its reliance on Chinese rare earths from about 90% to 60%",
     "a provocation (the captain's arrest); one concession (his release), no policy change"),
    ("KOR", "2016-17", "from March 2017, group tours banned and 87 of 112 Lotte Marts "
     "closed after the THAAD deployment; Chinese visitors down over 60%; normalisation in "
     "the joint ROK-China announcement of 31 October 2017",
     "a provocation (THAAD); THAAD stayed"),
    ("AUS", "2020-23", "barley duties (May 2020 to August 2023, WTO dispute DS598), wine "
     "duties (March 2021 to March 2024, DS602), an informal coal ban until early 2023, after "
     "the call for a COVID-19 origins inquiry; affected trade fell from about A$20bn to A$2bn",
     "a provocation (the inquiry call); no policy reversed"),
    ("JPN", "2023", "all Japanese seafood banned by China's customs from 24 August 2023 to "
     "June 2025 after the release of treated water from Fukushima Daiichi",
     "a provocation (the release); the release went on"),
    ("NZL", "2019", "no formal measure; informal slights after the Huawei 5G decision",
     "no coercion of record"),
)


class Outcomes:
    """A pytest plugin that keeps each test's outcome and docstring."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            outcome = "xfail" if hasattr(report, "wasxfail") else report.outcome
            self.rows[report.nodeid] = (outcome, self.rows.get(report.nodeid, ("", ""))[1])

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            doc = inspect.getdoc(getattr(item, "function", None)) or ""
            self.rows[item.nodeid] = ("not run", doc)


def pattern_results(files: list[Path]) -> dict[str, tuple[str, str]]:
    plugin = Outcomes()
    pytest.main(["-q", "-p", "no:cacheprovider", *map(str, files)], plugins=[plugin])
    return plugin.rows


def coercion_in_the_model(seeds: int) -> dict[tuple[str, str], dict[str, Counter]]:
    """China's attempts and successes per target, and the partners' choices that provoked
    it (an option with provokes_china > 0), per scenario and rule, over seeds 0..n-1."""
    out: dict[tuple[str, str], dict[str, Counter]] = {}
    for scenario in builtin_names():
        for rule in RULES:
            tally = {"attempts": Counter(), "successes": Counter(), "provoking": Counter()}
            for seed in range(seeds):
                played = play(RunRequest(scenario=scenario, rule=rule, seed=seed))
                provoking = {o.id for d in played.checked.loaded.scenario.decisions
                             for o in d.options
                             if o.provokes_china > 0}
                for e in played.events:
                    if isinstance(e, Coercion):
                        tally["attempts"][e.target] += 1
                        tally["successes"][e.target] += e.success
                    elif isinstance(e, Choice) and e.actor in IP4 and e.option in provoking:
                        tally["provoking"][e.actor] += 1
            out[(scenario, rule)] = tally
    return out


def per_run(counter: Counter, seeds: int) -> str:
    return ", ".join(f"{code} {counter[code] / seeds:.2f}" for code in IP4)


def first_line(doc: str) -> str:
    return " ".join(doc.split("\n\n")[0].split())


def threshold(doc: str) -> str:
    rest = " ".join(doc.split("\n\n", 1)[1].split()) if "\n\n" in doc else ""
    return rest.removeprefix("Threshold: ")


def backtest_section(seeds: int) -> list[str]:
    """The 2022 backtest's scores and threat table (``ip4sim backtest``), as its report
    gives them, with the draws of the assumed weights."""
    with tempfile.TemporaryDirectory() as folder:
        backtest(n_seeds=seeds, out_dir=folder, progress=False, assumptions=DRAWS,
                 command=["ip4sim", "backtest", "--seeds", str(seeds), "--assumptions",
                          str(DRAWS)])
        text = (Path(folder) / "backtest.md").read_text(encoding="utf-8")
    # the record's path as the repository names it, not this machine
    body = text.split("\n## The record's sources")[0].split("\n", 1)[1] \
        .replace(f"{ROOT}/", "")
    return ["## History: the 2022 backtest", "",
            "Runs of `ukraine_2022` (February to July 2022 in weekly turns) scored against "
            "the record of what the four and the allies did and when "
            "(`scenarios/records/ukraine_2022.yaml`, every entry cited; the model never "
            "reads it). The default profiles, under the caucus.", "",
            *body.replace("\n## ", "\n### ").strip().splitlines(), ""]


def uncertainty_section(seeds: int) -> list[str]:
    """Which outcomes rest on the assumed weights (``compare --assumptions``)."""
    with tempfile.TemporaryDirectory() as folder:
        done = compare(UNCERTAINTY_SCENARIO, RULES, seeds, out_dir=folder, progress=False,
                       assumptions=DRAWS)
    rows = sorted((a for a in done.assumptions or [] if a.actor == "" and a.outcome in HEADLINE),
                  key=lambda a: (list(HEADLINE).index(a.outcome), RULES.index(a.rule)))
    lines = [
        "## Uncertainty: the seeds and the assumed weights", "",
        "A compare interval (the 95% t interval of the mean over seeds) is seed noise alone: "
        "it says how sure the mean is *given* the model's weights. Every utility weight "
        "(`w_*` in `scenarios/parameters.py`) is an assumption, so `compare --assumptions K` "
        f"(and `backtest --assumptions K`) also plays K draws of all of them at once, each "
        f"weight independently between {1 - ASSUMPTION_RANGE:g} and {1 + ASSUMPTION_RANGE:g} "
        f"times its value (nothing pins them closer than that), over the batch's first "
        f"{ASSUMPTION_SEEDS} seeds (the same for every draw, so the draws differ by their "
        "weights, not their seeds). Per outcome: `seed_se`, the standard error of the mean "
        "over the batch's seeds; `weights_sd`, the standard deviation of the outcome's mean "
        "across the draws; and the weights' share of the two variances, "
        "sd_w^2 / (sd_w^2 + se^2). Above 0.5 the outcome *rests mostly on the assumed "
        "weights*: more seeds would not make it surer. Two honest limits: the share is "
        "relative to the batch's own precision (with more seeds se shrinks and the share "
        "grows), and what seed noise is left in a draw's 20-seed mean counts as the weights' "
        "(so the share is an upper bound). The draws vary the weights together: this says "
        "how much an outcome rests on the weights, not which weight; `ip4sim sweep` with a "
        "Sobol or Morris design says which.", "",
        f"`{UNCERTAINTY_SCENARIO}`, {seeds} seeds per rule, {DRAWS} draws:", "",
        "| outcome | rule | mean [95% t interval] | seed_se | weights_sd | weights' share "
        "| rests on |", "| --- | --- | --- | --- | --- | --- | --- |"]
    summary = {(r.rule, r.outcome, r.actor): r for r in done.summary}
    for a in rows:
        s = summary[(a.rule, a.outcome, "")]
        # no interval where every run gave the same unbounded value (analysis.intervals)
        interval = "(all equal)" if s.interval == NONE_ALL_EQUAL else "" \
            if math.isnan(s.ci_low) else f"[{s.ci_low:.3g}, {s.ci_high:.3g}]"
        lines.append(f"| {HEADLINE[a.outcome]} | {a.rule} | {s.mean:.3g} {interval} | "
                     f"{a.seed_se:.2g} | {a.weights_sd:.2g} | "
                     f"{'-' if a.rests_on == 'neither varies' else f'{a.weights_share:.2f}'} | "
                     f"{a.rests_on} |")
    return [*lines, ""]


def page(patterns: dict[str, tuple[str, str]] | None, coercion: dict, seeds: int,
         history: list[str] | None = None) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "unknown"
    lines = [
        "# Validation",
        "",
        f"Generated by `python -m benchmarks.validation --seeds {seeds}` at commit {commit} "
        f"({datetime.date.today().isoformat()}); do not edit by hand. Each pattern is a test "
        "over seeds that quotes the report's sentence (its source) and states its threshold; "
        "the history checks set the model's behaviour beside the record.",
        "",
    ]
    if patterns is not None:
        counts = Counter(outcome for outcome, _ in patterns.values())
        lines += ["## Patterns from the report", "",
                  "Result: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ".",
                  "", "| test | source (the report) | threshold | result |",
                  "| --- | --- | --- | --- |"]
        for nodeid, (outcome, doc) in patterns.items():
            name = nodeid.removeprefix("tests/")
            cell = first_line(doc).replace("|", "/")
            lines.append(f"| `{name}` | {cell} | {threshold(doc).replace('|', '/')} "
                         f"| {outcome} |")
        lines.append("")
    lines += [
        "## History: China's economic coercion",
        "",
        "What a successful coercion means in the model (`docs/ODD.md` 7.7): China attempts "
        "when a partner's expected value (chance the pressure lands x China's gain, the gain "
        "rising with the partner's provocation) clears `coercion_threshold`; a success adds "
        "China's `coercion_intensity` to the target's felt coercion, which multiplies its "
        "coercion-risk term by 1 + coerced and halves every turn (`coercion_decay`). So a "
        "success is a softened stance, for a few turns, on the options that provoke China: "
        "it makes a choice away from them likelier, never forces one, and ends no policy.",
        "",
        "### The record",
        "",
        "| target | when | what China did | what it followed, and what the target did |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {t} | {when} | {what} | {after} |" for t, when, what, after in COERCION_RECORD]
    lines += [
        "",
        f"### The model (attempts, successes and provoking choices per run, seeds 0 to "
        f"{seeds - 1})",
        "",
        "| scenario | rule | attempts | successes | provoking choices |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (scenario, rule), tally in coercion.items():
        lines.append(f"| `{scenario}` | {rule} | {per_run(tally['attempts'], seeds)} | "
                     f"{per_run(tally['successes'], seeds)} | "
                     f"{per_run(tally['provoking'], seeds)} |")
    attempted = Counter()
    for tally in coercion.values():
        attempted.update(tally["attempts"])
    recorded = {t for t, *_ in COERCION_RECORD[:-1]}
    lines += [
        "",
        "### Against the record",
        "",
        "- Every episode on record followed a provocation; in the model China waits for one "
        "by construction (no unprovoked partner clears the threshold, 7.7).",
        "- Targets on record: " + ", ".join(sorted(recorded)) + "; never New Zealand. "
        "Targets in the model over all scenarios: "
        + ", ".join(f"{c} {attempted[c]}" for c in IP4) + " attempts.",
        "- " + ("Japan is never targeted in the model, against two episodes on record: its "
                "exposure (0.229) and felt vulnerability (0.4) keep the chance coercion lands "
                "near 0.15 unbacked, so only a provocation above 0.43 makes it worth trying "
                "(7.7), and none of Japan's choices here made one."
                if not attempted["JPN"] else "Japan is targeted in the model, as on record."),
        "- " + ("New Zealand is targeted in the model, against no formal measure on record: "
                "its felt vulnerability (0.7, the report's \"feel vulnerable\") makes the "
                "pressure likely to land, so a small provocation is worth it to China."
                if attempted["NZL"] else "New Zealand is never targeted, as on record."),
        "- " + disinformation_note(coercion, seeds),
        "",
        *(history or []),
    ]
    return "\n".join(lines)


def disinformation_note(coercion: dict, seeds: int) -> str:
    """Australia against New Zealand in the disinformation scenario, with the reason."""
    seen = {rule: coercion[("disinformation_campaign", rule)] for rule in RULES}
    counts = "; ".join(
        f"{rule}: attempts AUS {t['attempts']['AUS'] / seeds:.2f}, NZL "
        f"{t['attempts']['NZL'] / seeds:.2f}, provoking choices AUS "
        f"{t['provoking']['AUS'] / seeds:.2f}, NZL {t['provoking']['NZL'] / seeds:.2f}"
        for rule, t in seen.items())
    more = any(t["attempts"]["AUS"] > t["attempts"]["NZL"] for t in seen.values())
    why = ("China coerces Australia more often than New Zealand under some rule although "
           "Australia's chance of success is lower (7.7): its gain is higher, because "
           "Australia makes the provoking choices and New Zealand rarely does. That is the "
           "record's Australia of 2020, coerced after a provocation, not for being the most "
           "exposed; kept, not fixed." if more else
           "China does not coerce Australia more often than New Zealand here.")
    return f"In `disinformation_campaign` ({counts} per run): {why}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.validation",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=50, help="seeds per scenario and rule")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "validation.md")
    parser.add_argument("--no-tests", action="store_true",
                        help="leave out the pattern tests (the history checks only)")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds: at least 1")
    patterns = None if args.no_tests else pattern_results(PATTERN_FILES)
    history = [*backtest_section(args.seeds), *uncertainty_section(args.seeds)]
    text = page(patterns, coercion_in_the_model(args.seeds), args.seeds, history)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
