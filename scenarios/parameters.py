"""Model parameters: the weights of the utility terms, the logit temperature, coercion,
the publics, the campaigns and NATO's public diplomacy.

None of these numbers is in the report; each is an assumption (or, for the inoculation
spill-over, a published estimate), documented here and swept by analysts. Profiles say
*what* actors want; parameters say how strongly each consideration weighs in any decision.
Every number of the model that is not a country's sourced value (``agents/data``) is one
of these fields; ``tests/test_params.py`` checks that no new one hides in the code.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float = Field(0.08, gt=0.0, le=5.0, description=(
        "logit temperature: near 0 every actor picks its best option; large, choices are noisy. "
        "assumption: 0.08 makes an option 0.2 utility worse about 12 times less likely"))
    w_position: float = Field(1.0, ge=0.0, le=5.0, description=(
        "weight of distance from the actor's own position. assumption: 1, the scale every "
        "other weight is read against"))
    public_neutral: float = Field(0.5, ge=0.0, le=1.0, description=(
        "public support at which visible engagement neither helps nor hurts a government "
        "(the public term is w_public x (support - this) x visibility). assumption: half"))
    w_us_pull: float = Field(0.3, ge=0.0, le=5.0, description=(
        "pull toward the United States' position, times the actor's us_alignment. assumption"))
    w_peer_pull: float = Field(0.35, ge=0.0, le=5.0, description=(
        "pull toward the group's position under the coordination rule. assumption"))
    w_coercion: float = Field(0.6, ge=0.0, le=5.0, description=(
        "felt risk of Chinese coercion from options that provoke China, times felt "
        "vulnerability, less the backing of partners. assumption"))
    w_russia_risk: float = Field(0.3, ge=0.0, le=5.0, description=(
        "deterrent effect of Russian pressure on options that provoke Russia. assumption"))
    w_framing: float = Field(0.4, ge=0.0, le=5.0, description=(
        "cost of options that frame cooperation with NATO in terms of China, times "
        "china_framing_aversion. assumption"))
    w_formalization: float = Field(0.6, ge=0.0, le=5.0, description=(
        "cost of options that formalize the IP4, times formalization_aversion. assumption"))
    w_nato_ties: float = Field(0.2, ge=0.0, le=5.0, description=(
        "benefit of acting through NATO, times nato_integration. assumption"))
    w_cost: float = Field(0.3, ge=0.0, le=5.0, description=(
        "material cost of an option, heavier for smaller actors (1 - capability). assumption"))
    w_public: float = Field(0.25, ge=0.0, le=5.0, description=(
        "domestic public support (or opposition) for visible engagement with NATO. assumption"))
    w_consensus_norm: float = Field(0.7, ge=0.0, le=5.0, description=(
        "reluctance of an ally to block consensus at the North Atlantic Council. assumption: "
        "blocks are rare and costly in NAC practice"))
    coercion_threshold: float = Field(0.08, ge=0.0, le=1.0, description=(
        "China coerces a partner only if the expected value (chance the pressure lands x "
        "gain) exceeds this: coercion has diplomatic costs, so China waits for a partner "
        "to provoke it. assumption"))
    china_base_interest: float = Field(0.1, ge=0.0, le=1.0, description=(
        "China's gain from pressing a partner that has not provoked it (the gain is this plus "
        "the partner's provocation): its standing interest in pressing partners 'against "
        "closer relations with NATO'. assumption"))
    china_coercion_slope: float = Field(6.0, ge=0.0, le=100.0, description=(
        "how sharply leverage over resistance turns into the chance coercion lands "
        "(logistic slope). assumption"))
    coercion_resistance_weight: float = Field(0.5, ge=0.0, le=5.0, description=(
        "weight of a partner's backing plus resolve (china_threat) against China's leverage: "
        "equal halves of both. assumption"))
    voice_alone: float = Field(0.15, ge=0.0, le=1.0, description=(
        "attention at NATO a partner gets speaking alone on one question, scaled up to twice "
        "by its nato_integration. assumption"))
    group_voice_bonus: float = Field(0.5, ge=0.0, le=5.0, description=(
        "extra attention a group gets over the sum of its members' voices: the report's "
        "'much greater attention and space at NATO as a group'. assumption"))
    hook_per_formal_act: float = Field(0.2, ge=0.0, le=1.0, description=(
        "how much each act of a formal IP4 strengthens China's 'Asia-Pacific NATO' narrative "
        "hook (the report: informality gives 'less of a hook'). assumption"))
    hook_decay: float = Field(0.9, ge=0.0, le=1.0, description=(
        "share of the narrative hook that remains after a turn. assumption"))
    provocation_decay: float = Field(0.5, ge=0.0, le=1.0, description=(
        "share of a partner's provocation of China that China still holds against it a turn "
        "later. assumption"))
    russia_pressure_memory: float = Field(0.5, ge=0.0, le=1.0, description=(
        "share of last turn's Russian pressure that carries into this turn (the rest follows "
        "the war's escalation now). assumption"))
    japan_rok_friction: float | None = Field(None, ge=0.0, le=1.0, description=(
        "chance that bilateral friction stops a direct Tokyo-Seoul consultation on a "
        "question; unset, the value in agents/data/relations.yaml"))
    coercion_decay: float = Field(0.5, ge=0.0, le=1.0, description=(
        "share of felt coercion pressure that remains after a turn. assumption"))
    # -- publics (agents/publics.py has the update rule) --
    population: int = Field(2000, ge=1, le=10_000_000, description=(
        "simulated citizens per public (each IP4 partner has one); 2,000 for a classroom, "
        "250,000 for a million in all. setting: a resolution, not an assumption about the "
        "world"))
    public_spread: float = Field(20.0, ge=1.0, le=1000.0, description=(
        "concentration of citizens' anchors around their country's anchor (Beta with this "
        "alpha + beta): 20 gives a spread of about 0.11 around 0.5. assumption"))
    threat_half_life_days: float = Field(60.0, ge=1.0, le=3650.0, description=(
        "days for a public's threat perception of China or Russia to relax halfway back to "
        "its polled anchor once events stop (per turn: 1 - 0.5^(days per turn / this)). "
        "outside basis: the Asia New Zealand Foundation found 37% of New Zealanders saw "
        "China as a threat in late 2021, 58% in a mid-2022 poll and 37% again in late 2022, "
        "a 21-point rise gone within about six months; 60 days leaves an eighth of it after "
        "180 days, within a poll's margin"))
    threat_shock: float = Field(0.5, ge=0.0, le=1.0, description=(
        "share of the way to 1 a citizen's threat perception moves on an event of strength "
        "1: a world threat variable rising by 1 in a turn, or China's coercion of the "
        "country itself at pressure 1. assumption scaled to the same polls: an event of "
        "strength 0.7 moves a public at 37% about 20 points, as New Zealand's moved in 2022"))
    threat_neighbour_share: float = Field(0.5, ge=0.0, le=1.0, description=(
        "share of a coercion attempt's shock to its target's public that reaches the other "
        "three partners' publics (coercion of a neighbour). assumption: half"))
    w_public_threat: float = Field(0.3, ge=0.0, le=5.0, description=(
        "pull toward firmer options (higher position) on a china_threat or russia_stance "
        "decision per unit of the public's threat perception above its anchor (the term "
        "public_threat; the anchor itself is in the government's profile). assumption: "
        "about the public-support term's weight"))
    public_retention: float = Field(0.9, ge=0.0, le=1.0, description=(
        "lambda: share of a citizen's opinion (after peers) kept each turn; the rest returns "
        "to the citizen's anchor (Friedkin and Johnsen 1990). assumption"))
    peer_weight: float = Field(0.1, ge=0.0, le=1.0, description=(
        "weight of the country's mean opinion in a citizen's own (mean-field DeGroot "
        "averaging). assumption"))
    confidence_bound: float = Field(0.6, ge=0.0, le=1.0, description=(
        "epsilon: a message moves a citizen only if her support for engaging NATO is within "
        "this distance of the sender's stance (0 Russia and China, 1 NATO); bounded "
        "confidence (Deffuant et al. 2000; Hegselmann and Krause 2002). assumption"))
    persuasion_rate: float = Field(0.3, ge=0.0, le=1.0, description=(
        "mu: how far a message at full intensity moves a receptive citizen toward it "
        "(Deffuant et al. 2000 use 0 < mu <= 0.5). assumption"))
    visibility_rate: float = Field(0.5, ge=0.0, le=1.0, description=(
        "how far a visibility shock at full strength moves awareness toward 1 in one turn. "
        "assumption"))
    visibility_understanding: float = Field(0.1, ge=0.0, le=1.0, description=(
        "kappa: a visibility shock closes this share (times the shock's awareness rate) of the "
        "awareness-understanding gap: small, so awareness outruns understanding, the report's "
        "'awareness of the grouping has largely exceeded understanding of it'. assumption"))
    outreach_awareness: float = Field(0.2, ge=0.0, le=1.0, description=(
        "awareness gained by a citizen public diplomacy reaches, at full intensity. "
        "assumption"))
    outreach_understanding: float = Field(0.5, ge=0.0, le=1.0, description=(
        "share of the awareness-understanding gap closed by a contact of depth 1 at full "
        "intensity. assumption"))
    inoculation_max: float = Field(0.6, ge=0.0, le=1.0, description=(
        "inoculation one outreach contact adds at full messaging (iota += m x this x "
        "(1 - iota)); a narrative's pull on a citizen is cut by iota for the narratives the "
        "messaging answers and by 0.10/0.37 x iota for the others (Roozenbeek, Traberg and "
        "van der Linden 2022). assumption"))
    inoculation_spillover: float = Field(0.10 / 0.37, ge=0.0, le=1.0, description=(
        "phi: share of the inoculation a citizen has that also protects her against the "
        "narratives the messaging does not answer. Roozenbeek, Traberg and van der Linden "
        "(2022, Royal Society Open Science): inoculation against a technique improved "
        "discernment by d ~ 0.37 for that technique and d ~ 0.10 for others; this is the "
        "ratio 0.10/0.37"))
    support_pull: float = Field(1.0, ge=0.0, le=1.0, description=(
        "how far a narrative's pull lowers support for engaging NATO, relative to the belief "
        "it builds. assumption"))
    debunk_pull: float = Field(1.0, ge=0.0, le=1.0, description=(
        "how far public diplomacy's pull lowers narrative beliefs, relative to the support it "
        "builds. assumption"))

    anchor_asia_pacific_nato: float = Field(0.25, ge=0.0, le=1.0, description=(
        "mean belief in China's 'Asia-Pacific NATO' narrative in a partner public with no "
        "campaign. assumption"))
    anchor_nato_caused_war: float = Field(0.2, ge=0.0, le=1.0, description=(
        "mean belief in Russia's 'NATO caused the war' narrative in a partner public with no "
        "campaign. assumption"))
    anchor_nato_irrelevant_to_region: float = Field(0.3, ge=0.0, le=1.0, description=(
        "mean belief in China's 'NATO irrelevant here' narrative in a partner public with no "
        "campaign. assumption"))
    # -- campaigns (sim/information.py::campaign) --
    office_material: float = Field(0.5, ge=0.0, le=1.0, description=(
        "material an open NATO office in Tokyo gives China's 'Asia-Pacific NATO' narrative. "
        "assumption"))
    office_undercut: float = Field(0.5, ge=0.0, le=1.0, description=(
        "share of the intensity of 'NATO irrelevant here' left once the Tokyo office is open "
        "(a NATO presence in the region). assumption"))
    informal_hook_share: float = Field(0.5, ge=0.0, le=1.0, description=(
        "share of hook_per_formal_act (times the option's china_framing) a China-framed joint "
        "position adds to the hook, under any rule (a formal IP4 adds hook_per_formal_act on "
        "top). assumption"))
    # -- NATO public diplomacy (sim/information.py::outreach): each lever's channel --
    contact_point_embassies_reach: float = Field(0.15, ge=0.0, le=1.0, description=(
        "share of a partner public the contact point embassies reach per turn at full "
        "strength. assumption"))
    contact_point_embassies_depth: float = Field(1.0, ge=0.0, le=5.0, description=(
        "understanding per contact through the contact point embassies, relative to plain "
        "outreach. assumption: explanatory"))
    high_level_visits_reach: float = Field(0.10, ge=0.0, le=1.0, description=(
        "share of a partner public high-level visits reach per turn at full strength. "
        "assumption"))
    high_level_visits_depth: float = Field(0.5, ge=0.0, le=5.0, description=(
        "understanding per contact through high-level visits. assumption: shallow"))
    visits_visibility: float = Field(0.3, ge=0.0, le=1.0, description=(
        "visibility high-level visits add at full strength (raising awareness faster than "
        "understanding). assumption"))
    parliamentary_exchanges_reach: float = Field(0.05, ge=0.0, le=1.0, description=(
        "share of a partner public parliamentary exchanges reach per turn at full strength. "
        "assumption: narrow"))
    parliamentary_exchanges_depth: float = Field(2.0, ge=0.0, le=5.0, description=(
        "understanding per contact through parliamentary exchanges. assumption: deep"))
    messaging_reach: float = Field(0.10, ge=0.0, le=1.0, description=(
        "share of a partner public officials' messaging (L5) reaches per turn at full "
        "strength. assumption"))
    messaging_depth: float = Field(0.5, ge=0.0, le=5.0, description=(
        "understanding per contact through officials' messaging. assumption: shallow"))
    liaison_office_tokyo_reach: float = Field(0.20, ge=0.0, le=1.0, description=(
        "share of Japan's public an open NATO office in Tokyo reaches per turn at full "
        "strength. assumption"))
    liaison_office_tokyo_depth: float = Field(1.5, ge=0.0, le=5.0, description=(
        "understanding per contact through the Tokyo office. assumption"))
    office_reach_elsewhere: float = Field(0.5, ge=0.0, le=1.0, description=(
        "the Tokyo office's reach in the other three partners, as a share of its reach in "
        "Japan. assumption"))
    public_outreach_reach: float = Field(0.30, ge=0.0, le=1.0, description=(
        "share of a partner public a one-off outreach event (world variable public_outreach, "
        "e.g. a delegation) reaches per turn at level 1. assumption"))
    public_outreach_depth: float = Field(1.5, ge=0.0, le=5.0, description=(
        "understanding per contact at a one-off outreach event. assumption"))
    outreach_intensity: float = Field(0.5, ge=0.0, le=1.0, description=(
        "pull of NATO's outreach on a reached citizen without partnership goals; the "
        "partnership_goals lever multiplies it by 1 + goals (capped at 1). assumption"))


DEFAULTS = Parameters()


def merged(base: Parameters, overrides: dict[str, float | int | None] | None = None
           ) -> Parameters:
    """A scenario file's ``parameters:`` (the ones it set) with a run's own on top; raises
    pydantic's ValidationError for a bad value (``sim.request`` says which input)."""
    return Parameters(**{**base.model_dump(exclude_unset=True), **(overrides or {})})


def parameter_help() -> dict[str, str]:
    return {name: f.description or "" for name, f in Parameters.model_fields.items()}


def readable_number(value: float) -> str:
    """A number as a person reads it: ``10,000,000``, ``0.2703``."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:.4g}"


def parameter_bounds(name: str) -> str:
    """A parameter's bounds as an interval: ``[0, 1]``, ``(0, 5]``."""
    meta = Parameters.model_fields[name].metadata

    def bound(closed: str, open_: str, default: str) -> tuple[bool, str]:
        for m in meta:
            for attr, inclusive in ((closed, True), (open_, False)):
                if getattr(m, attr, None) is not None:
                    return inclusive, readable_number(getattr(m, attr))
        return False, default

    low_in, low = bound("ge", "gt", "-inf")
    high_in, high = bound("le", "lt", "inf")
    return f"{'[' if low_in else '('}{low}, {high}{']' if high_in else ')'}"


def assumed_weights() -> list[str]:
    """The weights of the utility's terms that are assumptions (their description says
    so): what ``compare --assumptions`` draws to see which outcomes rest on them."""
    return [name for name, f in Parameters.model_fields.items()
            if name.startswith("w_") and "assumption" in (f.description or "")]
