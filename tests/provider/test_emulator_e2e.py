"""End to end through google-genai against the local Gemini emulator (harness_gemini.emulator)."""

from __future__ import annotations

import asyncio
import datetime as dt
import struct
import wave
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest
from gemini_testkit import AUDIO, TEST_KEY, MemoryStore, make_provider, media_ref, media_request, text_request
from google import genai
from google.genai import types

from harness.api.provider import MediaRef, Message, Part, ProviderError, ProviderRequest
from harness.run.retry import RetriesExhausted, RetryPolicy, call_with_retry
from harness_gemini.emulator import EmulatorConfig, RunningEmulator, start_background
from harness_gemini.media import encoded_size

UPLOAD_START = "/upload/v1beta/files"


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    # "Describe this clip." gets a canned answer: these tests are about the transport (inline, upload, reuse),
    # not about the emulator listening to minutes of silence.
    responses = tmp_path / "responses.yaml"
    responses.write_text("responses:\n  - match: {prompt: '^Describe this clip'}\n    text: A clip.\n")
    with start_background(EmulatorConfig.from_yaml(responses, port=0)) as emu:
        yield emu


def upload_starts(emu: RunningEmulator) -> int:
    return sum(1 for r in emu.requests if r.path == UPLOAD_START and "upload_id" not in r.query)


def generate_calls(emu: RunningEmulator) -> list[Any]:
    return [r for r in emu.requests if r.path.endswith(("generateContent", "streamGenerateContent"))]


def silent_wav(path: Path, size_bytes: int, rate: int = 48000, channels: int = 2) -> Path:
    frames = (size_bytes - 44) // (2 * channels)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * channels * frames)
    return path


def tiny_png(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


@pytest.mark.slow
async def test_big_wav_uploaded_once_for_ten_concurrent_cases(emulator: RunningEmulator, tmp_path: Path) -> None:
    big = media_ref(silent_wav(tmp_path / "big.wav", 25 * 1024 * 1024))
    provider = make_provider(emulator.base_url)
    requests = [media_request([big], "Describe this clip.", case_id=f"case-{i}") for i in range(10)]
    outputs = await asyncio.gather(*(provider.generate(request) for request in requests))
    await provider.aclose()
    assert upload_starts(emulator) == 1
    assert provider.uploads.started == 1
    uris = {output.media[0].file_uri for output in outputs}
    assert len(uris) == 1 and None not in uris
    assert {output.media[0].transport for output in outputs} == {"upload"}
    calls = generate_calls(emulator)
    assert sorted(call.case for call in calls) == sorted(f"case-{i}" for i in range(10))
    for call in calls:  # the file travels as fileData, never as inline bytes
        part = call.body["contents"][0]["parts"][0]
        assert "fileData" in part and "inlineData" not in part
    assert outputs[0].media[0].duration_s == pytest.approx((25 * 1024 * 1024 - 44) / (48000 * 4), abs=0.01)


async def test_inline_vs_upload_switches_at_the_limit(emulator: RunningEmulator, tmp_path: Path) -> None:
    limit_mb = 0.5
    text = "Describe this clip."
    # Largest raw size whose base64 form plus the prompt still fits the limit, and one byte more.
    fits = (int(limit_mb * 1_000_000) - len(text)) // 4 * 3
    under = media_ref(silent_wav(tmp_path / "under.wav", fits, rate=8000, channels=1))
    over = media_ref(silent_wav(tmp_path / "over.wav", fits + 3, rate=8000, channels=1))
    assert encoded_size(under.size_bytes or 0) + len(text) <= 500_000 < encoded_size(over.size_bytes or 0) + len(text)
    provider = make_provider(emulator.base_url, inline_limit_mb=limit_mb)
    inline = await provider.generate(media_request([under], text))
    uploaded = await provider.generate(media_request([over], text))
    await provider.aclose()
    assert inline.media[0].transport == "inline" and inline.media[0].file_uri is None
    assert uploaded.media[0].transport == "upload"
    first, second = generate_calls(emulator)
    assert "inlineData" in first.body["contents"][0]["parts"][0]
    assert "fileData" in second.body["contents"][0]["parts"][0]
    assert upload_starts(emulator) == 1


async def test_upload_reused_across_runs_through_file_memory(emulator: RunningEmulator, tmp_path: Path) -> None:
    memory = MemoryStore()
    clip = media_ref(AUDIO / "jfk.flac")
    request = media_request([clip], "Describe this clip.")
    first = make_provider(emulator.base_url, files=memory, inline_limit_mb=0.1)
    assert (await first.generate(request)).media[0].transport == "upload"
    await first.aclose()
    remembered = memory.recall_file("gemini", clip.sha256 or "")
    assert remembered is not None and remembered["base_url"] == emulator.base_url
    assert TEST_KEY not in repr(memory.files)

    second = make_provider(emulator.base_url, files=memory, inline_limit_mb=0.1)
    again = await second.generate(request)
    await second.aclose()
    assert again.media[0].transport == "reused"
    assert again.media[0].file_uri == remembered["uri"]
    assert upload_starts(emulator) == 1

    # Opting out, or a remembered file about to expire, means a fresh upload.
    no_reuse = make_provider(emulator.base_url, files=memory, inline_limit_mb=0.1, upload_reuse=False)
    assert (await no_reuse.generate(request)).media[0].transport == "upload"
    await no_reuse.aclose()
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=30)
    memory.files[("gemini", clip.sha256 or "")]["expiration_time"] = soon.isoformat()
    expiring = make_provider(emulator.base_url, files=memory, inline_limit_mb=0.1)
    assert (await expiring.generate(request)).media[0].transport == "upload"
    await expiring.aclose()
    assert upload_starts(emulator) == 3


async def test_remembered_file_from_another_server_not_reused(tmp_path: Path) -> None:
    memory = MemoryStore()
    clip = media_ref(AUDIO / "vosk_test.wav")
    request = media_request([clip], "Describe this clip.")
    with start_background(EmulatorConfig(port=0)) as one:
        provider = make_provider(one.base_url, files=memory, inline_limit_mb=0.1)
        await provider.generate(request)
        await provider.aclose()
    with start_background(EmulatorConfig(port=0)) as two:
        provider = make_provider(two.base_url, files=memory, inline_limit_mb=0.1)
        output = await provider.generate(request)
        await provider.aclose()
        assert output.media[0].transport == "upload"
        assert upload_starts(two) == 1


async def test_streaming_records_ttft_and_chunks(tmp_path: Path) -> None:
    with start_background(EmulatorConfig(port=0, stream_chunks=4, stream_chunk_delay_ms=60)) as emu:
        provider = make_provider(emu.base_url)
        output = await provider.generate(text_request("Tell me about the sea.", stream=True))
        await provider.aclose()
    assert output.chunks == 4
    assert output.text == "Echo: Tell me about the sea."
    assert output.ttft_ms is not None and output.latency_ms is not None
    assert output.ttft_ms < output.latency_ms
    assert output.latency_ms - output.ttft_ms >= 150  # three more chunks, 60 ms apart
    assert output.finish_reason == "STOP" and output.usage.total_tokens


async def test_chat_history_on_the_wire_matches_sdk_chats(emulator: RunningEmulator) -> None:
    system = "You count paws."
    turns = ["I have two dogs in my house.", "How many paws are in my house?"]
    client = genai.Client(api_key=TEST_KEY, http_options=emulator.http_options())
    chat = client.aio.chats.create(
        model="gemini-2.5-flash", config=types.GenerateContentConfig(system_instruction=system, temperature=0)
    )
    first = await chat.send_message(turns[0])
    await chat.send_message(turns[1])
    await client.aio.aclose()
    sdk_body = emulator.requests[-1].body

    provider = make_provider(emulator.base_url)
    request = ProviderRequest(
        model="gemini-2.5-flash",
        system_instruction=system,
        config={"temperature": 0},
        contents=[
            Message(role="user", parts=[Part(text=turns[0])]),
            Message(role="model", parts=[Part(text=first.text)]),
            Message(role="user", parts=[Part(text=turns[1])]),
        ],
    )
    await provider.generate(request)
    await provider.aclose()
    ours = emulator.requests[-1].body
    assert [content["role"] for content in ours["contents"]] == ["user", "model", "user"]
    assert ours["contents"] == sdk_body["contents"]
    assert ours["systemInstruction"] == sdk_body["systemInstruction"]
    assert ours["generationConfig"] == sdk_body["generationConfig"]


async def test_structured_output_parsed(emulator: RunningEmulator) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
    }
    provider = make_provider(emulator.base_url)
    for key in ("response_json_schema", "response_schema"):
        config = {"response_mime_type": "application/json", key: schema}
        assert provider.check_config(config) == []
        output = await provider.generate(text_request("Largest city in Mexico?", config=config))
        assert output.parse_error is None, output.text
        jsonschema.validate(output.parsed, schema)
    await provider.aclose()


async def test_usage_by_modality_audio_and_image(emulator: RunningEmulator, tmp_path: Path) -> None:
    provider = make_provider(emulator.base_url)
    clip = media_ref(AUDIO / "jfk.mp3")
    image = media_ref(tiny_png(tmp_path / "dot.dat"))
    output = await provider.generate(media_request([clip, image], "Describe the clip and the picture."))
    await provider.aclose()
    by_modality = output.usage.prompt_by_modality
    assert set(by_modality) == {"TEXT", "AUDIO", "IMAGE"}
    assert by_modality["AUDIO"] == pytest.approx(output.extra["audio_tokens_estimate"], abs=2)
    assert [m.mime_type for m in output.media] == ["audio/mp3", "image/png"]
    assert output.usage.prompt_tokens == sum(by_modality.values())


async def test_transcript_of_real_speech_with_token_count(emulator: RunningEmulator) -> None:
    provider = make_provider(emulator.base_url)
    request = media_request(
        [media_ref(AUDIO / "sr_english.wav")], "Generate a transcript of the speech.", count_tokens=True
    )
    output = await provider.generate(request)
    await provider.aclose()
    assert output.text is not None and "three" in output.text
    assert output.counted_tokens == output.usage.prompt_tokens
    assert output.media[0].transport == "inline" and output.media[0].duration_s == pytest.approx(2.745, abs=0.01)


async def test_uri_media_used_directly(emulator: RunningEmulator) -> None:
    client = genai.Client(api_key=TEST_KEY, http_options=emulator.http_options())
    uploaded = await client.aio.files.upload(
        file=AUDIO / "vosk_test.ogg", config=types.UploadFileConfig(mime_type="audio/ogg")
    )
    await client.aio.aclose()
    assert uploaded.uri is not None
    await asyncio.sleep(0.3)  # let the emulator finish PROCESSING
    provider = make_provider(emulator.base_url)
    ref = MediaRef(source=uploaded.uri, uri=uploaded.uri)
    output = await provider.generate(media_request([ref], "Describe this clip."))
    await provider.aclose()
    assert output.media[0].transport == "uri"
    assert output.media[0].mime_type == "audio/ogg"  # learned from files.get
    part = generate_calls(emulator)[-1].body["contents"][0]["parts"][0]
    assert "fileData" in part and upload_starts(emulator) == 1


async def test_429_retry_delay_honoured_by_core_and_stops_at_limit() -> None:
    with start_background(EmulatorConfig(port=0, fail_rate_429=1.0, retry_delay_s=26)) as emu:
        provider = make_provider(emu.base_url)
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        policy = RetryPolicy(max_retries=2)
        with pytest.raises(RetriesExhausted) as caught:
            await call_with_retry(lambda: provider.generate(text_request()), policy, sleep)
        await provider.aclose()
        assert len(generate_calls(emu)) == 3
    assert caught.value.error.code == 429 and caught.value.error.retry_after == 26
    assert len(slept) == 2 and all(26 <= s <= 26 * 1.1 for s in slept)


@pytest.mark.parametrize(
    ("config", "stream"),
    [({"stream_error_rate": 1.0}, True), ({"drop_rate": 1.0}, False), ({"fail_rate_503": 1.0}, False)],
)
async def test_transient_failures_retryable(config: dict[str, Any], stream: bool) -> None:
    with start_background(EmulatorConfig(port=0, **config)) as emu:
        provider = make_provider(emu.base_url)
        with pytest.raises(ProviderError) as caught:
            await provider.generate(text_request(stream=stream))
        await provider.aclose()
    assert caught.value.retryable
    assert TEST_KEY not in caught.value.message
    if stream:
        assert "mid-stream" in caught.value.message


async def test_unknown_model_not_retryable(emulator: RunningEmulator) -> None:
    provider = make_provider(emulator.base_url)
    with pytest.raises(ProviderError) as caught:
        await provider.generate(text_request(model="gemini-0.1-nonexistent"))
    await provider.aclose()
    assert (caught.value.code, caught.value.retryable) == (404, False)


async def test_failed_upload_is_not_cached(emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    provider = make_provider(emulator.base_url, inline_limit_mb=0.1)
    real_upload = provider.client.aio.files.upload
    calls = 0

    async def flaky_upload(**kwargs: Any) -> types.File:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise aiohttp.ServerDisconnectedError()
        return await real_upload(**kwargs)

    monkeypatch.setattr(provider.client.aio.files, "upload", flaky_upload)
    request = media_request([media_ref(AUDIO / "jfk.flac")], "Describe this clip.")
    with pytest.raises(ProviderError) as caught:
        await provider.generate(request)
    assert caught.value.retryable
    output = await provider.generate(request)  # what the core's retry does
    await provider.aclose()
    assert output.media[0].transport == "upload"
    assert calls == 2 and upload_starts(emulator) == 1
