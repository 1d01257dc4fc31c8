"""How an actor chooses: a utility with named terms, and a logit choice with a temperature.

For one decision point the engine computes, for every actor taking part and every
option, each term of the utility (a numpy array actors x options x terms), so a
choice can always be explained: "Japan chose broad sanctions: position +0.42,
US pull +0.18, coercion risk -0.05".

Who makes a choice is pluggable (:class:`Chooser`): the engine's logit draw by
default, a scripted list for replays and tests, a person at the terminal
(sim/players.py) or a front end. Every choice consumes one uniform draw from the
model's generator whoever makes it, so swapping a chooser never shifts the random
stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from scenarios.schema import DecisionPoint

# The named terms of the utility, in the order of the last axis of the term array.
TERMS = (
    "position", "us_pull", "peer_pull", "coercion_risk", "russia_risk", "china_framing",
    "formalization", "nato_ties", "cost", "public", "consensus_norm",
)
TERM_LABELS = {
    "position": "position", "us_pull": "US pull", "peer_pull": "partner pull",
    "coercion_risk": "coercion risk", "russia_risk": "Russian pressure",
    "china_framing": "China framing", "formalization": "formalization",
    "nato_ties": "NATO ties", "cost": "cost", "public": "public opinion",
    "consensus_norm": "consensus norm",
}


@dataclass(frozen=True)
class OptionArrays:
    """A decision's options as arrays over options, built once per decision point."""

    position: np.ndarray
    provokes_china: np.ndarray
    provokes_russia: np.ndarray
    china_framing: np.ndarray
    formalization: np.ndarray
    through_nato: np.ndarray
    visibility: np.ndarray
    cost: np.ndarray
    blocks: np.ndarray

    @classmethod
    def of(cls, decision: DecisionPoint) -> OptionArrays:
        def col(name: str) -> np.ndarray:
            return np.array([float(getattr(o, name)) for o in decision.options])

        return cls(**{name: col(name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ActorArrays:
    """What the utility needs of the actors taking part, one row per actor."""

    ideal: np.ndarray  # the actor's position on the decision's dimension
    us_alignment: np.ndarray
    vulnerability: np.ndarray
    framing_aversion: np.ndarray
    formalization_aversion: np.ndarray
    integration: np.ndarray
    capability: np.ndarray
    public_support: np.ndarray
    is_us: np.ndarray  # 1 for the United States, which feels no pull toward itself


@dataclass(frozen=True)
class Situation:
    """What the world and the coordination rule add to a decision, per actor where it varies."""

    salience: float  # 1 + the decision's pressure variable
    us_position: float
    russia_pressure: float
    group_position: np.ndarray  # per actor, NaN where there is no group to be drawn to
    group_pull: np.ndarray  # per actor, 0..1
    backing: np.ndarray  # per actor, 0..1: partners' cover against coercion
    coerced: np.ndarray  # per actor: coercion pressure felt now


def term_array(actors: ActorArrays, options: OptionArrays, situation: Situation,
               weights: dict[str, float]) -> np.ndarray:
    """Every utility term for every actor and option: shape (actors, options, len(TERMS))."""
    a = actors
    o = options
    s = situation
    col = np.newaxis  # actors down the rows, options across
    distance_us = np.abs(o.position - s.us_position)
    group = np.where(np.isnan(s.group_position), 0.0, s.group_position)
    felt = a.vulnerability * (1.0 - s.backing) * (1.0 + s.coerced)
    terms = [
        -weights["w_position"] * s.salience * np.abs(o.position - a.ideal[:, col]),
        weights["w_us_pull"] * (a.us_alignment * (1 - a.is_us))[:, col] * (1 - distance_us),
        weights["w_peer_pull"] * s.group_pull[:, col] * (1 - np.abs(o.position - group[:, col])),
        -weights["w_coercion"] * felt[:, col] * o.provokes_china,
        -weights["w_russia_risk"] * s.russia_pressure * np.broadcast_to(
            o.provokes_russia, (len(a.ideal), len(o.position))),
        -weights["w_framing"] * a.framing_aversion[:, col] * o.china_framing,
        -weights["w_formalization"] * a.formalization_aversion[:, col] * o.formalization,
        weights["w_nato_ties"] * a.integration[:, col] * o.through_nato,
        -weights["w_cost"] * (1 - a.capability)[:, col] * o.cost,
        weights["w_public"] * (a.public_support - 0.5)[:, col] * o.visibility,
        -weights["w_consensus_norm"] * np.broadcast_to(
            o.blocks, (len(a.ideal), len(o.position))),
    ]
    return np.stack(terms, axis=-1)


def choice_probabilities(utility: np.ndarray, temperature: float) -> np.ndarray:
    """Logit (softmax) over the last axis: each row is a probability distribution."""
    z = utility / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def draw(probabilities: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """One option index per row, by inverting each row's cumulative distribution."""
    cumulative = np.cumsum(probabilities, axis=-1)
    index = (cumulative < uniforms[:, np.newaxis]).sum(axis=-1)
    return np.minimum(index, probabilities.shape[-1] - 1)


def explain(terms: np.ndarray, chosen: int) -> dict[str, float]:
    """Each term's pull toward the chosen option relative to the average option
    (``terms``: options x terms, for one actor)."""
    return named(terms[chosen] - terms.mean(axis=0))


def named(relative: np.ndarray) -> dict[str, float]:
    """A row of relative terms as {term: value}, rounded, leaving out the ones at zero."""
    return {name: round(v, 4) for name, v in zip(TERMS, relative.tolist(), strict=True)
            if abs(v) >= 5e-5}


def because(terms: dict[str, float], top: int = 3) -> str:
    """'position +0.42, US pull +0.18, coercion risk -0.05'"""
    ranked = sorted(terms.items(), key=lambda kv: -abs(kv[1]))[:top]
    return ", ".join(f"{TERM_LABELS[name]} {value:+.2f}" for name, value in ranked)


@dataclass(frozen=True)
class ChoiceRequest:
    """What a chooser is told: the question, the options, and the engine's own reading."""

    turn: int
    actor: str
    decision: DecisionPoint
    probabilities: dict[str, float]  # the engine's logit probabilities, option id -> p
    advice: str  # the engine's explanation of its most likely option
    group_option: str | None


class Chooser(Protocol):
    """Anything that picks an option id for an actor: a script (ScriptedChooser), a person
    at the terminal (sim.players.PromptChooser), a front end of one's own."""

    name: str

    def choose(self, request: ChoiceRequest) -> str: ...


class ScriptedChooser:
    """Replays choices recorded as (turn, decision, actor) -> option, e.g. from events.jsonl."""

    name = "scripted"

    def __init__(self, script: dict[tuple[int, str, str], str]):
        self.script = script

    @classmethod
    def from_events(cls, events: list, actors: set[str] | None = None) -> ScriptedChooser:
        return cls({(e.turn, e.decision, e.actor): e.option for e in events
                    if e.kind == "choice" and (actors is None or e.actor in actors)})

    def choose(self, request: ChoiceRequest) -> str:
        key = (request.turn, request.decision.id, request.actor)
        if key not in self.script:
            raise LookupError(f"no scripted choice for turn {key[0]}, {key[1]}, {key[2]}")
        return self.script[key]
