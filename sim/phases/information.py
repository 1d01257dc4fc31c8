"""The information contest in a turn: Russia and China plan their campaigns, NATO's
public diplomacy follows the levers, and each partner's public (agents/publics.py)
meets them and the turn's threatening news; a government reads its public's support
and its threat perceptions in its next choices."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.catalog import IP4
from agents.publics import ADVERSARIES, Citizens, Public, Rates, Received, Signals
from scenarios.information import (
    NARRATIVE_IDS,
    OFFICE,
    OUTREACH_VAR,
    PUBLIC_DIPLOMACY,
    RUMOUR_VAR,
    THREAT_VARS,
    VISIBILITY_VAR,
    Levers,
    anchors,
)
from scenarios.schema import Option
from sim.decisions import rounded
from sim.information import (
    Campaign,
    Outreach,
    WorldReading,
    campaign,
    outreach,
    protection,
    standing_campaigns,
)
from sim.outputs import LeverSwitched, Message, PublicOpinion

if TYPE_CHECKING:
    from sim.model import IP4Model

# The decision dimensions on which a government reads its public's threat perception.
THREAT_DIMENSIONS = {"china_threat": ADVERSARIES.index("china"),
                     "russia_stance": ADVERSARIES.index("russia")}
NARRATIVE_ROW = {n: k for k, n in enumerate(NARRATIVE_IDS)}  # a narrative's belief row


class Information:
    """Owns the levers in effect, the levers the allies switched on, China's
    "Asia-Pacific NATO" hook and the material it can point at, this turn's campaigns
    and outreach, and the publics with what their governments read of them."""

    def __init__(self, model: IP4Model, levers: Levers, public_allies: bool = False):
        self.model = model
        exercise, p = model.exercise, model.params
        self.levers = levers
        adversaries = {a.code: {k: v.value for k, v in a.profile.values.items()}
                       for a in (model.china, model.russia)}
        self.campaign_specs = exercise.campaigns if exercise.campaigns is not None else \
            standing_campaigns(adversaries)
        self.switched_on: set[str] = set()
        self.hook = 0.0  # strength of China's "Asia-Pacific NATO" narrative hook, 0..1
        self.material = 0.0  # what China's "Asia-Pacific NATO" can point at, 0..1
        self.campaigns: list[Campaign] = []
        self.outreach: dict[str, Outreach] = {}
        # outreach() is a function of the run's levers and parameters and of these; a run
        # asks it the same few questions every turn
        self._outreach: dict[tuple[str, bool, float], Outreach] = {}
        self.visibility_base = exercise.world.get(VISIBILITY_VAR, 0.0)
        self.rates = Rates(
            retention=p.public_retention, peer_weight=p.peer_weight,
            confidence=p.confidence_bound, persuasion=p.persuasion_rate,
            visibility_rate=p.visibility_rate,
            visibility_understanding=p.visibility_understanding,
            outreach_awareness=p.outreach_awareness,
            outreach_understanding=p.outreach_understanding,
            inoculation_max=p.inoculation_max, support_pull=p.support_pull,
            debunk_pull=p.debunk_pull,
            protection=protection(p), threat_shock=p.threat_shock,
            threat_relaxation=1 - 0.5 ** (exercise.days_per_turn / p.threat_half_life_days))
        # The publics draw from their own generator, spawned from the model's (spawning
        # does not advance it), so the governments' stream is the same at any population.
        self.public_rng = model.rng.spawn(1)[0]
        governments = [*model.partners, *(model.allies if public_allies else [])]
        self.citizens = Citizens(
            [(g["public_awareness"], g["public_understanding"], g["public_support"])
             for g in governments], anchors(p), p.population, p.public_spread, self.public_rng,
            threats=[(g["public_china_threat"], g["public_russia_threat"]) for g in governments],
            threat_rng=self.public_rng.spawn(1)[0])
        self.publics = {g.code: Public(model, g.code, self.citizens, row)
                        for row, g in enumerate(governments)}
        self.anchor_support = {code: float(pub.anchor_support.mean(dtype=np.float64))
                               for code, pub in self.publics.items()}
        self.support = {g.code: g["public_support"] for g in governments}
        self.anchor_threat = {code: pub.anchor_threat.mean(axis=-1, dtype=np.float64).tolist()
                              for code, pub in self.publics.items()}
        # what a government reads: its public's threat perception above its anchors' mean
        self.threat_shift = {code: [0.0] * len(ADVERSARIES) for code in self.publics}
        self.threat_levels = {v: exercise.world[v] for v in sum(THREAT_VARS.values(), ())
                              if v in exercise.world}
        self.names: list[str] = []  # read_publics: the last turn's means, one row a public
        self.table = np.zeros((len(self.publics), 0))
        self.swayed = dict.fromkeys(IP4, 0)  # choices tipped by public opinion, per partner

    @property
    def office_open(self) -> bool:
        return OFFICE in self.switched_on and self.levers.liaison_office_tokyo > 0

    def settle(self) -> None:
        """At the start of a turn, the hook and the material fade."""
        decay = self.model.params.hook_decay
        self.hook *= decay
        self.material *= decay

    def threat_of(self, code: str, dimension: str) -> float:
        """How far a government's public sees the adversary a decision's dimension is
        about as more (or less) of a threat than its polls: 0 without a public."""
        row = THREAT_DIMENSIONS.get(dimension)
        return self.threat_shift[code][row] if row is not None and code in self.publics \
            else 0.0

    def threat_events(self) -> dict[str, tuple[float, float]]:
        """This turn's news of a threat, per public: the largest rise of a world threat
        variable (THREAT_VARS) since last turn, and for China's the largest coercion
        attempt on the country itself or, at threat_neighbour_share, on another partner."""
        world = self.model.timeline
        rise = []
        for adversary in ADVERSARIES:
            news = 0.0
            for var in THREAT_VARS[adversary]:
                if var in self.threat_levels:
                    now = world.get(var)
                    news = max(news, now - self.threat_levels[var])
                    self.threat_levels[var] = now
            rise.append(news)
        attempted = self.model.adversaries.attempted
        share = self.model.params.threat_neighbour_share
        events = {}
        for code in self.publics:
            coercion = 0.0
            if code in IP4:
                coercion = max([attempted.get(code, 0.0)] + [
                    share * v for target, v in attempted.items() if target != code])
            events[code] = (min(1.0, max(rise[0], coercion)), min(1.0, rise[1]))
        return events

    def support_of(self, code: str, default: float) -> float:
        """What a government reads of its public's support (its profile's anchor if it
        has no simulated public)."""
        return self.support.get(code, default)

    # -- what happens in the turn -------------------------------------------------------

    def plan_campaigns(self, turn: int) -> None:
        """Russia and China choose this turn's messaging, reacting to the world."""
        p = self.model.params
        self.material = max(self.material, self.model.timeline.get(RUMOUR_VAR),
                            p.office_material if self.office_open else 0.0)
        reading = WorldReading(hook=round(self.hook, 6), material=round(self.material, 6),
                               russia_pressure=self.model.adversaries.russia_pressure,
                               office_open=self.office_open)
        self.campaigns = [campaign(spec, turn, reading, p) for spec in self.campaign_specs]
        for c in self.campaigns:
            if c.active and c.reach > 0 and c.intensity > 0:
                self.model.log(Message(turn=turn, actor=c.actor, narrative=c.narrative,
                                       reach=dict.fromkeys(c.targets, c.reach),
                                       intensity=c.intensity, note=c.note))

    def joint_statement(self, said: Option, formal: bool) -> None:
        """A joint position hands China material: a formal IP4 acting, or any joint
        position framed around China, strengthens its "Asia-Pacific NATO" hook, and a
        visible China-framed statement is something to point at."""
        p = self.model.params
        push = said.china_framing * p.informal_hook_share * p.hook_per_formal_act
        if formal:
            push += p.hook_per_formal_act
        self.hook += (1.0 - self.hook) * min(1.0, push)
        self.material = max(self.material, said.china_framing * said.visibility)

    def switch_on(self, lever: str, turn: int, decision: str) -> None:
        """The allies approved a lever that needed their consensus (the Tokyo office)."""
        if lever in self.switched_on:
            return
        self.switched_on.add(lever)
        value = getattr(self.levers, lever)
        note = "the allies approved it by consensus" if value > 0 else \
            "approved, but the lever is 0 in this run, so it does nothing"
        self.model.log(LeverSwitched(turn=turn, lever=lever, value=value, decision=decision,
                                     note=note))

    def update_publics(self, turn: int) -> None:
        """Visibility, campaigns and public diplomacy meet every public; then each
        government reads its public: its anchor plus how far its citizens' mean support
        has moved from the mean of their own anchors (so sampling noise in the anchors
        never moves a government)."""
        self.reach_out(turn)
        shock = max(0.0, self.model.timeline.get(VISIBILITY_VAR) - self.visibility_base)
        threats = self.threat_events()
        signals = []
        for code in self.publics:
            out = self.outreach.get(code)
            received = tuple([Received(NARRATIVE_ROW[c.narrative],
                                       c.reach if code in c.targets else 0.0,
                                       c.intensity) for c in self.campaigns])
            if out is None:  # an ally's public: news only, no campaign aims at it
                signals.append(Signals(visibility=min(1.0, shock), campaigns=received,
                                       threat_events=threats[code]))
            else:
                signals.append(Signals(visibility=min(1.0, shock + out.visibility),
                                       campaigns=received, reach=out.reach,
                                       intensity=out.intensity, depth=out.depth,
                                       messaging=out.messaging,
                                       threat_events=threats[code]))
        self.citizens.update(signals, self.rates, self.public_rng)
        self.read_publics(turn)

    def reach_out(self, turn: int) -> None:
        """NATO's public diplomacy toward each partner this turn, from the levers."""
        event = self.model.timeline.get(OUTREACH_VAR)
        self.outreach = {code: self.outreach_to(code, event) for code in IP4}
        if any(o.reach > 0 for o in self.outreach.values()):
            first = self.outreach[IP4[0]]
            channels = ", ".join(f"{n} {r:.2f}" for n, r in first.channels.items())
            self.model.log(Message(
                turn=turn, actor="NATO", narrative=PUBLIC_DIPLOMACY,
                reach={c: o.reach for c, o in self.outreach.items()},
                intensity=first.intensity,
                note=f"depth {first.depth:.2f}, messaging {first.messaging:.2f}; {channels}"))

    def outreach_to(self, code: str, event: float) -> Outreach:
        key = (code, self.office_open, event)
        if key not in self._outreach:
            self._outreach[key] = outreach(self.levers, code, self.office_open, event,
                                           self.model.params)
        return self._outreach[key]

    def read_publics(self, turn: int) -> None:
        """Each public's means (``self.table``: countries x ``self.names``), rounded for
        the event in one call (``rounded``: the very doubles ``round`` gives); each
        government's reading of its public."""
        self.names, self.table = self.citizens.mean_table(NARRATIVE_IDS)

        def by_public(table: np.ndarray) -> dict[str, dict[str, float]]:
            return {code: dict(zip(self.names, row, strict=True))
                    for code, row in zip(self.publics, table.tolist(), strict=True)}

        profiles = self.model.catalog.profiles
        for code, m in by_public(self.table).items():
            anchor = profiles[code]["public_support"]
            self.support[code] = round(
                min(1.0, max(0.0, anchor + m["support"] - self.anchor_support[code])), 6)
            self.threat_shift[code] = [round(m[f"threat.{a}"] - base, 6) for a, base in
                                       zip(ADVERSARIES, self.anchor_threat[code], strict=True)]
        self.model.log(PublicOpinion(turn=turn, means=by_public(rounded(self.table, 4))))
