"""Sweeps: designs, bad files refused before any run, the store (resume, retry,
identical bytes whichever executor) and the analysis on functions with known answers."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import signal
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pytest

from analysis.intervals import POINTS_ONLY
from analysis.outcomes import run_outcomes
from analysis.sensitivity import (
    analyze_sweep,
    comparable,
    few_samples,
    firsts,
    most_influential,
    point_means,
    resolution_lines,
)
from scenarios.errors import InputError
from scenarios.sweep import EXAMPLE, parse_sweep
from sim.app import analyze, outcome_problem, run_sweep
from sim.batch import JobResult, derive_seeds
from sim.cli import main
from sim.outputs import read_sweep
from sim.provenance import git_commit, versions
from sim.request import RunRequest
from sim.sweep import Store, compare_rules, plan_sweep
from tests.sweeps import ROOT, SMALL, cli, dataset, ledger_lines, manifest, sweep_file, wait_for


def plan_of(text: str):
    return plan_sweep(parse_sweep(text, "test.yaml"))


FACTORS = """\
scenarios: [ukraine_response]
factors:
  - {name: temperature, range: [0.04, 0.2]}
  - {name: NZL.coercion_vulnerability, range: [0.3, 0.9]}
  - {name: KOR.government, levels: [yoon, progressive]}
replicates: 2
"""


@pytest.mark.parametrize(("design", "points"), [
    ("{kind: grid, levels: 3}", 3 * 3 * 2),
    ("{kind: lhs, points: 7}", 7),
    ("{kind: sobol, points: 8}", 8 * (3 + 2)),  # Saltelli, first and total order
    ("{kind: morris, points: 4, levels: 4}", 4 * (3 + 1)),
])
def test_designs_have_their_counts_and_stay_in_bounds(design, points):
    plan = plan_of(FACTORS + f"design: {design}\n")
    assert len(plan.values) == points
    assert len(plan.jobs) == points * 2  # one rule, two replicates
    temps = [v["temperature"] for v in plan.values]
    vulns = [v["NZL.coercion_vulnerability"] for v in plan.values]
    assert min(temps) >= 0.04 and max(temps) <= 0.2
    assert min(vulns) >= 0.3 and max(vulns) <= 0.9
    assert {v["KOR.government"] for v in plan.values} == {"yoon", "progressive"}
    assert len({j.id for j in plan.jobs}) == len(plan.jobs)
    if design.startswith("{kind: grid"):
        assert sorted(set(temps)) == pytest.approx([0.04, 0.12, 0.2])


def test_seeds_come_from_the_root_seed_and_stay_when_a_sweep_is_extended():
    small = plan_of(FACTORS + "design: {kind: lhs, points: 5}\nroot_seed: 9\n")
    more = plan_of(FACTORS.replace("replicates: 2", "replicates: 5")
                   + "design: {kind: lhs, points: 5}\nroot_seed: 9\n")
    assert small.seeds == derive_seeds(9, 2) and more.seeds[:2] == small.seeds
    # every point and rule plays the same seeds (common random numbers)
    assert {j.job.request.seed for j in small.jobs if j.replicate == 1} == {small.seeds[1]}
    assert np.array_equal(small.unit, more.unit)  # the design is drawn from the root seed too


def test_rule_parameters_expand_into_levels():
    plan = plan_of("scenarios: [ukraine_response]\nrules: [caucus, {coalition: {k: [2, 3]}}]\n")
    assert [r.split(",")[0] for r in plan.rules] == ["caucus:pull=1.0", "coalition:k=2",
                                                     "coalition:k=3"]


def test_the_example_is_a_valid_sweep(capsys):
    assert main(["sweep", "--example"]) == 0
    assert capsys.readouterr().out == EXAMPLE
    assert len(plan_of(EXAMPLE).jobs) == 8 * 3 * 2


BAD = [  # what the file adds to its first line, the field and line named, what is said
    ("factors: [{name: temprature, range: [0.1, 0.2]}]", "factors.0.name", 2,
     "did you mean 'temperature'"),
    ("factors: [{name: mesaging, levels: [0, 1]}]", "factors.0.name", 2,
     "mesaging: unknown factor; did you mean 'messaging'?"),  # a lever, not a parameter
    ("factors: [{name: population, range: [0, 100]}]", "factors.0.range.0", 2,
     "0.0: a public needs at least 1 citizen"),
    ("factors: [{name: NZL.coercion_vulnerability, range: [0.5, 1.5]}]", "factors.0.range.1",
     2, "outside [0, 1]"),
    ("factors:\n  - name: NZL.coercion_vulnerabilty\n    range: [0.3, 0.9]", "factors.0.name",
     3, "did you mean 'coercion_vulnerability'"),
    ("factors:\n  - name: XYZ.capability\n    range: [0.3, 0.9]", "factors.0.name", 3,
     "XYZ"),
    ("factors:\n  - name: temperature\n    levels: [0.1, abc]", "factors.0.levels.1", 4,
     "abc"),
    ("factors: [{name: KOR.government, levels: [yoon, lefty]}]", "factors.0.levels.1", 2,
     "unknown government"),
    ("factors: [{name: temperature, range: [0.1, 0.2]}]\ndesign: {kind: sobol, points: 10}",
     "design", 3, "power of two"),
    ("replicates: 0", "replicates", 2, "greater than or equal to 1"),
    ("factors: [{name: temperature, range: [0.1, 0.2]}]\ndesign: {kind: sobol, points: 1}",
     "design", 3, "sobol needs points of 2 or more"),
    ("rules: [coalition:k=9]", "rules.0", 2, "k"),
    ("outcomes: [joint_rat]", "outcomes.0", 2,
     "unknown outcome 'joint_rat'; did you mean 'joint_rate'"),
    ("replicate: 2", "replicate", 2, "unknown field; did you mean 'replicates'?"),
    ("factors: [temperature]", "factors.0", 2,
     "expected a mapping of fields (name, range, levels), not 'temperature'"),
    ("factors:\n  - {name: NZ.capability, range: [0.3, 0.9]}\n"
     "  - {name: NZL.capability, range: [0.3, 0.9]}", "factors", 3,
     "a factor is named twice (an actor's alias names it too"),
]


def test_a_sweep_file_s_format_errors_do_not_hide_what_else_is_wrong():
    """A format error (replicates 0, a factor with both range and levels) beside an unknown
    scenario, rule, factor and outcome: all reported at once, each on its line, in the
    file's order; the factors after a failing one keep the file's numbering."""
    text = ("scenarios: [ukraine_respons]\n"
            "rules: [caucas]\n"
            "factors:\n"
            "  - {name: messaging, levels: [0, 1], range: [0, 1]}\n"
            "  - {name: temprature, range: [0.04, 0.2]}\n"
            "replicates: 0\n"
            "outcomes: [joint_rat]\n")
    with pytest.raises(InputError) as refused:
        plan_sweep(parse_sweep(text, "test.yaml"), outcome_problem)
    found = [(p.field, p.line) for p in refused.value.problems]
    assert found == [("scenarios.0", 1), ("rules.0", 2), ("factors.0", 4),
                     ("factors.1.name", 5), ("replicates", 6), ("outcomes.0", 7)]
    said = {p.field: p.message for p in refused.value.problems}
    assert "did you mean 'ukraine_response'" in said["scenarios.0"]
    assert "did you mean 'temperature'" in said["factors.1.name"]


def snapshot(folder):
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("extra", "field", "line", "says"), BAD)
def test_a_bad_sweep_file_exits_2_before_any_run(extra, field, line, says, reference,
                                                 tmp_path, capsys):
    path = sweep_file(tmp_path, "scenarios: [ukraine_response]\n" + extra + "\n")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:{line}: {field}:") and says in err, err
    assert "Traceback" not in err
    assert not out.exists()
    # pointed at a folder that holds a finished sweep: refused the same way, nothing lost
    _, kept, _ = reference
    before = snapshot(kept)
    assert main(["sweep", str(path), "--out", str(kept), "--quiet"]) == 2
    assert capsys.readouterr().err == err.replace(str(out), str(kept))
    assert snapshot(kept) == before


def test_an_unreachable_dask_scheduler_exits_2_and_loses_nothing(reference, capsys):
    path, kept, _ = reference
    before = snapshot(kept)
    code = main(["sweep", str(path), "--out", str(kept), "--quiet", "--retry-failed",
                 "--dask", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --dask: tcp://127.0.0.1:9: cannot reach")
    assert "Traceback" not in err
    assert snapshot(kept) == before


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The small sweep, uninterrupted, on one process."""
    base = tmp_path_factory.mktemp("sweep")
    path = sweep_file(base)
    run = run_sweep(path, base / "serial", workers=1, progress=False)
    return path, base / "serial", run


def test_a_sweep_writes_one_tidy_table(reference):
    _, out, run = reference
    assert run.ran == 40 and run.failed == 0 and manifest(out)["status"] == "complete"
    # what produced it: the source tree's commit; no command line from Python
    assert manifest(out)["git_commit"] == git_commit() and manifest(out)["command"] is None
    data = dataset(out)
    assert list(data.columns[:8]) == ["job", "point", "replicate", "scenario", "rule", "seed",
                                      "NZL.coercion_vulnerability", "population"]
    assert data["job"].nunique() == 40
    assert set(data["population"]) == {200, 400}
    assert not data.duplicated(["job", "outcome", "actor"]).any()


def test_a_folder_of_another_sweep_is_refused_and_kept(reference, tmp_path, capsys):
    _, out, _ = reference
    before = snapshot(out)
    other = sweep_file(tmp_path, SMALL.replace("replicates: 5", "replicates: 6"))
    assert main(["sweep", str(other), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --out: {out}: holds another sweep") and "Traceback" not in err
    assert snapshot(out) == before


def test_a_store_of_an_edited_scenario_file_is_refused_and_kept(tmp_path, capsys):
    """The jobs' ids hash the sweep file, not the scenario files it names: a resume after
    a scenario was edited would mix runs of both versions, so it is refused."""
    scenario = tmp_path / "mine.yaml"
    shutil.copy(ROOT / "scenarios" / "library" / "ukraine_response.yaml", scenario)
    path = sweep_file(tmp_path, f"scenarios: [{scenario}]\nreplicates: 2\n")
    out = tmp_path / "out"
    run_sweep(path, out, workers=1, progress=False)
    was = hashlib.sha256(scenario.read_bytes()).hexdigest()
    scenario.write_text(scenario.read_text().replace("cost: 0.", "cost: 0.0"))  # costs cut
    now = hashlib.sha256(scenario.read_bytes()).hexdigest()
    assert now != was
    before = snapshot(out)
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --out: {out}: its runs were played with another version "
                          f"of the scenario file {scenario} (sha256 {was[:12]} then, "
                          f"{now[:12]} now)"), err
    assert snapshot(out) == before


def test_the_same_command_on_a_finished_sweep_runs_nothing(reference):
    path, out, _ = reference
    again = run_sweep(path, out, workers=1, progress=False)
    assert again.ran == 0 and again.skipped == 40


def test_serial_pool_and_dask_write_identical_parts(reference, tmp_path, monkeypatch):
    path, serial, _ = reference
    run_sweep(path, tmp_path / "pool", workers=2, progress=False)
    parts = sorted(p.name for p in serial.glob("part-*.parquet"))
    assert len(parts) > 2
    for name in parts:
        assert (tmp_path / "pool" / name).read_bytes() == (serial / name).read_bytes(), name
    pytest.importorskip("dask.distributed")
    monkeypatch.setenv("PYTHONPATH", str(path.parent.parent))  # workers import this tree
    run_sweep(path, tmp_path / "dask", workers=2, dask="local", progress=False)
    for name in parts:
        assert (tmp_path / "dask" / name).read_bytes() == (serial / name).read_bytes(), name


def test_resume_after_kill_9_equals_an_uninterrupted_sweep(reference, tmp_path):
    path, serial, _ = reference
    out = tmp_path / "killed"
    proc = cli("sweep", str(path), "--out", str(out), "--workers", "1", "--quiet")
    wait_for(lambda: ledger_lines(out) >= 5 or proc.poll() is not None, what="first parts")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < ledger_lines(out) < 40, "the kill must land mid-way"
    assert manifest(out)["status"] == "running"  # an interrupted store never looks finished
    assert manifest(out)["command"] == ["ip4sim", "sweep", str(path), "--out", str(out),
                                        "--workers", "1", "--quiet"]
    (out / ".part-999999.parquet.partial").write_bytes(b"half")  # a write cut short
    resumed = run_sweep(path, out, workers=1, progress=False)
    assert resumed.skipped >= 5 and resumed.ran + resumed.skipped == 40
    assert dataset(out).equals(dataset(serial))
    assert not list(out.glob(".part-*"))


def stray_files(store) -> None:
    """What a person (or an older version's ``analyze``) may leave in a store."""
    (store / "notes.md").write_text("# what I saw\n")
    (store / "analysis").mkdir()
    (store / "analysis" / "analysis.md").write_text("# an older analysis\n")


def test_our_readers_read_only_the_part_files(reference, tmp_path):
    """read_sweep, and a comparison resuming into its store, read the part files by name:
    a stray file beside them is not taken for a part (pyarrow's discovery would)."""
    _, serial, _ = reference
    kept = shutil.copytree(serial, tmp_path / "kept")
    stray_files(kept)
    _, _, data = read_sweep(kept)
    assert data.sort_values(["job", "outcome", "actor"]).reset_index(drop=True).equals(
        dataset(serial))

    def comparison():
        return compare_rules(RunRequest(population=200), "bilateral,caucus", 2, run_outcomes,
                             workers=1, out_dir=tmp_path / "compare", progress=False)

    first = comparison()
    stray_files(tmp_path / "compare" / "store")
    analyze(tmp_path / "compare" / "store")  # into store/_analysis
    again = comparison()
    assert again.ran == 0 and again.results == first.results


def test_a_part_the_ledger_does_not_name_is_recomputed(reference, tmp_path):
    path, serial, _ = reference
    out = tmp_path / "torn"
    run_sweep(path, out, workers=1, progress=False)
    lines = (out / "_ledger.jsonl").read_text().splitlines(keepends=True)
    # the process died after renaming the last part, while appending its ledger lines
    last_part = [line for line in lines if '"part-' in line][-1].split('"part": "')[1][:18]
    kept = [line for line in lines if last_part not in line]
    # lines damaged otherwise are skipped too: JSON that is no entry, an entry cut short
    damaged = '7\n["done"]\n{"id": "x"}\n{"status": "done"}\n'
    (out / "_ledger.jsonl").write_text("".join(kept) + damaged + '{"id": "cut sh')
    again = run_sweep(path, out, workers=1, progress=False)
    assert again.ran == len(lines) - len(kept)
    assert dataset(out).equals(dataset(serial))


def test_failures_are_ledger_rows_and_retry_failed_reruns_only_them(tmp_path, monkeypatch):
    import sim.batch

    path = sweep_file(tmp_path)
    real = sim.batch.play

    def flaky(checked, **options):
        if checked.seed == derive_seeds(3, 5)[4]:
            raise ValueError("boom on the last replicate")
        return real(checked, **options)

    monkeypatch.setattr(sim.batch, "play", flaky)
    first = run_sweep(path, tmp_path / "out", workers=1, progress=False)
    assert first.failed == 8  # 4 points x 2 rules
    text = (tmp_path / "out" / "_ledger.jsonl").read_text()
    assert "boom on the last replicate" in text and "Traceback" in text
    monkeypatch.setattr(sim.batch, "play", real)
    again = run_sweep(path, tmp_path / "out", workers=1, progress=False)
    assert again.ran == 0 and again.not_retried == 8 and again.skipped == 40
    retried = run_sweep(path, tmp_path / "out", workers=1, retry_failed=True, progress=False)
    assert retried.ran == 8 and retried.failed == 0
    data = dataset(tmp_path / "out")
    assert data["job"].nunique() == 40 and not data.duplicated(["job", "outcome", "actor"]).any()


# -- the analysis on datasets with known answers -------------------------------------------

def fake_store(tmp_path, text: str, value, name: str = "fake", blocks: int | None = None
               ) -> Store:
    """A store filled, through the store's own writer, with ``value(point's unit row,
    SweepJob)`` as the outcome ``y`` of every job; with ``blocks``, only the first so many
    part files, as a sweep stopped early leaves them."""
    plan = plan_of(text)
    store = Store.open(tmp_path / name, plan)
    for block in plan.blocks()[:blocks]:
        jobs = [plan.jobs[i] for i in block]
        results = [JobResult(i, j.job, [(j.job.request.rule, j.job.request.seed, "y", "",
                                         value(plan.unit[j.point], j))])
                   for i, j in zip(block, jobs, strict=True)]
        store.write_part(f"part-{block[0]:06d}.parquet", results)
    store.write_manifest("complete" if blocks is None else "incomplete")
    store.release()
    return store


def test_a_second_process_on_a_store_is_refused_while_the_first_writes(tmp_path, capsys):
    # Its clean-up of unlisted parts would remove the first one's parts in the making.
    plan = plan_of(TWO_FACTORS + "design: {kind: lhs, points: 4}\n")
    first = Store.open(tmp_path / "s", plan)
    with pytest.raises(InputError) as caught:
        Store.open(tmp_path / "s", plan)
    (problem,) = caught.value.problems
    assert f"ip4sim process {os.getpid()} is writing this store now" in problem.message
    first.release()
    Store.open(tmp_path / "s", plan).release()  # free again once the first is done


def ishigami(u, _job, a=7.0, b=0.1):
    x = -math.pi + 2 * math.pi * np.asarray(u)
    return float(np.sin(x[0]) + a * np.sin(x[1]) ** 2 + b * x[2] ** 4 * np.sin(x[0]))


def test_sobol_indices_of_the_ishigami_function(tmp_path):
    text = """\
scenarios: [ukraine_response]
factors:
  - {name: w_us_pull, range: [0, 1]}
  - {name: w_peer_pull, range: [0, 1]}
  - {name: w_cost, range: [0, 1]}
design: {kind: sobol, points: 1024}
outcomes: [y]
"""
    store = fake_store(tmp_path, text, ishigami)
    files = analyze(store.out).files
    assert "sobol.csv" in files and "sobol_y.png" in files
    table = pd.read_csv(store.out / "_analysis" / "sobol.csv").set_index("factor")
    # the analytical indices (Ishigami and Homma 1990; a = 7, b = 0.1)
    assert table["S1"].to_numpy() == pytest.approx([0.314, 0.442, 0.0], abs=0.06)
    assert table["ST"].to_numpy() == pytest.approx([0.558, 0.442, 0.244], abs=0.06)
    assert (table["S1_conf"] > 0).all()
    assert table["seed_noise_share"].isna().all()  # one replicate: noise not estimable


def test_the_seed_noise_left_in_the_point_means_is_measured(tmp_path):
    # y = 2 u0 + noise of variance 1/12 (uniform on [-0.5, 0.5]) per run, 4 replicates: the
    # point means' noise variance is 1/48 against 4/12 + 1/48 over the design, a share of
    # 1/17 = 0.059 (observed 0.057; the bound allows for the variance estimates' own error)
    text = TWO_FACTORS + "design: {kind: sobol, points: 64}\nreplicates: 4\n"

    def noisy(u, job):
        rng = np.random.default_rng([job.job.request.seed, int(u[0] * 1e9), int(u[1] * 1e9)])
        return 2 * u[0] + rng.uniform(-0.5, 0.5)

    store = fake_store(tmp_path, text, noisy)
    analyze(store.out)
    table = pd.read_csv(store.out / "_analysis" / "sobol.csv")
    assert table["seed_noise_share"].nunique() == 1
    assert table["seed_noise_share"].iloc[0] == pytest.approx(1 / 17, abs=0.02)
    said = " ".join((store.out / "_analysis" / "analysis.md").read_text().split())
    share = f"{table['seed_noise_share'].iloc[0]:.0%}"
    assert f"Seed noise left in the point means (replicates averaged) is {share} to {share}" \
        in said


def test_a_seeds_own_luck_shared_by_every_point_is_not_counted_as_noise(tmp_path):
    # y = 2 u0 + a seed's own shift of up to +/- 1, the same at every point: it moves every
    # point mean alike and spreads none of them, so none of it is left as noise (observed
    # 0.0 to machine precision)
    text = TWO_FACTORS + "design: {kind: sobol, points: 32}\nreplicates: 3\n"

    def lucky(u, job):
        return 2 * u[0] + np.random.default_rng(job.job.request.seed).uniform(-1, 1)

    store = fake_store(tmp_path, text, lucky)
    analyze(store.out)
    table = pd.read_csv(store.out / "_analysis" / "sobol.csv")
    assert table["seed_noise_share"].abs().max() < 1e-9


# Two factors and the outcome y, for a store fake_store fills: add a design.
TWO_FACTORS = """\
scenarios: [ukraine_response]
factors:
  - {name: w_us_pull, range: [0, 1]}
  - {name: w_peer_pull, range: [0, 1]}
outcomes: [y]
"""


def test_morris_screens_out_a_factor_without_effect(tmp_path):
    store = fake_store(tmp_path, TWO_FACTORS + "design: {kind: morris, points: 10, levels: 4}\n",
                       lambda u, _: 3.0 * u[0])
    analyze(store.out)
    table = pd.read_csv(store.out / "_analysis" / "morris.csv").set_index("factor")
    assert table.loc["w_us_pull", "mu_star"] == pytest.approx(3.0)
    assert table.loc["w_peer_pull", "mu_star"] == pytest.approx(0.0)
    assert (store.out / "_analysis" / "morris_y.png").exists()


# Two rules and the outcome y, for a store fake_store fills: add factors and a design.
TWO_RULES = """\
scenarios: [ukraine_response]
rules: [bilateral, consensus]
outcomes: [y]
"""


def test_rank_first_and_paired_differences_on_a_constructed_dataset(tmp_path):
    text = TWO_RULES + """\
factors:
  - {name: messaging, levels: [0.0, 1.0]}
  - {name: w_cost, range: [0, 1]}
design: {kind: grid, levels: 3}
replicates: 2
"""
    # consensus beats bilateral when messaging is on, loses when it is off, by 0.25
    store = fake_store(tmp_path, text, lambda u, job: 0.5 + (0.25 if (u[0] > 0.5) ==
                                                             is_consensus(job) else 0.0))
    analyze(store.out)
    rank = pd.read_csv(store.out / "_analysis" / "rank_first.csv", keep_default_na=False)
    by = {(r.factor, r.setting, r.rule.split(":")[0]): r.share_first for r in rank.itertuples()}
    assert by[("messaging", "1", "consensus")] == 1.0
    assert by[("messaging", "0", "bilateral")] == 1.0
    assert by[("", "", "consensus")] == 0.5
    assert by[("w_cost", "0.5", "consensus")] == 0.5
    # ahead by 0.25 in both replicates alike: two equal differences of an outcome with no
    # bounds do not make a first place clear (a spread of 0 is not an exact mean)
    assert (rank["share_clearly_first"] == 0).all()
    said = (store.out / "_analysis" / "analysis.md").read_text()
    assert "A first place is the best mean at a point over 2 replicates per rule" in said
    paired = pd.read_csv(store.out / "_analysis" / "paired_differences.csv")
    assert paired["mean_difference"].item() == pytest.approx(0.0)
    assert paired["pairs"].item() == 6 * 2


def test_an_interrupted_sweep_is_analysed_for_what_it_holds_and_says_so(tmp_path, capsys):
    sobol = TWO_FACTORS + "design: {kind: sobol, points: 8}\n"  # 32 points, 1 run each
    store = fake_store(tmp_path, sobol, lambda u, _: u[0] + 2 * u[1], blocks=6)  # 2 a block
    assert main(["analyze", str(store.out)]) == 0
    err = capsys.readouterr().err
    said = ("12 of 32 planned runs are in the store (0 failed, 20 not run yet); 12 of 32 "
            "design points have every planned run. Status: incomplete.")
    needs = "Sobol indices need a mean at every one of the 32 design points"
    assert f"note: {said}\n" in err and "the command that began it resumes it" in err
    assert f"note: {needs}" in err and "caucus:pull=1.0,cover=0.35: 12 of 32." in err
    text = (store.out / "_analysis" / "analysis.md").read_text()
    assert "32 runs planned: 32 design points (sobol) x 1 scenario x 1 rule x 1 replicate." in text
    assert said in text and needs in text
    assert "- y, caucus:pull=1.0,cover=0.35: not computed: 12 of 32 design points have a " \
           "mean" in text
    record = json.loads((store.out / "_analysis" / "manifest.json").read_text())
    assert record["sweep"]["runs"] == 12 and record["sweep"]["jobs"] == 32


def test_a_store_with_no_runs_yet_is_refused(tmp_path, capsys):
    store = fake_store(tmp_path, TWO_FACTORS + "design: {kind: sobol, points: 8}\n",
                       lambda u, _: 0.0, blocks=0)
    assert main(["analyze", str(store.out)]) == 2
    assert capsys.readouterr().err.startswith(
        f"error: analyze: {store.out}: holds no runs to analyse: 0 of 32 planned runs")
    assert not (store.out / "_analysis").exists()


@pytest.mark.parametrize("design", ["{kind: sobol, points: 8}",
                                    "{kind: morris, points: 4, levels: 4}"])
def test_an_outcome_that_did_not_vary_is_said_to_have_not_varied(design, tmp_path):
    store = fake_store(tmp_path, TWO_FACTORS + f"design: {design}\n", lambda u, _: 0.5)
    analyze(store.out)
    text = (store.out / "_analysis" / "analysis.md").read_text()
    assert "- y, caucus:pull=1.0,cover=0.35: did not vary over the design (0.5 at every " \
           "point)" in text
    assert "stands out" not in text
    if "sobol" in design:  # no index at all: no bare header line, and the report says why
        assert not (store.out / "_analysis" / "sobol.csv").exists()
        assert "- `sobol.csv` is not written: no Sobol index could be computed" in text
        manifest = json.loads((store.out / "_analysis" / "manifest.json").read_text())
        assert manifest["not_written"]["sobol.csv"].startswith("no Sobol index could be")


def test_a_paired_difference_over_the_design_counts_its_few_seeds(tmp_path):
    """Each seed shifts the difference at every point alike (common random numbers): with
    two seeds the mean difference over 16 points rests on two draws, not 32 pairs."""
    text = TWO_RULES + """\
factors: [{name: w_cost, range: [0, 1]}]
design: {kind: lhs, points: 16}
replicates: 2
"""
    shift = {0: 0.0, 1: 1.0}  # consensus less bilateral: 0 under one seed, 1 under the other
    store = fake_store(tmp_path, text, lambda u, job: u[0] + (shift[job.replicate] if
                                                               is_consensus(job) else 0.0))
    analyze(store.out)
    (row,) = pd.read_csv(store.out / "_analysis" / "paired_differences.csv").itertuples()
    assert row.mean_difference == pytest.approx(0.5)
    assert (row.pairs, row.points, row.replicates) == (32, 16, 2)
    # 32 pairs taken as independent would give 0.5 +/- 0.18; two seeds cannot say that
    assert row.ci_low < 0.0 and row.ci_high > 1.0
    assert row.interval == "t, points x seeds crossed"


def test_rules_are_ranked_only_where_every_rule_has_a_mean():
    """At a point where one rule has no run yet, the other would rank first by default."""
    means = pd.DataFrame({"scenario": "s", "rule": ["a", "b", "a"], "point": [0, 0, 1],
                          "outcome": "joint_rate", "actor": "", "mean": [0.2, 0.4, 0.9],
                          "n": 1})
    assert comparable(means, 2)["point"].tolist() == [0, 0]


@pytest.mark.parametrize("replicates, clear", [(40, 1.0), (2, 0.0)])
def test_equal_differences_make_a_first_place_clear_only_when_many(replicates, clear):
    # cohesion (within [0, 1]) ahead by 0.2 in every replicate: 40 equal differences bound
    # the mean difference above 0.2 - 2 x 0.088; 2 of them leave it as low as -0.07
    from analysis.compare import by_rule
    from analysis.sensitivity import clearly_first

    data = pd.DataFrame([{"scenario": "s", "rule": rule, "point": 0, "replicate": k,
                          "outcome": "cohesion", "actor": "", "value": 0.5 + shift}
                         for rule, shift in (("a", 0.2), ("b", 0.0))
                         for k in range(replicates)])
    scored = firsts(point_means(data))
    assert clearly_first(scored, by_rule(data))["clearly"].tolist() == [clear, 0.0]


def test_a_first_place_within_seed_noise_is_not_clear(tmp_path):
    # consensus is ahead by 0.01, each run carries noise of +/- 0.3 of its own: a rule
    # ranks first at about half the points, clearly at almost none
    text = TWO_RULES + "factors: [{name: w_cost, range: [0, 1]}]\n" \
        "design: {kind: lhs, points: 40}\nreplicates: 4\n"

    def noisy(u, job):
        draw = np.random.default_rng([job.job.request.seed, is_consensus(job), int(u[0] * 1e6)])
        return 0.5 + 0.01 * is_consensus(job) + draw.uniform(-0.3, 0.3)

    store = fake_store(tmp_path, text, noisy)
    analyze(store.out)
    rank = pd.read_csv(store.out / "_analysis" / "rank_first.csv", keep_default_na=False)
    overall = rank[rank["factor"] == ""]
    overall = overall.set_index(overall["rule"].str.split(":").str[0])
    assert 0.25 < overall.loc["consensus", "share_first"] < 0.75
    assert overall["share_clearly_first"].max() <= 0.1  # observed 0.025 (1 of 40 points)
    # the one chance clear first place does not survive Holm's adjustment over 40 points
    assert (overall["share_clearly_first_holm"] == 0).all()
    said = (store.out / "_analysis" / "analysis.md").read_text()
    assert "clearly, 0% after Holm)" in said and '"clearly" counts the points' in said
    assert '"after Holm" counts those that stay clear' in said


def is_consensus(job) -> bool:
    return job.job.request.rule.startswith("consensus")


def test_each_scenario_of_a_sweep_is_ranked_and_named_on_its_own(tmp_path):
    text = """\
scenarios: [ukraine_response, dprk_provocation]
rules: [bilateral, consensus]
factors: [{name: w_cost, range: [0, 1]}]
design: {kind: grid, levels: 4}
replicates: 3
outcomes: [y]
"""
    # consensus is the better rule in one scenario, bilateral in the other
    store = fake_store(tmp_path, text, lambda _, job: float(
        is_consensus(job) == (job.scenario == "ukraine_response")))
    analyze(store.out)
    text = (store.out / "_analysis" / "analysis.md").read_text()
    assert "48 runs planned: 4 design points (grid) x 2 scenarios x 2 rules x 3 replicates" \
        in text
    assert "- ukraine_response, y: consensus:pull=1.0,cover=0.6 100% (0% clearly, 0% after " \
        "Holm), bilateral 0% (0% clearly, 0% after Holm)" in text
    assert "- dprk_provocation, y: bilateral 100% (0% clearly, 0% after Holm), " \
        "consensus:pull=1.0,cover=0.6 0% (0% clearly, 0% after Holm)" in text


def test_each_scenario_has_its_own_indices_and_panels(tmp_path):
    """Two scenarios' indices in one panel made the Sobol figure fail (a shape mismatch);
    the Morris and rank figures mixed them."""
    text = """\
scenarios: [ukraine_response, dprk_provocation]
rules: [bilateral, consensus]
factors: [{name: w_cost, range: [0, 1]}, {name: w_us_pull, range: [0, 1]}]
design: {kind: sobol, points: 16}
outcomes: [y]
"""
    # w_us_pull drives y in one scenario, w_cost in the other
    store = fake_store(tmp_path, text, lambda u, job: u[1] if job.scenario ==
                       "ukraine_response" else u[0])
    done = analyze_sweep(store.out)
    assert "- ukraine_response, y, bilateral: w_us_pull (ST" in done.report
    assert "- dprk_provocation, y, bilateral: w_cost (ST" in done.report
    panels = {name: [ax.get_title() for ax in fig.axes] for name, fig in done.figures.items()}
    assert panels["sobol_y.png"] == [
        f"Sobol indices: y ({s}) (95% bootstrap intervals)"
        for s in ("dprk_provocation", "ukraine_response")]
    assert panels["rank_first_y.png"] == ["w_cost (dprk_provocation)",
                                          "w_us_pull (dprk_provocation)",
                                          "w_cost (ukraine_response)",
                                          "w_us_pull (ukraine_response)"]


def test_settings_are_shown_to_6_digits_low_to_high_and_bin_the_declared_range(tmp_path):
    """Tables and axes show 0.12, not 0.12000000000000001 (the runs keep the value), in
    the order of the values (1200 after 700), and a hypercube's bins divide the range
    the file declares, not the range its points happened to sample."""
    grid = TWO_RULES + """\
factors:
  - {name: temperature, range: [0.04, 0.2]}
  - {name: population, range: [200, 1200]}
design: {kind: grid, levels: 3}
"""
    store = fake_store(tmp_path, grid, lambda u, _: u[0], "grid")
    done = analyze_sweep(store.out)
    assert 0.12000000000000001 in set(pd.read_parquet(store.out / "_design.parquet")
                                       ["temperature"])  # what the runs play
    for name in ("effects.csv", "rank_first.csv"):
        table = done.tables[name]
        for factor, want in (("temperature", ["0.04", "0.12", "0.2"]),
                             ("population", ["200", "700", "1200"])):
            assert list(dict.fromkeys(table[table["factor"] == factor]["setting"])) == want
    lhs = TWO_FACTORS.replace("range: [0, 1]}\n  - {name: w_peer", "range: [0.4, 0.95]}\n"
                              "  - {name: w_peer") + "design: {kind: lhs, points: 10}\n"
    effects = analyze_sweep(fake_store(tmp_path, lhs, lambda u, _: u[0], "lhs").out
                            ).tables["effects.csv"]
    assert list(effects[effects["factor"] == "w_us_pull"]["setting"]) == [
        "0.4-0.51", "0.51-0.62", "0.62-0.73", "0.73-0.84", "0.84-0.95"]


def test_ties_share_the_first_place():
    means = pd.DataFrame({"scenario": "s", "rule": ["a", "b", "c"], "point": 0,
                          "outcome": ["joint_rate"] * 3, "actor": "", "mean": [1.0, 1.0, 0.2],
                          "n": 1})
    assert firsts(means)["first"].tolist() == [0.5, 0.5, 0.0]
    lower = means.assign(outcome="coercion_successes")
    assert firsts(lower)["first"].tolist() == [0.0, 0.0, 1.0]
    assert point_means(pd.DataFrame({"scenario": "s", "rule": "a", "point": 0, "outcome": "y",
                                     "actor": "", "value": [1.0, 3.0]}))["mean"].item() == 2.0


def test_the_report_names_a_most_influential_factor_only_when_it_stands_out():
    """Overlapping bootstrap intervals are a tie, said as such; a small design is flagged."""
    apart = pd.DataFrame({"factor": ["a", "b"], "ST": [0.8, 0.2], "ST_conf": [0.1, 0.1]})
    assert most_influential(apart, "ST") == "a (ST 0.80)"
    close = pd.DataFrame({"factor": ["a", "b", "c"], "ST": [0.5, 0.45, 0.1],
                          "ST_conf": [0.1, 0.1, 0.05]})
    said = most_influential(close, "ST")
    assert said.startswith("no factor stands out: a (ST 0.50), b (ST 0.45)") and "c (" not in said
    tied = pd.DataFrame({"factor": ["a", "b"], "mu_star": [0.05, 0.05]})
    assert most_influential(tied, "mu_star").startswith("no factor stands out")
    assert few_samples({"kind": "sobol", "points": 2})[0].startswith("Caution: N = 2")
    assert few_samples({"kind": "sobol", "points": 256}) == []
    assert few_samples({"kind": "morris", "points": 4}) and not few_samples({"kind": "grid"})


def test_the_report_counts_the_indices_its_intervals_cannot_tell_from_0():
    table = pd.DataFrame({"factor": ["a", "b", "c"], "S1": [0.6, -0.05, 0.0],
                          "S1_conf": [0.1, 0.2, 0.0], "ST": [0.7, 0.1, 0.0],
                          "ST_conf": [0.2, 0.3, 0.0]})
    (said,) = resolution_lines(table)
    assert "bootstrap standard error" in said
    # b's are wider than their index; c's 0 +/- 0 (the runs never moved) is not counted
    assert "1 of 3 S1 intervals are as wide as their index or wider, 1 estimates below 0; " \
           "1 of 3 ST intervals are as wide" in said
    assert resolution_lines(pd.DataFrame()) == []


# -- where the analysis goes, and what it records -------------------------------------------

def test_analyze_twice_leaves_the_dataset_readable_and_records_what_produced_it(
        reference, tmp_path, capsys, monkeypatch):
    _, serial, _ = reference
    out = shutil.copytree(serial, tmp_path / "sweep")
    argv = ["analyze", str(out)]
    monkeypatch.setattr(sys, "argv", ["ip4sim", *argv])  # as from the shell
    for _ in range(2):  # the second reads the store with the first's analysis in it
        assert main(argv) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out / '_analysis'}/: effects.csv")
    assert dataset(out).equals(dataset(serial))  # pandas.read_parquet(DIR): the parts only
    record = json.loads((out / "_analysis" / "manifest.json").read_text())
    store = manifest(out)
    assert record["kind"] == "analysis" and record["status"] == "complete"
    assert record["sweep"] == {"folder": str(out.resolve()), "file": store["file"],
                               "sha256": store["sha256"], "status": "complete", "runs": 40,
                               "jobs": 40, "failed": 0}
    assert record["git_commit"] == git_commit() and record["command"] == ["ip4sim", *argv]
    assert record["ip4sim"] and record["versions"]["SALib"] and record["created"]
    written = sorted(p.name for p in (out / "_analysis").iterdir())
    assert written == sorted([*record["files"], "manifest.json"])


def old_analysis(store: Path, text: str) -> dict[str, bytes]:
    """An ``analysis/`` folder as versions before ``_analysis`` wrote it in a store, with a
    table and a figure; its files' bytes by name."""
    (store / "analysis").mkdir()
    (store / "analysis" / "effects.csv").write_text(text)
    (store / "analysis" / "sobol.png").write_bytes(b"\x89PNG\r\n\x1a\n" + text.encode())
    return {p.name: p.read_bytes() for p in (store / "analysis").iterdir()}


def test_an_earlier_version_s_analysis_folder_is_moved_aside_not_lost(
        reference, tmp_path, capsys):
    path, serial, _ = reference
    out = shutil.copytree(serial, tmp_path / "sweep")
    first = old_analysis(out, "factor,effect\nx,1\n")
    with pytest.raises(pyarrow.ArrowException):  # the defect: read as part of the dataset
        pd.read_parquet(out)
    assert main(["analyze", str(out)]) == 0
    aside = out / "_analysis-previous"
    assert f"note: moved {out / 'analysis'}/ to {aside}/" in capsys.readouterr().err
    assert not (out / "analysis").exists()
    assert {p.name: p.read_bytes() for p in aside.iterdir()} == first
    assert dataset(out).equals(dataset(serial))  # pandas.read_parquet(DIR) reads it again
    # a second one, on resuming the sweep: beside the first, which is not overwritten
    second = old_analysis(out, "factor,effect\nx,2\n")
    assert run_sweep(path, out, workers=1, progress=False).ran == 0
    assert f"to {out / '_analysis-previous-2'}/" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in aside.iterdir()} == first
    assert {p.name: p.read_bytes() for p in (out / "_analysis-previous-2").iterdir()} == second
    assert dataset(out).equals(dataset(serial))


# Where --out may not point, for the sweep in SWEEP (OTHER is another sweep), and what is said.
REFUSED_OUT = [
    ("SWEEP", "lies inside the sweep store"),
    ("SWEEP/analysis", "lies inside the sweep store"),
    ("SWEEP/_analysis/deeper", "lies inside the sweep store"),
    ("OTHER/_analysis", "lies inside the sweep store"),
    ("notes", "is not empty and holds no earlier analysis"),
    ("notes/todo.txt", "is a file, not a folder"),
    ("notes/todo.txt/inside", "cannot create the folder"),
]


@pytest.mark.parametrize(("where", "says"), REFUSED_OUT)
def test_an_analysis_out_inside_a_store_or_holding_other_things_is_refused(
        where, says, reference, tmp_path, capsys):
    _, serial, _ = reference
    shutil.copytree(serial, tmp_path / "SWEEP")
    shutil.copytree(serial, tmp_path / "OTHER")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("a plan\n")
    before, folders = snapshot(tmp_path), folders_in(tmp_path)
    out = tmp_path / where
    assert main(["analyze", str(tmp_path / "SWEEP"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --out: {out}: {says}") and "Traceback" not in err, err
    assert snapshot(tmp_path) == before and folders_in(tmp_path) == folders  # nothing written


def test_analyzing_a_folder_that_holds_no_sweep_is_refused(tmp_path, capsys):
    with pytest.raises(InputError):  # from Python as from the command line
        analyze(tmp_path)
    assert main(["analyze", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: analyze: {tmp_path}: not a sweep's "
                                              "folder (no _sweep.json)")
    assert not any(tmp_path.iterdir())


def folders_in(folder):
    return sorted(p for p in folder.rglob("*") if p.is_dir())


def test_a_new_analysis_in_the_same_folder_removes_the_earlier_one_s_files(tmp_path):
    sobol = fake_store(tmp_path, TWO_FACTORS + "design: {kind: sobol, points: 8}\n",
                       lambda u, _: u[0] + 2 * u[1], "sobol")
    morris = fake_store(tmp_path, TWO_FACTORS + "design: {kind: morris, points: 4, levels: 4}\n",
                        lambda u, _: u[0], "morris")
    out = tmp_path / "analysis"
    first = analyze(sobol.out, out)
    assert "sobol.csv" in first.files
    (out / "mine.txt").write_text("a note of my own")  # not the analysis's: kept
    second = analyze(morris.out, out)
    assert "sobol.csv" not in second.files
    assert sorted(p.name for p in out.iterdir()) == sorted([*second.files, "mine.txt"])


def test_a_job_names_its_scenario_file_by_its_absolute_path(tmp_path, monkeypatch):
    """A worker started elsewhere (a Dask worker on another folder) finds the file the
    plan read: a relative path in the sweep file is resolved once, when it is planned."""
    from scenarios.loader import load_scenario

    (tmp_path / "scen").mkdir()
    (tmp_path / "scen" / "mine.yaml").write_bytes(
        Path(load_scenario("dprk_provocation").path).read_bytes())
    (tmp_path / "s.yaml").write_text("scenarios: [scen/mine.yaml]\nrules: [caucus]\n"
                                     "factors: [{name: temperature, levels: [0.1]}]\n")
    monkeypatch.chdir(tmp_path)
    plan = plan_sweep("s.yaml")
    assert plan.jobs[0].job.request.scenario == str(tmp_path / "scen" / "mine.yaml")


def test_workers_on_other_code_fail_their_runs_loudly(reference, tmp_path, monkeypatch):
    """A worker checks the batch's code fingerprint against its own: a Dask worker started
    from another checkout would otherwise mix two models in one dataset, silently."""
    import sim.batch
    from sim.batch import BatchFailed
    from sim.provenance import code_fingerprint, versions

    path, _, _ = reference
    assert versions()["ip4sim code"] == code_fingerprint()  # every manifest records it
    monkeypatch.setattr(sim.batch, "code_fingerprint", lambda: "0" * 16)  # the client's
    with pytest.raises(BatchFailed, match="this worker runs other code than the batch"):
        run_sweep(path, tmp_path / "mixed", workers=2, progress=False)
    assert not list((tmp_path / "mixed").glob("part-*.parquet")) or \
        dataset(tmp_path / "mixed").empty  # no row of the other code's runs
    # and no version recorded for rows there are none of: a retry on the workers' code
    # would otherwise be said to mix two models
    assert manifest(tmp_path / "mixed")["codes"] == []


def test_a_store_resumed_on_other_code_keeps_each_version_and_its_analysis_says_so(
        reference, tmp_path):
    path, serial, _ = reference
    store = tmp_path / "store"
    shutil.copytree(serial, store)
    record = manifest(store)
    assert record["codes"] == [versions()["ip4sim code"]]
    record["codes"] = ["0" * 16]  # as if its runs so far were played by another version
    (store / "_sweep.json").write_text(json.dumps(record))
    assert run_sweep(path, store, workers=1, progress=False).ran == 0
    assert manifest(store)["codes"] == ["0" * 16]  # opened, nothing played: still one
    max(store.glob("part-*.parquet")).unlink()  # its runs are played again, on this code
    assert run_sweep(path, store, workers=1, progress=False).ran > 0
    assert manifest(store)["codes"] == ["0" * 16, versions()["ip4sim code"]]
    notes = analyze(store, tmp_path / "an").notes
    assert any("played by 2 versions of ip4sim's code" in note for note in notes)


def test_an_effect_s_interval_stays_within_the_outcome_s_bounds():
    from analysis.sensitivity import factor_effects

    runs = pd.DataFrame({"scenario": "s", "rule": "a", "point": [0, 1, 2], "replicate": 0,
                         "outcome": "joint_rate", "actor": "", "value": [0.0, 1.0, 0.5]})
    design = pd.DataFrame({"point": [0, 1, 2], "unit:messaging": [0.0, 0.0, 0.0],
                           "messaging": [0.0, 0.0, 0.0]})
    (row,) = factor_effects(runs, design, [{"name": "messaging", "levels": [0.0]}],
                            "grid").itertuples()
    assert row.mean == 0.5 and row.ci_low == 0.0 and row.ci_high == 1.0  # not -0.74, 1.74
    assert row.interval == POINTS_ONLY  # one seed: the report says its effect is unseen


def test_a_single_run_gets_no_interval_over_the_design():
    # as mean_interval gives a single value none: one run is not a sample of the design
    from analysis.intervals import TOO_FEW, crossed_interval

    low, high, how = crossed_interval(np.array([[0.4]]), 0.0, 1.0)
    assert math.isnan(low) and math.isnan(high) and how == TOO_FEW


def test_check_says_what_a_sweep_would_run_and_runs_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    good = tmp_path / "good.yaml"
    good.write_text(EXAMPLE, encoding="utf-8")
    assert main(["sweep", str(good), "--check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"ok: {good}: 48 runs planned: 8 design points (lhs) x 1 ")
    assert not (tmp_path / "runs").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.replace("replicates: 2", "replicates: 0").replace(
        "[joint_rate, cohesion]", "[joint_rat, cohesion]"), encoding="utf-8")
    assert main(["sweep", str(bad), "--check"]) == 2
    err = capsys.readouterr().err
    assert "replicates" in err and "did you mean 'joint_rate'" in err
    assert not (tmp_path / "runs").exists()


def test_analyze_says_what_in_a_store_would_break_pandas(tmp_path, capsys):
    store = fake_store(tmp_path, TWO_FACTORS + "design: {kind: lhs, points: 4}\n",
                       lambda u, _: u[0])
    (store.out / "notes.md").write_text("mine", encoding="utf-8")
    assert main(["analyze", str(store.out)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"{store.out} holds notes.md, which pandas.read_parquet and pyarrow would read" \
        in err
    (store.out / "notes.md").unlink()
    assert main(["analyze", str(store.out)]) == 0
    assert "pandas.read_parquet and pyarrow" not in capsys.readouterr().err


def test_the_first_places_say_a_tie_is_shared():
    from analysis.sensitivity import rank_caution

    assert "two rules equal at every point rank first at 50% each, which is a tie" in \
        rank_caution(3)


def test_the_seed_noise_note_reads_each_design_s_indices_and_a_share_above_one():
    from analysis.sensitivity import KEYS, noise_lines

    sobol = pd.DataFrame({**dict.fromkeys(KEYS, "x"), "ST": [0.1], "seed_noise_share": [0.2]})
    (said,) = noise_lines(sobol)
    assert "a total index (ST) no larger than that share" in said and "above 100%" not in said
    morris = sobol.drop(columns="ST").assign(seed_noise_share=1.8)
    (said,) = noise_lines(morris)
    assert "(ST)" not in said and "mu*" in said
    assert "above 100%: the point means vary no more than seed noise alone" in said
