"""Why an actor chose what it chose: every term of the choice, in plain words.

The account shows the three terms that weighed most; this shows all of them, each with
what it measures, the weight it carries (a parameter) and the actor's profile values
behind it with their sources, all read from the run folder (``Choice.terms``, the
manifest's ``parameters`` and ``profiles``): nothing here loads a profile or a scenario.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from analysis.narrative import name
from sim.outputs import (
    PARTNERS,
    POSITION,
    TERM_LABELS,
    TERM_MEANINGS,
    TERM_PROFILE,
    TERM_WEIGHTS,
    TERMS,
    Choice,
    DecisionOpened,
    RunOutputs,
)

WIDTH = 100  # a terminal's width
SHOWN = 0.005  # --short leaves out the terms that print as 0.00


def choices_of(run: RunOutputs, turn: int | None = None,
               actor: str | None = None) -> list[Choice]:
    """The choices asked about: one actor's (or, by default, the four partners'), in one
    turn or all."""
    actors = {actor} if actor else set(PARTNERS)
    return [e for e in run.events if isinstance(e, Choice) and e.actor in actors
            and (turn is None or e.turn == turn)]


def explain(run: RunOutputs, choices: list[Choice], short: bool = False) -> Iterator[str]:
    """Lines explaining each choice: the question, the option chosen, then every term
    (``short``: only the terms that weighed, largest first, without weights and sources)."""
    opened = [e for e in run.events if isinstance(e, DecisionOpened)]
    in_turn = {(e.turn, e.decision): e for e in opened}
    by_id = {e.decision: e for e in opened}  # a Council vote on a question opened earlier
    for choice in choices:
        yield ""
        yield from _choice(run, choice, in_turn.get((choice.turn, choice.decision))
                           or by_id.get(choice.decision), short)


def _choice(run: RunOutputs, choice: Choice, question: DecisionOpened | None,
            short: bool) -> Iterator[str]:
    manifest = run.manifest
    names = manifest.actors
    labels = question.options if question else {}
    dimension = question.dimension if question else ""
    label = labels.get(choice.option, choice.option)
    who = name(choice.actor, names)
    yield f"Turn {choice.turn}, {who}: {question.question if question else choice.decision}"
    chooser, _, rule = choice.by.partition(", bound by ")
    yield from _wrap(f"chose {label} (the engine gave it probability {choice.probability:.2f}; "
                     + (f"bound to it by the {rule} rule" if rule else f"chosen by {chooser}")
                     + ")", 2)
    # a bound choice's likeliest is weighed against the bound option: the binding, below,
    # is its story, not an unlikely draw
    for option, probability in ({} if choice.bound_from else choice.likeliest).items():
        yield from _wrap(f"the engine found {labels.get(option, option)} most likely "
                         f"(probability {probability:.2f}): "
                         + ("this choice was a less likely draw" if chooser == "engine" else
                            f"{_chooser(chooser)} chose otherwise"), 2)
    if choice.group:
        yield from _wrap(f"the group's option: {labels.get(choice.group, choice.group)}", 2)
    for option, why in choice.not_yet.items():
        yield from _wrap(f"it could not choose {labels.get(option, option)} yet: {why}; it "
                         "chose among the other options", 2)
    if choice.bound_from:
        gave_up = f"{choice.violation:.2f} of utility, its best option's less this one's" \
            if choice.violation >= 0.005 else "nothing: this was also its best option"
        drew = "the engine drew" if chooser.startswith("engine") else \
            f"{_chooser(chooser)} chose"
        yield from _wrap(f"{drew} "
                         f"{labels.get(choice.bound_from, choice.bound_from)}; the rule bound "
                         f"it to the group's option, and it gave up {gave_up}", 2)
    if choice.swayed_from:
        yield (f"  public opinion tipped it: at its anchor it would have chosen "
               f"{labels.get(choice.swayed_from, choice.swayed_from)}")
    if short:
        yield from _weighed(choice)
    else:
        yield from _every_term(run, choice, dimension, who)


def _weighed(choice: Choice) -> Iterator[str]:
    """The terms that weighed in the choice, largest first, each with what it measures."""
    yield "  what weighed, against the average option (+ toward this option, - away from it):"
    weighed = [(t, v) for t, v in choice.terms.items() if abs(v) >= SHOWN]
    for term, value in sorted(weighed, key=lambda kv: -abs(kv[1])):
        yield from _wrap(f"{TERM_LABELS[term]} {value:+.2f}: {TERM_MEANINGS[term]}", 4)


def _every_term(run: RunOutputs, choice: Choice, dimension: str, who: str) -> Iterator[str]:
    """Every term of the choice's utility, with its meaning, its weight and the actor's
    profile values behind it with their sources."""
    manifest = run.manifest
    yield from _wrap("every term of its utility, against the average option (+ pulled toward "
                     "this option, - away from it; 0: no effect on this question):", 2)
    profile = manifest.profiles.get(choice.actor, {})
    for term in TERMS:
        value = choice.terms.get(term, 0.0)
        yield f"    {TERM_LABELS[term]:<16} {value:+.4f}"
        yield from _wrap(TERM_MEANINGS[term], 8)
        weight = TERM_WEIGHTS[term]
        if weight in manifest.parameters:
            yield f"{'':8}weight {weight} = {manifest.parameters[weight]}"
        for dim in TERM_PROFILE[term]:
            dim = dimension if dim == POSITION else dim
            held = profile.get(dim)
            if held is None:
                continue
            meaning = manifest.dimensions.get(dim, "")
            yield from _wrap(f"{who}'s {dim} = {held.value:.2f}"
                             + (f" ({meaning})" if meaning else ""), 8)
            yield from _wrap(f"source: {held.evidence}", 10)
    yield f"    {'sum':<16} {sum(choice.terms.values()):+.4f}  the option's utility less the " \
          "average option's"


def _chooser(by: str) -> str:
    """Who made a choice the engine did not, as a sentence's subject."""
    return {"human": "its team", "scripted": "its script"}.get(by, f"the {by}")


def _wrap(text: str, indent: int) -> list[str]:
    """A line of the explanation, wrapped to fit a terminal."""
    return textwrap.wrap(text, WIDTH, initial_indent=" " * indent,
                         subsequent_indent=" " * (indent + 2))
