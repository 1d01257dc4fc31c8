"""What a student reads about an actor: the role card (every value with its source) and a
one-page country briefing in plain words, as text or as HTML for printing.

Both are built from the profile alone. Values are listed in the order of the profile's
dimensions (``agents.profiles.STATE_DIMENSIONS``), so the four partners' cards line up;
where the four partners hold the same value, the card says so and gives the sentence
it rests on, so "why did Japan do that?" gets an honest answer ("all four dislike
formalization equally").
"""

from __future__ import annotations

import html
import textwrap

from agents.catalog import IP4, Catalog
from agents.profiles import REPORT, Profile, Sourced

# The briefing's sections: each dimension once, in the order a student asks about them.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("What they want", ("russia_stance", "dprk_priority", "contingency_expectation",
                        "ip4_ambition")),
    ("How they see NATO", ("nato_enthusiasm", "nato_integration", "us_alignment")),
    ("How they see China", ("china_threat", "china_russia_concern", "china_trade_exposure")),
    ("What they fear or dislike", ("coercion_vulnerability", "china_framing_aversion",
                                   "formalization_aversion")),
    ("At home", ("public_awareness", "public_understanding", "public_support",
                 "public_china_threat", "public_russia_threat")),
    ("Their weight", ("capability",)),
)
FOOTNOTE = (f"The report: {REPORT}. Dispositions are calibrated on a 0 to 1 scale (the "
            "report itself is ordinal), shares given as shares; `ip4sim actors {code}` gives "
            "why each number sits where it does.")
LEVELS = ((0.2, "very low"), (0.4, "low"), (0.6, "middling"), (0.8, "high"), (1.01, "very high"))
# Values that are not dispositions on a 0..1 scale, and how a briefing says them instead of
# "low" or "high": a share as a share (39% of exports to China is China's largest market,
# not "low"), a tier against its anchor. ``{pct}`` is the value as a percentage.
SAID_AS: dict[str, str] = {
    "china_trade_exposure": "Trade exposure: {pct} of its goods exports go to China.",
    "public_china_threat": "{pct} of the public sees China as a security threat (where the "
                           "share starts and settles).",
    "public_russia_threat": "{pct} of the public sees Russia as a threat (where the share "
                            "starts and settles).",
    "coercion_budget": "Trade coercion: it can press {pct} of the partners in one turn "
                       "(rounded to whole partners).",
    "disinformation_reach": "Reach of its narratives about NATO: {pct} of a partner's public "
                            "in each turn.",
    "capability": "Military and economic weight: a tier of {value:.2f} on a scale where the "
                  "United States is 1.0 (a rough tier, not a measured figure).",
}


def level(value: float) -> str:
    """A value on the 0..1 scale in words."""
    return next(word for top, word in LEVELS if value < top)


def percent(value: float) -> str:
    """A share in words: 0.39 -> '39%', 0.873 -> '87.3%'."""
    return f"{round(value * 100, 1):g}%"


def said(dimension: str, meaning: str, value: float) -> str:
    """A value as a briefing states it: a share as a share, a tier against its anchor, a
    disposition as a level on the 0..1 scale."""
    if dimension in SAID_AS:
        return SAID_AS[dimension].format(pct=percent(value), value=value)
    return f"{meaning[0].upper()}{meaning[1:]}: {level(value)} ({value:.2f} on a 0 to 1 scale)."


def plain_source(v: Sourced) -> str:
    """The source in plain words; a briefing leaves the calibration reasons to the card,
    but says when a number is a reading of the report's words rather than its own."""
    if v.source == "report":
        read = " (the number is this exercise's reading of that sentence, an assumption the " \
            "role card explains)" if v.reason else ""
        return f'the report says: "{v.quote}"{read}'
    if v.source == "outside":
        read = " (the number is this exercise's reading of it, which the role card " \
            "explains)" if v.reason else ""
        return f"an outside source: {v.citation}{read}"
    if v.source == "override":
        return f"set for this run: {v.reason or 'an override'}"
    return f"an assumption: {v.reason}"


def shared(catalog: Catalog, profile: Profile, dimension: str) -> str:
    """For a partner: a sentence saying all four hold this value, if they do, and what the
    report says of it."""
    if profile.code not in IP4:
        return ""
    values = {catalog.profiles[c].values[dimension].value for c in IP4}
    if len(values) > 1:
        return ""
    v = profile.values[dimension]
    said = " (the report's sentence is the source above)" if v.source == "report" else ""
    value = percent(v.value) if "{pct}" in SAID_AS.get(dimension, "") else f"{v.value:.2f}"
    return f"All four partners hold the same value here, {value}{said}."


def ordered(profile: Profile) -> list[str]:
    """The profile's dimensions in their canonical order, whatever the data file's order."""
    return [d for d in profile.dimensions if d in profile.values]


def role_card(profile: Profile, catalog: Catalog) -> str:
    """Every value with its meaning and source, in the canonical order."""
    lines = [f"{profile.name} ({profile.code}), {profile.kind}"]
    if profile.note:
        lines += textwrap.wrap(profile.note, 96)
    lines.append("")
    for dim in ordered(profile):
        value = profile.values[dim]
        lines.append(f"  {dim:<24} {value.value:4.2f}  {profile.dimensions[dim]}")
        for text in (value.describe(), shared(catalog, profile, dim)):
            lines += textwrap.wrap(text, 90, initial_indent=" " * 32,
                                   subsequent_indent=" " * 34)
    return "\n".join(lines)


def claims(profile: Profile, catalog: Catalog) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The briefing's sections: (title, [(claim, source, shared), ...]); every dimension
    once, an adversary's under "What it can do"."""
    placed = {d for _, dims in SECTIONS for d in dims}
    sections = [(title, [d for d in dims if d in profile.values]) for title, dims in SECTIONS]
    rest = "What it can do" if profile.kind == "adversary" else "Other"
    sections.append((rest, [d for d in ordered(profile) if d not in placed]))
    out = []
    for title, dims in sections:
        rows = []
        for dim in dims:
            v = profile.values[dim]
            rows.append((said(dim, profile.dimensions[dim], v.value), plain_source(v),
                         shared(catalog, profile, dim)))
        if rows:
            out.append((title, rows))
    return out


def who(profile: Profile) -> str:
    kind = {"partner": "one of NATO's four Indo-Pacific partners (the IP4)",
            "ally": "a NATO ally", "adversary": "an adversary the engine plays"}[profile.kind]
    return f"In this exercise {with_article(profile.name)} is {kind}." + (
        f" {profile.note}" if profile.note else "")


# Countries whose names take "the" in running English.
WITH_THE = ("Republic ", "People's Republic ", "Russian Federation", "Netherlands", "United ")


def with_article(name: str) -> str:
    """'the Republic of Korea', 'Japan'."""
    return f"the {name}" if name.startswith(WITH_THE) else name


def briefing(profile: Profile, catalog: Catalog) -> str:
    """The one-page briefing as plain text."""
    lines = [f"Country briefing: {profile.name} ({profile.code})", "",
             *textwrap.wrap(who(profile), 96)]
    for title, rows in claims(profile, catalog):
        lines += ["", title]
        for claim, source, same in rows:
            lines += textwrap.wrap(claim, 96, initial_indent="- ", subsequent_indent="  ")
            lines += textwrap.wrap(f"Source: {source}", 96, initial_indent="  ",
                                   subsequent_indent="    ")
            lines += textwrap.wrap(same, 96, initial_indent="  ", subsequent_indent="    ")
    lines += ["", *textwrap.wrap(FOOTNOTE.format(code=profile.code), 96)]
    return "\n".join(lines)


def briefing_html(profile: Profile, catalog: Catalog) -> str:
    """The same briefing as a printable HTML page (one A4 page, small type)."""
    e = html.escape
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Country briefing: {e(profile.name)}</title>",
             "<style>@page { size: A4; margin: 12mm; } body { font: 8.5pt/1.25 sans-serif; } "
             "h1 { font-size: 14pt; margin: 0 0 4pt; } h2 { font-size: 10.5pt; margin: 8pt 0 "
             "2pt; } ul { margin: 0; padding-left: 14pt; } li { margin-bottom: 2pt; } "
             ".src { color: #444; font-size: 7.5pt; } .same { font-size: 7.5pt; }</style>",
             "</head><body>",
             f"<h1>Country briefing: {e(profile.name)} ({e(profile.code)})</h1>",
             f"<p>{e(who(profile))}</p>"]
    for title, rows in claims(profile, catalog):
        parts += [f"<h2>{e(title)}</h2>", "<ul>"]
        for claim, source, same in rows:
            parts.append(f'<li>{e(claim)}<br><span class="src">Source: {e(source)}</span>'
                         + (f'<br><span class="same">{e(same)}</span>' if same else "")
                         + "</li>")
        parts.append("</ul>")
    parts += [f'<p class="src">{e(FOOTNOTE.format(code=profile.code))}</p>',
              "</body></html>", ""]
    return "\n".join(parts)
