"""The video and documents example suites, run on the emulator, in a real browser: a playing video, a PDF's pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reports(example_runs: Path) -> Path:
    return example_runs


def _trial(reports: Path, suite: str, case: str) -> dict[str, Any]:
    results = json.loads((reports / suite / "results.json").read_text())
    return next(t for t in results["trials"] if t["case_id"] == case)


def test_video_trial_plays_its_clip_and_says_what_was_sent(watched: Any, reports: Path) -> None:
    trial = _trial(reports, "video", "first-cue")
    assert trial["passed"] is True and trial["output"]["media"][0]["transport"] == "upload"
    page = watched.page
    page.goto((reports / "video" / "report.html").as_uri() + f"#trial={trial['id']}")
    page.wait_for_selector("html[data-ready='1']", timeout=10_000)
    media = page.locator("#detail .media")
    text = media.inner_text()
    for shown in ("video/mp4", "192×192 · 2 fps", "audio track", "0 s – 4 s", "VIDEO 1,052", "AUDIO 128", "upload"):
        assert shown in text, text
    video = media.locator("video")
    assert video.count() == 1 and video.get_attribute("src").startswith("data:video/mp4;base64,")  # type: ignore[union-attr]
    video.evaluate("v => { v.muted = true; v.load(); }")
    for _ in range(100):  # the report's CSP forbids eval, so no wait_for_function: poll instead
        if video.evaluate("v => v.readyState") >= 1:
            break
        page.wait_for_timeout(100)
    assert video.evaluate("v => [Math.round(v.duration), v.videoWidth, v.error]") == [11, 192, None]
    assert watched.console_errors == [] and watched.network == []


def test_documents_trial_shows_the_page_count(watched: Any, reports: Path) -> None:
    trial = _trial(reports, "documents", "extract-text")
    page = watched.page
    page.goto((reports / "documents" / "report.html").as_uri() + f"#trial={trial['id']}")
    page.wait_for_selector("html[data-ready='1']", timeout=10_000)
    text = page.locator("#detail .media").inner_text()
    assert "application/pdf" in text and "pages\n2" in text.replace("\t", "\n") and "DOCUMENT 516" in text, text
    assert watched.console_errors == [] and watched.network == []
