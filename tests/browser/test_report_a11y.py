"""The HTML report as people who do not use a mouse, or see colour, or run JavaScript, or hold a phone meet it.

axe-core (pinned in package.json, installed by make test) audits the reports of every example suite, run on the
emulator, of a hostile suite, and of the synthetic run with a baseline: loaded, with a trial's dialog open, and
with a case's answers side by side, at 1400 and at 390 px. Any serious or critical violation fails. The keyboard
tests drive the matrix and the dialog with key presses only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe import audit, blocking, describe
from clirun import harness_cli
from factory import HOSTILE_IMG, HOSTILE_SCRIPT, make_results

from harness.api import ReportContext
from harness_reporters.html import HtmlReporter

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SUITES = sorted(p.name.removesuffix(".suite.yaml") for p in (ROOT / "suites").glob("*.suite.yaml"))
HOSTILE_SUITE = f"""
name: "hostile <b>suite</b>"
description: "{HOSTILE_SCRIPT}"
prompts:
  - id: p
    template: "hostile: repeat {{{{ word }}}}"
matrix:
  configs: [{{id: "t=<i>0</i>", temperature: 0}}]
scorers:
  - text: "country"
cases:
  - id: hostile-answer
    tags: ["{HOSTILE_IMG}", "x&y"]
    vars: {{word: "{HOSTILE_IMG}"}}
  - id: hostile-skipped
    skip: true
"""
HOSTILE_RESPONSES = f"""
responses:
  - match: {{prompt: "hostile"}}
    text: "{HOSTILE_IMG} {HOSTILE_SCRIPT} <!-- and --> &amp;"
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, example_runs: Path) -> dict[str, Path]:
    """report.html of every example suite on the emulator (the session's shared run), of a hostile suite, and
    of the synthetic run with its baseline."""
    tmp = tmp_path_factory.mktemp("a11y")
    common = ["--emulator", "--store", str(tmp / "store.db"), "--format", "html", "--fail-on", "none", "-q"]
    hostile = tmp / "hostile"
    hostile.mkdir()
    (hostile / "hostile.suite.yaml").write_text(HOSTILE_SUITE, encoding="utf-8")
    (hostile / "responses.yaml").write_text(HOSTILE_RESPONSES, encoding="utf-8")
    done = harness_cli(
        "run", str(hostile / "hostile.suite.yaml"), "--emulator-responses", str(hostile / "responses.yaml"),
        "--out", str(tmp / "hostile-out"), *common,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = {name: example_runs / name / "report.html" for name in SUITES}
    found["hostile"] = tmp / "hostile-out" / "hostile" / "report.html"
    found["synthetic"] = HtmlReporter().write(make_results(), ReportContext(out_dir=tmp / "synthetic"))
    return found


def open_report(watched: Any, path: Path, hash_: str = "", width: int = 1400) -> Any:
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path.as_uri() + hash_)
    page.wait_for_selector("html[data-ready='1']", timeout=10_000)
    return page


def assert_no_blocking(page: Any, state: str) -> None:
    found = blocking(audit(page))
    assert not found, f"{state}:\n{describe(found)}"


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


#: The reports audited in every state (a phone's width, a case side by side); the others, whose layout is the same
#: page with other data, are audited loaded and with a trial open.
EVERY_STATE = {"hostile", "synthetic", "transcription", "temperature"}


@pytest.mark.parametrize("name", [*SUITES, "hostile", "synthetic"])
def test_axe_finds_no_serious_violation(name: str, reports: dict[str, Path], watched: Any) -> None:
    """Loaded and with a trial open at 1400 px; for the reports with the most to show, also on a 390 px phone,
    with the dialog closed again and with a case's answers side by side."""
    page = open_report(watched, reports[name])
    assert_no_blocking(page, f"{name}, loaded")
    failing = page.locator(
        "#trial-list a.trial-row[data-verdict='fail'], #trial-list a.trial-row[data-verdict='error']"
    )
    (failing if failing.count() else page.locator("#trial-list a.trial-row")).first.click()
    assert page.locator("dialog#detail[open]").count() == 1
    assert_no_blocking(page, f"{name}, a trial open")
    if name in EVERY_STATE:
        page.set_viewport_size({"width": 390, "height": 800})
        assert_no_blocking(page, f"{name} at 390 px, a trial open")
        assert no_sideways_scroll(page), f"{name}: the page scrolls sideways at 390 px"
        page.keyboard.press("Escape")
        assert_no_blocking(page, f"{name} at 390 px, loaded")
        assert no_sideways_scroll(page), f"{name}: the page scrolls sideways at 390 px"
        page.locator("#trial-list .case-group .compare").first.click()
        assert page.locator("#case-grid .case-col").count() >= 1
        assert_no_blocking(page, f"{name} at 390 px, a case side by side")
        assert no_sideways_scroll(page)
    else:
        page.keyboard.press("Escape")
        page.set_viewport_size({"width": 390, "height": 800})
        assert no_sideways_scroll(page), f"{name}: the page scrolls sideways at 390 px"
    assert watched.console_errors == [] and watched.network == [] and watched.dialogs == []


def focused(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => { const e = document.activeElement; return { tag: e.tagName, text: e.textContent,
                inDialog: !!e.closest('dialog[open]'), case: e.closest('tr') && e.closest('tr').cells[0].textContent,
                col: e.dataset ? e.dataset.col || null : null, index: e.cellIndex === undefined ? null : e.cellIndex }; }"""
        )
    )


def test_the_matrix_and_the_dialog_work_from_the_keyboard(reports: dict[str, Path], watched: Any) -> None:
    page = open_report(watched, reports["synthetic"])
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to the cases"
    page.keyboard.press("Enter")  # to the matrix section, then into the grid: one cell is in the tab order
    page.keyboard.press("Tab")
    start = focused(page)
    assert start["tag"] == "TH" and start["case"] == "jfk-flac"
    page.keyboard.press("ArrowRight")
    cell = focused(page)
    assert cell["tag"] == "TD" and cell["index"] == 1 and cell["col"] == "gemini-2.5-flash / temperature=0"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    corner = focused(page)
    assert corner["case"] == "jfk-mp3" and corner["col"] == "gemini-2.0-flash / temperature=1"
    assert page.eval_on_selector_all("#matrix-table [tabindex='0']", "n => n.length") == 1  # roving tabindex
    page.keyboard.press("Enter")
    dialog = page.locator("dialog#detail[open]")
    assert dialog.count() == 1 and "jfk-mp3" in dialog.inner_text()
    assert focused(page)["inDialog"]  # focus moved in
    for _ in range(40):  # Tab never leaves a modal dialog
        page.keyboard.press("Tab")
        assert focused(page)["inDialog"]
    page.keyboard.press("Escape")
    assert page.locator("dialog#detail[open]").count() == 0
    back = focused(page)  # focus came back to the cell that opened it
    assert back["case"] == "jfk-mp3" and back["col"] == "gemini-2.0-flash / temperature=1"
    page.keyboard.press("Home")
    page.keyboard.press(" ")  # a case's row header opens its answers side by side
    assert page.locator("#case-grid .case-col").count() == 4
    page.keyboard.press("Escape")
    assert focused(page)["tag"] == "TH"
    assert watched.console_errors == []


def test_regression_and_trial_rows_open_on_enter(reports: dict[str, Path], watched: Any) -> None:
    page = open_report(watched, reports["synthetic"])
    for _ in range(60):  # Tab to the first regressed case (a link), then Enter
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#regressions')"):
            break
    else:
        pytest.fail("the regressions list cannot be reached with Tab")
    name = page.evaluate("document.activeElement.dataset.case")
    page.keyboard.press("Enter")
    assert page.locator("dialog#detail[open]").count() == 1 and name in page.inner_text("#detail-title")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.dataset.case") == name
    trial = page.locator("#trial-list a.trial-row").first
    trial.focus()
    page.keyboard.press("Enter")
    assert page.locator("dialog#detail[open]").get_attribute("data-trial") == trial.get_attribute("data-trial")


def test_without_javascript_the_totals_and_failures_show(reports: dict[str, Path], watched: Any) -> None:
    page = watched.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
    page.goto(reports["synthetic"].as_uri())
    body = page.inner_text("body")
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})  # the page stays as it loaded: axe can run
    assert page.get_attribute("html", "data-ready") is None  # the report's script never ran
    assert_no_blocking(page, "without JavaScript")
    results = make_results()
    assert "FAILED" in body and f"{results.verdict.cases} cases" in body
    assert "Summary by model / config / prompt" in body
    failing = [c for c in results.cases if c.verdict == "fail"]
    assert f"Failing cases ({len(failing) + results.verdict.errored})" in body
    assert failing[0].explanation in body
    assert "hostile-<b>markup</b>" in body  # escaped: shown as text
