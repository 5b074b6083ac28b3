from __future__ import annotations

import xml.etree.ElementTree as ET

from factory import HOSTILE_IMG, HOSTILE_SCRIPT, build, make_trials

from harness_reporters.junit import JunitReporter


def test_one_suite_per_row_and_one_case_per_trial(results, ctx) -> None:  # type: ignore[no-untyped-def]
    root = ET.parse(JunitReporter().write(results, ctx)).getroot()
    suites = root.findall("testsuite")
    assert len(suites) == len(results.summary) == 4
    assert sum(len(s.findall("testcase")) for s in suites) == len(results.trials)
    assert int(root.get("tests", "0")) == len(results.trials)
    for suite, row in zip(suites, results.summary, strict=True):
        assert suite.get("name") == f"{row.model} / {row.config_id} / {row.prompt_id}"
        assert int(suite.get("errors", "-1")) == row.errors
        assert int(suite.get("failures", "-1")) == row.failed - row.errors


def test_failures_carry_scores_and_errors_are_errors(results, ctx) -> None:  # type: ignore[no-untyped-def]
    root = ET.parse(JunitReporter().write(results, ctx)).getroot()
    cases = {
        c.get("name"): c for c in root.iter("testcase") if "gemini-2.0-flash.temperature=1" in c.get("classname", "")
    }
    failing = cases["jfk-flac [plain] #0"].find("failure")
    assert failing is not None
    assert "wer=" in failing.get("message", "") and "FAIL" in failing.get("message", "")
    assert "latency_ms=" in (failing.text or "")
    error = cases["rate-limited [plain] #0"].find("error")
    assert error is not None and error.get("type") == "provider"
    assert "429" in error.get("message", "")
    passing = cases["sr-english [plain] #1"]
    assert passing.find("failure") is None and passing.find("error") is None


def test_hostile_and_control_characters_stay_valid_xml(ctx) -> None:  # type: ignore[no-untyped-def]
    trials = make_trials(repeats=1)
    trials[0].output.text = f"{HOSTILE_SCRIPT} {HOSTILE_IMG} ]]> \x00\x1b[31m"  # type: ignore[union-attr]
    root = ET.parse(JunitReporter().write(build(trials), ctx)).getroot()
    texts = [c.findtext("system-out") or "" for c in root.iter("testcase")]
    assert any(HOSTILE_SCRIPT in t and "]]>" in t and "\ufffd" in t for t in texts)
