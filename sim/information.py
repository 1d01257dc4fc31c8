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
  each public that believes it with no campaign at all (its anchor, an assumption).
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

Nothing here touches a citizen; ``agents/publics.py`` applies the messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.information import LEVERS, NARRATIVES, OUTREACH_VAR, CampaignSpec, Levers

# Roozenbeek, Traberg & van der Linden (2022, Royal Society Open Science): inoculation
# against a technique improved discernment by d ~ 0.37 for that technique and d ~ 0.10
# for others. The ratio sets how much the report's messaging, aimed at two narratives,
# also protects against the third.
SPILLOVER = 0.10 / 0.37


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


def campaign(spec: CampaignSpec, turn: int, world: WorldReading) -> Campaign:
    """The campaign as run this turn; inactive campaigns keep their place with zero reach,
    so every turn draws the same random numbers whichever campaigns run."""
    reach, intensity, notes = spec.reach, spec.intensity, []
    if spec.narrative == "asia_pacific_nato":
        reach *= 1.0 + world.hook
        intensity *= 1.0 + world.hook + world.material
        if world.hook >= 0.005:
            notes.append(f"hook {world.hook:.2f}")
        if world.material >= 0.005:
            notes.append(f"material {world.material:.2f}")
    elif spec.narrative == "nato_caused_war":
        intensity *= 1.0 + world.russia_pressure
        if world.russia_pressure >= 0.005:
            notes.append(f"Russian pressure {world.russia_pressure:.2f}")
    elif spec.narrative == "nato_irrelevant_to_region" and world.office_open:
        intensity *= 0.5
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


CHANNELS: dict[str, Channel] = {
    "contact_point_embassies": Channel(0.15, 1.0),
    "high_level_visits": Channel(0.10, 0.5),
    "parliamentary_exchanges": Channel(0.05, 2.0),
    "messaging": Channel(0.10, 0.5),
    "liaison_office_tokyo": Channel(0.20, 1.5),  # in Japan; half the reach elsewhere
    OUTREACH_VAR: Channel(0.30, 1.5),  # a one-off event a scenario inject sets (a delegation)
}
VISIT_VISIBILITY = 0.3  # visibility the visits lever adds at full strength
BASE_OUTREACH_INTENSITY = 0.5  # pull of outreach without partnership goals


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


def outreach(levers: Levers, partner: str, office_open: bool, event: float = 0.0) -> Outreach:
    """Combine the levers into one partner's outreach: reach 1 - prod(1 - lever x reach),
    depth the reach-weighted mean of the channels' depths."""
    strength = {name: getattr(levers, name) for name in CHANNELS if name in LEVERS}
    strength[OUTREACH_VAR] = event
    if not office_open:
        strength["liaison_office_tokyo"] = 0.0
    reaches = {}
    for name, level in strength.items():
        reach = CHANNELS[name].reach * level
        if name == "liaison_office_tokyo" and partner != "JPN":
            reach *= 0.5
        if reach > 0:
            reaches[name] = reach
    missed = 1.0
    for r in reaches.values():
        missed *= 1.0 - r
    total = sum(reaches.values())
    depth = sum(r * CHANNELS[n].depth for n, r in reaches.items()) / total if total else 0.0
    return Outreach(
        partner=partner, reach=round(1.0 - missed, 6),
        intensity=round(min(1.0, BASE_OUTREACH_INTENSITY * (1.0 + levers.partnership_goals)),
                        6),
        depth=round(depth, 6), messaging=levers.messaging,
        visibility=round(VISIT_VISIBILITY * levers.high_level_visits, 6),
        channels={n: round(r, 4) for n, r in reaches.items()})
