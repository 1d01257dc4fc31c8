"""Differences between rules, and many of them at once: p-values that agree with the
intervals, Holm's adjustment, and the one paired-differences helper a comparison and a
sweep share."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.compare import batch_differences, by_rule, paired_differences
from analysis.intervals import (
    all_equal_interval,
    crossed_interval,
    holm,
    mean_interval,
    zero_p,
)
from analysis.sensitivity import clearly_first, firsts, point_means


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
    assert math.isnan(zero_p(np.full((1, 40), 0.0), -math.inf, math.inf))  # as its interval


def test_a_one_point_design_counts_its_seeds_as_a_comparison_does():
    """A comparison is a sweep of one point: its interval over points x seeds is the one
    over its seeds, all-equal case included (counting 40 seeds, not 1 point)."""
    for values in (np.full(40, 0.3), np.linspace(0, 1, 40) ** 2):
        assert crossed_interval(values[None, :], 0.0, 1.0) == mean_interval(values, 0.0, 1.0)


def null_batch(rng, rules: int, outcomes: int, seeds: int, shift: float = 0.0):
    """Result rows of ``rules`` rules equal by construction on ``outcomes`` outcomes (a
    seed's luck shared by every rule, plus noise of sd 1), but the last rule's ``y0``
    moved by ``shift``."""
    luck = rng.normal(0, 2, (outcomes, seeds))
    return [("s", f"r{i}", seed, f"y{k}", "",
             float(luck[k, seed] + rng.normal(0, 1) + (shift if (i, k) == (rules - 1, 0)
                                                       else 0.0)))
            for i in range(rules) for k in range(outcomes) for seed in range(seeds)]


def test_rules_equal_by_construction_leave_out_0_by_chance_but_none_stands():
    """50 true zeros a batch (5 rules less the first, 10 outcomes, 30 seeds), 20 batches:
    about 5% of the unadjusted intervals leave out 0 (50 of 1,000 expected; they share the
    first rule's runs, so they come in clumps), and Holm keeps the chance that any of a
    batch stands at most 5%: expected at most 1 batch of 20; more than 3 would happen
    with probability 0.016 were each batch's chance 5%."""
    rng = np.random.default_rng(11)
    rules = [f"r{i}" for i in range(6)]
    left_out = batches_with_a_stand = 0
    for _ in range(20):
        table = batch_differences(null_batch(rng, 6, 10, 30), rules)
        assert len(table) == 50
        left_out += int(((table["ci_low"] > 0) | (table["ci_high"] < 0)).sum())
        batches_with_a_stand += bool(table["stands"].any())
    assert 20 <= left_out <= 90  # observed 49
    assert batches_with_a_stand <= 3  # observed 1


def test_a_real_shift_stands_among_true_zeros():
    # y0 of the last rule moved by 2 sd of the run noise, among 49 true zeros: over 30
    # paired seeds its p is of the order 1e-5, well under Holm's first threshold 0.05 / 50
    rng = np.random.default_rng(12)
    table = batch_differences(null_batch(rng, 6, 10, 30, shift=2.0),
                              [f"r{i}" for i in range(6)])
    shifted = (table["rule"] == "r5") & (table["outcome"] == "y0")
    assert table.loc[shifted, "stands"].item()
    assert table.loc[shifted, "p_holm"].item() < 0.01  # observed 3.2e-4
    assert not table.loc[~shifted, "stands"].any()


def sweep_runs(rng, points: int, replicates: int, shift: float) -> pd.DataFrame:
    """A sweep's tidy runs: 3 rules over ``points`` x ``replicates`` (each replicate a
    seed whose luck every point and rule shares), 8 outcomes equal under every rule but
    ``y0``, moved by ``shift`` under rule ``c``."""
    seed_luck = rng.normal(0, 1, (8, replicates))
    point_level = rng.normal(0, 1, (8, points))
    return pd.DataFrame([
        {"scenario": "s", "rule": rule, "point": p, "replicate": r, "outcome": f"y{k}",
         "actor": "", "value": point_level[k, p] + seed_luck[k, r] + rng.normal(0, 0.5)
         + (shift if (rule, k) == ("c", 0) else 0.0)}
        for rule in "abc" for k in range(8) for p in range(points) for r in range(replicates)])


def test_a_sweeps_differences_are_adjusted_over_the_whole_table():
    """16 differences (2 rules less the first, 8 outcomes), 10 points x 8 seeds: with no
    shift none stands over 10 sweeps (each has a 5% chance at most of any: expected 0.5
    sweeps; 2 or more with probability 0.09); a shift of 1.5 (3 sd of the run noise; the
    seeds' and points' luck, shared by every rule, cancels) stands, and it alone. With 4
    seeds it does not (p_holm 0.12): the crossed interval estimates the seeds' share with
    3 degrees of freedom, whatever the runs show."""
    rng = np.random.default_rng(5)
    with_a_stand = 0
    for _ in range(10):
        table = paired_differences(by_rule(sweep_runs(rng, 10, 8, 0.0)), list("abc"))
        assert len(table) == 16 and set(table["interval"]) == {"t, points x seeds crossed"}
        with_a_stand += bool(table["stands"].any())
    assert with_a_stand <= 1  # observed 0
    table = paired_differences(by_rule(sweep_runs(rng, 10, 8, 1.5)), list("abc"))
    assert table.loc[table["stands"], ["rule", "outcome"]].values.tolist() == [["c", "y0"]]


def leading_runs(rng, points: int, lead: float) -> pd.DataFrame:
    """Two rules at ``points`` points, 5 replicates each, noise of sd 0.2; ``b`` ahead by
    ``lead``."""
    return pd.DataFrame([
        {"scenario": "s", "rule": rule, "point": p, "replicate": r, "outcome": "y",
         "actor": "", "value": rng.normal(0, 0.2) + (lead if rule == "b" else 0.0)}
        for rule in "ab" for p in range(points) for r in range(5)])


@pytest.mark.parametrize("points, lead, before, after", [
    # equal by construction: the leader is whichever is ahead, so either tail of a 5%
    # test makes it clear, about 10 of 200 points (observed 12); none after Holm (at most
    # a 5% chance of any)
    (200, 0.0, (4, 20), (0, 0)),
    # ahead by 1 (3.5 sd of a paired difference) at 40 points: clear at each, and after
    # Holm's adjustment over the 40 (observed 40 and 40)
    (40, 1.0, (40, 40), (38, 40))])
def test_a_first_place_clear_by_chance_does_not_stay_clear_after_holm(points, lead, before,
                                                                     after):
    runs = leading_runs(np.random.default_rng(3), points, lead)
    clear = clearly_first(firsts(point_means(runs)), by_rule(runs))
    assert before[0] <= clear["clearly"].sum() <= before[1]
    assert after[0] <= clear["clearly_holm"].sum() <= after[1]


def test_a_leader_behind_on_the_seeds_both_played_is_not_clearly_first():
    """An unfinished sweep: rule b's mean counts a replicate a has not played yet, which
    puts b first, yet on the three seeds both played b is behind by about 0.01 every time.
    A two-sided test of that difference is sure of it; b is still no clear leader."""
    values = {"a": [0.05, 0.051, 0.0505], "b": [0.04, 0.041, 0.0405, 1.0]}
    runs = pd.DataFrame([
        {"scenario": "s", "rule": rule, "point": 0, "replicate": r, "outcome": "joint_rate",
         "actor": "", "value": v}
        for rule, vs in values.items() for r, v in enumerate(vs)])
    scored = firsts(point_means(runs))
    assert scored.set_index("rule")["first"].to_dict() == {"a": 0.0, "b": 1.0}
    clear = clearly_first(scored, by_rule(runs))
    assert clear["clearly"].sum() == 0 and clear["clearly_holm"].sum() == 0
