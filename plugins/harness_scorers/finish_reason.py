"""The ``finish_reason`` scorer: did the answer end the expected way (default STOP)?"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from harness.api import MetricKind, Reason, Score, ScoreContext, Scorer, ScorerOptions

#: Plain-language explanations of the finish reasons users trip over.
EXPLAIN = {
    "STOP": "the model finished normally",
    "MAX_TOKENS": "answer truncated at max_output_tokens",
    "SAFETY": "blocked by safety filter",
    "RECITATION": "blocked for reciting training data",
    "BLOCKLIST": "blocked by a terminology blocklist",
    "PROHIBITED_CONTENT": "blocked as prohibited content",
    "SPII": "blocked for sensitive personal information",
    "MALFORMED_FUNCTION_CALL": "the model produced a malformed function call",
    "OTHER": "stopped for an unspecified reason",
}


class FinishReasonOptions(ScorerOptions):
    expected: list[str] = Field(default_factory=lambda: ["STOP"], min_length=1)
    """Acceptable finish reasons (Gemini's names, case-insensitive)."""

    @field_validator("expected", mode="before", json_schema_input_type=str | list[str])
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("expected")
    @classmethod
    def _upper(cls, value: list[str]) -> list[str]:
        return [v.strip().upper() for v in value]


class FinishReasonScorer(Scorer):
    name = "finish_reason"
    description = "The answer's finish reason is one of the expected ones (default STOP)"
    Options: ClassVar[type[ScorerOptions]] = FinishReasonOptions
    shorthand = "expected"
    metric_kind: ClassVar[MetricKind] = "categorical"
    category_key: ClassVar[str | None] = "finish_reason"

    async def score(self, ctx: ScoreContext) -> Score:
        o = self.options
        assert isinstance(o, FinishReasonOptions)
        out = ctx.output
        reason = out.finish_reason or ("SAFETY" if out.block_reason else None)
        details: dict[str, Any] = {"finish_reason": reason, "expected": o.expected}
        if reason in EXPLAIN:
            details["explanation"] = EXPLAIN[reason]
        if out.block_reason:
            details["block_reason"] = out.block_reason
        blocked = [r for r in out.safety_ratings if r.get("blocked")]
        if blocked or reason == "SAFETY":
            details["safety_ratings"] = out.safety_ratings
            if blocked:
                details["blocked_categories"] = [r.get("category") for r in blocked]
        passed = reason in o.expected
        if not passed:
            what = EXPLAIN.get(reason or "", "no finish reason reported" if reason is None else reason)
            if out.block_reason:
                what += f" (block_reason {out.block_reason})"
            elif details.get("blocked_categories"):
                what += f" ({', '.join(map(str, details['blocked_categories']))})"
            why = Reason(measured="finish_reason", expected=list(o.expected), got=reason or "none", note=what)
            details["reason"] = why.text
            return Score(value=0.0, passed=False, details=details, reason=why)
        return Score(value=1.0, passed=True, details=details)
