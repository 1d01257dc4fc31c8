"""The publics' threat perceptions: a shock raises them, they relax toward their polled
anchors at the stated rate, the four start where their polls put them, a government reads
them, and a turn's length in days sets the rate."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.catalog import IP4
from agents.publics import Citizens, Rates, Signals
from scenarios.errors import InputError
from scenarios.loader import library_dir, load_scenario, parse_scenario
from scenarios.parameters import DEFAULTS
from scenarios.schema import turn_days
from sim.model import IP4Model
from sim.outputs import Choice, PublicOpinion

unit = st.floats(0.0, 1.0, allow_nan=False)
STILL = Rates(retention=1.0, peer_weight=0.0, confidence=0.0, persuasion=0.0,
              visibility_rate=0.0, visibility_understanding=0.0, outreach_awareness=0.0,
              outreach_understanding=0.0, inoculation_max=0.0, support_pull=0.0,
              debunk_pull=0.0)


def shift(citizens: Citizens) -> np.ndarray:
    """Each country's mean threat perception less the mean of its anchors."""
    return (citizens.threat.mean(axis=-1, dtype=np.float64)
            - citizens.anchor_threat.mean(axis=-1, dtype=np.float64))


@settings(max_examples=150, deadline=None)
@given(shock=st.floats(0.01, 1.0), relaxation=unit, event=st.floats(0.01, 1.0),
       china=st.floats(0.05, 0.95), russia=st.floats(0.05, 0.95),
       turns=st.integers(1, 12), population=st.integers(50, 500), seed=st.integers(0, 99))
def test_a_shock_raises_threat_and_it_relaxes_toward_the_anchor_at_the_stated_rate(
        shock, relaxation, event, china, russia, turns, population, seed):
    rng = np.random.default_rng(seed)
    citizens = Citizens([(0.5, 0.25, 0.5), (0.5, 0.25, 0.5)], [], population, 20.0, rng,
                        threats=[(china, russia), (china, russia)], threat_rng=rng)
    rates = Rates(**{**STILL.__dict__, "threat_shock": shock,
                     "threat_relaxation": relaxation})
    gap = 1 - citizens.anchor_threat[0, 0].mean(dtype=np.float64)
    citizens.update([Signals(threat_events=(event, 0.0)), Signals()], rates, rng)
    first = shift(citizens)
    # the shock moves China's row of the first country by eta e (1 - T0) on average
    assert first[0, 0] == pytest.approx(shock * event * gap, rel=1e-4, abs=1e-6)
    assert first[0, 0] > 0
    assert np.abs(first[0, 1]) < 1e-6 and np.abs(first[1]).max() < 1e-6  # nothing else
    for _ in range(turns):
        citizens.update([Signals(), Signals()], rates, rng)
    assert shift(citizens)[0, 0] == pytest.approx(first[0, 0] * (1 - relaxation) ** turns,
                                                  rel=1e-3, abs=1e-6)


@pytest.mark.parametrize(("text", "days"), [("one week", 7.0), ("one month", 365.25 / 12),
                                            ("2 weeks", 14.0), ("a day", 1.0),
                                            ("five days", 5.0), ("twelve months", 365.25)])
def test_a_turn_has_a_length_in_days(text, days):
    assert turn_days(text) == pytest.approx(days)


def test_a_turn_length_the_loader_cannot_read_is_named():
    text = (library_dir() / "ukraine_response.yaml").read_text(encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_scenario(text.replace("turn_represents: one month",
                                    "turn_represents: a while"), "x.yaml")
    (problem,) = caught.value.problems
    assert problem.field == "turn_represents" and problem.line is not None
    assert "length of time" in problem.message and "from one to twelve" in problem.message


@pytest.mark.parametrize("scenario", ["ukraine_response", "dprk_provocation"])
def test_the_relaxation_per_turn_follows_the_half_life_in_days(scenario):
    model = IP4Model(exercise=scenario, rng=1, population=10)
    days = load_scenario(scenario).scenario.days_per_turn
    expected = 1 - 0.5 ** (days / DEFAULTS.threat_half_life_days)
    assert model.information.rates.threat_relaxation == pytest.approx(expected)


def test_the_four_start_at_their_polls_and_russias_invasion_raises_every_public():
    model = IP4Model(exercise="ukraine_response", rng=2).run()
    opinions = [e for e in model.events if isinstance(e, PublicOpinion)]
    profiles = model.catalog.profiles
    # nothing Chinese happens in the first turn: 2,000 Beta draws with spread 20 put each
    # mean within about 0.01 of its poll (standard error near 0.0025)
    for code in IP4:
        polled = profiles[code]["public_china_threat"]
        assert opinions[0].means[code]["threat.china"] == pytest.approx(polled, abs=0.01)
    # the invasion (russia_threat and russia_escalation rise on turn 1 of this scenario, more
    # on turn 5)
    # lifts every public's view of Russia above its poll
    russia = {code: [o.means[code]["threat.russia"] for o in opinions] for code in IP4}
    for code in IP4:
        polled = profiles[code]["public_russia_threat"]
        assert max(russia[code]) > polled + 0.05, code


def test_a_government_reads_its_publics_threat_perception():
    model = IP4Model(exercise="indo_pacific_contingency", rng=1).run()
    firm = [e for e in model.events if isinstance(e, Choice) and e.actor in IP4
            and "public_threat" in e.terms]
    assert firm, "no partner's choice weighed its public's threat perception"
    dimension = {d.id: d.dimension for d in model.exercise.decisions}
    assert {dimension[c.decision] for c in firm} <= {"china_threat", "russia_stance"}
    # a more alarmed public makes its government's firmer options likelier: each such
    # choice's term favours the higher position it chose over the options' average
    options = {d.id: {o.id: o.position for o in d.options} for d in model.exercise.decisions}
    for c in firm:
        positions = options[c.decision].values()
        above = options[c.decision][c.option] > sum(positions) / len(positions)
        assert (c.terms["public_threat"] > 0) == above, c
