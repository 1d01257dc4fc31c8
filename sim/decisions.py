"""How an actor chooses: a utility with named terms, and a logit choice with a temperature.

For one decision point the engine computes, for every actor taking part and every
option, each term of the utility (a numpy array actors x options x terms), so a
choice can always be explained: "Japan chose broad sanctions: position +0.42,
US pull +0.18, coercion risk -0.05".

Who makes a choice is up to the seat behind each actor (``sim/protocol.py``): the
engine's logit draw by default. Every choice consumes one uniform draw from the model's
generator whoever makes it, so handing an actor to a person never shifts the random
stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios.schema import DecisionPoint
from sim.outputs import TERMS


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
    public_support: np.ndarray  # what the government reads of its public's support
    anchor_support: np.ndarray  # the profile's public_support (the public at its anchor)
    public_threat: np.ndarray  # the public's threat perception above its anchor (0: none)
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


# The terms that read only the actors' profiles, the options and the United States'
# profile, which a run never changes: computed once per group of actors and decision
# (term_array's other terms change with the world, the group and the publics).
STATIC_TERMS = ("us_pull", "china_framing", "formalization", "nato_ties", "cost",
                "consensus_norm")
_AT = {name: k for k, name in enumerate(TERMS)}


@dataclass(frozen=True)
class Static:
    """What :func:`term_array` reads of one group of actors and one decision that a run
    never changes."""

    terms: np.ndarray  # the STATIC_TERMS in an (actors, options, len(TERMS)) array, 0 elsewhere
    distance: np.ndarray  # |option - actor's ideal|, (actors, options): the position term's


def static_terms(actors: ActorArrays, options: OptionArrays, weights: dict[str, float],
                 us_position: float) -> Static:
    """The :data:`STATIC_TERMS` and the distances the position term scales."""
    a, o, col = actors, options, np.newaxis
    out = np.zeros((len(a.ideal), len(o.position), len(TERMS)))
    out[..., _AT["us_pull"]] = weights["w_us_pull"] * (a.us_alignment * (1 - a.is_us))[:, col] \
        * (1 - np.abs(o.position - us_position))
    out[..., _AT["china_framing"]] = -weights["w_framing"] * a.framing_aversion[:, col] \
        * o.china_framing
    out[..., _AT["formalization"]] = -weights["w_formalization"] \
        * a.formalization_aversion[:, col] * o.formalization
    out[..., _AT["nato_ties"]] = weights["w_nato_ties"] * a.integration[:, col] * o.through_nato
    out[..., _AT["cost"]] = -weights["w_cost"] * (1 - a.capability)[:, col] * o.cost
    out[..., _AT["consensus_norm"]] = -weights["w_consensus_norm"] * o.blocks
    return Static(out, np.abs(o.position - a.ideal[:, col]))


def term_array(actors: ActorArrays, options: OptionArrays, situation: Situation,
               weights: dict[str, float], static: Static) -> np.ndarray:
    """Every utility term for every actor and option: shape (actors, options, len(TERMS)).
    ``static``: :func:`static_terms` of the same actors and options."""
    a, o, s, col = actors, options, situation, np.newaxis  # actors down, options across
    out = static.terms.copy()
    out[..., _AT["position"]] = -weights["w_position"] * s.salience * static.distance
    out[..., _AT["russia_risk"]] = -weights["w_russia_risk"] * s.russia_pressure \
        * o.provokes_russia
    out[..., _AT["public"]] = weights["w_public"] \
        * (a.public_support - weights["public_neutral"])[:, col] * o.visibility
    # last in TERMS, so a zero term leaves the sum of the others bit for bit
    out[..., _AT["public_threat"]] = weights["w_public_threat"] * a.public_threat[:, col] \
        * o.position
    return situated(out, a, o, s, weights)


def situated(terms: np.ndarray, actors: ActorArrays, options: OptionArrays,
             situation: Situation, weights: dict[str, float]) -> np.ndarray:
    """``terms`` (a :func:`term_array`) with the two terms that read the group and the
    partners' backing, the peer pull and the coercion risk, as ``situation`` has them, in
    place: the same actors' terms in another situation of the same moment (a partner's
    intention alone, then its choice with the group behind it) without the others again."""
    a, o, s, col = actors, options, situation, np.newaxis
    felt = a.vulnerability * (1.0 - s.backing) * (1.0 + s.coerced)
    terms[..., _AT["coercion_risk"]] = -weights["w_coercion"] * felt[:, col] * o.provokes_china
    if s.group_pull.any():
        group = np.where(np.isnan(s.group_position), 0.0, s.group_position)
        terms[..., _AT["peer_pull"]] = weights["w_peer_pull"] * s.group_pull[:, col] \
            * (1 - np.abs(o.position - group[:, col]))
    else:  # no group pulls: a term of zeros
        terms[..., _AT["peer_pull"]] = 0.0
    return terms


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


def named(relative: np.ndarray) -> dict[str, float]:
    """A row of relative terms as {term: value}, rounded, leaving out the ones at zero."""
    return named_rows(relative[np.newaxis])[0]


def named_rows(relative: np.ndarray) -> list[dict[str, float]]:
    """Each row of an (actors, terms) array named (:func:`named`), in one pass over the
    terms that are not zero rather than over every cell: a run names a few hundred choices,
    most of whose terms (framing, formalization, cost...) are zero on most questions."""
    rows, columns = np.nonzero(np.abs(relative) >= 5e-5)
    values = rounded(relative[rows, columns], 4).tolist()
    out: list[dict[str, float]] = [{} for _ in range(len(relative))]
    for row, column, value in zip(rows.tolist(), columns.tolist(), values, strict=True):
        out[row][TERMS[column]] = value  # row-major: each row's terms in TERMS order
    return out


def rounded(values: np.ndarray, digits: int) -> np.ndarray:
    """``round(v, digits)`` of every element, exactly as Python rounds (the same doubles),
    in a few array operations instead of a call per number. Scaled by 10**digits, a value
    whose exact product lies more than 1e-6 from a half-integer rounds to the same integer
    from the computed product (its error is below 1e-7 while the product is below 1e9), and an
    integer divided by 10**digits is the double nearest the decimal, as ``round`` gives;
    the few within 1e-6 of a tie, or larger, or not finite, are rounded by Python itself."""
    scale = 10.0 ** digits
    scaled = values * scale
    out = np.rint(scaled) / scale
    ties = np.flatnonzero((np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
                          | ~(np.abs(scaled) < 1e9))  # and any too large for that bound
    for k in ties.tolist():
        out.flat[k] = round(float(values.flat[k]), digits)
    return out
