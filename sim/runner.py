"""Play out one run and write its folder: events, time series, manifest.

A run is reproducible from what its manifest records: the scenario file's hash,
the rule, the parameters, the overrides, the seed and the package versions.
"""

from __future__ import annotations

import csv
import io
import json
import platform
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from scenarios.loader import LoadedScenario
from scenarios.parameters import Parameters, merged
from sim.decisions import Chooser
from sim.events import EventBase, to_jsonl
from sim.model import IP4Model, Row
from sim.rules import Rule

TIMESERIES_HEADER = ("turn", "metric", "actor", "value")


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines a run."""

    loaded: LoadedScenario
    rule: Rule
    seed: int
    params: Parameters | None = None
    overrides: dict[str, dict[str, float]] = field(default_factory=dict)
    governments: dict[str, str] = field(default_factory=dict)
    levers: dict[str, float] = field(default_factory=dict)  # on top of the scenario file's

    def parameters(self) -> Parameters:
        if self.params is not None:
            return self.params
        return merged(self.loaded.scenario.parameters)


@dataclass
class RunResult:
    spec: RunSpec
    events: list[EventBase]
    timeseries: list[Row]
    players: dict[str, str] = field(default_factory=dict)  # actor -> who chose, if not the engine


def play(spec: RunSpec, choosers: dict[str, Chooser] | None = None,
         observe: Callable[[EventBase], None] | None = None) -> RunResult:
    """Play one run; ``choosers`` take some actors' choices, ``observe`` sees each event
    as it happens (a live account for players)."""
    model = IP4Model(spec.loaded.scenario, spec.rule, spec.seed, spec.parameters(),
                     spec.overrides, choosers, spec.governments, spec.levers)
    if observe is not None:
        model.observers.append(observe)
    model.run()
    players = {code: chooser.name for code, chooser in (choosers or {}).items()}
    return RunResult(spec, model.events, model.timeseries, players)


def timeseries_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TIMESERIES_HEADER)
    writer.writerows(rows)
    return out.getvalue()


def manifest(spec: RunSpec, command: list[str] | None = None) -> dict:
    """What produced an output: inputs, versions, commit and the command line."""
    scenario = spec.loaded.scenario
    return {
        "ip4sim": package_version("ip4sim"),
        "scenario": {"id": scenario.id, "title": scenario.title, "file": spec.loaded.path,
                     "sha256": spec.loaded.sha256},
        "rule": spec.rule.spec(),
        "seed": spec.seed,
        "parameters": spec.parameters().model_dump(),
        "overrides": spec.overrides,
        "governments": spec.governments,
        "levers": {**scenario.levers.model_dump(), **spec.levers},  # in effect for the run
        "versions": versions(),
        "git_commit": git_commit(),
        "command": command or [],
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_run(result: RunResult, out: Path, command: list[str] | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "events.jsonl").write_text(to_jsonl(result.events), encoding="utf-8")
    (out / "timeseries.csv").write_text(timeseries_csv(result.timeseries), encoding="utf-8")
    record = manifest(result.spec, command)
    # Choices not made by the engine are in events.jsonl; `--replay` plays them again.
    record["players"] = result.players
    (out / "manifest.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return out


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def versions() -> dict[str, str]:
    names = ("mesa", "numpy", "pydantic", "matplotlib", "PyYAML")
    return {"python": platform.python_version(), **{n: package_version(n) for n in names}}


def git_commit() -> str | None:
    """The commit of the source tree this package runs from, when it is a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                              text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    # Untracked files count: code not yet committed still changes what a run does.
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=here,
                           capture_output=True, text=True, timeout=5, check=False).stdout.strip()
    return done.stdout.strip() + ("-dirty" if dirty else "")
