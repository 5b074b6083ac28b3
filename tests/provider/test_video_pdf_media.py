"""Video and PDF media: types from content, PyAV and pypdf probing, token estimates, documented limits (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import Done, harness_cli
from gemini_testkit import AUDIO, media_ref, media_request
from pypdf import PdfReader, PdfWriter

from harness.api import MediaInfo, VideoMetadata
from harness_gemini.limits import prompt_problems
from harness_gemini.media import describe
from harness_gemini.media_tokens import estimate, resolution_of
from harness_gemini.mime import detect_file
from harness_gemini.provider import GeminiProvider
from tools.example_media import PRESETS, write_pdf, write_video

ROOT = Path(__file__).resolve().parents[2]
KINDS = {
    "mp4": "video/mp4",
    "mov": "video/mov",
    "3gp": "video/3gpp",
    "webm": "video/webm",
    "avi": "video/avi",
    "wmv": "video/wmv",
    "flv": "video/x-flv",
    "mpeg": "video/mpeg",
}


def test_every_container_the_api_lists_is_built() -> None:
    assert set(PRESETS) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_video_type_from_content_and_pyav_facts(kind: str, tmp_path: Path) -> None:
    # A misleading name: detection reads the bytes, never the extension.
    clip = write_video(tmp_path / f"{kind}.wav", kind, audio=AUDIO / "sr_english.wav", size=(64, 48))
    assert detect_file(clip) == KINDS[kind]
    info = describe(media_ref(clip)).info
    assert info.mime_type == KINDS[kind]
    assert (info.width, info.height, info.has_audio, info.channels) == (64, 48, True, 1)
    assert info.duration_s == pytest.approx(2.745, abs=0.35)  # containers round to their frame or packet grid
    assert info.frame_rate == (25.0 if kind == "mpeg" else 2.0)


def test_video_without_soundtrack_and_audio_only_mp4(tmp_path: Path) -> None:
    silent = describe(media_ref(write_video(tmp_path / "silent.mp4", "mp4", seconds=3, size=(32, 32)))).info
    assert (silent.has_audio, silent.duration_s, silent.channels) == (False, 3.0, None)
    # An MP4 that holds only sound looks like video/mp4 by its bytes; PyAV finds no pictures in it.
    import av

    only_audio = tmp_path / "speech.mp4"
    with av.open(str(only_audio), "w", format="mp4") as out, av.open(str(AUDIO / "sr_english.wav")) as source:
        stream = out.add_stream("aac", rate=16000)
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=16000)
        fifo = av.AudioFifo()
        for frame in source.decode(audio=0):
            for converted in resampler.resample(frame):
                fifo.write(converted)
        while fifo.samples >= 1024:
            out.mux(stream.encode(fifo.read(1024)))  # type: ignore[union-attr,arg-type]
        out.mux(stream.encode(None))  # type: ignore[union-attr]
    with pytest.raises(ValueError, match=r"speech.mp4: unreadable video/mp4 file: no video stream"):
        describe(media_ref(only_audio))


def test_pdf_pages_encryption_and_refusals(tmp_path: Path) -> None:
    pdf = write_pdf("one\ftwo\fthree", tmp_path / "three.pdf", "three")
    info = describe(media_ref(pdf)).info
    assert (info.mime_type, info.pages, info.encrypted) == ("application/pdf", 3, False)

    def encrypted(name: str, user: str) -> Path:
        writer = PdfWriter(clone_from=PdfReader(pdf))
        writer.encrypt(user_password=user, owner_password="owner-secret", algorithm="AES-256")
        with (tmp_path / name).open("wb") as handle:
            writer.write(handle)
        return tmp_path / name

    opens = describe(media_ref(encrypted("restricted.pdf", ""))).info  # an owner password only restricts edits
    assert (opens.pages, opens.encrypted) == (3, True)
    with pytest.raises(ValueError, match=r"locked\.pdf: unreadable application/pdf file: the PDF needs a password"):
        describe(media_ref(encrypted("locked.pdf", "user-secret")))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n")
    with pytest.raises(ValueError, match=r"broken\.pdf: unreadable application/pdf file"):
        describe(media_ref(broken))


def video(seconds: float, **meta: float) -> MediaInfo:
    clip = VideoMetadata(**meta) if meta else None
    return MediaInfo(source="v.mp4", mime_type="video/mp4", duration_s=seconds, has_audio=True, video_metadata=clip)


def test_estimates_follow_clip_fps_resolution_and_generation() -> None:
    assert estimate(video(11.0), "gemini-2.5-flash", None, 32) == {"VIDEO": 11 * 263, "AUDIO": 352}
    assert estimate(video(11.0), "gemini-2.5-flash", "MEDIA_RESOLUTION_LOW", 32) == {"VIDEO": 11 * 71, "AUDIO": 352}
    clipped = video(60.0, start_offset_s=10, end_offset_s=20, fps=2)
    assert estimate(clipped, "gemini-2.5-flash", None, 32) == {"VIDEO": 20 * 258 + 50, "AUDIO": 320}
    assert estimate(clipped, "gemini-3-pro-preview", "MEDIA_RESOLUTION_HIGH", 25) == {
        "VIDEO": 20 * 280 + 50,
        "AUDIO": 250,
    }
    pdf = MediaInfo(source="d.pdf", mime_type="application/pdf", pages=3)
    assert estimate(pdf, "gemini-2.0-flash", None, 25) == {"DOCUMENT": 774}
    assert estimate(pdf, "gemini-3-flash-preview", None, 25) == {"DOCUMENT": 1680}
    assert estimate(pdf, "gemini-2.5-flash", "MEDIA_RESOLUTION_LOW", 32) == {}  # Google gives no figure
    image = MediaInfo(source="i.png", mime_type="image/png")
    assert estimate(image, "gemini-2.5-flash", None, 32) == {}
    assert [resolution_of({"media_resolution": v}) for v in ("MEDIA_RESOLUTION_LOW", "low", "", None)] == [
        "MEDIA_RESOLUTION_LOW",
        "MEDIA_RESOLUTION_LOW",
        None,
        None,
    ]
    assert resolution_of({"media_resolution": "MEDIA_RESOLUTION_UNSPECIFIED"}) is None


def test_documented_limits() -> None:
    hour = 3600.0
    assert prompt_problems([video(hour)], None, 0, 1_048_576) == []
    (problem,) = prompt_problems([video(hour + 60)], None, 0, 1_048_576)
    assert "1.02 hours of video in one prompt" in str(problem) and "MEDIA_RESOLUTION_LOW (3 hours)" in str(problem)
    assert prompt_problems([video(hour + 60)], "MEDIA_RESOLUTION_LOW", 0, 1_048_576) == []
    assert prompt_problems([video(4 * hour, end_offset_s=hour)], None, 0, 1_048_576) == []  # a clip counts
    assert "at low media resolution" in str(prompt_problems([video(3 * hour + 1)], "MEDIA_RESOLUTION_LOW", 0, 10**9)[0])

    pages = [MediaInfo(source=f"{i}.pdf", mime_type="application/pdf", pages=500) for i in range(2)]
    assert prompt_problems(pages, None, 0, 10**9) == []
    pages.append(MediaInfo(source="2.pdf", mime_type="application/pdf", pages=1))
    assert "1001 document pages in one prompt" in str(prompt_problems(pages, None, 0, 10**9)[0])

    big_pdf = MediaInfo(source="big.pdf", mime_type="application/pdf", pages=1, size_bytes=51_000_000)
    assert str(prompt_problems([big_pdf], None, 0, 10**9)[0]).startswith("big.pdf: a 51.0 MB PDF")
    huge = MediaInfo(source="huge.mp4", mime_type="video/mp4", duration_s=60, size_bytes=2_100_000_000)
    assert "Files API takes files up to 2 GB" in str(prompt_problems([huge], None, 0, 10**9)[0])
    tokens = prompt_problems([video(600)], None, 2_000_000, 1_048_576)
    assert "about 2,000,000 tokens, more than the model's 1,048,576-token input limit" in str(tokens[0])

    audio = MediaInfo(source="a.wav", mime_type="audio/wav", duration_s=5, video_metadata=VideoMetadata(fps=2))
    assert (
        str(prompt_problems([audio], None, 0, 10**9)[0]) == "a.wav: video_metadata is for video, but this is audio/wav"
    )
    late = prompt_problems([video(11.0, start_offset_s=12)], None, 0, 10**9)
    assert "start_offset 12 s is past the end of the video (11.00 s)" in str(late[0])
    assert prompt_problems([video(11.0, end_offset_s=11.4)], None, 0, 10**9) == []  # header rounding slack
    assert "end_offset 20 s is past the end" in str(prompt_problems([video(11.0, end_offset_s=20)], None, 0, 10**9)[0])


def test_fps_can_take_a_prompt_over_the_input_limit(tmp_path: Path) -> None:
    # 40 minutes is under the hour, but at 24 frames a second it is 40 x 60 x 24 x 258 tokens.
    long = media_ref(write_video(tmp_path / "long.mp4", "mp4", seconds=2400, fps=0.05, size=(16, 16)))
    assert GeminiProvider.check_request(media_request([long])) == []
    dense = long.model_copy(update={"video_metadata": VideoMetadata(fps=24)})
    (problem,) = GeminiProvider.check_request(media_request([dense]))
    assert "more than the model's 1,048,576-token input limit (lower video_metadata.fps" in problem


def _validate(suite: Path) -> Done:
    return harness_cli("validate", str(suite))


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        ("[long.mp4]", "1.02 hours of video in one prompt"),
        ("[many.pdf]", "1001 document pages in one prompt; Gemini accepts at most 1,000"),
        ("[{path: clip.mp4, video_metadata: {start_offset: '00:30'}}]", "start_offset 30 s is past the end"),
        ("[{path: one.pdf, video_metadata: {fps: 2}}]", "video_metadata is for video, but this is application/pdf"),
    ],
)
def test_validate_refuses_media_beyond_the_limits(tmp_path: Path, media: str, expected: str) -> None:
    """End to end: `harness validate` names the case's file:line and exits 2, without calling a model."""
    write_video(tmp_path / "long.mp4", "mp4", seconds=3660, fps=0.1, size=(16, 16))
    write_video(tmp_path / "clip.mp4", "webm", seconds=5, size=(16, 16))
    write_pdf("\f".join(["page"] * 1001), tmp_path / "many.pdf", "many")
    write_pdf("page", tmp_path / "one.pdf", "one")
    suite = tmp_path / "limits.suite.yaml"
    suite.write_text(
        f"name: limits\nprompts: [{{id: p, template: Describe.}}]\ncases:\n  - id: c\n    media: {media}\n"
    )
    done = _validate(suite)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{suite}:4: error: case 'c':" in done.stderr and expected in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("{start_offset: soon}", "not an offset: 'soon'"),
        ("{fps: 30}", "less than or equal to 24"),
        ("{start_offset: 10, end_offset: '00:05'}", "end_offset (5 s) must be after start_offset (10 s)"),
        ("{start_offset: -3s}", "an offset cannot be negative"),
        ("{start: 3}", "unknown key 'start'"),
    ],
)
def test_validate_refuses_bad_video_metadata_with_its_line(tmp_path: Path, entry: str, expected: str) -> None:
    write_video(tmp_path / "clip.mp4", "mp4", seconds=5, size=(16, 16))
    suite = tmp_path / "bad.suite.yaml"
    suite.write_text(
        "name: bad\nprompts: [{id: p, template: Describe.}]\ncases:\n  - id: c\n    media:\n"
        f"      - path: clip.mp4\n        video_metadata: {entry}\n"
    )
    done = _validate(suite)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{suite}:7:" in done.stderr and expected in done.stderr, done.stderr


def test_offsets_in_any_documented_form(tmp_path: Path) -> None:
    write_video(tmp_path / "clip.mp4", "mp4", seconds=90, fps=0.5, size=(16, 16))
    suite = tmp_path / "ok.suite.yaml"
    entries = ["{start_offset: 75}", "{start_offset: 75s, end_offset: '1:28'}", "{end_offset: '0:01:15.5', fps: 0.25}"]
    cases = "".join(
        f"  - id: c{i}\n    media: [{{path: clip.mp4, video_metadata: {e}}}]\n" for i, e in enumerate(entries)
    )
    suite.write_text(f"name: ok\nprompts: [{{id: p, template: Describe.}}]\ncases:\n{cases}")
    done = _validate(suite)
    assert done.returncode == 0, done.stderr
    from harness.api.host import load_plugins
    from harness.suite.loader import LoadOptions, load_suite

    loaded = load_suite(suite, LoadOptions(host=load_plugins()))
    clips = [case.media[0].video_metadata for case in loaded.cases]
    assert clips == [
        VideoMetadata(start_offset_s=75.0),
        VideoMetadata(start_offset_s=75.0, end_offset_s=88.0),
        VideoMetadata(end_offset_s=75.5, fps=0.25),
    ]
