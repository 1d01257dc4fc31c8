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
* :func:`zero_p`: the p-value of a mean of 0 (a difference between rules) by the method
  that made its interval, and :func:`holm`, Holm's adjustment of a family of them, for
  tables of many differences where some would leave out 0 by chance alone.

Every function returns NaN, never a made-up number, where no interval can be made.
"""

from __future__ import annotations

import math

import numpy as np

CONFIDENCE = 0.95
# A test's level: a p-value of no difference (zero_p) is below it exactly when the
# CONFIDENCE interval leaves out 0; and the family-wise error Holm's adjustment keeps.
ALPHA = 1 - CONFIDENCE

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


def t_spread(values: np.ndarray) -> tuple[float, float]:
    """The standard error of the mean of ``values`` (at least two) and its degrees of
    freedom: sd / sqrt(n), n - 1."""
    n = len(values)
    return float(values.std(ddof=1)) / math.sqrt(n), n - 1


def t_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The plain Student-t interval of the mean: mean +/- t(1 - alpha/2, n - 1) x sd /
    sqrt(n); NaN with fewer than two values. Not clipped."""
    if len(values) < 2:
        return math.nan, math.nan
    mean = float(values.mean())
    se, df = t_spread(values)
    half = quantile(confidence, df) * se
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
    over its seeds, as :func:`mean_interval` gives it; one seed: the t interval over
    points, which cannot see that seed's own effect (the method says so). Every value the
    same: :func:`all_equal_interval`, counting :func:`equal_count` values."""
    if table.size < 2:  # one run: no interval, as for any single value (mean_interval)
        return math.nan, math.nan, TOO_FEW
    if np.ptp(table) == 0:
        return all_equal(float(table.flat[0]), equal_count(table), low, high, confidence)
    se, df, how = crossed_spread(table)
    half = quantile(confidence, df) * se
    grand = float(table.mean())
    return grand - half, grand + half, how


def equal_count(table: np.ndarray) -> int:
    """How many equal values a points x seeds table of one value counts as: its seeds for
    one point (the mean is that point's, over its seeds, as in :func:`mean_interval`),
    else the thinner of its two dimensions (the mean over the design is only as sure as
    its fewer seeds, or its fewer points)."""
    n, r = table.shape
    return r if n == 1 else min(n, r)


def crossed_spread(table: np.ndarray) -> tuple[float, float, str]:
    """The standard error of the mean of a points x seeds table of at least two values
    that are not all the same (:func:`crossed_interval`), its degrees of freedom, and the
    method's name."""
    n, r = table.shape
    if n == 1 or r == 1:
        return (*t_spread(table.ravel()), T if n == 1 else POINTS_ONLY)
    ms_p = r * table.mean(axis=1).var(ddof=1)
    ms_s = n * table.mean(axis=0).var(ddof=1)
    ms_e = residual_mean_square(table)
    var = (ms_p + ms_s - ms_e) / (n * r)
    if var > ms_e / (n * r):
        df = (ms_p + ms_s - ms_e) ** 2 / (
            ms_p ** 2 / (n - 1) + ms_s ** 2 / (r - 1) + ms_e ** 2 / ((n - 1) * (r - 1)))
    else:
        var, df = ms_e / (n * r), (n - 1) * (r - 1)
    return math.sqrt(var), float(df), CROSSED


# -- tests of a difference of 0, and many of them at once -----------------------------------

def zero_p(table: np.ndarray, low: float, high: float) -> float:
    """The two-sided p-value that the mean of ``table`` (points x seeds, as
    :func:`crossed_interval`; a difference within [low, high]) is 0, by the method that
    made its interval, so that p < 1 - confidence exactly when that interval leaves out 0:
    Student t on the same standard error and degrees of freedom, or, every value the same,
    the chance that many equal values (:func:`all_equal_p`). NaN where the interval is
    none (fewer than two values; all equal and unbounded on the side toward 0)."""
    from scipy.stats import t

    if table.size < 2:
        return math.nan
    if np.ptp(table) == 0:
        return all_equal_p(float(table.flat[0]), equal_count(table), low, high)
    se, df, _ = crossed_spread(table)
    return float(min(1.0, 2 * t.sf(abs(float(table.mean())) / se, df)))


def all_equal_p(value: float, n: int, low: float, high: float) -> float:
    """The two-sided p-value of a mean of 0 given ``n`` values all equal to ``value``
    within [low, high]: if the mean were 0, a value would differ from ``value`` with
    probability at least |value| / |value - bound| (the bound beyond 0), so n equal values
    have probability at most (1 - that)^n, doubled. :func:`all_equal_interval` inverted:
    its interval leaves out 0 exactly when this is below 1 - confidence."""
    if not (math.isfinite(low) and math.isfinite(high)):  # as all_equal gives no interval
        return math.nan
    if value == 0:
        return 1.0
    bound = low if value > 0 else high
    return min(1.0, 2 * (bound / (bound - value)) ** n)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values of one family of tests (Holm 1979): the k-th
    smallest of m is multiplied by m - k + 1, and each kept at least the one before, so
    that rejecting where the adjusted p < alpha keeps the chance of any false rejection in
    the family at most alpha, whatever the tests' dependence. A NaN (no test could be
    made) stays NaN and still counts in m, as a p of 1 would: the family is every member,
    fixed before the data say which can be tested."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, math.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    factor = len(p) - np.arange(len(order))
    out[order] = np.minimum(1.0, np.maximum.accumulate(factor * p[order]))
    return out
