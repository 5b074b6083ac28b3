"""Gemini's documented per-model rate limits by quota tier (``limits: {tier: tier1}``, ``--quota-tier``).

Source: https://ai.google.dev/gemini-api/docs/rate-limits (requests per minute and input tokens per minute, per
project and model), as listed in late 2025. Limits change and a project may have its own: give ``rpm`` / ``tpm``
in the suite's ``limits:`` (or ``--rpm`` / ``--tpm``) to override. A model matches its own row or the longest row
name that prefixes it; a model without a row gets no limit from the tier.
"""

from __future__ import annotations

from harness.api import Quota

#: tier -> model prefix -> (requests per minute, input tokens per minute)
TIERS: dict[str, dict[str, tuple[int, int]]] = {
    "free": {
        "gemini-2.5-pro": (5, 250_000),
        "gemini-2.5-flash": (10, 250_000),
        "gemini-2.5-flash-lite": (15, 250_000),
        "gemini-2.0-flash": (15, 1_000_000),
        "gemini-2.0-flash-lite": (30, 1_000_000),
    },
    "tier1": {
        "gemini-3-pro": (50, 1_000_000),
        "gemini-2.5-pro": (150, 2_000_000),
        "gemini-2.5-flash": (1_000, 1_000_000),
        "gemini-2.5-flash-lite": (4_000, 4_000_000),
        "gemini-2.0-flash": (2_000, 4_000_000),
        "gemini-2.0-flash-lite": (4_000, 4_000_000),
    },
    "tier2": {
        "gemini-2.5-pro": (1_000, 5_000_000),
        "gemini-2.5-flash": (2_000, 3_000_000),
        "gemini-2.5-flash-lite": (10_000, 10_000_000),
        "gemini-2.0-flash": (10_000, 10_000_000),
        "gemini-2.0-flash-lite": (20_000, 10_000_000),
    },
    "tier3": {
        "gemini-2.5-pro": (2_000, 8_000_000),
        "gemini-2.5-flash": (10_000, 8_000_000),
        "gemini-2.5-flash-lite": (30_000, 30_000_000),
        "gemini-2.0-flash": (30_000, 30_000_000),
        "gemini-2.0-flash-lite": (30_000, 30_000_000),
    },
}


def documented(model: str, tier: str) -> Quota | None:
    table = TIERS.get(tier)
    if table is None:
        return None
    name = model.removeprefix("models/")
    matches = [prefix for prefix in table if name.startswith(prefix)]
    if not matches:
        return None
    rpm, tpm = table[max(matches, key=len)]
    return Quota(rpm=rpm, tpm=tpm)
