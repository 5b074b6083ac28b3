"""Regenerate the report screenshots in docs/img/ (run: .venv/bin/python tests/browser/screenshots.py)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reporters"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from chromium import launch  # noqa: E402
from factory import make_results  # noqa: E402

from harness.api.reporting import ReportContext  # noqa: E402
from harness_reporters.html import HtmlReporter  # noqa: E402

OUT = ROOT / "docs" / "img"


def main() -> None:
    from playwright.sync_api import sync_playwright

    results = make_results(hostile=False)
    report = HtmlReporter().write(results, ReportContext(out_dir=Path(tempfile.mkdtemp())))
    speech = next(t for t in results.trials if t.case_id == "jfk-flac" and t.passed is False)
    invoice = next(t for t in results.trials if t.case_id == "invoice-extract" and t.passed is False)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        context = launch(p, viewport={"width": 1400, "height": 1000})
        for name, hash_ in (
            ("report-summary", ""),
            ("report-transcription-trial", f"#trial={speech.id}"),
            ("report-json-failure", f"#trial={invoice.id}"),
        ):
            page = context.new_page()
            page.goto(report.as_uri() + hash_)
            page.wait_for_selector("html[data-ready='1']")
            if name == "report-json-failure":
                page.locator("#detail .json-path").scroll_into_view_if_needed()
            elif name == "report-transcription-trial":
                page.locator("#detail .score").first.scroll_into_view_if_needed()
            page.screenshot(path=str(OUT / f"{name}.png"))
        context.close()


if __name__ == "__main__":
    main()
