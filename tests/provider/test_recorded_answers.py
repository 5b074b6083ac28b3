"""Real recorded Gemini answers, replayed over HTTP through google-genai, parse into the right fields."""

from __future__ import annotations

import json

import pytest
from gemini_testkit import WIRE, Replay, cassette, make_provider, text_request

from harness.api.provider import ProviderError


async def test_inline_audio_usage_by_modality(replay: Replay) -> None:
    replay.add_recorded(cassette("inline_audio_gemini-2.5-flash.yaml")[1])
    output = await make_provider(replay.base_url).generate(text_request())
    assert output.text == 'The audio file contains a male voice saying, "Hello, my name is Marcelo."'
    assert output.finish_reason == "STOP"
    assert output.usage.prompt_by_modality == {"TEXT": 85, "AUDIO": 144}
    assert output.usage.prompt_tokens == 229
    assert output.usage.output_tokens == 17
    assert output.usage.total_tokens == 246
    assert output.model_version == "gemini-2.5-flash"
    assert output.response_id == "yOqTabyoGaq2mtkPstv8wA0"
    assert output.latency_ms is not None and output.latency_ms > 0


async def test_thoughts_and_function_call_without_text(replay: Replay) -> None:
    replay.add_recorded(cassette("inline_audio_gemini-2.5-flash.yaml")[0])
    output = await make_provider(replay.base_url).generate(text_request())
    assert output.text is None  # a function call and a thought signature, no text part
    assert output.usage.thoughts_tokens == 90
    assert output.finish_reason == "STOP"


async def test_cookbook_thirty_seconds_of_audio(replay: Replay) -> None:
    body = json.loads((WIRE / "cookbook" / "generateContent_inline_audio_30s_gemini-2.0-flash.json").read_text())
    replay.add(200, body)
    output = await make_provider(replay.base_url).generate(text_request(model="gemini-2.0-flash"))
    assert output.usage.prompt_by_modality == {"TEXT": 4, "AUDIO": 750}
    assert output.usage.output_by_modality == {"TEXT": 49}
    assert output.text is not None and output.text.startswith("This clip is an audio recording")


async def test_safety_block_has_no_text(replay: Replay) -> None:
    replay.add_recorded(cassette("test_google_model_safety_settings.yaml")[0])
    output = await make_provider(replay.base_url).generate(text_request())
    assert output.finish_reason == "SAFETY"
    assert output.text is None
    assert len(output.safety_ratings) == 4
    assert output.safety_ratings[0] == {
        "blocked": True,
        "category": "HARM_CATEGORY_HATE_SPEECH",
        "probability": "LOW",
    }
    assert any("SAFETY" in warning for warning in output.warnings)


async def test_max_tokens_finish(replay: Replay) -> None:
    replay.add_recorded(cassette("test_google_model_max_tokens.yaml")[0])
    output = await make_provider(replay.base_url).generate(text_request(config={"max_output_tokens": 5}))
    assert output.finish_reason == "MAX_TOKENS"
    assert output.text == "The capital of France is"
    assert output.usage.output_tokens == 5
    assert replay.seen[0].body["generationConfig"]["maxOutputTokens"] == 5


async def test_prompt_blocked_records_block_reason(replay: Replay) -> None:
    replay.add(200, {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": {}})
    output = await make_provider(replay.base_url).generate(text_request())
    assert output.block_reason == "PROHIBITED_CONTENT"
    assert output.text is None and output.finish_reason is None
    assert "blocked" in output.warnings[0]


async def test_stream_chunks_ttft_and_last_usage(replay: Replay) -> None:
    replay.add_recorded(cassette("test_google_model_stream.yaml")[0])
    provider = make_provider(replay.base_url)
    output = await provider.generate(text_request(stream=True, config={"temperature": 0.0}))
    assert replay.seen[0].path.endswith(":streamGenerateContent?alt=sse")
    assert output.text == "The capital of France is Paris.\n"
    assert output.chunks == 3
    assert output.ttft_ms is not None and output.latency_ms is not None
    assert 0 < output.ttft_ms <= output.latency_ms
    assert output.finish_reason == "STOP"
    assert (output.usage.prompt_tokens, output.usage.output_tokens, output.usage.total_tokens) == (13, 8, 21)
    assert output.response_id == "w1peaMz6INOvnvgPgYfPiQY"


async def test_native_structured_output_parsed(replay: Replay) -> None:
    interaction = cassette("test_google_native_output.yaml")[0]
    replay.add_recorded(interaction)
    schema = interaction["request"]["parsed_body"]["generationConfig"]["responseJsonSchema"]
    config = {"response_mime_type": "application/json", "response_json_schema": schema}
    output = await make_provider(replay.base_url).generate(
        text_request("What is the largest city in Mexico?", config=config)
    )
    assert output.parsed == {"city": "Mexico City", "country": "Mexico"}
    assert output.parse_error is None
    sent = replay.seen[0].body["generationConfig"]
    assert sent["responseJsonSchema"] == schema
    assert sent["responseMimeType"] == "application/json"


async def test_invalid_json_kept_as_parse_error(replay: Replay) -> None:
    replay.add_recorded(cassette("test_google_model_max_tokens.yaml")[0])  # truncated prose, not JSON
    output = await make_provider(replay.base_url).generate(
        text_request(config={"response_mime_type": "application/json"})
    )
    assert output.parsed is None
    assert output.parse_error is not None and output.parse_error.startswith("invalid JSON")


async def test_system_instruction_on_the_wire_matches_recording(replay: Replay) -> None:
    interaction = cassette("test_google_model_instructions.yaml")[0]
    replay.add_recorded(interaction)
    output = await make_provider(replay.base_url).generate(
        text_request(model="gemini-2.0-flash", system_instruction="You are a helpful assistant.")
    )
    recorded = interaction["request"]["parsed_body"]
    assert replay.seen[0].body["systemInstruction"] == recorded["systemInstruction"]
    assert replay.seen[0].body["contents"] == recorded["contents"]
    assert replay.seen[0].path == "/v1beta/models/gemini-2.0-flash:generateContent"
    assert output.text == "The capital of France is Paris.\n"


async def test_count_tokens_before_the_call(replay: Replay) -> None:
    replay.add_recorded(cassette("TestGoogle.test_count_tokens.yaml")[0])
    replay.add_recorded(cassette("test_google_model_instructions.yaml")[0])
    output = await make_provider(replay.base_url).generate(text_request("Hello, world!", count_tokens=True))
    assert [seen.path.rsplit(":", 1)[1] for seen in replay.seen] == ["countTokens", "generateContent"]
    assert replay.seen[0].body == cassette("TestGoogle.test_count_tokens.yaml")[0]["request"]["parsed_body"]
    assert output.counted_tokens == 5
    assert output.usage.prompt_tokens == 13


async def test_count_tokens_404_is_not_retryable(replay: Replay) -> None:
    replay.add_recorded(cassette("TestGoogle.test_count_tokens_error.yaml")[0])
    with pytest.raises(ProviderError) as caught:
        await make_provider(replay.base_url).generate(text_request(model="nonexistent-model", count_tokens=True))
    error = caught.value
    assert (error.code, error.status, error.retryable) == (404, "NOT_FOUND", False)
    assert "models/nonexistent-model is not found" in error.message


async def test_429_with_retry_info(replay: Replay) -> None:
    body = json.loads((WIRE / "vercel-ai" / "google-429-retry-info.json").read_text())
    replay.add(429, body)
    with pytest.raises(ProviderError) as caught:
        await make_provider(replay.base_url).generate(text_request())
    error = caught.value
    assert (error.code, error.status, error.retryable) == (429, "RESOURCE_EXHAUSTED", True)
    assert error.retry_after == pytest.approx(34.4)
    assert len(replay.seen) == 1  # SDK-level retries are off: the core retries


async def test_mid_stream_error_chunk_is_retryable(replay: Replay) -> None:
    first = cassette("test_google_model_stream.yaml")[0]["response"]["body"]["string"].split("\r\n\r\n")[0]
    error = {"error": {"code": 400, "message": "stream broke", "status": "INVALID_ARGUMENT"}}
    replay.add(200, f"{first}\r\n\r\ndata: {json.dumps(error)}\r\n\r\n".encode(), "text/event-stream")
    with pytest.raises(ProviderError) as caught:
        await make_provider(replay.base_url).generate(text_request(stream=True))
    assert caught.value.retryable is True
    assert "mid-stream" in caught.value.message


async def test_thought_parts_excluded_from_text(replay: Replay) -> None:
    parts = [{"text": "Let me think about France...", "thought": True}, {"text": "Paris."}]
    usage = {"promptTokenCount": 8, "candidatesTokenCount": 2, "thoughtsTokenCount": 40, "totalTokenCount": 50}
    replay.add(
        200,
        {
            "candidates": [{"content": {"parts": parts, "role": "model"}, "finishReason": "STOP"}],
            "usageMetadata": usage,
        },
    )
    output = await make_provider(replay.base_url).generate(
        text_request(config={"thinking_config": {"include_thoughts": True}})
    )
    assert output.text == "Paris."
    assert output.usage.thoughts_tokens == 40
    assert replay.seen[0].body["generationConfig"]["thinkingConfig"] in (
        {"include_thoughts": True},
        {"includeThoughts": True},
    )


async def test_invalid_config_at_call_time_is_a_provider_error(replay: Replay) -> None:
    with pytest.raises(ProviderError, match="invalid generation config: temperature") as caught:
        await make_provider(replay.base_url).generate(text_request(config={"temperature": "hot"}))
    assert caught.value.retryable is False and replay.seen == []
