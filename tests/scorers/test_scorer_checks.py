"""text, latency and finish_reason scorers (finish reasons and safety data from recorded answers)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from scorer_kit import WIRE, ContextFactory, run

from harness.log.records import ScoreResult
from harness_scorers.finish_reason import FinishReasonScorer
from harness_scorers.latency import LatencyScorer
from harness_scorers.text import TextScorer


@pytest.mark.parametrize(
    ("options", "answer", "passed"),
    [
        ({"contains": "dog"}, "a dog barks", True),
        ({"contains": "Dog"}, "a dog barks", False),
        ({"icontains": "DOG"}, "a dog barks", True),
        ({"contains": ["dog", "cat"]}, "dog and cat", True),
        ({"contains": ["dog", "cat"]}, "dog only", False),
        ({"equals": "8"}, " 8\n", True),
        ({"equals": "8", "strip": False}, " 8\n", False),
        ({"regex": r"\b8\b|eight"}, "There are eight paws", True),
        ({"regex": r"^\d+$"}, "8 paws", False),
        ({"starts_with": "Yes"}, "Yes, sir", True),
        ({"ends_with": "sir"}, "Yes, sir", True),
        ({"one_of": ["yes", "no"]}, "maybe", False),
        ({"min_length": 3, "max_length": 5}, "abcd", True),
        ({"max_length": 3}, "abcd", False),
        ({"contains": "sorry", "negate": True}, "Here it is", True),
        ({"contains": "sorry", "negate": True}, "Sorry, I can't; sorry", False),
        ({"contains": "a", "starts_with": "b"}, "abc", False),
    ],
)
async def test_text_checks(ctx: ContextFactory, options: dict[str, Any], answer: str, passed: bool) -> None:
    score = await run(TextScorer, options, ctx(answer))
    assert score.passed is passed and score.value == (1.0 if passed else 0.0)
    assert ("reason" in score.details) is (not passed)


async def test_text_explains_which_check_failed_and_renders(ctx: ContextFactory) -> None:
    score = await run(
        TextScorer, {"contains": "{{ animal }}", "starts_with": "b"}, ctx("a dog", vars={"animal": "dog"})
    )
    assert [c["passed"] for c in score.details["checks"]] == [True, False]
    assert score.reason is not None and score.reason.text == 'starts_with: expected b, got "a dog"'
    assert score.details["reason"] == score.reason.text
    negated = await run(TextScorer, {"contains": "dog", "negate": True}, ctx("a dog"))
    assert negated.reason is not None and negated.reason.text == 'not contains "a dog": found dog'
    short = await run(TextScorer, {"min_length": 10}, ctx("a dog"))
    assert short.reason is not None and short.reason.text == "length 5 < min 10"
    two = await run(TextScorer, {"contains": ["cat", "owl"]}, ctx("a dog"))
    assert two.reason is not None
    assert two.reason.text == 'contains: expected cat, got "a dog" (and contains: expected owl, got "a dog")'
    blocked = await run(TextScorer, {"max_length": 10}, ctx(None, finish_reason="SAFETY"))
    assert blocked.passed is True and "SAFETY" in blocked.details["no_text"]


def test_text_options() -> None:
    assert TextScorer.shorthand == "contains"
    with pytest.raises(ValueError, match="at least one check"):
        TextScorer.Options.model_validate({"negate": True})
    with pytest.raises(ValueError, match="invalid regular expression"):
        TextScorer.Options.model_validate({"regex": "("})
    TextScorer.Options.model_validate({"regex": "{{ pattern }}"})


async def test_latency(ctx: ContextFactory) -> None:
    fast = await run(LatencyScorer, {"max_ms": 1000}, ctx("x", latency_ms=250.0))
    assert fast.passed is True and fast.value == 250.0
    slow = await run(LatencyScorer, {"max_ms": 1000, "max_ttft_ms": 100}, ctx("x", latency_ms=1500.0, ttft_ms=90.0))
    assert slow.passed is False and slow.reason is not None and slow.reason.text == "latency_ms 1500 > max 1000"
    unstreamed = await run(LatencyScorer, {"max_ttft_ms": 100}, ctx("x", latency_ms=50.0))
    assert unstreamed.passed is False and "not streamed" in unstreamed.details["reason"]
    late = await run(LatencyScorer, {"max_ttft_ms": 100}, ctx("x", latency_ms=500.0, ttft_ms=300.0, cached=True))
    assert late.passed is False and "cached" in late.details
    with pytest.raises(ValueError):
        LatencyScorer.Options.model_validate({})
    results = [
        ScoreResult(scorer="latency", metric="latency_ms", value=v, details={"ttft_ms": v / 2})
        for v in (100, 200, 300, 400)
    ]
    aggregate = LatencyScorer.aggregate(results)
    assert aggregate["p50"] == 250 and aggregate["p95"] == pytest.approx(385) and aggregate["ttft_p50"] == 125


def _candidate(name: str) -> dict[str, Any]:
    cassette = yaml.safe_load((WIRE / "pydantic-ai" / name).read_text())
    return cassette["interactions"][0]["response"]["parsed_body"]["candidates"][0]  # type: ignore[no-any-return]


async def test_finish_reason_on_recorded_answers(ctx: ContextFactory) -> None:
    truncated = _candidate("test_google_model_max_tokens.yaml")
    text = truncated["content"]["parts"][0]["text"]
    score = await run(FinishReasonScorer, {}, ctx(text, finish_reason=truncated["finishReason"]))
    assert score.passed is False
    assert score.reason is not None
    assert score.reason.text == "finish_reason: expected STOP, got MAX_TOKENS (answer truncated at max_output_tokens)"
    allowed = await run(FinishReasonScorer, {"expected": ["stop", "max_tokens"]}, ctx(text, finish_reason="MAX_TOKENS"))
    assert allowed.passed is True

    blocked = _candidate("test_google_model_safety_settings.yaml")
    ratings = blocked["safetyRatings"]
    score = await run(FinishReasonScorer, {}, ctx(None, finish_reason=blocked["finishReason"], safety_ratings=ratings))
    assert score.passed is False
    assert score.details["blocked_categories"] == ["HARM_CATEGORY_HATE_SPEECH"]
    assert score.reason is not None
    assert score.reason.text == (
        "finish_reason: expected STOP, got SAFETY (blocked by safety filter (HARM_CATEGORY_HATE_SPEECH))"
    )
    prompt_blocked = await run(FinishReasonScorer, {}, ctx(None, block_reason="PROHIBITED_CONTENT"))
    assert prompt_blocked.details["finish_reason"] == "SAFETY"
    assert "block_reason PROHIBITED_CONTENT" in prompt_blocked.details["reason"]
    shorthand = FinishReasonScorer.Options.model_validate({"expected": "SAFETY"})
    assert shorthand.expected == ["SAFETY"]  # type: ignore[attr-defined]
