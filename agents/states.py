"""The actors as Mesa agents: NATO allies, the IP4 partners, China and Russia.

A state actor carries its profile and what it has done so far (its stance on each
dimension it has decided, the coercion pressure it feels). The model computes
choices for many actors at once (see ``sim/decisions.py``); the agents hold the
state those choices read and write.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from agents.profiles import AdversaryProfile, StateProfile


class StateActor(mesa.Agent):
    """A government: a NATO ally or an IP4 partner."""

    def __init__(self, model: mesa.Model, profile: StateProfile):
        super().__init__(model)
        self.code = profile.code
        self.profile = profile
        self.stance: dict[str, float] = {}  # dimension -> position of its latest choice
        self.coerced = 0.0  # coercion pressure felt now; raises felt risk of provoking China
        self.provocation = 0.0  # how much its recent choices provoked China
        self.backing = 0.0  # cover from partners in the latest group stance
        self.attention = 0.0  # attention at NATO gained this turn (partners)

    def __getitem__(self, dimension: str) -> float:
        return self.profile[dimension]

    def adopt(self, dimension: str, option) -> None:
        """Its choice on a question: its stance on that dimension, and what it did to
        provoke China (read by China's targeting)."""
        self.stance[dimension] = option.position
        self.provocation = max(self.provocation, option.provokes_china)

    def settle(self, coercion_decay: float, provocation_decay: float) -> None:
        """At the start of a turn, old pressure and old provocation fade, and attention at
        NATO is counted anew."""
        self.coerced *= coercion_decay
        self.provocation *= provocation_decay
        self.attention = 0.0


class Ally(StateActor):
    """A NATO member; the United States among them, with its deterrence role."""


class Partner(StateActor):
    """Australia, Japan, the Republic of Korea or New Zealand."""


@dataclass(frozen=True)
class CoercionRule:
    """How China weighs coercion: the run's parameters of that name (the model hands
    them in; ``scenarios/parameters.py`` says what each is and why)."""

    coercion_threshold: float
    china_base_interest: float
    china_coercion_slope: float
    coercion_resistance_weight: float


class Adversary(mesa.Agent):
    def __init__(self, model: mesa.Model, profile: AdversaryProfile):
        super().__init__(model)
        self.code = profile.code
        self.profile = profile

    def __getitem__(self, dimension: str) -> float:
        return self.profile[dimension]


class China(Adversary):
    """Coerces individual partners economically (Hirschman 1945; Drezner 1999; Cha 2023).

    It targets the partners where coercion pays best: the chance that pressure lands,
    P_i = logistic(k * (E_i * V_i * (1 + intensity) - w * (backing_i + resolve_i))),
    times what China gains, g_i = g0 + provocation_i: it always has some interest in
    pressing a partner "against closer relations with NATO", more so after a partner
    provoked it. Backing from partners lowers P_i: "safety in numbers". The slope k
    (``china_coercion_slope``, 6), the resistance weight w (``coercion_resistance_weight``,
    0.5), the base interest g0 (``china_base_interest``, 0.1) and the threshold an
    attempt's expected value P_i * g_i must exceed (``coercion_threshold``) are
    parameters (``scenarios/parameters.py``).
    """

    def coerce(self, partners: list[Partner], rng: np.random.Generator,
               params: CoercionRule) -> list[tuple[Partner, float, bool]]:
        """This turn's attempts, each (target, pressure, success); the model records each
        as a ``coercion`` event, the one type an attempt has."""
        chance = {p.code: self.success_probability(p, params) for p in partners}
        value = {p.code: chance[p.code] * self.gain(p, params) for p in partners}
        budget = math.floor(self["coercion_budget"] * len(partners) + 0.5)  # nearest whole
        ranked = sorted(partners, key=lambda p: (-value[p.code], p.code))
        targets = [p for p in ranked[:budget] if value[p.code] > params.coercion_threshold]
        draws = rng.random(len(partners))  # fixed count, so targeting never shifts the stream
        return [(p, self["coercion_intensity"], bool(draws[i] < chance[p.code]))
                for i, p in enumerate(targets)]

    def gain(self, p: Partner, params: CoercionRule) -> float:
        return params.china_base_interest + p.provocation

    def success_probability(self, p: Partner, params: CoercionRule) -> float:
        leverage = p["china_trade_exposure"] * p["coercion_vulnerability"] * (
            1 + self["coercion_intensity"])
        resistance = params.coercion_resistance_weight * (p.backing + p["china_threat"])
        return 1.0 / (1.0 + math.exp(-params.china_coercion_slope * (leverage - resistance)))


class Russia(Adversary):
    """Wages the war that drives the Ukraine-style scenario; its pressure (threats of
    escalation, energy and economic retaliation) weighs on options that provoke it."""

    def pressure(self, escalation: float) -> float:
        """How hard Russia presses those who act against it, given the war's escalation."""
        return escalation * self["coercion_intensity"]
