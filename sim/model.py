"""The ip4sim Mesa model: one step is one turn of an exercise.

A turn, in order:

1. injects scheduled for this turn fire, then contingency injects whose trigger holds;
2. the adversaries act: Russia presses, China coerces the partners it can;
3. the decisions the injects opened are put: the IP4 partners consult under the
   coordination rule and each chooses; allies choose; NATO-level questions go to
   the North Atlantic Council, where one block stops consensus;
4. metrics are recorded.

Everything that happens is appended to ``events`` (typed records) and
``timeseries`` (tidy rows); ``analysis/`` reads those, never the model.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents.catalog import ALIASES, IP4, Catalog, load_catalog
from agents.states import Ally, China, Partner, Russia, StateActor
from scenarios.schema import DecisionPoint, Inject, Option, Scenario, Trigger
from sim import events as ev
from sim.decisions import (
    ActorArrays,
    ChoiceRequest,
    Chooser,
    OptionArrays,
    Situation,
    because,
    choice_probabilities,
    draw,
    explain,
    term_array,
)
from sim.params import Parameters
from sim.rules import NO_GROUP, Intention, Rule, Stance

Row = tuple[int, str, str, float]  # turn, metric, actor ("" for the whole run), value


class IP4Model(mesa.Model):
    def __init__(self, scenario: Scenario, rule: Rule, seed: int,
                 params: Parameters | None = None,
                 overrides: dict[str, dict[str, float]] | None = None,
                 choosers: dict[str, Chooser] | None = None,
                 governments: dict[str, str] | None = None):
        super().__init__(rng=seed)
        self.exercise = scenario
        self.rule = rule
        self.params = params or Parameters(**scenario.parameters)
        self.weights = self.params.model_dump()
        self.catalog = build_catalog(scenario, overrides or {}, governments or {})
        self.choosers = choosers or {}
        self.world = dict(scenario.world)
        self.russia_pressure = 0.0
        self.hook = 0.0  # strength of China's "Asia-Pacific NATO" narrative hook, 0..1
        self.japan_rok_contacts = 0  # consultations with both Tokyo and Seoul in the group
        self.events: list[ev.EventBase] = []
        self.timeseries: list[Row] = []
        self.outcomes: dict[str, str] = {}  # decision id -> approved/blocked/joint/split
        self._fired: set[str] = set()
        self._open: list[str] = []
        self._options = {d.id: OptionArrays.of(d) for d in scenario.decisions}

        profiles = self.catalog.profiles
        self.partners = [Partner(self, profiles[c]) for c in IP4]
        self.allies = [Ally(self, profiles[c]) for c in self.catalog.by_kind("ally")]
        self.china = China(self, profiles["CHN"])
        self.russia = Russia(self, profiles["RUS"])
        self.usa = next(a for a in self.allies if a.code == "USA")
        self._capability = {p.code: p["capability"] for p in self.partners}

    # -- the turn -------------------------------------------------------------------------

    def step(self) -> None:
        turn = int(self.time)
        for actor in [*self.partners, *self.allies]:
            actor.settle(self.params.coercion_decay)
        for p in self.partners:
            p.attention = 0.0
        self.hook *= self.params.hook_decay
        self.fire_injects(turn)
        self.adversaries_act(turn)
        for decision_id in self._open:
            self.put(turn, self.exercise.decision(decision_id))
        self._open = []
        self.record(turn)

    def run(self) -> IP4Model:
        self.run_for(self.exercise.turns)
        return self

    # -- 1. injects -----------------------------------------------------------------------

    def fire_injects(self, turn: int) -> None:
        due = [i for i in self.exercise.injects if i.turn == turn]
        due += [i for i in self.exercise.injects
                if i.when and i.id not in self._fired and self.holds(i.when, turn)]
        for inject in due:
            self.fire(turn, inject)

    def holds(self, trigger: Trigger, turn: int) -> bool:
        if turn < trigger.not_before:
            return False
        if trigger.var is not None:
            value, level = self.world[trigger.var], trigger.value
            return {">=": value >= level, "<=": value <= level,
                    ">": value > level, "<": value < level}[trigger.op]
        return self.outcomes.get(trigger.decision) == trigger.outcome

    def fire(self, turn: int, inject: Inject) -> None:
        self._fired.add(inject.id)
        changed = {}
        for e in inject.effects:
            new = e.set if e.set is not None else self.world[e.var] + e.add
            self.world[e.var] = changed[e.var] = round(min(1.0, max(0.0, new)), 6)
        self._open += [d for d in inject.opens if d not in self._open]
        expected = [a.model_dump() for a in inject.expected_actions]
        self.log(ev.InjectFired(turn=turn, inject=inject.id, title=inject.title,
                                synopsis=inject.synopsis, world=changed, opens=inject.opens,
                                expected=expected))

    # -- 2. adversaries -------------------------------------------------------------------

    def adversaries_act(self, turn: int) -> None:
        level = self.russia.pressure(self.world.get("russia_escalation", 0.0))
        self.russia_pressure = round(0.5 * self.russia_pressure + 0.5 * level, 6)
        if level > 0:
            self.log(ev.Pressure(turn=turn, actor="RUS", level=self.russia_pressure,
                                 note="threats of escalation and economic retaliation"))
        by_code = {p.code: p for p in self.partners}
        for attempt in self.china.coerce(self.partners, self.rng, self.params.coercion_threshold):
            if attempt.success:
                by_code[attempt.target].coerced += attempt.pressure
            self.log(ev.Coercion(turn=turn, actor="CHN", target=attempt.target,
                                 pressure=round(attempt.pressure, 4),
                                 backing=round(attempt.backing, 4), success=attempt.success))

    # -- 3. decisions ---------------------------------------------------------------------

    def put(self, turn: int, decision: DecisionPoint) -> None:
        self.log(ev.DecisionOpened(turn=turn, decision=decision.id, question=decision.question,
                                   forum=decision.forum,
                                   options={o.id: o.label for o in decision.options}))
        if decision.forum in ("partners", "all"):
            self.partners_decide(turn, decision)
        if decision.forum in ("allies", "all"):
            self.choose(turn, decision, self.allies, self.situation(decision, self.allies))
        if decision.forum == "nac":
            self.council_decides(turn, decision)

    def partners_decide(self, turn: int, decision: DecisionPoint) -> None:
        alone = self.situation(decision, self.partners)
        utility = self.terms(decision, self.partners, alone).sum(axis=-1)
        intentions = {}
        for p, row in zip(self.partners, utility, strict=True):
            best = decision.options[int(np.argmax(row))]
            intentions[p.code] = Intention(best.id, best.position, float(row.max() - row.min()))
        stance = self.rule.stance(decision, intentions)
        self.log(ev.GroupStance(turn=turn, decision=decision.id, rule=self.rule.spec(),
                                members=list(stance.members), option=stance.option,
                                binding=stance.binding, note=stance.note))
        for p in self.partners:
            p.backing = self.rule.backing(p.code, stance, self._capability)
        chosen = self.choose(turn, decision, self.partners,
                             self.situation(decision, self.partners, stance), stance)
        if stance.option and {"JPN", "KOR"} <= set(stance.members):
            self.japan_rok_contacts += 1
        speakers = self.rule.speakers(stance, chosen)
        if speakers:
            self.log(ev.JointPosition(turn=turn, decision=decision.id, members=speakers,
                                      option=stance.option))
            self.strengthen_hook(decision.option(stance.option))
        self.give_voice(speakers)
        self.outcomes[decision.id] = "joint" if speakers else "split"

    def give_voice(self, speakers: list[str]) -> None:
        """Attention at NATO: each partner alone, or the group's, which exceeds the sum of
        its members' voices ("much greater attention and space at NATO as a group")."""
        alone = {p.code: self.params.voice_alone * (1 + p["nato_integration"])
                 for p in self.partners}
        together = min(1.0, sum(alone[c] for c in speakers)
                       * (1 + self.params.group_voice_bonus)) if speakers else 0.0
        for p in self.partners:
            p.attention += together if p.code in speakers else alone[p.code]

    def strengthen_hook(self, option: Option) -> None:
        """A formal IP4 acting, or any joint position framed around China, gives China
        material for its "Asia-Pacific NATO" narrative."""
        push = option.china_framing * 0.5 * self.params.hook_per_formal_act
        if self.rule.formal:
            push += self.params.hook_per_formal_act
        self.hook += (1.0 - self.hook) * min(1.0, push)

    def council_decides(self, turn: int, decision: DecisionPoint) -> None:
        chosen = self.choose(turn, decision, self.allies, self.situation(decision, self.allies))
        blocking = {o.id for o in decision.options if o.blocks}
        blockers = [code for code, option in chosen.items() if option in blocking]
        tally = {o.id: sum(1 for c in chosen.values() if c == o.id) for o in decision.options}
        adopted = max((o for o in decision.options if not o.blocks),
                      key=lambda o: (tally[o.id], o.position))
        outcome = "blocked" if blockers else "approved"
        self.log(ev.CouncilVote(turn=turn, decision=decision.id, outcome=outcome,
                                option=adopted.id, blockers=blockers, tally=tally))
        self.outcomes[decision.id] = outcome

    def choose(self, turn: int, decision: DecisionPoint, actors: list[StateActor],
               situation: Situation, stance: Stance = NO_GROUP) -> dict[str, str]:
        """Every actor chooses once; returns actor code -> option id, and logs each choice."""
        terms = self.terms(decision, actors, situation)
        probabilities = choice_probabilities(terms.sum(axis=-1), self.params.temperature)
        picks = draw(probabilities, self.rng.random(len(actors)))
        options = decision.options
        index = {o.id: k for k, o in enumerate(options)}
        chosen = {}
        for row, actor in enumerate(actors):
            pick, by = int(picks[row]), "engine"
            chooser = self.choosers.get(actor.code)
            if chooser is not None:
                request = ChoiceRequest(
                    turn=turn, actor=actor.code, decision=decision,
                    probabilities={o.id: float(p) for o, p in zip(options, probabilities[row],
                                                                  strict=True)},
                    advice=because(explain(terms[row], int(np.argmax(probabilities[row])))),
                    group_option=stance.option if actor.code in stance.members else None)
                pick, by = index[chooser.choose(request)], chooser.name
            violation = 0.0
            if stance.binding and actor.code in stance.members and stance.option:
                bound = index[stance.option]
                utility = terms[row].sum(axis=-1)
                violation = round(float(utility[pick] - utility[bound]), 4)
                pick, by = bound, f"{by}, bound by {self.rule.name}"
            option = options[pick]
            chosen[actor.code] = option.id
            actor.stance[decision.dimension] = option.position
            actor.provocation = max(actor.provocation, option.provokes_china)
            self.log(ev.Choice(
                turn=turn, decision=decision.id, actor=actor.code, option=option.id,
                position=option.position, probability=round(float(probabilities[row, pick]), 4),
                by=by, terms=explain(terms[row], pick),
                group=stance.option if actor.code in stance.members else None,
                violation=violation))
        return chosen

    def terms(self, decision: DecisionPoint, actors: list[StateActor],
              situation: Situation) -> np.ndarray:
        return term_array(self.actor_arrays(decision, actors), self._options[decision.id],
                          situation, self.weights)

    def actor_arrays(self, decision: DecisionPoint, actors: list[StateActor]) -> ActorArrays:
        def col(dimension: str) -> np.ndarray:
            return np.array([a[dimension] for a in actors])

        return ActorArrays(
            ideal=col(decision.dimension), us_alignment=col("us_alignment"),
            vulnerability=col("coercion_vulnerability"),
            framing_aversion=col("china_framing_aversion"),
            formalization_aversion=col("formalization_aversion"),
            integration=col("nato_integration"), capability=col("capability"),
            public_support=col("public_support"),
            is_us=np.array([float(a.code == "USA") for a in actors]))

    def situation(self, decision: DecisionPoint, actors: list[StateActor],
                  stance: Stance = NO_GROUP) -> Situation:
        group_position = np.full(len(actors), np.nan)
        if stance.option:
            position = next(o.position for o in decision.options if o.id == stance.option)
            members = np.array([a.code in stance.members for a in actors])
            group_position[members] = position
        return Situation(
            salience=1.0 + (self.world[decision.pressure] if decision.pressure else 0.0),
            us_position=self.usa[decision.dimension],
            russia_pressure=self.russia_pressure,
            group_position=group_position,
            group_pull=np.where(np.isnan(group_position), 0.0, stance.pull),
            backing=np.array([a.backing if isinstance(a, Partner) else 0.0 for a in actors]),
            coerced=np.array([a.coerced for a in actors]))

    # -- 4. metrics -----------------------------------------------------------------------

    def record(self, turn: int) -> None:
        rows = self.timeseries
        for name, value in self.world.items():
            rows.append((turn, f"world.{name}", "", value))
        rows.append((turn, "russia_pressure", "", self.russia_pressure))
        rows.append((turn, "narrative_hook", "", round(self.hook, 6)))
        rows.append((turn, "japan_rok_contacts", "", float(self.japan_rok_contacts)))
        dimensions = sorted({d for p in self.partners for d in p.stance})
        for p in self.partners:
            rows.append((turn, "coerced", p.code, round(p.coerced, 6)))
            rows.append((turn, "backing", p.code, round(p.backing, 6)))
            rows.append((turn, "attention", p.code, round(p.attention, 6)))
            rows += [(turn, f"position.{d}", p.code, p.stance[d]) for d in dimensions
                     if d in p.stance]
        for d in dimensions:
            positions = [p.stance[d] for p in self.partners if d in p.stance]
            if len(positions) == len(self.partners):
                rows.append((turn, f"ip4_spread.{d}", "", max(positions) - min(positions)))

    def log(self, event: ev.EventBase) -> None:
        self.events.append(event)


def build_catalog(scenario: Scenario, overrides: dict[str, dict[str, float]],
                  governments: dict[str, str]) -> Catalog:
    """The scenario's actors: its government choices and overrides, then the run's own."""
    chosen = {**scenario.actors.governments, **governments}
    catalog = load_catalog({ALIASES.get(k.upper(), k.upper()): v for k, v in chosen.items()})
    catalog = catalog.with_values(_canonical(catalog, scenario.actors.overrides), "scenario file")
    return catalog.with_values(_canonical(catalog, overrides), "command line")


def _canonical(catalog: Catalog, overrides: dict[str, dict[str, float]]
               ) -> dict[str, dict[str, float]]:
    return {catalog.resolve(code): values for code, values in overrides.items()}
