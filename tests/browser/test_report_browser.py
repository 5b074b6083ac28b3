"""The HTML report in a real browser: loads offline, filters, opens trials, never runs an answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from factory import HOSTILE_IMG, HOSTILE_SCRIPT, make_results
from playwright.sync_api import expect

from harness.api.reporting import ReportContext
from harness.log.results import RunResults
from harness_reporters.html import HtmlReporter

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def results() -> RunResults:
    return make_results()


@pytest.fixture(scope="module")
def report(results: RunResults, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return HtmlReporter().write(results, ReportContext(out_dir=tmp_path_factory.mktemp("report")))


def open_report(watched: Any, path: Path, hash_: str = "") -> Any:
    page = watched.page
    page.goto(path.as_uri() + hash_)
    page.wait_for_selector("html[data-ready='1']", timeout=10_000)
    return page


def visible_verdicts(page: Any) -> list[str]:
    return page.eval_on_selector_all("#trial-list .trial-row", "rows => rows.map(r => r.dataset.verdict)")


def test_loads_offline_with_no_console_error(watched: Any, report: Path, results: RunResults) -> None:
    page = open_report(watched, report)
    assert "speech-transcription" in page.inner_text("header#run")
    assert page.locator("#summary-table tbody tr").count() == len(results.summary)
    assert page.locator("#charts svg").count() == 2
    assert page.locator("#baseline-metrics").count() == 1
    assert page.locator("#comparisons-table tbody tr").count() == sum(c.role == "quality" for c in results.comparisons)
    assert page.locator("#detectable li").count() == len(results.power) > 0
    assert "Holm" in page.inner_text("#comparisons")
    assert page.locator("#regressions .trial-row").count() > 0
    page.wait_for_timeout(300)
    assert watched.console_errors == []
    assert watched.network == []


def test_filters(watched: Any, report: Path, results: RunResults) -> None:
    page = open_report(watched, report)
    total = len(results.trials)
    assert page.inner_text("#f-count") == f"{total} of {total} trials"
    page.check("#f-failures")
    verdicts = visible_verdicts(page)
    failing = sum(1 for t in results.trials if t.passed is False or t.status == "error")
    assert page.inner_text("#f-count") == f"{failing} of {total} trials"
    assert verdicts and set(verdicts) <= {"fail", "error"}
    page.uncheck("#f-failures")
    page.select_option("#f-tag", "json")
    cases = page.eval_on_selector_all("#trial-list .case-group", "g => g.map(x => x.dataset.case)")
    assert cases == ["invoice-extract"]
    page.select_option("#f-tag", "")
    page.select_option("#f-column", "gemini-2.0-flash / temperature=1")
    assert page.locator("#matrix-table th.col").count() == 1
    assert all(
        c == "gemini-2.0-flash / temperature=1"
        for c in page.eval_on_selector_all("#matrix-table td.cell", "cells => cells.map(c => c.dataset.col)")
    )
    page.select_option("#f-column", "")
    page.fill("#f-search", "vosk")
    expect(page.locator("#f-count")).to_have_text(f"12 of {total} trials")
    cases = page.eval_on_selector_all("#trial-list .case-group", "g => g.map(x => x.dataset.case)")
    assert cases == ["vosk-ogg"]
    assert watched.console_errors == []


def test_a_failing_transcription_trial_shows_its_alignment(watched: Any, report: Path, results: RunResults) -> None:
    page = open_report(watched, report)
    trial = next(t for t in results.trials if t.case_id == "jfk-flac" and t.passed is False)
    page.click(f"#trial-list .trial-row[data-trial='{trial.id}']")
    detail = page.locator("#detail")
    assert detail.is_visible()
    assert page.inner_text("#prompt-text") == trial.request.prompt
    assert page.inner_text("#system-text") == trial.request.system_instruction
    text = detail.inner_text()
    for expected in ("audio/flac", "11.00 s", "upload", "prompt · AUDIO", "time to first token", "latency"):
        assert expected in text
    assert detail.locator(".align .w-sub").count() > 0
    subs = detail.locator(".align .w-sub del").all_inner_texts()
    assert "americans ask" in subs
    assert detail.locator(".align .w-eq").count() > 0
    assert detail.locator(".repeats button").count() == 3
    page.keyboard.press("Escape")
    assert not detail.is_visible()


def test_json_failure_marks_the_failing_path(watched: Any, report: Path, results: RunResults) -> None:
    trial = next(t for t in results.trials if t.case_id == "invoice-extract" and t.passed is False)
    page = open_report(watched, report, f"#trial={trial.id}")
    bad = page.locator("#detail .json-bad")
    assert bad.count() == 1
    assert bad.get_attribute("data-path") == "items/1/price"
    assert bad.inner_text() == '"twelve"'
    assert "$.items[1].price" in page.inner_text("#detail .json-path")


def test_errors_show_their_retries(watched: Any, report: Path, results: RunResults) -> None:
    trial = next(t for t in results.trials if t.status == "error")
    page = open_report(watched, report)
    page.click(f"#matrix-table td.cell[data-case='rate-limited'][data-col='{trial.model} / {trial.config_id}']")
    assert "RESOURCE_EXHAUSTED" in page.inner_text("#error-text")
    assert page.locator("#detail table.retries tbody tr").count() == 2


def test_hostile_answers_and_names_are_text(watched: Any, report: Path, results: RunResults) -> None:
    trial = next(t for t in results.trials if t.case_id.startswith("hostile"))
    page = open_report(watched, report)
    page.fill("#f-search", "hostile")
    expect(page.locator("#trial-list .case-group")).to_have_count(1)
    assert page.inner_text("#trial-list .case-id") == "hostile-<b>markup</b>"
    page.click(f"#trial-list .trial-row[data-trial='{trial.id}']")
    answer = page.inner_text("#answer-text")
    assert HOSTILE_IMG in answer and HOSTILE_SCRIPT in answer
    assert HOSTILE_SCRIPT in page.inner_text("#prompt-text")
    assert f"media/{HOSTILE_IMG}.wav" in page.inner_text("#detail .media")
    page.wait_for_timeout(300)
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 2  # the data block and the report's own script
    assert page.locator("#trial-list b, #detail b").count() == 0
    assert watched.dialogs == []
    assert watched.console_errors == []
    assert watched.network == []


def test_long_lists_render_in_chunks(watched: Any, tmp_path: Path) -> None:
    big = make_results(groups=40, repeats=1, with_baseline=False)
    path = HtmlReporter().write(big, ReportContext(out_dir=tmp_path))
    page = open_report(watched, path)
    first = page.locator("#trial-list .trial-row").count()
    assert 0 < first < len(big.trials)
    page.click("#trial-list .show-more")
    assert page.locator("#trial-list .trial-row").count() > first


def test_baseline_deltas_follow_the_scorers_direction(watched: Any, results: RunResults, tmp_path: Path) -> None:
    """A metric whose name says nothing is coloured by the scorer's declared direction."""
    from harness.log.deltas import MetricDelta

    assert results.baseline is not None
    marked = results.model_copy(deep=True)
    assert marked.baseline is not None
    common = {"model": "m", "config_id": "c", "prompt_id": "p", "before": 1.0, "after": 2.0, "delta": 1.0}
    marked.baseline.metrics = [
        MetricDelta(metric="quality_a", higher_is_better=False, **common),
        MetricDelta(metric="quality_b", higher_is_better=True, **common),
    ]
    path = HtmlReporter().write(marked, ReportContext(out_dir=tmp_path))
    page = open_report(watched, path)
    rows = page.eval_on_selector_all("#baseline-metrics tbody tr", "rows => rows.map(r => r.className)")
    assert rows == ["delta-worse", "delta-better"]


def test_summary_cells_show_headline_aggregates_only(watched: Any, report: Path) -> None:
    page = open_report(watched, report)
    cell = page.locator("#summary-table tbody tr").first.locator("td").filter(has_text="corpus_wer").first
    text = cell.inner_text()
    assert "corpus_wer " in text and "corpus_wer_raw" not in text and "reference_length" not in text
    assert "reference_length" in (cell.get_attribute("title") or "")


def test_matrix_cells_follow_min_pass_rate(watched: Any, results: RunResults, tmp_path: Path) -> None:
    """A case whose repeats reach the suite's min_pass_rate shows as passed even with a failed repeat."""
    from harness.log.results import CaseVerdict

    mixed = next(
        (t.case_id, t.model, t.config_id, t.prompt_id)
        for t in results.trials
        if t.passed is False
        and any(
            o.passed for o in results.trials if (o.case_id, o.model, o.config_id) == (t.case_id, t.model, t.config_id)
        )
    )
    case_id, model, config_id, prompt_id = mixed
    gated = results.model_copy(deep=True)
    gated.cases = [
        CaseVerdict(
            case_id=case_id,
            prompt_id=prompt_id,
            model=model,
            config_id=config_id,
            trials=3,
            passed=2,
            pass_rate=2 / 3,
            min_pass_rate=0.6,
            verdict="pass",
            ok=True,
        )
    ]
    page = open_report(watched, HtmlReporter().write(gated, ReportContext(out_dir=tmp_path)))
    cell = page.locator(f"#matrix-table td[data-case='{case_id}'][data-col='{model} / {config_id}']")
    assert "v-pass" in (cell.get_attribute("class") or "")
    assert "(min 60.0%)" in cell.inner_text()
    plain = open_report(watched, HtmlReporter().write(results, ReportContext(out_dir=tmp_path / "plain")))
    cell = plain.locator(f"#matrix-table td[data-case='{case_id}'][data-col='{model} / {config_id}']")
    assert "v-pass" not in (cell.get_attribute("class") or "")


def test_summary_shows_pass_all_and_any_repeat(watched: Any, report: Path, results: RunResults) -> None:
    assert results.summary[0].pass_all_repeats is not None  # the fixture has 3 repeats
    page = open_report(watched, report)
    first = page.locator("#summary-table tbody tr").first.inner_text()
    assert "all repeats " in first and " · any " in first


def test_a_regressed_trial_shows_what_changed_and_the_baseline_answer(
    watched: Any, results: RunResults, tmp_path: Path
) -> None:
    marked = results.model_copy(deep=True)
    assert marked.baseline is not None
    delta = next(d for d in marked.baseline.trials if d.change == "regressed")
    delta.changed = ["prompt", "answer"]
    delta.before_answer = "<b>the old answer</b>"
    page = open_report(
        watched, HtmlReporter().write(marked, ReportContext(out_dir=tmp_path)), f"#trial={delta.trial_id}"
    )
    assert page.inner_text("#changed-since") == "prompt, answer"
    assert page.inner_text("#baseline-answer") == "<b>the old answer</b>"  # shown as text, never as markup


def test_a_changed_prompt_shows_beside_the_baseline_s(watched: Any, results: RunResults, tmp_path: Path) -> None:
    """'changed: prompt' comes with the old prompt beside the new one, word by word."""
    from harness_reporters.textdiff import word_diff

    marked = results.model_copy(deep=True)
    assert marked.baseline is not None
    case = next(d for d in marked.baseline.cases if d.change == "regressed")
    trial = next(
        t for t in marked.trials if (t.case_id, t.model, t.config_id) == (case.case_id, case.model, case.config_id)
    )
    case.changed = ["prompt", "answer"]
    case.before_prompt = "Extract the order as <b>YAML</b>: INV-2041"
    assert word_diff(case.before_prompt, trial.request.prompt)[0] == ["=", "Extract the "]
    page = open_report(watched, HtmlReporter().write(marked, ReportContext(out_dir=tmp_path)), f"#trial={trial.id}")
    removed = page.locator("#prompt-before del").all_inner_texts()
    added = page.locator("#prompt-after ins").all_inner_texts()
    assert any("order" in r for r in removed) and any("YAML" in r for r in removed)
    assert any("invoice" in a for a in added) and any("JSON" in a for a in added)
    assert page.inner_text("#prompt-before") == case.before_prompt  # shown as text, never as markup
    assert page.inner_text("#prompt-after") == trial.request.prompt


def test_a_case_s_answers_side_by_side(watched: Any, report: Path, results: RunResults) -> None:
    page = open_report(watched, report, "#case=jfk-flac")
    columns = page.locator("#case-grid .case-col")
    mine = [t for t in results.trials if t.case_id == "jfk-flac"]
    assert columns.count() == len({(t.model, t.config_id) for t in mine}) == 4
    first = columns.first
    assert first.get_attribute("data-col") == "gemini-2.5-flash / temperature=0"
    answers = first.locator(".case-answer pre").all_inner_texts()
    expected = [t.output.text for t in mine if (t.model, t.config_id) == ("gemini-2.5-flash", "temperature=0")]
    assert answers == expected
    first.locator("a.open-trial").first.click()  # from the grid into one trial
    assert page.locator("dialog#detail[open]").get_attribute("data-trial") == mine[0].id


def test_a_dialog_opened_again_before_the_last_one_s_close_event_keeps_its_content(watched: Any, report: Path) -> None:
    """Escape closes the dialog natively and its "close" event comes a task later; a key that opens a case in between
    (Escape, then Space on a row header, as fast as a test types) must not have that late event empty it."""
    page = open_report(watched, report, "#case=jfk-flac")
    assert page.locator("#case-grid .case-col").count() == 4
    page.evaluate(
        """() => new Promise(done => {
            document.getElementById("detail").close();  // as Escape does: the close event is queued
            const header = [...document.querySelectorAll("#matrix-table th.case-name")]
                .find(th => th.textContent === "jfk-mp3");
            header.click();                              // opened again before that event runs
            setTimeout(done, 50);
        })"""
    )
    dialog = page.locator("dialog#detail[open]")
    assert dialog.get_attribute("data-case") == "jfk-mp3"
    assert page.locator("#case-grid .case-col").count() == 4
    assert "#case=jfk-mp3" in page.url
    page.keyboard.press("Escape")  # and a real close still empties it
    expect(page.locator("dialog#detail[open]")).to_have_count(0)
    assert page.locator("#case-grid").count() == 0 and "#case=" not in page.url


def test_regressions_only_and_grouping_by_tag(watched: Any, report: Path, results: RunResults) -> None:
    assert results.baseline is not None
    regressed = {(d.case_id, d.model, d.config_id) for d in results.baseline.cases if d.change == "regressed"}
    page = open_report(watched, report)
    page.check("#f-regressions")
    shown = page.eval_on_selector_all("#trial-list a.trial-row", "rows => rows.map(r => r.dataset.trial)")
    by_id = {t.id: t for t in results.trials}
    assert shown and all((by_id[i].case_id, by_id[i].model, by_id[i].config_id) in regressed for i in shown)
    assert len(shown) == sum((t.case_id, t.model, t.config_id) in regressed for t in results.trials)
    page.uncheck("#f-regressions")
    page.select_option("#f-group", "tag")
    tags = page.eval_on_selector_all("#trial-list .tag-group", "g => g.map(x => x.dataset.tag)")
    assert tags == sorted({tag for t in results.trials for tag in t.tags})
    flac = page.eval_on_selector_all(
        "#trial-list .tag-group[data-tag='flac'] .case-group", "g => g.map(x => x.dataset.case)"
    )
    speech = page.eval_on_selector_all(
        "#trial-list .tag-group[data-tag='speech'] .case-group", "g => g.map(x => x.dataset.case)"
    )
    assert flac == ["jfk-flac"] and "jfk-flac" in speech  # a case with two tags is in both
    summary = page.inner_text("#trial-list .tag-group[data-tag='flac'] .tag-title")
    assert "1 case ·" in summary
    assert watched.console_errors == []


def test_the_header_lists_skipped_cases_and_typed_configs(watched: Any, results: RunResults, tmp_path: Path) -> None:
    from harness.api import SkippedCase

    marked = results.model_copy(deep=True)
    marked.run.skipped = [SkippedCase(case_id="later", file="suites/speech.suite.yaml", line=42)]
    page = open_report(watched, HtmlReporter().write(marked, ReportContext(out_dir=tmp_path)))
    header = page.inner_text("header#run")
    assert "temperature=1 (temperature 1.0)" in header  # the config's own JSON value, not a string
    assert "1 case skipped" in header
    page.click("#skipped summary")
    assert "suites/speech.suite.yaml:42" in page.inner_text("#skipped")
    assert "3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a" in header  # the whole revision


def test_a_gzipped_report_shows_the_same_page(
    watched: Any, report: Path, results: RunResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above COMPRESS_ABOVE_BYTES the data is gzip in base64, unpacked by the page itself: same page, no request."""
    import harness_reporters.html as html_reporter

    page = open_report(watched, report)
    plain = page.inner_text("main")
    monkeypatch.setattr(html_reporter, "COMPRESS_ABOVE_BYTES", 0)
    packed = HtmlReporter().write(results, ReportContext(out_dir=tmp_path))
    assert 'data-encoding="gzip-base64"' in packed.read_text(encoding="utf-8")
    page = open_report(watched, packed)
    assert page.inner_text("main") == plain
    page.click("#trial-list .trial-row")
    expect(page.locator("#detail")).to_be_visible()
    assert watched.console_errors == [] and watched.network == []


def test_a_browser_without_decompression_says_so(
    watched: Any, results: RunResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import harness_reporters.html as html_reporter

    monkeypatch.setattr(html_reporter, "COMPRESS_ABOVE_BYTES", 0)
    packed = HtmlReporter().write(results, ReportContext(out_dir=tmp_path))
    page = watched.page
    page.add_init_script("delete window.DecompressionStream")
    page.goto(packed.as_uri())
    page.wait_for_selector("html[data-ready='error']", timeout=10_000)
    alert = page.get_by_role("alert").inner_text()
    assert "DecompressionStream" in alert and "results.json" in alert
    assert watched.console_errors == []
