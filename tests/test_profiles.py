"""The actor catalogue: counts, sources, the report's orderings, governments, overrides."""

from __future__ import annotations

import math
import operator
import re
from importlib import resources
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from agents.catalog import (
    IP4,
    AlliesFile,
    Catalog,
    PartnerEntry,
    governments_available,
    load_catalog,
)
from agents.profiles import (
    ADVERSARY_DIMENSIONS,
    STATE_DIMENSIONS,
    Evidence,
    Ordering,
    Sourced,
    StateProfile,
    normalize_text,
    report_text,
)

ALLIES = {
    "ALB",
    "BEL",
    "BGR",
    "CAN",
    "HRV",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "ISL",
    "ITA",
    "LVA",
    "LTU",
    "LUX",
    "MNE",
    "NLD",
    "MKD",
    "NOR",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
    "TUR",
    "GBR",
    "USA",
}
ADVERSARIES = {"CHN", "RUS"}
GOVERNMENT_SETTINGS = [None, {"KOR": "yoon"}, {"KOR": "progressive"}]
OPERATORS = {">": operator.gt, ">=": operator.ge, "==": math.isclose}
REQUIRED_FIELD = {"report": "quote", "outside": "citation", "assumption": "reason"}


def _raw(name: str) -> dict:
    path = resources.files("agents") / "data" / name
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _holds(catalog: Catalog, ordering: Ordering) -> bool:
    (left_code, left_dim), op, (right_code, right_dim) = ordering.sides()
    left = catalog.profiles[left_code][left_dim]
    right = catalog.profiles[right_code][right_dim]
    return bool(OPERATORS[op](left, right))


def _all_evidence(catalog: Catalog):
    """Every (label, Sourced) in a catalogue: profile values and relation frictions."""
    for code, profile in catalog.profiles.items():
        for dim, sourced in profile.values.items():
            yield f"{code}.{dim}", sourced
    for rel in catalog.relations:
        yield "friction " + "-".join(rel.pair), rel.friction


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# --- counts and kinds -------------------------------------------------------------------


def test_actor_counts(catalog: Catalog) -> None:
    assert len(catalog.profiles) == 38  # 32 allies + 4 partners + 2 adversaries
    assert set(catalog.by_kind("ally")) == ALLIES
    assert set(catalog.by_kind("partner")) == set(IP4)
    assert set(catalog.by_kind("adversary")) == ADVERSARIES


def test_every_profile_has_every_dimension(catalog: Catalog) -> None:
    for code, profile in catalog.profiles.items():
        expected = ADVERSARY_DIMENSIONS if code in ADVERSARIES else STATE_DIMENSIONS
        assert set(profile.values) == set(expected), code


def test_allies_use_both_archetypes(catalog: Catalog) -> None:
    archetypes = {catalog.profiles[c].archetype for c in ALLIES}
    assert archetypes == {"ambitious", "cautious"}
    for code in catalog.by_kind("partner"):
        assert catalog.profiles[code].archetype is None


def test_archetype_basis_is_outside_or_assumption() -> None:
    # The report names no ally as more or less ambitious, so no sorting may cite it.
    for entry in _raw("allies.yaml")["allies"]:
        basis = Evidence.model_validate(entry["archetype_basis"])
        assert basis.source in {"outside", "assumption"}, entry["code"]


def test_every_ally_sets_its_own_capability() -> None:
    for entry in _raw("allies.yaml")["allies"]:
        assert "capability" in entry.get("values", {}), entry["code"]


PUBLIC_DIMENSIONS = [d for d in STATE_DIMENSIONS if d.startswith("public_")]


def test_allies_publics_are_assumptions(catalog: Catalog) -> None:
    for code in ALLIES:
        for dim in PUBLIC_DIMENSIONS:
            assert catalog.profiles[code].values[dim].source == "assumption", (code, dim)


def test_the_four_publics_differ_only_where_a_poll_says_so(catalog: Catalog) -> None:
    """A polled public value is the first figure of its citation, with the poll's year;
    two of the four differ on a public value only if a poll stands behind one of them."""
    for dim in PUBLIC_DIMENSIONS:
        values = {code: catalog.profiles[code].values[dim] for code in IP4}
        for code, v in values.items():
            if v.source == "outside":
                first = re.search(r"(\d+(?:\.\d+)?)%", v.citation)
                assert first and math.isclose(float(first.group(1)) / 100, v.value), (code, dim)
                assert re.search(r"\b(19|20)\d\d\b", v.citation), (code, dim)
        for a, b in ((a, b) for i, a in enumerate(IP4) for b in IP4[i + 1:]):
            if values[a].value != values[b].value:
                assert "outside" in (values[a].source, values[b].source), (dim, a, b)


def test_the_polls_order_the_four_publics_on_china(catalog: Catalog) -> None:
    # The surveys: the ROK 83% (2021) and Japan 87.3% (2022) above Australia's 63% (2022),
    # New Zealand's 37% (2022) lowest.
    china = {code: catalog.profiles[code]["public_china_threat"] for code in IP4}
    assert min(china["JPN"], china["KOR"]) > china["AUS"] > china["NZL"], china


# --- evidence ---------------------------------------------------------------------------


def test_every_value_carries_its_evidence(catalog: Catalog) -> None:
    for label, sourced in _all_evidence(catalog):
        assert sourced.source in REQUIRED_FIELD, label  # no override in the built-in data
        evidence = getattr(sourced, REQUIRED_FIELD[sourced.source])
        assert evidence and evidence.strip(), label
        if sourced.source == "report":
            assert normalize_text(sourced.quote) in report_text(), label


def test_every_ordering_quote_is_in_the_report(catalog: Catalog) -> None:
    # Ordering does not check its quote on load; this test does.
    for ordering in catalog.orderings:
        assert normalize_text(ordering.quote) in report_text(), ordering.claim


def test_double_quoted_fragments_in_reasons_are_from_the_report(catalog: Catalog) -> None:
    # A reason may cite the report in double quotes; such a fragment must be verbatim.
    for label, sourced in _all_evidence(catalog):
        for fragment in re.findall(r'"([^"]+)"', sourced.reason or ""):
            assert normalize_text(fragment) in report_text(), (label, fragment)


def test_a_fake_report_quote_is_rejected() -> None:
    with pytest.raises(ValidationError, match="not in the report"):
        Sourced(value=0.5, source="report", quote="NATO will open an office on the Moon")


def test_a_fake_quote_in_a_partner_entry_is_rejected() -> None:
    raw = _raw("partners.yaml")["partners"][0]
    raw["values"]["nato_integration"]["quote"] = "Australia is a full member of NATO"
    with pytest.raises(ValidationError):
        PartnerEntry.model_validate(raw)


# A report value's sentence fixes its direction or its order; its number is this exercise's
# reading of the sentence, and its reason says so. A reason that calls the value a guess or
# an assumption is one that the report does not fix: label it an assumption.
READING = "this exercise's reading"
GUESSWORK = re.compile(r"\bguess|\bassum", re.IGNORECASE)


def _report_values():
    seen = set()
    for governments in GOVERNMENT_SETTINGS:
        for label, sourced in _all_evidence(load_catalog(governments)):
            if sourced.source == "report" and (label, sourced.value) not in seen:
                seen.add((label, sourced.value))
                yield label, sourced


def test_a_report_value_says_its_number_is_this_exercises_reading() -> None:
    for label, sourced in _report_values():
        reason = " ".join((sourced.reason or "").split())
        assert READING in reason, (label, "a report value's reason says the number is "
                                          f"{READING!r} of its sentence")
        assert not GUESSWORK.search(reason), (label, "its reason says the value is a guess: "
                                                     "make it source: assumption", reason)


def test_the_allies_archetype_split_is_never_the_reports() -> None:
    # The report names no ally: a report value on which the two archetypes differ can quote
    # only the report's "some allies are more ambitious ... and some less so", and says
    # that the sorting is this exercise's.
    archetypes = AlliesFile.model_validate(_raw("allies.yaml")).archetypes
    for dim, ambitious in archetypes["ambitious"].items():
        cautious = archetypes["cautious"][dim]
        if "report" in (ambitious.source, cautious.source) and ambitious.value != cautious.value:
            for v in (ambitious, cautious):
                assert v.source == "report" and "exercise's" in " ".join(v.reason.split()), dim


def test_a_quote_belongs_only_to_a_report_value() -> None:
    # An assumption's card shows its reason, never a quote: a sentence that bears on it goes
    # in the reason, in double quotes, where the tests check it too.
    with pytest.raises(ValidationError, match="belongs to a 'report' value"):
        Sourced(value=0.5, source="assumption", reason="a guess",
                quote="The IP4 and NATO have also coordinated positions on issues such as "
                      "North Korea.")


@pytest.mark.parametrize("source", ["report", "outside", "assumption"])
def test_missing_evidence_is_rejected(source: str) -> None:
    with pytest.raises(ValidationError, match=REQUIRED_FIELD[source]):
        Sourced(value=0.5, source=source)


# --- the report's orderings -------------------------------------------------------------


ORDERINGS = load_catalog().orderings


@pytest.mark.parametrize("governments", GOVERNMENT_SETTINGS, ids=["default", "yoon", "progressive"])
@pytest.mark.parametrize("ordering", ORDERINGS, ids=[o.claim for o in ORDERINGS])
def test_ordering_holds(ordering: Ordering, governments: dict[str, str] | None) -> None:
    assert _holds(load_catalog(governments), ordering), ordering.claim


def test_exposure_and_felt_vulnerability_point_opposite_ways(catalog: Catalog) -> None:
    aus, nzl = catalog.profiles["AUS"], catalog.profiles["NZL"]
    assert aus["china_trade_exposure"] > nzl["china_trade_exposure"]  # outside figures
    assert nzl["coercion_vulnerability"] > aus["coercion_vulnerability"]  # the report
    assert aus.values["china_trade_exposure"].source == "outside"
    assert nzl.values["china_trade_exposure"].source == "outside"


@pytest.mark.parametrize("governments", GOVERNMENT_SETTINGS, ids=["default", "yoon", "progressive"])
def test_report_thresholds(governments: dict[str, str] | None) -> None:
    cat = load_catalog(governments)
    partners = [cat.profiles[c] for c in IP4]
    # "none appear to want their cooperation with NATO to be characterized in terms of China"
    assert all(p["china_framing_aversion"] > 0.5 for p in partners)
    # "little indication ... as a strategic asset beyond its tactical utility"
    assert all(p["ip4_ambition"] < 0.5 for p in partners)
    # "no current demand from either side for greater formalization"
    states = partners + [cat.profiles[c] for c in ALLIES]
    assert all(p["formalization_aversion"] > 0.5 for p in states)

    # "they share the most consistency in views on Russia's war against Ukraine"
    def spread(dim: str) -> float:
        values = [p[dim] for p in partners]
        return max(values) - min(values)

    assert spread("russia_stance") < spread("china_threat")


def test_allies_split_on_ip4_ambition(catalog: Catalog) -> None:
    ambitious = [
        catalog.profiles[c]["ip4_ambition"]
        for c in ALLIES
        if catalog.profiles[c].archetype == "ambitious"
    ]
    cautious = [
        catalog.profiles[c]["ip4_ambition"]
        for c in ALLIES
        if catalog.profiles[c].archetype == "cautious"
    ]
    assert min(ambitious) > max(cautious)


def test_united_states_role(catalog: Catalog) -> None:
    usa = catalog.profiles["USA"]
    assert usa["us_alignment"] == 1.0
    assert usa["china_threat"] == max(catalog.profiles[c]["china_threat"] for c in ALLIES)
    states = catalog.by_kind("ally") + catalog.by_kind("partner")
    assert usa["capability"] == max(catalog.profiles[c]["capability"] for c in states)
    assert "major partner on deterrence and defense" in usa.note


def test_russia_stance_outliers(catalog: Catalog) -> None:
    typical = catalog.profiles["BEL"]["russia_stance"]
    for code in ("HUN", "SVK", "TUR"):
        assert catalog.profiles[code]["russia_stance"] < typical, code


def test_japan_rok_friction(catalog: Catalog) -> None:
    assert catalog.friction("JPN", "KOR") == pytest.approx(0.6)
    assert catalog.friction("KOR", "JPN") == pytest.approx(0.6)
    assert catalog.friction("AUS", "NZL") == 0.0


# --- governments ------------------------------------------------------------------------


def test_kor_governments_available() -> None:
    assert governments_available() == {"KOR": ("yoon", "progressive")}


def test_kor_governments_override_the_same_dimensions() -> None:
    kor = next(p for p in _raw("partners.yaml")["partners"] if p["code"] == "KOR")
    keys = [set(values) for values in kor["governments"].values()]
    assert all(k == keys[0] for k in keys)
    assert "nato_enthusiasm" in keys[0]
    assert not keys[0] & set(kor["values"])  # the base values never shadow a government's


def test_progressive_government_lowers_rok_engagement(catalog: Catalog) -> None:
    progressive = load_catalog({"KOR": "progressive"}).profiles["KOR"]
    yoon = catalog.profiles["KOR"]
    assert progressive["nato_enthusiasm"] < yoon["nato_enthusiasm"]
    assert progressive["china_threat"] < yoon["china_threat"]
    assert progressive["ip4_ambition"] < yoon["ip4_ambition"]
    assert "Government in office: yoon" in yoon.note
    assert "Government in office: progressive" in progressive.note
    assert (
        load_catalog({"KOR": "yoon"}).profiles["KOR"]["nato_enthusiasm"] == yoon["nato_enthusiasm"]
    )


def test_unknown_government_raises() -> None:
    with pytest.raises(ValueError, match="unknown government"):
        load_catalog({"KOR": "martian"})


# --- resolution and overrides -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [("ROK", "KOR"), ("rok", "KOR"), ("UK", "GBR"), ("PRC", "CHN"), ("jpn", "JPN")],
)
def test_resolve(catalog: Catalog, typed: str, code: str) -> None:
    assert catalog.resolve(typed) == code


def test_resolve_unknown_raises(catalog: Catalog) -> None:
    with pytest.raises(KeyError):
        catalog.resolve("ATL")


def test_with_values_marks_the_override(catalog: Catalog) -> None:
    before = catalog.profiles["JPN"]["nato_enthusiasm"]
    changed = catalog.with_values({"JPN": {"nato_enthusiasm": 0.42}}, "scenario test")
    value = changed.profiles["JPN"].values["nato_enthusiasm"]
    assert value.value == 0.42
    assert value.source == "override"
    assert value.reason == "scenario test"
    assert value.describe() == "override: scenario test"
    assert catalog.profiles["JPN"]["nato_enthusiasm"] == before  # the original is untouched
    assert (
        changed.profiles["JPN"].values["china_threat"]
        == catalog.profiles["JPN"].values["china_threat"]
    )


STATE_CODES = sorted(ALLIES | set(IP4))
in_range = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
out_of_range = st.one_of(
    st.floats(max_value=-1e-9, allow_nan=False), st.floats(min_value=1.0 + 1e-9, allow_nan=False)
)
state_overrides = st.dictionaries(
    st.sampled_from(STATE_CODES),
    st.dictionaries(st.sampled_from(sorted(STATE_DIMENSIONS)), in_range, min_size=1, max_size=4),
    min_size=1,
    max_size=4,
)
adversary_overrides = st.dictionaries(
    st.sampled_from(sorted(ADVERSARIES)),
    st.dictionaries(st.sampled_from(sorted(ADVERSARY_DIMENSIONS)), in_range, min_size=1),
    max_size=2,
)


@settings(max_examples=40, deadline=None)
@given(states=state_overrides, adversaries=adversary_overrides)
def test_in_range_overrides_keep_the_catalog_valid(states, adversaries) -> None:
    overrides = {**states, **adversaries}
    changed = load_catalog().with_values(overrides, "hypothesis")
    revalidated = Catalog.model_validate(changed.model_dump())
    for code, values in overrides.items():
        for dim, value in values.items():
            assert revalidated.profiles[code][dim] == value
            assert revalidated.profiles[code].values[dim].source == "override"
    assert len(revalidated.profiles) == 38


@settings(max_examples=40, deadline=None)
@given(
    code=st.sampled_from(STATE_CODES),
    dim=st.sampled_from(sorted(STATE_DIMENSIONS)),
    value=out_of_range,
)
def test_out_of_range_overrides_raise(code: str, dim: str, value: float) -> None:
    with pytest.raises(ValidationError):
        load_catalog().with_values({code: {dim: value}}, "hypothesis")


@settings(max_examples=25, deadline=None)
@given(values=st.dictionaries(st.sampled_from(sorted(STATE_DIMENSIONS)), in_range, min_size=1))
def test_a_profile_with_overrides_still_validates(values: dict[str, float]) -> None:
    profile = load_catalog().with_values({"NZL": values}, "hypothesis").profiles["NZL"]
    StateProfile.model_validate(profile.model_dump())
    for dim, value in values.items():  # each override in place, marked as one
        assert profile.values[dim].value == value, dim
        assert profile.values[dim].source == "override", profile.values[dim]


@pytest.mark.parametrize("name", ["partners.yaml", "allies.yaml", "adversaries.yaml",
                                  "orderings.yaml", "relations.yaml"])
def test_the_catalogue_reads_its_files_as_yaml_safe_load_does(name):
    """agents.catalog parses its own data files with libyaml's safe loader, for speed:
    the same data, value for value, as the pure-Python yaml.safe_load."""
    from agents.catalog import _read

    assert _read(name) == _raw(name)


# -- the ODD's profile table quotes the data ------------------------------------------------

LETTER = {"report": "R", "outside": "O", "assumption": "A"}
ODD_TABLE = re.compile(r"^\| `(\w+)` \|")


def _odd_profile_rows() -> dict[str, list[str]]:
    """docs/ODD.md section 2.1's table: dimension -> its cells from AUS to USA."""
    text = (Path(__file__).parents[1] / "docs" / "ODD.md").read_text(encoding="utf-8")
    section = text.split("### 2.1 ")[1].split("\n### ")[0]
    rows = {}
    for line in section.splitlines():
        match = ODD_TABLE.match(line)
        if match and match.group(1) in STATE_DIMENSIONS:
            rows[match.group(1)] = [c.strip() for c in line.strip("|").split("|")][2:8]
    return rows


def _cell(value: Sourced) -> str:
    """A value as the ODD's table writes it: ``.229 O``, ``1.0 R``, ``0 A``."""
    text = (f"{value.value:g}".removeprefix("0") if 0 < value.value < 1
            else f"{value.value:.1f}" if value.value else "0")
    return f"{text} {LETTER[value.source]}"


def test_the_odd_profile_table_quotes_the_data(catalog: Catalog) -> None:
    # docs/ODD.md 2.1 quotes every partner's, the USA's and the archetypes' values with
    # their kind of source; a value changed in agents/data/ must be changed there too.
    progressive = load_catalog({"KOR": "progressive"}).profiles["KOR"]
    archetypes = AlliesFile.model_validate(_raw("allies.yaml")).archetypes
    rows = _odd_profile_rows()
    assert set(rows) == set(STATE_DIMENSIONS)
    for dimension, (aus, jpn, kor, nzl, allies, usa) in rows.items():
        def quoted(profile: StateProfile, d: str = dimension) -> str:
            return _cell(profile.values[d])

        korea = {quoted(catalog.profiles["KOR"]), quoted(progressive)}
        assert [aus, jpn, nzl, usa] == [quoted(catalog.profiles[c])
                                        for c in ("AUS", "JPN", "NZL", "USA")], dimension
        assert set(kor.split(" / ")) == korea, dimension
        if dimension != "capability":  # set per ally: the table says so
            assert allies == " / ".join(_cell(archetypes[a][dimension])
                                        for a in ("ambitious", "cautious")), dimension


def test_the_odd_adversary_table_quotes_the_data(catalog: Catalog) -> None:
    text = (Path(__file__).parents[1] / "docs" / "ODD.md").read_text(encoding="utf-8")
    section = text.split("### 2.4 ")[1].split("\n### ")[0]
    rows = {m.group(1): [c.strip() for c in line.strip("|").split("|")][1:3]
            for line in section.splitlines() if (m := ODD_TABLE.match(line))}
    assert set(rows) == set(ADVERSARY_DIMENSIONS)
    for dimension, cells in rows.items():
        assert cells == [_cell(catalog.profiles[c].values[dimension]) for c in ("CHN", "RUS")], \
            dimension


def test_the_odd_says_how_much_rests_on_the_report(catalog: Catalog) -> None:
    # docs/ODD.md 6.1 quotes the line a run's report prints about its sources: how many
    # values rest on how many distinct sentences of the report (one sentence serves every
    # ally of an archetype, so values alone overstate the report's part).
    from analysis.narrative import provenance
    from sim.runner import recorded_profiles

    text = (Path(__file__).parents[1] / "docs" / "ODD.md").read_text(encoding="utf-8")
    section = text.split("### 6.1 ")[1].split("\n### ")[0]
    quoted = " ".join(line.removeprefix(">").strip() for line in section.splitlines()
                      if line.startswith(">"))
    line = provenance(recorded_profiles(catalog))
    assert quoted == line
    sentences = {v.quote for p in catalog.profiles.values() for v in p.values.values()
                 if v.source == "report"}
    assert f" on {len(sentences)} distinct sentences of the report" in line
