"""Sweeps: a design over factors, every point under every rule on the same seeds, streamed
to a resumable Parquet dataset.

* **Plan** (:func:`plan_sweep`): the sweep file (``scenarios.sweep``) checked through the
  one input layer: each factor's extremes and levels are put in a ``RunRequest`` and
  checked as a run would be, so an unknown factor or a value out of bounds is refused
  before any run, with the file, the field and the line.
* **Designs** (:func:`design_points`) are drawn in the unit cube, one column per factor,
  and mapped to values: a range linearly, levels by equal slices. Grid: every
  combination; Latin hypercube (``scipy.stats.qmc``); Sobol (SALib's Saltelli
  sampling, first and total order); Morris (SALib's trajectories).
* **Seeds**: replicate ``r`` of every point and rule plays seed ``derive_seeds(root_seed,
  replicates)[r]``: common random numbers across points and rules (paired differences
  between rules and between points are much tighter than separate intervals), and a
  sweep given more replicates or points keeps the seeds it had.
* **Jobs**: scenario x point x replicate x rule, each with an id hashed from the file's
  hash and those four, so a resumed sweep knows what it has.
* **Store** (:class:`Store`): DIR holds ``part-NNNNNN.parquet`` files (written to a
  temporary name, then renamed), ``_ledger.jsonl`` (a line per finished job: done, or
  failed with its traceback), ``_sweep.json`` (the file, its hash, the status) and
  ``_design.parquet`` (each point's unit coordinates and values), and ``_lock``, which the
  process writing the store holds (a second process on the same store is refused: its
  clean-up would remove the first one's parts in the making). A part is the result of
  one fixed block of jobs, so the parts' bytes do not depend on the executor, and a part
  the ledger does not name (written, then the process died) is removed and recomputed.
  Names beginning with ``_`` or ``.`` are skipped by pyarrow's dataset reader, so
  ``pandas.read_parquet(DIR)`` reads exactly the tidy table; our own readers read the
  part files by name (``sim.outputs.sweep_dataset``).
* **Compare** (:func:`compare_rules`): a sweep with one factor, the rule; its what-ifs are
  factors of one level, its store ``OUT/store``, so it streams and resumes too.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import itertools
import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from scenarios.errors import InputError, Problem, did_you_mean, option_problems
from scenarios.information import LEVERS
from scenarios.loader import LoadedScenario, load_scenario
from scenarios.parameters import Parameters
from scenarios.sweep import Factor, Sweep, SweepFile, load_sweep, parse_sweep
from sim.analysis_folder import set_aside_old_analysis
from sim.batch import (
    Job,
    JobResult,
    Progress,
    Reduce,
    check_failures,
    check_rules,
    default_workers,
    derive_seeds,
    quiet_dask_logs,
    stream_chunks,
)
from sim.outputs import SWEEP_DESIGN as DESIGN
from sim.outputs import SWEEP_ID_COLUMNS as ID_COLUMNS
from sim.outputs import SWEEP_LEDGER as LEDGER
from sim.outputs import SWEEP_MANIFEST as MANIFEST
from sim.outputs import (
    BatchCall,
    CompareManifest,
    CompareRule,
    CompareSeeds,
    ResultRow,
    ScenarioRecord,
    SweepLedger,
    differences,
    read_model,
    read_sweep_ledger,
    refuse_unless,
    sweep_dataset,
    sweep_parts,
    write_manifest,
    write_results,
    write_text,
)
from sim.provenance import code_fingerprint, git_commit, package_version, versions
from sim.request import CheckedRun, RunRequest, check_seed_count
from sim.rules import parse_rule
from sim.signals import ctrl_c_ignored
from sim.writing import WriteFailed, replaced, written

# Jobs per part file: at ~10 ms a run, half a second of work, so a killed sweep loses
# little and a 100,000-run sweep makes ~2,000 files; small sweeps use smaller blocks so
# they still spread over every worker. Fixed by the job count alone, so the parts are the
# same whichever executor ran them.
BLOCK_RUNS = 50
MIN_BLOCKS = 16


# -- factors ---------------------------------------------------------------------------

def factor_kind(name: str) -> str:
    """What a factor name sets: parameter, population, lever, profile or government."""
    if name == "population":
        return "population"
    if name in LEVERS:
        return "lever"
    if "." in name:
        return "government" if name.endswith(".government") else "profile"
    return "parameter"


def factor_value(factor: Factor, u: float) -> float | str:
    """The factor's value at unit coordinate ``u``: a range linearly, levels by equal
    slices of [0, 1]; population is a whole number."""
    if factor.levels is not None:
        return factor.levels[min(int(u * len(factor.levels)), len(factor.levels) - 1)]
    low, high = factor.range
    value = min(high, max(low, (1 - u) * low + u * high))  # the ends exactly at u = 0, 1
    return round(value) if factor.name == "population" else float(value)


def apply(request: RunRequest, values: dict[str, float | str]) -> RunRequest:
    """The request with the factors' values set where each belongs."""
    update: dict[str, Any] = {k: dict(getattr(request, k)) for k in
                              ("parameters", "overrides", "governments", "levers")}
    update["overrides"] = {c: dict(v) for c, v in update["overrides"].items()}
    for name, value in values.items():
        kind = factor_kind(name)
        if kind == "population":
            update["population"] = value
        elif kind == "lever":
            update["levers"][name] = value
        elif kind == "government":
            update["governments"][name.partition(".")[0]] = value
        elif kind == "profile":
            code, _, dim = name.partition(".")
            update["overrides"].setdefault(code, {})[dim] = value
        else:
            update["parameters"][name] = value
    return RunRequest.model_validate({**request.model_dump(), **update})


def factor_problems(sf: SweepFile, loaded: LoadedScenario | None) -> list[Problem]:
    """Each factor's extremes (or levels) checked as a run's input, one at a time, so the
    message names the factor, its field in the file and the line. With no scenario of the
    sweep's that loads, only the names are checked (whether a value is allowed may depend
    on the scenario: a lever that needs its Council decision)."""
    problems = []
    base = RunRequest(scenario=loaded.path) if loaded else RunRequest()
    for i, factor in enumerate(sf.sweep.factors):
        where = "range" if factor.range is not None else "levels"
        kind = factor_kind(factor.name)
        # a name no value can make right (an unknown parameter, actor or profile field) is
        # the name's problem, on its line: profile values all take the middle of [0, 1]
        name_message = check_message(base, {factor.name: 0.5}) if kind == "profile" else \
            unknown_factor(factor.name) if kind == "parameter" \
            and factor.name not in Parameters.model_fields else None
        if name_message:
            problems.append(sf.problem(("factors", i, "name"), name_message))
        if name_message or loaded is None:
            continue
        values = factor.range if factor.range is not None else factor.levels
        for j, value in enumerate(values):
            if kind == "population" and isinstance(value, float) and not value.is_integer() \
                    and factor.levels is not None:
                message = f"population is a whole number, not {value}"
            elif kind == "population" and not isinstance(value, str):
                message = check_message(base, {factor.name: round(value)})
            else:
                message = check_message(base, {factor.name: value})
            if message:
                problems.append(sf.problem(("factors", i, where, j), f"{value!r}: {message}"))
                break
    return problems


def unknown_factor(name: str) -> str:
    """What is wrong with a factor name that is none of the kinds a factor can be, with the
    closest name of any kind."""
    known = [*Parameters.model_fields, *LEVERS, "population"]
    return (f"{name}: unknown factor{did_you_mean(name, known)}; a factor is a parameter "
            f"(`ip4sim params` lists them), a lever ({', '.join(LEVERS)}), population, "
            "CODE.field (a profile value) or CODE.government")


def check_message(base: RunRequest, values: dict[str, float | str]) -> str | None:
    try:
        apply(base, values).check(load_scenario(base.scenario))
    except ValidationError as err:  # a level of the wrong type for its field
        return "; ".join(p.message for p in option_problems(err, "").problems)
    except InputError as err:  # the field, unless it is only the value again
        typed = {str(v) for v in values.values()}
        return "; ".join(f"{p.field}: {p.message}" if p.field and p.field not in typed
                         else p.message for p in err.problems)
    return None


def expand_rules(sf: SweepFile) -> list[str]:
    """The rules' full specs (as the dataset's ``rule`` column has them): strings as given,
    ``{rule: {param: [levels]}}`` as the product of its parameters' levels; each checked
    as ``--rules`` is."""
    specs: list[str] = []
    problems: list[Problem] = []
    for i, item in enumerate(sf.sweep.rules):
        mine = [item] if isinstance(item, str) else []
        for name, params in ({} if isinstance(item, str) else item).items():
            lists = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
            for combo in itertools.product(*lists.values()):
                args = ",".join(f"{k}={v}" for k, v in zip(lists, combo, strict=True))
                mine.append(f"{name}:{args}" if args else name)
        try:
            specs += check_rules(mine)
        except InputError as err:
            problems += [sf.problem(("rules", i), f"{p.field}: {p.message}")
                         for p in err.problems]
    if problems:
        raise InputError(problems)
    return [parse_rule(spec).spec() for spec in check_rules(specs)]


# -- designs -------------------------------------------------------------------------

def design_points(sweep: Sweep) -> np.ndarray:
    """The design in the unit cube: one row per point, one column per factor."""
    d, design, seed = len(sweep.factors), sweep.design, sweep.root_seed
    if d == 0:
        return np.zeros((1, 0))
    if design.kind == "grid":
        axes = [np.linspace(0.0, 1.0, design.levels) if f.range is not None else
                (np.arange(len(f.levels)) + 0.5) / len(f.levels) for f in sweep.factors]
        return np.array(list(itertools.product(*axes)), dtype=float)
    if design.kind == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(design.points)
    problem = unit_problem(sweep)
    if design.kind == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, design.points, calc_second_order=False, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, design.points, num_levels=design.levels, seed=seed)


def unit_problem(sweep: Sweep) -> dict:
    """SALib's problem: every factor on [0, 1] (mapped to its values by factor_value)."""
    return {"num_vars": len(sweep.factors), "names": [f.name for f in sweep.factors],
            "bounds": [[0.0, 1.0]] * len(sweep.factors)}


# -- the plan ------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepJob:
    id: str
    point: int
    replicate: int
    scenario: str  # the scenario's id
    job: Job


@dataclass
class Plan:
    """A checked sweep: its rules, scenarios, design and seeds; its jobs are computed
    from their index when asked for (:class:`Jobs`), so a plan of a million runs takes
    no more memory than one of ten."""

    file: SweepFile
    rules: list[str]
    scenarios: list[LoadedScenario]
    unit: np.ndarray
    values: list[dict[str, float | str]]
    seeds: list[int]
    locations: list[str] = field(default_factory=list)  # each scenario's absolute path

    def __post_init__(self) -> None:
        # resolved once, where the plan is made: a worker started elsewhere finds the file
        self.locations = self.locations or [s.location for s in self.scenarios]

    @property
    def sweep(self) -> Sweep:
        return self.file.sweep

    @property
    def jobs(self) -> Jobs:
        return Jobs(self)

    @property
    def block_size(self) -> int:
        """Jobs per part file, fixed by the number of jobs."""
        return max(1, min(BLOCK_RUNS, math.ceil(len(self.jobs) / MIN_BLOCKS)))

    def blocks(self) -> list[range]:
        """The job indices of each part file."""
        n, size = len(self.jobs), self.block_size
        return [range(i, min(i + size, n)) for i in range(0, n, size)]


class Jobs(Sequence):
    """A plan's jobs in the order scenario, point, replicate, rule (a point's rules next
    to each other, on the same seed), each built from its index."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.shape = (len(plan.scenarios), len(plan.values), len(plan.seeds), len(plan.rules))

    def __len__(self) -> int:
        return math.prod(self.shape)

    def __getitem__(self, i: int) -> SweepJob:  # type: ignore[override]
        s, point, replicate, k = self.where(i)
        loaded, rule = self.plan.scenarios[s], self.plan.rules[k]
        request = apply(RunRequest(scenario=self.plan.locations[s]), self.plan.values[point])
        return SweepJob(self.id(i), point, replicate, loaded.scenario.id,
                        Job(request.model_copy(update={"rule": rule,
                                                       "seed": self.plan.seeds[replicate]}),
                            loaded.sha256))

    def where(self, i: int) -> tuple[int, int, int, int]:
        """Job ``i``'s scenario, point, replicate and rule (their positions)."""
        if not 0 <= i < len(self):
            raise IndexError(i)
        return tuple(int(x) for x in np.unravel_index(i, self.shape))  # type: ignore[return-value]

    def id(self, i: int) -> str:
        """Job ``i``'s id: a hash of the file's sha256, the scenario, point, replicate and
        rule (without building its request, so a resume reads a long ledger quickly)."""
        s, point, replicate, k = self.where(i)
        key = (f"{self.plan.file.sha256}:{self.plan.scenarios[s].scenario.id}:{point}:"
               f"{replicate}:{self.plan.rules[k]}")
        return hashlib.sha256(key.encode()).hexdigest()[:20]


def plan_sweep(path_or_file: str | Path | SweepFile,
               outcome_problem: Callable[[str], str | None] | None = None) -> Plan:
    """The sweep file read and every input checked (InputError before any run)."""
    sf = path_or_file if isinstance(path_or_file, SweepFile) else load_sweep(path_or_file)
    sweep = sf.sweep
    problems: list[Problem] = list(sf.problems)  # its format's, and then what refers
    scenarios = []
    for i, name in enumerate(sweep.scenarios):
        try:
            scenarios.append(load_scenario(name))
        except InputError as err:
            problems += [sf.problem(("scenarios", i), str(p)) for p in err.problems]
    problems += factor_problems(sf, scenarios[0] if scenarios else None)
    if outcome_problem is not None:
        problems += [sf.problem(("outcomes", i), message)
                     for i, name in enumerate(sweep.outcomes)
                     if (message := outcome_problem(name))]
    try:
        rules = expand_rules(sf)
    except InputError as err:
        problems += err.problems
    if problems:
        raise InputError.by_line(problems)
    unit = design_points(sweep)
    values = [{f.name: factor_value(f, u) for f, u in zip(sweep.factors, row, strict=True)}
              for row in unit]
    return Plan(sf, rules, scenarios, unit, values, derive_seeds(sweep.root_seed,
                                                                 sweep.replicates))


# -- the store -----------------------------------------------------------------------

def cut_partial_line(path: Path) -> None:
    """A ledger whose last line a kill cut short loses that piece: otherwise the next line
    appended would be glued onto it (and its job counts as not done, so it runs again)."""
    with path.open("rb+") as f:
        size = f.seek(0, os.SEEK_END)
        if not size:
            return
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return
        f.seek(0)
        f.truncate(f.read().rfind(b"\n") + 1)


LOCK = "_lock"


def hold_lock(out: Path) -> io.TextIOWrapper:
    """The store's lock, held until the returned file is closed (or the process ends);
    InputError if another process holds it. The lock file names the holder's process."""
    handle = open(out / LOCK, "a+", encoding="utf-8")  # noqa: SIM115 (held past this call)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise InputError.one("--out", str(out), (
            f"{holder} is writing this store now: wait for it to end (or stop it), then "
            "run the same command to go on; two at once would remove each other's parts "
            "in the making")) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"ip4sim process {os.getpid()}\n")
    handle.flush()
    return handle


class Store:
    """A sweep's folder: see the module's docstring."""

    lock: io.TextIOWrapper | None = None  # held while the store is written (hold_lock)

    def release(self) -> None:
        """Let another process write the store (the lock file stays: it names no one)."""
        if self.lock is not None:
            self.lock.close()
            self.lock = None

    def __init__(self, out: Path, plan: Plan, command: list[str] | None = None) -> None:
        self.out, self.plan = out, plan
        self.schema = table_schema(plan.sweep)
        # What writes to the store now (the command line; None from Python), for its manifest.
        self.command, self.git_commit = command, git_commit()
        # every version of the code that has played runs into the store, in order
        self.codes: list[str] = []

    @classmethod
    def open(cls, out: str | Path, plan: Plan, command: list[str] | None = None) -> Store:
        """A new store, or the one this sweep file started; InputError (before anything is
        written or removed) for a folder holding anything else. ``command``: the command
        line that opens it, recorded in its manifest."""
        out = Path(out)
        manifest = out / MANIFEST
        record = store_record(out)
        if record is not None and record.get("sha256") != plan.file.sha256:
            raise InputError.one("--out", str(out), (
                f"holds another sweep (from {record.get('file')}, sha256 "
                f"{str(record.get('sha256'))[:12]}; this file is "
                f"{plan.file.sha256[:12]}): resume it with that file, or choose "
                "another folder"))
        if record is not None:
            check_scenarios_unchanged(out, record, plan)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError.one("--out", str(out), f"cannot create the folder: "
                                 f"{err.strerror}") from None
        store = cls(out, plan, command)
        store.lock = hold_lock(out)
        try:
            if record is not None:
                store.codes = list(record.get("codes", []))
                set_aside_old_analysis(out)
            if not manifest.is_file():
                store.write_design()
            store.write_manifest("running")
        except BaseException:
            store.release()
            raise
        return store

    # The ledger: one JSON object a line, appended after its part is in place.
    def read_ledger(self) -> SweepLedger:
        """The ledger (``sim.outputs.read_sweep_ledger``), reconciled with the parts on
        disk: a part it does not name is removed (its jobs run again), and the temporary
        files of an interrupted write are removed."""
        for tmp in self.out.glob(".part-*"):
            tmp.unlink()
        path = self.out / LEDGER
        if path.is_file():
            cut_partial_line(path)
        ledger = read_sweep_ledger(self.out)
        for orphan in {p.name for p in sweep_parts(self.out)} - ledger.parts:
            (self.out / orphan).unlink()
        return ledger

    def write_part(self, name: str, results: list[JobResult]) -> None:
        """One block's rows as a part file (renamed into place), then its ledger lines."""
        import pyarrow.parquet as pq

        # this version's first rows here (failed runs leave none: a retry by another
        # version does not mix two models)
        if any(r.ok for r in results) and code_fingerprint() not in self.codes:
            self.codes.append(code_fingerprint())
            self.write_manifest("running")
        jobs = self.plan.jobs
        meta = {i: jobs[i] for i in (r.index for r in results)}
        table = self.table(meta, [r for r in results if r.ok])
        with replaced(self.out / name) as partial:
            pq.write_table(table, partial, compression="zstd")
        lines = [json.dumps({"id": meta[r.index].id, "part": name,
                             "status": "done" if r.ok else "failed",
                             **({"error": r.error, "traceback": r.trace} if not r.ok else {})})
                 for r in results]
        # a line cut short by a full disk is cut off when the ledger is next read
        with written(self.out / LEDGER), (self.out / LEDGER).open("a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
            f.flush()
            os.fsync(f.fileno())

    def table(self, meta: dict[int, SweepJob], results: list[JobResult]):
        import pyarrow as pa

        columns: dict[str, list] = {name: [] for name in self.schema.names}
        names = [f.name for f in self.plan.sweep.factors]
        for r in results:
            sj = meta[r.index]
            point_values = self.plan.values[sj.point]
            for rule, seed, outcome, actor, value in r.rows:
                for key, v in zip(ID_COLUMNS, (sj.id, sj.point, sj.replicate, sj.scenario,
                                               rule, seed), strict=True):
                    columns[key].append(v)
                for name in names:
                    columns[name].append(point_values[name])
                columns["outcome"].append(outcome)
                columns["actor"].append(actor)
                columns["value"].append(value)
        arrays = [pa.array(columns[f.name], type=f.type, from_pandas=True)
                  for f in self.schema]
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def write_design(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        sweep = self.plan.sweep
        cols: dict[str, Any] = {"point": pa.array(range(len(self.plan.values)), pa.int64())}
        for j, f in enumerate(sweep.factors):
            cols[f"unit:{f.name}"] = pa.array(self.plan.unit[:, j], pa.float64())
            cols[f.name] = pa.array([v[f.name] for v in self.plan.values],
                                    self.schema.field(f.name).type)
        with replaced(self.out / DESIGN) as partial:
            pq.write_table(pa.table(cols), partial)

    def write_manifest(self, status: str, **extra) -> None:
        plan = self.plan
        sweep = plan.sweep
        record = {
            "kind": "sweep",
            "status": status,
            "file": plan.file.source,
            "sha256": plan.file.sha256,
            "sweep": sweep.model_dump(mode="json"),
            # as the rows name them: a comparison's plan keeps its rules as typed
            "rules": [parse_rule(rule).spec() for rule in plan.rules],
            "scenarios": [{"id": s.scenario.id, "file": s.location, "sha256": s.sha256}
                          for s in plan.scenarios],
            "factors": [{"name": f.name, "kind": factor_kind(f.name),
                         **({"range": list(f.range)} if f.range else {"levels": f.levels})}
                        for f in sweep.factors],
            "points": len(plan.values),
            "seeds": {"root_seed": sweep.root_seed, "seeds": plan.seeds,
                      "derivation": "sim.batch.derive_seeds(root_seed, replicates)[replicate]"},
            "jobs": len(plan.jobs),
            "ip4sim": package_version("ip4sim"),
            "versions": {**versions(), "pyarrow": package_version("pyarrow")},
            "git_commit": self.git_commit,
            "codes": self.codes,
            "command": self.command,
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "text": plan.file.text,
            **extra,
        }
        write_text(self.out / MANIFEST, json.dumps(record, indent=2) + "\n")


def check_scenarios_unchanged(out: Path, record: dict, plan: Plan) -> None:
    """InputError when a scenario file was edited since the store's runs began: the
    jobs' ids hash the sweep file, not the scenarios it names, so a resume would otherwise
    mix runs of both versions in one dataset."""
    was = {s["id"]: s["sha256"] for s in record.get("scenarios", [])}
    for loaded in plan.scenarios:
        before = was.get(loaded.scenario.id)
        if before is not None and before != loaded.sha256:
            raise InputError.one("--out", str(out), (
                f"its runs were played with another version of the scenario file "
                f"{loaded.path} (sha256 {before[:12]} then, {loaded.sha256[:12]} now): "
                "restore that version to resume, or choose another folder (nothing in it "
                "was touched)"))


def store_record(out: Path) -> dict | None:
    """The manifest of the sweep store ``out`` holds, or None for a new or empty folder;
    InputError naming what the folder holds otherwise (``sim.outputs.refuse_unless``)."""
    kind = refuse_unless(out, {"empty", "sweep"}, "a sweep writes only into a new folder or "
                         "its own store: choose another folder (nothing in it was touched)",
                         "--out")
    return json.loads((out / MANIFEST).read_text(encoding="utf-8")) if kind == "sweep" else None


def table_schema(sweep: Sweep):
    import pyarrow as pa

    fields = [("job", pa.string()), ("point", pa.int64()), ("replicate", pa.int64()),
              ("scenario", pa.string()), ("rule", pa.string()), ("seed", pa.int64())]
    for f in sweep.factors:
        values = f.levels if f.levels is not None else [0.0]
        textual = any(isinstance(v, str) for v in values)
        kind = pa.string() if textual else (pa.int64() if f.name == "population"
                                            else pa.float64())
        fields.append((f.name, kind))
    fields += [("outcome", pa.string()), ("actor", pa.string()), ("value", pa.float64())]
    return pa.schema(fields)


# -- running -------------------------------------------------------------------------

@dataclass
class SweepRun:
    out: Path
    plan: Plan
    ran: int  # jobs run by this call
    skipped: int  # in the store before it: done, or failed and not retried
    failed: int  # failed jobs in the whole store
    seconds: float
    not_retried: int = 0  # of the skipped, those that had failed (without retry_failed)

    @property
    def complete(self) -> bool:
        return self.failed == 0


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep, raised once its store is marked incomplete: what it keeps."""

    def __init__(self, out: Path, done: int, failed: int, jobs: int) -> None:
        super().__init__(f"{done} of {jobs} runs done, {failed} failed, kept in {out}")
        self.out, self.done, self.failed, self.jobs = out, done, failed, jobs


class SweepUnwritten(WriteFailed):
    """A sweep stopped by a file it could not write (a full disk), raised once its store
    has set aside the part in the making: the file and the reason, and what it keeps."""

    def __init__(self, err: WriteFailed, out: Path, done: int, failed: int, jobs: int) -> None:
        super().__init__(err.errno, err.strerror, err.filename)
        self.out, self.done, self.failed, self.jobs = out, done, failed, jobs


def run_store(plan: Plan, out: str | Path, reduce: Reduce, workers: int | None = None,
              executor: Executor | None = None, retry_failed: bool = False,
              progress: bool = True, description: str | None = None,
              command: list[str] | None = None, store: Store | None = None) -> SweepRun:
    """Run what the store does not have (and, with ``retry_failed``, what failed), block
    by block, each block's part written as it arrives; ``command`` goes to the store's
    manifest. ``store``: the store at ``out`` opened by the caller, who holds its lock
    past this call and releases it (else it is opened and released here)."""
    import time

    own = store is None
    store = store or Store.open(out, plan, command)
    ledger = store.read_ledger()
    skip = ledger.done | (set() if retry_failed else set(ledger.failed))
    attempt = sum(1 for _ in store.out.glob("part-*-r*.parquet")) + 1 if retry_failed else 0
    jobs = plan.jobs
    if skip:  # one pass over the ids (cheap), keeping only what is left to run
        left = {b: [i for i in block if jobs.id(i) not in skip]
                for b, block in enumerate(plan.blocks())}
        left = {b: indices for b, indices in left.items() if indices}
    else:
        left = dict(enumerate(plan.blocks()))
    remaining = sum(map(len, left.values()))
    suffix = f"-r{attempt}" if retry_failed else ""

    def chunks():  # built as workers free up: only a few blocks' jobs are ever in memory
        for indices in left.values():
            yield [(i, jobs[i].job) for i in indices]

    workers = workers or default_workers()
    start = time.perf_counter()
    ran = failed_now = 0
    stopped = False
    unwritten: WriteFailed | None = None
    try:
        with Progress(len(jobs), len(jobs) - remaining,
                      description or Path(out).name or "sweep",
                      progress) as bar, \
                contextlib.closing(stream_chunks(chunks(), reduce, workers, executor)) as results:
            for done in results:
                block = done[0].index // plan.block_size
                store.write_part(f"part-{block:06d}{suffix}.parquet", done)
                ran += len(done)
                failed_now += sum(not r.ok for r in done)
                bar.update(len(done), sum(not r.ok for r in done))
    except KeyboardInterrupt:
        stopped = True
    except WriteFailed as err:  # a full disk: the workers stopped, the parts written kept
        unwritten = err
    finally:
        seconds = time.perf_counter() - start
        # a second Ctrl-C while the store is closed would cut that short, and what it
        # keeps would go unsaid: once stopped, nothing is left to stop
        with ctrl_c_ignored() if stopped else contextlib.nullcontext():
            final = end_store(store, own, unwritten is not None)
    kept = (store.out, len(final.done), len(final.failed), len(plan.jobs))
    if stopped:  # said once the store says so
        raise SweepInterrupted(*kept)
    if unwritten is not None:
        raise SweepUnwritten(unwritten, *kept) from unwritten
    check_failures(failed_now, ran, next(iter(final.failed.values()), ""))
    return SweepRun(store.out, plan, ran, len(jobs) - remaining, len(final.failed), seconds,
                    0 if retry_failed else len(ledger.failed))


def end_store(store: Store, own: bool, unwritten: bool) -> SweepLedger:
    """The store's ledger as a call on it ends, and its manifest marked complete or not;
    its lock released if this call took it. A manifest that cannot be written after a
    write failed already (the disk still full) stays ``running``, which resumes the same:
    the first failure is the one to report."""
    try:
        final = store.read_ledger()
        finished = len(final.done) + len(final.failed) == len(store.plan.jobs)
        with contextlib.suppress(OSError) if unwritten else contextlib.nullcontext():
            store.write_manifest("complete" if finished else "incomplete",
                                 done=len(final.done), failed=len(final.failed))
        return final
    finally:
        if own:
            store.release()


@contextlib.contextmanager
def dask_executor(address: str, workers: int | None) -> Iterator[Executor]:
    """``local``: a local Dask cluster of ``workers`` processes; else the address of a
    running scheduler (``tcp://HOST:8786``). InputError if Dask is missing or the
    scheduler cannot be reached, before any run. Closed here, the client then the
    cluster; when the batch stopped (Ctrl-C, an error) quietly (:func:`dask_stopped`)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError.one("--dask", address, "needs Dask: pip install 'ip4sim[dask]'"
                             ) from None
    if address == "local":
        # Ctrl-C is ignored while the cluster starts, so its workers are born ignoring it
        # (a terminal's Ctrl-C reaches them too) and a start cut short leaves nothing to
        # Dask's exit handlers; sim.batch.dask_setup (preload) does the same in a worker
        # Dask starts again later. The dashboard on a free port: two sweeps at once do not
        # warn of a port in use.
        with ctrl_c_ignored():
            cluster = LocalCluster(n_workers=workers or default_workers(),
                                   threads_per_worker=1, processes=True,
                                   dashboard_address=":0", preload=["sim.batch"])
            client = Client(cluster)
    else:
        cluster = None
        try:
            client = Client(address, timeout=DASK_CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError.one("--dask", address, f"cannot reach the scheduler: {err}"
                                 ) from None
    executor = client.get_executor()
    try:
        yield executor
    except BaseException:
        with dask_stopped(client, cluster is not None):
            executor.shutdown(wait=False)  # its futures cancelled, not left to be gathered
            close_dask(client, cluster)
        raise
    close_dask(client, cluster)


def close_dask(client, cluster) -> None:
    """The client first, so the scheduler no longer wants the results the workers hold
    when the cluster closes them."""
    client.close()
    if cluster is not None:
        cluster.close()


@contextlib.contextmanager
def dask_stopped(client, own_workers: bool) -> Iterator[None]:
    """While Dask is closed because the batch stopped: Dask's warnings of the tasks it
    cancels and of the workers it kills when they do not end within its timeout (a run
    under way), here and, on a cluster of ours, in its workers, left unsaid, since the
    caller says what the stop kept; and a second Ctrl-C held until the cluster is closed
    (it would leave its processes to Dask's exit handlers, which print tracebacks).
    Here, while it closes, its errors too, and its event loop's (tornado's): those of
    results being gathered as the client closes, which the stop made moot."""
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado")]
    levels = [logger.level for logger in loggers]
    try:
        with ctrl_c_ignored():
            if own_workers:
                with contextlib.suppress(Exception):  # a worker gone already says nothing
                    client.run(quiet_dask_logs)
            for logger in loggers:
                logger.setLevel(logging.CRITICAL)
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# Seconds to wait for a Dask scheduler before calling it unreachable.
DASK_CONNECT_SECONDS = 5


# -- compare: a sweep with one factor, the rule ----------------------------------------

# The comparison's store, inside its folder: results.parquet beside it would otherwise be
# read with the parts by ``pandas.read_parquet``.
COMPARE_STORE = "store"
# The runs that failed, in a comparison's folder only while some have.
FAILURES_FILE = "failures.csv"
# Characters of the what-ifs' slug in a default folder name (the digest tells the rest).
COMPARE_SLUG_CHARS = 60

Failure = tuple[str, int, str]  # rule, seed, error


@dataclass
class Batch:
    """What :func:`compare_rules` ran and wrote: the result rows, the failures, and where."""

    checked: CheckedRun  # the first rule's run, for the scenario and the parameters
    rules: list[str]
    seeds: list[int]
    results: list[ResultRow]
    failures: list[Failure]
    out_dir: Path
    seconds: float
    files: list[str]
    ran: int  # runs played by this call (the others were in the store already)
    record: CompareManifest  # the folder's manifest, still "running": the caller ends it


def what_was_set(request: RunRequest) -> dict[str, float | str]:
    """A checked request's what-ifs under their factor names: parameters, profile values,
    governments, levers and the population."""
    values: dict[str, float | str] = {k: v for k, v in request.parameters.items()
                                      if v is not None}
    values |= {f"{code}.{dim}": v for code, dims in request.overrides.items()
               for dim, v in dims.items()}
    values |= {f"{code}.government": g for code, g in request.governments.items()}
    values |= request.levers
    if request.population is not None:
        values["population"] = request.population
    return dict(sorted(values.items()))


def compare_file(checked: CheckedRun, specs: list[str], n_seeds: int, root_seed: int,
                 values: dict[str, float | str]) -> SweepFile:
    """The comparison as a sweep file: its rules, each what-if a factor of one level, one
    point, ``n_seeds`` replicates. Its hash names the request (the scenario file's hash is
    in it), so the same request resumes its folder and another is refused."""
    body = {"scenarios": [checked.request.scenario], "rules": specs,
            "factors": [{"name": k, "levels": [v]} for k, v in values.items()],
            "replicates": n_seeds, "root_seed": root_seed}
    text = (f"# ip4sim compare of {checked.loaded.scenario.id} (scenario file sha256 "
            f"{checked.loaded.sha256})\n" + yaml.safe_dump(body, sort_keys=False))
    return parse_sweep(text, "ip4sim compare")


def plan_compare(base: RunRequest, rules: list[str] | str, n_seeds: int,
                 root_seed: int) -> tuple[CheckedRun, Plan]:
    """The comparison checked (InputError before any run) and planned as a one-point
    sweep (:func:`compare_file`): the first rule's run, for the scenario and the
    parameters, and the plan, its rules the labels as given."""
    check_seed_count(n_seeds)
    specs = check_rules(rules)
    checked = base.model_copy(update={"rule": specs[0]}).check()
    plan = plan_sweep(compare_file(checked, specs, n_seeds, root_seed,
                                   what_was_set(checked.request)))
    # The labels as given, for the rows and the table: check_rules keeps one per
    # canonical spec, in order, so these are the same runs as the canonical specs.
    plan.rules = specs
    return checked, plan


def compare_folder(checked: CheckedRun, plan: Plan) -> Path:
    """``runs/compare-SCENARIO[-WHAT-IFS]-DIGEST``: the what-ifs readable, the digest of
    the whole request (rules and seeds too), so different requests get different folders."""
    slug = "-".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in what_was_set(checked.request).items())
    slug = re.sub(r"[^A-Za-z0-9._=+-]", "_", slug)[:COMPARE_SLUG_CHARS]
    return Path("runs") / "-".join(filter(None, ("compare", checked.loaded.scenario.id, slug,
                                                 plan.file.sha256[:8])))


def check_compare_folder(out: Path, plan: Plan) -> CompareManifest | None:
    """InputError (before anything is written) for a folder that holds anything but this
    comparison's store: named for what it holds (a run, a backtest, a sweep, ...), or for
    another comparison, what differs. The folder's manifest, if it has one yet, whose
    first call's provenance a resumption keeps."""
    if not (out / COMPARE_STORE / MANIFEST).is_file():
        refuse_unless(out, {"empty", "file"}, f"no {COMPARE_STORE}/ of a comparison to "
                      "resume: choose another folder with --out (nothing in it was touched)",
                      "--out")
    record = store_record(out / COMPARE_STORE)
    if record is not None and record.get("sha256") != plan.file.sha256:
        there = compare_terms(record.get("sweep", {}),
                              (record.get("scenarios") or [{}])[0].get("sha256"))
        here = compare_terms(plan.sweep.model_dump(mode="json"), plan.scenarios[0].sha256)
        what = ", ".join(f"{k}={v}" for k, v in there["what-ifs"].items()) or "no what-ifs"
        raise InputError.one("--out", str(out), (
            f"holds another comparison ({', '.join(there['scenario'] or ['?'])}, "
            f"{len(there['rules'] or [])} rules x {there['seeds']} seeds from root seed "
            f"{there['root seed']}, {what}), which differs in "
            f"{differences(there, here) or 'how its request was written (another version)'}"
            ": choose another folder with --out (nothing in it was touched)"))
    if not (out / "manifest.json").is_file():
        return None  # stopped before it wrote one: its store alone
    return read_model(out / "manifest.json", CompareManifest, "a comparison's manifest", (
        f": remove it to go on with a new record of the folder (the runs in "
        f"{out / COMPARE_STORE}/ are kept)"))


def compare_terms(sweep: dict, sha256: str | None) -> dict[str, object]:
    """A comparison's request term by term, from its sweep file (as a dict) and the
    scenario file's hash: what a refusal says differs."""
    return {"scenario": sweep.get("scenarios"), "scenario file's content (sha256)": sha256,
            "rules": sweep.get("rules"), "seeds": sweep.get("replicates"),
            "root seed": sweep.get("root_seed"),
            "what-ifs": {f["name"]: f["levels"][0] for f in sweep.get("factors", [])
                         if f.get("levels")}}


def compare_rules(base: RunRequest, rules: list[str] | str, n_seeds: int, reduce: Reduce,
                  root_seed: int = 1, workers: int | None = None,
                  out_dir: str | Path | None = None, progress: bool = True,
                  executor: Executor | None = None, retry_failed: bool = False,
                  command: list[str] | None = None) -> Batch:
    """Play ``base`` under every rule over the same ``n_seeds`` seeds (from ``root_seed``):
    a one-point sweep whose factors are the what-ifs, streamed to ``OUT/store`` (so an
    interrupted comparison resumes with the same call; runs that failed are played again
    only with ``retry_failed``), then ``results.parquet``, ``results.csv`` and
    ``failures.csv`` (if some failed) in ``OUT`` (default :func:`compare_folder`). Its
    ``manifest.json`` says ``running`` until the caller, its own files written, ends it
    (``Batch.record``; ``sim.app.compare`` does). Bad input, or a folder holding anything
    else, raises InputError before any run."""
    if workers is not None and workers < 1:
        raise InputError.one("--workers", str(workers), "must be at least 1")
    checked, plan = plan_compare(base, rules, n_seeds, root_seed)
    specs, sid = plan.rules, checked.loaded.scenario.id
    out = Path(out_dir) if out_dir else compare_folder(checked, plan)
    earlier = check_compare_folder(out, plan)
    store = Store.open(out / COMPARE_STORE, plan, command)
    try:  # the store's lock held until its results are read (reading tidies the store)
        record = batch_manifest(checked, specs, root_seed, plan.seeds,
                                "executor" if executor else workers or default_workers(),
                                command, earlier)
        # Written before the first run: a comparison stopped before its end leaves the
        # folder's older files marked as not yet this request's, and this call as not ended.
        write_manifest(out, record)
        run = run_store(plan, store.out, reduce, workers, executor, retry_failed, progress,
                        description=sid, command=command, store=store)
        results, failures = compare_results(store, sid)
    finally:
        store.release()
    files = write_results(results, out)
    if failures:
        write_text(out / FAILURES_FILE, failures_csv(failures, sid))
        files.append(FAILURES_FILE)
    record.failed = len(failures)
    record.latest.already_done = run.skipped
    record.latest.played(run.ran, run.seconds)
    return Batch(checked, specs, plan.seeds, results, failures, out, run.seconds, files,
                 run.ran, record)


def compare_results(store: Store, scenario: str) -> tuple[list[ResultRow], list[Failure]]:
    """The store's rows and failures in the comparison's order (rule, then seed; a run's
    rows as its reduce gave them), whatever order the parts were written in."""
    plan, jobs = store.plan, store.plan.jobs
    index = {jobs.id(i): i for i in range(len(jobs))}
    table = sweep_dataset(store.out, store.schema).to_table(
        columns=["job", "outcome", "actor", "value"])
    rows: dict[int, list[tuple]] = {}
    for job, outcome, actor, value in zip(*(table.column(c).to_pylist()
                                            for c in table.column_names), strict=True):
        rows.setdefault(index[job], []).append(
            (outcome, actor, math.nan if value is None else value))

    def order(i: int) -> tuple[int, int]:
        _, _, replicate, rule = jobs.where(i)
        return rule, replicate

    failed = store.read_ledger().failed
    results, failures = [], []
    for i in sorted(range(len(jobs)), key=order):
        rule, replicate = order(i)
        label, seed = plan.rules[rule], plan.seeds[replicate]
        results += [(scenario, label, seed, *row) for row in rows.get(i, [])]
        if jobs.id(i) in failed:
            failures.append((label, seed, failed[jobs.id(i)]))
    return results, failures


def failures_csv(failures: list[Failure], scenario: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("scenario", "rule", "seed", "error"))
    writer.writerows((scenario, *f) for f in failures)
    return buf.getvalue()


def batch_manifest(checked: CheckedRun, specs: list[str], root_seed: int, seeds: list[int],
                   workers: int | str, command: list[str] | None,
                   earlier: CompareManifest | None) -> CompareManifest:
    """The comparison's manifest as a call on its folder begins, ``running``: the request,
    and this call's provenance, at the top if it is the first, else among the earlier
    manifest's resumptions (its first call's provenance kept)."""
    call = BatchCall(created=datetime.now(UTC).isoformat(timespec="seconds"),
                     command=command or [], workers=workers, ip4sim=package_version("ip4sim"),
                     versions={**versions(), "pyarrow": package_version("pyarrow")},
                     git_commit=git_commit())
    if earlier is not None:
        return earlier.model_copy(update={"status": "running",
                                          "resumptions": [*earlier.resumptions, call]})
    scenario, request = checked.loaded.scenario, checked.request
    return CompareManifest(
        **call.model_dump(), status="running",
        scenario=ScenarioRecord(id=scenario.id, title=scenario.title,
                                file=checked.loaded.location,
                                sha256=checked.loaded.sha256, turns=scenario.turns,
                                turn_represents=scenario.turn_represents),
        rules=[CompareRule(label=s, spec=parse_rule(s).spec()) for s in specs],
        seeds=CompareSeeds(root_seed=root_seed, n=len(seeds), seeds=seeds, derivation=(
            "numpy SeedSequence(root_seed).generate_state(n, uint64) & (2**63 - 1) "
            "(sim.batch.derive_seeds)")),
        parameters=checked.params.model_dump(), overrides=request.overrides,
        governments=request.governments, levers=request.levers,
        runs=len(specs) * len(seeds), store=f"{COMPARE_STORE}/")
