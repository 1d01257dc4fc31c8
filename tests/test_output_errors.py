"""An output that cannot be written (a full disk, a folder that may not be written) ends in
a line naming the file and the OS's reason, exit code 74, never a traceback; a sweep's store
keeps the parts written before and the message says the command that resumes it."""

import errno
import json
import os
import pathlib

import pyarrow.parquet as pq
import pytest

from sim.app import run_sweep
from sim.cli import EXIT_UNWRITTEN, main
from tests.sweeps import dataset, ledger_lines, manifest, sweep_file

NO_SPACE = os.strerror(errno.ENOSPC)  # "No space left on device"


def disk_full_from_part(monkeypatch, first: int) -> None:
    """pyarrow's writer fails as a full disk makes it fail (no file named, the OS's words
    inside its own), from the ``first``-th part file on (counted from 1)."""
    real, parts = pq.write_table, []

    def full(table, where, **kwargs):
        if ".part-" in str(where):
            parts.append(where)
            if len(parts) >= first:
                pathlib.Path(where).write_bytes(b"PAR1 half")  # what a full disk leaves
                raise OSError(errno.ENOSPC, f"Error writing bytes to file. Detail: "
                              f"[errno 28] {NO_SPACE}")
        return real(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", full)


def disk_full_for(monkeypatch, name: str) -> None:
    """Text files whose name holds ``name`` fail as on a full disk (the OS names the file
    being written)."""
    real = pathlib.Path.write_text

    def full(self, *args, **kwargs):
        if name in self.name:
            raise OSError(errno.ENOSPC, NO_SPACE, str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", full)


def test_a_full_disk_mid_sweep_keeps_the_parts_written_and_says_how_to_resume(
        tmp_path, monkeypatch, capsys):
    path = sweep_file(tmp_path)
    out = tmp_path / "out"
    disk_full_from_part(monkeypatch, 4)  # 40 runs in blocks of 3: three parts, 9 runs, kept
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) \
        == EXIT_UNWRITTEN
    err = capsys.readouterr().err
    assert err == (f"error: could not write {out}/part-000003.parquet: {NO_SPACE}; 9 of 40 "
                   f"runs are done and kept in {out}/; to resume, run again (the same "
                   "command)\n")
    assert sorted(p.name for p in out.glob("part-*")) == [f"part-00000{i}.parquet"
                                                         for i in range(3)]
    assert ledger_lines(out) == 9 and not list(out.glob(".part-*"))  # the half part gone
    assert manifest(out)["status"] == "incomplete" and manifest(out)["done"] == 9
    monkeypatch.undo()
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert "31 runs" in capsys.readouterr().out and manifest(out)["status"] == "complete"
    whole = run_sweep(path, tmp_path / "whole", workers=1, progress=False)
    assert whole.ran == 40 and dataset(out).equals(dataset(tmp_path / "whole"))


def test_a_full_disk_on_the_ledger_costs_only_that_block(tmp_path, monkeypatch, capsys):
    path = sweep_file(tmp_path)
    out = tmp_path / "out"
    real, lines = pathlib.Path.open, []

    def full(self, mode="r", *args, **kwargs):
        if self.name == "_ledger.jsonl" and "a" in mode:
            lines.append(mode)
            if len(lines) == 2:
                raise OSError(errno.ENOSPC, NO_SPACE, str(self))
        return real(self, mode, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", full)
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) \
        == EXIT_UNWRITTEN
    assert f"could not write {out}/_ledger.jsonl: {NO_SPACE}; 3 of 40 runs are done" \
        in capsys.readouterr().err
    # the second block's part is in place but not in the ledger: removed, and run again
    assert ledger_lines(out) == 3 and not (out / "part-000001.parquet").exists()
    monkeypatch.undo()
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert ledger_lines(out) == 40


def test_a_comparison_whose_results_cannot_be_written_keeps_its_runs(tmp_path, monkeypatch,
                                                                      capsys):
    out = tmp_path / "cmp"
    argv = ["compare", "ukraine_response", "--rules", "caucus,bilateral", "--seeds", "3",
            "--workers", "1", "--quiet", "--out", str(out)]
    disk_full_for(monkeypatch, "results.csv")
    assert main(argv) == EXIT_UNWRITTEN
    assert capsys.readouterr().err == (
        f"error: could not write {out}/results.csv: {NO_SPACE}; finished runs are kept in "
        f"{out}/store/: the same command resumes\n")
    assert not list(out.glob(".*.partial"))
    monkeypatch.undo()
    assert main(argv) == 0
    assert "nothing needed running: the 6 runs were in" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "name"), [
    (["run", "ukraine_response", "--quiet"], "events.jsonl"),
    (["run", "ukraine_response", "--quiet"], "manifest.json"),  # events and series written
    (["backtest", "--seeds", "2", "--workers", "1", "--quiet"], "backtest.md"),
])
def test_a_run_or_a_backtest_on_a_full_disk_names_the_file(argv, name, tmp_path, monkeypatch,
                                                           capsys):
    out = tmp_path / "o"
    disk_full_for(monkeypatch, name)
    assert main([*argv, "--out", str(out)]) == EXIT_UNWRITTEN
    err = capsys.readouterr().err
    assert err == f"error: could not write {out}/{name}: {NO_SPACE}\n"
    # the files written before the one that failed, without a manifest, would make the
    # folder no command's: they are removed, and the same command writes it whole
    assert list(out.iterdir()) == []
    monkeypatch.undo()
    assert main([*argv, "--out", str(out)]) == 0
    assert (out / "manifest.json").is_file()


def test_an_analysis_on_a_full_disk_leaves_the_sweep_whole(tmp_path, monkeypatch, capsys):
    path = sweep_file(tmp_path)
    store = tmp_path / "store"
    run_sweep(path, store, workers=1, progress=False)
    before = dataset(store)
    disk_full_for(monkeypatch, "analysis.md")
    assert main(["analyze", str(store)]) == EXIT_UNWRITTEN
    assert capsys.readouterr().err == (f"error: could not write {store}/_analysis/"
                                       f"analysis.md: {NO_SPACE}\n")
    assert dataset(store).equals(before)
    assert json.loads((store / "_analysis" / "manifest.json").read_text())["status"] \
        == "writing"  # never taken for a finished analysis
    monkeypatch.undo()
    assert main(["analyze", str(store)]) == 0


def unwritable(folder: pathlib.Path) -> str:
    """``folder`` made so that a run cannot write its events there, and the OS's reason.
    Not as root, for whom a folder's mode stops no write: then ``events.jsonl`` is a folder
    (a run may write into its own earlier folder, whose manifest it finds)."""
    if os.geteuid() != 0:
        folder.mkdir()
        folder.chmod(0o500)
        return os.strerror(errno.EACCES)
    assert main(["run", "ukraine_response", "--quiet", "--out", str(folder)]) == 0
    (folder / "events.jsonl").unlink()
    (folder / "events.jsonl").mkdir()
    return os.strerror(errno.EISDIR)


def test_a_folder_that_may_not_be_written_is_named_with_the_reason(tmp_path, capsys):
    folder = tmp_path / "locked"
    why = unwritable(folder)
    capsys.readouterr()
    try:
        assert main(["run", "ukraine_response", "--quiet", "--out", str(folder)]) \
            == EXIT_UNWRITTEN
    finally:
        folder.chmod(0o700)
    assert capsys.readouterr().err == f"error: could not write {folder}/events.jsonl: {why}\n"
    assert not list(folder.glob(".*.partial"))


@pytest.mark.parametrize("elsewhere", [True, False])
def test_a_game_people_played_is_not_lost_to_a_folder_that_cannot_be_written(
        elsewhere, tmp_path, monkeypatch, capsys):
    import tempfile

    from sim.outputs import Choice, read_events

    spare = tmp_path / "spare"
    spare.mkdir()
    if elsewhere:  # the system's temporary folder takes it
        monkeypatch.setattr(tempfile, "tempdir", str(spare))
    else:  # nowhere else either: the events go to the error stream
        monkeypatch.setattr(tempfile, "mkdtemp", lambda **_: (_ for _ in ()).throw(
            OSError(errno.ENOSPC, NO_SPACE)))
    answers = iter(["1"] * 50)
    monkeypatch.setattr("builtins.input", lambda _: next(answers))
    out = tmp_path / "game"
    real = pathlib.Path.write_text

    def full_in_out(self, *args, **kwargs):  # the disk of the --out folder is full
        if self.parent == out:
            raise OSError(errno.ENOSPC, NO_SPACE, str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", full_in_out)
    assert main(["run", "ukraine_response", "--seed", "3", "--player", "JPN",
                 "--out", str(out)]) == EXIT_UNWRITTEN
    err = capsys.readouterr().err
    assert err.endswith(f"error: could not write {out}/events.jsonl: {NO_SPACE}\n")
    if elsewhere:
        (kept,) = spare.iterdir()
        assert f"saved instead in {kept}/ (ip4sim run --replay {kept}/events.jsonl" in err
        events = read_events(kept / "events.jsonl")
    else:
        assert "could not be saved anywhere: its events are above" in err
        lines = [line for line in err.splitlines() if line.startswith("{")]
        path = tmp_path / "typed.jsonl"
        path.write_text("\n".join(lines) + "\n")
        events = read_events(path)
        # without their folder's manifest, the events replay only with the scenario, rule
        # and seed named again (`--replay FILE` alone is refused), as the message says
        assert "--rule RULE --seed N --replay FILE, with the what-ifs" in err
        monkeypatch.undo()
        assert main(["run", "--replay", str(path), "--out", str(tmp_path / "r1")]) == 2
        assert main(["run", "ukraine_response", "--seed", "3", "--player", "JPN",
                     "--replay", str(path), "--out", str(tmp_path / "r2"), "--quiet"]) == 0
        assert (tmp_path / "r2" / "events.jsonl").read_text() == path.read_text()
    japan = [e for e in events if isinstance(e, Choice) and e.actor == "JPN"]
    assert japan and all(e.by == "human" for e in japan)  # the people's choices are kept


def test_a_results_table_cut_short_leaves_the_one_written_before(tmp_path, monkeypatch,
                                                                 capsys):
    out = tmp_path / "cmp"
    argv = ["compare", "ukraine_response", "--rules", "caucus,bilateral", "--seeds", "2",
            "--workers", "1", "--quiet", "--out", str(out)]
    assert main(argv) == 0
    before = (out / "results.parquet").read_bytes()
    real = pq.write_table

    def full(table, where, **kwargs):  # pyarrow on a full disk: half a file, then the error
        if "results.parquet" in str(where):
            pathlib.Path(where).write_bytes(b"PAR1 half")
            raise OSError(errno.ENOSPC, f"Error writing bytes to file. Detail: [errno 28] "
                          f"{NO_SPACE}")
        return real(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", full)
    assert main(argv) == EXIT_UNWRITTEN
    assert f"could not write {out}/results.parquet: {NO_SPACE}" in capsys.readouterr().err
    assert (out / "results.parquet").read_bytes() == before  # still whole, still readable
    assert not list(out.glob(".*.partial"))


def test_a_figure_cut_short_by_a_full_disk_is_named_and_not_left_half_written(
        tmp_path, monkeypatch, capsys):
    out = tmp_path / "o"
    real = pathlib.Path.write_bytes

    def full(self, data):  # a full disk mid-write: part of the file, and an error naming none
        if "summary.png" in self.name:
            real(self, data[:4096])
            raise OSError(errno.ENOSPC, NO_SPACE)
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", full)
    assert main(["run", "ukraine_response", "--quiet", "--out", str(out)]) == EXIT_UNWRITTEN
    assert capsys.readouterr().err == f"error: could not write {out}/summary.png: {NO_SPACE}\n"
    assert not (out / "summary.png").exists() and not list(out.glob(".*.partial"))
