"""The publics: quantities stay in range, stillness without messages, reproducibility,
the feedback into governments' choices, and clear errors for bad input."""

import mesa
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from agents.catalog import IP4
from agents.profiles import normalize_text, report_text
from agents.publics import (
    QUANTILES,
    Citizens,
    Public,
    Rates,
    Received,
    Signals,
    beta_draws,
    beta_quantiles,
)
from scenarios.errors import InputError
from scenarios.information import (
    LEVERS,
    NARRATIVE_IDS,
    NARRATIVES,
    CampaignSpec,
    Levers,
    anchors,
)
from scenarios.loader import LoadedScenario, library_dir, load_scenario, parse_scenario
from scenarios.parameters import DEFAULTS, Parameters
from sim.cli import main
from sim.information import WorldReading, campaign, outreach
from sim.model import IP4Model
from sim.outputs import Choice, LeverSwitched, PublicOpinion
from sim.outputs import Message as MessageEvent
from tests.helpers import checked

DISINFO = (library_dir() / "disinformation_campaign.yaml").read_text(encoding="utf-8")
unit = st.floats(0.0, 1.0, allow_nan=False)


@pytest.fixture(scope="module")
def disinfo():
    return load_scenario("disinformation_campaign").scenario


def model(scenario, seed=1, levers=None, rule="caucus", **params):
    """``scenario``: the fixture's, or one edited in memory."""
    run = checked(in_memory(scenario), rule, seed, params=Parameters(**params),
                  levers=levers or {})
    return IP4Model.from_checked(run)


def campaign_at(spec, turn, world):
    return campaign(spec, turn, world, DEFAULTS)


def reach_out(levers, partner, office_open):
    return outreach(levers, partner, office_open, 0.0, DEFAULTS)


def in_memory(scenario) -> LoadedScenario:
    return LoadedScenario(scenario, f"{scenario.id}.yaml", "0" * 64)


def in_unit(x: np.ndarray) -> bool:
    return bool(np.isfinite(x).all() and (x >= 0).all() and (x <= 1).all())


# -- every public quantity stays in [0, 1] --------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(rates=st.builds(Rates, retention=unit, peer_weight=unit, confidence=unit,
                       persuasion=unit, visibility_rate=unit, visibility_understanding=unit,
                       outreach_awareness=unit, outreach_understanding=unit,
                       inoculation_max=unit, support_pull=unit, debunk_pull=unit,
                       protection=st.tuples(unit, unit, unit)),
       anchors=st.tuples(unit, unit, unit, unit, unit, unit),
       turns=st.lists(st.tuples(unit, st.lists(st.tuples(st.integers(0, 2), unit, unit),
                                               max_size=4),
                                unit, unit, st.floats(0.0, 2.0), unit), min_size=1, max_size=6),
       population=st.integers(1, 200), spread=st.floats(1.0, 1000.0), seed=st.integers(0, 99))
def test_every_public_quantity_stays_in_range_for_any_parameters(rates, anchors, turns,
                                                                 population, spread, seed):
    rng = np.random.default_rng(seed)
    public = Public.alone(mesa.Model(rng=0), "JPN", *anchors[:3], anchors[3:], population, spread,
                    rng)
    for visibility, campaigns, reach, intensity, depth, messaging in turns:
        signals = Signals(visibility=visibility,
                          campaigns=tuple(Received(k, r, i) for k, r, i in campaigns),
                          reach=reach, intensity=intensity, depth=depth, messaging=messaging)
        public.update(signals, rates, rng)
        for name, array in public.arrays().items():
            assert array.dtype == np.float32, name
            assert in_unit(array), name
        assert (public.understanding <= public.awareness).all()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(levers=st.fixed_dictionaries(dict.fromkeys(LEVERS, unit)),
       reach=unit, intensity=unit, retention=unit, confidence=unit, persuasion=unit,
       seed=st.integers(0, 2**31 - 1))
def test_the_model_keeps_publics_in_range_for_any_levers(disinfo, levers, reach, intensity,
                                                         retention, confidence, persuasion,
                                                         seed):
    scenario = disinfo.model_copy(update={"campaigns": [
        CampaignSpec(narrative=n, reach=reach, intensity=intensity) for n in NARRATIVE_IDS]})
    m = model(scenario, seed, levers, population=50, public_retention=retention,
              confidence_bound=confidence, persuasion_rate=persuasion).run()
    for public in m.information.publics.values():
        assert all(in_unit(a) for a in public.arrays().values())
    values = [v for _, metric, _, v in m.timeseries if metric.startswith("public.")]
    assert values and all(0.0 <= v <= 1.0 for v in values)


# -- no campaign and no public diplomacy: the publics stay at their anchors ------------------

def silent(scenario, keep_visibility=False):
    """No campaign, no lever, no outreach event; visibility shocks only if asked."""
    def kept(inject):
        return [e for e in inject.effects if keep_visibility and e.var == "summit_visibility"]

    injects = [i.model_copy(update={"effects": kept(i)}) for i in scenario.injects]
    return scenario.model_copy(update={"campaigns": [], "levers": Levers.off(),
                                       "injects": injects})


def test_with_no_campaign_and_no_public_diplomacy_the_publics_stay_at_their_anchors(disinfo):
    """Tolerance 0.01 on each country mean. Why: the update preserves each mean exactly (the
    peer averaging is doubly stochastic and the anchoring a convex mix with the anchors), so
    the means stay at the means of the citizens' drawn anchors up to float32 rounding (checked
    to 1e-5); those sample means differ from the profile values by sampling error only:
    2,000 Beta draws with a spread of at most 0.11 give a standard error near 0.0025, and 0.01
    is four of them."""
    m = model(silent(disinfo)).run()
    profiles = m.catalog.profiles
    for turn_means in (e.means for e in m.events if isinstance(e, PublicOpinion)):
        for code in IP4:
            got, public = turn_means[code], m.information.publics[code]
            expected = {"awareness": profiles[code]["public_awareness"],
                        "understanding": profiles[code]["public_understanding"],
                        "support": profiles[code]["public_support"],
                        **dict(zip([f"belief.{n}" for n in NARRATIVE_IDS], anchors(DEFAULTS),
                                   strict=True))}
            for key, value in expected.items():
                assert abs(got[key] - value) < 0.01, (code, key)
            drawn = {"awareness": public.anchor_awareness,
                     "understanding": public.anchor_understanding,
                     "support": public.anchor_support,
                     **{f"belief.{n}": public.anchor_belief[k]
                        for k, n in enumerate(NARRATIVE_IDS)}}
            for key, drawn_anchors in drawn.items():
                assert abs(got[key] - float(drawn_anchors.mean(dtype=np.float64))) < 1e-4, key
            assert got["inoculation"] == 0.0
    assert not [e for e in m.events if isinstance(e, MessageEvent)]
    assert not [e for e in m.events if isinstance(e, Choice) and e.swayed_from]


def test_news_alone_raises_awareness_but_moves_no_support_or_belief(disinfo):
    """With visibility shocks but no messages, awareness rises; support and beliefs stay."""
    m = model(silent(disinfo, keep_visibility=True)).run()
    last = [e for e in m.events if isinstance(e, PublicOpinion)][-1].means
    for code in IP4:
        assert last[code]["awareness"] > 0.55
        assert abs(last[code]["support"] - 0.5) < 0.01
        assert all(abs(last[code][f"belief.{n}"] - anchor) < 0.01
                   for n, anchor in zip(NARRATIVE_IDS, anchors(DEFAULTS), strict=True))


# -- reproducibility -------------------------------------------------------------------------

def test_the_same_seed_gives_identical_arrays_and_another_seed_does_not(disinfo):
    first, second, other = (model(disinfo, seed).run() for seed in (7, 7, 8))
    for code in IP4:
        a, b, c = (m.information.publics[code].arrays() for m in (first, second, other))
        assert all(np.array_equal(a[k], b[k]) for k in a)
        assert not np.array_equal(a["support"], c["support"])


def test_the_population_size_does_not_shift_the_governments_random_stream(disinfo):
    def choices(population):
        m = model(silent(disinfo), seed=3, population=population).run()
        return [(e.turn, e.decision, e.actor, e.option) for e in m.events
                if isinstance(e, Choice)]

    assert choices(10) == choices(3000)


# -- campaigns react to the world; levers; the office -------------------------------------

def test_campaigns_react_to_the_hook_material_and_russian_pressure():
    quiet = WorldReading(hook=0.0, material=0.0, russia_pressure=0.0, office_open=False)
    loud = WorldReading(hook=0.5, material=0.6, russia_pressure=0.8, office_open=True)
    apn = CampaignSpec(narrative="asia_pacific_nato", reach=0.2, intensity=0.3)
    war = CampaignSpec(narrative="nato_caused_war", reach=0.2, intensity=0.3)
    far = CampaignSpec(narrative="nato_irrelevant_to_region", reach=0.2, intensity=0.3)
    assert campaign_at(apn, 1, loud).reach > campaign_at(apn, 1, quiet).reach
    assert campaign_at(apn, 1, loud).intensity > campaign_at(apn, 1, quiet).intensity
    assert campaign_at(war, 1, loud).intensity > campaign_at(war, 1, quiet).intensity
    assert campaign_at(far, 1, loud).intensity < campaign_at(far, 1, quiet).intensity
    late = CampaignSpec(narrative="asia_pacific_nato", reach=0.2, intensity=0.3, start=3)
    assert campaign_at(late, 2, quiet).reach == 0.0 and not campaign_at(late, 2, quiet).active


def test_a_formal_ip4_feeds_the_asia_pacific_nato_narrative(disinfo):
    def belief(rule):
        values = []
        for seed in range(5):
            m = model(disinfo, seed, rule=rule).run()
            values.append(np.mean([m.information.publics[c].belief[0].mean() for c in IP4]))
        return float(np.mean(values))

    assert belief("formal") > belief("caucus")


def test_outreach_grows_with_every_lever_and_the_office_favours_japan():
    base = Levers.off()
    for name in LEVERS:
        if name in ("partnership_goals", "liaison_office_tokyo"):
            continue
        pulled = base.model_copy(update={name: 1.0})
        assert reach_out(pulled, "AUS", False).reach > reach_out(base, "AUS", False).reach, name
    goals = base.model_copy(update={"partnership_goals": 1.0, "contact_point_embassies": 1.0})
    assert reach_out(goals, "AUS", False).intensity > reach_out(
        goals.model_copy(update={"partnership_goals": 0.0}), "AUS", False).intensity
    office = base.model_copy(update={"liaison_office_tokyo": 1.0})
    assert reach_out(office, "JPN", False).reach == 0.0  # not approved: nothing
    assert reach_out(office, "JPN", True).reach > reach_out(office, "KOR", True).reach > 0


def test_the_tokyo_office_opens_only_when_the_council_approves_it(disinfo):
    opened = blocked = 0
    for seed in range(40):  # the office stays shut in about one run in ten
        m = model(disinfo, seed).run()
        votes = [e for e in m.events if e.kind == "council" and e.decision == "liaison_office"]
        switched = [e for e in m.events if isinstance(e, LeverSwitched)]
        approved = [v for v in votes if v.outcome == "approved"]
        assert bool(switched) == bool(approved)
        if switched:
            opened += 1
            assert switched[0].turn == approved[0].turn
            after = [r for t, k, a, r in m.timeseries if k == "outreach_reach" and
                     t > switched[0].turn]
            assert after
        else:
            blocked += 1
    assert opened and blocked  # the allies may approve it, and one ally may block it


# -- feedback: public support in the governments' utility --------------------------------

def test_a_successful_campaign_changes_what_partners_decide_and_the_explanation_shows_it(
        disinfo):
    """A saturating campaign (every narrative at reach 1 and intensity 1) with no public
    diplomacy lowers support, so partners pick less visible options; some choices are
    marked as tipped by public opinion."""
    saturated = disinfo.model_copy(update={"campaigns": [
        CampaignSpec(narrative=n, reach=1.0, intensity=1.0) for n in NARRATIVE_IDS]})
    visibility = {(d.id, o.id): o.visibility for d in disinfo.decisions for o in d.options}

    def visible(scenario, levers):
        shown, swayed = [], []
        for seed in range(20):
            m = model(scenario, seed, levers).run()
            mine = [e for e in m.events if isinstance(e, Choice) and e.actor in IP4]
            shown += [visibility[(e.decision, e.option)] for e in mine]
            swayed += [e for e in mine if e.swayed_from]
        return float(np.mean(shown)), swayed

    calm, _ = visible(silent(disinfo, keep_visibility=True), Levers.off().model_dump())
    hit, swayed = visible(saturated, Levers.off().model_dump())
    assert hit < calm - 0.01
    # Support below 0.5 penalizes visible options: every tipped choice is less visible than
    # the one the actor would have made, and its explanation carries the public term.
    assert swayed and all(visibility[(e.decision, e.option)]
                          < visibility[(e.decision, e.swayed_from)] for e in swayed)
    assert all("public" in e.terms for e in swayed)


# -- bad input: a clear message and exit code 2 -------------------------------------------

@pytest.mark.parametrize("argv, needle", [
    (["--population", "0"], "at least 1 citizen"),
    (["--population", "-5"], "at least 1 citizen"),
    (["--param", "population=-1"], "population"),
    (["--lever", "contact_points=1"], "did you mean 'contact_point_embassies'"),
    (["--lever", "messaging=1.5"], "outside [0, 1]"),
    (["--lever", "messaging=lots"], "not a number"),
])
def test_bad_publics_input_on_the_command_line_exits_2(argv, needle, capsys, tmp_path):
    assert main(["run", "disinformation_campaign", *argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.startswith("error: ") and "Traceback" not in err


def test_the_tokyo_office_needs_a_council_decision_to_approve_it(capsys, tmp_path):
    argv = ["run", "ukraine_response", "--lever", "liaison_office_tokyo=1", "--out",
            str(tmp_path)]
    assert main(argv) == 2
    assert "switches_on: liaison_office_tokyo" in capsys.readouterr().err


@pytest.mark.parametrize("old, new, field, needle", [
    ("narrative: nato_caused_war, reach: 0.25", "narrative: nato_started_it, reach: 0.25",
     "campaigns.2.narrative", "unknown narrative 'nato_started_it'"),
    ("narrative: nato_caused_war, reach: 0.25", "narrative: nato_caused_war, reach: 1.25",
     "campaigns.2.reach", "less than or equal to 1"),
    ("narrative: nato_caused_war, reach: 0.25", "narrative: nato_caused_war, reach: -0.1",
     "campaigns.2.reach", "greater than or equal to 0"),
    ("  messaging: 0.0\n", "  mesaging: 0.0\n", "levers", "did you mean 'messaging'"),
    ("  messaging: 0.0\n", "  messaging: 2\n", "levers.messaging", "less than or equal to 1"),
])
def test_bad_publics_input_in_a_scenario_file_is_named_with_its_line(old, new, field, needle,
                                                                      tmp_path, capsys):
    text = DISINFO.replace(old, new, 1)
    assert text != DISINFO
    with pytest.raises(InputError) as caught:
        parse_scenario(text, "x.yaml")
    (problem,) = caught.value.problems
    assert problem.field == field and needle in problem.message and problem.line
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert needle in capsys.readouterr().err


def test_a_population_below_one_is_refused_by_the_parameters():
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        Parameters(population=0)


# -- sources --------------------------------------------------------------------------------

@pytest.mark.parametrize("quote", [lever.quote for lever in LEVERS.values()]
                         + [n.quote for n in NARRATIVES.values()])
def test_every_lever_and_narrative_rests_on_a_sentence_of_the_report(quote):
    assert normalize_text(quote) in report_text()


def test_allies_publics_are_off_by_default_and_hear_only_the_news(disinfo):
    assert set(model(disinfo).information.publics) == set(IP4)
    m = IP4Model.from_checked(checked(in_memory(disinfo), population=100),
                              public_allies=True).run()
    allies = [a.code for a in m.allies]
    assert set(m.information.publics) == set(IP4) | set(allies)
    last = [e for e in m.events if isinstance(e, PublicOpinion)][-1].means
    for code in allies:  # no campaign or outreach aims at them: support and beliefs stay
        assert abs(last[code]["support"] - m.catalog.profiles[code]["public_support"]) < 0.05
        assert last[code]["awareness"] > m.information.publics[code].anchor_awareness.mean()


@settings(max_examples=15, deadline=None)
@given(signals=st.lists(st.builds(
    Signals, visibility=unit,
    campaigns=st.tuples(*(st.builds(Received, st.just(k), unit, unit) for k in range(3))),
    reach=unit, intensity=unit, depth=st.floats(0.0, 2.0), messaging=unit,
    threat_events=st.tuples(unit, unit)), min_size=3, max_size=3))
def test_a_stacked_update_equals_one_country_at_a_time_bit_for_bit(signals, monkeypatch_module):
    """Small publics update all rows at once, large ones row by row (agents.publics.
    STACK_BELOW, a speed setting): both must give the same arrays."""
    rates = Rates(0.9, 0.1, 0.6, 0.3, 0.5, 0.1, 0.2, 0.5, 0.6, 1.0, 1.0, (1.0, 0.27, 1.0),
                  threat_shock=0.4, threat_relaxation=0.2)

    def after(stack_below):
        monkeypatch_module.setattr("agents.publics.STACK_BELOW", stack_below)
        citizens = Citizens([(0.5, 0.25, 0.5), (0.6, 0.2, 0.4), (0.4, 0.3, 0.6)],
                            [0.25, 0.2, 0.3], 300, 20.0, np.random.default_rng(3),
                            threats=[(0.6, 0.5), (0.4, 0.7), (0.8, 0.3)],
                            threat_rng=np.random.default_rng(4))
        rng = np.random.default_rng(5)
        for _ in range(2):
            citizens.update(signals, rates, rng)
        return [getattr(citizens, k) for k in Public.STATE]

    for stacked, by_row in zip(after(10**9), after(1), strict=True):
        assert np.array_equal(stacked, by_row)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


# -- the anchors' sampler: inverse CDF from a table of Beta quantiles ------------------------

def beta_moments(mean: float, concentration: float) -> tuple[float, float]:
    return mean, mean * (1 - mean) / (concentration + 1)


@pytest.mark.parametrize("concentration", [1.0, 2.0, 5.0, 20.0, 100.0, 1000.0])
@pytest.mark.parametrize("mean", [0.05, 0.2, 0.25, 0.3, 0.5, 0.7, 0.95])
def test_the_beta_table_has_the_beta_mean_and_variance(mean, concentration):
    """The sampler picks one of the table's K quantiles, each exactly as likely, so the
    table's mean and variance are those of the draws. Tolerances: mean within 1e-5 and
    variance within 0.2% of the Beta's, for means in [0.05, 0.95] and public_spread's whole
    range [1, 1000]. Why: midpoint quantiles leave out only the spread inside each 1/K of
    probability, which is largest in the tails; measured, the worst cases are 3.4e-6 and
    0.09%, so the tolerances are about three and two times those, and a coarser table
    (K = 1024: variance off by 0.3% at mean 0.95 and spread 20) fails them."""
    stored = beta_quantiles(mean, concentration)
    assert stored.dtype == np.float32 and stored.size == QUANTILES
    assert not stored.flags.writeable  # shared by every run of the process
    table = stored.astype(np.float64)
    expected_mean, expected_var = beta_moments(mean, concentration)
    assert abs(table.mean() - expected_mean) < 1e-5
    assert abs(table.var() - expected_var) < 0.002 * expected_var
    assert (np.diff(table) >= 0).all()  # quantiles, in order


@pytest.mark.parametrize(("mean", "concentration"), [(0.3, 20.0), (0.5, 20.0), (0.8, 5.0),
                                                     (0.1, 1.0)])
def test_the_anchor_draws_have_the_beta_mean_and_variance(mean, concentration):
    """A million draws through beta_draws. Tolerance: the table's bias (1e-5 on the mean,
    0.2% on the variance, the test above) plus five standard errors of a million draws
    (the sample mean's sd / sqrt(n), the sample variance's sqrt((m4 - var^2) / n), m4 the
    fourth central moment): a correct sampler fails this with probability below 1e-6 for
    a random seed, and a wrong one fails it (a concentration a tenth too high moves the
    variance by about 9%, against a tolerance of 0.9% to 1.6%)."""
    n = 1_000_000
    x = beta_draws(np.random.default_rng(11), mean, concentration, n).astype(np.float64)
    expected_mean, expected_var = beta_moments(mean, concentration)
    table = beta_quantiles(mean, concentration).astype(np.float64)
    var = table.var()
    m4 = ((table - table.mean()) ** 4).mean()
    assert abs(x.mean() - expected_mean) < 1e-5 + 5 * np.sqrt(var / n)
    assert abs(x.var() - expected_var) < 0.002 * expected_var + 5 * np.sqrt((m4 - var**2) / n)


def test_the_anchor_draws_are_fixed_by_the_seed():
    def drawn(seed):
        rng = np.random.default_rng(seed)
        return [beta_draws(rng, m, 20.0, 2000) for m in (0.3, 0.5, 0.5)]

    first, again, other = drawn(7), drawn(7), drawn(8)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not any(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    assert not np.array_equal(first[1], first[2])  # each call draws anew from the stream
    assert all(x.dtype == np.float32 and x.shape == (2000,) for x in first)
    # a run's anchors too, for the whole stacked population
    def citizens(seed):
        rng = np.random.default_rng(seed)
        return Citizens([(0.5, 0.25, 0.5), (0.6, 0.2, 0.4)], [0.25, 0.2, 0.3], 500, 20.0,
                        rng, threats=[(0.6, 0.5), (0.4, 0.7)], threat_rng=rng.spawn(1)[0])

    a, b = citizens(3), citizens(3)
    for name in ("awareness", "understanding", "support", "belief", "threat"):
        assert np.array_equal(getattr(a, f"anchor_{name}"), getattr(b, f"anchor_{name}"))
    assert not np.array_equal(a.anchor_support, citizens(4).anchor_support)


@settings(max_examples=100, deadline=None)
@given(mean=unit, concentration=st.floats(1.0, 1000.0), n=st.integers(1, 3000),
       seed=st.integers(0, 2**32 - 1))
def test_the_anchors_stay_in_the_unit_interval(mean, concentration, n, seed):
    """Any mean (0 and 1 included: the guard keeps the shapes above 0) and any
    public_spread give finite float32 anchors in [0, 1]."""
    x = beta_draws(np.random.default_rng(seed), mean, concentration, n)
    assert x.dtype == np.float32 and x.shape == (n,)
    assert in_unit(x)
    citizens = Citizens([(mean, mean / 2, mean)], [mean], n, concentration,
                        np.random.default_rng(seed), threats=[(mean, 1 - mean)],
                        threat_rng=np.random.default_rng(seed + 1))
    for name in ("awareness", "understanding", "support", "belief", "threat"):
        assert in_unit(getattr(citizens, f"anchor_{name}")), name
    assert (citizens.anchor_understanding <= citizens.anchor_awareness).all()


def reference_update(c: Citizens, signals, r: Rates, rng) -> None:
    """The module docstring's equations applied array by array, country by country, as
    written there, with every product a fresh array: what the update must equal."""
    n = c.population
    for row, s in enumerate(signals):
        a, u, sup, inoc = c.awareness[row], c.understanding[row], c.support[row], \
            c.inoculation[row]
        belief, t, t0 = c.belief[row], c.threat[row], c.anchor_threat[row]
        draws = rng.random((len(s.campaigns) + 1, n), dtype=np.float32)
        f32 = np.float32
        if s.visibility > 0:
            gain = r.visibility_rate * s.visibility
            a += f32(gain) * (1 - a)
            u += f32(gain * r.visibility_understanding) * (a - u)
        for k, m in enumerate(s.campaigns):
            if m.reach > 0 and m.intensity > 0:
                pull = (1 - u) * f32(r.persuasion * m.intensity)
                pull *= 1 - r.protection[m.narrative] * inoc
                pull *= (draws[k] < f32(m.reach)) & (sup < r.confidence)
                belief[m.narrative] += pull * (1 - belief[m.narrative])
                sup -= (r.support_pull * pull) * sup
        if s.reach > 0 and s.intensity > 0:
            reached = draws[-1] < f32(s.reach)
            a += (1 - a) * f32(r.outreach_awareness * s.intensity) * reached
            u += (a - u) * f32(r.outreach_understanding * s.depth * s.intensity) * reached
            if s.messaging > 0:
                inoc += (1 - inoc) * f32(s.messaging * r.inoculation_max) * reached
            pull = (reached & (sup > 1 - r.confidence)) * f32(r.persuasion * s.intensity)
            sup += pull * (1 - sup)
            belief -= (r.debunk_pull * pull) * belief
        lam, w = r.retention, r.peer_weight
        for x, x0 in ((a, c.anchor_awareness[row]), (u, c.anchor_understanding[row]),
                      (sup, c.anchor_support[row]), (belief, c.anchor_belief[row])):
            mean = (x.sum(axis=-1, keepdims=True, dtype=np.float64) / n).astype(f32)
            x *= lam * (1 - w)
            x += (lam * w) * mean
            x += (1 - lam) * x0
            np.clip(x, 0, 1, out=x)
        inoc *= lam
        np.minimum(u, a, out=u)
        t -= t0
        t *= f32(1 - r.threat_relaxation)
        t += t0
        if any(s.threat_events):
            shock = (np.array(s.threat_events, dtype=np.float64) * r.threat_shock).astype(f32)
            t += (1 - t) * shock[:, np.newaxis]
            np.clip(t, 0, 1, out=t)


@settings(max_examples=25, deadline=None)
@given(turns=st.lists(st.lists(st.builds(
    Signals, visibility=unit,
    campaigns=st.tuples(*(st.builds(Received, st.just(k), unit, unit) for k in range(3))),
    reach=unit, intensity=unit, depth=st.floats(0.0, 2.0), messaging=unit,
    threat_events=st.tuples(unit, unit)), min_size=3, max_size=3), min_size=1, max_size=3),
    pulls=st.sampled_from([(1.0, 1.0), (0.5, 0.8)]), seed=st.integers(0, 99))
def test_the_update_equals_the_equations_applied_array_by_array_bit_for_bit(turns, pulls,
                                                                            seed):
    """The update's shortcuts (one array of coefficients, scalars where the rows agree,
    buffers, the opinion block anchored at once, multiplications by 1 left out) change no
    bit against the docstring's equations written out plainly."""
    rates = Rates(0.9, 0.1, 0.6, 0.3, 0.5, 0.1, 0.2, 0.5, 0.6, *pulls, (1.0, 0.27, 1.0),
                  threat_shock=0.4, threat_relaxation=0.2)

    def citizens():
        return Citizens([(0.5, 0.25, 0.5), (0.6, 0.2, 0.4), (0.4, 0.3, 0.6)],
                        [0.25, 0.2, 0.3], 300, 20.0, np.random.default_rng(seed),
                        threats=[(0.6, 0.5), (0.4, 0.7), (0.8, 0.3)],
                        threat_rng=np.random.default_rng(seed + 1))

    model, reference = citizens(), citizens()
    model_rng, reference_rng = np.random.default_rng(5), np.random.default_rng(5)
    for signals in turns:
        model.update(signals, rates, model_rng)
        reference_update(reference, signals, rates, reference_rng)
    for name in Public.STATE:
        assert np.array_equal(getattr(model, name), getattr(reference, name)), name
