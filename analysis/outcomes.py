"""The outcomes of one run, computed from its events and time series only (never the model).

Each outcome is a tidy row ``(outcome, actor, value)``; ``actor`` is a partner code for
per-partner outcomes and ``""`` for run-wide ones. A *partner decision* is one decision
put to the four partners (forum ``partners`` or ``all``), i.e. one ``GroupStance`` event;
the partners' *chosen positions* are the ``position`` of their ``Choice`` events on it.

Run-wide outcomes (actor ``""``):

``cohesion``
    1 - the mean, over partner decisions on which all four chose, of the spread
    (max - min) of the four partners' chosen positions. 1: the four always chose the
    same position; 0: on every decision one chose the bottom of the scale and another
    the top.
``joint_rate``
    full joint positions / partner decisions: ``JointPosition`` events with all four
    partners in them, over ``GroupStance`` events. The same under every rule: a coalition
    of three is not a joint position of the four, so ``coalition:k=3`` shows a partner
    staying out.
``group_rate``
    group positions / partner decisions: ``JointPosition`` events of any size (two, three
    or four partners; a coalition's or a lead nation's group counts), over ``GroupStance``
    events. At least ``joint_rate``; the two are equal when every group is all four.
``joint_any``
    1 if the four took at least one full joint position in the run, else 0.
``shock_to_joint``
    turns from the shock to the first full joint response: turn of the first
    ``JointPosition`` of all four less the turn of the first ``InjectFired``. A run with no joint
    position is *censored* at one turn past the end of the exercise (last recorded turn
    + 1 - first inject turn), not dropped, so rules that rarely act together are not
    flattered by averaging only their lucky runs; read its mean with ``joint_any``, and
    as a lower bound where ``joint_any`` is below 1.
``response_size``
    the mean, over partner decisions, of the capability-weighted mean chosen position of
    the four: sum(capability x position) / sum(capability), with the run's capability
    (the ``capability`` rows of its time series, overrides included). 0 none, 1 strongest.
``coercion_attempts``, ``coercion_successes``
    ``Coercion`` events (all of them, and those with ``success``), all partners together.
``attention``
    attention at NATO, the ``attention`` metric summed over turns and over the four.
``hook_final``, ``hook_max``
    China's "Asia-Pacific NATO" narrative hook (``narrative_hook``, 0..1): at the last
    turn, and its highest over the run.
``binding_cost``
    the sum of ``Choice.violation`` over the partners: utility given up when a binding
    group position overrode a member's own pick (non-zero only under binding rules),
    measured against the member's own best option, so never negative.
``japan_rok_contacts``
    consultations in the group with both Tokyo and Seoul in it: the
    ``japan_rok_contacts`` metric at the last turn.
``japan_rok_direct``
    direct Tokyo-Seoul consultations outside the group, which their bilateral friction
    holds back: the ``japan_rok_direct`` metric at the last turn.
``partner_decisions``
    the number of partner decisions (the denominator of the rates above).

Per-partner outcomes (actor = AUS, JPN, KOR, NZL): ``in_group`` (the share of partner
decisions on which it took part in the group's position: it is among the members of a
``JointPosition``), ``coercion_attempts``,
``coercion_successes`` (``Coercion`` events with that target), ``attention`` (summed over
turns) and ``binding_cost`` (that partner's violations); and its public at the last turn:
``support``, ``gap`` (awareness minus understanding), ``belief.<narrative>``, and
``swayed_choices`` (its choices that public opinion tipped, see ``Choice.swayed_from``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from sim.outputs import PARTNERS as IP4
from sim.outputs import (
    Choice,
    Coercion,
    EventBase,
    GroupStance,
    InjectFired,
    JointPosition,
    OutcomeRow,
    Row,
    reads_no_terms,
)

UNIT = (0.0, 1.0)  # rates, shares and 0..1 scales
NON_NEGATIVE = (0.0, math.inf)  # counts, turns, sums of non-negative amounts


@dataclass(frozen=True)
class Outcome:
    """What every outcome declares, in one place: its natural bounds (a mean and its
    interval never leave them), whether less is better for the partners (rankings), whether
    it is 0 or 1 in every run (its mean a proportion: a Wilson interval), and, for the
    outcomes a comparison shows first, a plain label and what it means (the table's legend).
    A new outcome is computed below and declared in :data:`OUTCOMES`; a test fails for an
    outcome computed and not declared."""

    bounds: tuple[float, float]
    lower_is_better: bool = False
    binary: bool = False
    label: str = ""  # "": not a headline outcome
    legend: str = ""


# Every outcome of a run. The headline outcomes (those with a label) come first, in the
# order a comparison's table and figure show them; the same labels head the table's
# columns and the figure's panels.
OUTCOMES: dict[str, Outcome] = {
    "cohesion": Outcome(UNIT, label="cohesion",
                        legend="1 - mean spread of the four partners' chosen positions (0 to 1)"),
    "joint_rate": Outcome(UNIT, label="joint rate (all four)", legend=(
        "share of partner decisions on which all four spoke together")),
    "group_rate": Outcome(UNIT, label="group rate (any group)", legend=(
        "share of partner decisions on which any group of two or more spoke together (a "
        "coalition's or a lead nation's counts); per partner, in_group: the share on which "
        "it took part in the group's position")),
    # Bounded above by a run's turns (last turn + 1 less the first inject's), but that is
    # the scenario's and the run's, and no output the analysis reads carries it
    # (docs/sweeps.md): a bound declared here would be one scenario's guess for all.
    "shock_to_joint": Outcome(NON_NEGATIVE, lower_is_better=True, label="turns to joint", legend=(
        "turns from the first inject to the first joint position of all four, on any "
        "question (an agreement to keep the IP4 informal counts); a run with none counts as "
        "the last turn + 1 (censored), so where joint rate (all four) < 1 its mean is a "
        "lower bound")),
    "response_size": Outcome(UNIT, label="response size", legend=(
        "capability-weighted mean position of the four (0 none, 1 the strongest option)")),
    "coercion_successes": Outcome(NON_NEGATIVE, lower_is_better=True,
                                  label="coercion successes", legend=(
        "Chinese coercion attempts that landed, all four partners (a count over the run)")),
    "attention": Outcome(NON_NEGATIVE, label="attention at NATO", legend=(
        "the partners' voice at NATO: each turn's share of attention they get there (0 to "
        "1 a partner), alone or as a group, summed over turns and partners (at most 4 x "
        "the turns)")),
    "hook_max": Outcome(UNIT, lower_is_better=True, label="narrative hook (max)", legend=(
        "highest strength of China's 'Asia-Pacific NATO' narrative hook (0 to 1)")),
    "binding_cost": Outcome(NON_NEGATIVE, lower_is_better=True, label="binding cost", legend=(
        "utility members gave up to a binding group position, in the units of the utility's "
        "terms (a choice's terms are a few tenths), summed over the run; 0 under rules that "
        "do not bind")),
    "japan_rok_contacts": Outcome(NON_NEGATIVE, label="JPN-KOR contacts", legend=(
        "Tokyo-Seoul consultations inside the group (a count over the run)")),
    "japan_rok_direct": Outcome(NON_NEGATIVE, label="JPN-KOR direct", legend=(
        "direct Tokyo-Seoul consultations outside the group (a count over the run)")),
    "joint_any": Outcome(UNIT, binary=True),
    "coercion_attempts": Outcome(NON_NEGATIVE, lower_is_better=True),
    "hook_final": Outcome(UNIT, lower_is_better=True),
    "partner_decisions": Outcome(NON_NEGATIVE),
    "in_group": Outcome(UNIT),
    "support": Outcome(UNIT),
    # awareness without understanding: the gap the report's public-diplomacy levers close
    "gap": Outcome(UNIT, lower_is_better=True),
    "swayed_choices": Outcome(NON_NEGATIVE),
}
# every belief.<narrative>: the share of a public that believes an adversary's narrative
# (every narrative is China's or Russia's: tests/test_outcome_names.py), so less is better
BELIEF = Outcome(UNIT, lower_is_better=True)
HEADLINE = {name: o.label for name, o in OUTCOMES.items() if o.label}
LEGEND = {name: o.legend for name, o in OUTCOMES.items() if o.legend}


def outcome_label(outcome: str) -> str:
    """An outcome as a table for people names it: its headline label, else its name."""
    return HEADLINE.get(outcome, outcome)


def declared(name: str) -> Outcome | None:
    """An outcome's declaration (``belief.<narrative>`` for any narrative), or None."""
    return BELIEF if name.startswith("belief.") else OUTCOMES.get(name)


PUBLIC_FINAL = ("public.support", "public.gap")


def capability(rows: list[Row]) -> dict[str, float]:
    """The partners' capability in this run, as its time series records it (overrides
    included)."""
    return {a: v for _, m, a, v in rows if m == "capability" and a in IP4}


# The order of a run's outcome rows: run-wide, then per partner (in IP4's order).
RUN_WIDE = ("cohesion", "joint_rate", "group_rate", "joint_any", "shock_to_joint",
            "response_size", "coercion_attempts", "coercion_successes", "attention",
            "hook_final", "hook_max", "binding_cost", "japan_rok_contacts", "japan_rok_direct",
            "partner_decisions")
PER_PARTNER = ("in_group", "coercion_attempts", "coercion_successes", "attention",
               "binding_cost")
# A family of outcomes: its run-wide values by name, and its per-partner values by name.
Family = tuple[dict[str, float], dict[str, dict[str, float]]]
Decisions = list[tuple[int, str]]  # (turn, decision) of each partner decision
EventsByType = defaultdict[type[EventBase], list[EventBase]]  # events_by_type


@reads_no_terms
def run_outcomes(events: list[EventBase], rows: list[Row]) -> list[OutcomeRow]:
    """Every outcome of one run, as tidy rows; definitions in this module's docstring.
    Module-level, so a batch's workers can be handed it as their reduce."""
    seen = events_by_type(events)
    decisions = [(e.turn, e.decision) for e in seen[GroupStance]]
    last_turn = max((r[0] for r in rows), default=max((e.turn for e in events), default=0))
    whole: dict[str, float] = {"partner_decisions": float(len(decisions))}
    each: dict[str, dict[str, float]] = {}
    for run_wide, per_partner in (positions(seen, decisions, capability(rows)),
                                  groups(seen, decisions, last_turn), coercion(seen),
                                  series(rows)):
        whole.update(run_wide)
        each.update(per_partner)
    out: list[OutcomeRow] = [(name, "", whole[name]) for name in RUN_WIDE]
    for code in IP4:
        out += [(name, code, each[name][code]) for name in PER_PARTNER]
    out += public_outcomes(rows)
    return [(o, a, _clean(v)) for o, a, v in out]


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def positions(seen: EventsByType, decisions: Decisions, weight: dict[str, float]) -> Family:
    """Cohesion and response size over the decisions all four chose on; binding cost."""
    chosen_on: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
    violation = dict.fromkeys(IP4, 0.0)
    for e in seen[Choice]:
        if e.actor in weight:
            chosen_on[(e.turn, e.decision)][e.actor] = e.position
            violation[e.actor] += e.violation
    spreads, sizes = [], []
    for key in decisions:
        chosen = chosen_on.get(key, {})
        if len(chosen) < len(IP4):  # a partner missing (not at the table): no spread
            continue
        values = list(chosen.values())
        spreads.append(max(values) - min(values))
        sizes.append(sum(weight[c] * p for c, p in chosen.items()) / sum(weight.values()))
    return ({"cohesion": 1.0 - mean(spreads) if spreads else math.nan,
             "response_size": mean(sizes), "binding_cost": sum(violation.values())},
            {"binding_cost": violation})


def groups(seen: EventsByType, decisions: Decisions, last_turn: int) -> Family:
    """How often the four, or any group, spoke together, each partner's share in it, and
    the turns from the first inject to the first joint position of all four."""
    spoke = seen[JointPosition]
    joints = [e for e in spoke if set(IP4) <= set(e.members)]
    injects = [e.turn for e in seen[InjectFired]]
    if not injects:
        shock = math.nan
    elif joints:
        shock = float(joints[0].turn - injects[0])
    else:
        shock = float(last_turn + 1 - injects[0])

    def share(count: int) -> float:
        return count / len(decisions) if decisions else math.nan

    return ({"joint_rate": share(len(joints)), "group_rate": share(len(spoke)),
             "joint_any": float(bool(joints)), "shock_to_joint": shock},
            {"in_group": {code: share(sum(code in e.members for e in spoke)) for code in IP4}})


def coercion(seen: EventsByType) -> Family:
    """China's coercion attempts on each partner, and those that landed."""
    attempts = dict.fromkeys(IP4, 0.0)
    successes = dict.fromkeys(IP4, 0.0)
    for e in seen[Coercion]:
        if e.target in attempts:
            attempts[e.target] += 1
            successes[e.target] += e.success
    return ({"coercion_attempts": sum(attempts.values()),
             "coercion_successes": sum(successes.values())},
            {"coercion_attempts": attempts, "coercion_successes": successes})


def series(rows: list[Row]) -> Family:
    """What the time series adds: attention at NATO, China's hook, Tokyo-Seoul contacts."""
    attention = dict.fromkeys(IP4, 0.0)
    hook: list[float] = []
    contacts = direct = 0.0
    for _, metric, actor, value in rows:
        if metric == "attention" and actor in attention:
            attention[actor] += value
        elif metric == "narrative_hook":
            hook.append(value)
        elif metric == "japan_rok_contacts":
            contacts = value  # rows are in turn order: the last one stands
        elif metric == "japan_rok_direct":
            direct = value
    return ({"attention": sum(attention.values()), "hook_final": hook[-1] if hook else math.nan,
             "hook_max": max(hook) if hook else math.nan, "japan_rok_contacts": contacts,
             "japan_rok_direct": direct},
            {"attention": attention})


def events_by_type(events: list[EventBase]) -> EventsByType:
    """The events by their exact type, each list in log order: one pass over a run's few
    hundred events rather than one per kind the outcomes read."""
    out: EventsByType = defaultdict(list)
    for e in events:
        out[type(e)].append(e)
    return out


def public_outcomes(rows: list[Row]) -> list[OutcomeRow]:
    """Each partner's public at the last turn (support, the awareness-understanding gap,
    belief in each narrative) and the choices public opinion tipped over the run."""
    last: dict[tuple[str, str], float] = {}
    for _, metric, actor, value in rows:  # rows are in turn order: the last one stands
        if actor in IP4 and (metric in PUBLIC_FINAL or metric.startswith("public.belief.")
                             or metric == "swayed_choices"):
            last[(metric, actor)] = value
    return [(metric.removeprefix("public."), actor, value)
            for (metric, actor), value in sorted(last.items())]


def _clean(value: float) -> float:
    """Round off float noise (sums of rounded metrics), so tables read cleanly and the
    same run always writes the same digits."""
    return value if math.isnan(value) else round(float(value), 9)
