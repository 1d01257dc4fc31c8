"""Model parameters: the weights of the utility terms, the logit temperature, coercion.

None of these numbers is in the report; each is an assumption, documented here and
swept by analysts. Profiles say *what* actors want; parameters say how strongly
each consideration weighs in any decision.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float = Field(0.08, gt=0.0, le=5.0, description=(
        "logit temperature: near 0 every actor picks its best option; large, choices are noisy. "
        "assumption: 0.08 makes an option 0.2 utility worse about 12 times less likely"))
    w_position: float = Field(1.0, ge=0.0, le=5.0, description=(
        "weight of distance from the actor's own position (the scale every other weight is "
        "read against)"))
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
    coercion_threshold: float = Field(0.02, ge=0.0, le=1.0, description=(
        "China coerces a partner only if its expected gain (exposure x vulnerability x "
        "provocation x (1 - backing)) exceeds this. assumption"))
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
    coercion_decay: float = Field(0.5, ge=0.0, le=1.0, description=(
        "share of felt coercion pressure that remains after a turn. assumption"))


def parameter_help() -> dict[str, str]:
    return {name: f.description or "" for name, f in Parameters.model_fields.items()}
