"""Governments need time to act: a measure (``measure:`` on an option) cannot be chosen
until the government's lead time (agents/data/partners.yaml, ``lead_times``, in days) has
passed since the question was first put, whatever a turn's length."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.catalog import IP4, load_catalog
from scenarios.errors import InputError
from scenarios.loader import parse_scenario
from sim.model import IP4Model
from sim.outputs import Choice
from sim.protocol import AnswerError, check_answer
from sim.request import RunRequest

LEAD = {code: load_catalog().profiles[code].lead_times["sanctions"].days for code in IP4}


def scenario(days: int, turns: int) -> str:
    """Sanctions, as a measure, put to the four every turn."""
    injects = "".join(f"  - {{id: t{t}, turn: {t}, title: t, synopsis: s, opens: [sanctions]}}\n"
                      for t in range(1, turns + 1))
    return f"""id: lead
title: lead times
background: b
turn_represents: {days} days
turns: {turns}
campaigns: []
decisions:
  - id: sanctions
    question: "Sanctions?"
    forum: partners
    dimension: russia_stance
    options:
      - {{id: none, label: none, position: 0.0}}
      - {{id: broad, label: broad, position: 1.0, measure: sanctions}}
injects:
{injects}"""


class Recorder:
    """A seat that takes the engine's answer and keeps every request it was put."""

    name = "recorder"

    def __init__(self) -> None:
        self.requests = []

    def answer(self, request):
        self.requests.append(request)
        return request.engine


@settings(max_examples=30, deadline=None)
@given(days=st.integers(1, 45), rule=st.sampled_from(["caucus", "bilateral", "formal"]))
def test_a_measure_is_unavailable_before_the_lead_time_and_available_after(days, rule,
                                                                           tmp_path_factory):
    turns = min(12, math.ceil(max(LEAD.values()) / days) + 2)
    path = tmp_path_factory.mktemp("lead") / "lead.yaml"
    path.write_text(scenario(days, turns), encoding="utf-8")
    seats = {code: Recorder() for code in IP4}
    model = IP4Model.from_checked(RunRequest(scenario=str(path), rule=rule, seed=3).check(),
                                  seats=seats)
    model.run()
    for code, seat in seats.items():
        # the first turn whose end is more than the lead time after turn 1 began
        ready = math.floor(LEAD[code] / days) + 1
        for request in (r for r in seat.requests if r.stage == "choice"):
            if request.turn < ready:
                assert "broad" in request.unready and request.probabilities["broad"] == 0.0
                with pytest.raises(AnswerError, match="cannot be chosen yet"):
                    check_answer(request, "broad")
            else:
                assert request.unready == {} and request.probabilities["broad"] > 0.0
        chosen = [e for e in model.events if isinstance(e, Choice) and e.actor == code]
        assert all(e.option == "none" for e in chosen if e.turn < ready)
        if ready <= turns:  # the four want sanctions (russia_stance 0.9): once they can, they do
            assert any(e.option == "broad" for e in chosen if e.turn >= ready)


def test_new_zealand_needs_a_law_and_australia_does_not():
    """The sources: Australia listed targets two days after the recognition under its
    Autonomous Sanctions Act 2011; New Zealand passed the Russia Sanctions Act 16 days after."""
    catalog = load_catalog()
    aus, nzl = (catalog.profiles[c].lead_times["sanctions"] for c in ("AUS", "NZL"))
    assert (aus.basis, aus.days, nzl.basis, nzl.days) == ("existing_regime", 2, "new_law", 16)
    assert all(catalog.profiles[c].lead_times[m].source == "outside"
               for c in IP4 for m in ("sanctions", "aid"))


def test_a_decision_needs_an_option_that_is_not_a_measure():
    text = scenario(7, 2).replace("{id: none, label: none, position: 0.0}",
                                  "{id: none, label: none, position: 0.0, measure: aid}")
    with pytest.raises(InputError, match="every option is a measure"):
        parse_scenario(text, "x.yaml")


def test_a_choice_records_the_options_not_open_yet_and_the_account_says_so(tmp_path, capsys):
    """A teacher asks why Korea chose no sanctions in turn 1 of 2022: the law did not allow
    them yet. The choice says so, and so do the account and ``ip4sim why``."""
    from sim.cli import main
    from sim.outputs import read_events, to_jsonl

    out = tmp_path / "run"
    assert main(["run", "ukraine_2022", "--seed", "3", "--quiet", "--out", str(out)]) == 0
    (korea,) = [e for e in read_events(out / "events.jsonl") if isinstance(e, Choice)
                and e.actor == "KOR" and e.turn == 1 and e.decision == "sanctions"]
    assert korea.option == "none" and set(korea.not_yet) == {"targeted", "broad"}
    assert "KOR needs 7 days (no regime) for sanctions" in korea.not_yet["broad"]
    report = (out / "report.md").read_text()
    assert "Republic of Korea: no sanctions (the only option open): " in report
    assert "[not yet possible: targeted sanctions, broad sanctions (lead time)]" in report
    capsys.readouterr()
    assert main(["why", str(out), "--turn", "1", "--actor", "KOR"]) == 0
    assert "it could not choose broad sanctions yet: KOR needs 7 days" in " ".join(
        capsys.readouterr().out.split())
    open_now = IP4Model("ukraine_response", "caucus", 3).run()  # no lead times, no binding
    assert '"not_yet"' not in to_jsonl(open_now.events)
    assert '"bound_from"' not in to_jsonl(open_now.events)
