"""generateContent, streaming, countTokens and models through the real google-genai SDK (sync and async)."""

from __future__ import annotations

import base64
import json
import urllib.request

import jsonschema
import pytest
from emu_support import AUDIO, make_client, post
from google import genai
from google.genai import errors, types

from harness_gemini.emulator import EmulatorConfig, RunningEmulator, start_background


def test_generate_echo_sync(client: genai.Client) -> None:
    r = client.models.generate_content(model="gemini-2.5-flash", contents="What is the capital of France?")
    assert r.text == "Echo: What is the capital of France?"
    cand = r.candidates[0]
    assert cand.finish_reason == types.FinishReason.STOP and cand.index == 0
    u = r.usage_metadata
    assert u.prompt_token_count == 8  # 30 chars / 4, rounded up
    assert u.total_token_count == u.prompt_token_count + u.candidates_token_count
    assert r.model_version == "gemini-2.5-flash" and r.response_id


async def test_generate_async_and_v1(emu: RunningEmulator) -> None:
    client = make_client(emu, version="v1")
    r = await client.aio.models.generate_content(
        model="gemini-2.0-flash",
        contents="hello there",
        config=types.GenerateContentConfig(system_instruction="Be brief."),
    )
    assert r.text == "Echo: hello there"
    assert r.usage_metadata.candidates_tokens_details[0].token_count == r.usage_metadata.candidates_token_count
    assert emu.requests[-1].path == "/v1/models/gemini-2.0-flash:generateContent"


def test_chat_echoes_last_user_turn(client: genai.Client) -> None:
    chat = client.chats.create(model="gemini-2.5-flash")
    chat.send_message("I have two dogs.")
    assert chat.send_message("How many paws?").text == "Echo: How many paws?"


def test_stream_sync(client: genai.Client) -> None:
    chunks = list(
        client.models.generate_content_stream(model="gemini-2.5-flash", contents="one two three four five six")
    )
    assert len(chunks) == 3
    assert "".join(c.text for c in chunks) == "Echo: one two three four five six"
    assert [c.candidates[0].finish_reason for c in chunks[:-1]] == [None, None]
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP
    counts = [c.usage_metadata.candidates_token_count for c in chunks]
    assert counts == sorted(counts) and counts[-1] > counts[0]
    assert len({c.response_id for c in chunks}) == 1


async def test_stream_async(emu: RunningEmulator) -> None:
    client = make_client(emu)
    stream = await client.aio.models.generate_content_stream(model="gemini-2.5-flash", contents="a b c d")
    texts = [chunk.text async for chunk in stream]
    assert "".join(texts) == "Echo: a b c d" and len(texts) == 3


def test_sse_framing_on_the_wire(emu: RunningEmulator) -> None:
    body = json.dumps({"contents": [{"parts": [{"text": "x y z"}], "role": "user"}]}).encode()
    req = urllib.request.Request(
        emu.base_url + "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.headers["Content-Type"] == "text/event-stream"
        raw = resp.read().decode()
    events = raw.split("\r\n\r\n")
    assert events[-1] == "" and all(e.startswith("data: ") for e in events[:-1])
    payloads = [json.loads(e[6:]) for e in events[:-1]]
    assert ["finishReason" in p["candidates"][0] for p in payloads] == [False, False, True]


def test_count_tokens_sync_and_async(client: genai.Client) -> None:
    r = client.models.count_tokens(model="gemini-2.5-flash", contents="Hello, world!")
    assert r.total_tokens == 4


async def test_count_tokens_audio_async(emu: RunningEmulator) -> None:
    client = make_client(emu)
    part = types.Part.from_bytes(data=(AUDIO / "jfk.flac").read_bytes(), mime_type="audio/flac")
    r = await client.aio.models.count_tokens(model="gemini-2.5-flash", contents=[part])
    assert r.total_tokens == 352  # 11.0 s x 32 tokens/s
    r2 = await client.aio.models.count_tokens(model="gemini-2.0-flash", contents=[part])
    assert r2.total_tokens == 275  # 11.0 s x 25 tokens/s


def test_models_list_and_get(client: genai.Client) -> None:
    names = [m.name for m in client.models.list()]
    assert "models/gemini-2.5-flash" in names and len(names) == len(set(names))
    model = client.models.get(model="gemini-2.5-pro")
    assert model.name == "models/gemini-2.5-pro" and "generateContent" in model.supported_actions
    with pytest.raises(errors.ClientError) as info:
        client.models.get(model="gemini-9")
    assert info.value.code == 404


def test_unknown_model_404(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as info:
        client.models.generate_content(model="nonexistent-model", contents="x")
    assert info.value.code == 404 and info.value.status == "NOT_FOUND"


def test_snake_case_and_both_base64_alphabets(emu: RunningEmulator) -> None:
    audio = (AUDIO / "sr_english.wav").read_bytes()
    urlsafe = base64.urlsafe_b64encode(audio).decode().rstrip("=")
    standard = base64.b64encode(audio).decode()
    for part in (
        {"inline_data": {"data": urlsafe, "mime_type": "audio/wav"}},
        {"inlineData": {"data": standard, "mimeType": "audio/wav"}},
    ):
        status, body = post(
            emu,
            "/v1beta/models/gemini-2.5-flash:generateContent",
            {
                "contents": [{"role": "user", "parts": [{"text": "Describe."}, part]}],
                "generation_config": {"max_output_tokens": 3},
                "system_instruction": {"parts": [{"text": "sys"}]},
            },
        )
        assert status == 200, body
        details = {d["modality"]: d["tokenCount"] for d in body["usageMetadata"]["promptTokensDetails"]}
        assert details["AUDIO"] == 88  # 2.745 s x 32 = 87.8 -> 88
        assert body["candidates"][0]["finishReason"] == "MAX_TOKENS"


def test_bad_base64_and_missing_contents_are_400(emu: RunningEmulator) -> None:
    status, body = post(
        emu,
        "/v1beta/models/gemini-2.5-flash:generateContent",
        {"contents": [{"parts": [{"inlineData": {"data": "%%%not base64", "mimeType": "audio/wav"}}]}]},
    )
    assert status == 400 and body["error"]["status"] == "INVALID_ARGUMENT"
    assert "Base64 decoding failed" in body["error"]["message"]
    status, body = post(emu, "/v1beta/models/gemini-2.5-flash:generateContent", {"contents": []})
    assert status == 400 and "contents is not specified" in body["error"]["message"]
    status, body = post(emu, "/v1beta/models/gemini-2.5-flash:generateContent", b"{not json")
    assert status == 400 and body["error"]["message"].startswith("Invalid JSON payload received.")


def test_max_output_tokens_and_stop_sequences(client: genai.Client) -> None:
    r = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="The quick brown fox jumps over the lazy dog",
        config=types.GenerateContentConfig(max_output_tokens=3),
    )
    assert r.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS
    assert r.text == "Echo: The qu" and r.usage_metadata.candidates_token_count == 3
    r = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="alpha beta STOP gamma",
        config=types.GenerateContentConfig(stop_sequences=[" STOP"]),
    )
    assert r.text == "Echo: alpha beta" and r.candidates[0].finish_reason == types.FinishReason.STOP


def test_thinking_tokens_counted(client: genai.Client) -> None:
    r = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="think about it",
        config=types.GenerateContentConfig(
            thinking_config=types.ThinkingConfig(thinking_budget=1024, include_thoughts=True)
        ),
    )
    u = r.usage_metadata
    assert u.thoughts_token_count == 2 * u.candidates_token_count + 16
    assert u.total_token_count == u.prompt_token_count + u.candidates_token_count + u.thoughts_token_count
    assert r.candidates[0].content.parts[0].thought is True
    assert r.text == "Echo: think about it"
    plain = client.models.generate_content(model="gemini-2.5-flash", contents="no thinking")
    assert plain.usage_metadata.thoughts_token_count is None


GEMINI_SCHEMA = {
    "type": "OBJECT",
    "properties": {
        "city": {"type": "STRING"},
        "population": {"type": "INTEGER", "minimum": 5},
        "tags": {"type": "ARRAY", "items": {"type": "STRING", "enum": ["big", "small"]}, "minItems": 2},
        "mayor": {"type": "STRING", "nullable": True},
    },
    "required": ["city", "population"],
    "propertyOrdering": ["population", "city"],
}


def test_response_schema_gemini_subset(client: genai.Client) -> None:
    r = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Largest city?",
        config=types.GenerateContentConfig(response_mime_type="application/json", response_schema=GEMINI_SCHEMA),
    )
    value = json.loads(r.text)
    assert list(value)[:2] == ["population", "city"]
    assert value["population"] >= 5 and len(value["tags"]) >= 2 and set(value["tags"]) <= {"big", "small"}
    again = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Largest city?",
        config=types.GenerateContentConfig(response_mime_type="application/json", response_schema=GEMINI_SCHEMA),
    )
    assert again.text == r.text  # deterministic per request and seed


def test_response_json_schema(client: genai.Client) -> None:
    schema = {
        "type": "object",
        "$defs": {"Loc": {"type": "object", "properties": {"lat": {"type": "number", "maximum": -1}}}},
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "where": {"$ref": "#/$defs/Loc"},
            "kind": {"anyOf": [{"type": "null"}, {"type": "integer", "exclusiveMinimum": 3}]},
            "ok": {"type": "boolean"},
        },
        "required": ["when", "where", "kind", "ok"],
        "additionalProperties": False,
    }
    r = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Where?",
        config=types.GenerateContentConfig(response_mime_type="application/json", response_json_schema=schema),
    )
    value = json.loads(r.text)
    jsonschema.validate(value, schema)
    assert value["kind"] == 4


def test_schema_without_json_mime_is_400(emu: RunningEmulator) -> None:
    status, body = post(
        emu,
        "/v1beta/models/gemini-2.5-flash:generateContent",
        {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseSchema": {"type": "STRING"}}},
    )
    assert status == 400 and "response_mime_type" in body["error"]["message"]


def test_inline_limit_refused_like_the_real_api() -> None:
    with start_background(EmulatorConfig(port=0, inline_limit_mb=0.5)) as small:
        client = make_client(small)
        big = types.Part.from_bytes(data=b"\0" * 600_000, mime_type="audio/wav")
        with pytest.raises(errors.ClientError) as info:
            client.models.generate_content(model="gemini-2.5-flash", contents=[big, "hi"])
        assert info.value.code == 400 and info.value.status == "INVALID_ARGUMENT"
        assert info.value.message == "Request payload size exceeds the limit: 524288 bytes."
        ok = types.Part.from_bytes(data=(AUDIO / "sr_english.wav").read_bytes(), mime_type="audio/wav")
        answer = client.models.generate_content(model="gemini-2.5-flash", contents=[ok, "hi"]).text
        assert answer and "want to three" in answer


def test_api_key_not_recorded(emu: RunningEmulator, client: genai.Client) -> None:
    client.models.generate_content(model="gemini-2.5-flash", contents="secret check")
    post(emu, "/v1beta/models/gemini-2.5-flash:generateContent?key=test-key-123", {"contents": "x"})
    for rec in emu.requests:
        assert "test-key-123" not in json.dumps([rec.headers, rec.query, rec.path])


def test_response_schema_wins_over_transcription(emu: RunningEmulator) -> None:
    """A prompt that asks for a transcript but sets a response schema gets JSON, as from the real API."""
    audio = (AUDIO / "sr_english.wav").read_bytes()
    client = genai.Client(api_key="k", http_options=emu.http_options())
    schema = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
    answer = client.models.generate_content(
        model="gemini-2.5-flash",
        contents=[types.Part.from_bytes(data=audio, mime_type="audio/wav"), "Transcribe the speech as JSON."],
        config=types.GenerateContentConfig(response_mime_type="application/json", response_json_schema=schema),
    )
    assert json.loads(answer.text or "") == {"text": "want to three"}  # filled from the audio


def test_temperature_adds_seeded_sampling_noise(emu: RunningEmulator) -> None:
    """At temperature > 0 repeats differ (seeded by the trial id); a trial is reproducible; 0 is exact."""
    text = " ".join(f"word{i}" for i in range(200))

    def ask(temperature: float, trial: str) -> str:
        client = genai.Client(
            api_key="k",
            http_options=emu.http_options(headers={"x-harness-trial": trial}),
        )
        answer = client.models.generate_content(
            model="gemini-2.5-flash", contents=text, config=types.GenerateContentConfig(temperature=temperature)
        )
        return answer.text or ""

    assert ask(0, "t1") == ask(0, "t2") == f"Echo: {text}"
    first, again, other = ask(1.0, "t1"), ask(1.0, "t1"), ask(1.0, "t2")
    assert first == again
    assert first != other
    changed = sum(a != b for a, b in zip(first.split(), f"Echo: {text}".split(), strict=False))
    assert changed > 0  # some words differ
