"""Hostile input, tallied: mutated scenario files and generated command lines.

    python -m benchmarks.fuzz [--files 10000] [--commands 2000] [--seed 1]

Each file is a built-in scenario mutated by one or more of the classes below (deep
nesting, recursive aliases, alias bombs, tags, huge numbers, bad bytes, control
characters, oversized files, line edits) and read by ``scenarios.loader.load_scenario``;
each command line goes through ``sim.cli.main`` and is stopped where the runs would
start (the checks are what is under test, not the model). The tally: accepted, refused
with a message, and anything else (another exception, a traceback, an exit code other
than 0 or 2, or longer than TIME_LIMIT): that last figure must be 0.
tests/test_hostile_input.py runs a few hundred of the same in the suite.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import signal
import tempfile
import time
from collections import Counter
from pathlib import Path

from scenarios.errors import InputError
from scenarios.guarded import MAX_FILE_BYTES
from scenarios.loader import builtin_names, library_dir, load_scenario

TIME_LIMIT = 5.0  # seconds for one file or one command line; the worst seen is under 1


# -- scenario files ------------------------------------------------------------------

def _top(data: bytes, block: str) -> bytes:
    return data + b"\n" + block.encode("utf-8")


def _value(rng: random.Random, data: bytes, new: bytes) -> bytes:
    """``data`` with the value of one random ``key: value`` line replaced by ``new``."""
    lines = data.split(b"\n")
    candidates = [i for i, line in enumerate(lines) if b": " in line]
    i = rng.choice(candidates)
    key, _, _ = lines[i].partition(b": ")
    lines[i] = key + b": " + new
    return b"\n".join(lines)


def deep_nesting(rng: random.Random, data: bytes) -> bytes:
    n = rng.choice([10, 40, 500, 5_000, 100_000])
    if rng.random() < 0.5:
        return _value(rng, data, b"[" * n + b"]" * n)
    return _top(data, "nest:\n" + "".join(" " * (i + 1) + f"- k{i}:\n" for i in range(min(n, 300))))


def recursive_alias(rng: random.Random, data: bytes) -> bytes:
    block = rng.choice(["recur: &r [*r]", "a: &a {b: *a}", "x: &x [1, [2, *x]]",
                        "y: &y {z: [{w: *y}]}"])
    if rng.random() < 0.5:
        return _top(data, block + "\n")
    return _value(rng, data, b"&v [*v]")


def alias_bomb(rng: random.Random, data: bytes) -> bytes:
    levels, width = rng.randint(2, 12), rng.choice([2, 9, 30])
    merge = rng.random() < 0.3
    lines = ["  a0: &a0 {k: 1}" if merge else "  a0: &a0 [lol]"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * width)
        lines.append(f"  a{i}: &a{i} {{<<: [{refs}], k{i}: 1}}" if merge
                     else f"  a{i}: &a{i} [{refs}]")
    return _top(data, "bomb:\n" + "\n".join(lines) + "\n")


TAGS = [b'!!float "abc"', b"!!int x1", b"!!binary '###'", b"!!timestamp 2020-99-99",
        b"!!python/object/apply:os.system ['true']", b"!!set {a, b}", b"!!omap [a: 1]",
        b"!custom 1", b"!!str", b"!!null x", b"!!bool maybe", b"!<tag:x> 1", b"!!map [1]"]


def tags(rng: random.Random, data: bytes) -> bytes:
    return _value(rng, data, rng.choice(TAGS))


def huge_numbers(rng: random.Random, data: bytes) -> bytes:
    digits = rng.choice([20, 400, 4_301, 6_000, 100_000])
    new = rng.choice([b"9" * digits, b"-" + b"9" * digits, b"1e999", b"-1e999", b".nan",
                      b".inf", b"0x" + b"f" * digits, b"1" + b"0" * digits + b".5",
                      b"0." + b"0" * digits + b"1", b"1_000", b"0o777777777777777777777"])
    return _value(rng, data, new)


def bad_bytes(rng: random.Random, data: bytes) -> bytes:
    junk = rng.choice([b"\x80", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                       b"\xef\xbb\xbf", b"\xc0\xaf", bytes(rng.randrange(128, 256)
                                                          for _ in range(5))])
    i = rng.randrange(len(data) + 1)
    return data[:i] + junk + data[i:]


def control_chars(rng: random.Random, data: bytes) -> bytes:
    char = rng.choice([b"\x00", b"\x1b", b"\x07", b"\x0c", b"\x7f", b"\x1b[31m", b"\xc2\x85",
                       b"\xef\xbf\xbe", b"\xe2\x80\xa8"])
    i = rng.randrange(len(data) + 1)
    return data[:i] + char + data[i:]


def oversized(rng: random.Random, data: bytes) -> bytes:
    """Many decisions (their ids repeat) or a long tail; never past about twice the file
    limit, so applying it twice cannot grow a file (and this process) without end."""
    room = max(0, 2 * MAX_FILE_BYTES - len(data))
    start, end = data.find(b"\ndecisions:\n"), data.find(b"\ninjects:\n")
    if 0 <= start < end and rng.random() < 0.5:
        block = data[start + len(b"\ndecisions:\n"):end]
        times = min(rng.choice([20, 200, 2_000]), room // max(1, len(block)))
        return data[:end] + block * times + data[end:]
    return data + b"#" * min(rng.choice([100_000, 1_100_000]), room)


def line_edits(rng: random.Random, data: bytes) -> bytes:
    """What a hurried author does: lines deleted, indented, copied, cut short, a colon
    lost, a number out of range or a word for a number."""
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        match rng.randrange(6):
            case 0:
                del lines[i]
            case 1:
                lines[i] = b" " + lines[i]
            case 2:
                lines[i] = lines[i].replace(b":", b"", 1)
            case 3:
                lines.insert(i, lines[rng.randrange(len(lines))])
            case 4:
                lines[i] = lines[i].replace(b"0.", b"-3.", 1).replace(b"1.0", b"abc", 1)
            case _:
                lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    return b"\n".join(lines)


MUTATIONS = [deep_nesting, recursive_alias, alias_bomb, tags, huge_numbers, bad_bytes,
             control_chars, oversized, line_edits]
BUILTINS = {name: (library_dir() / f"{name}.yaml").read_bytes() for name in builtin_names()}


def mutated_file(rng: random.Random) -> bytes:
    data = BUILTINS[rng.choice(sorted(BUILTINS))]
    for mutation in rng.sample(MUTATIONS, rng.choice([1, 1, 1, 2, 3])):
        data = mutation(rng, data)
    return data


def file_outcome(path: Path) -> str:
    """'accepted', 'refused' (an InputError naming the file, every problem with a message)
    or the name of anything else that happened."""
    try:
        load_scenario(str(path))
    except InputError as err:
        good = err.problems and all(p.message and p.source == str(path) for p in err.problems)
        return "refused" if good else "InputError without a message"
    except Exception as err:  # noqa: BLE001 - the tally's point: name whatever else escapes
        return f"{type(err).__name__}: {str(err)[:80]}"
    return "accepted"


# -- command lines -------------------------------------------------------------------

NUMBERS = ["0", "1", "3", "0.5", "-1", "2000", "٣", "١٠", "1_000", "inf", "-inf", "nan",
           "1e999", "1e-400", "0x10", "", " 3 ", "3.0", "+1", "²", "10000000", "1000000000000",
           "9" * 5000, "1,5", "½", "0.6e1", "٫٥", "1e3", "-0"]
WORDS = ["JPN", "JPM", "AUS", "ROK", "KOR", "NZL", "CHN", "XYZ", "jpn", "", "ÄÖÜ", "\u202e",
         "a" * 300, "china_threat", "china_threet", "capability", "government", "temperature",
         "population", "messaging", "cover", "k", "min_stake", "lead", "progressive", "junta"]
RULES = ["caucus", "caucas", "coalition:k=3", "coalition:k=3,k=2", "coalition:k=9",
         "hybrid:min_stake=inf", "hybrid:min_stake=0.2", "lead_nation:lead=JPN",
         "formal:quorum=0", "consensus:cover=1_0", "bilateral:x=1", "coalition:k", ":", ""]


def command_line(rng: random.Random, scenario: str, out: Path) -> list[str]:
    """A command line built from real and hostile pieces."""
    def number() -> str:
        return rng.choice(NUMBERS)

    def word() -> str:
        return rng.choice(WORDS)

    command = rng.choice(["run", "run", "compare", "validate", "actors", "rules", "params"])
    if command == "validate":
        return ["validate", rng.choice([scenario, "ukraine_response", "nope.yaml", str(out)])]
    if command == "actors":
        return ["actors", word(), *(["--government", f"{word()}={word()}"]
                                    if rng.random() < 0.5 else [])]
    if command in ("rules", "params"):
        return [command]
    argv = [command, rng.choice([scenario, scenario, "ukraine_response", "ukraine_respons"]),
            "--quiet", "--out", str(out)]
    options = {
        "--set": lambda: f"{word()}.{word()}={rng.choice([number(), word()])}",
        "--param": lambda: f"{word()}={number()}",
        "--lever": lambda: f"{word()}={number()}",
        "--population": number,
        **({"--seed": number, "--rule": lambda: rng.choice(RULES)} if command == "run" else
           {"--seeds": number, "--root-seed": number, "--workers": number,
            "--rules": lambda: ",".join(rng.sample(RULES, rng.randint(1, 3)))}),
    }
    for _ in range(rng.randint(0, 5)):
        name = rng.choice([*options, "--bogus"])
        argv += [name, options[name]() if name in options else word()]
    return argv


class Stopped(Exception):
    """Raised where the runs would start: the checks passed."""


def stop(*args, **kwargs):
    raise Stopped


def command_outcome(argv: list[str]) -> str:
    """'accepted' (exit 0, or stopped where runs start), 'refused' (exit 2 with an
    'error:' line and no traceback) or what else happened. Call inside ``stopping()``."""
    from sim.cli import main

    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
    except Stopped:
        return "accepted"
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    except Exception as exc:  # noqa: BLE001 - the tally's point
        return f"{type(exc).__name__}: {str(exc)[:80]}"
    text = err.getvalue()
    if "Traceback" in text:
        return "traceback"
    if code == 0:
        return "accepted"
    if code == 2 and "error" in text:
        return "refused"
    return f"exit {code}"


@contextlib.contextmanager
def stopping():
    """``sim.cli`` with runs replaced by :class:`Stopped` (a run's model is not built,
    a comparison's store is not opened, so its folder stays as its checks left it)."""
    import sim.runner
    import sim.sweep

    # sim.cli imports build from sim.runner when a run starts, so it finds this one
    saved = sim.runner.build, vars(sim.sweep.Store)["open"]  # the classmethod itself
    sim.runner.build = sim.sweep.Store.open = stop
    try:
        yield
    finally:
        sim.runner.build, sim.sweep.Store.open = saved


# -- the tally -----------------------------------------------------------------------

@contextlib.contextmanager
def time_limit(seconds: float):
    def expire(signum, frame):
        raise TimeoutError(f"longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed(outcome, *args) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        with time_limit(TIME_LIMIT):
            result = outcome(*args)
    except TimeoutError as err:
        result = f"hang: {err}"
    return result, time.perf_counter() - start


def tally(n_files: int, n_commands: int, seed: int) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "exercise.yaml"
        files: Counter[str] = Counter()
        slowest = 0.0
        for _ in range(n_files):
            path.write_bytes(mutated_file(rng))
            result, seconds = timed(file_outcome, path)
            files[result if result in ("accepted", "refused") else f"other: {result}"] += 1
            slowest = max(slowest, seconds)
        report(f"{n_files:,} mutated scenario files", files, slowest)
        commands: Counter[str] = Counter()
        slowest = 0.0
        path.write_bytes(BUILTINS["ukraine_response"])
        with stopping():
            for _ in range(n_commands):
                result, seconds = timed(command_outcome, command_line(rng, str(path),
                                                                      Path(tmp) / "out"))
                commands[result if result in ("accepted", "refused")
                         else f"other: {result}"] += 1
                slowest = max(slowest, seconds)
        report(f"{n_commands:,} command lines", commands, slowest)


def report(what: str, counts: Counter[str], slowest: float) -> None:
    other = sum(v for k, v in counts.items() if k.startswith("other"))
    print(f"{what}: accepted {counts['accepted']:,}, refused with a message "
          f"{counts['refused']:,}, anything else {other:,} (slowest {slowest:.2f} s)")
    for k, v in counts.items():
        if k.startswith("other"):
            print(f"  {v:5d}  {k}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--commands", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tally(args.files, args.commands, args.seed)


if __name__ == "__main__":
    main()
