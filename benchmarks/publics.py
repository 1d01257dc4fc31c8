"""Seconds per turn of the public update at one million citizens, inside the model and as
a bare numpy loop, side by side in one run; peak memory.

    python -m benchmarks.publics [--population 250000] [--scenario disinformation_campaign]

One process, turn by turn, each turn on both sides:

1. **model**: ``IP4Model`` on the scenario with ``population`` citizens per IP4 partner
   (4 x 250,000 = 1,000,000 by default). The whole turn is timed, and within it step 5
   (``update_publics``: outreach from the levers, the signals, every ``Public.update``, the
   country means and the event) and the stacked ``Citizens.update`` call alone. The
   signals each public received are recorded, and the citizens' arrays and the publics'
   random generator are copied before the first turn.
2. **bare**: the same update (threat perception included) written as a plain function on
   plain arrays (no Mesa, no agent, no dataclass, no model), country by country on the
   signals the model's publics received that turn, from the copied arrays and generator
   state. At the end its arrays must equal the model's bit for bit, which shows both
   sides computed the same thing.

It prints seconds per turn (median over turns), the ratio model / bare, and memory: the
peak resident set size of the process (``resource.getrusage``) and the
bytes of the citizens' arrays; with ``--tracemalloc``, the peak of numpy allocations during
one turn of each side (temporaries included).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc

import numpy as np

from scenarios.loader import load_scenario
from sim.model import IP4Model

F32 = np.float32


def bare_update(opinion, inoc, threat, x0, t0, visibility, campaigns, reach, intensity, depth,
                messaging, events, rates, rng, buffers):
    """One turn for one country, on plain arrays (``agents/publics.py`` has the rule), with
    the model's arithmetic and, like it, products written into buffers kept from turn to
    turn (``buffers``: :func:`bare_buffers`): ``opinion`` is the country's block of
    awareness, understanding, support and the beliefs (``x0`` its anchors), anchored in one
    go; a multiplication by exactly 1 is left out, as the model leaves it out.

    ``campaigns``: (narrative row, reach, intensity) triples; ``events``: the turn's
    threat news per adversary; ``rates``: (retention, peer_weight, confidence, persuasion,
    visibility_rate, visibility_understanding, outreach_awareness, outreach_understanding,
    inoculation_max, support_pull, debunk_pull, protection, threat_relaxation,
    threat_shock)."""
    (lam, w, eps, mu, rho, kappa, g_a, g_u, iota_max, sigma, delta, phi, relax, eta) = rates
    draws, work, pull, block = buffers
    a, u, s, belief = opinion[0], opinion[1], opinion[2], opinion[3:]
    n = a.size
    rng.random(out=draws, dtype=F32)
    inoculated = bool(inoc.any())
    if visibility > 0:
        gain = rho * visibility
        a += np.multiply(np.subtract(1, a, out=work), gain, out=work)
        u += np.multiply(np.subtract(a, u, out=work), gain * kappa, out=work)
    free = np.subtract(1, u, out=block[0])
    for k, (narrative, r, i) in enumerate(campaigns):
        if r <= 0 or i <= 0:
            continue
        np.multiply(free, mu * i, out=pull)
        if inoculated:
            pull *= 1 - phi[narrative] * inoc
        pull *= (draws[k] < r) & (s < eps)
        b = belief[narrative]
        b += np.multiply(np.subtract(1, b, out=work), pull, out=work)
        if sigma != 1:
            pull *= sigma
        s -= np.multiply(pull, s, out=work)
    if reach > 0 and intensity > 0:
        reached = draws[-1] < reach
        hit = reached.astype(F32)
        for x, toward, c in ((a, 1, g_a * intensity), (u, a, g_u * depth * intensity)) + (
                ((inoc, 1, messaging * iota_max),) if messaging > 0 else ()):
            np.subtract(toward, x, out=work)
            work *= c
            work *= hit
            x += work
        inoculated = inoculated or messaging > 0
        np.multiply(reached & (s > 1 - eps), F32(mu * intensity), out=pull)
        s += np.multiply(np.subtract(1, s, out=work), pull, out=work)
        if delta != 1:
            pull *= delta
        belief -= np.multiply(belief, pull, out=block[3:])
    mean = (opinion.sum(axis=-1, keepdims=True, dtype=np.float64) / n).astype(F32)
    opinion *= lam * (1 - w)
    opinion += (lam * w) * mean
    opinion += np.multiply(x0, 1 - lam, out=block)
    np.clip(opinion, 0, 1, out=opinion)
    if inoculated:
        inoc *= lam
    np.minimum(u, a, out=u)
    threat -= t0
    threat *= F32(1 - relax)
    threat += t0
    if any(events):
        threat += (1 - threat) * (np.array(events, dtype=np.float64) * eta).astype(F32)[:, None]
        np.clip(threat, 0, 1, out=threat)


def bare_buffers(opinion: np.ndarray, campaigns: int) -> tuple[np.ndarray, ...]:
    """The bare update's buffers for one country: the turn's uniforms, two rows of
    citizens and one opinion block."""
    n = opinion.shape[-1]
    return (np.empty((campaigns + 1, n), F32), np.empty(n, F32), np.empty(n, F32),
            np.empty(opinion.shape, F32))


def rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


STATE = ("opinion", "inoculation", "threat")  # a country's state, as bare_update takes it
ARRAYS = (*STATE, "anchor_opinion", "anchor_threat")  # every array of the citizens


def state_of(citizens, row: int) -> dict[str, np.ndarray]:
    """One country's state (views of the model's arrays)."""
    return {"opinion": citizens.opinion[:, row], "inoculation": citizens.inoculation[row],
            "threat": citizens.threat[row]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.publics",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--population", type=int, default=250_000,
                        help="citizens per IP4 partner (default 250,000: a million in all)")
    parser.add_argument("--scenario", default="disinformation_campaign")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure the peak of numpy allocations in one turn of each")
    args = parser.parse_args(argv)
    if args.population < 1:
        print("error: --population: a public needs at least 1 citizen", file=sys.stderr)
        return 2
    start_rss = rss_mib()
    scenario = load_scenario(args.scenario).scenario  # for its turns and id

    # -- 1. the model ---------------------------------------------------------------------
    began = time.perf_counter()
    model = IP4Model(args.scenario, "caucus", args.seed, population=args.population)
    build = time.perf_counter() - began
    publics = model.information.publics
    total = sum(p.population for p in publics.values())
    citizens = model.information.citizens
    # the bare side's own copy of the state, taken before the first turn
    arrays = {code: {k: v.copy() for k, v in state_of(citizens, p.row).items()}
              for code, p in publics.items()}
    rng_state = model.information.public_rng.bit_generator.state
    nbytes = sum(getattr(citizens, k).nbytes for k in ARRAYS)

    received: list[list[tuple[str, object]]] = []
    update_calls: list[float] = []
    information = model.information
    codes = list(publics)
    stacked_update = information.citizens.update

    def recorded(signals, rates, rng):
        received[-1].extend(zip(codes, signals, strict=True))
        t0 = time.perf_counter()
        stacked_update(signals, rates, rng)
        update_calls[-1] += time.perf_counter() - t0

    information.citizens.update = recorded
    step5, turn_times = [], []
    update_publics = information.update_publics

    def timed_update_publics(turn):
        t0 = time.perf_counter()
        update_publics(turn)
        step5.append(time.perf_counter() - t0)

    information.update_publics = timed_update_publics
    # the bare side: its copy of the state, the same generator state, the same rates
    rates = information.rates
    plain_rates = (rates.retention, rates.peer_weight, rates.confidence, rates.persuasion,
                   rates.visibility_rate, rates.visibility_understanding,
                   rates.outreach_awareness, rates.outreach_understanding,
                   rates.inoculation_max, rates.support_pull, rates.debunk_pull,
                   rates.protection, rates.threat_relaxation, rates.threat_shock)
    anchors = {code: (citizens.anchor_opinion[:, p.row], citizens.anchor_threat[p.row])
               for code, p in publics.items()}
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = rng_state
    bare_times = []
    buffers: dict[tuple, tuple[np.ndarray, ...]] = {}
    # Turn by turn, the model then the bare loop on the signals the model's publics just
    # received: both sides meet the allocator in the same state (run one after the
    # other, the first side paid for the page faults of its temporaries while malloc's
    # thresholds adapted, about a third of its time at a million citizens).
    for _ in range(scenario.turns):
        received.append([])
        update_calls.append(0.0)
        t0 = time.perf_counter()
        model.step()
        turn_times.append(time.perf_counter() - t0)
        plain = [(code, s.visibility, tuple((m.narrative, m.reach, m.intensity)
                                            for m in s.campaigns),
                  s.reach, s.intensity, s.depth, s.messaging, s.threat_events)
                 for code, s in received[-1]]
        for code, _, campaigns, *_ in plain:  # kept from turn to turn and shared by the
            # countries of one size, as the model's
            key = (arrays[code]["opinion"].shape, len(campaigns))
            if key not in buffers:
                buffers[key] = bare_buffers(arrays[code]["opinion"], len(campaigns))
        t0 = time.perf_counter()
        for code, *signals in plain:
            bare_update(*(arrays[code][k] for k in STATE), *anchors[code], *signals,
                        plain_rates, rng,
                        buffers[arrays[code]["opinion"].shape, len(signals[1])])
        bare_times.append(time.perf_counter() - t0)
    peak_rss = rss_mib()
    same = all(np.array_equal(arrays[code][k], state_of(citizens, p.row)[k])
               for code, p in publics.items() for k in STATE)

    # -- 3. report ------------------------------------------------------------------------
    per_turn = {"whole model turn": statistics.median(turn_times),
                "model step 5 (update_publics)": statistics.median(step5),
                "model Citizens.update (stacked)": statistics.median(update_calls),
                "bare numpy loop": statistics.median(bare_times)}
    bare = per_turn["bare numpy loop"]
    print(f"publics: {len(publics)} x {args.population:,} = {total:,} citizens; "
          f"{scenario.id}, {scenario.turns} turns, seed {args.seed}; "
          f"numpy {np.__version__}")
    print(f"model built in {build:.2f} s (drawing every citizen's anchors)")
    print("seconds per turn (median over turns):")
    for label, seconds in per_turn.items():
        ratio = "" if label == "bare numpy loop" else f"   {seconds / bare:5.2f} x bare"
        print(f"  {label:<32} {seconds:8.4f}{ratio}")
    print(f"ratio of the same update, model / bare: "
          f"{per_turn['model Citizens.update (stacked)'] / bare:.2f}; step 5 with the "
          f"governments' reading: {per_turn['model step 5 (update_publics)'] / bare:.2f}")
    print(f"same arrays, bit for bit, model and bare: {'yes' if same else 'NO'}")
    print(f"citizens' arrays (state and anchors, float32): {nbytes / 2**20:.1f} MiB")
    print(f"peak resident set size: {start_rss:.0f} MiB at start, {peak_rss:.0f} MiB after "
          f"both (the bare loop holds its own copy of the state)")
    if args.tracemalloc:
        print("peak numpy allocations in one turn (tracemalloc): "
              + ", ".join(f"{k} {v / 2**20:.1f} MiB"
                          for k, v in one_turn_peaks(model, arrays, anchors, plain,
                                                     plain_rates, buffers).items()))
    return 0 if same else 1


def one_turn_peaks(model, arrays, anchors, turn, plain_rates, buffers) -> dict[str, int]:
    """Temporaries of one more turn of each side, measured with tracemalloc."""
    peaks = {}
    tracemalloc.start()
    model.step()
    peaks["model (whole turn)"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    rng = np.random.default_rng(0)
    for code, *signals in turn:
        bare_update(*(arrays[code][k] for k in STATE), *anchors[code], *signals, plain_rates,
                    rng, buffers[arrays[code]["opinion"].shape, len(signals[1])])
    peaks["bare loop"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peaks


if __name__ == "__main__":
    sys.exit(main())
