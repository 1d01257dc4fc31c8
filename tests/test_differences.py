"""Differences between rules, and many of them at once: p-values that agree with the
intervals, and Holm's adjustment."""

import math

import numpy as np
import pytest

from analysis.intervals import (
    all_equal_interval,
    crossed_interval,
    holm,
    mean_interval,
    zero_p,
)


def test_holm_adjusts_as_the_step_down_procedure_does():
    # by hand, m = 5 (the NaN counts: it is a member no test could be made of):
    # 0.01 x 5 = 0.05, 0.02 x 4 = 0.08, 0.03 x 3 = 0.09, 0.5 x 2 = 1.0 capped at 1
    p = np.array([0.03, 0.01, math.nan, 0.5, 0.02])
    adjusted = holm(p)
    assert adjusted[[1, 4, 0, 3]] == pytest.approx([0.05, 0.08, 0.09, 1.0])
    assert math.isnan(adjusted[2])
    # never below the one before it in order: 0.001 x 3, 0.04 x 2 = 0.08, and 0.05 x 1
    # raised to 0.08, so a larger p never stands where a smaller one does not
    assert holm(np.array([0.05, 0.04, 0.001])).tolist() == pytest.approx([0.08, 0.08, 0.003])
    assert holm(np.array([])).size == 0


def test_a_p_value_below_5_percent_is_exactly_an_interval_leaving_out_0():
    """zero_p tests by the method that made the interval, so the two never disagree: t
    over seeds (one point), t over points (one seed), the crossed design, all equal."""
    rng = np.random.default_rng(7)
    tables = [rng.normal(rng.normal(0, 0.6), 1, (rng.integers(1, 6), rng.integers(1, 6)))
              for _ in range(400)]
    tables += [np.full(shape, value) for shape in ((1, 40), (3, 2), (1, 2))
               for value in (0.0, 0.2, -0.9)]
    disagree = []
    for table in tables:
        low, high, _ = crossed_interval(table, -2.0, 2.0)
        p = zero_p(table, -2.0, 2.0)
        if table.size < 2:
            assert math.isnan(p) and math.isnan(low)
        elif (p < 0.05) != (low > 0 or high < 0):
            disagree.append(table)
    assert disagree == []


def test_equal_differences_have_the_p_value_their_interval_inverts():
    # 40 differences all 0.2, within [-1, 1]: if the mean were 0 a difference would be
    # other than 0.2 with probability at least 0.2 / 1.2, so p = 2 (1 / 1.2)^40
    assert zero_p(np.full((1, 40), 0.2), -1.0, 1.0) == pytest.approx(2 * (1 / 1.2) ** 40)
    low, _ = all_equal_interval(0.2, 40, -1.0, 1.0)
    assert low > 0
    assert zero_p(np.full((1, 40), 0.0), -1.0, 1.0) == 1.0
    assert math.isnan(zero_p(np.full((1, 40), 3.0), -math.inf, math.inf))  # no bound: none


def test_a_one_point_design_counts_its_seeds_as_a_comparison_does():
    """A comparison is a sweep of one point: its interval over points x seeds is the one
    over its seeds, all-equal case included (counting 40 seeds, not 1 point)."""
    for values in (np.full(40, 0.3), np.linspace(0, 1, 40) ** 2):
        assert crossed_interval(values[None, :], 0.0, 1.0) == mean_interval(values, 0.0, 1.0)
