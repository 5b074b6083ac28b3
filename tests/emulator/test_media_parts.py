"""Video and PDF parts on the wire: videoMetadata in both casings, usage by modality, answers, file states."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from emu_support import make_client, post
from google.genai import errors, types

from harness_gemini.emulator import EmulatorConfig, RunningEmulator, start_background

ROOT = Path(__file__).resolve().parents[2]
VIDEO = ROOT / "suites" / "media" / "video" / "jfk-disc.mp4"
PDF = ROOT / "suites" / "media" / "documents" / "call-notes.pdf"
GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with start_background(EmulatorConfig(port=0, processing_s=0.05, video_processing_s=0.3)) as running:
        yield running


def inline(path: Path, mime: str, key: str = "inlineData", mime_key: str = "mimeType") -> dict[str, Any]:
    return {key: {mime_key: mime, "data": base64.urlsafe_b64encode(path.read_bytes()).decode().rstrip("=")}}


def modalities(body: dict[str, Any]) -> dict[str, int]:
    details = body["usageMetadata"]["promptTokensDetails"]
    return {d["modality"]: d["tokenCount"] for d in details if d["modality"] != "TEXT"}


@pytest.mark.parametrize(
    "meta",
    [
        {"startOffset": "2s", "endOffset": "6s", "fps": 2},  # SDK 1.x casing
        {"start_offset": "2s", "end_offset": "6s", "fps": 2.0},  # SDK 3.x casing
    ],
)
def test_video_metadata_in_either_casing_sets_the_clip(emu: RunningEmulator, meta: dict[str, Any]) -> None:
    part = {**inline(VIDEO, "video/mp4"), "videoMetadata": meta}
    status, body = post(emu, GENERATE, {"contents": [{"role": "user", "parts": [part, {"text": "Describe."}]}]})
    assert status == 200, body
    # 4 s at 2 fps: 8 frames x 258, 4 timestamps x 5; the soundtrack 4 s x 32.
    assert modalities(body) == {"VIDEO": 2084, "AUDIO": 128}
    assert body["usageMetadata"]["promptTokenCount"] == sum(
        d["tokenCount"] for d in body["usageMetadata"]["promptTokensDetails"]
    )


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"startOffset": "soon"}, "Invalid value at 'contents[0].parts[0].video_metadata.start_offset'"),
        ({"endOffset": 5}, "google.protobuf.Duration"),
        ({"fps": 30}, "fps must be in the range (0, 24]"),
        ({"fps": 0}, "fps must be in the range (0, 24]"),
        ({"startOffset": "6s", "endOffset": "2s"}, "end_offset must be after start_offset"),
    ],
)
def test_bad_video_metadata_is_invalid_argument(emu: RunningEmulator, meta: dict[str, Any], message: str) -> None:
    part = {**inline(VIDEO, "video/mp4"), "videoMetadata": meta}
    status, body = post(emu, GENERATE, {"contents": [{"parts": [part, {"text": "Describe."}]}]})
    assert status == 400 and body["error"]["status"] == "INVALID_ARGUMENT"
    assert message in body["error"]["message"]


@pytest.mark.parametrize(
    ("model", "resolution", "video", "audio", "document"),
    [
        ("gemini-2.5-flash", None, 2893, 352, 516),
        ("gemini-2.5-flash", "MEDIA_RESOLUTION_LOW", 11 * 66 + 55, 352, 516),
        ("gemini-2.0-flash", None, 2893, 275, 516),
        ("gemini-3-pro-preview", None, 11 * 70 + 55, 275, 1120),
        ("gemini-3-pro-preview", "MEDIA_RESOLUTION_HIGH", 11 * 280 + 55, 275, 2240),
    ],
)
def test_usage_by_modality_and_media_resolution(
    emu: RunningEmulator, model: str, resolution: str | None, video: int, audio: int, document: int
) -> None:
    config = {"mediaResolution": resolution} if resolution else {}
    parts = [inline(VIDEO, "video/mp4"), inline(PDF, "application/pdf", "inline_data", "mime_type"), {"text": "Hi."}]
    status, body = post(
        emu, f"/v1beta/models/{model}:generateContent", {"contents": [{"parts": parts}], "generationConfig": config}
    )
    assert status == 200, body
    assert modalities(body) == {"VIDEO": video, "AUDIO": audio, "DOCUMENT": document}
    order = [d["modality"] for d in body["usageMetadata"]["promptTokensDetails"]]
    assert order == ["TEXT", "VIDEO", "AUDIO", "DOCUMENT"]


def test_count_tokens_counts_video_and_pdf(emu: RunningEmulator) -> None:
    parts = [inline(VIDEO, "video/mp4"), inline(PDF, "application/pdf")]
    status, body = post(emu, "/v1beta/models/gemini-2.5-flash:countTokens", {"contents": [{"parts": parts}]})
    assert status == 200
    assert {d["modality"]: d["tokenCount"] for d in body["promptTokensDetails"]} == {
        "VIDEO": 2893,
        "AUDIO": 352,
        "DOCUMENT": 516,
    }
    assert body["totalTokens"] == 2893 + 352 + 516


def test_answers_from_a_pdfs_text_and_a_videos_soundtrack(emu: RunningEmulator) -> None:
    client = make_client(emu)
    pdf = types.Part.from_bytes(data=PDF.read_bytes(), mime_type="application/pdf")
    read = client.models.generate_content(model="gemini-2.5-flash", contents=[pdf, "Extract the text of this PDF."])
    # The PDF's words stand in for a transcript (answers are built from words, without punctuation).
    assert "Call notes support line case 4711" in (read.text or "") and "two working days" in (read.text or "")
    counted = client.models.generate_content(model="gemini-2.5-flash", contents=[pdf, "How many words is it?"])
    assert "88" in (counted.text or "")  # grounded in the document, not an echo of the prompt
    clip = types.Part.from_bytes(data=VIDEO.read_bytes(), mime_type="video/mp4")
    clip.video_metadata = types.VideoMetadata(start_offset="7.6s")
    heard = client.models.generate_content(model="gemini-2.5-flash", contents=[clip, "Transcribe the speech."])
    assert "country" in (heard.text or "") and "fellow" not in (heard.text or "")


def _wait(client: Any, name: str, timeout: float = 10.0) -> types.File:
    deadline = time.monotonic() + timeout
    while True:
        file = client.files.get(name=name)
        if file.state != types.FileState.PROCESSING or time.monotonic() > deadline:
            return file
        time.sleep(0.05)


def test_uploaded_video_is_processing_then_active(emu: RunningEmulator) -> None:
    client = make_client(emu)
    started = time.monotonic()
    uploaded = client.files.upload(file=str(VIDEO), config={"mime_type": "video/mp4", "display_name": "jfk video"})
    assert uploaded.state == types.FileState.PROCESSING and uploaded.name
    part = types.Part.from_uri(file_uri=uploaded.uri or "", mime_type="video/mp4")
    with pytest.raises(errors.ClientError, match="not in an ACTIVE state"):
        client.models.generate_content(model="gemini-2.5-flash", contents=[part, "Describe."])
    active = _wait(client, uploaded.name)
    assert active.state == types.FileState.ACTIVE and time.monotonic() - started >= 0.3  # video_processing_s
    answer = client.models.generate_content(model="gemini-2.5-flash", contents=[part, "Describe."])
    assert (
        answer.usage_metadata is not None and answer.usage_metadata.prompt_token_count == 3 + 2893 + 352
    )  # 'Describe.' is 3


def test_unreadable_video_upload_ends_failed(emu: RunningEmulator, tmp_path: Path) -> None:
    client = make_client(emu)
    fake = tmp_path / "broken.mp4"
    fake.write_bytes(b"\x00\x00\x00\x20ftypisom" + bytes(4000))  # an MP4 header and nothing PyAV can decode
    uploaded = client.files.upload(file=str(fake), config={"mime_type": "video/mp4", "display_name": "broken"})
    failed = _wait(client, uploaded.name or "")
    assert failed.state == types.FileState.FAILED
    assert failed.error is not None and "could not be processed" in (failed.error.message or "")
    part = types.Part.from_uri(file_uri=uploaded.uri or "", mime_type="video/mp4")
    with pytest.raises(errors.ClientError, match="not in an ACTIVE state"):
        client.models.generate_content(model="gemini-2.5-flash", contents=[part, "Describe."])
    logged = [r.answer for r in emu.requests if r.method == "GET" and r.path == f"/v1beta/{uploaded.name}"]
    assert logged[0] == "PROCESSING" and logged[-1] == "FAILED"


def test_processing_failure_drill() -> None:
    with start_background(EmulatorConfig(port=0, processing_s=0.0, processing_fail_rate=1.0)) as emu:
        client = make_client(emu)
        uploaded = client.files.upload(file=str(PDF), config={"mime_type": "application/pdf"})
        failed = _wait(client, uploaded.name or "")
        assert failed.state == types.FileState.FAILED and "try uploading the file again" in (failed.error.message or "")  # type: ignore[union-attr]
