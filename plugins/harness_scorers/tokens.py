"""The ``tokens`` scorer: token budgets, media tokens against their estimates and durations, and cost per answer."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from harness.api import (
    Forecast,
    MetricRole,
    Reason,
    Score,
    ScoreContext,
    Scorer,
    ScoreResult,
    ScorerOptions,
    Usage,
    join_reasons,
)
from harness_scorers import prices
from harness_scorers.prices import ModelPrice

#: AUDIO tokens per second of audio: 32 in general, 25 for gemini-2.0-flash* and gemini-3*.
DEFAULT_AUDIO_RATE = 32.0
AUDIO_RATES: tuple[tuple[str, float], ...] = (("gemini-2.0-flash", 25.0), ("gemini-3", 25.0))


def audio_rate(model: str) -> float:
    name = model.removeprefix("models/")
    for prefix, rate in AUDIO_RATES:
        if name.startswith(prefix):
            return rate
    return DEFAULT_AUDIO_RATE


class TokensOptions(ScorerOptions):
    max_prompt_tokens: int | None = Field(default=None, ge=0)
    """Fail when the prompt used more tokens than this."""
    max_output_tokens: int | None = Field(default=None, ge=0)
    """Fail when the answer used more tokens than this."""
    max_thoughts_tokens: int | None = Field(default=None, ge=0)
    """Fail when thinking used more tokens than this."""
    max_total_tokens: int | None = Field(default=None, ge=0)
    """Fail when the call used more tokens in all than this."""
    max_audio_tokens: int | None = Field(default=None, ge=0)
    """Limit on prompt tokens of modality AUDIO."""
    max_video_tokens: int | None = Field(default=None, ge=0)
    """Limit on prompt tokens of modality VIDEO."""
    max_document_tokens: int | None = Field(default=None, ge=0)
    """Limit on prompt tokens of modality DOCUMENT."""
    max_image_tokens: int | None = Field(default=None, ge=0)
    """Limit on prompt tokens of modality IMAGE."""
    max_cost_usd: float | None = Field(default=None, ge=0)
    """Limit on the answer's cost in USD (needs a price for the model)."""
    check_audio_rate: bool = False
    """Compare reported AUDIO tokens with the media duration x the model's tokens-per-second rate."""
    audio_rate: float | None = Field(default=None, gt=0)
    """Override the rate (tokens per second of audio)."""
    audio_tolerance: float = Field(default=0.05, ge=0)
    """Allowed relative difference between reported and expected AUDIO tokens."""
    check_media_tokens: bool = False
    """Compare the prompt tokens of each media modality with the provider's estimate (media[].tokens_estimate)."""
    media_tolerance: float = Field(default=0.1, ge=0)
    """Allowed relative difference between reported and estimated media tokens."""
    prices: dict[str, ModelPrice] = Field(default_factory=dict)
    """Extra or replacement prices (USD per million tokens), merged over prices.yaml by model name."""


class TokensScorer(Scorer):
    name = "tokens"
    description = "Token budgets (prompt, output, thoughts, total, by modality), media token estimates, cost in USD"
    Options: ClassVar[type[ScorerOptions]] = TokensOptions
    higher_is_better = False  # the value is the cost
    metric_role: ClassVar[MetricRole] = "cost"

    def default_metric(self) -> str:
        return "cost_usd"

    @property
    def opts(self) -> TokensOptions:
        assert isinstance(self.options, TokensOptions)
        return self.options

    def _audio_check(self, ctx: ScoreContext, reported: int) -> tuple[dict[str, Any], Reason | None]:
        # Audio files and the soundtracks of videos are AUDIO; images and documents have no duration to count.
        heard = [m for m in ctx.output.media if (m.mime_type or "").startswith("audio/") or m.has_audio]
        durations = [m.duration_s for m in heard] if heard else [m.duration_s for m in ctx.output.media]
        rate = self.opts.audio_rate or audio_rate(ctx.model)
        info: dict[str, Any] = {"rate_per_s": rate, "reported": reported}
        if not durations or any(d is None for d in durations):
            info["skipped"] = "media durations unknown (the provider did not report duration_s)"
            return info, None
        seconds = sum(d for d in durations if d is not None)
        expected = seconds * rate
        info.update(duration_s=seconds, expected=expected)
        allowed = max(self.opts.audio_tolerance * expected, 1.0)
        if abs(reported - expected) > allowed:
            note = f"{seconds:g} s x {rate:g}/s, tolerance {self.opts.audio_tolerance:.0%}"
            return info, Reason(measured="audio_tokens", expected=round(expected), got=reported, note=note)
        return info, None

    def forecast(self, model: str, usage: Usage) -> Forecast:
        """The prompt budgets an estimated usage would break (output budgets are not known before the answer),
        and max_cost_usd when the input alone passes it (priced as this scorer prices: prices.yaml and its
        ``prices:``)."""
        o = self.opts
        found = prices.lookup(model, {**prices.shipped().models, **o.prices})
        out = Forecast()
        cost = prices.cost(usage, found[1])["cost_usd"] if found is not None else None
        by_kind = usage.prompt_by_modality
        for figure, value, limit in (
            ("prompt_tokens", usage.prompt_tokens, o.max_prompt_tokens),
            ("audio_tokens", by_kind.get("AUDIO", 0), o.max_audio_tokens),
            ("video_tokens", by_kind.get("VIDEO", 0), o.max_video_tokens),
            ("document_tokens", by_kind.get("DOCUMENT", 0), o.max_document_tokens),
            ("image_tokens", by_kind.get("IMAGE", 0), o.max_image_tokens),
        ):
            if limit is not None and (value or 0) > limit:
                out.breaks.append(f"{figure} ~{value} > max {limit}")
        if o.max_cost_usd is not None and cost is not None and cost > o.max_cost_usd:
            out.breaks.append(f"input cost ~${cost:.6f} > max_cost_usd ${o.max_cost_usd:g}")
        return out

    def _media_check(self, ctx: ScoreContext) -> tuple[dict[str, Any], list[Reason]]:
        """Reported prompt tokens of each modality the provider estimated, against that estimate."""
        expected: dict[str, int] = {}
        for media in ctx.output.media:
            for modality, count in media.tokens_estimate.items():
                expected[modality] = expected.get(modality, 0) + count
        if not expected:
            return {"skipped": "no media token estimates (the provider gave none for these media)"}, []
        reported = ctx.output.usage.prompt_by_modality
        info: dict[str, Any] = {"tolerance": self.opts.media_tolerance}
        problems = []
        for modality, estimate in sorted(expected.items()):
            got = reported.get(modality, 0)
            info[modality] = {"estimated": estimate, "reported": got}
            if abs(got - estimate) > max(self.opts.media_tolerance * estimate, 1.0):
                note = f"the provider's estimate, tolerance {self.opts.media_tolerance:.0%}"
                problems.append(Reason(measured=f"{modality.lower()}_tokens", expected=estimate, got=got, note=note))
        return info, problems

    async def score(self, ctx: ScoreContext) -> Score:
        o = self.opts
        usage = ctx.output.usage
        audio = usage.prompt_by_modality.get("AUDIO", 0)
        figures: dict[str, int | None] = {
            "prompt_tokens": usage.prompt_tokens,
            "output_tokens": usage.output_tokens,
            "thoughts_tokens": usage.thoughts_tokens,
            "total_tokens": usage.total_tokens,
            "audio_tokens": audio,
            "video_tokens": usage.prompt_by_modality.get("VIDEO", 0),
            "document_tokens": usage.prompt_by_modality.get("DOCUMENT", 0),
            "image_tokens": usage.prompt_by_modality.get("IMAGE", 0),
        }
        details: dict[str, Any] = {**figures, "prompt_by_modality": dict(usage.prompt_by_modality)}
        failures: list[Reason] = []
        limits = {
            "prompt_tokens": o.max_prompt_tokens,
            "output_tokens": o.max_output_tokens,
            "thoughts_tokens": o.max_thoughts_tokens,
            "total_tokens": o.max_total_tokens,
            "audio_tokens": o.max_audio_tokens,
            "video_tokens": o.max_video_tokens,
            "document_tokens": o.max_document_tokens,
            "image_tokens": o.max_image_tokens,
        }
        for key, limit in limits.items():
            if limit is not None and (figures[key] or 0) > limit:
                failures.append(Reason(measured=key, got=figures[key] or 0, op=">", limit="max", expected=limit))
        table = {**prices.shipped().models, **o.prices}
        found = prices.lookup(ctx.model, table)
        value: float | None = None
        if found is None:
            details["price"] = f"no price for model '{ctx.model}' (add it under 'prices:')"
            if o.max_cost_usd is not None:
                failures.append(
                    Reason(measured="cost_usd", note=f"max_cost_usd set but no price for model '{ctx.model}'")
                )
        else:
            entry, price = found
            breakdown = prices.cost(usage, price, batch=ctx.output.batch)
            calls = ctx.outputs if len(ctx.outputs) > 1 and ctx.turn is None else [ctx.output]
            if len(calls) > 1:
                # A chat's final score pays for every call of the conversation, not just the last.
                per_call = [prices.cost(call.usage, price, batch=call.batch)["cost_usd"] for call in calls]
                breakdown = {**breakdown, "cost_usd": sum(per_call), "cost_per_call_usd": per_call}
            value = breakdown["cost_usd"]
            details.update(breakdown, price_entry=entry, price_source="suite" if entry in o.prices else "prices.yaml")
            if o.max_cost_usd is not None and value > o.max_cost_usd:
                failures.append(Reason(measured="cost_usd", got=value, op=">", limit="max", expected=o.max_cost_usd))
        if o.check_audio_rate:
            info, problem = self._audio_check(ctx, audio)
            details["audio_rate_check"] = info
            if problem:
                failures.append(problem)
        if o.check_media_tokens:
            info, problems = self._media_check(ctx)
            details["media_tokens_check"] = info
            failures.extend(problems)
        reason = join_reasons(failures)
        if reason is not None:
            details["failures"] = [f.text for f in failures]
            details["reason"] = reason.text
        return Score(value=value, passed=not failures, details=details, reason=reason)

    @classmethod
    def aggregate(cls, results: list[ScoreResult]) -> dict[str, float]:
        """Total and mean cost over priced answers, plus token totals."""
        costs = [r.details["cost_usd"] for r in results if r.error is None and "cost_usd" in r.details]
        out: dict[str, float] = {}
        if costs:
            out["cost_usd"] = float(sum(costs))
            out["mean_cost_usd"] = float(sum(costs)) / len(costs)
            out["mean"] = out["mean_cost_usd"]
        for key in (
            "prompt_tokens",
            "output_tokens",
            "thoughts_tokens",
            "audio_tokens",
            "video_tokens",
            "document_tokens",
        ):
            out[key] = float(sum(r.details.get(key) or 0 for r in results if r.error is None))
        return out
