"""The ip4sim Mesa model: one step is one turn of an exercise.

A turn, in order:

1. injects scheduled for this turn fire, then contingency injects whose trigger holds;
2. the adversaries act: Russia presses, China coerces the partners it can;
   Russia and China also plan their disinformation campaigns (``sim/information.py``):
   each campaign's reach and intensity react to the world (China's "Asia-Pacific
   NATO" to the narrative hook and to material such as a visible China-framed joint
   statement; Russia's "NATO caused the war" to its pressure);
3. the decisions the injects opened are put: the IP4 partners consult under the
   coordination rule and each chooses; allies choose; NATO-level questions go to
   the North Atlantic Council, where one block stops consensus (a Council approval
   can switch on a lever, such as a NATO liaison office in Tokyo);
4. (each choice is checked against the one the actor would have made, with the same
   draw, had its public stayed at its anchor: ``Choice.swayed_from``);
5. the publics update (``agents/publics.py``): visibility, the campaigns, and NATO's
   public diplomacy from the levers meet each partner's citizens; a government reads
   its public's support in the ``public`` term of its utility next turn;
6. metrics are recorded.

Everything that happens is appended to ``events`` (typed records) and
``timeseries`` (tidy rows); ``analysis/`` reads those, never the model.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np
from pydantic import ValidationError

from agents.catalog import IP4, Catalog, load_catalog
from agents.publics import Message as Received
from agents.publics import Public, Rates, Signals
from agents.states import Ally, China, Partner, Russia, StateActor
from scenarios.errors import InputError, Problem
from scenarios.information import (
    GATED_LEVERS,
    NARRATIVE_IDS,
    NARRATIVES,
    OUTREACH_VAR,
    PUBLIC_DIPLOMACY,
    RUMOUR_VAR,
    VISIBILITY_VAR,
    Levers,
    gate_message,
    switchable,
)
from scenarios.parameters import Parameters, merged
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
    named,
    term_array,
)
from sim.information import (
    SPILLOVER,
    Campaign,
    Outreach,
    WorldReading,
    campaign,
    outreach,
    standing_campaigns,
)
from sim.rules import NO_GROUP, Intention, Rule, Stance

Row = tuple[int, str, str, float]  # turn, metric, actor ("" for the whole run), value


class IP4Model(mesa.Model):
    def __init__(self, scenario: Scenario, rule: Rule, seed: int,
                 params: Parameters | None = None,
                 overrides: dict[str, dict[str, float]] | None = None,
                 choosers: dict[str, Chooser] | None = None,
                 governments: dict[str, str] | None = None,
                 levers: dict[str, float] | None = None,
                 public_allies: bool = False):
        super().__init__(rng=seed)
        self.exercise = scenario
        self.rule = rule
        self.params = params or merged(scenario.parameters)
        self.weights = self.params.model_dump()
        self.catalog = build_catalog(scenario, overrides or {}, governments or {})
        self.choosers = choosers or {}
        self.world = dict(scenario.world)
        self.russia_pressure = 0.0
        self.hook = 0.0  # strength of China's "Asia-Pacific NATO" narrative hook, 0..1
        self.japan_rok_contacts = 0  # consultations with both Tokyo and Seoul in the group
        self.japan_rok_direct = 0  # bilateral Tokyo-Seoul consultations, held back by friction
        self.events: list[ev.EventBase] = []
        self.observers: list[Callable[[ev.EventBase], None]] = []  # e.g. a live account
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
        self.setup_information(levers or {}, public_allies)

    def setup_information(self, levers: dict[str, float], public_allies: bool) -> None:
        """Levers, campaigns and publics (one per partner; per ally too if asked)."""
        scenario = self.exercise
        self.levers = merged_levers(scenario, levers)
        adversaries = {a.code: a.profile.values for a in (self.china, self.russia)}
        self.campaign_specs = scenario.campaigns if scenario.campaigns is not None else \
            standing_campaigns({c: {k: v.value for k, v in values.items()}
                                for c, values in adversaries.items()})
        self.switched_on: set[str] = set()
        self.material = 0.0  # what China's "Asia-Pacific NATO" can point at, 0..1
        self.swayed = dict.fromkeys(IP4, 0)  # choices tipped by public opinion, per partner
        self._campaigns: list[Campaign] = []
        self._outreach: dict[str, Outreach] = {}
        self._visibility_base = scenario.world.get(VISIBILITY_VAR, 0.0)
        p = self.params
        self.rates = Rates(
            retention=p.public_retention, peer_weight=p.peer_weight,
            confidence=p.confidence_bound, persuasion=p.persuasion_rate,
            visibility_rate=p.visibility_rate,
            visibility_understanding=p.visibility_understanding,
            outreach_awareness=p.outreach_awareness,
            outreach_understanding=p.outreach_understanding,
            inoculation_max=p.inoculation_max, support_pull=p.support_pull,
            debunk_pull=p.debunk_pull,
            protection=tuple(1.0 if NARRATIVES[n].prebunked else SPILLOVER
                             for n in NARRATIVE_IDS))
        # The publics draw from their own generator, spawned from the model's (spawning
        # does not advance it), so the governments' stream is the same at any population.
        self.public_rng = self.rng.spawn(1)[0]
        governments = [*self.partners, *(self.allies if public_allies else [])]
        beliefs = [NARRATIVES[n].anchor for n in NARRATIVE_IDS]
        self.publics = {
            g.code: Public(self, g.code, g["public_awareness"], g["public_understanding"],
                           g["public_support"], beliefs, p.population, p.public_spread,
                           self.public_rng)
            for g in governments}
        self._anchor_support = {code: float(pub.anchor_support.mean(dtype=np.float64))
                                for code, pub in self.publics.items()}
        self._support = {g.code: g["public_support"] for g in governments}

    @property
    def office_open(self) -> bool:
        return "liaison_office_tokyo" in self.switched_on and self.levers.liaison_office_tokyo > 0

    # -- the turn -------------------------------------------------------------------------

    def step(self) -> None:
        turn = int(self.time)
        for actor in [*self.partners, *self.allies]:
            actor.settle(self.params.coercion_decay, self.params.provocation_decay)
        for p in self.partners:
            p.attention = 0.0
        self.hook *= self.params.hook_decay
        self.material *= self.params.hook_decay
        self.fire_injects(turn)
        self.adversaries_act(turn)
        for decision_id in self._open:
            self.put(turn, self.exercise.decision(decision_id))
        self._open = []
        self.update_publics(turn)
        self.record(turn)

    def run(self) -> IP4Model:
        self.run_for(self.exercise.turns)
        return self

    # -- 1. injects -----------------------------------------------------------------------

    def fire_injects(self, turn: int) -> None:
        """This turn's scheduled injects, then the contingency injects whose trigger now
        holds (so a trigger can react to what a scheduled inject just changed)."""
        for inject in self.exercise.injects:
            if inject.turn == turn:
                self.fire(turn, inject)
        for inject in self.exercise.injects:
            if inject.when and inject.id not in self._fired and self.holds(inject.when, turn):
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
        self.log(ev.InjectFired(turn=turn, inject=inject.id, title=inject.title,
                                synopsis=inject.synopsis, world=changed, opens=inject.opens,
                                expected=inject.expected_actions))

    # -- 2. adversaries -------------------------------------------------------------------

    def adversaries_act(self, turn: int) -> None:
        level = self.russia.pressure(self.world.get("russia_escalation", 0.0))
        memory = self.params.russia_pressure_memory
        self.russia_pressure = round(memory * self.russia_pressure + (1 - memory) * level, 6)
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
        self.plan_campaigns(turn)

    def plan_campaigns(self, turn: int) -> None:
        """Russia and China choose this turn's messaging, reacting to the world."""
        self.material = max(self.material, self.world.get(RUMOUR_VAR, 0.0),
                            0.5 if self.office_open else 0.0)
        reading = WorldReading(hook=round(self.hook, 6), material=round(self.material, 6),
                               russia_pressure=self.russia_pressure,
                               office_open=self.office_open)
        self._campaigns = [campaign(spec, turn, reading) for spec in self.campaign_specs]
        for c in self._campaigns:
            if c.active and c.reach > 0 and c.intensity > 0:
                self.log(ev.Message(turn=turn, actor=c.actor, narrative=c.narrative,
                                    reach=dict.fromkeys(c.targets, c.reach),
                                    intensity=c.intensity, note=c.note))

    # -- 3. decisions ---------------------------------------------------------------------

    def put(self, turn: int, decision: DecisionPoint) -> None:
        self.log(ev.DecisionOpened(turn=turn, decision=decision.id, question=decision.question,
                                   forum=decision.forum, dimension=decision.dimension,
                                   options={o.id: o.label for o in decision.options}))
        if decision.forum in ("partners", "all"):
            self.partners_decide(turn, decision)
        if decision.forum in ("allies", "all"):
            self.choose(turn, decision, self.allies, self.situation(decision, self.allies))
        if decision.forum == "nac":
            self.council_decides(turn, decision)

    def partners_decide(self, turn: int, decision: DecisionPoint) -> None:
        alone = self.situation(decision, self.partners, alone=True)
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
        self.japan_and_rok_consult(stance)
        speakers = self.rule.speakers(stance, chosen)
        if speakers:
            self.log(ev.JointPosition(turn=turn, decision=decision.id, members=speakers,
                                      option=stance.option))
            said = decision.option(stance.option)
            self.strengthen_hook(said)
            # a visible joint statement framed around China is material for its narrative
            self.material = max(self.material, said.china_framing * said.visibility)
        self.give_voice(speakers)
        self.outcomes[decision.id] = "joint" if speakers else "split"

    def japan_and_rok_consult(self, stance: Stance) -> None:
        """Tokyo and Seoul meet inside the group whenever it acts with both; outside it,
        only when their bilateral friction allows: the IP4 as "a platform for Japan-ROK
        engagement that would have been controversial bilaterally"."""
        friction = self.params.japan_rok_friction
        if friction is None:
            friction = self.catalog.friction("JPN", "KOR")
        direct = self.rng.random() >= friction  # drawn every time: a fixed stream
        if stance.option and {"JPN", "KOR"} <= set(stance.members):
            self.japan_rok_contacts += 1
        elif direct:
            self.japan_rok_direct += 1

    def give_voice(self, speakers: list[str]) -> None:
        """Attention at NATO: each partner alone, or the group's: the sum of its members'
        voices plus a bonus, capped at 1 ("much greater attention and space at NATO as a
        group than any of them would enjoy alone")."""
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
        lever = adopted.switches_on
        if outcome == "approved" and lever and lever not in self.switched_on:
            self.switched_on.add(lever)
            value = getattr(self.levers, lever)
            note = "the allies approved it by consensus" if value > 0 else \
                "approved, but the lever is 0 in this run, so it does nothing"
            self.log(ev.LeverSwitched(turn=turn, lever=lever, value=value,
                                      decision=decision.id, note=note))

    def choose(self, turn: int, decision: DecisionPoint, actors: list[StateActor],
               situation: Situation, stance: Stance = NO_GROUP) -> dict[str, str]:
        """Every actor chooses once; returns actor code -> option id, and logs each choice."""
        terms = self.terms(decision, actors, situation)
        probabilities = choice_probabilities(terms.sum(axis=-1), self.params.temperature)
        relative = terms - terms.mean(axis=1, keepdims=True)  # each term against the average
        uniforms = self.rng.random(len(actors))
        picks = draw(probabilities, uniforms)
        # The same draw with every public at its anchor: did public opinion tip a choice?
        # The public term, w_public (support - 0.5) visibility (sim/decisions.py), is linear
        # in support, so the anchored utility is the utility plus the difference.
        shift = np.array([a["public_support"] - self._support.get(a.code, a["public_support"])
                          for a in actors])
        anchored_picks = picks
        if shift.any():
            anchored = terms.sum(axis=-1) + self.weights["w_public"] * np.outer(
                shift, self._options[decision.id].visibility)
            anchored_picks = draw(choice_probabilities(anchored, self.params.temperature),
                                  uniforms)
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
                    advice=because(named(relative[row, int(np.argmax(probabilities[row]))])),
                    group_option=stance.option if actor.code in stance.members else None)
                answer = chooser.choose(request)
                if answer not in index:
                    raise ValueError(f"the {chooser.name} chooser for {actor.code} answered "
                                     f"{answer!r}, not an option of {decision.id}: "
                                     f"{', '.join(index)}")
                pick, by = index[answer], chooser.name
            # Tipped: the engine's draw, which this actor's choice follows (a replay or a
            # player who agrees with it), differs from the same draw at anchor support.
            swayed = None
            if actor.code in self.publics and pick == picks[row] != anchored_picks[row]:
                swayed = options[int(anchored_picks[row])].id
            violation = 0.0
            if stance.binding and actor.code in stance.members and stance.option:
                bound = index[stance.option]
                utility = terms[row].sum(axis=-1)
                # what the actor gives up: its own best option's utility less the bound one's
                violation = round(float(utility.max() - utility[bound]), 4)
                pick, by, swayed = bound, f"{by}, bound by {self.rule.name}", None
            if swayed is not None and actor.code in self.swayed:
                self.swayed[actor.code] += 1
            option = options[pick]
            chosen[actor.code] = option.id
            actor.stance[decision.dimension] = option.position
            actor.provocation = max(actor.provocation, option.provokes_china)
            self.log(ev.Choice(
                turn=turn, decision=decision.id, actor=actor.code, option=option.id,
                position=option.position, probability=round(float(probabilities[row, pick]), 4),
                by=by, terms=named(relative[row, pick]),
                group=stance.option if actor.code in stance.members else None,
                violation=violation, swayed_from=swayed))
        return chosen

    def terms(self, decision: DecisionPoint, actors: list[StateActor],
              situation: Situation) -> np.ndarray:
        return term_array(self.actor_arrays(decision, actors), self._options[decision.id],
                          situation, self.weights)

    def actor_arrays(self, decision: DecisionPoint, actors: list[StateActor]) -> ActorArrays:
        """What the utility reads of the actors; ``public_support`` from their publics
        where they have one (see ``update_publics``), else the profile's static anchor."""
        def col(dimension: str) -> np.ndarray:
            return np.array([a[dimension] for a in actors])

        support = np.array([self._support.get(a.code, a["public_support"]) for a in actors])

        return ActorArrays(
            ideal=col(decision.dimension), us_alignment=col("us_alignment"),
            vulnerability=col("coercion_vulnerability"),
            framing_aversion=col("china_framing_aversion"),
            formalization_aversion=col("formalization_aversion"),
            integration=col("nato_integration"), capability=col("capability"),
            public_support=support,
            is_us=np.array([float(a.code == "USA") for a in actors]))

    def situation(self, decision: DecisionPoint, actors: list[StateActor],
                  stance: Stance = NO_GROUP, alone: bool = False) -> Situation:
        """What the world and the group add to a decision; ``alone``: as each partner
        would see it with no group behind it (its intention)."""
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
            backing=np.array([a.backing if isinstance(a, Partner) and not alone else 0.0
                              for a in actors]),
            coerced=np.array([a.coerced for a in actors]))

    # -- 5. publics ----------------------------------------------------------------------

    def update_publics(self, turn: int) -> None:
        """Visibility, campaigns and public diplomacy meet every public; then each
        government reads its public: its anchor plus how far its citizens' mean support
        has moved from the mean of their own anchors (so sampling noise in the anchors
        never moves a government)."""
        event = self.world.get(OUTREACH_VAR, 0.0)
        self._outreach = {code: outreach(self.levers, code, self.office_open, event)
                          for code in IP4}
        if any(o.reach > 0 for o in self._outreach.values()):
            first = self._outreach[IP4[0]]
            channels = ", ".join(f"{n} {r:.2f}" for n, r in first.channels.items())
            self.log(ev.Message(
                turn=turn, actor="NATO", narrative=PUBLIC_DIPLOMACY,
                reach={c: o.reach for c, o in self._outreach.items()},
                intensity=first.intensity,
                note=f"depth {first.depth:.2f}, messaging {first.messaging:.2f}; {channels}"))
        shock = max(0.0, self.world.get(VISIBILITY_VAR, 0.0) - self._visibility_base)
        index = {n: k for k, n in enumerate(NARRATIVE_IDS)}
        for code, public in self.publics.items():
            out = self._outreach.get(code)
            received = tuple(Received(index[c.narrative], c.reach if code in c.targets else 0.0,
                                      c.intensity) for c in self._campaigns)
            if out is None:  # an ally's public: news only, no campaign aims at it
                signals = Signals(visibility=min(1.0, shock), campaigns=received)
            else:
                signals = Signals(visibility=min(1.0, shock + out.visibility),
                                  campaigns=received, reach=out.reach,
                                  intensity=out.intensity, depth=out.depth,
                                  messaging=out.messaging)
            public.update(signals, self.rates, self.public_rng)
        means = {}
        self._means = {}
        for code, public in self.publics.items():
            m = self._means[code] = public.means(NARRATIVE_IDS)
            means[code] = {k: round(v, 4) for k, v in m.items()}
            anchor = self.catalog.profiles[code]["public_support"]
            self._support[code] = round(
                min(1.0, max(0.0, anchor + m["support"] - self._anchor_support[code])), 6)
        self.log(ev.PublicOpinion(turn=turn, means=means))

    # -- 6. metrics -----------------------------------------------------------------------

    def record(self, turn: int) -> None:
        rows = self.timeseries
        for name, value in self.world.items():
            rows.append((turn, f"world.{name}", "", value))
        rows.append((turn, "russia_pressure", "", self.russia_pressure))
        rows.append((turn, "narrative_hook", "", round(self.hook, 6)))
        rows.append((turn, "japan_rok_contacts", "", float(self.japan_rok_contacts)))
        rows.append((turn, "japan_rok_direct", "", float(self.japan_rok_direct)))
        dimensions = sorted({d for p in self.partners for d in p.stance})
        for p in self.partners:
            if turn == 1:  # the run's capability (overrides included), for weighted outcomes
                rows.append((turn, "capability", p.code, p["capability"]))
            rows.append((turn, "coerced", p.code, round(p.coerced, 6)))
            rows.append((turn, "backing", p.code, round(p.backing, 6)))
            rows.append((turn, "attention", p.code, round(p.attention, 6)))
            rows += [(turn, f"position.{d}", p.code, p.stance[d]) for d in dimensions
                     if d in p.stance]
        for d in dimensions:
            positions = [p.stance[d] for p in self.partners if d in p.stance]
            if len(positions) == len(self.partners):
                rows.append((turn, f"ip4_spread.{d}", "", max(positions) - min(positions)))
        self.record_publics(turn)

    def record_publics(self, turn: int) -> None:
        rows = self.timeseries
        rows.append((turn, "narrative_material", "", round(self.material, 6)))
        rows.append((turn, "liaison_office_open", "", float(self.office_open)))
        for narrative in NARRATIVE_IDS:
            running = [c for c in self._campaigns if c.narrative == narrative and c.active]
            rows.append((turn, f"campaign_reach.{narrative}", "",
                         max((c.reach for c in running), default=0.0)))
            rows.append((turn, f"campaign_intensity.{narrative}", "",
                         max((c.intensity for c in running), default=0.0)))
        for code in self.publics:
            for name, value in self._means[code].items():
                rows.append((turn, f"public.{name}", code, round(value, 6)))
            rows.append((turn, "public_support_read", code, self._support[code]))
            if code in self._outreach:
                rows.append((turn, "outreach_reach", code, self._outreach[code].reach))
            if code in self.swayed:
                rows.append((turn, "swayed_choices", code, float(self.swayed[code])))

    def log(self, event: ev.EventBase) -> None:
        self.events.append(event)
        for observe in self.observers:
            observe(event)


def merged_levers(scenario: Scenario, levers: dict[str, float]) -> Levers:
    """The scenario file's levers with this run's on top; InputError if a name or value
    is wrong or a lever that needs the allies' approval has no Council decision."""
    try:
        merged = Levers.model_validate({**scenario.levers.model_dump(), **levers})
    except ValidationError as err:
        raise InputError([Problem("--lever", ".".join(map(str, e["loc"])) or "levers",
                                  e["msg"].removeprefix("Value error, "))
                          for e in err.errors()]) from None
    for lever in GATED_LEVERS:
        if getattr(merged, lever) > 0 and lever not in switchable(scenario):
            raise InputError.one("--lever", lever, gate_message(lever))
    return merged


def build_catalog(scenario: Scenario, overrides: dict[str, dict[str, float]],
                  governments: dict[str, str]) -> Catalog:
    """The scenario's actors: its government choices and overrides, then the run's own."""
    catalog = load_catalog({**scenario.actors.governments, **governments})
    catalog = catalog.with_values(_canonical(catalog, scenario.actors.overrides), "scenario file")
    return catalog.with_values(_canonical(catalog, overrides), "command line")


def _canonical(catalog: Catalog, overrides: dict[str, dict[str, float]]
               ) -> dict[str, dict[str, float]]:
    return {catalog.resolve(code): values for code, values in overrides.items()}
