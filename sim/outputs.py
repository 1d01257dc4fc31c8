"""The output contract: what a run leaves behind, and the one writer and reader of it.

A run folder holds ``events.jsonl`` (the typed events below, one JSON line each),
``timeseries.csv`` (tidy :data:`Row` s: turn, metric, actor, value) and
``manifest.json`` (a :class:`RunManifest`: what produced the run, and everything a
report needs). A batch of runs adds result rows (:data:`ResultRow`). ``analysis/``
reads runs through this module and nothing else of ``sim/``, so an event carries what
a reader needs: who, what, and, for a choice, why.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from agents.catalog import ADVERSARIES, IP4
from scenarios.errors import InputError, Problem, dotted
from scenarios.information import NARRATIVES
from scenarios.information import PUBLIC_DIPLOMACY as PUBLIC_DIPLOMACY  # for readers
from scenarios.schema import ExpectedAction, Inject
from sim.writing import replaced
from sim.writing import write_bytes as write_bytes  # for readers: the figures' files

# The partners, in the order outputs list them, and the adversaries (re-exported: readers
# need no model input); every other actor is an ally.
PARTNERS = IP4
ADVERSARY_CODES = ADVERSARIES
# What a Message's narrative id reads as; NATO's own messages carry PUBLIC_DIPLOMACY.
NARRATIVE_LABELS = {n.id: n.label for n in NARRATIVES.values()}
Row = tuple[int, str, str, float]  # turn, metric, actor ("" for the whole run), value
OutcomeRow = tuple[str, str, float]  # outcome, actor ("" for run-wide), value
ResultRow = tuple[str, str, int, str, str, float]  # scenario, rule, seed, outcome, actor, value
TIMESERIES_HEADER = ("turn", "metric", "actor", "value")
RESULT_COLUMNS = ("scenario", "rule", "seed", "outcome", "actor", "value")

# The named terms of a choice's utility, in the order of the engine's term array, and
# how an account names them.
TERMS = (
    "position", "us_pull", "peer_pull", "coercion_risk", "russia_risk", "china_framing",
    "formalization", "nato_ties", "cost", "public", "consensus_norm", "public_threat",
)
TERM_LABELS = {
    "position": "position", "us_pull": "US pull", "peer_pull": "partner pull",
    "coercion_risk": "coercion risk", "russia_risk": "Russian pressure",
    "china_framing": "China framing", "formalization": "formalization",
    "nato_ties": "NATO ties", "cost": "cost", "public": "public opinion",
    "consensus_norm": "consensus norm", "public_threat": "public's threat perception",
}


# What each term measures, and what it reads: the weight (a parameter) and the actor's
# profile values (``POSITION`` stands for the decision's own dimension). The equations are
# ``sim.decisions.term_array``; ``ip4sim why`` prints these beside a choice's terms.
POSITION = "(the question's dimension)"
TERM_MEANINGS = {
    "position": "closeness of the option to the actor's own view on the question's dimension, "
                "counted more when the question is pressing",
    "us_pull": "closeness of the option to the United States' position, times the actor's "
               "alignment with the United States",
    "peer_pull": "closeness of the option to the group's option under the coordination rule "
                 "(0 when the actor is in no group)",
    "coercion_risk": "felt risk of Chinese coercion if the option provokes China: felt "
                     "vulnerability, less the partners' backing, more with pressure already felt",
    "russia_risk": "the deterrent of Russia's pressure on options that provoke Russia",
    "china_framing": "the dislike of cooperation with NATO being framed as about China",
    "formalization": "the dislike of formalizing the IP4",
    "nato_ties": "the benefit of acting through NATO, for an actor integrated into it",
    "cost": "the option's material cost, heavier for a smaller actor",
    "public": "the public's support for engaging NATO (above or below neutral), times the "
              "option's visibility; the profile gives the anchor, the run's public moves it",
    "consensus_norm": "an ally's reluctance to block consensus at the North Atlantic Council",
    "public_threat": "how far the public's perception of China or Russia as a threat has risen "
                     "above its polled anchor, toward the more forward options (only on "
                     "questions about China or Russia)",
}
TERM_WEIGHTS = {
    "position": "w_position", "us_pull": "w_us_pull", "peer_pull": "w_peer_pull",
    "coercion_risk": "w_coercion", "russia_risk": "w_russia_risk", "china_framing": "w_framing",
    "formalization": "w_formalization", "nato_ties": "w_nato_ties", "cost": "w_cost",
    "public": "w_public", "consensus_norm": "w_consensus_norm",
    "public_threat": "w_public_threat",
}
TERM_PROFILE = {
    "position": (POSITION,), "us_pull": ("us_alignment",), "peer_pull": (),
    "coercion_risk": ("coercion_vulnerability",), "russia_risk": (),
    "china_framing": ("china_framing_aversion",), "formalization": ("formalization_aversion",),
    "nato_ties": ("nato_integration",), "cost": ("capability",),
    "public": ("public_support",), "consensus_norm": (),
    "public_threat": ("public_china_threat", "public_russia_threat"),
}


def because(terms: dict[str, float], top: int = 3) -> str:
    """'position +0.42, US pull +0.18, coercion risk -0.05': the terms that weighed most."""
    ranked = sorted(terms.items(), key=lambda kv: -abs(kv[1]))[:top]
    return ", ".join(f"{TERM_LABELS[name]} {value:+.2f}" for name, value in ranked)


class EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    turn: int


class InjectFired(EventBase):
    kind: Literal["inject"] = "inject"
    inject: str
    title: str
    synopsis: str
    world: dict[str, float] = Field(default_factory=dict, description="variables changed")
    opens: list[str] = Field(default_factory=list)
    expected: list[ExpectedAction] = Field(default_factory=list)


class InjectReleased(EventBase):
    """The facilitator released an inject into this turn: one of the scenario's
    contingency injects, or one written on the spot. It carries the inject whole, so a
    replay releases it again; its firing follows as an ``InjectFired``."""

    kind: Literal["released"] = "released"
    inject: Inject
    by: str = "facilitator"


class DecisionOpened(EventBase):
    kind: Literal["decision"] = "decision"
    decision: str
    question: str
    forum: str
    dimension: str = Field(description="the profile dimension the options are placed on")
    options: dict[str, str] = Field(description="option id -> label")


class GroupStance(EventBase):
    """What the coordination rule made of the intentions the partners stated."""

    kind: Literal["group_stance"] = "group_stance"
    decision: str
    rule: str
    members: list[str]
    option: str | None
    binding: bool
    note: str
    intentions: dict[str, str] = Field(default_factory=dict, description=(
        "partner -> the option it stated it intends, as heard in the consultation"))
    stated_by: dict[str, str] = Field(default_factory=dict, description=(
        "partner -> who stated its intention, where not the engine ('human', ...)"))


def said_nothing(value: object) -> bool:
    """A field left out of an event's JSON: None or empty (see ``Choice``)."""
    return not value


class Choice(EventBase):
    kind: Literal["choice"] = "choice"
    decision: str
    actor: str
    option: str
    position: float
    probability: float = Field(description="the engine's probability of the chosen option")
    by: str = Field(description="who chose: 'engine', or a seat's name ('scripted', "
                                "'human', 'facilitator', ...), with ', bound by RULE' when "
                                "a rule bound it")
    terms: dict[str, float] = Field(description=(
        "each term's pull toward this option, relative to the average option (empty in a "
        "batch's runs whose reduce does not read it)"))
    group: str | None = Field(default=None, description="group option it was drawn toward")
    violation: float = Field(default=0.0, description=(
        "for a member a binding group position covers: its own best option's utility less "
        "the bound option's (0 when they are the same)"))
    swayed_from: str | None = Field(default=None, description=(
        "public opinion tipped this choice: the option the actor would have chosen, with the "
        "same random draw, had its public's support stayed at its anchor"))
    engine_option: str | None = Field(default=None, description=(
        "for a choice a seat other than the engine made (a person, a script, the "
        "facilitator): the option the engine drew with the same random number"))
    # the three below are left out of a choice's JSON where they say nothing, so a run with
    # neither binding nor lead times writes the events it wrote before they were added
    likeliest: dict[str, float] = Field(default_factory=dict, exclude_if=said_nothing,
                                        description=(
        "when the option chosen was not the one the engine found most likely: that option, "
        "with its probability (a teacher asks what the actor would most likely have done)"))
    bound_from: str | None = Field(default=None, exclude_if=said_nothing, description=(
        "for a member a binding group position overrode: the option it chose itself (its "
        "seat's answer or the engine's draw) before the rule bound it"))
    not_yet: dict[str, str] = Field(default_factory=dict, exclude_if=said_nothing,
                                    description=(
        "the options the government could not take yet (a measure within its lead time), "
        "each with why: what it chose was chosen among the others"))


class JointPosition(EventBase):
    kind: Literal["joint"] = "joint"
    decision: str
    members: list[str]
    option: str


class CouncilVote(EventBase):
    kind: Literal["council"] = "council"
    decision: str
    outcome: Literal["approved", "blocked"]
    option: str = Field(description="the option the Council adopts (the most chosen non-block)")
    blockers: list[str]
    tally: dict[str, int]


class Coercion(EventBase):
    kind: Literal["coercion"] = "coercion"
    actor: str
    target: str
    pressure: float
    backing: float
    success: bool


class Pressure(EventBase):
    kind: Literal["pressure"] = "pressure"
    actor: str
    level: float
    note: str


class Message(EventBase):
    """A disinformation campaign (CHN, RUS) or NATO public diplomacy (NATO) in one turn."""

    kind: Literal["message"] = "message"
    actor: str
    narrative: str = Field(description="a narrative id, or public_diplomacy")
    reach: dict[str, float] = Field(description="target -> share of its public reached")
    intensity: float
    note: str = ""


class LeverSwitched(EventBase):
    """A lever that needed the allies' consensus takes effect."""

    kind: Literal["lever"] = "lever"
    lever: str
    value: float
    decision: str
    note: str = ""


class PublicOpinion(EventBase):
    """The publics after a turn's update: country means."""

    kind: Literal["publics"] = "publics"
    means: dict[str, dict[str, float]] = Field(description=(
        "country -> awareness, understanding, support, gap, inoculation, belief.<narrative>"))


Event = Annotated[
    InjectFired | InjectReleased | DecisionOpened | GroupStance | Choice | JointPosition
    | CouncilVote | Coercion | Pressure | Message | LeverSwitched | PublicOpinion,
    Field(discriminator="kind"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def reads_no_terms[F](reduce: F) -> F:
    """Mark a batch's reduce (``reduce(events, timeseries) -> rows``) that never reads
    ``Choice.terms``: a batch then plays its runs without explaining each choice, which
    leaves every other field of every event as it was (``tests/test_engine.py``)."""
    reduce.reads_terms = False  # type: ignore[attr-defined]
    return reduce


def reads_terms(reduce: object) -> bool:
    """Whether a reduce may read ``Choice.terms`` (unless marked, it may)."""
    return getattr(reduce, "reads_terms", True)


def to_jsonl(events: list[BaseModel]) -> str:
    return "".join(e.model_dump_json() + "\n" for e in events)


def read_events(path: str | Path) -> list[Event]:
    """Read an events.jsonl file back into typed events; InputError names the line and the
    field of each line that is not an event (a replay's file is a user's input)."""
    events, problems = [], []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        try:
            events.append(EVENT_ADAPTER.validate_python(json.loads(line)))
        except ValidationError as err:
            problems += [Problem(str(path), dotted(e["loc"]), e["msg"], number)
                         for e in err.errors(include_url=False)]
        except ValueError as err:  # not JSON
            problems.append(Problem(str(path), "", f"not a JSON line: {err}", number))
    if problems:
        raise InputError(problems)
    return events


# -- the manifest -----------------------------------------------------------------------

class ScenarioRecord(BaseModel):
    id: str
    title: str
    file: str
    sha256: str
    turns: int
    turn_represents: str


Stage = Literal["intention", "choice"]  # what a request asks: an intention, or a choice


class GivenAnswer(BaseModel):
    """An answer a seat gave to a round of questions that another seat has still to answer:
    the events hold a round's answers only once it is complete."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    turn: int
    decision: str
    actor: str
    stage: Stage
    option: str
    by: str = Field(description="who answered, as a choice records it ('human', ...)")


class Pending(BaseModel):
    """What a game stopped in the middle holds beyond its events, so that a resume picks
    it up as it stood: the white cell's holds, its releases not yet fired, and the answers
    given to a round still open."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    holds: dict[str, list[Stage]] = Field(default_factory=dict, description=(
        "actor -> the stages of its next requests the facilitator answers (held, or open "
        "and held)"))
    releases: list[InjectReleased] = Field(default_factory=list, description=(
        "injects released into turns to come, in the order they fire"))
    answers: list[GivenAnswer] = Field(default_factory=list, description=(
        "answers given to the round under way, whose other seats have yet to answer"))


class BranchOrigin(BaseModel):
    """Where a browser game's line of play branched from (the console's *Branch*)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    folder: str = Field(description=(
        "the run folder of the line it branched from, beside its own; a folder, not that "
        "game's id, which a server gives anew each time it opens a game"))
    turn: int = Field(ge=1, description="the turn this line began at")
    not_carried: list[InjectReleased] = Field(default_factory=list, description=(
        "the white cell's releases into that turn or later on the line it left, which this "
        "line does not carry"))


class UndoneChoice(BaseModel):
    """A choice or a stated intention of people (a team, or the white cell) that a
    take-back undid, in the room's words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    turn: int
    actor: str
    question: str = Field(description="the question as the room read it")
    option: str = Field(description="the option's label as the room read it")
    by: str = Field(description="who chose it: 'human' or 'facilitator'")
    stage: Stage = Field("choice", description="a choice, or an intention stated")


class TakeBack(BaseModel):
    """The white cell took a browser game back to the start of an earlier turn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at_turn: int = Field(description="the turn the game stood at")
    to_turn: int = Field(description="the turn whose start it went back to")
    releases: list[str] = Field(default_factory=list,
                                description="the titles of the releases it undid")
    choices: list[UndoneChoice] = Field(default_factory=list,
                                        description="the people's choices it undid")


class ConsoleSettings(BaseModel):
    """The browser console's settings for a game (``ip4sim serve``), kept for a reopening,
    and what the white cell did to its line of play that its events do not hold: where it
    branched from, and the take-backs (the debrief reports them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_limit: float | None = Field(None, description="seconds a seat has for each answer")
    show_engine: bool = Field(True, description="seats see the engine's reading")
    # left out for a game that did not branch, whose manifest stays as it was before
    branched: BranchOrigin | None = Field(None, exclude_if=said_nothing,
                                          description="the line of play it branched from")
    taken_back: list[TakeBack] = Field(default_factory=list, exclude_if=said_nothing,
                                       description="the take-backs on this line, in order")


class ProfileValue(BaseModel):
    """One profile value a run used, with where it comes from (``agents/profiles.py``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    source: Literal["report", "outside", "assumption", "override"]
    evidence: str = Field(description="the source in one line: the report's sentence, the "
                                      "outside citation, the assumption's reason")
    cited: str = Field("", description="the report's sentence or the outside citation "
                                       "alone; empty for an assumption or an override")


class RunManifest(BaseModel):
    """What produced a run folder, and what a report of it needs; ``status`` says
    whether the run reached its last turn (a saved game is ``in progress``)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["run"] = "run"
    status: Literal["complete", "in progress"] = "complete"
    ip4sim: str
    scenario: ScenarioRecord
    rule: str
    seed: int
    parameters: dict[str, float | int | None]
    overrides: dict[str, dict[str, float]] = Field(default_factory=dict)
    governments: dict[str, str] = Field(default_factory=dict)
    levers: dict[str, float] = Field(default_factory=dict, description="in effect for the run")
    players: dict[str, str] = Field(default_factory=dict, description=(
        "actor -> who played it, where not the engine ('human', 'scripted', ...)"))
    actors: dict[str, str] = Field(default_factory=dict, description="actor code -> name")
    profiles: dict[str, dict[str, ProfileValue]] = Field(default_factory=dict, description=(
        "actor -> dimension -> the value the run used and its source, overrides included"))
    dimensions: dict[str, str] = Field(default_factory=dict,
                                       description="profile dimension -> what it means")
    report: str = Field("", description="the report the profiles' quotes come from")
    turns_played: int = 0
    # the two below are left out where there is nothing to say, so a run with no white
    # cell and no open round writes the manifest it wrote before they were added
    pending: Pending | None = Field(None, exclude_if=said_nothing, description=(
        "a game stopped with holds, releases or answers its events do not hold yet"))
    console: ConsoleSettings | None = Field(None, exclude_if=said_nothing,
                                            description="a browser game's console settings")
    versions: dict[str, str] = Field(default_factory=dict)
    git_commit: str | None = None
    command: list[str] = Field(default_factory=list)
    created: str = ""

    @property
    def title(self) -> str:
        return f"{self.scenario.title} ({self.rule}, seed {self.seed})"


class RecordRef(BaseModel):
    """The record a backtest scored runs against (scenarios/record.py)."""

    file: str
    sha256: str
    title: str
    entries: int


class AssumptionDraws(BaseModel):
    """The draws of the assumed utility weights a batch played beside its own runs
    (``--assumptions K``), enough to play any of those runs again."""

    model_config = ConfigDict(extra="forbid")

    k: int = Field(description="draws")
    range: float = Field(description=(
        "each weight drawn independently between (1 - range) and (1 + range) times its "
        "value in the run, within its bounds"))
    derivation: str
    seeds: list[int] = Field(description="the seeds every draw played: the batch's first")
    draws: list[dict[str, float]] = Field(description="each draw: weight -> value")
    runs: int = Field(description="runs with drawn weights: draws x seeds (x rules)")
    failed: int = Field(0, description="of those, runs that raised (left out)")


class BacktestManifest(BaseModel):
    """What produced a backtest folder (``ip4sim backtest``)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["backtest"] = "backtest"
    ip4sim: str
    scenario: ScenarioRecord
    record: RecordRef
    rule: str
    root_seed: int
    seeds: list[int]
    runs: int = Field(description="every run played: one a seed, and the runs with drawn "
                                  "weights")
    failed: int = Field(0, description="runs that raised (left out of the scores)")
    assumptions: AssumptionDraws | None = None
    what_if: dict[str, object] = Field(default_factory=dict, description=(
        "the run request's parameters, overrides, governments, levers, population"))
    files: list[str] = Field(default_factory=list)
    versions: dict[str, str] = Field(default_factory=dict)
    git_commit: str | None = None
    command: list[str] = Field(default_factory=list)
    created: str = ""


class BatchCall(BaseModel):
    """One call that played runs into a comparison's folder: when, how, with what code,
    and what it played."""

    model_config = ConfigDict(extra="forbid")

    created: str
    command: list[str] = Field(default_factory=list)
    workers: int | str = Field(description="processes, or 'executor' for one given from "
                                           "Python")
    ran: int | None = Field(None, description=(
        "runs it played (with drawn weights too); None while it plays, and for good if it "
        "was stopped before its end"))
    already_done: int | None = Field(None, description=(
        "runs the folder's store held already, which it did not play again"))
    seconds: float | None = None
    runs_per_second: float | None = None
    ip4sim: str
    versions: dict[str, str] = Field(default_factory=dict)
    git_commit: str | None = None

    def played(self, runs: int, seconds: float) -> None:
        """Count ``runs`` more played by this call, in ``seconds``."""
        self.ran = (self.ran or 0) + runs
        self.seconds = round((self.seconds or 0.0) + seconds, 3)
        self.runs_per_second = round(self.ran / self.seconds, 1) if self.seconds else None


class CompareRule(BaseModel):
    label: str = Field(description="as given, as the results' rule column has it")
    spec: str = Field(description="with every parameter")


class CompareSeeds(BaseModel):
    root_seed: int
    n: int
    derivation: str
    seeds: list[int]


class CompareManifest(BatchCall):
    """What produced a comparison folder (``ip4sim compare``): the request, what the
    folder's files rest on, and the calls that played it. The fields of
    :class:`BatchCall` at the top are the first call's (the one that began the folder),
    kept when the same request runs again (after an interruption, with
    ``--retry-failed``, with or without ``--assumptions``); each later call is one of
    ``resumptions``."""

    kind: Literal["compare"] = "compare"
    status: Literal["running", "complete"] = Field(description=(
        "running until every file of the request is written"))
    scenario: ScenarioRecord
    rules: list[CompareRule]
    seeds: CompareSeeds
    parameters: dict[str, float | int | None]
    overrides: dict[str, dict[str, float]] = Field(default_factory=dict)
    governments: dict[str, str] = Field(default_factory=dict)
    levers: dict[str, float] = Field(default_factory=dict)
    runs: int = Field(description=(
        "every run the folder's files rest on: each rule on each seed, and the runs with "
        "drawn weights"))
    failed: int = Field(0, description="runs that raised (failures.csv)")
    store: str = Field(description="the folder's store of the rules' runs")
    assumptions: AssumptionDraws | None = Field(None, description=(
        "with --assumptions K: the draws behind assumptions.csv"))
    interval: str | None = None
    bounds: dict[str, list[float | None]] | None = Field(None, description=(
        "each outcome's natural bounds, which its intervals are clipped to"))
    resumptions: list[BatchCall] = Field(default_factory=list, description=(
        "each later call on the folder with the same request, in order"))

    @property
    def latest(self) -> BatchCall:
        """The call now writing the folder (or the last that did)."""
        return self.resumptions[-1] if self.resumptions else self


# -- the run folder ---------------------------------------------------------------------

class RunOutputs(BaseModel):
    """A run folder's contents, typed: what every reader of a run works from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    events: list[Event]
    timeseries: list[Row]
    manifest: RunManifest


def timeseries_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TIMESERIES_HEADER)
    writer.writerows(rows)
    return out.getvalue()


def read_timeseries(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(int(r["turn"]), r["metric"], r["actor"], float(r["value"]))
                for r in csv.DictReader(f)]


def write_text(path: Path, text: str) -> None:
    """Write whole or not at all: a temporary file renamed into place, so a reader (or a
    resumed game) never sees half a file."""
    with replaced(path) as partial:
        partial.write_text(text, encoding="utf-8")


def write_run_folder(out: Path, events: list[BaseModel], rows: list[Row],
                     manifest: RunManifest) -> Path:
    """events.jsonl, timeseries.csv and, last, manifest.json (its status says whether the
    run is complete, so a folder whose manifest is missing or in progress is not)."""
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "events.jsonl", to_jsonl(events))
    write_text(out / "timeseries.csv", timeseries_csv(rows))
    write_manifest(out, manifest)
    return out


# A run folder's debrief, written from its outputs (analysis.debrief.write_debrief, and the
# console's printable report.html beside it): of one line of play, so a take-back removes it.
DEBRIEF_FILES = ("report.md", "report.html", "summary.png", "publics.png")


def remove_debrief(out: Path) -> None:
    """The debrief files of a run folder removed: they describe a line of play undone."""
    for name in DEBRIEF_FILES:
        (out / name).unlink(missing_ok=True)


def read_manifest(folder: str | Path) -> RunManifest:
    """A run folder's manifest; InputError naming the folder and what it holds when that
    is not a run (a comparison, a backtest, a broken manifest.json, nothing), or naming
    the field of a run's manifest this version cannot read."""
    folder = Path(folder)
    refuse_unless(folder, {"run"}, "not a run folder")
    return read_model(folder / "manifest.json", RunManifest, "a run's manifest")


def read_model[M: BaseModel](path: Path, model: type[M], what: str, advice: str = "") -> M:
    """``path`` read as ``model``; InputError naming the file, the field and ``what`` it
    should be (then ``advice``) when it is not."""
    try:
        return model.model_validate_json(path.read_bytes())
    except OSError as err:
        message = f"cannot be read ({err.strerror})"
        field = ""
    except ValidationError as err:
        first = err.errors()[0]
        message, field = first["msg"], ".".join(map(str, first["loc"]))
    raise InputError.one(str(path), field, f"{message}: not {what} this version of ip4sim "
                         f"reads{advice}")


def write_manifest(folder: Path, manifest: BaseModel) -> None:
    """A folder's manifest.json, whole or not at all."""
    write_text(folder / "manifest.json", manifest.model_dump_json(indent=2) + "\n")


def read_run(folder: str | Path) -> RunOutputs:
    """A run folder, its manifest first: a folder of anything else is named for what it
    holds (InputError) before a missing events.jsonl would be."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    return RunOutputs(events=read_events(folder / "events.jsonl"),
                      timeseries=read_timeseries(folder / "timeseries.csv"),
                      manifest=manifest)


# -- what an output folder holds ------------------------------------------------------

# Each kind of output folder, by the ``kind`` its manifest names, and what else a folder
# may hold, as a refusal says it: every command that writes to or reads from a folder
# names what it found there rather than overwriting it or failing on it.
FOLDER_KINDS = {
    "run": "holds a run",
    "compare": "holds a comparison",
    "backtest": "holds a backtest",
    "sweep": "holds a sweep's dataset",
    "analysis": "holds a sweep's analysis",
    "empty": "is empty or does not exist",
    "file": "is a file, not a folder",
    "files": "holds files but no manifest.json",
    "unreadable": "holds a manifest.json that cannot be read (permissions?)",
    "not json": "holds a manifest.json that is not valid JSON",
    "foreign": "holds a manifest.json that no ip4sim command wrote (no known kind)",
}
OUTPUT_KINDS = ("run", "compare", "backtest", "sweep", "analysis")


def folder_kind(folder: str | Path) -> str:
    """Which of :data:`FOLDER_KINDS` ``folder`` is: the kind its manifest.json (or a
    sweep's _sweep.json) names, or what else is there."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        return "file"
    if not folder.is_dir() or not any(folder.iterdir()):
        return "empty"
    path = next((folder / name for name in ("manifest.json", SWEEP_MANIFEST)
                 if (folder / name).is_file()), None)
    if path is None:
        return "files"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        return "unreadable"
    except (UnicodeDecodeError, ValueError):
        return "not json"
    kind = record.get("kind") if isinstance(record, dict) else None
    return kind if kind in OUTPUT_KINDS else "foreign"


def differences(there: dict[str, object], here: dict[str, object]) -> str:
    """Where a request differs from the one a folder holds, term by term ('seed: 5 in the
    folder, 9 now'); a mapping by its keys, so a long one (the parameters) names only
    what changed."""
    changed = []
    for name, was in there.items():
        now = here.get(name)
        if isinstance(was, dict) and isinstance(now, dict):
            changed += [f"{name}.{key}: {shown(was.get(key, 'unset'))} in the folder, "
                        f"{shown(now.get(key, 'unset'))} now"
                        for key in sorted({*was, *now}, key=str) if was.get(key) != now.get(key)]
        elif was != now:
            changed.append(f"{name}: {shown(was)} in the folder, {shown(now)} now")
    return "; ".join(changed)


def shown(value: object) -> str:
    """A request's term as a message shows it: a list comma-joined (as ``--rules`` takes
    it), a sha256 by its first 12 hex digits (as the sweep's refusal shows it)."""
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value):
        return value[:12]
    return str(value)


def refuse_unless(folder: Path, kinds: set[str], advice: str, option: str = "") -> str:
    """``folder``'s kind (:func:`folder_kind`) if it is one of ``kinds``; else InputError
    naming the ``option`` that gave it (if any), the folder, what it holds, and ``advice``."""
    kind = folder_kind(folder)
    if kind not in kinds:
        raise InputError.one(option or str(folder), str(folder) if option else "",
                             f"{FOLDER_KINDS[kind]}: {advice}")
    return kind


def series(rows: list[Row], metric: str, actor: str = "") -> tuple[list[int], list[float]]:
    """One metric's values over turns, for one actor ("" for run-wide metrics)."""
    points = [(t, v) for t, m, a, v in rows if m == metric and a == actor]
    return [t for t, _ in points], [v for _, v in points]


def metrics(rows: list[Row], prefix: str = "") -> list[str]:
    return sorted({m for _, m, _, _ in rows if m.startswith(prefix)})


# -- batch results ----------------------------------------------------------------------

def number_text(value: float) -> str:
    """A float as CSV text: the shortest exact form; NaN as an empty cell."""
    return "" if math.isnan(value) else repr(float(value))


def results_csv(results: list[ResultRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for scenario, rule, seed, outcome, actor, value in results:
        writer.writerow((scenario, rule, seed, outcome, actor, number_text(value)))
    return buf.getvalue()


def results_table(results: list[ResultRow]):
    """The results as a pyarrow Table (seed int64, value float64 with NaN as null)."""
    import pyarrow as pa

    columns = list(zip(*results, strict=True)) if results else [[] for _ in RESULT_COLUMNS]
    schema = pa.schema([("scenario", pa.string()), ("rule", pa.string()),
                        ("seed", pa.int64()), ("outcome", pa.string()),
                        ("actor", pa.string()), ("value", pa.float64())])
    arrays = [pa.array(list(col), type=f.type, from_pandas=(f.name == "value"))
              for col, f in zip(columns, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_results(results: list[ResultRow], out: Path) -> list[str]:
    """results.parquet (zstd) and results.csv: the tidy long table of a batch."""
    import pyarrow.parquet as pq

    path = out / "results.parquet"
    with replaced(path) as partial:  # whole or not at all, as write_text
        pq.write_table(results_table(results), partial, compression="zstd")
    write_text(out / "results.csv", results_csv(results))
    return ["results.parquet", "results.csv"]


# -- a sweep's store (written by sim.sweep, read by analysis.sensitivity) ----------------

# In a sweep's folder, pyarrow's dataset discovery skips names (of files and of folders)
# beginning with "_" or ".", so ``pandas.read_parquet(DIR)`` reads exactly the part files:
# the tidy table. Our own readers go further and read the part files by name
# (:func:`sweep_dataset`), so a stray file in the folder never breaks them.
SWEEP_MANIFEST, SWEEP_LEDGER, SWEEP_DESIGN = "_sweep.json", "_ledger.jsonl", "_design.parquet"
SWEEP_PARTS = "part-*.parquet"
# A sweep's analysis goes, by default, to this folder in the store: skipped by the
# dataset reader for its leading "_".
SWEEP_ANALYSIS = "_analysis"
# The tidy table's columns: these, then one per factor, then SWEEP_ROW_COLUMNS.
SWEEP_ID_COLUMNS = ("job", "point", "replicate", "scenario", "rule", "seed")
SWEEP_ROW_COLUMNS = ("outcome", "actor", "value")


def sweep_parts(folder: str | Path) -> list[Path]:
    return sorted(Path(folder).glob(SWEEP_PARTS))


def sweep_dataset(folder: str | Path, schema=None):
    """The store's part files, and nothing else of its folder, as one pyarrow dataset
    (with no part yet, its columns are ``schema``'s)."""
    import pyarrow.dataset as ds

    return ds.dataset([str(p) for p in sweep_parts(folder)], format="parquet", schema=schema)


@dataclass
class SweepLedger:
    """A store's ledger as it stands: the jobs done, those failed (id -> error), and the
    part files its lines name."""

    done: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    parts: set[str] = field(default_factory=set)


def read_sweep_ledger(folder: str | Path) -> SweepLedger:
    """The ledger's lines, read one at a time (a 100,000-run ledger held whole cost 70 MB):
    a line cut short by a kill is skipped, and so is a line whose part file is gone (its
    job counts as not done); a job done after it failed is done."""
    folder = Path(folder)
    path = folder / SWEEP_LEDGER
    on_disk = {p.name for p in sweep_parts(folder)}
    ledger = SweepLedger()
    with contextlib.ExitStack() as stack:
        lines = stack.enter_context(path.open(encoding="utf-8")) if path.is_file() else ()
        for line in lines:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if not isinstance(e, dict) or not {"id", "status"} <= e.keys():
                continue  # a damaged line: its job counts as not done, so it runs again
            if e.get("part"):
                ledger.parts.add(e["part"])
                if e["part"] not in on_disk:
                    continue
            if e["status"] == "done":
                ledger.done.add(e["id"])
                ledger.failed.pop(e["id"], None)
            elif e["id"] not in ledger.done:
                ledger.failed[e["id"]] = e.get("error", "")
    return ledger


def read_sweep(folder: str | Path, analysed_only: bool = False):
    """A sweep's manifest (dict), design (a pandas frame: ``point``, ``unit:NAME`` in
    [0, 1] and each factor's value) and tidy table (pandas), as stored; with
    ``analysed_only``, only the rows of the outcomes the sweep file names, filtered as
    the parts are read, so a long sweep's other outcomes never reach memory. A store
    with no part file yet has a table with no rows."""
    import pandas as pd
    import pyarrow.dataset as ds

    folder = Path(folder)
    manifest = json.loads((folder / SWEEP_MANIFEST).read_text(encoding="utf-8"))
    design = pd.read_parquet(folder / SWEEP_DESIGN)
    if not sweep_parts(folder):
        columns = [*SWEEP_ID_COLUMNS, *(f["name"] for f in manifest["factors"]),
                   *SWEEP_ROW_COLUMNS]
        return manifest, design, pd.DataFrame(columns=columns)
    where = ds.field("outcome").isin(manifest["sweep"]["outcomes"]) if analysed_only else None
    data = sweep_dataset(folder).to_table(filter=where).to_pandas()
    return manifest, design, data
