"""Preference profiles: every number an actor carries, and where it comes from.

A profile value is a :class:`Sourced` number in [0, 1] with its provenance:

* ``report``: a sentence of the USIP study group's executive summary, quoted
  verbatim (``quote``), that fixes the value's direction (high or low) or its order
  against other actors; the number is this exercise's reading of it, which ``reason``
  says. The tests check that the quote is in the report.
* ``outside``: a public figure or document with its ``citation``.
* ``assumption``: a calibrated guess, with a one-line ``reason``; a report sentence that
  bears on it without fixing it is quoted in the reason, in double quotes.
* ``override``: set for one run from a scenario file or the command line.

The report is ordinal. Each profile file lists the ``orderings`` it fixes
(``JPN.nato_enthusiasm > AUS.nato_enthusiasm``), and the tests check that the
numbers respect them, so a recalibration that breaks the report fails loudly.

Allies share one of two archetypes, the report's allies "more ambitious about
the IP4 format and some less so", and override what differs.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SourceKind = Literal["report", "outside", "assumption", "override"]

# The state dimensions, in the order profiles are shown. Each is in [0, 1].
STATE_DIMENSIONS: dict[str, str] = {
    "russia_stance": "support for costly measures against Russia over Ukraine",
    "china_threat": "government's view of China as a security challenge worth raising at NATO",
    "dprk_priority": "weight given to North Korea as a security threat",
    "china_trade_exposure": "share of goods exports that go to China (trade exposure)",
    "coercion_vulnerability": "felt vulnerability to Chinese trade disruption",
    "nato_enthusiasm": "how keen the government is on its association with NATO",
    "nato_integration": "integration into NATO's military and operational structures",
    "ip4_ambition": "ambition for the IP4 as a strategic, not merely tactical, format",
    "china_framing_aversion": "dislike of cooperation with NATO being framed as about China",
    "formalization_aversion": "dislike of formalizing the IP4",
    "us_alignment": "weight given to aligning with the United States",
    "china_russia_concern": "concern about growing China-Russia relations",
    "contingency_expectation": "expects the Ukraine model to apply to an Indo-Pacific crisis",
    "capability": "relative military and economic weight among these actors",
    "public_awareness": "public awareness of NATO and the IP4 (where it starts and settles)",
    "public_understanding": "public understanding of NATO and the IP4 (where it starts and "
                            "settles)",
    "public_support": "public support for engaging NATO (where it starts and settles)",
    "public_china_threat": "share of the public that sees China as a security threat (where "
                           "it starts and settles)",
    "public_russia_threat": "share of the public that sees Russia as a threat (where it starts "
                            "and settles)",
}

ADVERSARY_DIMENSIONS: dict[str, str] = {
    "coercion_budget": "share of partners it can coerce in one turn",
    "coercion_intensity": "China: pressure per coercion attempt; Russia: pressure per unit of "
                          "the war's escalation",
    "disinformation_reach": "share of a public its NATO narratives reach per turn",
    "disinformation_intensity": "pull of its narratives on a reached citizen",
}

AllyArchetype = Literal["ambitious", "cautious"]

# Kinds of measure a scenario's option can be (``measure:``): sanctions on a state
# (listings, financial and trade measures), or financial or nonlethal military aid,
# bilateral or through a NATO trust fund. What a government needs before it can take one is
# a lead time in days, per country (``lead_times`` in partners.yaml).
Measure = Literal["sanctions", "aid"]
# Why a government needs the time it does: a regime that exists (ministers list targets),
# none (the nearest power, e.g. export controls, is stretched to fit), a new law, or money
# that needs a budget line (and, for military goods, a rule that allows them to be given).
LeadBasis = Literal["existing_regime", "no_regime", "new_law", "budget_line"]


# The report every ``source: report`` value quotes (docs/ODD.md, references).
REPORT = ("United States Institute of Peace, Expert Study Group on NATO and Indo-Pacific "
          "Partners (chair M. Galic), final report, executive summary")


def normalize_text(text: str) -> str:
    """Fold typographic quotes, dashes and white space so a quote matches the report."""
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
    return re.sub(r"\s+", " ", text.translate(table)).strip().lower()


@cache
def report_text() -> str:
    """The USIP executive summary, normalized for quote checks."""
    src = resources.files("agents") / "sources" / "usip_ip4_executive_summary.txt"
    return normalize_text(src.read_text(encoding="utf-8"))


class Evidence(BaseModel):
    """Where a claim comes from: a report quote, an outside citation, or a reasoned assumption."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: SourceKind
    quote: str | None = None
    citation: str | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _evidence_present(self) -> Evidence:
        needed = {"report": "quote", "outside": "citation", "assumption": "reason"}
        field = needed.get(self.source)
        if field and not getattr(self, field):
            raise ValueError(f"a value with source '{self.source}' needs a '{field}'")
        if self.quote and self.source != "report":  # a card shows a quote only for report
            raise ValueError(f"a quote belongs to a 'report' value, not to an "
                             f"'{self.source}' one: quote the report in the reason, in "
                             "double quotes")
        if self.source == "report" and normalize_text(self.quote) not in report_text():
            raise ValueError(f"quote is not in the report: {self.quote!r}")
        return self

    def describe(self) -> str:
        """The evidence in one line, as a role card shows it."""
        if self.source == "report":
            return f'report: "{self.quote}"' + (f" ({self.reason})" if self.reason else "")
        if self.source == "outside":
            return f"outside: {self.citation}" + (f" ({self.reason})" if self.reason else "")
        if self.source == "override":
            return f"override: {self.reason or 'set for this run'}"
        return f"assumption: {self.reason}"


class Sourced(Evidence):
    """One number in [0, 1] and the evidence it rests on."""

    value: float = Field(ge=0.0, le=1.0)


class LeadTime(Evidence):
    """How many days after a question arises a government can first take a kind of
    measure, and why (``basis``), with the evidence for the figure."""

    days: float = Field(ge=0.0, le=3650.0)
    basis: LeadBasis

    def describe(self) -> str:
        return f"{self.days:g} days ({self.basis.replace('_', ' ')}); {super().describe()}"


class Ordering(BaseModel):
    """An ordinal claim of the report, e.g. ``JPN.nato_enthusiasm > AUS.nato_enthusiasm``."""

    model_config = ConfigDict(extra="forbid")

    claim: str = Field(pattern=r"^\w+\.\w+ (>|>=|==) \w+\.\w+$")
    quote: str

    def sides(self) -> tuple[tuple[str, str], str, tuple[str, str]]:
        left, op, right = self.claim.split()
        return tuple(left.split(".")), op, tuple(right.split("."))  # type: ignore[return-value]


class ProfileBase(BaseModel):
    """An actor's values, every one of its kind's dimensions present and no other."""

    model_config = ConfigDict(extra="forbid")

    dimensions: ClassVar[dict[str, str]]
    name: str
    note: str = ""
    values: dict[str, Sourced]

    @model_validator(mode="after")
    def _all_dimensions(self) -> ProfileBase:
        missing = [d for d in self.dimensions if d not in self.values]
        unknown = [d for d in self.values if d not in self.dimensions]
        if missing or unknown:
            raise ValueError(f"{self.code}: missing dimensions {missing}, unknown {unknown}")
        return self

    def __getitem__(self, dimension: str) -> float:
        return self.values[dimension].value


class StateProfile(ProfileBase):
    """A NATO ally or an IP4 partner, fully resolved."""

    dimensions: ClassVar[dict[str, str]] = STATE_DIMENSIONS
    code: str = Field(pattern=r"^[A-Z]{3}$")
    kind: Literal["ally", "partner"]
    archetype: AllyArchetype | None = None
    archetype_basis: Evidence | None = Field(None, description=(
        "an ally's evidence for the archetype this exercise sorts it into (the report names "
        "no ally as more or less ambitious about the IP4)"))
    lead_times: dict[Measure, LeadTime] = Field(default_factory=dict, description=(
        "days before the government can first take each kind of measure; a measure not "
        "listed can be taken at once"))


class AdversaryProfile(ProfileBase):
    """China or Russia."""

    dimensions: ClassVar[dict[str, str]] = ADVERSARY_DIMENSIONS
    code: Literal["CHN", "RUS"]
    kind: Literal["adversary"] = "adversary"


Profile = StateProfile | AdversaryProfile
