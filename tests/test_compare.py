"""Comparing coordination rules: reproducible on one process or many, failures isolated,
bad input refused, outputs complete."""

import csv
import json
import math
import re
import signal
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import sim.batch
import sim.sweep
from analysis.outcomes import run_outcomes
from scenarios.loader import library_dir, load_scenario
from sim.app import compare
from sim.batch import Job, derive_seeds, run_jobs, split_rules
from sim.cli import build_parser, main, what_if
from sim.request import RunRequest
from sim.runner import play
from sim.sweep import compare_folder, plan_compare
from tests.sweeps import cli, ledger_lines, wait_for

BOOM = 0.123  # a capability no profile has: the mark of the run that is made to fail

SEEDS = 8


@pytest.fixture(scope="module")
def serial_and_parallel(tmp_path_factory):
    """The same comparison on one process and on two (72 runs in 15 parts, which finish
    out of order on two)."""
    base = tmp_path_factory.mktemp("compare")
    one = compare("ukraine_response", "all", SEEDS, root_seed=5, workers=1,
                  out_dir=base / "serial", progress=False)
    two = compare("ukraine_response", "all", SEEDS, root_seed=5, workers=2,
                  out_dir=base / "parallel", progress=False)
    return one, two


def test_serial_and_parallel_write_identical_tables(serial_and_parallel):
    one, two = serial_and_parallel
    for name in ("results.csv", "summary.csv", "differences.csv"):
        assert (one.out_dir / name).read_bytes() == (two.out_dir / name).read_bytes(), name
    parts = sorted(p.name for p in (one.out_dir / "store").glob("part-*.parquet"))
    assert len(parts) > 2
    for name in parts:
        assert (one.out_dir / "store" / name).read_bytes() == \
            (two.out_dir / "store" / name).read_bytes(), name
    assert one.summary == two.summary
    assert not one.failures and not two.failures


def test_every_rule_ran_on_the_same_seeds(serial_and_parallel):
    one, _ = serial_and_parallel
    assert one.seeds == derive_seeds(5, SEEDS)
    seeds_by_rule: dict[str, set[int]] = {}
    for _, rule, seed, *_ in one.results:
        seeds_by_rule.setdefault(rule, set()).add(seed)
    assert set(seeds_by_rule) == set(one.rules) and len(one.rules) >= 7
    assert all(s == set(one.seeds) for s in seeds_by_rule.values())


def test_outputs_exist_and_parquet_round_trips(serial_and_parallel):
    one, _ = serial_and_parallel
    for name in ("results.parquet", "results.csv", "summary.csv", "manifest.json",
                 "compare_outcomes.png", "coercion_by_partner.png"):
        assert (one.out_dir / name).stat().st_size > 0, name
    assert not (one.out_dir / "failures.csv").exists()
    table = pq.read_table(one.out_dir / "results.parquet")
    assert table.column_names == ["scenario", "rule", "seed", "outcome", "actor", "value"]
    back = [tuple(r.values()) for r in table.to_pylist()]
    expected = [(*r[:5], None if math.isnan(r[5]) else r[5]) for r in one.results]
    assert back == expected
    with (one.out_dir / "results.csv").open(newline="") as f:
        assert sum(1 for _ in csv.reader(f)) == len(one.results) + 1


def test_derive_seeds_is_stable_and_prefix_stable():
    # numpy documents SeedSequence as stable across versions and platforms; these values
    # pin it, so a changed derivation (or numpy breaking its promise) fails here.
    assert derive_seeds(1, 3) == [7434755675892716031, 784080026763069228,
                                  5266248848659119178]
    assert derive_seeds(1, 50)[:3] == derive_seeds(1, 3)
    many = derive_seeds(7, 1000)
    assert len(set(many)) == 1000 and all(0 <= s < 2**63 for s in many)
    assert derive_seeds(7, 10) != derive_seeds(8, 10)


def test_one_run_rerun_alone_reproduces_its_rows(serial_and_parallel):
    one, _ = serial_and_parallel
    rule, seed = "coalition", one.seeds[3]
    rows = [r[3:] for r in one.results if r[1] == rule and r[2] == seed]
    alone = play(Job(RunRequest(rule=rule, seed=seed)).checked())
    alone = run_outcomes(alone.events, alone.timeseries)
    assert [tuple(r) for r in rows] == [tuple(r) for r in alone]


def reduce_or_fail(events, rows):
    """A reduce that raises on the run marked with BOOM, to show a failure stays with its
    run (it must be a module-level function: the pool's workers import it)."""
    if (1, "capability", "AUS", BOOM) in rows:
        raise ValueError("boom on seed 3")
    return run_outcomes(events, rows)


def job(seed: int, rule: str = "caucus") -> Job:
    marked = {"overrides": {"AUS": {"capability": BOOM}}} if seed == 3 else {}
    return Job(RunRequest(rule=rule, seed=seed, **marked))


@pytest.mark.parametrize(("workers", "chunk_size", "bad_at"), [
    (1, 2, 2), (2, 2, 2),
    (2, None, 0),  # chunks sized from the first job, here the failing one
])
def test_a_failing_run_becomes_a_record_and_the_rest_complete(workers, chunk_size, bad_at):
    jobs = [job(s) for s in range(6)]
    jobs.insert(bad_at, job(99, "nosuchrule"))
    done = run_jobs(jobs, reduce_or_fail, workers=workers, chunk_size=chunk_size,
                    progress=False)
    assert [r.index for r in done] == list(range(len(jobs)))
    failed = {r.job.request.seed: r.error for r in done if not r.ok}
    assert set(failed) == {99, 3}
    assert "unknown rule" in failed[99] and "boom on seed 3" in failed[3]
    assert all(r.rows for r in done if r.ok) and sum(r.ok for r in done) == 5


@pytest.fixture
def seed_3_fails(monkeypatch):
    """Seeds 0, 1, 2, ... and every run on seed 3 raising; gives the real ``play``."""
    real_play = sim.batch.play

    def play_or_fail(checked, **options):
        if checked.seed == 3:
            raise ValueError("boom on seed 3")
        return real_play(checked, **options)

    monkeypatch.setattr(sim.batch, "play", play_or_fail)
    monkeypatch.setattr(sim.sweep, "derive_seeds", lambda root, n: list(range(n)))
    return real_play


def test_compare_writes_failures_csv(tmp_path, seed_3_fails):
    result = compare("ukraine_response", "bilateral", 5, workers=1, out_dir=tmp_path,
                     progress=False)
    assert len(result.failures) == 1
    text = (tmp_path / "failures.csv").read_text()
    assert "bilateral,3," in text and "boom on seed 3" in text
    assert {r[2] for r in result.results} == {0, 1, 2, 4}


def test_failed_runs_are_rerun_only_with_retry_failed(tmp_path, monkeypatch, capsys,
                                                      seed_3_fails):
    argv = ["compare", "ukraine_response", "--rules", "bilateral,caucus", "--seeds", "4",
            "--population", "200", "--workers", "1", "--quiet", "--out", str(tmp_path)]

    def runs_only(out, **kw):  # the same comparison without its summary and figures
        return sim.sweep.compare_rules(RunRequest(population=200), "bilateral,caucus", 4,
                                       run_outcomes, workers=1, out_dir=out, progress=False,
                                       **kw)

    assert main(argv) == 1
    assert "--retry-failed reruns them" in capsys.readouterr().err
    assert main(argv) == 1  # the same command again: the failed runs are not played again
    assert f"nothing was run: 6 runs were in {tmp_path}/store/ already, and 2 that failed " \
           "before were not run again" in capsys.readouterr().out
    monkeypatch.setattr(sim.batch, "play", seed_3_fails)  # the fault is mended
    again = runs_only(tmp_path)  # the same request: nothing run, the failures kept
    assert again.ran == 0 and [f[:2] for f in again.failures] == [("bilateral", 3),
                                                                  ("caucus", 3)]
    assert "boom on seed 3" in (tmp_path / "failures.csv").read_text()
    assert main([*argv, "--retry-failed"]) == 0
    record = json.loads((tmp_path / "manifest.json").read_text())
    assert record["resumptions"][-1]["ran"] == 2 and record["failed"] == 0
    assert not (tmp_path / "failures.csv").exists()
    whole = runs_only(tmp_path / "whole")
    assert (tmp_path / "results.csv").read_bytes() == \
        (whole.out_dir / "results.csv").read_bytes()


def test_rule_lists_keep_parameters_with_their_rule():
    assert split_rules("caucus,hybrid:min_stake=0.2,max_spread=0.3,coalition:k=2") == [
        "caucus", "hybrid:min_stake=0.2,max_spread=0.3", "coalition:k=2"]
    assert split_rules("all")[:2] == ["bilateral", "caucus"]


@pytest.mark.parametrize(("argv", "says"), [
    (["--rules", "bilateral,nosuch"], "unknown rule"),
    (["--rules", "coalition:k=7"], "coalition:k=7"),
    (["--seeds", "0"], "--seeds"),
    (["--workers", "0"], "--workers"),
    (["--param", "temperature=-1"], "temperature"),
])
def test_bad_compare_input_exits_2_with_a_message(argv, says, tmp_path, capsys):
    code = main(["compare", "ukraine_response", "--quiet", "--out", str(tmp_path / "x"),
                 "--seeds", "2", *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error:") and says in err
    assert "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_compare_command_prints_a_table_and_writes_its_folder(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "ukraine_response", "--rules", "bilateral,caucus", "--seeds", "8",
                 "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert lines[0].split()[:3] == ["rule", "cohesion", "joint"]
    assert any(line.startswith("bilateral ") for line in lines)
    assert any(line.startswith("caucus ") and "[" in line for line in lines)
    assert (out / "manifest.json").exists() and "wrote" in printed


def test_a_killed_compare_resumes_to_the_same_results(serial_and_parallel, tmp_path):
    one, _ = serial_and_parallel
    out = tmp_path / "killed"
    argv = ["compare", "ukraine_response", "--seeds", str(SEEDS), "--root-seed", "5",
            "--workers", "1", "--quiet", "--out", str(out)]
    proc = cli(*argv)
    wait_for(lambda: ledger_lines(out / "store") >= 5 or proc.poll() is not None,
             what="first parts")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < ledger_lines(out / "store") < len(one.rules) * SEEDS, "the kill must land mid-way"
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    assert main(argv) == 0  # the same command
    record = json.loads((out / "manifest.json").read_text())
    (resumed,) = record["resumptions"]
    assert record["status"] == "complete" and record["ran"] is None  # the killed call's
    assert resumed["already_done"] >= 5
    assert resumed["ran"] + resumed["already_done"] == record["runs"] == len(one.rules) * SEEDS
    for name in ("results.csv", "summary.csv"):
        assert (out / name).read_bytes() == (one.out_dir / name).read_bytes(), name


def test_a_finished_comparison_run_again_keeps_its_provenance_and_says_nothing_ran(
        tmp_path, capsys):
    out = tmp_path / "cmp"
    ask = {"rules": "bilateral", "n_seeds": 2, "workers": 1, "out_dir": out,
           "progress": False, "population": 200}
    compare("cyber_attack", command=["first"], **ask)
    first = json.loads((out / "manifest.json").read_text())
    again = compare("cyber_attack", command=["again"], **ask)
    record = json.loads((out / "manifest.json").read_text())
    calls = ("created", "command", "workers", "ran", "already_done", "seconds",
             "runs_per_second", "ip4sim", "versions", "git_commit")
    assert {k: record[k] for k in calls} == {k: first[k] for k in calls}
    assert record["command"] == ["first"] and record["ran"] == 2
    (call,) = record["resumptions"]
    assert call["command"] == ["again"] and call["ran"] == 0 and call["already_done"] == 2
    assert again.summary == compare("cyber_attack", **ask).summary
    assert main(["compare", "cyber_attack", "--rules", "bilateral", "--seeds", "2",
                 "--population", "200", "--quiet", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(
        f"nothing needed running: the 2 runs were in {out}/store/ already; wrote {out}/")
    assert len(json.loads((out / "manifest.json").read_text())["resumptions"]) == 3


def test_a_folder_of_another_request_is_refused_and_kept(serial_and_parallel, tmp_path,
                                                          capsys):
    one, _ = serial_and_parallel
    before = {p: p.stat().st_mtime_ns for p in one.out_dir.rglob("*")}
    code = main(["compare", "ukraine_response", "--seeds", str(SEEDS), "--root-seed", "6",
                 "--quiet", "--out", str(one.out_dir)])
    err = capsys.readouterr().err
    assert code == 2 and "holds another comparison" in err and "root seed 5" in err
    assert "which differs in root seed: 5 in the folder, 6 now: choose" in err
    assert {p: p.stat().st_mtime_ns for p in one.out_dir.rglob("*")} == before
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["compare", "ukraine_response", "--seeds", "1", "--quiet",
                 "--out", str(tmp_path)]) == 2
    assert "holds files but no manifest.json: no store/ of a comparison" in \
        capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_comparison_of_an_edited_scenario_file_is_refused_for_that_edit(tmp_path, capsys):
    scenario = tmp_path / "ur.yaml"
    scenario.write_text((library_dir() / "cyber_attack.yaml").read_text(encoding="utf-8"))
    argv = ["compare", str(scenario), "--rules", "bilateral", "--seeds", "1", "--population",
            "200", "--workers", "1", "--quiet", "--out", str(tmp_path / "cmp")]
    assert main(argv) == 0
    before = load_scenario(str(scenario)).sha256
    with scenario.open("a", encoding="utf-8") as f:
        f.write("# edited\n")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"which differs in scenario file's content (sha256): {before[:12]} in the folder, " \
           f"{load_scenario(str(scenario)).sha256[:12]} now: choose another folder" in err


def default_folder(*argv: str) -> str:
    base = what_if(build_parser().parse_args(["compare", "ukraine_response", *argv]),
                   "ukraine_response")
    return compare_folder(*plan_compare(base, "bilateral", 4, 1)).name


def test_the_default_folder_names_what_was_set(tmp_path, monkeypatch):
    plain = default_folder()
    assert re.fullmatch(r"compare-ukraine_response-[0-9a-f]{8}", plain)
    hot = default_folder("--param", "temperature=0.2")
    assert hot.startswith("compare-ukraine_response-temperature=0.2-")
    names = {plain, hot, default_folder("--param", "temperature=0.3"),
             default_folder("--set", "NZL.coercion_vulnerability=0.8"),
             default_folder("--set", "KOR.government=progressive"),
             default_folder("--lever", "messaging=1"), default_folder("--population", "300")}
    assert len(names) == 7
    assert default_folder("--param", "temperature=0.2") == hot  # the same request resumes
    monkeypatch.chdir(tmp_path)
    assert main(["compare", "ukraine_response", "--rules", "bilateral", "--seeds", "1",
                 "--quiet", "--param", "temperature=0.2"]) == 0
    (folder,) = (tmp_path / "runs").iterdir()
    assert folder.name.startswith("compare-ukraine_response-temperature=0.2-")


@pytest.mark.parametrize("given", [True, False])
def test_an_interrupted_compare_names_the_folder_that_keeps_its_runs(given, tmp_path,
                                                                     monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.sweep, "run_store", interrupted)
    monkeypatch.chdir(tmp_path)
    out = ["--out", str(tmp_path / "cmp")] if given else []
    assert main(["compare", "ukraine_response", "--rules", "bilateral", "--seeds", "1",
                 "--quiet", *out]) == 130
    (folder,) = [tmp_path / "cmp"] if given else (tmp_path / "runs").iterdir()
    shown = folder if given else folder.relative_to(tmp_path)  # as typed, or the default
    assert f"finished runs are kept in {shown}/store/: the same command resumes" in \
        capsys.readouterr().err


def test_analyze_points_a_comparison_to_its_store(serial_and_parallel, capsys, tmp_path):
    one, _ = serial_and_parallel
    assert main(["analyze", str(one.out_dir)]) == 2
    assert f"its runs are a sweep's dataset in {one.out_dir}/store; ip4sim analyze " \
           f"{one.out_dir}/store" in capsys.readouterr().err
    # the store names its rules as typed (all); its rows carry each rule's whole spec
    assert main(["analyze", str(one.out_dir / "store"), "--out", str(tmp_path / "an")]) == 0
    import pandas as pd

    paired = pd.read_csv(tmp_path / "an" / "paired_differences.csv")
    assert len(one.rules) > 2 and paired["rule"].nunique() == len(one.rules) - 1
    assert all(spec.split(":")[0] in one.rules[1:] for spec in paired["rule"])


def test_a_comparison_of_two_versions_of_one_rule_is_paired_by_analyze(tmp_path):
    import pandas as pd

    from sim.app import analyze

    compare("dprk_provocation", "caucus,caucus:pull=0.5", 2, workers=1, out_dir=tmp_path / "c",
            progress=False, population=200)
    analyze(tmp_path / "c" / "store", tmp_path / "an")
    paired = pd.read_csv(tmp_path / "an" / "paired_differences.csv")
    assert set(zip(paired["rule"], paired["baseline"], strict=True)) == {
        ("caucus:pull=0.5,cover=0.35", "caucus:pull=1.0,cover=0.35")}


def summary_of(outcome: str, values: list[float]):
    """The summary row of one rule's runs of ``outcome`` (run-wide), one value a seed."""
    from analysis.compare import summarize

    (row,) = summarize([("s", "a", seed, outcome, "", v) for seed, v in enumerate(values)],
                       ["a"])
    return row


def test_an_outcome_equal_in_every_run_gets_the_interval_its_bounds_allow():
    """40 runs all at 0 do not make a rate exactly 0: up to 1 - 0.025^(1/40) = 0.088 is
    as likely as 0.025 to give that (the t interval's [0, 0] claimed certainty)."""
    from analysis.compare import cell

    rate = summary_of("joint_rate", [0.0] * 40)
    assert (rate.ci_low, rate.ci_high) == (0.0, pytest.approx(1 - 0.025 ** (1 / 40)))
    assert rate.interval == "all equal: widest the bounds allow"
    share = summary_of("cohesion", [0.6] * 40)  # toward both bounds, in proportion
    assert share.ci_low == pytest.approx(0.6 - 0.6 * (1 - 0.025 ** (1 / 40)))
    assert share.ci_high == pytest.approx(0.6 + 0.4 * (1 - 0.025 ** (1 / 40)))
    count = summary_of("attention", [11.07] * 40)  # no upper bound: no interval, said so
    assert math.isnan(count.ci_low) and math.isnan(count.ci_high)
    assert cell(count) == "11.07 (all equal)"
    assert cell(summary_of("attention", [3.0])) == "3.00 (n=1)"


def test_a_0_1_outcome_gets_a_wilson_interval():
    one_in_40 = summary_of("joint_any", [1.0] + [0.0] * 39)
    assert one_in_40.interval == "wilson"
    # Wilson for 1 of 40; the clipped t interval would end at 0.076
    assert (one_in_40.ci_low, one_in_40.ci_high) == (pytest.approx(0.00443, abs=1e-4),
                                                    pytest.approx(0.12882, abs=1e-4))


def test_a_paired_difference_cancels_what_the_seeds_share():
    # Common random numbers: each seed moves both rules alike (by up to 0.5), the rules
    # differ by 0.1 and a little noise. The paired interval must be far narrower than the
    # two rules' intervals side by side, and centred on 0.1.
    from analysis.compare import batch_differences, summarize

    rng = np.random.default_rng(4)
    luck = rng.uniform(0, 0.5, 40)
    rows = [("s", rule, seed, "response_size", "", float(luck[seed] + shift
                                                         + rng.normal(0, 0.01)))
            for rule, shift in (("caucus", 0.2), ("formal", 0.3)) for seed in range(40)]
    (d,) = batch_differences(rows, ["caucus", "formal"]).itertuples()
    (a, b) = summarize(rows, ["caucus", "formal"])
    assert d.rule == "formal" and d.pairs == 40 and d.interval == "t"
    assert d.ci_low < 0.1 < d.ci_high and abs(d.mean_difference - 0.1) < 0.01
    assert (d.ci_high - d.ci_low) * 10 < (a.ci_high - a.ci_low) + (b.ci_high - b.ci_low)


def test_a_comparison_writes_its_paired_differences_only_with_two_rules(tmp_path):
    two = compare("ukraine_response", "bilateral,caucus", 3, workers=1, out_dir=tmp_path / "2",
                  progress=False)
    assert "differences.csv" in two.files and "Each rule less bilateral" in two.table()
    text = (tmp_path / "2" / "differences.csv").read_text()
    assert text.startswith("rule,baseline,outcome,actor,mean_difference,ci_low,ci_high,n,")
    assert "\ncaucus,bilateral,joint_rate,,0.6" in text
    one = compare("ukraine_response", "caucus", 3, workers=1, out_dir=tmp_path / "1",
                  progress=False)
    assert "differences.csv" not in one.files and "Each rule less" not in one.table()
    assert not (tmp_path / "1" / "differences.csv").exists()


def test_a_comparison_stopped_by_ctrl_c_says_how_many_runs_its_store_keeps(
        tmp_path, monkeypatch, capsys):
    # as a sweep says it: the runs done of those planned, the store, the command again
    def stopped(plan, out, *args, **kwargs):
        raise sim.sweep.SweepInterrupted(Path(out), 5, 1, len(plan.jobs))

    monkeypatch.setattr(sim.sweep, "run_store", stopped)
    handler = signal.getsignal(signal.SIGINT)
    try:
        assert main(["compare", "ukraine_response", "--rules", "bilateral,caucus", "--seeds",
                     "4", "--quiet", "--out", str(tmp_path / "c")]) == 130
        # called with its arguments (not as the program): Ctrl-C works again afterwards
        assert signal.getsignal(signal.SIGINT) is handler
    finally:
        signal.signal(signal.SIGINT, handler)
    err = capsys.readouterr().err
    assert f"6 of 8 runs are done (1 of them failed) and kept in {tmp_path / 'c' / 'store'}/; " \
           "to resume, run again" in err


def test_a_comparison_holds_its_store_until_its_results_are_read(tmp_path, monkeypatch):
    # reading the results tidies the store (parts the ledger does not name are removed):
    # another process must not be writing it then
    from scenarios.errors import InputError

    read = sim.sweep.compare_results

    def reading(store, scenario):
        with pytest.raises(InputError):
            sim.sweep.hold_lock(store.out)
        return read(store, scenario)

    monkeypatch.setattr(sim.sweep, "compare_results", reading)
    compare("ukraine_response", "bilateral,caucus", 2, workers=1, out_dir=tmp_path / "c",
            progress=False)
    sim.sweep.hold_lock(tmp_path / "c" / "store").close()  # free once it is done


def test_a_cell_never_shows_a_negative_zero():
    from analysis.compare import SummaryRow, cell

    row = SummaryRow("caucus", "response_size", "", -0.001, -0.004, 0.002, 30, "t")
    assert cell(row) == "0.00 [0.00, 0.00]"
