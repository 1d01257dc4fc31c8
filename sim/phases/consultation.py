"""The four partners consult under the coordination rule, then each chooses.

Under a rule that consults, every partner first states what it intends (the engine's
partners their best option alone; a human team what it types), the rule forms the
group's stance from what was said, and each partner then chooses with the group's
pull and cover behind it. After the choices: who speaks together, what the four get
at NATO, Tokyo and Seoul's contact, and what a joint position hands China.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np

from agents.catalog import JPN as JAPAN
from agents.catalog import KOR as KOREA
from scenarios.schema import DecisionPoint
from sim.decisions import choice_probabilities, named
from sim.outputs import GroupStance, JointPosition, because
from sim.phases.choices import Reading
from sim.protocol import Answer, Request
from sim.rules import Intention, Stance

if TYPE_CHECKING:
    from sim.model import IP4Model



class Consultation:
    """Owns the counts of joint positions and of Tokyo-Seoul contacts, in the group and
    directly."""

    def __init__(self, model: IP4Model):
        self.model = model
        self.japan_rok_contacts = 0  # consultations with both Tokyo and Seoul in the group
        self.japan_rok_direct = 0  # bilateral Tokyo-Seoul consultations, held back by friction
        self.joint_positions = 0  # decisions on which the group spoke together
        self.capability = {p.code: p["capability"] for p in model.partners}

    def decide(self, turn: int, decision: DecisionPoint
               ) -> Generator[list[Request], dict[str, Answer], None]:
        model, rule = self.model, self.model.rule
        intentions, stated_by, reading = yield from self.hear_intentions(turn, decision)
        stance = rule.stance(decision, intentions)
        model.log(GroupStance(
            turn=turn, decision=decision.id, rule=rule.spec(), members=list(stance.members),
            option=stance.option, binding=stance.binding, note=stance.note,
            intentions={c: i.option for c, i in intentions.items()} if rule.consults else {},
            stated_by=stated_by))
        for p in model.partners:
            p.backing = rule.backing(p.code, stance, self.capability)
        situation = model.choices.situation(decision, model.partners, stance)
        chosen = yield from model.choices.choose(turn, decision, model.partners, situation,
                                                 stance, consultation=stance.note,
                                                 reading=reading)
        self.japan_and_rok_consult(stance)
        speakers = rule.speakers(stance, chosen)
        if speakers:
            self.joint_positions += 1
            model.log(JointPosition(turn=turn, decision=decision.id, members=speakers,
                                    option=stance.option))
            model.information.joint_statement(decision.option(stance.option), rule.formal)
        self.give_voice(speakers)
        model.timeline.outcomes[decision.id] = "joint" if speakers else "split"

    def hear_intentions(self, turn: int, decision: DecisionPoint
                        ) -> Generator[list[Request], dict[str, Answer],
                                       tuple[dict[str, Intention], dict[str, str], Reading]]:
        """What each partner intends: its best option alone, as the engine reads it, or,
        for a seat that is not the engine's, what the seat states (under a rule that
        consults; under one that does not, nobody is asked); and the engine's reading of
        the partners, which their choices take up with the group behind them."""
        model = self.model
        partners = model.partners
        alone = model.choices.situation(decision, partners, alone=True)
        arrays = model.choices.actor_arrays(decision, partners)
        terms = model.choices.terms(decision, partners, alone, arrays)
        unready = model.choices.unready(decision, partners)
        utility = np.where(unready, -np.inf, terms.sum(axis=-1))
        best = np.argmax(utility, axis=1)
        # what is at stake among the options the government can take now
        stakes = utility.max(axis=1) - np.where(unready, np.inf, utility).min(axis=1)
        options = decision.options
        asked = [row for row, p in enumerate(partners) if model.seated(p.code)] \
            if model.rule.consults else []
        requests = self.intention_requests(turn, decision, terms, unready, asked) \
            if asked else []
        answers = yield from model.ask(requests)
        intentions, stated_by = {}, {}
        for row, p in enumerate(partners):
            answer = answers.get(p.code)
            option = decision.option(answer.option) if answer else options[int(best[row])]
            if answer and answer.by != "engine":
                stated_by[p.code] = answer.by
            intentions[p.code] = Intention(option.id, option.position, float(stakes[row]))
        return intentions, stated_by, Reading(arrays, terms)

    def intention_requests(self, turn: int, decision: DecisionPoint, terms: np.ndarray,
                           unready: np.ndarray, rows: list[int]) -> list[Request]:
        """What a seat is asked for its intention: the options with the engine's reading of
        them alone (its best option is what the engine would state)."""
        utility = np.where(unready, -np.inf, terms.sum(axis=-1))
        probabilities = choice_probabilities(utility, self.model.params.temperature)
        relative = terms - terms.mean(axis=1, keepdims=True)
        options = decision.options
        requests = []
        for row in rows:
            best = int(np.argmax(utility[row]))
            requests.append(Request(
                turn=turn, actor=self.model.partners[row].code, decision=decision,
                stage="intention", engine=options[best].id,
                probabilities={o.id: float(x) for o, x in zip(options, probabilities[row],
                                                              strict=True)},
                advice=because(named(relative[row, best])),
                unready=self.model.choices.not_yet(decision, self.model.partners[row],
                                                   unready[row])))
        return requests

    def japan_and_rok_consult(self, stance: Stance) -> None:
        """Tokyo and Seoul meet inside the group whenever it acts with both; outside it,
        only when their bilateral friction allows: the IP4 as "a platform for Japan-ROK
        engagement that would have been controversial bilaterally"."""
        friction = self.model.params.japan_rok_friction
        if friction is None:
            friction = self.model.catalog.friction(JAPAN, KOREA)
        direct = self.model.rng.random() >= friction  # drawn every time: a fixed stream
        if stance.option and {JAPAN, KOREA} <= set(stance.members):
            self.japan_rok_contacts += 1
        elif direct:
            self.japan_rok_direct += 1

    def give_voice(self, speakers: list[str]) -> None:
        """Attention at NATO: each partner alone, or the group's: the sum of its members'
        voices plus a bonus, capped at 1 ("much greater attention and space at NATO as a
        group than any of them would enjoy alone")."""
        p = self.model.params
        alone = {q.code: p.voice_alone * (1 + q["nato_integration"]) for q in self.model.partners}
        together = min(1.0, sum(alone[c] for c in speakers)
                       * (1 + p.group_voice_bonus)) if speakers else 0.0
        for q in self.model.partners:
            q.attention += together if q.code in speakers else alone[q.code]


