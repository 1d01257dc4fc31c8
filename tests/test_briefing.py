"""Briefings for students (issue 13): a one-page country briefing in plain words, every
claim with its source, and role cards that line up across the four partners."""

import re

from agents.briefing import SAID_AS, briefing
from agents.catalog import IP4, load_catalog
from agents.profiles import ADVERSARY_DIMENSIONS, STATE_DIMENSIONS
from sim.cli import main


def test_the_brief_gives_every_claim_its_source_in_plain_words(capsys):
    assert main(["actors", "JPN", "--brief"]) == 0
    out = capsys.readouterr().out
    for section in ("What they want", "How they see NATO", "How they see China",
                    "What they fear or dislike"):
        assert f"\n{section}\n" in out
    claims = re.split(r"^- ", out, flags=re.M)[1:]
    assert len(claims) == len(load_catalog().profiles["JPN"].values)
    assert all("\n  Source: " in claim for claim in claims)
    assert not re.search(r"\([A-Z]\)", out), "letters such as (E) or (V) spelled out"


def card(code, capsys):
    assert main(["actors", code]) == 0
    return capsys.readouterr().out


def test_the_four_partners_cards_list_their_values_in_the_same_order(capsys):
    def order(text):
        return re.findall(r"^  (\w+) +\d\.\d\d  ", text, re.M)

    orders = {c: order(card(c, capsys)) for c in IP4}
    assert len({tuple(o) for o in orders.values()}) == 1, orders
    assert len(orders["KOR"]) == len(load_catalog().profiles["KOR"].values)


def test_a_value_the_four_share_is_said_to_be_shared(capsys):
    catalog = load_catalog()
    lines = card("JPN", capsys).splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.startswith("  formalization_aversion")]
    end = next(i for i in range(at + 1, len(lines)) if re.match(r"  \w", lines[i]))
    assert "All four partners hold the same value here" in " ".join(lines[at:end])
    brief = briefing(catalog.profiles["JPN"], catalog)
    assert "formalizing the IP4\"" in brief and brief.count("All four partners hold") >= 5
    assert "All four partners hold" not in " ".join(
        line for line in brief.splitlines() if "North Korea" in line)


def test_the_brief_prints_as_an_html_page(tmp_path, capsys):
    page = tmp_path / "nzl.html"
    assert main(["actors", "NZL", "--html", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and "@page" in text
    assert "Source: the report says: &quot;Wellington and Seoul" in text
    assert main(["actors", "NZL", "--html", str(tmp_path / "no" / "x.html")]) == 2
    assert capsys.readouterr().err.startswith("error: --html:")


def test_the_brief_reads_as_written_english_with_no_placeholder_left():
    catalog = load_catalog()
    korea = briefing(catalog.profiles["KOR"], catalog)
    assert "In this exercise the Republic of Korea is" in korea
    assert "`ip4sim actors KOR` gives why" in korea and "{" not in korea
    assert "In this exercise Japan is" in briefing(catalog.profiles["JPN"], catalog)
    at_home = korea.split("\nAt home\n")[1].split("\n\n")[0]
    assert "sees China as a security threat" in at_home and "Russia as a threat" in at_home


def test_a_number_read_from_the_reports_words_is_said_to_be_a_reading():
    catalog = load_catalog()
    japan = " ".join(briefing(catalog.profiles["JPN"], catalog).split())
    assert ('"none appear to want their cooperation with NATO to be characterized in terms of '
            'China" (the number is this exercise\'s reading of that sentence') in japan


def test_a_share_is_said_as_a_share_not_on_a_low_to_high_scale():
    # 39% of Australia's goods exports go to China, its largest market: not "low (0.39)".
    catalog = load_catalog()
    australia = " ".join(briefing(catalog.profiles["AUS"], catalog).split())
    assert "Trade exposure: 39% of its goods exports go to China." in australia
    assert "63% of the public sees China as a security threat" in australia
    assert "a tier of 0.20 on a scale where the United States is 1.0" in australia
    china = " ".join(briefing(catalog.profiles["CHN"], catalog).split())
    assert "it can press 25% of the partners in one turn" in china
    assert "20% of a partner's public in each turn" in china
    every = {**STATE_DIMENSIONS, **ADVERSARY_DIMENSIONS}
    assert {d for d, meaning in every.items() if meaning.startswith("share")} <= set(SAID_AS)
    for code in ("AUS", "NZL", "KOR", "JPN", "DEU", "USA", "CHN", "RUS"):
        profile = catalog.profiles[code]
        claims = [" ".join(c.split("Source:")[0].split()) for c in
                  re.split(r"^- ", briefing(profile, catalog), flags=re.M)[1:]]
        on_a_scale = [c for c in claims if "on a 0 to 1 scale" in c]
        assert len(claims) - len(on_a_scale) == len(set(SAID_AS) & set(profile.values)), code
        assert not [c for c in on_a_scale if c.lower().startswith(("share", "relative"))], code


def test_the_actors_list_says_the_allies_sorting_is_not_the_reports(capsys):
    # The report says some allies are more ambitious about the IP4 and names none: the
    # list says whose sorting it is and what each ally's rests on.
    assert main(["actors"]) == 0
    out = capsys.readouterr().out
    assert "by this exercise, not by the report, which names no ally" in " ".join(out.split())
    assert "  DEU  Germany  [ambitious about the IP4: an outside indicator]" in out
    assert "  ALB  Albania  [cautious about the IP4: an assumption]" in out
    assert card("DEU", capsys).startswith(
        "Germany (DEU), ally\nSorted as ambitious about the IP4 by this exercise, not by the "
        "report, which names no ally")
