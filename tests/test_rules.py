"""The IP4 coordination rules: generic properties over every registered rule (defaults and
parameter variants) and random intentions, each rule's own semantics, parsing, and one run each."""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.catalog import IP4
from scenarios.errors import InputError
from scenarios.schema import DecisionPoint, Option
from sim.outputs import Choice, GroupStance
from sim.rules import parse_rule, rule_names
from sim.rules.base import REGISTRY, Intention, Stance
from tests.helpers import run_events

units = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def situations(draw) -> tuple[DecisionPoint, dict[str, Intention]]:
    """A partners' decision with 2-4 options, and what each of the four intends on it."""
    n = draw(st.integers(2, 4))
    positions = draw(st.lists(units, min_size=n, max_size=n))
    options = [Option(id=f"o{k}", label=f"option {k}", position=x)
               for k, x in enumerate(positions)]
    decision = DecisionPoint(id="d", question="what now?", forum="partners",
                             dimension="russia_stance", options=options)
    intentions = {}
    for code in IP4:
        option = draw(st.sampled_from(options))
        stake = draw(st.floats(0.0, 2.0, allow_nan=False))
        intentions[code] = Intention(option.id, option.position, stake)
    return decision, intentions


# Parameter variety for the rules that have parameters; every registered rule is also
# tested with its defaults, so a new rule module is covered without editing this file.
VARIANTS = {
    "caucus": st.builds(REGISTRY["caucus"], pull=units),
    "coalition": st.builds(REGISTRY["coalition"], k=st.integers(1, 4)),
    "lead": st.builds(REGISTRY["lead"], lead=st.sampled_from(["auto", *IP4]), tolerance=units),
    "formal": st.builds(REGISTRY["formal"], quorum=st.floats(0.01, 1.0)),
    "hybrid": st.builds(REGISTRY["hybrid"], min_stake=st.floats(0.0, 2.0), max_spread=units),
}


def rules(name: str) -> st.SearchStrategy:
    """The rule ``name`` with its defaults, or with parameters drawn from VARIANTS."""
    default = st.just(REGISTRY[name]())
    return st.one_of(default, VARIANTS[name]) if name in VARIANTS else default


def test_variants_name_registered_rules():
    assert set(VARIANTS) <= set(REGISTRY)


def no_group(stance: Stance) -> bool:
    return stance.members == () and stance.option is None and not stance.binding


@given(situations())
def test_consensus_acts_exactly_when_all_four_agree(situation):
    decision, intentions = situation
    stance = parse_rule("consensus").stance(decision, intentions)
    options = {i.option for i in intentions.values()}
    if len(options) == 1:
        assert stance.members == IP4 and stance.option == options.pop()
        assert stance.pull == 1.0 and not stance.binding
    else:
        assert no_group(stance)
        assert "no consensus" in stance.note


@given(situations(), st.integers(1, 4))
def test_coalition_acts_once_k_intend_the_same_option(situation, k):
    decision, intentions = situation
    stance = parse_rule(f"coalition:k={k}").stance(decision, intentions)
    most = max(Counter(i.option for i in intentions.values()).values())
    if most >= k:
        assert stance.option is not None and len(stance.members) == most
        assert all(intentions[m].option == stance.option for m in stance.members)
        others = set(IP4) - set(stance.members)
        assert all(intentions[c].option != stance.option for c in others)
    else:
        assert no_group(stance)


@given(situations())
def test_bilateral_never_yields_a_group(situation):
    assert no_group(parse_rule("bilateral").stance(*situation))


@given(situations(), st.floats(0.01, 1.0))
def test_formal_always_binds_all_four(situation, quorum):
    decision, intentions = situation
    stance = REGISTRY["formal"](quorum=quorum).stance(decision, intentions)
    assert stance.members == IP4 and stance.binding and stance.pull == 1.0
    assert stance.option in {o.id for o in decision.options}


@given(situations(), st.sampled_from(["auto", *IP4]), units)
def test_lead_nation_followers_are_those_within_tolerance(situation, lead, tolerance):
    decision, intentions = situation
    rule = REGISTRY["lead"](lead=lead, tolerance=tolerance)
    stance = rule.stance(decision, intentions)
    leader = rule.leader(intentions)
    if lead == "auto":
        assert intentions[leader].stake == max(i.stake for i in intentions.values())
    else:
        assert leader == lead
    proposal = intentions[leader].position
    close = {c for c, i in intentions.items()
             if c != leader and abs(i.position - proposal) <= tolerance}
    if close:
        assert stance.option == intentions[leader].option
        assert set(stance.members) == close | {leader}
    else:
        assert no_group(stance)


@given(situations(), st.floats(0.0, 2.0), units)
def test_hybrid_acts_iff_all_have_a_stake_and_similar_views(situation, min_stake, max_spread):
    decision, intentions = situation
    stance = REGISTRY["hybrid"](min_stake=min_stake, max_spread=max_spread).stance(
        decision, intentions)
    positions = [i.position for i in intentions.values()]
    acts = (all(i.stake >= min_stake for i in intentions.values())
            and max(positions) - min(positions) <= max_spread)
    if acts:
        assert stance.members == IP4 and stance.option is not None and not stance.binding
    else:
        assert no_group(stance)


def drawn_stance(name, data):
    """A rule of this name (defaults or drawn parameters), a situation, and its stance."""
    rule = data.draw(rules(name))
    decision, intentions = data.draw(situations())
    return rule, decision, intentions, rule.stance(decision, intentions)


@pytest.mark.parametrize("name", rule_names())
@given(data=st.data())
def test_a_stance_is_well_formed(name, data):
    rule, decision, intentions, stance = drawn_stance(name, data)
    assert 0.0 <= stance.pull <= 1.0 and stance.note
    assert set(stance.members) <= set(IP4) and len(set(stance.members)) == len(stance.members)
    assert stance.option is None or stance.option in {o.id for o in decision.options}
    assert (stance.option is None) == (not stance.members)
    if stance.binding:
        assert stance.option is not None


@pytest.mark.parametrize("name", rule_names())
@given(data=st.data())
def test_speakers_chose_the_group_option_and_backing_is_bounded(name, data):
    rule, decision, intentions, stance = drawn_stance(name, data)
    ids = [o.id for o in decision.options]
    choices = {c: data.draw(st.sampled_from(ids)) for c in IP4}
    speakers = rule.speakers(stance, choices)
    assert set(speakers) <= set(stance.members)
    assert all(choices[s] == stance.option for s in speakers)
    capability = {c: data.draw(units) for c in IP4}
    for code in IP4:
        backing = rule.backing(code, stance, capability)
        assert 0.0 <= backing <= 1.0
        if code not in stance.members:
            assert backing == 0.0


@pytest.mark.parametrize("name", rule_names())
@given(data=st.data())
def test_a_rule_is_deterministic(name, data):
    rule, decision, intentions, stance = drawn_stance(name, data)
    again = parse_rule(rule.spec()).stance(decision, dict(intentions))
    assert again == stance == rule.stance(decision, intentions)
    choices = {c: i.option for c, i in intentions.items()}
    assert rule.speakers(stance, choices) == rule.speakers(again, dict(choices))


@pytest.mark.parametrize("name", rule_names())
@given(data=st.data())
def test_spec_round_trips(name, data):
    rule = data.draw(rules(name))
    assert parse_rule(rule.spec()) == rule


@pytest.mark.parametrize("name", rule_names())
def test_every_rule_name_parses(name):
    rule = parse_rule(name)
    assert rule.name == name and rule.summary
    assert 0.0 <= rule.cover <= 1.0


def test_lead_accepts_any_case():
    assert parse_rule("lead:lead=jpn").lead == "JPN"
    assert parse_rule("lead:lead=AUTO").lead == "auto"


@pytest.mark.parametrize(("spec", "parameter"), [
    ("coalition:k=7", "k"),
    ("coalition:k=0", "k"),
    ("coalition:k=x", "k"),
    ("lead:lead=XYZ", "lead"),
    ("lead:tolerance=2", "tolerance"),
    ("formal:quorum=0", "quorum"),
    ("hybrid:max_spread=1.5", "max_spread"),
    ("hybrid:min_stake=-1", "min_stake"),
    ("caucus:pul=1", "pul"),  # a misspelt parameter: the closest one is named
])
def test_bad_parameters_name_the_parameter(spec, parameter):
    with pytest.raises(InputError) as caught:
        parse_rule(spec)
    problem = caught.value.problems[0]
    assert problem.source == "--rule" and problem.field == spec
    assert problem.message.startswith(f"{parameter}:")
    if parameter == "pul":
        assert "did you mean 'pull'?; its parameters: pull, cover" in problem.message


def test_formal_falls_back_to_the_middle_option_without_a_quorum():
    options = [Option(id=f"o{k}", label=str(k), position=k / 3) for k in range(4)]
    decision = DecisionPoint(id="d", question="?", forum="partners",
                             dimension="russia_stance", options=options)
    intentions = {"AUS": Intention("o3", 1.0, 1.0), "JPN": Intention("o3", 1.0, 1.0),
                  "KOR": Intention("o1", 1 / 3, 1.0), "NZL": Intention("o0", 0.0, 1.0)}
    assert parse_rule("formal").stance(decision, intentions).option == "o3"
    stance = parse_rule("formal:quorum=0.75").stance(decision, intentions)
    assert stance.option == "o2" and stance.binding  # median 2/3, nearest o2


@pytest.mark.parametrize("name", rule_names())
def test_every_rule_runs_the_ukraine_scenario(ukraine, name):
    events = run_events(ukraine, rule=name, seed=7)
    stances = [e for e in events if isinstance(e, GroupStance)]
    assert stances and all(e.rule == parse_rule(name).spec() for e in stances)
    if name != "formal":
        return
    forum = {d.id: d.forum for d in ukraine.scenario.decisions}
    group = {(e.turn, e.decision): e.option for e in stances}
    partner_choices = [e for e in events if isinstance(e, Choice) and e.actor in IP4
                       and forum[e.decision] in ("partners", "all")]
    assert partner_choices
    for choice in partner_choices:
        assert choice.option == group[(choice.turn, choice.decision)] == choice.group


def test_a_rule_names_its_folder_by_the_parameters_it_changes():
    assert parse_rule("caucus").slug() == "caucus"
    assert parse_rule("coalition:k=2").slug() == "coalition-k2"
    assert parse_rule("coalition:k=3").slug() == "coalition"


@pytest.mark.parametrize("name", [n for n in rule_names() if n != "bilateral"])
def test_every_rule_that_forms_a_group_draws_its_members_as_its_pull_says(name):
    """The group's pull is each rule's parameter (recorded in its spec), not a constant."""
    options = [Option(id=f"o{k}", label=str(k), position=k / 3) for k in range(4)]
    decision = DecisionPoint(id="d", question="?", forum="partners",
                             dimension="russia_stance", options=options)
    agreed = {code: Intention("o2", 2 / 3, 1.0) for code in ("AUS", "JPN", "KOR", "NZL")}
    assert parse_rule(name).stance(decision, agreed).pull == 1.0
    rule = parse_rule(f"{name}:pull=0.25")
    assert rule.stance(decision, agreed).pull == 0.25 and "pull=0.25" in rule.spec()
