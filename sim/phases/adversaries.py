"""The adversaries act: Russia presses those who act against it, China coerces the
partners where coercion pays best (agents/states.py says how each decides)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.catalog import CHN, RUS
from agents.states import CoercionRule
from scenarios.schema import ESCALATION_VAR
from sim.outputs import Coercion, Pressure

if TYPE_CHECKING:
    from sim.model import IP4Model


class Adversaries:
    """Owns Russia's pressure, which the partners' utilities read (``russia_risk``), and
    the count of China's coercion that landed."""

    def __init__(self, model: IP4Model):
        self.model = model
        self.russia_pressure = 0.0
        self.coercion_successes = 0
        self.attempted: dict[str, float] = {}  # this turn's coercion: target -> pressure
        p = model.params
        self.coercion_rule = CoercionRule(p.coercion_threshold, p.china_base_interest,
                                          p.china_coercion_slope, p.coercion_resistance_weight)

    def act(self, turn: int) -> None:
        self.russia_presses(turn)
        self.china_coerces(turn)

    def russia_presses(self, turn: int) -> None:
        model = self.model
        level = model.russia.pressure(model.timeline.get(ESCALATION_VAR))
        memory = model.params.russia_pressure_memory
        self.russia_pressure = round(memory * self.russia_pressure + (1 - memory) * level, 6)
        if level > 0:
            model.log(Pressure(turn=turn, actor=RUS, level=self.russia_pressure,
                               note="threats of escalation and economic retaliation"))

    def china_coerces(self, turn: int) -> None:
        model = self.model
        self.attempted = {}
        for target, pressure, success in model.china.coerce(model.partners, model.rng,
                                                             self.coercion_rule):
            # landed or not, an attempt is news to its target's public and its neighbours'
            self.attempted[target.code] = max(self.attempted.get(target.code, 0.0), pressure)
            if success:
                target.coerced += pressure
                self.coercion_successes += 1
            model.log(Coercion(turn=turn, actor=CHN, target=target.code,
                               pressure=round(pressure, 4), backing=round(target.backing, 4),
                               success=success))
