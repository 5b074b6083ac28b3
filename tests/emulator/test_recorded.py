"""The real recorded traffic in tests/data/gemini-wire/ used two ways: the emulator answers the same
requests with the same fields, and its error bodies equal the real ones field for field."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from emu_support import WIRE, cassette, mono_wav, post, shape

from harness_gemini.emulator import EmulatorConfig, RunningEmulator, start_background


def _path(uri: str) -> str:
    return uri.split("generativelanguage.googleapis.com", 1)[1]


def _replay(emu: RunningEmulator, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    inter = cassette(name)
    status, body = post(emu, _path(inter["request"]["uri"]), inter["request"]["parsed_body"])
    assert status == inter["response"]["status"]["code"], body
    return body, inter["response"]["parsed_body"]


def test_same_fields_as_real_2_0_answer(emu: RunningEmulator) -> None:
    ours, real = _replay(emu, "test_google_model_instructions.yaml")
    assert shape(ours) == shape(real)


def test_same_fields_as_real_structured_output(emu: RunningEmulator) -> None:
    ours, real = _replay(emu, "test_google_native_output.yaml")
    assert shape(ours) == shape(real)
    assert set(json.loads(ours["candidates"][0]["content"]["parts"][0]["text"])) == {"city", "country"}


def test_same_fields_as_real_max_tokens_answer(emu: RunningEmulator) -> None:
    ours, real = _replay(emu, "test_google_model_max_tokens.yaml")
    real["usageMetadata"].pop("serviceTier")  # billing tier: not emulated
    assert shape(ours) == shape(real)
    assert ours["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert ours["usageMetadata"]["candidatesTokenCount"] == 5


def test_same_fields_and_audio_tokens_as_real_inline_audio(emu: RunningEmulator) -> None:
    ours, real = _replay(emu, "inline_audio_gemini-2.5-flash.yaml")
    assert shape(ours) == shape(real)
    audio = {d["modality"]: d["tokenCount"] for d in ours["usageMetadata"]["promptTokensDetails"]}["AUDIO"]
    assert abs(audio - 144) <= 3  # the real API counted 144 AUDIO tokens for this clip


def test_same_fields_as_real_count_tokens(emu: RunningEmulator) -> None:
    inter = cassette("TestGoogle.test_count_tokens.yaml")
    status, ours = post(emu, "/v1beta/models/gemini-2.5-flash:countTokens", inter["request"]["parsed_body"])
    assert status == 200 and shape(ours) == shape(inter["response"]["parsed_body"])


def test_404_body_equals_real(emu: RunningEmulator) -> None:
    ours, real = _replay(emu, "TestGoogle.test_count_tokens_error.yaml")
    assert ours == real


def test_stream_chunks_have_real_fields(emu: RunningEmulator) -> None:
    inter = cassette("test_google_model_stream.yaml")
    real = [json.loads(e[6:]) for e in inter["response"]["body"]["string"].split("\r\n\r\n") if e]
    req = urllib.request.Request(
        emu.base_url + _path(inter["request"]["uri"]),
        data=json.dumps(inter["request"]["parsed_body"]).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        raw = resp.read().decode()
    assert raw.endswith("\r\n\r\n")
    ours = [json.loads(e[6:]) for e in raw.split("\r\n\r\n") if e]
    assert len(ours) > 1
    assert shape(ours[-1]) == shape(real[-1])
    for chunk, real_chunk in zip(ours[:-1], real[:-1], strict=False):
        assert shape(chunk["candidates"]) == shape(real_chunk["candidates"])  # no finishReason before the end
        assert set(real_chunk["usageMetadata"]) <= set(chunk["usageMetadata"])


def test_safety_block_has_real_fields(tmp_path: Path) -> None:
    book = tmp_path / "r.yaml"
    book.write_text("responses:\n  - match: {prompt: joke}\n    finish_reason: SAFETY\n", encoding="utf-8")
    with start_background(EmulatorConfig(port=0, responses=book)) as emu:
        ours, real = _replay(emu, "test_google_model_safety_settings.yaml")
    for cand in real["candidates"]:
        cand.pop("safetyRatings")  # the emulator never sends safety ratings (2.5 answers carry none)
    assert shape(ours) == shape(real)


def test_30s_audio_counts_750_tokens_on_2_0_flash(emu: RunningEmulator) -> None:
    import base64

    real = json.loads((WIRE / "cookbook" / "generateContent_inline_audio_30s_gemini-2.0-flash.json").read_text())
    body = {
        "contents": [
            {
                "parts": [
                    {"text": "Describe this clip"},
                    {
                        "inline_data": {
                            "mime_type": "audio/wav",
                            "data": base64.b64encode(mono_wav(b"\0\0" * 16000 * 30)).decode(),
                        }
                    },
                ]
            }
        ]
    }
    status, ours = post(emu, "/v1beta/models/gemini-2.0-flash:generateContent", body)
    assert status == 200
    details = {d["modality"]: d["tokenCount"] for d in ours["usageMetadata"]["promptTokensDetails"]}
    assert details["AUDIO"] == 750
    ours.pop("responseId")  # the older recording predates responseId
    assert shape(ours) == shape(real)


def test_file_resource_has_real_fields(emu: RunningEmulator) -> None:
    real = json.loads((WIRE / "cookbook" / "files_get_audio_mp3.json").read_text())
    from emu_support import make_client

    client = make_client(emu)
    f = client.files.upload(
        file=WIRE / "cookbook" / "files_get_audio_mp3.json",
        config={"mime_type": "audio/mpeg", "display_name": "Sample audio"},
    )
    with urllib.request.urlopen(f"{emu.base_url}/v1beta/{f.name}", timeout=10) as resp:
        ours = json.loads(resp.read())
    assert list(ours) == list(real) and shape(ours) == shape(real)


def test_429_body_matches_real_field_for_field() -> None:
    real = json.loads((WIRE / "vercel-ai" / "google-429-retry-info.json").read_text())
    with start_background(EmulatorConfig(port=0, fail_rate_429=1.0, retry_delay_s=34.4)) as emu:
        status, ours = post(
            emu, "/v1beta/models/gemini-2.5-flash:generateContent", {"contents": [{"parts": [{"text": "hi"}]}]}
        )
    assert status == 429
    assert shape(ours) == shape(real)
    assert [d["@type"] for d in ours["error"]["details"]] == [d["@type"] for d in real["error"]["details"]]
    assert ours["error"]["details"][1] == real["error"]["details"][1]  # retryDelay "34.4s"
    assert (ours["error"]["code"], ours["error"]["status"]) == (429, "RESOURCE_EXHAUSTED")
