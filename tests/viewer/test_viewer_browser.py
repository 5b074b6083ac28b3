"""`harness view` in real Chromium: the history of a suite with 52 runs (trend lines), two runs side by side
(regressions first, answers and prompts diffed word by word), one case across models and configs in a grid,
filters and deep links, and a run of 10,000 trials that shows its first page of rows before it adds the run up (how
fast is a benchmark, not a test: bench/bench_viewer.py, docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _open(page: Any, url: str) -> None:
    """Load ``url`` afresh (a deep link, as a bookmark opens it) and wait until its view is drawn."""
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_function("document.body.dataset.ready === (location.hash || '#/')")


def test_history_lists_every_run_with_trend_lines(page: Any, viewer: str, store: tuple[Path, list[str], str]) -> None:
    _open(page, viewer)
    page.click("#suites >> text=history")
    page.wait_for_selector("#history")
    assert page.locator("#history tbody tr").count() == 52
    assert page.text_content("h1") == "history: 52 runs"
    # One trend line per figure: the pass rate and each metric, a point per run.
    charts = page.locator("#trends .chart")
    assert charts.count() == 3  # pass rate, cost_usd, wer
    assert page.locator("#trends .chart").first.locator("circle").count() == 52
    newest = page.locator("#history tbody tr").first
    assert "abc0051" in newest.text_content()
    assert "harness run suites/history.suite.yaml --emulator" in newest.text_content()


def test_two_runs_side_by_side_regressions_first(page: Any, viewer: str, store: tuple[Path, list[str], str]) -> None:
    _, runs, _ = store
    _open(page, f"{viewer}#/suite/history")
    page.check(f"input[aria-label='A: {runs[28]}']")
    page.check(f"input[aria-label='B: {runs[31]}']")
    page.click("#compare-link")
    page.wait_for_selector("#compare-summary")
    assert f"#/compare/{runs[28]}/{runs[31]}" in page.url
    changes = page.eval_on_selector_all("#cases .case", "cs => cs.map(c => c.className.split(' ')[1])")
    order = {"regressed": 0, "errored": 1, "fixed": 2, "new": 3, "missing": 4, "unchanged": 5}
    assert changes == sorted(changes, key=order.__getitem__)
    assert changes[0] == "regressed"
    first = page.locator("#cases .case").first
    # The answers side by side, changed words marked: deleted on A's side, inserted on B's.
    assert first.locator(".before del").count() + first.locator(".after ins").count() >= 1
    assert "wer" in first.locator(".head").text_content()
    # The prompt changed between run 29 and 30: shown diffed too.
    assert first.locator(".prompt ins").first.text_content().strip() != ""
    # Filters are part of the link: failing only, a tag, a model.
    drawn = "document.body.dataset.ready === location.hash"
    page.check("#failing")
    page.wait_for_function(f"location.hash.includes('failing=1') && {drawn}")
    page.select_option("#filter-model", "gemini-2.0-flash")
    page.wait_for_function(f"location.hash.includes('model=gemini-2.0-flash') && {drawn}")
    assert page.is_checked("#failing")
    heads = page.eval_on_selector_all("#cases .case .head", "hs => hs.map(h => h.textContent)")
    assert heads and all("gemini-2.0-flash" in h for h in heads)
    link = page.url
    fresh = page.context.new_page()
    _open(fresh, link)  # a deep link shows the same filtered view
    assert fresh.eval_on_selector_all("#cases .case .head", "hs => hs.map(h => h.textContent)") == heads
    fresh.close()


def test_one_case_across_models_and_configs(page: Any, viewer: str, store: tuple[Path, list[str], str]) -> None:
    _, runs, _ = store
    _open(page, f"{viewer}#/run/{runs[-1]}")
    page.click("#trials tbody tr >> nth=0 >> a >> nth=0")
    page.wait_for_selector("#grid")
    assert "#/grid/" in page.url
    headers = page.eval_on_selector_all("#grid thead th", "ths => ths.map(t => t.textContent)")
    assert headers == [
        "prompt · repeat",
        "gemini-2.0-flash · t0",
        "gemini-2.0-flash · t1",
        "gemini-2.5-flash · t0",
        "gemini-2.5-flash · t1",
    ]
    cells = page.locator("#grid tbody td .answer:not(.muted)")
    assert cells.count() == 4
    assert "your country" in cells.first.text_content()
    page.click("#grid tbody td >> nth=1 >> text=trial")
    page.wait_for_selector("#answer")
    assert "wer" in page.text_content(".scores")


def test_a_run_of_ten_thousand_trials_paints_fast(page: Any, viewer: str, store: tuple[Path, list[str], str]) -> None:
    _, _, big = store
    _open(page, viewer)
    page.goto(f"{viewer}#/run/{big}")  # cold: the run's totals were never added up before
    page.wait_for_selector("#trials tbody tr")
    assert page.text_content("#shown") == "200 of 10000 trials"  # one page of rows, not 10,000
    page.wait_for_function("document.querySelector('#totals').textContent.includes('trials;')")
    assert "10000 trials" in page.text_content("#totals")
    page.locator("#more").scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('#trials tbody tr').length >= 400")
    page.check("#failing")
    page.wait_for_function(
        "document.querySelector('#shown') && !document.querySelector('#shown').textContent.includes('of 10000')"
    )
    shown = page.text_content("#shown")
    failing = int(shown.split(" of ")[1].split()[0])
    assert 0 < failing < 10000
    verdicts = page.eval_on_selector_all("#trials tbody tr td:first-child", "ts => ts.map(t => t.textContent)")
    assert set(verdicts) <= {"fail", "error"}


def test_the_page_keeps_to_its_content_security_policy(
    strict_context: Any, viewer: str, store: tuple[Path, list[str], str]
) -> None:
    """Without the test driver's CSP bypass: every view renders, and the browser reports no violation."""
    _, runs, _ = store
    page = strict_context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    for view, selector in [
        ("#/", "#suites"),
        ("#/suite/history", "#trends svg"),
        (f"#/compare/{runs[0]}/{runs[1]}", "#cases"),
        (f"#/grid/{runs[0]}/case-0001", "#grid"),
        (f"#/run/{runs[0]}", "#trials"),
    ]:
        page.goto("about:blank")
        page.goto(viewer + view)
        page.wait_for_selector(selector)
    page.close()
    assert errors == []
