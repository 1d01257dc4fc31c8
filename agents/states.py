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

    def settle(self, coercion_decay: float) -> None:
        """At the start of a turn, old pressure and old provocation fade."""
        self.coerced *= coercion_decay
        self.provocation *= 0.5


class Ally(StateActor):
    """A NATO member; the United States among them, with its deterrence role."""


class Partner(StateActor):
    """Australia, Japan, the Republic of Korea or New Zealand."""


@dataclass(frozen=True)
class CoercionAttempt:
    target: str
    pressure: float
    backing: float
    success: bool


class Adversary(mesa.Agent):
    def __init__(self, model: mesa.Model, profile: AdversaryProfile):
        super().__init__(model)
        self.code = profile.code
        self.profile = profile

    def __getitem__(self, dimension: str) -> float:
        return self.profile[dimension]


class China(Adversary):
    """Coerces individual partners economically, choosing who is exposed, vulnerable,
    provocative and poorly backed (Hirschman 1945; Drezner 1999; Cha 2023)."""

    def coerce(self, partners: list[Partner], rng: np.random.Generator,
               threshold: float) -> list[CoercionAttempt]:
        gains = {p.code: self.expected_gain(p) for p in partners}
        budget = max(1, round(self["coercion_budget"] * len(partners)))
        ranked = sorted(partners, key=lambda p: (-gains[p.code], p.code))
        targets = [p for p in ranked[:budget] if gains[p.code] > threshold]
        draws = rng.random(len(partners))  # fixed count, so targeting never shifts the stream
        return [self._attempt(p, draws[i]) for i, p in enumerate(targets)]

    @staticmethod
    def expected_gain(p: Partner) -> float:
        exposure = p["china_trade_exposure"] * p["coercion_vulnerability"]
        return exposure * p.provocation * (1.0 - p.backing)

    def _attempt(self, p: Partner, u: float) -> CoercionAttempt:
        pressure = self["coercion_intensity"]
        leverage = p["china_trade_exposure"] * p["coercion_vulnerability"] * (1 + pressure)
        resistance = p.backing + p["china_threat"] * 0.5
        success = u < 1.0 / (1.0 + math.exp(-6.0 * (leverage - resistance)))
        return CoercionAttempt(p.code, pressure, p.backing, success)


class Russia(Adversary):
    """Wages the war that drives the Ukraine-style scenario; its pressure (threats of
    escalation, energy and economic retaliation) weighs on options that provoke it."""

    def pressure(self, escalation: float) -> float:
        return escalation * (0.5 + 0.5 * self["alignment_with_partner"])
