"""The turn-by-turn account of a run, in plain words, read from its events."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from sim.outputs import (
    ADVERSARY_CODES,
    NARRATIVE_LABELS,
    PUBLIC_DIPLOMACY,
    Choice,
    Coercion,
    CouncilVote,
    DecisionOpened,
    EventBase,
    GroupStance,
    InjectFired,
    JointPosition,
    LeverSwitched,
    Message,
    Pressure,
    ProfileValue,
    PublicOpinion,
    RunManifest,
    because,
)
from sim.outputs import PARTNERS as IP4

Names = Mapping[str, str]  # actor code -> name, as a run's manifest records them


def name(code: str, names: Names) -> str:
    return names.get(code, code)


def option_labels(events: Iterable[EventBase]) -> dict[str, dict[str, str]]:
    """Decision id -> option id -> label: what an account says instead of an id."""
    return room_words(events).options


@dataclass(frozen=True)
class Words:
    """What the room saw of each decision, by id: its question and its options' labels."""

    options: dict[str, dict[str, str]]
    questions: dict[str, str]

    def option(self, decision: str, option: str) -> str:
        return self.options.get(decision, {}).get(option, option)

    def question(self, decision: str, quoted: bool = False) -> str:
        """The question's words (in quotes, for a sentence), or its id if never put."""
        asked = self.questions.get(decision)
        return decision if asked is None else f'"{asked}"' if quoted else asked


def room_words(events: Iterable[EventBase]) -> Words:
    opened = [e for e in events if isinstance(e, DecisionOpened)]
    return Words({e.decision: e.options for e in opened},
                 {e.decision: e.question for e in opened})


def by_turn(events: Iterable[EventBase]) -> dict[int, list[EventBase]]:
    turns: dict[int, list[EventBase]] = defaultdict(list)
    for e in events:
        turns[e.turn].append(e)
    return dict(turns)


def narrate(events: list[EventBase], turn_represents: str = "turn",
            names: Names | None = None) -> Iterator[str]:
    """Lines of the account, turn by turn (``names``: the actors' names by code)."""
    for turn, happened in sorted(by_turn(events).items()):
        yield ""
        yield f"Turn {turn} ({turn_represents})"
        yield from _turn(happened, names or {})


class LiveAccount:
    """The account as it happens, for people playing: collect events as the model logs
    them, and print what is new whenever a player is about to choose and at the end."""

    def __init__(self, turn_represents: str, names: Names, say=print):
        self.turn_represents = turn_represents
        self.names = names
        self.say = say
        self.events: list[EventBase] = []
        self.printed = 0

    def __call__(self, event: EventBase) -> None:
        self.events.append(event)

    def flush(self) -> None:
        lines = list(narrate(self.events, self.turn_represents, self.names))
        for line in lines[self.printed:]:
            self.say(line)
        self.printed = len(lines)


def _turn(happened: list[EventBase], names: Names) -> Iterator[str]:
    labels: dict[str, dict[str, str]] = {}
    pending_allies: list[Choice] = []
    messages: list[Message] = []
    for e in happened:
        if not isinstance(e, Choice) or e.actor in IP4:
            yield from _flush_allies(pending_allies, labels, names)
        if not isinstance(e, Message):
            yield from _messages(messages)
        match e:
            case Message():
                messages.append(e)
            case PublicOpinion():
                yield from _publics(e)
            case LeverSwitched():
                yield (f"    LEVER {e.lever} switched on ({e.value:.2f}), after {e.decision}: "
                       f"{e.note}")
            case InjectFired():
                yield f"  INJECT {e.title}: {e.synopsis}"
                if e.world:
                    yield "    world: " + ", ".join(f"{k} {v:.2f}" for k, v in e.world.items())
            case Pressure():
                yield f"  Russia presses ({e.note}), level {e.level:.2f}"
            case Coercion():
                yield f"  {coercion_line(e, names)}"
            case DecisionOpened():
                labels[e.decision] = e.options
                yield f"  QUESTION [{e.forum}] {e.question}"
            case GroupStance():
                yield f"    IP4 under {e.rule}: {e.note}"
            case Choice() if e.actor in IP4:
                label = labels.get(e.decision, {}).get(e.option, e.option)
                yield (f"    {name(e.actor, names)}: {label} "
                       f"({likely(e, len(labels.get(e.decision, {})))}): {because(e.terms)}"
                       f"{_by(e)}"
                       f"{_swayed(e, labels)}{not_yet_note(e, labels)}")
            case Choice():
                pending_allies.append(e)
            case JointPosition():
                label = labels.get(e.decision, {}).get(e.option, e.option)
                members = ", ".join(name(m, names) for m in e.members)
                yield f"    -> {members} speak together: {label}"
            case CouncilVote():
                yield "    " + council_line(e, labels.get(e.decision, {}), names)
    yield from _flush_allies(pending_allies, labels, names)
    yield from _messages(messages)


def likely(choice: Choice, options: int) -> str:
    """How likely the engine found the option chosen (of ``options``): a reader must see
    when a choice was the draw of an unlikely option rather than the actor's clear
    preference; a choice a binding rule made is said to be that, not an unlikely draw."""
    p = choice.probability
    if choice.bound_from:
        return "bound to the group's option by the rule"
    if options - len(choice.not_yet) == 1:
        return "the only option open"
    if p >= 0.995:
        return "almost certain"
    return "under 1% likely" if p < 0.005 else f"{p:.0%} likely"


def _by(choice: Choice) -> str:
    return "" if choice.by == "engine" else f" [{choice.by}]"


def _swayed(choice: Choice, labels: dict[str, dict[str, str]]) -> str:
    if choice.swayed_from is None:
        return ""
    other = labels.get(choice.decision, {}).get(choice.swayed_from, choice.swayed_from)
    return (f" [public opinion tipped it: public {choice.terms.get('public', 0.0):+.3f}; "
            f"at its anchor: {other}]")


def not_yet_note(choice: Choice, labels: dict[str, dict[str, str]]) -> str:
    """The options the government could not take yet: its choice was among the others."""
    if not choice.not_yet:
        return ""
    named = ", ".join(labels.get(choice.decision, {}).get(o, o) for o in choice.not_yet)
    return f" [not yet possible: {named} (lead time)]"


SHORT = {"CHN": "China", "RUS": "Russia"}


def narrative_label(narrative: str) -> str:
    return NARRATIVE_LABELS.get(narrative, narrative)


def _messages(messages: list[Message]) -> Iterator[str]:
    """Campaigns on one line, NATO's public diplomacy on another."""
    campaigns = [m for m in messages if m.narrative != PUBLIC_DIPLOMACY]
    if campaigns:
        yield "  Disinformation: " + "; ".join(
            f"{SHORT.get(m.actor, m.actor)} '{narrative_label(m.narrative)}' (reach "
            f"{max(m.reach.values()):.2f}, intensity {m.intensity:.2f}"
            + (f"; {m.note}" if m.note else "") + ")" for m in campaigns)
    for m in messages:
        if m.narrative == PUBLIC_DIPLOMACY:
            reach = ", ".join(f"{c} {r:.2f}" for c, r in m.reach.items())
            yield f"  NATO public diplomacy: reach {reach} (intensity {m.intensity:.2f}, " \
                  f"{m.note.split(';')[0]})"
    messages.clear()


def _publics(e: PublicOpinion) -> Iterator[str]:
    codes = [c for c in IP4 if c in e.means]
    if not codes:
        return

    def row(key: str) -> str:
        return " ".join(f"{e.means[c].get(key, 0.0):.2f}" for c in codes)

    yield (f"  Publics ({' '.join(codes)}): support {row('support')}; awareness-understanding "
           f"gap {row('gap')}")
    beliefs = [k for k in e.means[codes[0]] if k.startswith("belief.")]
    yield "    belief: " + "; ".join(
        f"{narrative_label(k.removeprefix('belief.'))} {row(k)}" for k in beliefs)


def _flush_allies(pending: list[Choice], labels: dict[str, dict[str, str]],
                  names: Names) -> Iterator[str]:
    if not pending:
        return
    yield f"    {allies_line(pending, labels, names)}"
    pending.clear()


def allies_line(choices: list[Choice], labels: dict[str, dict[str, str]],
                names: Names) -> str:
    """The allies' choices on one question: how many chose each option, and every ally
    that chose otherwise than most."""
    counts = Counter(c.option for c in choices)
    modal = counts.most_common(1)[0][0]
    label = labels.get(choices[0].decision, {})
    tally = ", ".join(f"{label.get(o, o)} {n}" for o, n in counts.most_common())
    outliers = [c for c in choices if c.option != modal]
    detail = "; ".join(f"{name(c.actor, names)} {label.get(c.option, c.option)}"
                       for c in outliers)  # every one: an account cuts nothing
    return f"Allies: {tally}" + (f" ({detail})" if detail else "")


def coercion_line(e: Coercion, names: Names) -> str:
    """China's coercion of a partner: the pressure, the group's backing, the outcome."""
    outcome = "gives way" if e.success else "holds firm"
    return (f"China coerces {name(e.target, names)} (pressure {e.pressure:.2f}, backing "
            f"{e.backing:.2f}): {name(e.target, names)} {outcome}")


def council_line(vote: CouncilVote, label: dict[str, str], names: Names) -> str:
    if vote.outcome == "blocked":
        blockers = ", ".join(name(b, names) for b in vote.blockers)
        return f"North Atlantic Council: BLOCKED by {blockers} (consensus needs every ally)"
    return f"North Atlantic Council: agreed, {label.get(vote.option, vote.option)}"


def _group(code: str) -> str:
    return "partners" if code in IP4 else "adversaries" if code in ADVERSARY_CODES else "allies"


def provenance(profiles: Mapping[str, Mapping[str, ProfileValue]]) -> str:
    """How many profile values rest on the report, and on how many distinct sentences of
    it (the same sentence behind many values counts once: each ally archetype's sentence
    serves every ally that takes it), on outside sources, on assumptions and on overrides;
    the same sentence for a run's profiles (its manifest) and for the catalogue's."""
    values = [(code, v) for code, dims in profiles.items() for v in dims.values()]
    count = Counter(v.source for _, v in values)
    cited = [(code, v.cited) for code, v in values if v.source == "report"]
    groups = [f"the {sum(_group(c) == group for c in profiles)} {group}' "
              f"{sum(_group(c) == group for c, _ in cited)} values on "
              f"{len({s for c, s in cited if _group(c) == group})} sentences"
              for group in ("partners", "allies", "adversaries")
              if any(_group(c) == group for c, _ in cited)]
    report = (f"{count['report']} rest on {len({s for _, s in cited})} distinct sentences of "
              f"the report ({'; '.join(groups)}), each number this exercise's reading of its "
              "sentence" if cited else "none rests on the report")
    overrides = count["override"]
    return (f"The {len(profiles)} actors' {len(values)} profile values: {report}; "
            f"{count['outside']} on outside sources; {count['assumption']} are stated "
            f"assumptions; {overrides} {'was' if overrides == 1 else 'were'} set for this run.")


def sources(manifest: RunManifest) -> list[str]:
    """The sources behind the profiles the run used, as bullet lines: how many values rest
    on the report and on how many of its sentences, on outside sources, on assumptions and
    on this run's overrides (``provenance``); the report's sentences and the outside
    citations behind the four partners' values; and every override."""
    values = [(code, dim, v) for code, dims in manifest.profiles.items()
              for dim, v in dims.items()]
    if not values:
        return ["- This run's manifest records no profiles (written by an older ip4sim); "
                "`ip4sim actors CODE` gives each value with its source."]
    lines = [f"- {provenance(manifest.profiles)} `ip4sim actors CODE` gives every value "
             "with its source."]
    for kind, title in (("report", f"The report, {manifest.report or 'the USIP report'}; "
                                   "its sentences behind the four partners' values:"),
                        ("outside", "Outside figures behind the four partners' values:")):
        cited: dict[str, list[str]] = {}
        for code, dim, v in values:
            if code in IP4 and v.source == kind and v.cited:
                cited.setdefault(v.cited, []).append(f"{code} {dim}")
        if cited:
            lines.append(f"- {title}")
            lines += [f'  - "{text}" ({", ".join(uses)})' if kind == "report" else
                      f"  - {text} ({', '.join(uses)})" for text, uses in cited.items()]
    lines += [f"- Override: {code} {dim} = {v.value:.2f} ({v.evidence})"
              for code, dim, v in values if v.source == "override"]
    return lines
