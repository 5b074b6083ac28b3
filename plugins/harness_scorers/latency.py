"""The ``latency`` scorer: total latency and time to first token."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, model_validator

from harness.api import (
    MetricRole,
    Reason,
    Score,
    ScoreContext,
    Scorer,
    ScoreResult,
    ScorerOptions,
    join_reasons,
    percentile,
)


class LatencyOptions(ScorerOptions):
    max_ms: float | None = Field(default=None, gt=0)
    """Limit on the answer's total latency in milliseconds."""
    max_ttft_ms: float | None = Field(default=None, gt=0)
    """Limit on the time to first token (streamed trials). A trial that was not streamed has no time to first
    token and FAILS this limit (so a gate cannot pass by accident)."""

    @model_validator(mode="after")
    def _some_limit(self) -> LatencyOptions:
        if self.max_ms is None and self.max_ttft_ms is None:
            raise ValueError("give max_ms and/or max_ttft_ms")
        return self


class LatencyScorer(Scorer):
    higher_is_better = False  # the value is the latency in ms
    metric_role: ClassVar[MetricRole] = "cost"
    name = "latency"
    description = "Total latency and time-to-first-token limits, in milliseconds"
    Options: ClassVar[type[ScorerOptions]] = LatencyOptions
    shorthand = "max_ms"

    def default_metric(self) -> str:
        return "latency_ms"

    async def score(self, ctx: ScoreContext) -> Score:
        o = self.options
        assert isinstance(o, LatencyOptions)
        out = ctx.output
        details: dict[str, Any] = {"latency_ms": out.latency_ms, "ttft_ms": out.ttft_ms}
        if out.cached:
            details["cached"] = "answer from the cache: latency is the original call's"
        failures: list[Reason] = []
        if o.max_ms is not None:
            details["max_ms"] = o.max_ms
            if out.latency_ms is None:
                failures.append(Reason(measured="latency_ms", note="no latency was measured"))
            elif out.latency_ms > o.max_ms:
                failures.append(
                    Reason(measured="latency_ms", got=round(out.latency_ms), op=">", limit="max", expected=o.max_ms)
                )
        if o.max_ttft_ms is not None:
            details["max_ttft_ms"] = o.max_ttft_ms
            if out.ttft_ms is None:
                note = "no time to first token: the trial was not streamed (set stream: true)"
                failures.append(Reason(measured="ttft_ms", note=note))
            elif out.ttft_ms > o.max_ttft_ms:
                failures.append(
                    Reason(measured="ttft_ms", got=round(out.ttft_ms), op=">", limit="max", expected=o.max_ttft_ms)
                )
        reason = join_reasons(failures)
        if reason is not None:
            details["reason"] = reason.text
        return Score(value=out.latency_ms, passed=not failures, details=details, reason=reason)

    @classmethod
    def aggregate(cls, results: list[ScoreResult]) -> dict[str, float]:
        out = super().aggregate(results)
        values = [r.value for r in results if r.value is not None]
        if values:
            out["p50"] = percentile(values, 50)
            out["p95"] = percentile(values, 95)
        ttft = [r.details["ttft_ms"] for r in results if r.details.get("ttft_ms") is not None]
        if ttft:
            out["ttft_p50"] = percentile(ttft, 50)
        return out
