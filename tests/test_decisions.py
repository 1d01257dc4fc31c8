"""The choice machinery: logit probabilities, draws, explanations."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.decisions import choice_probabilities, draw, named, rounded
from sim.model import IP4Model
from sim.outputs import TERMS, because, to_jsonl
from sim.phases.choices import option_arrays, profile_arrays, shared_static
from sim.request import RunRequest
from sim.runner import play

utilities = arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(2, 6)),
                   elements=st.floats(-50, 50))
temperatures = st.floats(1e-3, 5.0)


@given(utilities, temperatures)
def test_choice_probabilities_are_a_distribution(u, temperature):
    p = choice_probabilities(u, temperature)
    assert p.shape == u.shape
    assert np.all(p >= 0) and np.all(p <= 1)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-9)


@given(utilities, temperatures)
def test_better_options_are_never_less_likely(u, temperature):
    p = choice_probabilities(u, temperature)
    order = np.argsort(u, axis=-1)
    ranked = np.take_along_axis(p, order, axis=-1)
    assert np.all(np.diff(ranked, axis=-1) >= -1e-12)


@given(utilities, temperatures, st.integers(0, 2**32 - 1))
def test_draw_picks_a_valid_option(u, temperature, seed):
    p = choice_probabilities(u, temperature)
    picks = draw(p, np.random.default_rng(seed).random(len(u)))
    assert picks.shape == (len(u),)
    assert np.all((picks >= 0) & (picks < u.shape[1]))
    # An option of probability zero (to machine precision) is never drawn.
    assert np.all(np.take_along_axis(p, picks[:, None], axis=-1) > 0)


def test_draw_follows_the_probabilities():
    p = np.tile([[0.2, 0.5, 0.3]], (60_000, 1))
    picks = draw(p, np.random.default_rng(0).random(len(p)))
    shares = np.bincount(picks, minlength=3) / len(picks)
    np.testing.assert_allclose(shares, [0.2, 0.5, 0.3], atol=0.01)


def test_named_relative_terms_add_up_to_the_chosen_options_advantage(ukraine):
    """For a real decision (every ally at the scenario's first question, as the engine
    builds it), the named relative terms of each option sum to its utility less the mean
    option's, and each kept term is that term's own value."""
    model = IP4Model("ukraine_response", "caucus", 3)
    decision = ukraine.scenario.decisions[0]
    choices = model.choices
    terms = choices.terms(decision, model.allies, choices.situation(decision, model.allies))
    utility = terms.sum(axis=-1)
    relative = terms - terms.mean(axis=1, keepdims=True)
    assert np.abs(relative).max() > 0.01  # the options differ, so the check has content
    for row in range(len(model.allies)):
        for chosen in range(terms.shape[1]):
            parts = named(relative[row, chosen])
            advantage = utility[row, chosen] - utility[row].mean()
            assert abs(sum(parts.values()) - advantage) < 5e-5 * len(TERMS)
            for k, name in enumerate(TERMS):
                expected = relative[row, chosen, k]
                assert parts.get(name, 0.0) == pytest.approx(expected, abs=5e-5)


def test_because_reads_as_plain_words():
    text = because({"position": 0.42, "us_pull": 0.18, "coercion_risk": -0.05, "cost": 0.01})
    assert text == "position +0.42, US pull +0.18, coercion risk -0.05"


@given(arrays(np.float64, st.integers(1, 40), elements=st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.integers(-10**6, 10**6).map(lambda k: k / 1e4 + 5e-5),  # ties at the 4th digit
    st.integers(-10**5, 10**5).map(lambda k: k / 1e4),
    st.floats(-1e-4, 1e-4))), st.integers(0, 6))
def test_array_rounding_gives_pythons_doubles_exactly(values, digits):
    """Events are written with round(v, 4); the vectorized rounding that names a run's
    terms must give the very same doubles, ties and large values included."""
    expected = [repr(round(v, digits)) for v in values.tolist()]  # repr: -0.0 is not 0.0
    assert [repr(v) for v in rounded(values, digits).tolist()] == expected


def test_the_engines_draws_match_its_probabilities_over_many_choices():
    # Over 40 runs (about 8,300 engine choices), the choices that were not the likeliest
    # option must number what the recorded probabilities predict, sum(1 - p_max): a draw
    # that favoured or shunned the likeliest option would shift the count by many standard
    # deviations. Threshold: 3 standard deviations (of a sum of Bernoullis); observed 0.84 at 40
    # seeds.
    from sim.outputs import Choice
    from sim.request import RunRequest
    from sim.runner import play

    unlikely, expected, variance = 0, 0.0, 0.0
    for seed in range(40):
        for e in play(RunRequest(seed=seed).check()).events:
            if isinstance(e, Choice) and e.by == "engine":
                top = next(iter(e.likeliest.values()), e.probability)
                unlikely += bool(e.likeliest)
                expected += 1 - top
                variance += top * (1 - top)
    assert abs(unlikely - expected) < 3 * variance ** 0.5, (unlikely, expected, variance)


def clear_shared() -> None:
    for cache in (option_arrays, profile_arrays, shared_static):
        cache.cache_clear()


def test_the_arrays_runs_share_follow_every_input_they_are_read_from():
    # The option and profile arrays and the static terms are kept per process, shared by
    # the runs of a batch (sim.phases.choices). Runs that differ in a profile value the
    # static terms read (Japan's, by an override), in the United States' position (the US
    # pull reads it, from a profile outside the partners' group), in a weight, in the
    # government in office and in the scenario, played one after another with the caches
    # warm, must each give the events they give with the caches empty.
    runs = [RunRequest(seed=4), RunRequest(seed=4, overrides={"JPN": {"nato_integration": 0.2}}),
            RunRequest(seed=4, overrides={"USA": {"russia_stance": 0.05, "china_threat": 0.05}}),
            RunRequest(seed=4, parameters={"w_cost": 3.0}),
            RunRequest(seed=4, governments={"KOR": "progressive"}),
            RunRequest(scenario="ukraine_2022", seed=4)]
    clear_shared()
    warm = [to_jsonl(play(run).events) for run in [runs[0], *runs]][1:]
    assert shared_static.cache_info().hits > 0  # the first run played twice shared them
    cold = []
    for run in runs:
        clear_shared()
        cold.append(to_jsonl(play(run).events))
    assert warm == cold
    assert len(set(cold)) == len(runs)  # each input changes the run, so each was a test


def test_the_arrays_runs_share_cannot_be_written():
    model = IP4Model()
    options = model.choices.options[model.exercise.decisions[0].id]
    with pytest.raises(ValueError, match="read-only"):
        options.position[0] = 1.0
