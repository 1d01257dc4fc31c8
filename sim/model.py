"""The ip4sim Mesa model: one step is one turn of an exercise.

``step()`` tells a turn as its phases (``sim/phases/``, one module each): injects fire
and decisions open; the adversaries act; Russia and China plan their campaigns; each
opened question is put (the four partners consult under the coordination rule and
choose, the allies choose, the North Atlantic Council decides by consensus); the
publics update; the turn's metrics are recorded.

A turn can wait for people. Questions go to the seat behind each actor
(``sim/protocol.py``): the engine's seats answer at once; a person's seat leaves its
request open, and :meth:`IP4Model.advance` stops there, with the open requests in
``waiting``. :meth:`IP4Model.answer` fills them and ``advance()`` goes on. Mesa's
``step()`` plays one whole turn and needs every seat to answer at once (the engine, a
script); ``run_model()`` plays to the last turn and clears ``running``.

Everything that happens is appended to ``events`` (the typed records of
``sim/outputs.py``) and ``timeseries`` (tidy rows); ``analysis/`` reads those, never
the model.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import mesa

from agents.catalog import CHN, IP4, RUS, USA
from agents.states import Ally, China, Partner, Russia
from scenarios.schema import DecisionPoint
from sim.outputs import DecisionOpened, EventBase, Row
from sim.phases.adversaries import Adversaries
from sim.phases.choices import Choices
from sim.phases.consultation import Consultation
from sim.phases.council import Council
from sim.phases.information import Information
from sim.phases.metrics import Metrics
from sim.phases.timeline import Timeline
from sim.protocol import Answer, EngineSeat, Key, Request, Seat, check_answer
from sim.request import CheckedRun, RunRequest

Process = Generator[list[Request], dict[str, Answer], None]
ENGINE = EngineSeat()


class SeatsWaiting(RuntimeError):
    """Mesa's ``step()`` was asked to play a turn in which a person must answer."""


class IP4Model(mesa.Model):
    """One run of one exercise. Built from plain values, as Mesa users expect::

        IP4Model(exercise="ukraine_response", rule="coalition:k=3", rng=7)

    or from a checked request (``IP4Model.from_checked(request.check())``). ``seats``:
    actor code -> the seat that answers for it (default: the engine). ``explained``:
    each ``Choice`` names the terms of its utility (False leaves ``Choice.terms`` empty and
    changes nothing else: for batches whose reduce never reads them, a tenth of a run)."""

    def __init__(self, exercise: str = "ukraine_response", rule: str = "caucus",
                 rng: int = 1, parameters: dict | None = None,
                 overrides: dict[str, dict[str, float]] | None = None,
                 governments: dict[str, str] | None = None,
                 levers: dict[str, float] | None = None, population: int | None = None,
                 seats: dict[str, Seat] | None = None, public_allies: bool = False,
                 checked: CheckedRun | None = None, explained: bool = True):
        checked = checked or RunRequest(
            scenario=str(exercise), rule=rule, seed=int(rng), parameters=parameters or {},
            overrides=overrides or {}, governments=governments or {}, levers=levers or {},
            population=population).check()
        super().__init__(rng=checked.seed)
        self.checked = checked
        self.exercise = checked.loaded.scenario  # Mesa's own `scenario` is left to Mesa
        self.rule = checked.rule
        self.params = checked.params
        self.weights = self.params.model_dump()
        self.catalog = checked.catalog
        self.seats: dict[str, Seat] = dict(seats or {})
        self.explained = explained
        self.events: list[EventBase] = []
        self.observers: list[Callable[[EventBase], None]] = []  # e.g. a live account
        self.setup_agents()
        self.timeline = Timeline(self)
        self.adversaries = Adversaries(self)
        self.information = Information(self, checked.levers, public_allies)
        self.choices = Choices(self)
        self.consultation = Consultation(self)
        self.council = Council(self)
        self.metrics = Metrics(self)
        self.datacollector = self.metrics.collector
        self.turns_done = 0
        self.waiting: list[Request] = []  # requests a seat has yet to answer
        self._turn: Process | None = None  # the turn under way
        self._played = False  # its process has run to the end; step() closes it
        self._asked: list[Request] | None = None
        self._answers: dict[Key, Answer] = {}

    @classmethod
    def from_checked(cls, checked: CheckedRun, seats: dict[str, Seat] | None = None,
                     public_allies: bool = False, explained: bool = True) -> IP4Model:
        return cls(checked=checked, seats=seats, public_allies=public_allies,
                   explained=explained)

    def setup_agents(self) -> None:
        profiles = self.catalog.profiles
        # one by one, not Agent.create_agents, which asks pandas whether a list is a Series
        # and so loads it (0.2 s of `ip4sim run`, sim/deferred.py)
        for code in IP4:
            Partner(self, profiles[code])
        for ally in self.catalog.by_kind("ally"):
            Ally(self, profiles[ally])
        China(self, profiles[CHN])
        Russia(self, profiles[RUS])
        self.partners: list[Partner] = self.agents_by_type[Partner].to_list()
        self.allies: list[Ally] = self.agents_by_type[Ally].to_list()
        self.china: China = self.agents_by_type[China].to_list()[0]
        self.russia: Russia = self.agents_by_type[Russia].to_list()[0]
        self.usa = next(a for a in self.allies if a.code == USA)

    @property
    def timeseries(self) -> list[Row]:
        return self.metrics.rows

    @property
    def finished(self) -> bool:
        return self.turns_done >= self.exercise.turns

    # -- the turn -------------------------------------------------------------------------

    def step(self) -> None:
        """One turn, as Mesa runs it: every seat must answer at once."""
        if not self._played:
            self.start_turn()
            waiting = self._drive()
            if waiting:
                raise SeatsWaiting(f"{', '.join(r.actor for r in waiting)} must answer: "
                                   "drive a game with people in it with advance() and answer()")
        self._played = False
        self.turns_done += 1
        self.running = not self.finished

    def start_turn(self) -> None:
        """The next turn's process, unless one is under way."""
        if self._turn is None and not self._played:
            self._turn = self.play_turn(self.turns_done + 1)

    def play_turn(self, turn: int) -> Process:
        """The story of one turn."""
        for actor in [*self.partners, *self.allies]:
            actor.settle(self.params.coercion_decay, self.params.provocation_decay)
        self.information.settle()
        self.timeline.fire_injects(turn)
        self.adversaries.act(turn)
        self.information.plan_campaigns(turn)
        for decision in self.timeline.take_open():
            yield from self.put(turn, decision)
        self.information.update_publics(turn)
        self.metrics.record(turn)

    def put(self, turn: int, decision: DecisionPoint) -> Process:
        """A question to its forum: the partners under the rule, the allies, the Council."""
        self.log(DecisionOpened(turn=turn, decision=decision.id, question=decision.question,
                                forum=decision.forum, dimension=decision.dimension,
                                options={o.id: o.label for o in decision.options}))
        if decision.forum in ("partners", "all"):
            yield from self.consultation.decide(turn, decision)
        if decision.forum in ("allies", "all"):
            yield from self.choices.choose(turn, decision, self.allies,
                                           self.choices.situation(decision, self.allies))
        if decision.forum == "nac":
            yield from self.council.decide(turn, decision)

    def run(self) -> IP4Model:
        """Play to the end; every seat must answer at once."""
        self.run_model()
        return self

    # -- the protocol: asking seats, and waiting for them --------------------------------

    def seated(self, code: str) -> bool:
        """Whether a seat other than the engine's stands behind this actor."""
        return code in self.seats

    def ask(self, requests: list[Request]) -> Generator[list[Request], dict[str, Answer],
                                                        dict[str, Answer]]:
        """Put requests to their seats; the answers, by actor, once all have come."""
        if not requests:
            return {}
        answers = yield requests
        return answers

    def advance(self, until_turn: int | None = None) -> list[Request]:
        """Play on until a seat must answer (returns the open requests), the exercise
        ends, or, with ``until_turn``, that turn is played (returns [])."""
        while not self.finished and (until_turn is None or self.turns_done < until_turn):
            self.start_turn()
            self.waiting = self._drive()
            if self.waiting:
                return self.waiting
            self.step()  # the turn is played out; Mesa's step closes it
        return []

    def answer(self, actor: str, option: str, by: str = "human",
               stage: str | None = None) -> None:
        """A seat's answer to its open request (``stage`` if it has two open)."""
        for request in self.waiting:
            if request.actor == actor and stage in (None, request.stage):
                self._answers[request.key] = Answer(check_answer(request, option), by)
                self.waiting = [r for r in self.waiting if r.key not in self._answers]
                return
        raise LookupError(f"no open question for {actor}")

    @property
    def given(self) -> dict[Key, Answer]:
        """The answers given to the round of requests under way, while another seat has
        yet to answer: the round's events are logged only once every seat has."""
        return dict(self._answers)

    def _drive(self) -> list[Request]:
        """Run the turn until it needs answers no seat has given; [] once it is over."""
        reply = None
        while self._turn is not None:
            if self._asked is None:
                try:
                    self._asked = self._turn.send(reply)
                except StopIteration:
                    self._turn, self._played = None, True
                    return []
                for request in self._asked:  # the seats that answer at once
                    given = self.seats.get(request.actor, ENGINE).answer(request)
                    if given is not None:
                        self._answers[request.key] = self._normalize(request, given)
            waiting = [r for r in self._asked if r.key not in self._answers]
            if waiting:
                return waiting
            reply = {r.actor: self._answers.pop(r.key) for r in self._asked}
            self._asked = None
        return []

    def _normalize(self, request: Request, given: str | Answer) -> Answer:
        seat = self.seats.get(request.actor, ENGINE)
        answer = given if isinstance(given, Answer) else Answer(given, seat.name)
        try:
            check_answer(request, answer.option)
        except ValueError as err:
            raise ValueError(f"the {seat.name} seat for {request.actor} answered "
                             f"{answer.option!r}: {err}") from None
        return answer

    # -- the record ----------------------------------------------------------------------

    def log(self, event: EventBase) -> None:
        self.events.append(event)
        for observe in self.observers:
            observe(event)
