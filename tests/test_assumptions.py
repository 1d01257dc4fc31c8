"""Uncertainty that admits the assumptions: ``compare --assumptions K`` plays K draws of
the assumed utility weights and says, per outcome, which share of its uncertainty is the
weights' rather than the seeds' (analysis/compare.py, assumption_summary)."""

import csv
import json

import pytest

from analysis.compare import assumption_summary
from scenarios.parameters import DEFAULTS, Parameters, assumed_weights
from sim.app import ASSUMPTION_RANGE, compare, draw_runs, weight_draws
from sim.cli import main
from sim.request import RunRequest


def rows(by_seed, by_draw):
    """Batch rows whose value is ``by_seed(seed)``; drawn rows whose value is
    ``by_draw(draw, seed)``, for one rule and outcome."""
    results = [("s", "caucus", seed, "cohesion", "", by_seed(seed)) for seed in range(40)]
    drawn = [("caucus", k, "cohesion", "", by_draw(k, seed)) for k in range(6)
             for seed in range(10)]
    return results, drawn


def test_an_outcome_that_moves_with_the_weights_rests_on_them_and_one_that_does_not_does_not():
    weights = assumption_summary(*rows(lambda s: 0.5 + 0.001 * (s % 2),
                                       lambda k, s: 0.3 + 0.1 * k + 0.001 * (s % 2)))
    seeds = assumption_summary(*rows(lambda s: 0.2 + 0.3 * (s % 2),
                                     lambda k, s: 0.2 + 0.3 * (s % 2)))
    (w,), (s,) = weights, seeds
    assert w.weights_share > 0.99 and w.rests_on == "assumed weights"
    assert s.weights_share == 0.0 and s.rests_on == "seeds"
    assert s.seed_se == pytest.approx(0.3 * 0.5 * (40 / 39) ** 0.5 / 40 ** 0.5, rel=1e-6)
    (still,) = assumption_summary(*rows(lambda s: 0.4, lambda k, s: 0.4))
    assert still.rests_on == "neither varies"


def test_one_draw_is_refused(tmp_path, capsys):
    assert main(["compare", "cyber_attack", "--assumptions", "1", "--out",
                 str(tmp_path / "c")]) == 2
    assert "at least 2 draws" in capsys.readouterr().err


def test_the_draws_are_the_assumed_weights_within_their_range_and_repeat_by_seed():
    draws = weight_draws(DEFAULTS, 5, root_seed=3)
    assert draws == weight_draws(DEFAULTS, 5, root_seed=3) != weight_draws(DEFAULTS, 5, 4)
    values = DEFAULTS.model_dump()
    for draw in draws:
        assert set(draw) == set(assumed_weights()) and "temperature" not in draw
        for name, value in draw.items():
            assert (1 - ASSUMPTION_RANGE) * values[name] - 1e-6 <= value \
                <= (1 + ASSUMPTION_RANGE) * values[name] + 1e-6
        Parameters(**draw)  # within every bound


def test_compare_with_assumptions_writes_the_shares_and_says_so(tmp_path):
    done = compare("cyber_attack", "bilateral,caucus", 3, workers=1, out_dir=tmp_path / "c",
                   progress=False, assumptions=2)
    table = list(csv.DictReader((tmp_path / "c" / "assumptions.csv").open(encoding="utf-8")))
    assert {r["rule"] for r in table} == {"bilateral", "caucus"}
    assert all(r["rests_on"] in {"seeds", "assumed weights", "neither varies"} for r in table)
    assert "the outcome rests mostly on the\n  assumed weights" in done.table()
    plain = compare("cyber_attack", "bilateral", 3, workers=1, out_dir=tmp_path / "p",
                    progress=False)
    assert "seed noise alone" in plain.table()
    assert not (tmp_path / "p" / "assumptions.csv").exists()


def test_the_manifest_records_the_draws_and_every_run_and_a_request_without_them_drops_them(
        tmp_path):
    out = tmp_path / "c"
    ask = {"rules": "bilateral,caucus", "n_seeds": 3, "workers": 1, "out_dir": out,
           "progress": False, "population": 200}
    compare("cyber_attack", assumptions=2, **ask)
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    drawn = record["assumptions"]
    params = RunRequest(scenario="cyber_attack", population=200).check().params
    assert drawn["k"] == 2 and drawn["draws"] == weight_draws(params, 2, root_seed=1)
    assert drawn["seeds"] == record["seeds"]["seeds"] and drawn["range"] == ASSUMPTION_RANGE
    assert drawn["runs"] == 2 * 2 * 3 == draw_runs(2, 3, 2) and drawn["failed"] == 0
    assert record["runs"] == record["ran"] == 2 * 3 + 12  # the rules' runs and the draws'
    compare("cyber_attack", **ask)  # the same comparison, without the draws
    assert not (out / "assumptions.csv").exists()
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert record["assumptions"] is None and record["runs"] == 2 * 3
