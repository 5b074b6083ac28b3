from __future__ import annotations

import xml.etree.ElementTree as ET

from factory import HOSTILE_IMG, HOSTILE_SCRIPT, build, make_trials

from harness_reporters.junit import JunitReporter


def test_one_suite_per_row_and_one_testcase_per_case_verdict(results, ctx) -> None:  # type: ignore[no-untyped-def]
    root = ET.parse(JunitReporter().write(results, ctx)).getroot()
    suites = root.findall("testsuite")
    assert len(suites) == len(results.summary) == 4
    assert sum(len(s.findall("testcase")) for s in suites) == len(results.cases) < len(results.trials)
    assert int(root.get("tests", "0")) == len(results.cases)
    assert int(root.get("failures", "-1")) == results.verdict.failed
    assert int(root.get("errors", "-1")) == results.verdict.errored
    for suite, row in zip(suites, results.summary, strict=True):
        assert suite.get("name") == f"{row.model} / {row.config_id} / {row.prompt_id}"
        mine = [
            c for c in results.cases if (c.model, c.config_id, c.prompt_id) == (row.model, row.config_id, row.prompt_id)
        ]
        assert int(suite.get("errors", "-1")) == sum(c.verdict == "error" for c in mine)
        assert int(suite.get("failures", "-1")) == sum(c.verdict == "fail" for c in mine)


def test_failures_carry_scores_and_errors_are_errors(results, ctx) -> None:  # type: ignore[no-untyped-def]
    root = ET.parse(JunitReporter().write(results, ctx)).getroot()
    cases = {
        c.get("name"): c for c in root.iter("testcase") if "gemini-2.0-flash.temperature=1" in c.get("classname", "")
    }
    verdicts = {
        f"{c.case_id} [{c.prompt_id}]": c
        for c in results.cases
        if (c.model, c.config_id) == ("gemini-2.0-flash", "temperature=1")
    }
    failing = cases["jfk-flac [plain]"].find("failure")
    assert failing is not None
    assert failing.get("message") == verdicts["jfk-flac [plain]"].explanation  # the core's sentence, as is
    assert "wer 0." in failing.get("message", "") and "> max 0.2 (r0" in failing.get("message", "")
    assert "r0: fail: wer " in (failing.text or "") and "latency_ms=" in (failing.text or "")
    error = cases["rate-limited [plain]"].find("error")
    assert error is not None and error.get("message") == verdicts["rate-limited [plain]"].explanation
    assert "429" in error.get("message", "")
    passing = [n for n, c in verdicts.items() if c.verdict == "pass"]
    assert passing and all(cases[n].find("failure") is None and cases[n].find("error") is None for n in passing)


def test_hostile_and_control_characters_stay_valid_xml(ctx) -> None:  # type: ignore[no-untyped-def]
    trials = make_trials(repeats=1)
    trials[0].output.text = f"{HOSTILE_SCRIPT} {HOSTILE_IMG} ]]> \x00\x1b[31m"  # type: ignore[union-attr]
    root = ET.parse(JunitReporter().write(build(trials), ctx)).getroot()
    texts = [c.findtext("system-out") or "" for c in root.iter("testcase")]
    assert any(HOSTILE_SCRIPT in t and "]]>" in t and "\ufffd" in t for t in texts)
