"""The after-action report: expected player actions checked against what happened.

Follows exercise practice (an Exercise Evaluation Guide row per expected action:
inject, expected outcome, observed, met or not), then lists strengths, areas for
improvement and the decisions with their reasons.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from analysis.figures import has_publics, publics_figure, save, summary_figure
from analysis.narrative import (
    Names,
    Words,
    name,
    narrate,
    narrative_label,
    option_labels,
    room_words,
    sources,
)
from scenarios.schema import ExpectedAction
from sim.outputs import PARTNERS as IP4
from sim.outputs import (
    BranchOrigin,
    Choice,
    Coercion,
    CouncilVote,
    EventBase,
    InjectFired,
    InjectReleased,
    JointPosition,
    LeverSwitched,
    PublicOpinion,
    RunOutputs,
    TakeBack,
    because,
    read_run,
    write_text,
)

ALLIES_MET_SHARE = 0.9  # an expectation of "the allies" is met when 90% of them act so
# A choice by people the engine gave less than this is worth asking the room about: the
# engine's softmax spreads at most a few options, so under a quarter means it leaned clearly
# elsewhere.
UNLIKELY = 0.25
HOT_WASH_MAX = 8  # questions a hot wash has time for, before the closing one


@dataclass(frozen=True)
class Check:
    turn: int
    inject: str
    actor: str
    decision: str
    expected: str
    observed: str
    met: bool
    instead: str = ""  # when not met: what was chosen instead, and the terms that decided it


def checks(events: list[EventBase]) -> list[Check]:
    """One row per expected action of every inject that fired, per actor it names; an
    unmet one says what was chosen instead and why (option labels where the run has them)."""
    labels = option_labels(events)
    rows = []
    for inject in (e for e in events if isinstance(e, InjectFired)):
        for act in inject.expected:
            turn = _when_put(events, act.decision, inject.turn)
            rows += _check(events, inject, act, turn, labels.get(act.decision, {}))
    return rows


def _when_put(events: list[EventBase], decision: str, since: int) -> int | None:
    return next((e.turn for e in events if isinstance(e, (Choice, CouncilVote))
                 and e.decision == decision and e.turn >= since), None)


@dataclass(frozen=True)
class Asked:
    """An expected action and the turn its decision was put: what each check reads."""

    events: list[EventBase]
    act: ExpectedAction
    turn: int
    label: dict[str, str]  # option id -> label
    base: dict  # the Check fields every row of this action shares

    def choices(self) -> list[Choice]:
        return _choices(self.events, self.act.decision, self.turn)


def _check(events: list[EventBase], inject: InjectFired, act: ExpectedAction,
           turn: int | None, label: dict[str, str]) -> list[Check]:
    base = dict(turn=inject.turn, inject=inject.title, decision=act.decision,
                expected=act.text)
    if turn is None:
        return [Check(actor=act.actor, observed="the decision was never put", met=False,
                      **base)]
    asked = Asked(events, act, turn, label, base)
    check = {"NAC": _check_council, "IP4_JOINT": _check_joint,
             "ALLIES": _check_allies}.get(act.actor, _check_each)
    return check(asked)


def _check_council(asked: Asked) -> list[Check]:
    """The Council approved a wanted option; if not, what its blockers chose and why."""
    label, base = asked.label, asked.base
    vote = next((e for e in asked.events if isinstance(e, CouncilVote)
                 and e.decision == asked.act.decision and e.turn == asked.turn), None)
    if vote is None:
        return [Check(actor="NAC", observed="not put to the Council", met=False, **base)]
    met = vote.outcome == "approved" and vote.option in asked.act.options
    seen = f"{vote.outcome}: {label.get(vote.option, vote.option)}" + (
        f" (blocked by {', '.join(vote.blockers)})" if vote.blockers else "")
    blocks = [_decided(c, label) for c in asked.choices() if c.actor in vote.blockers]
    return [Check(actor="NAC", observed=seen, met=met, **base,
                  instead="" if met else "; ".join(blocks))]


def _check_joint(asked: Asked) -> list[Check]:
    """All four spoke together for a wanted option; if not, what each chose and why."""
    label, base = asked.label, asked.base
    joint = next((e for e in asked.events if isinstance(e, JointPosition)
                  and e.decision == asked.act.decision and e.turn == asked.turn), None)
    partners = [_decided(c, label) for c in asked.choices() if c.actor in IP4]
    if joint is None:
        return [Check(actor="IP4", observed="no joint position", met=False, **base,
                      instead="; ".join(partners))]
    met = joint.option in asked.act.options and set(joint.members) == set(IP4)
    seen = f"joint: {label.get(joint.option, joint.option)} ({', '.join(joint.members)})"
    return [Check(actor="IP4", observed=seen, met=met, **base,
                  instead="" if met else "; ".join(partners))]


def _check_allies(asked: Asked) -> list[Check]:
    """At least :data:`ALLIES_MET_SHARE` of the allies chose a wanted option."""
    wanted, label = asked.act.options, asked.label
    allies = {c.actor: c.option for c in asked.choices() if c.actor not in IP4}
    share = sum(o in wanted for o in allies.values()) / max(1, len(allies))
    others = Counter(o for o in allies.values() if o not in wanted)
    instead = ", ".join(f"{n} chose {label.get(o, o)}" for o, n in others.most_common())
    return [Check(actor="ALLIES", observed=f"{share:.0%} of allies did", **asked.base,
                  met=share >= ALLIES_MET_SHARE, instead=instead)]


def _check_each(asked: Asked) -> list[Check]:
    """The actor named, or each of the four ("IP4"), chose a wanted option."""
    label = asked.label
    choices = {c.actor: c for c in asked.choices()}
    rows = []
    for a in list(IP4) if asked.act.actor == "IP4" else [asked.act.actor]:
        c = choices.get(a)
        met = c is not None and c.option in asked.act.options
        rows.append(Check(actor=a, observed=label.get(c.option, c.option) if c else
                          "did not choose", met=met, **asked.base,
                          instead="" if met or c is None else _decided(c, label)))
    return rows


def _choices(events: list[EventBase], decision: str, turn: int) -> list[Choice]:
    return [e for e in events if isinstance(e, Choice) and e.decision == decision
            and e.turn == turn]


def _decided(choice: Choice, label: dict[str, str]) -> str:
    """'JPN chose raise it publicly (position +0.48, US pull +0.10, China framing -0.09)'."""
    return f"{choice.actor} chose {label.get(choice.option, choice.option)} " \
           f"({because(choice.terms)})"


def _who_played(events: list[EventBase], names: dict[str, str]) -> list[str]:
    """People's and the facilitator's part, when they had one: who chose for whom, how likely
    the engine found each of their choices, and the injects the facilitator released."""
    choices = [e for e in events if isinstance(e, Choice)]
    theirs = [e for e in choices if e.by.split(", bound by")[0] != "engine"]
    released = [e for e in events if isinstance(e, InjectReleased)]
    if not theirs and not released:
        return []
    lines = ["", "## Who played", ""]
    for actor in dict.fromkeys(e.actor for e in theirs):
        own = [e for e in choices if e.actor == actor]
        who = Counter(e.by.split(", bound by")[0] for e in own)
        lines.append(f"- {name(actor, names)}: " + ", ".join(
            f"{n} {'choice' if n == 1 else 'choices'} by the {by}"
            for by, n in sorted(who.items())))
    lines.append("- every other government: the engine")
    if theirs:
        lines += _people_table(events, theirs, names)
    if theirs and released:  # a list straight after a table would be read as its rows
        lines.append("")
    lines += [f"- Turn {e.turn}: the {e.by} released *{e.inject.title}*." for e in released]
    return lines


def _people_table(events: list[EventBase], theirs: list[Choice], names: dict[str, str]
                  ) -> list[str]:
    """The choices people made, by question and option label (a reader knows them so)."""
    words = room_words(events)
    return ["", "| turn | question | actor | by | chosen | the engine's probability of it | "
                "the engine would have chosen |", "|" + " --- |" * 7] + [
        f"| {e.turn} | {words.question(e.decision)} | {name(e.actor, names)} | {e.by} | "
        f"{words.option(e.decision, e.option)} | {e.probability:.0%} | "
        f"{engine_would(e, words)} |" for e in theirs]


def engine_would(choice: Choice, words: Words) -> str:
    """What the engine would have chosen instead of the people's choice: its own option,
    or the chosen one where the engine answered for the seat (its time ran out)."""
    option = choice.engine_option or (choice.option if choice.by.startswith("engine") else "")
    return words.option(choice.decision, option) if option else "unrecorded"


def after_action_report(run: RunOutputs, figure: str | None = None,
                        folder: Path | None = None) -> str:
    """The debrief as Markdown, from a run folder's contents (``folder``, when it is one:
    the commands it suggests name it)."""
    events, manifest = run.events, run.manifest
    names = manifest.actors
    turn_represents = manifest.scenario.turn_represents
    rows = checks(events)
    met = [r for r in rows if r.met]
    missed = [r for r in rows if not r.met]
    joint = [e for e in events if isinstance(e, JointPosition)]
    lines = [
        f"# After-action report: {manifest.scenario.title}",
        "",
        f"Rule **{manifest.rule}**, seed **{manifest.seed}**, "
        f"scenario file `{manifest.scenario.file}` (sha256 "
        f"`{manifest.scenario.sha256[:12]}`), ip4sim {manifest.ip4sim}.",
        "",
        "## Summary",
        "",
        _played(manifest.players, names),
        f"- Expected actions met: **{len(met)} of {len(rows)}**.",
        f"- Joint IP4 positions: **{len(joint)}** "
        f"({', '.join(sorted({e.decision for e in joint})) or 'none'}).",
        *_council_summary(events, names),
        *_coercion_summary(events, names),
        *_publics_summary(events, names),
        *_branched(manifest.console.branched if manifest.console else None),
        *_taken_back(manifest.console.taken_back if manifest.console else [], names),
    ]
    lines += _who_played(events, names)
    if figure:
        lines += ["", f"![Summary of the run]({figure})"]
        if any(isinstance(e, PublicOpinion) for e in events):  # write_debrief draws it too
            lines += ["", "![The publics](publics.png)"]
    lines += ["", "## Expected actions (evaluation guide)", "",
              "Where an expected action was not met, the last column says what was chosen "
              "instead and the three terms of the utility that weighed most in it (`ip4sim "
              f"why {folder or 'RUN_FOLDER'} --turn TURN --actor CODE` prints them all).", "",
              "| turn | inject | actor | expected | observed | met | chosen instead, and why |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r.turn} | {r.inject} | {name(r.actor, names)} | {r.expected} | {r.observed} | "
              f"{'yes' if r.met else '**no**'} | {r.instead} |" for r in rows]
    lines += ["", "## Strengths", ""]
    lines += _grouped(met, names) or ["- none recorded"]
    lines += ["", "## Areas for improvement", ""]
    lines += _grouped(missed, names) or ["- every expected action was met"]
    lines += ["", "## Hot-wash questions for the room", "", *_hot_wash(events, missed, names)]
    lines += ["", "## Turn by turn", "",
              "After each choice come the three terms of the actor's utility that weighed most, "
              "each against the average option: a plus sign pulled toward the chosen option, a "
              "minus sign away from it.", "", "```",
              *narrate(events, turn_represents, names), "```",
              "", "## Sources", "", *sources(manifest), ""]
    return "\n".join(lines)


def _hot_wash(events: list[EventBase], missed: list[Check], names: Names) -> list[str]:
    """Questions for the room drawn from this run, a few of each kind in turn so that every
    kind reaches the room (the choices people made that the engine found unlikely, the
    choices a rule bound, the expected actions not met, the splits among the four, the
    Council's blocks, the coercion that landed), at most :data:`HOT_WASH_MAX`, saying how
    many were left out; then the question every hot wash closes with."""
    words = room_words(events)
    kinds = [_unlikely_choices(events, words, names), _bound_choices(events, words, names),
             [f"The evaluation guide expected \"{expected}\" ({inject}) of {', '.join(actors)}, "
              "and it did not happen: what stood in the way?"
              for (inject, expected), actors in _by_expectation(missed, names).items()],
             _splits(events, words, names),
             [f"The Council did not agree on {words.question(e.decision, quoted=True)} in "
              f"turn {e.turn} (blocked by "
              f"{', '.join(name(b, names) for b in e.blockers)}): what could the partners "
              "have done before the vote?" for e in events
              if isinstance(e, CouncilVote) and e.outcome == "blocked"],
             [f"China's pressure landed on {name(e.target, names)} in turn {e.turn}: how did "
              "that team feel it, and what would have helped it hold firm?" for e in events
              if isinstance(e, Coercion) and e.success]]
    taken = [q for round_ in itertools.zip_longest(*kinds) for q in round_ if q][:HOT_WASH_MAX]
    closing = "If the scenario ran again tomorrow, what would each team do differently?"
    lines = [f"{i}. {q}" for i, q in enumerate([*taken, closing], start=1)]
    left = sum(map(len, kinds)) - len(taken)
    if left:
        lines.append(f"\n({left} more question{'s' if left > 1 else ''} of these kinds were "
                     "left out: the sections above list every unmet expectation, and "
                     "`ip4sim why` explains any choice.)")
    return lines


def _unlikely_choices(events: list[EventBase], words: Words, names: Names) -> list[str]:
    """One question per government whose people chose what the engine found unlikely
    (below :data:`UNLIKELY`), naming up to three such choices."""
    by_actor: dict[str, list[Choice]] = {}
    for e in events:
        if isinstance(e, Choice) and e.by.split(", bound by")[0] != "engine" \
                and e.bound_from is None and e.probability < UNLIKELY:
            by_actor.setdefault(e.actor, []).append(e)
    questions = []
    for actor, choices in by_actor.items():
        said = "; ".join(f"*{words.option(e.decision, e.option)}* on "
                         f"{words.question(e.decision, quoted=True)} in turn {e.turn} "
                         f"({e.probability:.0%})" for e in choices[:3])
        more = f", and {len(choices) - 3} more" if len(choices) > 3 else ""
        who = f"{name(actor, names)} ({choices[0].by})"
        questions.append(f"{who} chose what the engine found unlikely: {said}{more}: what did "
                         "the team weigh that the engine did not?")
    return questions


def _bound_choices(events: list[EventBase], words: Words, names: Names) -> list[str]:
    """A question for each choice a binding rule overrode that a team (or the white cell,
    or a script) made, named by who chose."""
    questions = []
    for e in events:
        if not isinstance(e, Choice) or e.bound_from is None:
            continue
        who = e.by.split(", bound by")[0]
        if who == "engine":
            continue
        chooser = f"{name(e.actor, names)}'s team" if who == "human" else \
            f"{name(e.actor, names)} ({who})"
        questions.append(
            f"{chooser} chose *{words.option(e.decision, e.bound_from)}* on "
            f"{words.question(e.decision, quoted=True)} in turn {e.turn}, and the rule bound "
            f"it to *{words.option(e.decision, e.option)}*: was speaking as one "
            "worth what was given up?")
    return questions


def _splits(events: list[EventBase], words: Words, names: Names) -> list[str]:
    """A question for each partner decision on which the four chose differently."""
    joint = {(e.turn, e.decision) for e in events if isinstance(e, JointPosition)}
    split: dict[tuple[int, str], dict[str, str]] = {}
    for e in events:
        if isinstance(e, Choice) and e.actor in IP4 and (e.turn, e.decision) not in joint:
            split.setdefault((e.turn, e.decision), {})[e.actor] = e.option
    questions = []
    for (turn, decision), chosen in split.items():
        if len(set(chosen.values())) > 1:
            said = ", ".join(f"{name(a, names)} {words.option(decision, o)}"
                             for a, o in chosen.items())
            questions.append(f"The four split on {words.question(decision, quoted=True)} in "
                             f"turn {turn} "
                             f"({said}): what would have brought them to one position, and was "
                             "one needed?")
    return questions


def _played(players: dict[str, str], names: Names) -> str:
    """Which governments people played; a replay's recorded answers say so too."""
    people = [name(c, names) for c, by in players.items() if by == "human"]
    others = [f"{name(c, names)} ({by})" for c, by in players.items() if by != "human"]
    line = f"- Played by people: **{', '.join(people)}**" if people else \
        "- Played by people: none (the engine played every government)"
    return line + (f"; answered otherwise: {', '.join(others)}" if others else "") + "."


def _grouped(rows: list[Check], names: Names) -> list[str]:
    return [f"- {expected} ({inject}): {', '.join(actors)}"
            for (inject, expected), actors in _by_expectation(rows, names).items()]


def _by_expectation(rows: list[Check], names: Names) -> dict[tuple[str, str], list[str]]:
    """(inject, expected action) -> the actors of those rows."""
    seen: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        seen.setdefault((r.inject, r.expected), []).append(name(r.actor, names))
    return seen


def _council_summary(events: list[EventBase], names: Names) -> list[str]:
    votes = [e for e in events if isinstance(e, CouncilVote)]
    blocked = [e for e in votes if e.outcome == "blocked"]
    detail = "; ".join(f"{e.decision} by {', '.join(name(b, names) for b in e.blockers)}"
                       for e in blocked)
    return [f"- Council decisions: **{len(votes) - len(blocked)} agreed, {len(blocked)} "
            f"blocked**" + (f" ({detail})" if detail else "") + "."]


def _publics_summary(events: list[EventBase], names: Names) -> list[str]:
    """The publics at the end, and the choices public opinion tipped."""
    opinion = [e for e in events if isinstance(e, PublicOpinion)]
    if not opinion:
        return []
    first, last = opinion[0].means, opinion[-1].means
    codes = [c for c in IP4 if c in last]
    beliefs = [k for k in last[codes[0]] if k.startswith("belief.")]
    lines = ["- Publics at the end (turn 1 in brackets): " + "; ".join(
        f"{name(c, names)} support {last[c]['support']:.2f} ({first[c]['support']:.2f}), "
        f"awareness-understanding gap {last[c]['gap']:.2f} ({first[c]['gap']:.2f})"
        for c in codes) + "."]
    lines.append("- Belief in the narratives at the end: " + "; ".join(
        f"{narrative_label(k.removeprefix('belief.'))} " + ", ".join(
            f"{c} {last[c][k]:.2f}" for c in codes) for k in beliefs) + ".")
    swayed = [e for e in events if isinstance(e, Choice) and e.swayed_from]
    labels = option_labels(events)

    def label(e: Choice, option: str) -> str:
        return labels.get(e.decision, {}).get(option, option)

    detail = "; ".join(f"{name(e.actor, names)} {e.decision}: {label(e, e.option)} instead "
                       f"of {label(e, e.swayed_from)} (turn {e.turn})" for e in swayed)
    lines.append(f"- Choices tipped by public opinion: **{len(swayed)}**"
                 + (f" ({detail})" if detail else "") + ".")
    lines += [f"- Lever switched on: {e.lever} (turn {e.turn}, after {e.decision})."
              for e in events if isinstance(e, LeverSwitched)]
    return lines


def _branched(origin: BranchOrigin | None) -> list[str]:
    """Which line of play this one is, when it branched from another (two reports side by
    side must say which is which)."""
    if origin is None:
        return []
    left = "; ".join(f"*{r.inject.title}* (turn {r.turn})" for r in origin.not_carried)
    return [f"- This line of play **branched** from the game saved in `{origin.folder}` at "
            f"the start of turn {origin.turn}"
            + (f"; it does not carry what was released there from that turn on: {left}."
               if left else ".")]


UNDONE = {"choice": "choice", "intention": "stated intention"}  # an undone answer's stage


def _taken_back(taken: list[TakeBack], names: Names) -> list[str]:
    """The white cell's take-backs, which the events (the line of play kept) do not show:
    what each undid, so the room knows the record was rewritten and what it lost."""
    if not taken:
        return []
    noun = "once" if len(taken) == 1 else f"{len(taken)} times"
    lines = [f"- The white cell took the game back **{noun}**; what it undid is not in the "
             "record below:"]
    for t in taken:
        undid = [f"{name(c.actor, names)}'s {UNDONE[c.stage]} of *{c.option}* on "
                 f"\"{c.question}\" (turn {c.turn}"
                 f"{', the white cell' if c.by == 'facilitator' else ''})"
                 for c in t.choices] + [f"the release of *{r}*" for r in t.releases]
        lines.append(f"  - at turn {t.at_turn}, to the start of turn {t.to_turn}: "
                     + ("; ".join(undid) or "no choice by people, no release"))
    return lines


def _coercion_summary(events: list[EventBase], names: Names) -> list[str]:
    attempts = [e for e in events if e.kind == "coercion"]
    if not attempts:
        return ["- China attempted no coercion."]
    gave = sorted({name(e.target, names) for e in attempts if e.success})
    noun = "attempt" if len(attempts) == 1 else "attempts"
    return [f"- Chinese coercion: **{len(attempts)} {noun}**, partners who felt it land: "
            f"{', '.join(gave) or 'none'}."]


def write_debrief(out: Path) -> list[str]:
    """The summary figure, the publics figure (when the run had publics) and the
    after-action report, from a run folder's outputs; returns the files written."""
    run = read_run(out)
    title, names = run.manifest.title, run.manifest.actors
    save(summary_figure(run.timeseries, title, run.events, names), out / "summary.png")
    written = ["summary.png"]
    if has_publics(run.timeseries):
        save(publics_figure(run.timeseries, title, names), out / "publics.png")
        written.append("publics.png")
    write_text(out / "report.md", after_action_report(run, figure="summary.png", folder=out))
    return [*written, "report.md"]
