"""Every actor chooses: the utility's named terms for every actor and option, one
logit draw each, and the request to any seat that is not the engine's.

The engine's draw is made whoever answers, so a recorded game replays exactly; what
the actor would have chosen had its public stayed at its anchor is kept as
``Choice.swayed_from`` when opinion tipped it.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from pydantic import TypeAdapter

from agents.catalog import USA
from agents.states import Partner, StateActor
from scenarios.schema import DecisionPoint
from sim.decisions import (
    ActorArrays,
    OptionArrays,
    Situation,
    Static,
    choice_probabilities,
    draw,
    named,
    named_rows,
    rounded,
    situated,
    static_terms,
    term_array,
)
from sim.outputs import Choice, because
from sim.protocol import Answer, Request
from sim.rules import NO_GROUP, Stance

if TYPE_CHECKING:
    from sim.model import IP4Model

CHOICES = TypeAdapter(list[Choice])  # a decision's choices, validated in one call


class Same:
    """An object as a key by identity: the profiles and decisions are pydantic models with
    unhashable fields. The key holds the object, so its id is not reused while it lives."""

    __slots__ = ("obj",)

    def __init__(self, obj: object):
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.obj is self.obj


# What the utility reads of the options, of a group's profiles and of both with the
# weights never changes within a run, nor between the runs of a batch, which share one
# parsed scenario and one catalogue (a profile overridden for a run is a new object): kept
# per process, keyed by those objects themselves and every parameter's value, bounded (a
# sweep over profile values makes new profiles every run). Their arrays are read-only: the
# runs share them. Profiles and scenarios are frozen models, never changed in place.
SHARED = 256  # entries per cache: a run makes about 25, a few KB each (not a model value)


def read_only[T](arrays: T) -> T:
    """The same dataclass of arrays, made read-only."""
    for value in vars(arrays).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return arrays


@lru_cache(maxsize=SHARED)
def option_arrays(decision: Same) -> OptionArrays:
    return read_only(OptionArrays.of(decision.obj))


@lru_cache(maxsize=SHARED)
def profile_arrays(dimension: str, profiles: tuple[Same, ...]) -> ActorArrays:
    """What the utility reads of a group's profiles, in the group's order."""
    def col(name: str) -> np.ndarray:
        return np.array([p.obj[name] for p in profiles])

    return read_only(ActorArrays(
        ideal=col(dimension), us_alignment=col("us_alignment"),
        vulnerability=col("coercion_vulnerability"),
        framing_aversion=col("china_framing_aversion"),
        formalization_aversion=col("formalization_aversion"),
        integration=col("nato_integration"), capability=col("capability"),
        public_support=col("public_support"), anchor_support=col("public_support"),
        public_threat=np.zeros(len(profiles)),
        is_us=np.array([float(p.obj.code == USA) for p in profiles])))


@lru_cache(maxsize=SHARED)
def shared_static(decision: Same, profiles: tuple[Same, ...],
                  parameters: tuple[tuple[str, object], ...], us_position: float) -> Static:
    """:func:`static_terms` of a group's profiles and a decision, with these parameters."""
    static = static_terms(profile_arrays(decision.obj.dimension, profiles),
                          option_arrays(decision), dict(parameters), us_position)
    return read_only(static)


@dataclass(frozen=True)
class Reading:
    """A group's arrays and utility terms on a decision, as read at one moment."""

    arrays: ActorArrays
    terms: np.ndarray


def profiles_of(actors: list[StateActor]) -> tuple[Same, ...]:
    return tuple(Same(a.profile) for a in actors)


class Choices:
    """Reads each decision's option arrays and each group's profile arrays once per run
    (from the process's shared ones)."""

    def __init__(self, model: IP4Model):
        self.model = model
        self.options = {d.id: option_arrays(Same(d)) for d in model.exercise.decisions}
        self._parameters = tuple(model.weights.items())  # the shared static terms' key
        # the shared arrays, by the actors' codes and the decision or dimension: a run's
        # questions find them without building the shared caches' keys
        self._profiles: dict[tuple[tuple[str, ...], str], ActorArrays] = {}
        self._static: dict[tuple[tuple[str, ...], str], Static] = {}  # static_terms

    def choose(self, turn: int, decision: DecisionPoint, actors: list[StateActor],
               situation: Situation, stance: Stance = NO_GROUP,
               consultation: str = "", reading: Reading | None = None
               ) -> Generator[list[Request], dict[str, Answer], dict[str, str]]:
        """Every actor chooses once; returns actor code -> option id and logs each choice.
        Seats other than the engine's are asked (and may keep the turn waiting).
        ``reading``: the same actors' arrays and terms on this decision at this moment, in
        another situation (their intentions alone), of which only the group's terms change."""
        model = self.model
        temperature = model.params.temperature
        if reading is None:
            arrays = self.actor_arrays(decision, actors)
            terms = self.terms(decision, actors, situation, arrays)
        else:
            arrays = reading.arrays
            terms = situated(reading.terms.copy(), arrays, self.options[decision.id],
                             situation, model.weights)
        unready = self.unready(decision, actors)
        utility = np.where(unready, -np.inf, terms.sum(axis=-1))
        probabilities = choice_probabilities(utility, temperature)
        relative = terms - terms.mean(axis=1, keepdims=True)  # each term against the average
        uniforms = model.rng.random(len(actors))
        picks = draw(probabilities, uniforms)
        anchored_picks = self.anchored(decision, arrays, utility, uniforms, picks)
        options = decision.options
        index = {o.id: k for k, o in enumerate(options)}
        requests = [Request(
            turn=turn, actor=a.code, decision=decision, stage="choice",
            probabilities={o.id: float(p) for o, p in zip(options, probabilities[row],
                                                          strict=True)},
            engine=options[int(picks[row])].id,
            advice=because(named(relative[row, int(np.argmax(probabilities[row]))])),
            group_option=stance.option if a.code in stance.members else None,
            binding=self.binds(stance, a, unready[row], index),
            consultation=consultation,
            unready=self.not_yet(decision, a, unready[row]))
            for row, a in enumerate(actors) if model.seated(a.code)]
        answers = yield from model.ask(requests)
        final = [self.settle_choice(decision, row, actor, answers.get(actor.code), picks,
                                    anchored_picks, utility, unready, stance, index)
                 for row, actor in enumerate(actors)]
        chosen_index = np.array([pick for pick, _, _, _, _ in final])
        explained = named_rows(relative[np.arange(len(actors)), chosen_index]) \
            if model.explained else [{}] * len(actors)  # validation copies each
        chosen_probability, likeliest = self.probabilities(options, probabilities,
                                                           chosen_index)
        # most decisions have no measure within a lead time: one test, not one per actor
        closed = [self.not_yet(decision, a, unready[row]) for row, a in enumerate(actors)] \
            if unready.any() else [{}] * len(actors)  # validation copies each
        chosen, records = {}, []
        for row, (actor, (pick, by, swayed, violation, own)) in enumerate(
                zip(actors, final, strict=True)):
            if swayed is not None and actor.code in model.information.swayed:
                model.information.swayed[actor.code] += 1
            option = options[pick]
            chosen[actor.code] = option.id
            actor.adopt(decision.dimension, option)
            records.append(dict(
                turn=turn, decision=decision.id, actor=actor.code, option=option.id,
                position=option.position, probability=chosen_probability[row],
                by=by, terms=explained[row],
                group=stance.option if actor.code in stance.members else None,
                violation=violation, swayed_from=swayed, bound_from=own,
                not_yet=closed[row], likeliest=likeliest[row],
                engine_option=None if by.startswith("engine") else
                options[int(picks[row])].id))
        for event in CHOICES.validate_python(records):  # one call validates them all
            model.log(event)
        return chosen

    @staticmethod
    def probabilities(options: list, probabilities: np.ndarray, chosen: np.ndarray
                      ) -> tuple[list[float], list[dict[str, float]]]:
        """Per actor, the probability of the option chosen, and the option the engine found
        most likely with its probability where that is not the one chosen ({} where it
        is); rounded together, in one call (a run makes 200 choices)."""
        rows, best = np.arange(len(chosen)), probabilities.argmax(axis=1)
        picked, top = rounded(np.stack([probabilities[rows, chosen], probabilities[rows, best]]),
                              4).tolist()
        return picked, [{options[b].id: p} if b != c else {}
                        for b, c, p in zip(best.tolist(), chosen.tolist(), top, strict=True)]

    def unready(self, decision: DecisionPoint, actors: list[StateActor]) -> np.ndarray:
        """actors x options: True where an option is a measure (``measure:``) whose lead
        time in the actor's profile has not passed by the end of this turn, counted from
        the start of the turn the question was first put. All False for a decision
        without measures, so existing scenarios choose exactly as before."""
        measures = [o.measure for o in decision.options]
        if not any(measures):
            return np.zeros((len(actors), len(measures)), dtype=bool)
        days = self.model.timeline.days_open(decision.id)
        return np.array([[m in a.profile.lead_times and a.profile.lead_times[m].days >= days
                          for m in measures] for a in actors])

    def not_yet(self, decision: DecisionPoint, actor: StateActor,
                unready: np.ndarray) -> dict[str, str]:
        """The options the actor cannot take yet, each with why ({} for most choices)."""
        if not unready.any():
            return {}
        return {o.id: why for o, why in zip(decision.options, self.unready_reasons(
            decision, actor, unready), strict=True) if why}

    def unready_reasons(self, decision: DecisionPoint, actor: StateActor,
                        unready: np.ndarray) -> list[str]:
        """Per option, why the actor cannot choose it yet ('' where it can)."""
        days = self.model.timeline.days_open(decision.id)
        return [f"{actor.code} needs {actor.profile.lead_times[o.measure].days:g} days "
                f"({actor.profile.lead_times[o.measure].basis.replace('_', ' ')}) for "
                f"{o.measure}; {days:g} will have passed by the end of this turn"
                if blocked else "" for o, blocked in zip(decision.options, unready,
                                                          strict=True)]

    def settle_choice(self, decision: DecisionPoint, row: int, actor: StateActor,
                      answer: Answer | None, picks: np.ndarray, anchored_picks: np.ndarray,
                      utility: np.ndarray, unready: np.ndarray, stance: Stance,
                      index: dict[str, int]) -> tuple[int, str, str | None, float, str | None]:
        """Who chose what: the seat's answer or the engine's draw, then the rule's binding;
        with whether opinion tipped it (the anchored option), what binding cost and, when
        the rule overrode it, the option the actor chose itself."""
        pick, by = (index[answer.option], answer.by) if answer else (int(picks[row]), "engine")
        # Tipped: the engine's draw, which this actor's choice follows (a replay or a
        # player who agrees with it), differs from the same draw at anchor support.
        swayed = None
        if actor.code in self.model.information.publics and pick == picks[row] \
                != anchored_picks[row]:
            swayed = decision.options[int(anchored_picks[row])].id
        violation, own = 0.0, None
        if self.binds(stance, actor, unready[row], index):
            bound = index[stance.option]
            # what the actor gives up: its own best option's utility less the bound one's
            violation = round(float(utility[row].max() - utility[row, bound]), 4)
            if bound != pick:
                own = decision.options[pick].id
            pick, by, swayed = bound, f"{by}, bound by {self.model.rule.name}", None
        return pick, by, swayed, violation, own

    @staticmethod
    def binds(stance: Stance, actor: StateActor, unready: np.ndarray,
              index: dict[str, int]) -> bool:
        """Whether the group's position binds this actor: a binding rule's member, unless
        the option is a measure it cannot take yet (the law is not there), when it keeps
        its own choice."""
        return stance.binding and actor.code in stance.members and stance.option is not None \
            and not unready[index[stance.option]]

    def anchored(self, decision: DecisionPoint, actors: ActorArrays, utility: np.ndarray,
                 uniforms: np.ndarray, picks: np.ndarray) -> np.ndarray:
        """The same draw with every public at its anchor: did public opinion tip a
        choice? The public terms, w_public (support - 0.5) visibility and w_public_threat
        (threat above anchor) position (sim/decisions.py), are linear in what the
        government reads, so the anchored utility is the utility plus the differences."""
        weights = self.model.weights
        shift = actors.anchor_support - actors.public_support
        threat = actors.public_threat
        if not shift.any() and not threat.any():
            return picks
        options = self.options[decision.id]
        col = np.newaxis  # the products np.outer makes, without its two ravel() calls
        anchored = utility + weights["w_public"] * (shift[:, col] * options.visibility) \
            - weights["w_public_threat"] * (threat[:, col] * options.position)
        return draw(choice_probabilities(anchored, self.model.params.temperature), uniforms)

    def terms(self, decision: DecisionPoint, actors: list[StateActor],
              situation: Situation, arrays: ActorArrays | None = None) -> np.ndarray:
        """term_array for these actors (``arrays``: their actor_arrays, if at hand)."""
        arrays = arrays or self.actor_arrays(decision, actors)
        options = self.options[decision.id]
        key = (tuple(a.code for a in actors), decision.id)
        static = self._static.get(key)
        if static is None:
            static = self._static[key] = shared_static(
                Same(decision), profiles_of(actors), self._parameters, situation.us_position)
        return term_array(arrays, options, situation, self.model.weights, static)

    def actor_arrays(self, decision: DecisionPoint, actors: list[StateActor]) -> ActorArrays:
        """What the utility reads of the actors; ``public_support`` and ``public_threat``
        from their publics where they have one, else the profile's static anchor and 0."""
        key = (tuple(a.code for a in actors), decision.dimension)
        static = self._profiles.get(key)
        if static is None:
            static = self._profiles[key] = profile_arrays(decision.dimension,
                                                          profiles_of(actors))
        information = self.model.information
        support, threat = static.public_support.copy(), static.public_threat.copy()
        for row, actor in enumerate(actors):
            if actor.code in information.publics:
                support[row] = information.support_of(actor.code, support[row])
                threat[row] = information.threat_of(actor.code, decision.dimension)
        return replace(static, public_support=support, public_threat=threat)

    def situation(self, decision: DecisionPoint, actors: list[StateActor],
                  stance: Stance = NO_GROUP, alone: bool = False) -> Situation:
        """What the world and the group add to a decision; ``alone``: as each partner
        would see it with no group behind it (its intention)."""
        model, count = self.model, len(actors)
        if stance.option:
            members = [a.code in stance.members for a in actors]
            group_position = np.where(members, decision.option(stance.option).position, np.nan)
            group_pull = np.where(members, stance.pull, 0.0)
        else:
            group_position, group_pull = np.full(count, np.nan), np.zeros(count)
        return Situation(
            salience=1.0 + (model.timeline.get(decision.pressure) if decision.pressure
                            else 0.0),
            us_position=model.usa[decision.dimension],
            russia_pressure=model.adversaries.russia_pressure,
            group_position=group_position, group_pull=group_pull,
            backing=np.zeros(count) if alone else np.array(
                [a.backing if isinstance(a, Partner) else 0.0 for a in actors]),
            coerced=np.array([a.coerced for a in actors]))
