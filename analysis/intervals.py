"""Confidence intervals of means over seeded runs, one method each, chosen by the data.

* :func:`t_interval`: the Student-t interval of a mean, for values that vary.
* :func:`wilson_interval`: the Wilson score interval of a proportion (a 0/1 outcome, a
  backtest's share of runs that match), which stays honest near 0 and 1 where the t
  interval of 0/1 values collapses or spills over.
* :func:`all_equal_interval`: when every value is the same, the sample's spread is 0 and a
  t interval has width 0, narrower than the data allow (a few runs in a hundred could
  still differ). For an outcome bounded on both sides the widest mean the data leave
  possible is known: if the mean were m > c (every value c, upper bound hi), a value
  differs from c with probability at least (m - c) / (hi - c), so n values all equal to c
  have probability at most (1 - (m - c) / (hi - c))^n; setting that to alpha / 2 gives
  m <= c + (hi - c) q with q = 1 - (alpha / 2)^(1/n), and likewise below (the "rule of
  three" generalized; at n = 40, q = 0.088). Without a finite bound on a side no value
  limits the mean there, and the interval is not given (NaN).
* :func:`crossed_interval`: the mean over a sweep's design points, whose runs share their
  seeds (replicate r plays the same seed at every point): a two-way crossed design of
  points and seeds, whose mean varies with the points drawn, with the seeds drawn, and
  with their interaction (see the function).

Every function returns NaN, never a made-up number, where no interval can be made.
"""

from __future__ import annotations

import math

import numpy as np

CONFIDENCE = 0.95

# How each interval was made, as tables name it in their ``interval`` column.
T = "t"
WILSON = "wilson"
ALL_EQUAL = "all equal: widest the bounds allow"
NONE_ALL_EQUAL = "all equal: none (unbounded)"
TOO_FEW = "fewer than 2 values: none"
CROSSED = "t, points x seeds crossed"
POINTS_ONLY = "t over points (1 seed: its own effect not estimable)"


def quantile(confidence: float, df: float) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + confidence / 2, df))


def t_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The plain Student-t interval of the mean: mean +/- t(1 - alpha/2, n - 1) x sd /
    sqrt(n); NaN with fewer than two values. Not clipped."""
    n = len(values)
    if n < 2:
        return math.nan, math.nan
    mean = float(values.mean())
    half = quantile(confidence, n - 1) * float(values.std(ddof=1)) / math.sqrt(n)
    return mean - half, mean + half


def wilson_interval(hits: float, n: int, confidence: float = CONFIDENCE
                    ) -> tuple[float, float]:
    """The Wilson score interval of the proportion hits / n (NaN for n = 0)."""
    from scipy.stats import norm

    if n == 0:
        return math.nan, math.nan
    z = float(norm.ppf(0.5 + confidence / 2))
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def all_equal_interval(value: float, n: int, low: float, high: float,
                       confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The widest interval of the mean that ``n`` values all equal to ``value`` allow, for
    an outcome within [low, high] (module docstring); NaN on an unbounded side."""
    q = 1.0 - ((1.0 - confidence) / 2) ** (1.0 / n)
    below = value - (value - low) * q if math.isfinite(low) else math.nan
    above = value + (high - value) * q if math.isfinite(high) else math.nan
    return below, above


def all_equal(value: float, n: int, low: float, high: float, confidence: float
              ) -> tuple[float, float, str]:
    """:func:`all_equal_interval` with its method; an interval open on one side is not
    given at all (a table cell has both ends or neither)."""
    below, above = all_equal_interval(value, n, low, high, confidence)
    if math.isfinite(below) and math.isfinite(above):
        return below, above, ALL_EQUAL
    return math.nan, math.nan, NONE_ALL_EQUAL


def mean_interval(values: np.ndarray, low: float, high: float, binary: bool = False,
                  confidence: float = CONFIDENCE) -> tuple[float, float, str]:
    """The interval of the mean of ``values`` (an outcome within [low, high]) and its
    method: Wilson for a 0/1 outcome, the widest the bounds allow when every value is the
    same, else Student t; NaN with fewer than two values."""
    n = len(values)
    if binary and n:
        return (*wilson_interval(float(values.sum()), n, confidence), WILSON)
    if n < 2:
        return math.nan, math.nan, TOO_FEW
    if np.ptp(values) == 0:
        return all_equal(float(values[0]), n, low, high, confidence)
    return (*t_interval(values, confidence), T)


def residual_mean_square(table: np.ndarray) -> float:
    """The two-way ANOVA residual mean square of a complete points x seeds table (at least
    2 x 2): how a seed's luck differs from point to point, once the points' and the seeds'
    own effects are taken out."""
    n, r = table.shape
    resid = table - table.mean(axis=1, keepdims=True) - table.mean(axis=0) + table.mean()
    return float((resid ** 2).sum()) / ((n - 1) * (r - 1))


def crossed_interval(table: np.ndarray, low: float, high: float,
                     confidence: float = CONFIDENCE) -> tuple[float, float, str]:
    """The interval of the mean of ``table`` (design points x replicates, complete; each
    replicate one seed, the same at every point), an outcome within [low, high].

    Averaging the replicates per point and taking a t interval over the points would miss
    the seeds: with common random numbers a seed's effect is shared by every point, so the
    grand mean varies with the r seeds drawn whatever the number of points; pooling every
    run as if independent misses that each point's runs share the point. The variance of
    the grand mean of a crossed design is sigma_p^2 / n + sigma_s^2 / r + sigma_e^2 / (n r),
    estimated without bias from the two-way ANOVA mean squares as
    (MS_points + MS_seeds - MS_residual) / (n r) (floored at MS_residual / (n r), the part
    no design removes), with Satterthwaite's degrees of freedom. One point: the t interval
    over its seeds; one seed: the t interval over points, which cannot see that seed's own
    effect (the method says so). Every value the same: :func:`all_equal_interval`, counting
    the thinner of the two dimensions (the mean is only as sure as its fewer seeds, or
    its fewer points)."""
    n, r = table.shape
    if table.size < 2:  # one run: no interval, as for any single value (mean_interval)
        return math.nan, math.nan, TOO_FEW
    if np.ptp(table) == 0:
        return all_equal(float(table.flat[0]), min(n, r), low, high, confidence)
    if n == 1 or r == 1:
        low, high = t_interval(table.ravel(), confidence)
        return low, high, T if n == 1 else POINTS_ONLY
    grand = table.mean()
    ms_p = r * table.mean(axis=1).var(ddof=1)
    ms_s = n * table.mean(axis=0).var(ddof=1)
    ms_e = residual_mean_square(table)
    var = (ms_p + ms_s - ms_e) / (n * r)
    if var > ms_e / (n * r):
        df = (ms_p + ms_s - ms_e) ** 2 / (
            ms_p ** 2 / (n - 1) + ms_s ** 2 / (r - 1) + ms_e ** 2 / ((n - 1) * (r - 1)))
    else:
        var, df = ms_e / (n * r), (n - 1) * (r - 1)
    half = quantile(confidence, df) * math.sqrt(var)
    return float(grand - half), float(grand + half), CROSSED
