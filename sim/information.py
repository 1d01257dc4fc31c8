"""The information contest: Russian and Chinese narratives about NATO, NATO's public
diplomacy, and the report's levers.

The report: understanding of NATO is "relatively limited at public levels in all
four countries"; "awareness of the grouping has largely exceeded understanding of
it"; "Growing disinformation efforts by Russia and China about NATO increases the
significance of this issue"; and NATO's public diplomacy toward the partners "has
been uneven". The vocabulary (narratives, levers, campaign specs) is in
``scenarios/information.py``; this module holds the mechanics of what the publics
(``agents/publics.py``) are told:

* :data:`NARRATIVES`: what Russia and China say about NATO, each with its sponsor,
  its claim in plain words, the report's sentence it rests on, and the share of
  each public that believes it with no campaign at all (its anchor, an assumption:
  the parameter ``anchor_<narrative>``).
* :class:`CampaignSpec`: a campaign as a scenario file states it (who, which
  narrative, reach and intensity, from when to when, at whom); :class:`Campaign`:
  the action an adversary takes in one turn, its strength reacting to the world.
  China's "Asia-Pacific NATO" grows with the model's narrative hook (a formal IP4
  acting, China-framed joint positions) and with *material*: a visible joint
  statement framed around China, a rumour that the IP4 will formalize, a NATO
  office in Tokyo. Russia's "NATO caused the war" grows with its pressure.
* :class:`Levers`: the report's public-diplomacy options (L3 to L5), each with its
  range, its status-quo default and the sentence it rests on; :func:`outreach`
  turns them into NATO's public diplomacy toward one partner in one turn.

Nothing here touches a citizen; ``agents/publics.py`` applies the messages. Every number
that shapes the messages is a parameter (``scenarios/parameters.py``): a run's own
``Parameters`` is passed in; the default is the built-in one.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.information import (
    ASIA_PACIFIC_NATO,
    LEVERS,
    NARRATIVE_IDS,
    NARRATIVES,
    NATO_CAUSED_WAR,
    NATO_IRRELEVANT,
    OFFICE,
    OFFICE_HOST,
    OUTREACH_VAR,
    CampaignSpec,
    Levers,
)
from scenarios.parameters import Parameters

# A campaign's reaction (hook, material, Russian pressure) below this is left out of its
# note. Wording only: it changes no number.
NOTE_THRESHOLD = 0.005


def protection(params: Parameters) -> tuple[float, ...]:
    """phi_k per narrative: full for those the report's messaging answers (prebunked), the
    spill-over for the others."""
    return tuple(1.0 if NARRATIVES[n].prebunked else params.inoculation_spillover
                 for n in NARRATIVE_IDS)


def standing_campaigns(adversaries: dict[str, dict[str, float]]) -> list[CampaignSpec]:
    """The campaigns that run when a scenario lists none: each adversary pushes its own
    narratives at its profile's ``disinformation_reach`` and ``disinformation_intensity``
    (the report: "Growing disinformation efforts by Russia and China about NATO")."""
    return [CampaignSpec(narrative=n.id, reach=adversaries[n.sponsor]["disinformation_reach"],
                         intensity=adversaries[n.sponsor]["disinformation_intensity"])
            for n in NARRATIVES.values()]


@dataclass(frozen=True)
class WorldReading:
    """What the adversaries read of the world when they plan a turn's campaigns."""

    hook: float  # the model's "Asia-Pacific NATO" hook, 0..1
    material: float  # visible China-framed statements, formalization rumours, an office
    russia_pressure: float  # 0..1
    office_open: bool


@dataclass(frozen=True)
class Campaign:
    """One adversary's campaign in one turn, after reacting to the world."""

    actor: str
    narrative: str
    targets: tuple[str, ...]
    reach: float
    intensity: float
    active: bool
    note: str


def campaign(spec: CampaignSpec, turn: int, world: WorldReading,
             params: Parameters) -> Campaign:
    """The campaign as run this turn; inactive campaigns keep their place with zero reach,
    so every turn draws the same random numbers whichever campaigns run."""
    reach, intensity, notes = spec.reach, spec.intensity, []
    if spec.narrative == ASIA_PACIFIC_NATO:
        reach *= 1.0 + world.hook
        intensity *= 1.0 + world.hook + world.material
        if world.hook >= NOTE_THRESHOLD:
            notes.append(f"hook {world.hook:.2f}")
        if world.material >= NOTE_THRESHOLD:
            notes.append(f"material {world.material:.2f}")
    elif spec.narrative == NATO_CAUSED_WAR:
        intensity *= 1.0 + world.russia_pressure
        if world.russia_pressure >= NOTE_THRESHOLD:
            notes.append(f"Russian pressure {world.russia_pressure:.2f}")
    elif spec.narrative == NATO_IRRELEVANT and world.office_open:
        intensity *= params.office_undercut
        notes.append("undercut by the Tokyo office")
    active = spec.active(turn)
    return Campaign(actor=spec.by, narrative=spec.narrative, targets=tuple(spec.targets),
                    reach=round(min(1.0, reach), 6) if active else 0.0,
                    intensity=round(min(1.0, intensity), 6) if active else 0.0,
                    active=active, note=", ".join(notes))


# -- NATO public diplomacy ---------------------------------------------------------------

@dataclass(frozen=True)
class Channel:
    reach: float  # share of a public reached per turn with the lever at 1
    depth: float  # understanding gained per contact, relative to plain outreach


# The levers that work through a channel of their own, and a one-off outreach event a
# scenario inject sets (a delegation). The Tokyo office's reach is its reach in Japan;
# elsewhere, times ``office_reach_elsewhere``.
CHANNEL_NAMES: tuple[str, ...] = (
    "contact_point_embassies", "high_level_visits", "parliamentary_exchanges", "messaging",
    OFFICE, OUTREACH_VAR)


def channels(params: Parameters) -> dict[str, Channel]:
    """Each channel's reach and depth: the parameters ``<channel>_reach``, ``_depth``."""
    return {name: Channel(getattr(params, f"{name}_reach"), getattr(params, f"{name}_depth"))
            for name in CHANNEL_NAMES}


@dataclass(frozen=True)
class Outreach:
    """NATO's public diplomacy toward one partner in one turn."""

    partner: str
    reach: float  # share of the public reached (independent channels combined)
    intensity: float  # pull on a reached citizen
    depth: float  # understanding gained per contact (reach-weighted over channels)
    messaging: float  # the L5 lever: inoculation given to those reached
    visibility: float  # visibility the visits add
    channels: dict[str, float]  # channel -> its reach


def outreach(levers: Levers, partner: str, office_open: bool, event: float,
             params: Parameters) -> Outreach:
    """Combine the levers into one partner's outreach: reach 1 - prod(1 - lever x reach),
    depth the reach-weighted mean of the channels' depths."""
    table = channels(params)
    strength = {name: getattr(levers, name) for name in CHANNEL_NAMES if name in LEVERS}
    strength[OUTREACH_VAR] = event
    if not office_open:
        strength[OFFICE] = 0.0
    reaches = {}
    for name, level in strength.items():
        reach = table[name].reach * level
        if name == OFFICE and partner != OFFICE_HOST:
            reach *= params.office_reach_elsewhere
        if reach > 0:
            reaches[name] = reach
    missed = 1.0
    for r in reaches.values():
        missed *= 1.0 - r
    total = sum(reaches.values())
    depth = sum(r * table[n].depth for n, r in reaches.items()) / total if total else 0.0
    return Outreach(
        partner=partner, reach=round(1.0 - missed, 6),
        intensity=round(min(1.0, params.outreach_intensity * (1.0 + levers.partnership_goals)),
                        6),
        depth=round(depth, 6), messaging=levers.messaging,
        visibility=round(params.visits_visibility * levers.high_level_visits, 6),
        channels={n: round(r, 4) for n, r in reaches.items()})
