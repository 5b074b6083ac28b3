"""JUnit XML as Jenkins (JUnit and xUnit plugins), GitLab and GitHub's test reporters read it.

The strict output is validated against the xUnit plugin's junit-10.xsd (tests/reporters/data/SOURCES.md) and both
outputs are parsed with junitparser, the way third-party tools read them, and checked against results.json.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import junitparser
import pytest
import xmlschema
from factory import HOSTILE_IMG, HOSTILE_SCRIPT, build, make_trials

from harness.api import ReportContext, RunResults, SkippedCase
from harness.log.records import TrialError
from harness_reporters.junit import JunitReporter, StrictJunitReporter, class_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))

XSD = Path(__file__).resolve().parent / "data" / "junit-10.xsd"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(XSD))


def with_skips(results: RunResults) -> RunResults:
    marked = results.model_copy(deep=True)
    marked.run.skipped = [
        SkippedCase(case_id="later", file="suites/speech.suite.yaml", line=42, tags=["speech"]),
        SkippedCase(case_id="flaky.<b>x</b>", file="suites/cases.csv", line=7),
    ]
    return marked


def jenkins_split(classname: str) -> tuple[str, str]:
    """How Jenkins' JUnit plugin splits a class name: package before the last dot, class after it."""
    package, _, cls = classname.rpartition(".")
    return package, cls


def test_strict_output_is_valid_against_junit_10_xsd(results: RunResults, ctx: ReportContext, schema: Any) -> None:
    path = StrictJunitReporter().write(with_skips(results), ctx)
    schema.validate(str(path))  # raises with the offending element on any violation
    root = ET.parse(path).getroot()
    assert not list(root.iter("testcase")) or all(c.find("properties") is None for c in root.iter("testcase"))
    assert root.get("skipped") is None


def test_default_output_carries_what_the_strict_one_leaves_out(
    results: RunResults, ctx: ReportContext, schema: Any
) -> None:
    path = JunitReporter().write(with_skips(results), ctx)
    root = ET.parse(path).getroot()
    first = next(root.iter("testcase"))
    props = {p.get("name"): p.get("value") for p in first.iter("property")}
    assert props["model"] and props["config_id"] and props["case_key"]
    assert root.get("skipped") == str(2 * len(results.summary))
    assert not schema.is_valid(str(path))  # the reason the strict format exists


@pytest.mark.parametrize("reporter", [JunitReporter, StrictJunitReporter])
def test_junitparser_reads_class_names_and_counts_as_in_results_json(
    reporter: type[JunitReporter], results: RunResults, ctx: ReportContext
) -> None:
    marked = with_skips(results)
    xml = junitparser.JUnitXml.fromfile(str(reporter().write(marked, ctx)))
    suites = list(xml)
    assert len(suites) == len(marked.summary) == 4
    for suite, row in zip(suites, marked.summary, strict=True):
        mine = [
            c for c in marked.cases if (c.model, c.config_id, c.prompt_id) == (row.model, row.config_id, row.prompt_id)
        ]
        assert suite.name == f"{row.model} / {row.config_id} / {row.prompt_id}"
        assert suite.tests == len(mine) + 2
        assert suite.failures == sum(c.verdict == "fail" for c in mine)
        assert suite.errors == sum(c.verdict == "error" for c in mine)
        assert suite.skipped == 2
        props = {p.name: p.value for p in suite.properties()}
        assert (props["model"], props["config_id"], props["prompt_id"]) == (row.model, row.config_id, row.prompt_id)
        cases = list(suite)
        for case in cases:
            package, cls = jenkins_split(case.classname)
            assert case.classname.count(".") == 1
            assert package == marked.run.suite.replace(".", "_")
            assert cls == f"{row.model} / {row.config_id}".replace(".", "_")
        outcomes = {c.name: type(c.result[0]).__name__ if c.result else "passed" for c in cases}
        for verdict in mine:
            expected = {"fail": "Failure", "error": "Error"}.get(verdict.verdict, "passed")
            assert outcomes[f"{verdict.case_id} [{verdict.prompt_id}]"] == expected
        assert outcomes["later [plain]"] == outcomes["flaky.<b>x</b> [plain]"] == "Skipped"
    assert sum(s.tests for s in suites) == len(marked.cases) + 2 * len(marked.summary)


def test_temperatures_share_one_package_in_jenkins() -> None:
    """The issue's reproduction: three temperatures scattered over three packages (`...temperature=0`, class `7`)."""
    packages = {
        jenkins_split(class_name("temperature", "gemini-2.5-flash", c))[0]
        for c in ("temperature=0", "temperature=0.7", "temperature=1.0")
    }
    assert packages == {"temperature"}
    assert jenkins_split(class_name("temperature", "gemini-2.5-flash", "temperature=0.7")) == (
        "temperature",
        "gemini-2_5-flash / temperature=0_7",
    )
    assert class_name("my.suite", "m", "a\nb").count(".") == 1


def test_failures_carry_the_explanation_in_message_and_body(results: RunResults, ctx: ReportContext) -> None:
    root = ET.parse(JunitReporter().write(results, ctx)).getroot()
    wanted = class_name(results.run.suite, "gemini-2.0-flash", "temperature=1")
    cases = {c.get("name"): c for c in root.iter("testcase") if c.get("classname") == wanted}
    verdicts = {
        f"{c.case_id} [{c.prompt_id}]": c
        for c in results.cases
        if (c.model, c.config_id) == ("gemini-2.0-flash", "temperature=1")
    }
    failing = cases["jfk-flac [plain]"].find("failure")
    assert failing is not None
    assert failing.get("message") == verdicts["jfk-flac [plain]"].explanation  # the core's sentence, as is
    assert failing.get("type") == "wer"  # the metric that decided
    body = failing.text or ""
    assert body.startswith(verdicts["jfk-flac [plain]"].explanation)
    assert "r0: fail: wer " in body and "latency_ms=" in body
    error = cases["rate-limited [plain]"].find("error")
    assert error is not None and error.get("message") == verdicts["rate-limited [plain]"].explanation
    assert (
        error.get("type") == "provider" and "code 429" in (error.text or "") and "retried after" in (error.text or "")
    )
    passing = [n for n, c in verdicts.items() if c.verdict == "pass"]
    assert passing and all(cases[n].find("failure") is None and cases[n].find("error") is None for n in passing)


def test_a_503_error_has_a_body_for_gitlab(ctx: ReportContext) -> None:
    trials = make_trials(repeats=1, hostile=False)
    errored = next(t for t in trials if t.status == "error")
    errored.error = TrialError(kind="provider", message="", code=503, status="UNAVAILABLE", attempts=4)
    root = ET.parse(JunitReporter().write(build(trials, comparisons=False), ctx)).getroot()
    error = next(e for e in root.iter("error"))
    body = error.text or ""
    assert body.strip() and "503" in body and "UNAVAILABLE" in body and "4 attempts" in body


def test_skipped_cases_are_recorded_by_a_run_and_written_as_skipped(tmp_path: Path, fake_host: Any) -> None:
    from helpers import run_suite, write_suite

    path = write_suite(
        tmp_path,
        "name: s\nprovider: fake\nmatrix: {models: [fake-2.5], configs: [{id: t0.7, temperature: 0.7}]}\n"
        "prompts: [{id: p, template: hi}]\ncases:\n  - id: runs\n  - id: not-yet\n    skip: true\n",
    )
    outcome = run_suite(fake_host, path, tmp_path)
    (skipped,) = outcome.results.run.skipped
    assert (skipped.case_id, Path(skipped.file).name, skipped.line) == ("not-yet", "t.suite.yaml", 7)
    out = StrictJunitReporter().write(outcome.results, ReportContext(out_dir=tmp_path / "junit"))
    case = next(c for suite in junitparser.JUnitXml.fromfile(str(out)) for c in suite if c.name == "not-yet [p]")
    assert isinstance(case.result[0], junitparser.Skipped)
    assert "t.suite.yaml:7" in (case.result[0].message or "")
    assert case.classname == "s.fake-2_5 / t0_7"


def test_hostile_and_control_characters_stay_valid_xml(ctx: ReportContext, schema: Any) -> None:
    trials = make_trials(repeats=1)
    trials[0].output.text = f"{HOSTILE_SCRIPT} {HOSTILE_IMG} ]]> \x00\x1b[31m"  # type: ignore[union-attr]
    path = StrictJunitReporter().write(build(trials, comparisons=False), ctx)
    schema.validate(str(path))
    root = ET.parse(path).getroot()
    texts = [c.findtext("system-out") or "" for c in root.iter("testcase")]
    assert any(HOSTILE_SCRIPT in t and "]]>" in t and "\ufffd" in t for t in texts)
