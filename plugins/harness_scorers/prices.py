"""Model prices (``prices.yaml``, overridable per suite) and the cost of one answer's usage."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from harness.api import Usage

PRICES_FILE = Path(__file__).with_name("prices.yaml")
PER = 1_000_000


class Tier(BaseModel):
    """USD per million tokens."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    input: float = Field(ge=0)
    """USD per million prompt tokens of text, image, video and documents."""
    input_audio: float | None = Field(default=None, ge=0)
    """USD per million AUDIO prompt tokens (default: input)."""
    output: float = Field(ge=0)
    """USD per million output tokens, thinking included."""


class LongContext(Tier):
    above: int = Field(gt=0)
    """These prices apply when the prompt has more than this many tokens."""


class ModelPrice(Tier):
    long_context: LongContext | None = None
    """Higher prices for prompts above a number of tokens."""


class PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = ""
    #: Batch mode's price as a share of the standard price (Google: half).
    batch_factor: float = Field(default=0.5, gt=0, le=1)
    models: dict[str, ModelPrice]


@functools.lru_cache(maxsize=1)
def shipped() -> PriceTable:
    """The price table shipped with the plugin."""
    return PriceTable.model_validate(yaml.safe_load(PRICES_FILE.read_text(encoding="utf-8")))


def lookup(model: str, table: dict[str, ModelPrice]) -> tuple[str, ModelPrice] | None:
    """The entry for ``model``: exact name, else the longest entry name that prefixes it."""
    name = model.removeprefix("models/")
    if name in table:
        return name, table[name]
    candidates = [key for key in table if name.startswith(key)]
    if not candidates:
        return None
    best = max(candidates, key=len)
    return best, table[best]


def cost(usage: Usage, price: ModelPrice, batch: bool = False) -> dict[str, Any]:
    """Cost breakdown in USD: audio and other prompt tokens, output tokens (thoughts included); at the batch rate
    (``batch_factor`` of prices.yaml) for an answer that came through batch mode."""
    prompt = (usage.prompt_tokens or 0) + (usage.tool_use_prompt_tokens or 0)
    tier: Tier = price
    if price.long_context is not None and (usage.prompt_tokens or 0) > price.long_context.above:
        tier = price.long_context
    audio = usage.prompt_by_modality.get("AUDIO", 0)
    other = max(prompt - audio, 0)
    output = (usage.output_tokens or 0) + (usage.thoughts_tokens or 0)
    audio_rate = tier.input if tier.input_audio is None else tier.input_audio
    factor = shipped().batch_factor if batch else 1.0
    parts = {
        "input_usd": other * tier.input * factor / PER,
        "input_audio_usd": audio * audio_rate * factor / PER,
        "output_usd": output * tier.output * factor / PER,
    }
    return {
        "cost_usd": sum(parts.values()),
        **parts,
        "tokens": {"input": other, "input_audio": audio, "output": output},
        "rates_per_million": {"input": tier.input, "input_audio": audio_rate, "output": tier.output},
        "long_context": tier is not price,
        "batch": batch,
    }
