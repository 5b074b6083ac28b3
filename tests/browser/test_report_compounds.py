"""In a real browser: a merged compound shows as matched text, and the summary says how WER was computed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from factory import make_results
from test_report_browser import open_report

from harness.api.reporting import ReportContext
from harness_reporters.html import HtmlReporter

pytestmark = pytest.mark.browser

METHOD = "WER = (S + D + I) / N over words; normaliser open_asr_2026; kaldialign merge_compounds=True"


def test_compound_match_and_method(watched: Any, tmp_path: Path) -> None:
    results = make_results(with_baseline=False)
    trial = next(t for t in results.trials if any(s.metric == "wer" for s in t.scores))
    score = next(s for s in trial.scores if s.metric == "wer")
    score.details["alignment"] = [
        {"op": "equal", "ref": ["we", "read", "the"], "hyp": ["we", "read", "the"]},
        {"op": "equal", "ref": ["white", "paper"], "hyp": ["whitepaper"]},
        {"op": "substitute", "ref": ["today"], "hyp": ["tuesday"]},
    ]
    score.details["method"] = METHOD
    path = HtmlReporter().write(results, ReportContext(out_dir=tmp_path))
    page = open_report(watched, path)
    assert page.inner_text("#methods li") == "wer: " + METHOD
    page.click(f"#trial-list .trial-row[data-trial='{trial.id}']")
    detail = page.locator("#detail")
    compound = detail.locator(".align .w-compound")
    assert compound.all_inner_texts() == ["white paper"]
    assert "whitepaper" in (compound.get_attribute("title") or "")
    assert detail.locator(".align .w-eq").all_inner_texts() == ["we read the", "white paper"]
    assert "compound written apart or joined" in detail.locator(".legend").first.inner_text()
    assert not watched.console_errors and not watched.network
