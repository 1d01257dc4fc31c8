"""What a sweep's dataset says: sensitivity indices, effects, paired rule differences and
which rule ranks first where.

Reads only the sweep's folder (``sim.outputs.read_sweep``). Replicates are averaged per
design point, rule and outcome first, and the indices are computed on those means (ten
Broeke, Van Voorn and Ligtenberg 2016, JASSS 19(1) 5: a stochastic model's indices on
single replicates mix the noise into every factor's share). Tables are CSV, figures PNG,
and ``analysis.md`` says what each holds.

* Sobol designs: first-order (S1) and total (ST) indices with 95% bootstrap intervals
  (SALib ``sobol.analyze``, Saltelli/Jansen estimators), per scenario, rule, outcome.
* Morris designs: mu* (mean absolute elementary effect, with its bootstrap interval)
  and sigma (their spread: interaction or non-linearity), and the screening plot.
* Grids and hypercubes: each outcome's mean over points with a 95% interval over points
  and seeds (``analysis.intervals.crossed_interval``) against each factor's levels (a
  hypercube's ranges in :data:`BINS` equal bins of the declared range), per rule.
* Paired differences: each rule less the first rule on the same scenario, point and
  seed (common random numbers), with a 95% interval over points and seeds, its p-value
  and Holm's adjustment over the whole table (``analysis.compare.paired_differences``,
  which a comparison uses too: a comparison is a design of one point).
* Rank first: at each point, the rule with the best mean (highest, or lowest where less
  is better: :func:`lower_is_better`; ties share the credit), and per factor setting
  the share of points where each rule ranks first, and where it is first beyond seed
  noise, before and after Holm's adjustment over the outcome's points.
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.compare import (
    PAIRED,
    RULE_COLOURS,
    bounds,
    by_rule,
    clip_interval,
    paired_differences,
    runs_table,
)
from analysis.figures import save
from analysis.intervals import (
    ALPHA,
    CONFIDENCE,
    crossed_interval,
    holm,
    residual_mean_square,
    zero_p,
)
from analysis.outcomes import declared
from scenarios.errors import InputError
from sim.outputs import read_sweep, read_sweep_ledger, write_text

# A ranged factor of a hypercube or a Sobol design is read in this many equal bins of the
# range the sweep file declares.
BINS = 5
# Designs whose points sample a ranged factor's whole range (every point a new value).
BINNED = frozenset({"lhs", "sobol"})
# Outcomes where less is better for the partners (a rule "ranks first" with the lowest).
def lower_is_better(outcome: str) -> bool:
    """Whether less of an outcome is better for the partners (its declaration; every
    ``belief.<narrative>`` too)."""
    found = declared(outcome)
    return found is not None and found.lower_is_better
# Bootstrap resamples for the Sobol and Morris intervals.
RESAMPLES = 1000
KEYS = ["scenario", "rule", "outcome", "actor"]


# Why a table can have no row, by its file: such a table is not written (a bare header
# would read as an analysis that found nothing), and the report says why instead.
WHY_EMPTY = {
    "sobol.csv": "no Sobol index could be computed: every outcome either did not vary over "
                 "the design or has design points without a mean yet (see above)",
    "morris.csv": "no Morris index could be computed: every outcome has design points "
                  "without a mean yet (see above)",
    "effects.csv": "no outcome has a value at any design point",
    "paired_differences.csv": "no run of a rule has its pair (the same point and seed) under "
                              "the first rule yet",
    "rank_first.csv": "no design point has a mean under every rule yet",
}

# The report's name in the analysis folder.
REPORT = "analysis.md"


@dataclass(frozen=True)
class Coverage:
    """How much of the planned sweep its store holds."""

    jobs: int  # runs planned
    runs: int  # runs read from the store's parts
    failed: int  # runs the ledger records as failed
    points: int  # design points planned
    complete: int  # design points with every planned run
    status: str  # the store's: running, incomplete or complete
    command: list[str] | None  # what last wrote to the store, if recorded

    @property
    def whole(self) -> bool:
        return self.runs == self.jobs


@dataclass
class SweepAnalysis:
    """What a sweep's dataset says, computed before anything is written: the store's
    manifest, how much of the sweep it holds, the tables, the figures, the report, and
    the notes a reader must not miss (runs missing, indices not computed)."""

    manifest: dict
    coverage: Coverage
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Figure]
    report: str = ""
    notes: list[str] = field(default_factory=list)
    # A table with no row is not written: its name, and why it has none.
    omitted: dict[str, str] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        return [*self.tables, *self.figures, REPORT]

    def write(self, out: Path) -> None:
        """The tables (CSV), the figures (PNG) and the report, into ``out``."""
        for name, table in self.tables.items():
            write_text(out / name, table.to_csv(index=False, float_format="%.6g"))
        for name, fig in self.figures.items():
            save(fig, out / name)
        write_text(out / REPORT, self.report)


def analyze_sweep(folder: str | Path) -> SweepAnalysis:
    """The tables, figures and report of the sweep in ``folder``; nothing is written."""
    folder = Path(folder)
    manifest, design, data = read_sweep(folder, analysed_only=True)
    cover = coverage(folder, manifest, data)
    sweep = manifest["sweep"]
    factors = [f["name"] for f in manifest["factors"]]
    means = point_means(data)
    tables: dict[str, pd.DataFrame] = {}
    kind = sweep["design"]["kind"]
    if kind == "sobol" and factors:
        tables["sobol.csv"] = with_noise(sobol_indices(means, design, factors), data)
    elif kind == "morris" and factors:
        tables["morris.csv"] = with_noise(
            morris_indices(means, design, factors, sweep["design"]["levels"]), data)
    elif factors:
        tables["effects.csv"] = factor_effects(data, design, manifest["factors"], kind)
    rules = manifest["rules"]
    if len(rules) > 1:
        wide = by_rule(data)
        tables["paired_differences.csv"] = paired_differences(wide, rules)
        tables["rank_first.csv"] = rank_first(comparable(means, len(rules)), design,
                                              manifest["factors"], kind, wide)
    omitted = {name: WHY_EMPTY[name] for name, table in tables.items() if table.empty}
    tables = {name: table for name, table in tables.items() if name not in omitted}
    done = SweepAnalysis(manifest, cover, tables, dict(figures(tables, rules)), omitted=omitted)
    done.notes = [*missing_runs(cover), *code_notes(manifest), *index_notes(manifest, means),
                  *omitted_lines(omitted)]
    done.report = report(done, means)
    return done


def coverage(folder: Path, manifest: dict, data: pd.DataFrame) -> Coverage:
    """How much of the planned sweep ``data`` holds; InputError when it holds no run at
    all (nothing can be analysed), before anything is written."""
    runs = data["job"].nunique()
    failed = len(read_sweep_ledger(folder).failed)
    per_point = manifest["jobs"] // manifest["points"]
    complete = int((data.groupby("point")["job"].nunique() == per_point).sum())
    cover = Coverage(manifest["jobs"], runs, failed, manifest["points"], complete,
                     manifest["status"], manifest.get("command"))
    if not runs:
        raise InputError.one("analyze", str(folder), "holds no runs to analyse: "
                             + " ".join(missing_runs(cover)))
    return cover


def point_means(data: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, rule, point, outcome and actor: the mean over replicates and n."""
    grouped = data.groupby([*KEYS, "point"], sort=True)["value"]
    return grouped.agg(mean="mean", n="count").reset_index()


def _per_series(means: pd.DataFrame, n_points: int):
    """Each (scenario, rule, outcome, actor) series of point means, in point order, when
    every point has one (the estimators need the whole design)."""
    for key, group in means.groupby(KEYS, sort=True):
        group = group.sort_values("point")
        if len(group) == n_points and group["mean"].notna().all():
            yield dict(zip(KEYS, key, strict=True)), group["mean"].to_numpy()


def seed_noise_share(data: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, rule, outcome and actor: the share of the point means' variance over
    the design that is seed noise left in them (NaN with one replicate, or where the means
    do not vary). Every point plays the same seeds, so a seed's own effect moves every
    point's mean alike and spreads them none; what spreads them is how a seed's luck
    differs from point to point, the residual of the points x seeds table (its two-way
    ANOVA mean square), of which a point mean keeps a share 1 / replicates. Averaging
    replicates shrinks it but leaves this much, which the indices apportion among the
    factors as if it were theirs."""
    rows = []
    for key, group in data.groupby(KEYS, sort=True):
        table = runs_table(group)
        n, r = table.shape if table.ndim == 2 else (0, 0)
        share = math.nan
        if n > 1 and r > 1:
            noise = residual_mean_square(table) / r
            spread = float(table.mean(axis=1).var(ddof=1))
            share = noise / spread if spread > 0 else math.nan
        rows.append({**dict(zip(KEYS, key, strict=True)), "seed_noise_share": share})
    return pd.DataFrame(rows, columns=[*KEYS, "seed_noise_share"])


def with_noise(table: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """An index table with each row's :func:`seed_noise_share`."""
    if table.empty:
        return table.assign(seed_noise_share=pd.Series(dtype=float))
    return table.merge(seed_noise_share(data), on=KEYS, how="left")


def problem(factors: list[str]) -> dict:
    return {"num_vars": len(factors), "names": factors, "bounds": [[0.0, 1.0]] * len(factors)}


def sobol_indices(means: pd.DataFrame, design: pd.DataFrame, factors: list[str]
                  ) -> pd.DataFrame:
    from SALib.analyze import sobol

    rows = []
    for key, y in _per_series(means, len(design)):
        if np.ptp(y) == 0:  # a constant outcome: nothing to apportion
            continue
        s = sobol.analyze(problem(factors), y, calc_second_order=False,
                          num_resamples=RESAMPLES, conf_level=CONFIDENCE, seed=1)
        for j, f in enumerate(factors):
            rows.append({**key, "factor": f, "S1": s["S1"][j], "S1_conf": s["S1_conf"][j],
                         "ST": s["ST"][j], "ST_conf": s["ST_conf"][j]})
    return pd.DataFrame(rows, columns=[*KEYS, "factor", "S1", "S1_conf", "ST", "ST_conf"])


def morris_indices(means: pd.DataFrame, design: pd.DataFrame, factors: list[str],
                   levels: int) -> pd.DataFrame:
    from SALib.analyze import morris

    x = design.sort_values("point")[[f"unit:{f}" for f in factors]].to_numpy()
    rows = []
    for key, y in _per_series(means, len(design)):
        s = morris.analyze(problem(factors), x, y, num_levels=levels,
                           num_resamples=RESAMPLES, conf_level=CONFIDENCE, seed=1)
        for j, f in enumerate(factors):
            rows.append({**key, "factor": f, "mu_star": s["mu_star"][j],
                         "mu_star_conf": s["mu_star_conf"][j], "sigma": s["sigma"][j]})
    return pd.DataFrame(rows, columns=[*KEYS, "factor", "mu_star", "mu_star_conf", "sigma"])


def settings(design: pd.DataFrame, factor: dict, kind: str) -> pd.Series:
    """Each point's setting of ``factor`` (its entry in the store's manifest), as a label:
    its value (:func:`shown`), or for a ranged factor of a design that samples its range
    (:data:`BINNED`) the bin of the declared range (``low-high``, :data:`BINS` equal
    bins). Ordered low to high (levels as listed), so tables and axes run that way."""
    name = factor["name"]
    unit = design[f"unit:{name}"].to_numpy()
    if kind in BINNED and "range" in factor and design[name].nunique() > BINS:
        edges = [shown(e) for e in np.linspace(*factor["range"], BINS + 1)]
        bins = np.minimum((unit * BINS).astype(int), BINS - 1)
        labels = pd.Series([f"{edges[i]}-{edges[i + 1]}" for i in bins], index=design.index)
    else:
        labels = design[name].map(shown)
    order = labels.iloc[np.argsort(unit, kind="stable")].unique()
    return labels.astype(pd.CategoricalDtype(order, ordered=True))


def shown(value: float | str) -> str:
    """A setting as a person reads it: a number to 6 significant digits (a grid's level
    0.12000000000000001 is 0.12; the runs keep the value itself), text as it is."""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def setting_of(points: pd.Series, design: pd.DataFrame, factor: dict, kind: str) -> pd.Series:
    """The setting of ``factor`` at each of ``points`` (design point numbers)."""
    labels = settings(design, factor, kind)
    return points.map(dict(zip(design["point"], labels, strict=True))).astype(labels.dtype)


def factor_effects(data: pd.DataFrame, design: pd.DataFrame, factors: list[dict],
                   kind: str) -> pd.DataFrame:
    """Each outcome's mean at each setting of each factor, over the design points at that
    setting that have every replicate, with its interval over points and seeds
    (:func:`analysis.intervals.crossed_interval`), cut to the outcome's natural bounds."""
    rows = []
    for f in factors:
        tagged = data.assign(setting=setting_of(data["point"], design, f, kind))
        for key, group in tagged.groupby([*KEYS, "setting"], sort=True, observed=True):
            outcome = key[KEYS.index("outcome")]
            table = runs_table(group)
            low, high, how = crossed_interval(table, *bounds(outcome))
            low, high = clip_interval(outcome, low, high)
            rows.append({**dict(zip([*KEYS, "setting"], key, strict=True)), "factor": f["name"],
                         "mean": table.mean() if table.size else math.nan,
                         "ci_low": low, "ci_high": high,
                         "points": len(table), "replicates": table.shape[1],
                         "interval": how})
    return pd.DataFrame(rows, columns=[*KEYS, "factor", "setting", "mean", "ci_low",
                                       "ci_high", "points", "replicates", "interval"])


def firsts(means: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, point, outcome and actor, each rule's credit for ranking first: 1 for
    the best mean, shared equally among rules that tie for it, 0 otherwise."""
    sign = np.where(means["outcome"].map(lower_is_better), -1.0, 1.0)
    scored = means.assign(score=means["mean"] * sign)
    keys = ["scenario", "point", "outcome", "actor"]
    best = scored.groupby(keys)["score"].transform("max")
    top = pd.Series(np.isclose(scored["score"], best, rtol=0, atol=1e-12), index=scored.index)
    ties = top.groupby([scored[k] for k in keys]).transform("sum")
    return scored.assign(first=np.where(top, 1.0 / ties, 0.0))


# The family of a first place's test, for Holm's adjustment: one outcome's first places
# over the design's points, the share a line of the report gives.
RANK_FAMILY = ["scenario", "outcome", "actor"]


def lead_p_values(scored: pd.DataFrame, wide: pd.DataFrame) -> tuple[pd.Series, pd.Index]:
    """Per point where one rule ranks first alone (a row of :func:`firsts`, its index),
    the p-value that it is level with the runner-up: their paired differences over the
    point's replicates (the same seeds), tested as a comparison's are
    (``analysis.intervals.zero_p``: Student t, or, every replicate giving the same
    difference, as sure as that many equal differences allow; NaN for an outcome with no
    bound that way), or 1 where the leader is not ahead on the seeds both played (its
    mean may count a seed the runner-up has not played yet), so that p < 5% is its 95%
    interval lying above 0. Also the rows of the points that cannot be judged (one
    replicate)."""
    tested: dict[int, float] = {}
    unjudged: list[pd.Index] = []
    for key, group in scored.groupby(PAIRED[:-1], sort=False):
        ranked = group.sort_values("score", ascending=False)
        if len(ranked) < 2 or ranked["first"].iloc[0] < 1:  # one rule, or a tie for first
            continue
        top, second = ranked["rule"].iloc[0], ranked["rule"].iloc[1]
        pair = wide.loc[key, [top, second]].dropna()
        if len(pair) < 2:
            unjudged.append(group.index)
            continue
        sign = -1.0 if lower_is_better(key[2]) else 1.0
        lo, hi = bounds(key[2])
        ahead = (sign * (pair[top] - pair[second])).to_numpy()[None, :]
        # behind on the seeds both played (a run missing from an unfinished sweep moved
        # the means): no lead to test, however sure; a member of the family still
        tested[ranked.index[0]] = zero_p(ahead, lo - hi, hi - lo) if ahead.mean() > 0 \
            else 1.0
    index = unjudged[0].append(unjudged[1:]) if unjudged else pd.Index([])
    return pd.Series(tested, dtype=float), index


def clearly_first(scored: pd.DataFrame, wide: pd.DataFrame) -> pd.DataFrame:
    """Per row of :func:`firsts`: ``clearly`` 1 where the rule ranks first at its point and
    is ahead of the runner-up beyond seed noise (:func:`lead_p_values` below 5%), and
    ``clearly_holm`` 1 where that still holds after Holm's adjustment over the points of
    its outcome (:data:`RANK_FAMILY`); 0 elsewhere, NaN where it cannot be judged."""
    p, unjudged = lead_p_values(scored, wide)
    family = [scored.loc[p.index, k] for k in RANK_FAMILY]
    adjusted = p.groupby(family).transform(lambda x: holm(x.to_numpy())) if len(p) else p
    out = pd.DataFrame(0.0, index=scored.index, columns=["clearly", "clearly_holm"])
    out.loc[p.index, "clearly"] = (p < ALPHA).astype(float)
    out.loc[p.index, "clearly_holm"] = (adjusted < ALPHA).astype(float)
    out.loc[unjudged] = math.nan
    return out


def comparable(means: pd.DataFrame, n_rules: int) -> pd.DataFrame:
    """The means of the scenarios, points, outcomes and actors that every rule has: where a
    rule has no run yet, another would rank first by default."""
    keys = ["scenario", "point", "outcome", "actor"]
    return means[means.groupby(keys)["rule"].transform("nunique") == n_rules]


def rank_first(means: pd.DataFrame, design: pd.DataFrame, factors: list[dict],
               kind: str, wide: pd.DataFrame) -> pd.DataFrame:
    """The share of points at which each rule ranks first, and at which it is first beyond
    seed noise (:func:`clearly_first`), over all points (factor ``""``) and per setting of
    each factor (its settings low to high)."""
    scored = firsts(means)
    scored = scored.join(clearly_first(scored, wide))
    tables = [shares_first(scored.assign(factor="", setting=""))]
    for f in factors:
        tables.append(shares_first(scored.assign(
            factor=f["name"], setting=setting_of(scored["point"], design, f, kind))))
    table = pd.concat(tables, ignore_index=True)
    # stable: each factor's settings keep their order
    return table.sort_values(["scenario", "outcome", "actor"], kind="stable",
                             ignore_index=True)


def shares_first(tagged: pd.DataFrame) -> pd.DataFrame:
    keys = ["scenario", "outcome", "actor", "factor", "setting", "rule"]
    return tagged.groupby(keys, sort=True, observed=True).agg(
        share_first=("first", "mean"), share_clearly_first=("clearly", "mean"),
        share_clearly_first_holm=("clearly_holm", "mean"),
        points=("point", "nunique")).reset_index()


# -- figures and report ------------------------------------------------------------------

def figures(tables: dict[str, pd.DataFrame], rules: list[str]):
    """Per outcome, a figure of the Morris screening, the Sobol indices or which rule ranks
    first, with a row of panels per scenario (never two scenarios in one panel)."""
    colour = {r: RULE_COLOURS[i % len(RULE_COLOURS)] for i, r in enumerate(rules)}
    if "morris.csv" in tables:
        yield from morris_figures(tables["morris.csv"], colour)
    if "sobol.csv" in tables:
        yield from sobol_figures(tables["sobol.csv"], colour)
    if "rank_first.csv" in tables:
        yield from rank_figures(tables["rank_first.csv"], colour)


def scenario_rows(t: pd.DataFrame, columns: int, width: float, height: float):
    """A figure with a row of ``columns`` panels (each ``width`` x ``height`` inches) per
    scenario of ``t``, and per scenario: its name as a title suffix (when there are
    several), its row of axes and its rows of ``t``."""
    scenarios = sorted(set(t["scenario"]))
    fig = Figure(figsize=(width * columns, height * len(scenarios)), layout="constrained")
    axes = fig.subplots(len(scenarios), columns, squeeze=False)
    many = len(scenarios) > 1
    return fig, [(f" ({s})" if many else "", axes[i], t[t["scenario"] == s])
                 for i, s in enumerate(scenarios)]


def morris_figures(table: pd.DataFrame, colour: dict[str, str]):
    for outcome, t in table[table["actor"] == ""].groupby("outcome"):
        fig, rows = scenario_rows(t, 1, 6, 4.5)
        for suffix, (ax,), s in rows:
            for rule, g in s.groupby("rule"):
                ax.scatter(g["mu_star"], g["sigma"], label=rule, color=colour.get(rule))
                for _, r in g.iterrows():
                    ax.annotate(r["factor"], (r["mu_star"], r["sigma"]), fontsize=7)
            ax.set_xlabel("mu* (mean |elementary effect|)")
            ax.set_ylabel("sigma (interaction, non-linearity)")
            ax.set_title(f"Morris screening: {outcome}{suffix}")
            ax.legend(fontsize=8)
        yield f"morris_{outcome}.png", fig


def sobol_figures(table: pd.DataFrame, colour: dict[str, str]):
    for outcome, t in table[table["actor"] == ""].groupby("outcome"):
        fig, rows = scenario_rows(t, 1, 7, 4)
        for suffix, (ax,), s in rows:
            factors = list(dict.fromkeys(s["factor"]))
            width = 0.8 / max(1, s["rule"].nunique())
            for k, (rule, g) in enumerate(s.groupby("rule", sort=False)):
                x = np.arange(len(factors)) + k * width
                # ST's interval on the bar's left quarter, S1 (a narrower bar) on its
                # right, so the wider of the two never hides the other
                ax.bar(x, g["ST"], width, color=colour.get(rule), alpha=0.5,
                       label=f"{rule} ST")
                ax.errorbar(x - width / 4, g["ST"], yerr=g["ST_conf"], fmt="none",
                            ecolor="black", capsize=2)
                ax.bar(x + width / 4, g["S1"], width * 0.5, yerr=g["S1_conf"],
                       color=colour.get(rule), label=f"{rule} S1")
            ax.set_xticks(np.arange(len(factors)) + 0.4 - width / 2, factors, fontsize=8,
                          rotation=20)
            ax.set_title(f"Sobol indices: {outcome}{suffix} (95% bootstrap intervals)")
            ax.legend(fontsize=7)
        yield f"sobol_{outcome}.png", fig


def rank_figures(table: pd.DataFrame, colour: dict[str, str]):
    for outcome, t in table[(table["actor"] == "") & (table["factor"] != "")].groupby("outcome"):
        factors = list(dict.fromkeys(t["factor"]))
        fig, rows = scenario_rows(t, len(factors), 4, 3.6)
        for suffix, axes, s in rows:
            for ax, f in zip(axes, factors, strict=True):
                h = s[s["factor"] == f].pivot_table(index="setting", columns="rule",
                                                    values="share_first", aggfunc="mean",
                                                    sort=False)  # settings low to high
                bottom = np.zeros(len(h))
                for rule in h.columns:
                    ax.bar(h.index, h[rule], bottom=bottom, color=colour.get(rule), label=rule)
                    bottom += h[rule].to_numpy()
                ax.set_title(f"{f}{suffix}", fontsize=9)
                ax.tick_params(axis="x", labelsize=7, rotation=20)
                ax.set_ylim(0, 1)
            axes[0].set_ylabel("share of points where the rule ranks first")
        rows[0][1][-1].legend(fontsize=7)
        fig.suptitle(f"Which rule ranks first on {outcome}", fontsize=10)
        yield f"rank_first_{outcome}.png", fig


def report(done: SweepAnalysis, means: pd.DataFrame) -> str:
    manifest, tables = done.manifest, done.tables
    sweep = manifest["sweep"]
    lines = [f"# Sweep analysis: {manifest['file']}", "",
             f"{manifest['jobs']} runs planned: {manifest['points']} design points "
             f"({sweep['design']['kind']}) x {counted(len(manifest['scenarios']), 'scenario')} "
             f"x {counted(len(manifest['rules']), 'rule')} x "
             f"{counted(sweep['replicates'], 'replicate')}.", "", coverage_line(done.coverage),
             *coverage_notes(done.coverage), "",
             "Replicates are averaged per point before indices are computed "
             "(ten Broeke et al. 2016).", ""]
    if "rank_first.csv" in tables:
        lines += ["## Which rule ranks first (share of design points)",
                  *rank_lines(tables["rank_first.csv"], manifest["points"]),
                  rank_caution(sweep["replicates"]), ""]
    for name, what in (("sobol.csv", "Sobol S1, ST"), ("morris.csv", "Morris mu*, sigma")):
        if name in tables or name in done.omitted:
            lines += [f"## {what}: the most influential factor per outcome and rule",
                      *few_samples(sweep["design"]), *index_notes(manifest, means),
                      *resolution_lines(tables.get(name, pd.DataFrame())),
                      *noise_lines(tables.get(name, pd.DataFrame())), "",
                      *influence_lines(tables.get(name, pd.DataFrame()), means,
                                       manifest["points"]), ""]
    if "effects.csv" in tables:
        lines += ["## Effects", "Each outcome's mean over the design points at each setting "
                  "of each factor, with its 95% interval, is in `effects.csv`; a grid or a "
                  "hypercube gives no index of influence (a Sobol or Morris design does).", ""]
    if "effects.csv" in tables or "paired_differences.csv" in tables:
        lines += ["## Intervals", *interval_lines(tables), ""]
    lines += ["## Files", *[f"- `{f}`" for f in done.files], ""]
    if done.omitted:
        lines += ["## Not written", *(f"- {line}" for line in omitted_lines(done.omitted)), ""]
    return "\n".join(lines)


def interval_lines(tables: dict[str, pd.DataFrame]) -> list[str]:
    """How the intervals of ``effects.csv`` and ``paired_differences.csv`` were made, and
    how many there are (each, at 95%, misses its truth one time in twenty)."""
    count = sum(len(tables[n]) for n in ("effects.csv", "paired_differences.csv")
                if n in tables)
    return [
        "Every run of a replicate plays the same seed at every design point (common random "
        "numbers), so a mean over the design varies with the seeds drawn as well as with the "
        "points: the 95% intervals of `effects.csv` and `paired_differences.csv` count both "
        "(points x seeds, a crossed design: (MS_points + MS_seeds - MS_residual) / (n r), "
        "Satterthwaite's degrees of freedom; column `interval`). With few replicates they are "
        "wide however many points there are; raise `replicates` to narrow them. Where every "
        "run gave the same value the interval reaches as far toward the outcome's bounds as "
        "the fewer of points and seeds allow, and none is given for an unbounded outcome.",
        f"These files hold {count} intervals: at 95% each, about one in twenty whose true "
        "difference is 0 excludes 0 by chance; read a difference among many as a lead to "
        "check with more replicates, not a finding.", *holm_lines(tables)]


def holm_lines(tables: dict[str, pd.DataFrame]) -> list[str]:
    """What ``paired_differences.csv``'s ``p_holm`` and ``stands`` say, and how many
    differences stand."""
    if "paired_differences.csv" not in tables:
        return []
    paired = tables["paired_differences.csv"]
    leave_out = int(((paired["ci_low"] > 0) | (paired["ci_high"] < 0)).sum())
    return [
        f"Of the {len(paired)} differences in `paired_differences.csv`, {leave_out} have an "
        f"interval that leaves out 0 and {int(paired['stands'].sum())} stand after Holm's "
        "adjustment (`p_holm`, `stands`): its family is every row of the file (every "
        "scenario, rule, outcome and actor), and the chance that any difference standing "
        "there is chance alone is at most 5%, whatever the outcomes' dependence. `p_value` "
        "is each difference's own test, by the method of its interval (p < 0.05 exactly "
        "where the interval leaves out 0)."]


def omitted_lines(omitted: dict[str, str]) -> list[str]:
    return [f"`{name}` is not written: {why}." for name, why in omitted.items()]


def counted(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def coverage_line(c: Coverage) -> str:
    missing = max(0, c.jobs - c.runs - c.failed)
    return (f"{c.runs} of {c.jobs} planned runs are in the store ({c.failed} failed, "
            f"{missing} not run yet); {c.complete} of {c.points} design points have every "
            f"planned run. Status: {c.status}.")


# What a store's status says about its runs.
STATUS_MEANS = {"running": "the sweep is still running, or was killed",
                "incomplete": "the sweep was stopped before its end",
                "complete": "the sweep ran to its end"}


def missing_runs(c: Coverage) -> list[str]:
    """When runs are missing or failed: how many, what that means, how to finish."""
    return [] if c.whole else [coverage_line(c), *coverage_notes(c)]


def code_notes(manifest: dict) -> list[str]:
    """When the store's runs were played by more than one version of the code (a sweep
    resumed after an update): the dataset may mix two models."""
    codes = manifest.get("codes", [])
    if len(codes) < 2:
        return []
    return [f"The runs in this store were played by {len(codes)} versions of ip4sim's code "
            f"(code fingerprints {', '.join(codes)}; the sweep was resumed after a change): "
            "where the change touched the model, the dataset mixes two models; a new folder "
            "runs the whole sweep on one."]


def coverage_notes(c: Coverage) -> list[str]:
    """What runs missing or failed mean, and how to finish the sweep."""
    again = f"`{shlex.join(c.command)}`" if c.command else "the command that began it"
    notes = []
    if c.runs + c.failed < c.jobs:
        notes.append(f"{STATUS_MEANS.get(c.status, c.status).capitalize()}: {again} "
                     "resumes it; until then every table here is of the runs so far.")
    if c.failed:
        notes.append(f"{c.failed} runs failed (tracebacks in _ledger.jsonl): {again} with "
                     "--retry-failed plays them again.")
    return notes


def named(scenario: str, many: bool) -> str:
    """``scenario, `` when the sweep has several scenarios (each line names its own)."""
    return f"{scenario}, " if many else ""


def index_notes(manifest: dict, means: pd.DataFrame) -> list[str]:
    """For a Sobol or Morris design some of whose points have no mean yet: that its
    indices need every point, and how many each scenario and rule has."""
    kind, n = manifest["sweep"]["design"]["kind"], manifest["points"]
    if kind not in ("sobol", "morris") or not manifest["factors"]:
        return []
    have = means.dropna(subset=["mean"]).groupby(["scenario", "rule"])["point"].nunique()
    many = len(manifest["scenarios"]) > 1
    short = [f"{named(s['id'], many)}{rule}: {have.get((s['id'], rule), 0)} of {n}"
             for s in manifest["scenarios"] for rule in manifest["rules"]
             if have.get((s["id"], rule), 0) < n]
    if not short:
        return []
    return [f"{kind.capitalize()} indices need a mean at every one of the {n} design points, "
            "so none are computed where a point has none yet; design points with a mean: "
            + "; ".join(short) + "."]


def rank_caution(replicates: int) -> str:
    """What a first place at a point rests on: the best mean of its replicates, seed noise
    included, with no test that the others are behind."""
    over = "one run per rule" if replicates == 1 else f"{replicates} replicates per rule"
    clear = ("it cannot be told from seed noise with one replicate: give the sweep two or "
             "more to see which first places are clear" if replicates == 1 else
             "\"clearly\" counts the points where the first rule is ahead of the runner-up "
             "beyond that noise (the 95% t interval of their paired differences over the "
             "point's replicates above 0; `share_clearly_first` in rank_first.csv), one "
             "test per point and outcome of a leader the same data chose, so about one "
             "clear first place in twenty can still be chance; \"after Holm\" counts those "
             "that stay clear after Holm's adjustment over the outcome's points (one "
             "family per scenario, outcome and actor; `share_clearly_first_holm`), of which "
             "the chance that any is chance is at most 5%")
    return (f"A first place is the best mean at a point over {over}, seed noise included: "
            "where two rules differ by less than that noise, which one ranks first is "
            f"chance; {clear}. Rules that tie for first share the point: two rules equal at "
            "every point rank first at 50% each, which is a tie, not a split. "
            "`paired_differences.csv` gives each rule's difference from the first rule over "
            "the design with its interval.")


def rank_lines(table: pd.DataFrame, n_points: int) -> list[str]:
    """Over all points, per outcome (and scenario): each rule's share of first places,
    and over how many points, when not every one could be compared."""
    overall = table[(table["factor"] == "") & (table["actor"] == "")]
    if overall.empty:
        return ["No design point has a mean under every rule yet: no rule can rank first."]
    many = overall["scenario"].nunique() > 1
    lines = []
    for (scenario, outcome), g in overall.groupby(["scenario", "outcome"]):
        g = g.sort_values("share_first", ascending=False)
        points = int(g["points"].max())
        over = (f" (over the {points} of {n_points} design points where every rule has a "
                "mean)" if points < n_points else "")
        lines.append(f"- {named(scenario, many)}{outcome}: " + ", ".join(
            f"{r.rule} {r.share_first:.0%}"
            f"{clearly(r.share_clearly_first, r.share_clearly_first_holm)}"
            for r in g.itertuples()) + over)
    return lines


def clearly(share: float, adjusted: float) -> str:
    """A rule's share of points where it is first beyond seed noise, before and after
    Holm's adjustment, as the rank lines say it."""
    return "" if math.isnan(share) else f" ({share:.0%} clearly, {adjusted:.0%} after Holm)"


def influence_lines(table: pd.DataFrame, means: pd.DataFrame, n_points: int) -> list[str]:
    """Per outcome and rule (and scenario): the most influential factor, or why there is
    none: the outcome did not vary over the design, or points have no mean yet."""
    col = "ST" if "ST" in table else "mu_star"
    run_wide = means[means["actor"] == ""]
    many = run_wide["scenario"].nunique() > 1
    lines = []
    for (scenario, outcome, rule), g in run_wide.groupby(["scenario", "outcome", "rule"]):
        values = g["mean"].dropna()
        if len(values) < n_points:
            said = (f"not computed: {len(values)} of {n_points} design points have a mean")
        elif values.min() == values.max():
            said = f"did not vary over the design ({values.iloc[0]:.6g} at every point)"
        else:
            said = most_influential(table[(table["scenario"] == scenario)
                                          & (table["outcome"] == outcome)
                                          & (table["rule"] == rule)
                                          & (table["actor"] == "")], col)
        lines.append(f"- {named(scenario, many)}{outcome}, {rule}: {said}")
    return lines


# Below these sizes a design's indices are mostly sampling error: Saltelli et al. (2008,
# Global Sensitivity Analysis: The Primer, ch. 4) use base samples N in the hundreds to
# thousands; Campolongo, Cariboni and Saltelli (2007) screen with 10 to 50 trajectories.
SOBOL_FEW = 64
MORRIS_FEW = 10


def few_samples(design: dict) -> list[str]:
    """A caution when the design is too small for its indices to be read."""
    kind, points = design["kind"], design.get("points") or 0
    if kind == "sobol" and points < SOBOL_FEW:
        return [f"Caution: N = {points} base samples; below {SOBOL_FEW} the indices are mostly "
                "sampling error (a total index above 1, or S1 above ST, is a sign of it): "
                "read the intervals, and raise `points`."]
    if kind == "morris" and points < MORRIS_FEW:
        return [f"Caution: {points} trajectories; below {MORRIS_FEW} a ranking of factors is "
                "not to be relied on: raise `points`."]
    return []


def noise_lines(table: pd.DataFrame) -> list[str]:
    """How much of what the indices apportion is seed noise, over the outcomes and rules."""
    shares = table.drop_duplicates(KEYS)["seed_noise_share"].dropna() \
        if "seed_noise_share" in table else pd.Series(dtype=float)
    if shares.empty:
        return []
    over = (" (above 100%: the point means vary no more than seed noise alone would make "
            "them vary, so nothing of that outcome's variance is told apart from noise)"
            if shares.max() > 1 else "")
    reading = ("a total index (ST) no larger than that share is not told apart from noise"
               if "ST" in table else
               "a factor's elementary effects carry that noise too, so a mu* that is not "
               "well above the other factors' where the share is high is not told apart "
               "from noise")
    return [f"Seed noise left in the point means (replicates averaged) is {shares.min():.0%} "
            f"to {shares.max():.0%} of their variance over the design, per outcome and rule "
            f"(`seed_noise_share`){over}: the indices share it out among the factors as if "
            f"it were theirs, so {reading}; more replicates shrink it."]


def resolution_lines(table: pd.DataFrame) -> list[str]:
    """How the indices' intervals were made, and how many of them are wider than their
    index (the interval holds 0: the design cannot tell that factor from one without
    effect), negative estimates among them; nothing for a table with no index."""
    if table.empty:
        return []
    names = ("S1", "ST") if "ST" in table else ("mu_star",)
    counts = []
    for name in names:
        index, conf = table[name], table[f"{name}_conf"]
        wide = int(((conf >= index.abs()) & (conf > 0)).sum())  # 0 +/- 0: never moved
        negative = int((index < 0).sum())
        counts.append(f"{wide} of {len(table)} {name} intervals are as wide as their index or "
                      f"wider" + (f", {negative} estimates below 0" if negative else ""))
    return [f"Intervals: each index +/- {CONFIDENCE:.0%} normal quantile x its bootstrap "
            f"standard error (SALib, {RESAMPLES} resamples of the design's points), which may "
            "run below 0. " + "; ".join(counts) + ": such an index is not told apart from 0 "
            "(a factor without effect), and an estimate below 0 is sampling error around an "
            "index near 0 (a true index is never negative). Where many are, the design is "
            "too small: raise `points`."]


def most_influential(g: pd.DataFrame, col: str) -> str:
    """The factor with the largest index, or, when the next one's is as large within the
    intervals (``COL_conf``, 95% bootstrap), the factors that no one can tell apart."""
    ranked = g.sort_values(col, ascending=False)
    top = ranked.iloc[0]
    conf = f"{col}_conf"
    low = top[col] - top[conf] if conf in g and pd.notna(top[conf]) else top[col]
    level = [r for r in ranked.itertuples()
             if getattr(r, col) + (getattr(r, conf, 0.0) if conf in g else 0.0) >= low]
    if len(level) == 1:
        return f"{top['factor']} ({col} {top[col]:.2f})"
    return "no factor stands out: " + ", ".join(
        f"{r.factor} ({col} {getattr(r, col):.2f})" for r in level) + " are within the intervals"
