"""The turn's numbers: tidy rows for the run's time series, and the headline metrics in
Mesa's DataCollector for anyone who drives the model as a Mesa model."""

from __future__ import annotations

from itertools import repeat
from typing import TYPE_CHECKING

import mesa

from scenarios.information import NARRATIVE_IDS
from sim.decisions import rounded
from sim.outputs import Row

if TYPE_CHECKING:
    from sim.model import IP4Model


def datacollector() -> mesa.DataCollector:
    """Headline metrics per turn (model reporters read ``IP4Model`` attributes)."""
    return mesa.DataCollector(model_reporters={
        "russia_pressure": lambda m: m.adversaries.russia_pressure,
        "narrative_hook": lambda m: round(m.information.hook, 6),
        "joint_positions": lambda m: m.consultation.joint_positions,
        "coercion_successes": lambda m: m.adversaries.coercion_successes,
        "mean_public_support": lambda m: round(
            sum(m.information.support[p.code] for p in m.partners) / len(m.partners), 6),
    })


class Metrics:
    """Owns the time series: (turn, metric, actor, value) rows, actor "" for the run."""

    def __init__(self, model: IP4Model):
        self.model = model
        self.rows: list[Row] = []
        self.collector = datacollector()

    def record(self, turn: int) -> None:
        model, rows = self.model, self.rows
        for name, value in model.timeline.world.items():
            rows.append((turn, f"world.{name}", "", value))
        consultation = model.consultation
        rows.append((turn, "russia_pressure", "", model.adversaries.russia_pressure))
        rows.append((turn, "narrative_hook", "", round(model.information.hook, 6)))
        rows.append((turn, "japan_rok_contacts", "", float(consultation.japan_rok_contacts)))
        rows.append((turn, "japan_rok_direct", "", float(consultation.japan_rok_direct)))
        partners = model.partners
        dimensions = sorted({d for p in partners for d in p.stance})
        for p in partners:
            if turn == 1:  # the run's capability (overrides included), for weighted outcomes
                rows.append((turn, "capability", p.code, p["capability"]))
            rows.append((turn, "coerced", p.code, round(p.coerced, 6)))
            rows.append((turn, "backing", p.code, round(p.backing, 6)))
            rows.append((turn, "attention", p.code, round(p.attention, 6)))
            rows += [(turn, f"position.{d}", p.code, p.stance[d]) for d in dimensions
                     if d in p.stance]
        for d in dimensions:
            positions = [p.stance[d] for p in partners if d in p.stance]
            if len(positions) == len(partners):
                rows.append((turn, f"ip4_spread.{d}", "", max(positions) - min(positions)))
        self.record_publics(turn)
        self.collector.collect(model)

    def record_publics(self, turn: int) -> None:
        info, rows = self.model.information, self.rows
        rows.append((turn, "narrative_material", "", round(info.material, 6)))
        rows.append((turn, "liaison_office_open", "", float(info.office_open)))
        for narrative in NARRATIVE_IDS:
            running = [c for c in info.campaigns if c.narrative == narrative and c.active]
            rows.append((turn, f"campaign_reach.{narrative}", "",
                         max((c.reach for c in running), default=0.0)))
            rows.append((turn, f"campaign_intensity.{narrative}", "",
                         max((c.intensity for c in running), default=0.0)))
        metrics = [f"public.{name}" for name in info.names]
        for code, values in zip(info.publics, rounded(info.table, 6).tolist(), strict=True):
            rows.extend(zip(repeat(turn), metrics, repeat(code), values))
            rows.append((turn, "public_support_read", code, info.support[code]))
            if code in info.outreach:
                rows.append((turn, "outreach_reach", code, info.outreach[code].reach))
            if code in info.swayed:
                rows.append((turn, "swayed_choices", code, float(info.swayed[code])))
