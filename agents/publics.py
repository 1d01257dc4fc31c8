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
* ``threat`` T_j, one row per adversary j in ``ADVERSARIES`` (China, Russia): the
  perception of it as a threat;
* the anchors a0, u0, s0, b0_k, T0_j each citizen returns to: drawn once from Beta
  distributions whose means are the country's profile values (``public_*``, the threat
  anchors from each country's polls) and the narratives' anchors, with concentration
  ``public_spread`` (alpha + beta); u0 = a0 times a draw around
  understanding / awareness. Each draw is by inverse CDF (:func:`beta_draws`): one
  uniform per citizen picks one of :data:`QUANTILES` equally likely quantiles of the
  Beta, a table computed once per process and distribution.

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

   (all of a, u, s and the b_k at once: they are layers of one array, ``Citizens.opinion``),
   then every array is clipped to [0, 1], and understanding to at most awareness
   (one cannot understand what one has not heard of). W is doubly stochastic, so with no
   message at all (v = 0, no reach) each country's mean stays at the mean of its
   anchors, which is the profile value up to the sampling error of the draws.

5. Threat perception: it relaxes toward its anchor at the share r a turn (from a
   half-life in days, ``threat_half_life_days``), then an event of strength e_j (news of
   a threat from adversary j this turn) moves every citizen part of the way up
   (eta = ``threat_shock``)::

       T_j <- T0_j + (1 - r) (T_j - T0_j);   T_j <- T_j + eta e_j (1 - T_j)

   so with no event the mean's distance from its anchors shrinks by exactly (1 - r)
   a turn.

The random draws per turn are fixed: one uniform array per campaign of the scenario
(active or not) and one for public diplomacy, whatever the choices, from the
publics' own generator (spawned from the model's), so the governments' random
stream does not depend on the population size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import mesa
import numpy as np
from scipy.special import betaincinv

F32 = np.float32
# Below this many citizens a country, the publics update all at once: numpy's call overhead
# dominates small arrays. From it on, a country at a time: one country's arrays stay in the
# processor's cache (benchmarks/publics.py: 4 x 250,000 stacked took 1.5x the time). The
# numbers are the same either way, bit for bit.
STACK_BELOW = 50_000
ADVERSARIES = ("china", "russia")  # the rows of the threat arrays
# the first rows of a public's opinion block (Citizens.opinion), then one belief per narrative
OPINION = ("awareness", "understanding", "support")
# K, the quantiles of a Beta distribution the anchors are drawn from (inverse-CDF sampling,
# beta_draws): every draw is the exact Beta quantile at a probability within 1/(2K) = 1/8192
# of its uniform, finer than a public can show (2,000 citizens a country: a citizen is
# 1/2000 of the distribution). A table's mean is the Beta's to 1e-5 and, for means in
# [0.05, 0.95] and any public_spread, its variance to 0.1% (less spread only in the last
# 1/K of the tails; up to 3% at the 0.001 guard on the mean, where the variance sits in
# that tail); tests/test_publics.py checks both. A power of two, so that every index is
# exactly equally likely from float32 uniforms (2**24 values). A table costs about 1.6 ms
# of betaincinv, once per process and distribution, and 16 KB; then 2,000 draws take about
# 10 us against 90 us for rng.beta (64,000 draws a run).
QUANTILES = 4096
# How many tables a process keeps (about 25 distributions a run: each partner's awareness,
# understanding ratio, support and two threats, and the narratives'; more with the allies'
# publics): 512 x 16 KB = 8 MB at most; a sweep that varies public_spread or a public_*
# value builds a run's tables anew for each new value.
TABLES = 512


class Received(NamedTuple):
    """One campaign as one public receives it this turn (reach 0: not aimed at it); a
    tuple, since the model makes one per public, campaign and turn."""

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
    threat_events: tuple[float, float] = (0.0, 0.0)  # e_j, in the order of ADVERSARIES


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
    threat_shock: float = 0.0  # eta
    threat_relaxation: float = 0.0  # r, per turn


@lru_cache(maxsize=TABLES)
def beta_quantiles(mean: float, concentration: float) -> np.ndarray:
    """The K = :data:`QUANTILES` quantiles of Beta(mean c, (1 - mean) c) at the
    probabilities (j + 1/2) / K, j = 0 .. K - 1, as float32 (read-only: the table is
    shared by every run of the process that asks for the same distribution)."""
    middle = (np.arange(QUANTILES, dtype=np.float64) + 0.5) / QUANTILES  # each K-th's middle
    table = betaincinv(mean * concentration, (1.0 - mean) * concentration, middle).astype(F32)
    table.flags.writeable = False
    return table


def beta_draws(rng: np.random.Generator, mean: float, concentration: float, n: int
               ) -> np.ndarray:
    """n draws in [0, 1] with the given mean from Beta(mean c, (1 - mean) c), by inverse
    CDF: n float32 uniforms from ``rng``, each scaled to an index j in 0 .. K - 1 (exactly
    equally likely: K divides the 2**24 float32 uniforms), and the table's quantile j
    (:func:`beta_quantiles`). The mean is kept within 0.001 of 0 and 1 (Beta needs both
    shapes above 0)."""
    m = min(max(float(mean), 1e-3), 1.0 - 1e-3)
    index = rng.random(n, dtype=F32)
    index *= QUANTILES  # a power of two: exact in float32, and below K
    return beta_quantiles(m, float(concentration)).take(index.astype(np.intp))


class Steps(NamedTuple):
    """Which steps of a turn's update run (each runs if any country takes part in it)."""

    visibility: bool
    live: tuple[int, ...]  # the campaigns that reach someone, by index
    outreach: bool
    messaging: bool
    threat: bool


def coefficients(signals: Sequence[Signals], r: Rates) -> tuple[np.ndarray, Steps]:
    """The steps of a turn that run, and every coefficient they apply: one row per country,
    one column per coefficient, in the order the update uses them, only for the steps that
    run (visibility: rho v, kappa rho v; each live campaign: mu I_c (0 if it does not reach
    the country), r_c; outreach: r, g_a I, g_u d I, m iota_max if any messaging, mu I (all 0
    for a country outreach does not reach); threat news: eta e_j per adversary). Each is a
    product of Python numbers (float64), cast to float32 once, as the update applies it."""
    on = [[m.reach > 0 and m.intensity > 0 for m in s.campaigns] for s in signals]
    reaching = [s.reach > 0 and s.intensity > 0 for s in signals]
    # list comprehensions, not generators: Python 3.12 runs them inline, without a frame
    steps = Steps(visibility=any([s.visibility > 0 for s in signals]),
                  live=tuple([k for k, heard in enumerate(zip(*on, strict=True)) if any(heard)]),
                  outreach=any(reaching),
                  messaging=any(reaching) and any([s.messaging > 0 for s in signals]),
                  threat=any([any(s.threat_events) for s in signals]))
    table = []
    for s, heard, reaches in zip(signals, on, reaching, strict=True):
        row: list[float] = []
        if steps.visibility:
            gain = r.visibility_rate * max(s.visibility, 0.0)
            row += (gain, gain * r.visibility_understanding)
        for k in steps.live:
            row += (r.persuasion * s.campaigns[k].intensity if heard[k] else 0.0,
                    s.campaigns[k].reach)
        if steps.outreach:
            terms = [s.reach, r.outreach_awareness * s.intensity,
                     r.outreach_understanding * s.depth * s.intensity]
            if steps.messaging:
                terms.append(max(s.messaging, 0.0) * r.inoculation_max)
            terms.append(r.persuasion * s.intensity)
            row += terms if reaches else [0.0] * len(terms)
        if steps.threat:
            row += [e * r.threat_shock for e in s.threat_events]
        table.append(row)
    return np.array(table, dtype=np.float64).astype(F32), steps


class Citizens:
    """Every citizen of several publics at once: one row per country, so one numpy call
    updates them all (a few dozen calls a turn, whatever the number of countries).

    Arrays (float32): ``opinion`` ((3 + narratives) x countries x population), whose
    layers are awareness, understanding, support and one belief per narrative
    (:data:`OPINION`), seen through the views ``awareness``, ``understanding`` and
    ``support`` (countries x population, each contiguous) and ``belief`` (countries x
    narratives x population), so that the anchoring step moves them all in a few calls;
    ``inoculation`` (countries x population); ``threat`` (countries x adversaries x
    population); and the anchors ``anchor_opinion`` (with the same views
    ``anchor_awareness`` and so on) and ``anchor_threat``. Each country's anchors are drawn
    in turn, in the order the countries are given, so a country's draws do not depend on
    how many countries are stacked with it; so are each turn's uniforms (country by
    country). The threat anchors come from ``threat_rng`` (none given: no threat
    perceived), so adding them moved no other draw.
    """

    def __init__(self, countries: Sequence[tuple[float, float, float]],
                 beliefs: Sequence[float], population: int, spread: float,
                 rng: np.random.Generator,
                 threats: Sequence[tuple[float, float]] | None = None,
                 threat_rng: np.random.Generator | None = None):
        n = self.population = int(population)
        self.anchor_opinion = np.stack([self._draw(rng, a, u, s, beliefs, n, spread)
                                        for a, u, s in countries], axis=1)
        self.anchor_threat = np.stack(
            [np.stack([beta_draws(threat_rng, m, spread, n) for m in means])
             for means in threats]) if threats else \
            np.zeros((len(countries), len(ADVERSARIES), n), F32)
        self.opinion = self.anchor_opinion.copy()
        self.threat = self.anchor_threat.copy()
        for prefix, block in (("", self.opinion), ("anchor_", self.anchor_opinion)):
            for layer, name in enumerate(OPINION):
                setattr(self, prefix + name, block[layer])
            setattr(self, prefix + "belief", block[len(OPINION):].swapaxes(0, 1))
        self.inoculation = np.zeros_like(self.awareness)
        self._uniforms = np.empty(0, dtype=F32)  # see uniforms()
        self._scratch: tuple[np.ndarray, ...] = ()  # see scratch()

    @staticmethod
    def _draw(rng: np.random.Generator, awareness: float, understanding: float,
              support: float, beliefs: Sequence[float], n: int, spread: float
              ) -> np.ndarray:
        """One country's anchors, the rows of :data:`OPINION` then the beliefs."""
        block = np.empty((len(OPINION) + len(beliefs), n), F32)
        block[0] = beta_draws(rng, awareness, spread, n)
        ratio = beta_draws(rng, min(1.0, understanding / awareness) if awareness > 0 else 0.0,
                           spread, n)
        np.multiply(block[0], ratio, out=block[1])
        block[2] = beta_draws(rng, support, spread, n)
        for k, b in enumerate(beliefs):
            block[len(OPINION) + k] = beta_draws(rng, b, spread, n)
        return block

    def update(self, signals: Sequence[Signals], r: Rates, rng: np.random.Generator) -> None:
        """One turn of the rule in the module's docstring, ``signals[i]`` for row i.

        Small publics (below :data:`STACK_BELOW` citizens each) are updated all rows at
        once, large ones a country at a time; either way each coefficient is computed per
        country in float64 and applied in float32, as a Python number would be, and the
        draws come country by country, so the result equals country-by-country updates,
        bit for bit."""
        if self.population < STACK_BELOW:
            self._update(slice(None), signals, r, rng)
        else:
            for row, one in enumerate(signals):
                self._update(row, [one], r, rng)

    def _update(self, rows: slice | int, signals: Sequence[Signals], r: Rates,
                rng: np.random.Generator) -> None:
        """The update of ``rows``: all of them (a slice) or one (a row number), the steps
        of the module's docstring in its order (:class:`TurnUpdate`)."""
        turn = TurnUpdate(self, rows, signals, r, rng)
        if turn.steps.visibility:
            turn.visibility()
        if turn.steps.live:
            turn.disinformation()
        if turn.steps.outreach:
            turn.outreach()
        turn.anchoring()
        turn.threat()

    def scratch(self, shape: tuple[int, ...], block: tuple[int, ...]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Buffers for the update's products, kept from turn to turn like the uniforms:
        two the shape of a row of citizens and one the shape of the opinion block."""
        if not self._scratch or self._scratch[0].shape != shape:
            self._scratch = (np.empty(shape, F32), np.empty(shape, F32), np.empty(block, F32))
        return self._scratch

    def uniforms(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """A turn's uniforms, drawn into a buffer kept from turn to turn: a fresh array
        of this size each turn (megabytes, at a million citizens) is one malloc maps
        and unmaps, and its page faults cost a third of the update."""
        if self._uniforms.shape != shape:
            self._uniforms = np.empty(shape, dtype=F32)
        return rng.random(out=self._uniforms, dtype=F32)

    def mean_table(self, narratives: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Each country's means as one float64 array (countries x names), and the names:
        awareness, understanding, support, inoculation, ``gap`` (mean awareness minus mean
        understanding), ``belief.<narrative>``, ``threat.<adversary>``; three sums in all."""
        n = self.population
        opinion = self.opinion.sum(axis=-1, dtype=np.float64).T / n  # countries x layers
        inoculation = self.inoculation.sum(axis=-1, dtype=np.float64) / n
        threat = self.threat.sum(axis=-1, dtype=np.float64) / n
        first = len(OPINION)
        table = np.column_stack([opinion[:, :first], inoculation,
                                 opinion[:, 0] - opinion[:, 1], opinion[:, first:], threat])
        names = [*OPINION, "inoculation", "gap", *(f"belief.{k}" for k in narratives),
                 *(f"threat.{adversary}" for adversary in ADVERSARIES)]
        return names, table


class TurnUpdate:
    """One turn's update of some rows of a :class:`Citizens`, a method per step.

    The arrays are views, so the shared arrays change in place. A step runs if any of the
    rows takes part in it; a row that does not gets coefficients of 0, which leave its
    citizens exactly as they were. Every coefficient of the turn is made in one array
    (:func:`coefficients`) and applied as a scalar (numpy's fast path, half the time of a
    column on 4 x 2,000) where all rows share it, else as a column, taken in the order the
    steps use them (``next(self.column)``); products are written into buffers kept from
    turn to turn (``out=``); the anchoring step moves the whole opinion block at once; a
    multiplication by exactly 1 (no inoculation yet; ``support_pull`` or ``debunk_pull``
    at 1) is left out. None of this changes a bit of the result against the equations
    applied array by array in the docstring's order (a hypothesis test checks it)."""

    def __init__(self, citizens: Citizens, rows: slice | int, signals: Sequence[Signals],
                 r: Rates, rng: np.random.Generator):
        self.rows, self.signals, self.r = rows, signals, r
        self.stacked = isinstance(rows, slice)
        self.opinion, self.inoc = citizens.opinion[:, rows], citizens.inoculation[rows]
        self.a, self.u, self.sup = [self.opinion[layer] for layer in range(len(OPINION))]
        self.belief = self.opinion[len(OPINION):]  # narratives x rows x citizens
        self.n, self.campaigns = citizens.population, len(signals[0].campaigns)
        self.draws = citizens.uniforms((len(signals), self.campaigns + 1, self.n)
                                       if self.stacked else (self.campaigns + 1, self.n), rng)
        self.c, self.steps = coefficients(signals, r)
        same = (self.c == self.c[:1]).all(axis=0).tolist()
        self.column = iter([self.c[0, j] if alike else self.c[:, j, np.newaxis]
                            for j, alike in enumerate(same)])
        self.work, self.pull, self.block = citizens.scratch(self.a.shape, self.opinion.shape)
        self.anchor_opinion = citizens.anchor_opinion[:, rows]
        self.t, self.t0 = citizens.threat[rows], citizens.anchor_threat[rows]
        self.inoculated = bool(self.inoc.any())  # if not, 1 - phi i is 1 and i stays 0

    def visibility(self) -> None:
        """1. Awareness outruns understanding."""
        a, u, work = self.a, self.u, self.work
        gain, understood = next(self.column), next(self.column)
        a += np.multiply(np.subtract(1, a, out=work), gain, out=work)
        u += np.multiply(np.subtract(a, u, out=work), understood, out=work)

    def disinformation(self) -> None:
        """2. Each live campaign: bounded confidence; understanding and inoculation
        protect."""
        r, sup, work, pull = self.r, self.sup, self.work, self.pull
        free = np.subtract(1, self.u, out=self.block[0])  # u is fixed in this step
        protected: dict[float, np.ndarray] = {}  # 1 - phi i per phi; i is fixed too
        for k in self.steps.live:
            strength, reach = next(self.column), next(self.column)
            narrative = self.signals[0].campaigns[k].narrative
            np.multiply(free, strength, out=pull)
            if self.inoculated:
                phi = r.protection[narrative]
                if phi not in protected:
                    protected[phi] = 1 - phi * self.inoc
                pull *= protected[phi]
            pull *= (self.draws[..., k, :] < reach) & (sup < r.confidence)
            b = self.belief[narrative]
            b += np.multiply(np.subtract(1, b, out=work), pull, out=work)
            if r.support_pull != 1:
                pull *= r.support_pull
            sup -= np.multiply(pull, sup, out=work)

    def outreach(self) -> None:
        """3. Public diplomacy: awareness, more understanding, inoculation, persuasion."""
        r, sup, work, pull = self.r, self.sup, self.work, self.pull
        reached = self.draws[..., self.campaigns, :] < next(self.column)
        hit = reached.astype(F32)  # 1 or 0: a float product is faster than a boolean one
        moved = ((self.a, 1), (self.u, self.a)) + \
            (((self.inoc, 1),) if self.steps.messaging else ())
        for x, toward in moved:
            np.subtract(toward, x, out=work)
            work *= next(self.column)
            work *= hit
            x += work
        self.inoculated = self.inoculated or self.steps.messaging
        np.multiply(reached & (sup > 1 - r.confidence), next(self.column), out=pull)
        sup += np.multiply(np.subtract(1, sup, out=work), pull, out=work)
        if r.debunk_pull != 1:
            pull *= r.debunk_pull
        self.belief -= np.multiply(self.belief, pull, out=self.block[len(OPINION):])

    def anchoring(self) -> None:
        """4. Anchoring with peers (Friedkin-Johnsen, mean-field DeGroot): the whole
        opinion block (awareness, understanding, support, beliefs) at once."""
        opinion, lam, w = self.opinion, self.r.retention, self.r.peer_weight
        mean = (opinion.sum(axis=-1, keepdims=True, dtype=np.float64) / self.n).astype(F32)
        opinion *= lam * (1 - w)
        opinion += (lam * w) * mean
        opinion += np.multiply(self.anchor_opinion, 1 - lam, out=self.block)
        np.clip(opinion, 0, 1, out=opinion)
        if self.inoculated:
            self.inoc *= lam
        np.minimum(self.u, self.a, out=self.u)

    def threat(self) -> None:
        """5. Threat perception relaxes toward its anchor, then meets the turn's news."""
        t, t0 = self.t, self.t0
        t -= t0
        t *= F32(1 - self.r.threat_relaxation)
        t += t0
        if self.steps.threat:
            shock = self.c[:, -len(ADVERSARIES):, np.newaxis] if self.stacked else \
                self.c[0, -len(ADVERSARIES):, np.newaxis]
            t += (1 - t) * shock
            np.clip(t, 0, 1, out=t)


class Public(mesa.Agent):
    """A country's population: a row of a :class:`Citizens` (its own, or one shared with
    the other publics of the run, so that one update moves them all)."""

    STATE = ("awareness", "understanding", "support", "belief", "inoculation", "threat")

    def __init__(self, model: mesa.Model, code: str, citizens: Citizens, row: int):
        super().__init__(model)
        self.code = code
        self.citizens = citizens
        self.row = row
        self.population = citizens.population

    @classmethod
    def alone(cls, model: mesa.Model, code: str, awareness: float, understanding: float,
              support: float, beliefs: Sequence[float], population: int, spread: float,
              rng: np.random.Generator) -> Public:
        """A public with citizens of its own."""
        citizens = Citizens([(awareness, understanding, support)], beliefs, population,
                            spread, rng)
        return cls(model, code, citizens, 0)

    def __getattr__(self, name: str) -> np.ndarray:
        # awareness, anchor_support, ...: this country's row (a view) of the shared arrays
        if name in self.STATE or name.startswith("anchor_"):
            return getattr(self.citizens, name)[self.row]
        raise AttributeError(name)

    def arrays(self) -> dict[str, np.ndarray]:
        """The citizens' current state, by name (beliefs as one 2-D array)."""
        return {name: getattr(self, name) for name in self.STATE}

    def update(self, s: Signals, r: Rates, rng: np.random.Generator) -> None:
        """One turn for this public alone (its citizens must be its own)."""
        self.citizens.update([s], r, rng)

    def means(self, narratives: Sequence[str]) -> dict[str, float]:
        """This country's means by name (:meth:`Citizens.mean_table`)."""
        names, table = self.citizens.mean_table(narratives)
        return dict(zip(names, table[self.row].tolist(), strict=True))
