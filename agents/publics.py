"""The publics: one Mesa agent per country, holding its citizens as numpy arrays.

The report: understanding of NATO is "relatively limited at public levels in all
four countries"; "awareness of the grouping has largely exceeded understanding of
it"; and "Growing disinformation efforts by Russia and China about NATO increases
the significance of this issue". A :class:`Public` holds, per simulated citizen
(float32 arrays of length ``population``, all in [0, 1]):

* ``awareness`` a, ``understanding`` u (never above awareness: one cannot
  understand what one has not heard of), ``support`` s for engaging NATO;
* ``belief`` b_k, one row per narrative k (belief that the narrative is true);
* ``inoculation`` i, the protection prebunking has given (McGuire 1961);
* the anchors a0, u0, s0, b0_k each citizen returns to: drawn once from Beta
  distributions whose means are the country's profile values (``public_*``) and the
  narratives' anchors, with concentration ``public_spread`` (alpha + beta).

The update, once a turn, all vectorized (no Python loop over citizens), in order:

1. Visibility v (a summit, high-level visits) reaches everyone and raises
   awareness faster than understanding (kappa = ``visibility_understanding``)::

       a <- a + rho v (1 - a)
       u <- u + kappa rho v (a - u)

2. Each disinformation campaign c on narrative k, with reach r_c and intensity
   I_c: a citizen is reached with probability r_c (one uniform draw per citizen and
   campaign) and is receptive when her support lies within epsilon of the sender's
   stance on NATO engagement (0 for Russia and China): bounded confidence
   (Deffuant et al. 2000; Hegselmann and Krause 2002). Understanding and
   inoculation protect (mechanism M5, ``docs/mechanisms.md``)::

       pull = mu I_c (1 - u) (1 - phi_k i)     if reached and s < epsilon, else 0
       b_k  <- b_k + pull (1 - b_k)
       s    <- s - sigma pull s

   phi_k = 1 for the narratives the report's messaging answers, the parameter
   ``inoculation_spillover`` (0.10/0.37) for the others (Roozenbeek, Traberg and
   van der Linden 2022: d ~ 0.37 against the techniques inoculated, ~0.10 against
   others).

3. NATO public diplomacy with reach r, intensity I, depth d and messaging m
   (the levers, ``scenarios/information.py``): a reached citizen gains awareness and,
   more, understanding; is inoculated; and, if receptive (s > 1 - epsilon: within
   epsilon of NATO's stance 1), moves toward support and away from the narratives::

       a <- a + g_a I (1 - a)
       u <- u + g_u d I (a - u)
       i <- i + m iota_max (1 - i)
       pull = mu I                              if reached and s > 1 - epsilon, else 0
       s    <- s + pull (1 - s);   b_k <- b_k - delta pull b_k

4. Anchoring with peers: Friedkin-Johnsen (1990) with a mean-field DeGroot (1974)
   influence matrix W = (1 - w) I + w 11'/N, for every x in {a, u, s, b_k}::

       x <- lambda ((1 - w) x + w mean(x)) + (1 - lambda) x0;   i <- lambda i

   then every array is clipped to [0, 1], and understanding to at most awareness
   (one cannot understand what one has not heard of). W is doubly stochastic, so with no
   message at all (v = 0, no reach) each country's mean stays at the mean of its
   anchors, which is the profile value up to the sampling error of the draws.

The random draws per turn are fixed: one uniform array per campaign of the scenario
(active or not) and one for public diplomacy, whatever the choices, from the
publics' own generator (spawned from the model's), so the governments' random
stream does not depend on the population size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import mesa
import numpy as np

F32 = np.float32


@dataclass(frozen=True)
class Received:
    """One campaign as one public receives it this turn (reach 0: not aimed at it)."""

    narrative: int  # row of the belief array
    reach: float
    intensity: float


@dataclass(frozen=True)
class Signals:
    """Everything that reaches one public in one turn."""

    visibility: float = 0.0
    campaigns: tuple[Received, ...] = ()
    reach: float = 0.0  # public diplomacy
    intensity: float = 0.0
    depth: float = 0.0
    messaging: float = 0.0


@dataclass(frozen=True)
class Rates:
    """The update's parameters: the model hands in its run's values
    (``scenarios/parameters.py`` documents each)."""

    retention: float  # lambda
    peer_weight: float  # w
    confidence: float  # epsilon
    persuasion: float  # mu
    visibility_rate: float  # rho
    visibility_understanding: float  # kappa
    outreach_awareness: float  # g_a
    outreach_understanding: float  # g_u
    inoculation_max: float  # iota_max
    support_pull: float  # sigma
    debunk_pull: float  # delta
    protection: tuple[float, ...] = ()  # phi_k per narrative (sim/information.py::protection)


def beta_draws(rng: np.random.Generator, mean: float, concentration: float, n: int
               ) -> np.ndarray:
    """n draws in [0, 1] with the given mean: Beta(mean k, (1 - mean) k)."""
    m = min(max(float(mean), 1e-3), 1.0 - 1e-3)
    return rng.beta(m * concentration, (1.0 - m) * concentration, n).astype(F32)


class Public(mesa.Agent):
    """A country's population: awareness, understanding, support, narrative beliefs."""

    def __init__(self, model: mesa.Model, code: str, awareness: float, understanding: float,
                 support: float, beliefs: Sequence[float], population: int,
                 spread: float, rng: np.random.Generator):
        super().__init__(model)
        self.code = code
        self.population = int(population)
        n = self.population
        a0 = beta_draws(rng, awareness, spread, n)
        ratio = beta_draws(rng, min(1.0, understanding / awareness) if awareness > 0 else 0.0,
                           spread, n)
        self.anchor_awareness = a0
        self.anchor_understanding = (a0 * ratio).astype(F32)
        self.anchor_support = beta_draws(rng, support, spread, n)
        self.anchor_belief = np.stack([beta_draws(rng, b, spread, n) for b in beliefs]) \
            if len(beliefs) else np.zeros((0, n), F32)
        self.awareness = self.anchor_awareness.copy()
        self.understanding = self.anchor_understanding.copy()
        self.support = self.anchor_support.copy()
        self.belief = self.anchor_belief.copy()
        self.inoculation = np.zeros(n, F32)

    def arrays(self) -> dict[str, np.ndarray]:
        """The citizens' current state, by name (beliefs as one 2-D array)."""
        return {"awareness": self.awareness, "understanding": self.understanding,
                "support": self.support, "belief": self.belief,
                "inoculation": self.inoculation}

    def update(self, s: Signals, r: Rates, rng: np.random.Generator) -> None:
        """One turn of the rule in the module's docstring."""
        a, u, sup, inoc, belief = (self.awareness, self.understanding, self.support,
                                   self.inoculation, self.belief)
        n = self.population
        # 1. visibility: awareness outruns understanding
        if s.visibility > 0:
            gain = r.visibility_rate * s.visibility
            a += gain * (1 - a)
            u += (gain * r.visibility_understanding) * (a - u)
        # 2. disinformation: bounded confidence, understanding and inoculation protect
        for m in s.campaigns:
            draw = rng.random(n, dtype=F32)
            if m.reach <= 0 or m.intensity <= 0:
                continue
            pull = (1 - u) * (r.persuasion * m.intensity)
            pull *= 1 - r.protection[m.narrative] * inoc
            pull *= (draw < m.reach) & (sup < r.confidence)
            b = belief[m.narrative]
            b += pull * (1 - b)
            sup -= (r.support_pull * pull) * sup
        # 3. public diplomacy: awareness, more understanding, inoculation, persuasion
        draw = rng.random(n, dtype=F32)
        if s.reach > 0 and s.intensity > 0:
            reached = draw < s.reach
            a += (1 - a) * (r.outreach_awareness * s.intensity) * reached
            u += (a - u) * (r.outreach_understanding * s.depth * s.intensity) * reached
            if s.messaging > 0:
                inoc += (1 - inoc) * (s.messaging * r.inoculation_max) * reached
            pull = (reached & (sup > 1 - r.confidence)) * F32(r.persuasion * s.intensity)
            sup += pull * (1 - sup)
            belief -= (r.debunk_pull * pull) * belief
        # 4. anchoring with peers (Friedkin-Johnsen, mean-field DeGroot)
        lam, w = r.retention, r.peer_weight
        for x, x0 in ((a, self.anchor_awareness), (u, self.anchor_understanding),
                      (sup, self.anchor_support), (belief, self.anchor_belief)):
            mean = (x.sum(axis=-1, keepdims=True, dtype=np.float64) / n).astype(F32)
            x *= lam * (1 - w)
            x += (lam * w) * mean
            x += (1 - lam) * x0
            np.clip(x, 0, 1, out=x)
        inoc *= lam
        np.minimum(u, a, out=u)

    def means(self, narratives: Sequence[str]) -> dict[str, float]:
        """Country means; ``gap`` is mean awareness minus mean understanding."""
        n = self.population
        out = {name: float(x.sum(dtype=np.float64)) / n for name, x in (
            ("awareness", self.awareness), ("understanding", self.understanding),
            ("support", self.support), ("inoculation", self.inoculation))}
        out["gap"] = out["awareness"] - out["understanding"]
        beliefs = self.belief.sum(axis=-1, dtype=np.float64) / n
        for k, narrative in enumerate(narratives):
            out[f"belief.{narrative}"] = float(beliefs[k])
        return out
