"""The tokens scorer on usage taken from real recorded Gemini answers."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import av
import pytest
import yaml
from scorer_kit import WIRE, ContextFactory, run

from harness.log.records import MediaInfo, ScoreResult, Usage
from harness_scorers.prices import ModelPrice, lookup, shipped
from harness_scorers.tokens import TokensScorer, audio_rate


def usage_from_wire(meta: dict[str, Any]) -> Usage:
    """Parse a usageMetadata object the way the API documents it (independently of the provider)."""
    return Usage(
        prompt_tokens=meta.get("promptTokenCount"),
        output_tokens=meta.get("candidatesTokenCount"),
        thoughts_tokens=meta.get("thoughtsTokenCount"),
        total_tokens=meta.get("totalTokenCount"),
        prompt_by_modality={d["modality"]: d["tokenCount"] for d in meta.get("promptTokensDetails", [])},
        output_by_modality={d["modality"]: d["tokenCount"] for d in meta.get("candidatesTokensDetails", [])},
    )


def _cassette(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((WIRE / "pydantic-ai" / name).read_text())["interactions"]  # type: ignore[no-any-return]


def _inline_audio() -> tuple[Usage, float, Usage]:
    """(usage of the audio turn, duration of its inline MP3 decoded here, usage of the first turn)."""
    first, second = _cassette("inline_audio_gemini-2.5-flash.yaml")
    parts = second["request"]["parsed_body"]["contents"][3]["parts"]
    data = next(p["inlineData"]["data"] for p in parts if "inlineData" in p)
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    with av.open(io.BytesIO(raw)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        duration = samples / stream.rate
    return (
        usage_from_wire(second["response"]["parsed_body"]["usageMetadata"]),
        duration,
        usage_from_wire(first["response"]["parsed_body"]["usageMetadata"]),
    )


async def test_inline_audio_usage_cost_and_rate(ctx: ContextFactory) -> None:
    usage, duration, _ = _inline_audio()
    assert usage.prompt_by_modality == {"TEXT": 85, "AUDIO": 144}
    assert duration == pytest.approx(4.488, abs=0.01)
    media = [MediaInfo(source="file 2d36ae", mime_type="audio/mpeg", duration_s=duration)]
    options = {"check_audio_rate": True, "max_audio_tokens": 200, "max_prompt_tokens": 229, "max_total_tokens": 246}
    score = await run(TokensScorer, options, ctx("hello", usage=usage, media=media))
    assert score.passed is True, score.details
    expected = (85 * 0.30 + 144 * 1.00 + 17 * 2.50) / 1_000_000
    assert score.value == pytest.approx(expected)
    assert score.details["cost_usd"] == pytest.approx(expected)
    assert score.details["input_audio_usd"] == pytest.approx(144 / 1_000_000)
    assert score.details["audio_rate_check"]["expected"] == pytest.approx(duration * 32)
    tight = await run(TokensScorer, {"max_audio_tokens": 100, "max_prompt_tokens": 200}, ctx("x", usage=usage))
    assert tight.passed is False
    assert tight.details["failures"] == ["prompt_tokens 229 > max 200", "audio_tokens 144 > max 100"]
    assert tight.reason is not None
    assert tight.reason.text == "prompt_tokens 229 > max 200 (and audio_tokens 144 > max 100)"
    short = await run(TokensScorer, {"max_output_tokens": 5}, ctx("x", usage=usage))
    assert short.reason is not None and short.reason.text == "output_tokens 17 > max 5"


async def test_audio_rate_mismatch_is_named(ctx: ContextFactory) -> None:
    usage, duration, _ = _inline_audio()
    media = [MediaInfo(source="clip", duration_s=duration)]
    score = await run(TokensScorer, {"check_audio_rate": True, "audio_rate": 25}, ctx("x", usage=usage, media=media))
    assert score.passed is False and score.reason is not None
    assert score.reason.text == "audio_tokens: expected 112, got 144 (4.488 s x 25/s, tolerance 5%)"
    unknown = await run(TokensScorer, {"check_audio_rate": True}, ctx("x", usage=usage, media=[MediaInfo(source="c")]))
    assert unknown.passed is True and "skipped" in unknown.details["audio_rate_check"]


async def test_gemini_2_0_flash_counts_25_tokens_per_second(ctx: ContextFactory) -> None:
    body = json.loads((WIRE / "cookbook" / "generateContent_inline_audio_30s_gemini-2.0-flash.json").read_text())
    usage = usage_from_wire(body["usageMetadata"])
    assert audio_rate(body["modelVersion"]) == 25.0
    media = [MediaInfo(source="30 s clip", duration_s=30.0)]
    score = await run(
        TokensScorer, {"check_audio_rate": True}, ctx("x", usage=usage, media=media, model="gemini-2.0-flash")
    )
    assert score.passed is True and score.details["audio_rate_check"]["expected"] == 750
    assert score.value == pytest.approx((4 * 0.10 + 750 * 0.70 + 49 * 0.40) / 1_000_000)


async def test_thoughts_are_billed_as_output_and_limited(ctx: ContextFactory) -> None:
    _, _, usage = _inline_audio()
    assert usage.thoughts_tokens == 90
    score = await run(TokensScorer, {"max_thoughts_tokens": 50}, ctx("x", usage=usage))
    assert score.passed is False and score.details["tokens"]["output"] == 100
    assert score.value == pytest.approx((41 * 0.30 + 100 * 2.50) / 1_000_000)


async def test_prices_override_unknown_model_and_cost_limit(ctx: ContextFactory) -> None:
    max_tokens = _cassette("test_google_model_max_tokens.yaml")[0]["response"]["parsed_body"]["usageMetadata"]
    usage = usage_from_wire(max_tokens)
    unknown = await run(TokensScorer, {}, ctx("x", usage=usage, model="my-tuned-model"))
    assert unknown.value is None and unknown.passed is True and "no price" in unknown.details["price"]
    capped = await run(TokensScorer, {"max_cost_usd": 0.01}, ctx("x", usage=usage, model="my-tuned-model"))
    assert capped.passed is False
    options = {"prices": {"my-tuned-model": {"input": 1000, "output": 2000}}, "max_cost_usd": 0.01}
    priced = await run(TokensScorer, options, ctx("x", usage=usage, model="my-tuned-model"))
    assert priced.value == pytest.approx((15 * 1000 + 5 * 2000) / 1_000_000)
    assert priced.passed is False and priced.details["price_source"] == "suite"


def test_long_context_prices_and_lookup() -> None:
    table = shipped().models
    assert lookup("models/gemini-2.5-flash-preview-09-2025", table)[0] == "gemini-2.5-flash"  # type: ignore[index]
    assert lookup("gemini-2.5-flash-lite", table)[0] == "gemini-2.5-flash-lite"  # type: ignore[index]
    assert lookup("claude", table) is None
    from harness_scorers.prices import cost

    pro = table["gemini-2.5-pro"]
    small = cost(Usage(prompt_tokens=1000, output_tokens=10), pro)
    big = cost(Usage(prompt_tokens=300_000, output_tokens=10), pro)
    assert small["rates_per_million"]["input"] == 1.25 and big["rates_per_million"]["input"] == 2.50
    assert big["long_context"] is True
    with pytest.raises(ValueError):
        ModelPrice.model_validate({"input": -1, "output": 1})


def test_aggregate_totals_cost() -> None:
    results = [
        ScoreResult(scorer="tokens", metric="cost_usd", value=0.002, details={"cost_usd": 0.002, "prompt_tokens": 10}),
        ScoreResult(scorer="tokens", metric="cost_usd", value=0.004, details={"cost_usd": 0.004, "prompt_tokens": 5}),
        ScoreResult(scorer="tokens", metric="cost_usd", value=None, details={"prompt_tokens": 7}),
    ]
    aggregate = TokensScorer.aggregate(results)
    assert aggregate["cost_usd"] == pytest.approx(0.006) and aggregate["mean_cost_usd"] == pytest.approx(0.003)
    assert aggregate["prompt_tokens"] == 22


async def test_chat_cost_sums_every_call(ctx: ContextFactory) -> None:
    from harness.log.records import Output, Usage

    calls = [
        Output(
            text="a",
            usage=Usage(prompt_tokens=1000, output_tokens=100, total_tokens=1100, prompt_by_modality={"TEXT": 1000}),
        ),
        Output(
            text="b",
            usage=Usage(prompt_tokens=2000, output_tokens=100, total_tokens=2100, prompt_by_modality={"TEXT": 2000}),
        ),
    ]
    single = ctx("b", model="gemini-2.5-flash")
    single.output = calls[1]
    alone = await run(TokensScorer, {}, single)
    single.outputs = calls
    whole = await run(TokensScorer, {}, single)
    first = ctx("a", model="gemini-2.5-flash")
    first.output = calls[0]
    cost_first = (await run(TokensScorer, {}, first)).value
    assert whole.value == pytest.approx(alone.value + cost_first)
    assert whole.details["cost_per_call_usd"] == pytest.approx([cost_first, alone.value])
    single.turn = 1  # a per-turn entry judges that turn alone
    assert (await run(TokensScorer, {}, single)).value == pytest.approx(alone.value)


def _video_info(**estimate: int) -> MediaInfo:
    return MediaInfo(
        source="v.mp4", mime_type="video/mp4", duration_s=11.0, has_audio=True, tokens_estimate=dict(estimate)
    )


async def test_media_tokens_checked_against_the_providers_estimate(ctx: ContextFactory) -> None:
    # The usage of a real 20 s video (googleapis/java-genai issue 407): 5,260 VIDEO (20 x 263) and 600 AUDIO.
    usage = Usage(prompt_tokens=5868, prompt_by_modality={"TEXT": 8, "VIDEO": 5260, "AUDIO": 600})
    close = [_video_info(VIDEO=20 * 263, AUDIO=20 * 32)]
    score = await run(TokensScorer, {"check_media_tokens": True}, ctx("x", usage=usage, media=close))
    assert score.passed is True, score.details
    assert score.details["media_tokens_check"]["VIDEO"] == {"estimated": 5260, "reported": 5260}
    assert score.details["video_tokens"] == 5260
    strict = await run(
        TokensScorer, {"check_media_tokens": True, "media_tolerance": 0.05}, ctx("x", usage=usage, media=close)
    )
    assert strict.passed is False and strict.details["reason"] == (
        "audio_tokens: expected 640, got 600 (the provider's estimate, tolerance 5%)"
    )
    low = [_video_info(VIDEO=20 * 71, AUDIO=640)]  # what MEDIA_RESOLUTION_LOW would have cost
    off = await run(TokensScorer, {"check_media_tokens": True}, ctx("x", usage=usage, media=low))
    assert off.passed is False and "video_tokens: expected 1420, got 5260" in off.details["reason"]
    none = await run(TokensScorer, {"check_media_tokens": True}, ctx("x", usage=usage, media=[MediaInfo(source="c")]))
    assert none.passed is True and "skipped" in none.details["media_tokens_check"]
    budget = await run(TokensScorer, {"max_video_tokens": 5000, "max_document_tokens": 0}, ctx("x", usage=usage))
    assert budget.details["failures"] == ["video_tokens 5260 > max 5000"]


async def test_audio_rate_check_counts_what_has_sound(ctx: ContextFactory) -> None:
    usage = Usage(prompt_by_modality={"TEXT": 5, "AUDIO": 352, "IMAGE": 258, "DOCUMENT": 516})
    media = [
        MediaInfo(source="a.flac", mime_type="audio/flac", duration_s=11.0),
        MediaInfo(source="i.png", mime_type="image/png"),
        MediaInfo(source="d.pdf", mime_type="application/pdf", pages=2),
    ]
    score = await run(TokensScorer, {"check_audio_rate": True}, ctx("x", usage=usage, media=media))
    assert score.passed is True and score.details["audio_rate_check"]["expected"] == 352
    summary = TokensScorer.aggregate([ScoreResult(scorer="tokens", metric="cost_usd", details=score.details)])
    assert summary["document_tokens"] == 516
