"""Reports say how each metric was computed: the scorers' ``details["method"]``, each text once per metric."""

from __future__ import annotations

import re

from factory import make_results
from test_reporter_html import payload_of

from harness.api.reporting import ReportContext
from harness.log.results import RunResults
from harness_reporters.html import HtmlReporter
from harness_reporters.markdown import MarkdownReporter
from harness_reporters.methods import scoring_methods

METHOD = "WER = (S + D + I) / N over words; normaliser open_asr_2026 <b>x</b> | merge_compounds=True"


def _with_methods() -> RunResults:
    results = make_results(with_baseline=False)
    for n, trial in enumerate(results.trials):
        for score in trial.scores:
            if score.metric == "wer":
                score.details["method"] = METHOD if n % 3 else METHOD + " (other)"
    return results


def test_methods_are_distinct_per_metric_in_first_seen_order() -> None:
    methods = scoring_methods(_with_methods())
    assert sorted(methods) == sorted([("wer", METHOD), ("wer", METHOD + " (other)")])
    assert scoring_methods(make_results(with_baseline=False)) == []


def test_markdown_lists_the_methods_escaped(ctx: ReportContext) -> None:
    text = MarkdownReporter().write(_with_methods(), ctx).read_text(encoding="utf-8")
    section = text.split("How the metrics were computed:", 1)[1]
    (line,) = [line for line in section.splitlines() if line.startswith("- **wer**: ") and "(other)" not in line]
    # Markdown's specials are escaped (the backslashes vanish once rendered), HTML is neutralised.
    assert "\\|" in line and "&lt;b&gt;x&lt;/b&gt;" in line
    assert re.sub(r"\\(.)", r"\1", line) == "- **wer**: " + METHOD.replace("<", "&lt;").replace(">", "&gt;")
    assert "<b>" not in text


def test_markdown_has_no_methods_section_when_no_scorer_gave_one(ctx: ReportContext) -> None:
    text = MarkdownReporter().write(make_results(with_baseline=False), ctx).read_text(encoding="utf-8")
    assert "How the metrics were computed" not in text


def test_html_payload_carries_the_methods(ctx: ReportContext) -> None:
    payload = payload_of(HtmlReporter().write(_with_methods(), ctx).read_text(encoding="utf-8"))
    assert {"metric": "wer", "method": METHOD} in payload["methods"]
    assert len(payload["methods"]) == 2
