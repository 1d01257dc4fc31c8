"""What a scenario can say about the information contest: the narratives Russia and China
push about NATO, the report's public-diplomacy levers, and campaigns as a scenario file
states them, with the checks a scenario file must pass. The mechanics that turn these
into messages each turn are in ``sim/information.py``; the citizens who hear them are
in ``agents/publics.py``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agents.catalog import IP4, JPN, canonical
from scenarios.errors import did_you_mean
from scenarios.lever_names import LEVER_NAMES
from scenarios.parameters import DEFAULTS, Parameters

VISIBILITY_VAR = "summit_visibility"  # world variable: how visible NATO and the IP4 are
OUTREACH_VAR = "public_outreach"  # world variable: a one-off outreach event (a delegation)
RUMOUR_VAR = "formalization_rumour"  # world variable: talk of a formal IP4, material for China
# World variables whose rise in a turn is news of a threat to every public: a blockade or
# China's military pressure; Russia's invasion and its escalation.
THREAT_VARS: dict[str, tuple[str, ...]] = {
    "china": ("china_pressure", "blockade_intensity"),
    "russia": ("russia_threat", "russia_escalation"),
}
PUBLIC_DIPLOMACY = "public_diplomacy"  # the "narrative" id of NATO's own messages
OFFICE_HOST = JPN  # where the proposed NATO liaison office would open (the L4 lever)


# -- narratives ---------------------------------------------------------------------------

class Narrative(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    sponsor: Literal["CHN", "RUS"]
    label: str  # a few words, for the narrative and the figures
    claim: str  # what it says, in plain words
    quote: str  # the report's sentence it rests on (checked against the report by the tests)
    prebunked: bool = Field(description=(
        "the report's messaging (L5) answers it directly: full inoculation effect, not the "
        "weaker spill-over to other narratives"))
    reacts: str  # what makes it stronger, in plain words

    @property
    def anchor_parameter(self) -> str:
        """The parameter that holds its anchor: the mean belief in a partner public with
        no campaign (an assumption, ``scenarios/parameters.py``)."""
        return f"anchor_{self.id}"


# The narratives the engine's campaigns react to by name (sim/information.py::campaign).
ASIA_PACIFIC_NATO, NATO_CAUSED_WAR, NATO_IRRELEVANT = (
    "asia_pacific_nato", "nato_caused_war", "nato_irrelevant_to_region")
NARRATIVES: dict[str, Narrative] = {n.id: n for n in (
    Narrative(
        id=ASIA_PACIFIC_NATO, sponsor="CHN", label="Asia-Pacific NATO",
        claim="NATO is expanding into Asia: the IP4 is an Asia-Pacific NATO, a bloc aimed "
              "at containing China.",
        quote="The benefits of informality include greater flexibility and providing less "
              "of a hook for China to raise false alarms about a so-called Asia-Pacific "
              "version of NATO.",
        prebunked=True,
        reacts="the narrative hook (a formal IP4 acting, China-framed joint positions) and "
               "material: a visible China-framed joint statement, a formalization rumour, "
               "a NATO office in Tokyo"),
    Narrative(
        id=NATO_CAUSED_WAR, sponsor="RUS", label="NATO caused the war",
        claim="NATO's expansion provoked the war in Ukraine; ties with NATO drag the "
              "partner into Europe's war.",
        quote="Such efforts become even more important in light of Russian disinformation "
              "efforts and as China increases its negative messaging about NATO.",
        prebunked=False,
        reacts="Russian pressure (it presses hardest when the war escalates)"),
    Narrative(
        id=NATO_IRRELEVANT, sponsor="CHN", label="NATO irrelevant here",
        claim="NATO is a North Atlantic relic with no business in, and nothing to offer, "
              "the Indo-Pacific.",
        quote="given Chinese and Russian disinformation about NATO, NATO officials should "
              "publicly both highlight the alliance's long-standing engagement with these "
              "partners and their region and clarify the nature of the IP4 grouping",
        prebunked=True,
        reacts="weakened by a NATO liaison office in Tokyo (a presence in the region)"),
)}
NARRATIVE_IDS: tuple[str, ...] = tuple(NARRATIVES)


def anchors(params: Parameters) -> list[float]:
    """Each narrative's anchor belief under ``params``, in ``NARRATIVE_IDS`` order."""
    return [getattr(params, NARRATIVES[n].anchor_parameter) for n in NARRATIVE_IDS]


def unknown_name(kind: str, name: str, known: list[str] | tuple[str, ...]) -> str:
    return f"unknown {kind} {name!r}{did_you_mean(name, known)}; known: {', '.join(known)}"


# -- levers -------------------------------------------------------------------------------

class Lever(BaseModel):
    """One of the report's policy options, as a facilitator pulls it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    option: str  # the report's policy option (L3, L4, L5 in docs/mechanisms.md)
    quote: str  # the report's sentence (checked against the report by the tests)
    status_quo: str  # why the default is what it is
    effect: str  # what it does in the model


def _reach(channel: str, share: float = 1.0) -> str:
    return f"{getattr(DEFAULTS, f'{channel}_reach') * share:.2f}"


def _depth(channel: str) -> str:
    return f"{getattr(DEFAULTS, f'{channel}_depth'):g}"


# Each lever's effect is written from the parameters' defaults, so the prose cannot drift
# from the numbers (``sim/information.py::outreach`` uses a run's own).
LEVERS: dict[str, Lever] = {
    "contact_point_embassies": Lever(
        option="L3",
        quote="the contact point embassy model—through which NATO shares information with "
              "partner governments and coordinates public diplomacy in partner countries via "
              "a designated NATO member state embassy—has not functioned well or "
              "consistently across Indo-Pacific partner countries in the past",
        status_quo="0.3: working, but not well or consistently",
        effect=f"steady outreach every turn: reach {_reach('contact_point_embassies')} at "
               f"full strength, explanatory (depth {_depth('contact_point_embassies')})"),
    "high_level_visits": Lever(
        option="L3",
        quote="High-profile visits by NATO officials to capitals and participation by "
              "national officials in high-level NATO events, meanwhile, have raised NATO "
              "visibility in public discourse and interest in NATO at all levels in each "
              "of the Indo-Pacific partner countries.",
        status_quo="0.5: visits happen and have raised visibility",
        effect=f"visibility (+{DEFAULTS.visits_visibility:g} at full, raising awareness "
               f"faster than understanding) and some outreach: reach "
               f"{_reach('high_level_visits')}, shallow (depth {_depth('high_level_visits')})"),
    "parliamentary_exchanges": Lever(
        option="L3",
        quote="Intermittent visits by delegations from the NATO Parliamentary Assembly have "
              "also provided opportunities to engage lawmakers and the public.",
        status_quo="0.2: intermittent",
        effect=f"narrow but deep outreach: reach {_reach('parliamentary_exchanges')}, "
               f"depth {_depth('parliamentary_exchanges')}"),
    "partnership_goals": Lever(
        option="L3",
        quote="The inclusion of public diplomacy goals in Individually Tailored Partnership "
              "Programs may also help.",
        status_quo="0: recommended, not yet in place",
        effect=f"makes all outreach consistent: its intensity x (1 + goals), from "
               f"{DEFAULTS.outreach_intensity:g} up to "
               f"{min(1.0, 2 * DEFAULTS.outreach_intensity):g}"),
    "messaging": Lever(
        option="L5",
        quote="Messaging about the Indo-Pacific could underscore that NATO's engagement with "
              "its Indo-Pacific partners and the region precedes the alliance's "
              "acknowledgment of China as a security challenge.",
        status_quo="0: recommended, not yet done",
        effect=f"officials' statements (reach {_reach('messaging')}, depth "
               f"{_depth('messaging')}) that inoculate every citizen "
               "outreach reaches against 'Asia-Pacific NATO' and 'NATO irrelevant here' "
               "(McGuire 1961; Roozenbeek et al. 2022), less against the rest; the report "
               "also asks to explain that the IP4 'is not a formalized, regionally based "
               "partnership framework, is not new'"),
    "liaison_office_tokyo": Lever(
        option="L4",
        quote="A NATO liaison office in Tokyo, if approved by the alliance, could help "
              "further shore up public diplomacy outreach to Indo-Pacific partners.",
        status_quo="0: no office (a proposal is the scenario's NAC decision)",
        effect="only once the North Atlantic Council approves a decision option marked "
               "'switches_on: liaison_office_tokyo' (one ally can block it): outreach reach "
               f"{_reach('liaison_office_tokyo')} in Japan and "
               f"{_reach('liaison_office_tokyo', DEFAULTS.office_reach_elsewhere)} in the "
               f"other three, depth {_depth('liaison_office_tokyo')}; it also gives China "
               "material for 'Asia-Pacific NATO' and undercuts 'NATO irrelevant here'"),
}
if tuple(LEVERS) != LEVER_NAMES:  # the command line lists LEVER_NAMES without this module
    raise ImportError(f"scenarios/lever_names.py names {LEVER_NAMES}; LEVERS has {tuple(LEVERS)}")
OFFICE = "liaison_office_tokyo"  # the lever whose channel is an office in Tokyo
GATED_LEVERS = frozenset({OFFICE})  # take effect only when the NAC approves


def _unit(default: float, name: str) -> Any:
    lever = LEVERS[name]
    return Field(default, ge=0.0, le=1.0, description=(
        f"{lever.option}: {lever.effect}. Status quo {lever.status_quo}. "
        f"Report: \"{lever.quote}\""))


class Levers(BaseModel):
    """The report's public-diplomacy levers, each in [0, 1]; defaults are the status quo."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contact_point_embassies: float = _unit(0.3, "contact_point_embassies")
    high_level_visits: float = _unit(0.5, "high_level_visits")
    parliamentary_exchanges: float = _unit(0.2, "parliamentary_exchanges")
    partnership_goals: float = _unit(0.0, "partnership_goals")
    messaging: float = _unit(0.0, "messaging")
    liaison_office_tokyo: float = _unit(0.0, "liaison_office_tokyo")

    @model_validator(mode="before")
    @classmethod
    def _known_names(cls, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = [k for k in data if k not in LEVERS]
            if unknown:
                raise ValueError("; ".join(unknown_name("lever", str(k), list(LEVERS))
                                           for k in unknown))
        return data

    @classmethod
    def off(cls) -> Levers:
        """No public diplomacy at all."""
        return cls(**dict.fromkeys(LEVERS, 0.0))

    @classmethod
    def strong(cls) -> Levers:
        """Every lever pulled fully (the office still needs the Council)."""
        return cls(**dict.fromkeys(LEVERS, 1.0))


def lever_problem(name: str, value: float) -> str | None:
    """None if ``name=value`` is a valid lever setting, else why not."""
    if name not in LEVERS:
        return unknown_name("lever", name, list(LEVERS))
    if not 0.0 <= value <= 1.0:
        return f"{value} is outside [0, 1]"
    return None


# -- campaigns ----------------------------------------------------------------------------

class CampaignSpec(BaseModel):
    """A disinformation campaign as a scenario file states it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    narrative: str
    actor: Literal["CHN", "RUS"] | None = Field(default=None, description=(
        "who runs it; the narrative's sponsor if not given (Russia may amplify China's "
        "narratives and back)"))
    reach: float = Field(ge=0.0, le=1.0, description="share of each target public reached "
                                                     "per turn, before the world reacts")
    intensity: float = Field(ge=0.0, le=1.0, description="pull on a reached citizen")
    start: int = Field(default=1, ge=1)
    end: int | None = Field(default=None, ge=1, description="last turn (default: to the end)")
    targets: list[str] = Field(default_factory=lambda: list(IP4), min_length=1)

    @field_validator("narrative")
    @classmethod
    def _known_narrative(cls, value: str) -> str:
        if value not in NARRATIVES:
            raise ValueError(unknown_name("narrative", value, NARRATIVE_IDS))
        return value

    @field_validator("targets")
    @classmethod
    def _partners(cls, values: list[str]) -> list[str]:
        codes = [canonical(v) for v in values]
        wrong = [v for v, c in zip(values, codes, strict=True) if c not in IP4]
        if wrong:
            raise ValueError(f"targets must be IP4 partners ({', '.join(IP4)}); got "
                             f"{', '.join(map(repr, wrong))}")
        return list(dict.fromkeys(codes))

    @model_validator(mode="after")
    def _window(self) -> CampaignSpec:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    @property
    def by(self) -> str:
        return self.actor or NARRATIVES[self.narrative].sponsor

    def active(self, turn: int) -> bool:
        return self.start <= turn and (self.end is None or turn <= self.end)


# -- scenario checks ----------------------------------------------------------------------

Loc = tuple[str | int, ...]


def information_errors(scenario: Any) -> list[tuple[Loc, str]]:
    """Campaign windows past the last turn, levers that need a Council decision the
    scenario lacks, and decision options switching on levers that cannot be switched."""
    errors: list[tuple[Loc, str]] = []
    for i, spec in enumerate(scenario.campaigns or []):
        if spec.start > scenario.turns:
            errors.append((("campaigns", i, "start"),
                           f"turn {spec.start} is after the last ({scenario.turns})"))
    gates = set()
    for i, decision in enumerate(scenario.decisions):
        for j, option in enumerate(decision.options):
            lever = option.switches_on
            if lever is None:
                continue
            at = ("decisions", i, "options", j, "switches_on")
            if lever not in GATED_LEVERS:
                errors.append((at, f"{lever!r} cannot be switched on by a decision; "
                                   f"switchable: {', '.join(sorted(GATED_LEVERS))}"))
            elif decision.forum != "nac":
                errors.append((at, "only a North Atlantic Council decision (forum: nac) can "
                                   "switch on a lever"))
            elif option.blocks:
                errors.append((at, "a blocking option cannot switch on a lever"))
            else:
                gates.add(lever)
    for lever in sorted(GATED_LEVERS):
        if getattr(scenario.levers, lever) > 0 and lever not in gates:
            errors.append((("levers", lever), gate_message(lever)))
    return errors


def standing_campaigns_note(scenario: Any) -> str | None:
    """What runs that the file did not ask for: with no ``campaigns:``, each adversary
    pushes its own narratives (``sim/information.py::standing_campaigns``)."""
    if scenario.campaigns is not None:
        return None
    running = ", ".join(f"{n.sponsor} '{n.label}'" for n in NARRATIVES.values())
    return (f"no campaigns: in the file, so the standing campaigns run: {running} "
            "(write campaigns: [] for none)")


def gate_message(lever: str) -> str:
    return (f"{lever} takes effect only if the allies approve it: the scenario needs a NAC "
            f"decision with an option 'switches_on: {lever}'")


def switchable(scenario: Any) -> set[str]:
    """The gated levers some Council decision of the scenario can switch on."""
    return {o.switches_on for d in scenario.decisions if d.forum == "nac"
            for o in d.options if o.switches_on in GATED_LEVERS}
