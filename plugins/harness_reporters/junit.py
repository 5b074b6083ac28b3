"""The ``junit`` and ``junit-strict`` formats: JUnit XML that Jenkins, GitLab and GitHub's test reporters read as meant.

- One ``<testsuite>`` per model x config x prompt, named ``MODEL / CONFIG / PROMPT``, whose ``<properties>`` carry the
  real values (suite, model, config id and config, prompt, run, revision); one ``<testcase>`` per case there, judged
  like the exit code: by the case verdict over its repeats (min_pass_rate).
- ``classname`` is ``SUITE.MODEL / CONFIG`` with exactly one dot: Jenkins' JUnit plugin splits a class name at its
  last dot into package and class, so dots inside the parts (``gemini-2.5-flash``, ``temperature=0.7``) become
  ``_`` and every row of a suite lands in one package. The testcase ``name`` is ``CASE [PROMPT]``.
- A failing case has a ``<failure>`` whose message is the core's explanation and whose body repeats it, then
  each repeat's reasons and scores; an errored case an ``<error>`` of the error's kind whose body says the code,
  status, attempts and retries. GitLab shows the body, so a body is never empty.
- Cases marked ``skip: true`` are ``<skipped>`` testcases in every testsuite, with the file:line that skips them.
- ``junit-strict`` writes only what the Jenkins xUnit plugin's ``junit-10.xsd`` allows (no per-testcase
  properties, no ``skipped`` count on ``<testsuites>``, no ``file``/``line`` attributes); ``junit`` adds those,
  which the JUnit plugin (``keepProperties``), GitLab and GitHub reporters read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import ClassVar

from harness.api import (
    CaseVerdict,
    ReportContext,
    Reporter,
    RunResults,
    SkippedCase,
    TrialRecord,
    atomic_file,
    number_text,
)
from harness_reporters.verdicts import describe_score, failure_reason, row_label

# Characters XML 1.0 cannot carry at all (ElementTree would write them and produce a broken file).
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
RowKey = tuple[str, str, str]


def xml_text(value: object) -> str:
    return _INVALID_XML.sub("\ufffd", str(value))


def class_part(value: str) -> str:
    """One part of a class name: no dot (Jenkins would split there), no line break."""
    return " ".join(value.replace(".", "_").split()) or "_"


def class_name(suite: str, model: str, config_id: str) -> str:
    """``SUITE.MODEL / CONFIG``: Jenkins shows package SUITE, class ``MODEL / CONFIG``."""
    return f"{class_part(suite)}.{class_part(model)} / {class_part(config_id)}"


def junit_timestamp(value: str) -> str:
    """``2026-11-26T10:15:00`` in UTC: the form Ant's JUnit schema gives ``timestamp`` (no fraction, no zone)."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _repeat(trial: TrialRecord) -> int:
    return trial.repeat


def _seconds(trials: list[TrialRecord]) -> float:
    return sum((t.output.latency_ms or 0.0) / 1000 for t in trials if t.output is not None)


def _repeat_lines(trial: TrialRecord, tagged: bool) -> list[str]:
    tag = f"r{trial.repeat}: " if tagged else ""
    reason = failure_reason(trial)
    verdict = trial.verdict or ("error" if trial.status == "error" else "ok")
    lines = [f"{tag}{verdict}" + (f": {reason}" if reason else "")]
    error = trial.error
    if error is not None:
        facts = [f"kind {error.kind}", f"{error.attempts} attempt" + ("" if error.attempts == 1 else "s")]
        if error.code is not None:
            facts.insert(1, f"code {error.code}")
        if error.status:
            facts.insert(2, f"status {error.status}")
        lines.append("  " + " · ".join(facts))
        lines += [f"  retried after: {a.error} (waited {number_text(a.delay_s)} s)" for a in error.retries]
    lines += [f"  {describe_score(s)}" for s in trial.scores]
    return lines


def verdict_body(case: CaseVerdict, trials: list[TrialRecord]) -> str:
    """The text of a ``<failure>`` or ``<error>``: the explanation, then every repeat (never empty)."""
    lines = [case.explanation or case.verdict]
    for trial in trials:
        lines += _repeat_lines(trial, len(trials) > 1)
    return "\n".join(lines)


def _properties(parent: ET.Element, pairs: list[tuple[str, object]]) -> None:
    node = ET.SubElement(parent, "properties")
    for key, value in pairs:
        if value is not None and value != "":
            ET.SubElement(node, "property", {"name": key, "value": xml_text(value)})


class _Writer:
    def __init__(self, results: RunResults, strict: bool) -> None:
        self.results = results
        self.strict = strict
        self.suite = results.run.suite

    def testcase(self, parent: ET.Element, case: CaseVerdict, trials: list[TrialRecord]) -> str:
        """Add one testcase for a case verdict; return its outcome: "passed", "failed" or "error"."""
        node = ET.SubElement(
            parent,
            "testcase",
            {
                "classname": xml_text(class_name(self.suite, case.model, case.config_id)),
                "name": xml_text(f"{case.case_id} [{case.prompt_id}]"),
                "time": f"{_seconds(trials):.3f}",
            },
        )
        if not self.strict:
            _properties(
                node,
                [
                    ("case_key", case.id),
                    ("case_id", case.case_id),
                    ("model", case.model),
                    ("config_id", case.config_id),
                    ("prompt_id", case.prompt_id),
                    ("verdict", case.verdict),
                    ("pass_rate", None if case.pass_rate is None else number_text(case.pass_rate)),
                    ("tags", ", ".join(case.tags)),
                ],
            )
        outcome = "passed"
        if case.verdict in ("fail", "error"):
            failed = case.verdict == "fail"
            kind = next((t.error.kind for t in trials if t.error is not None), "error")
            kind = (case.decided_by or "fail") if failed else kind
            child = ET.SubElement(
                node, "failure" if failed else "error", {"message": xml_text(case.explanation), "type": xml_text(kind)}
            )
            child.text = xml_text(verdict_body(case, trials))
            outcome = "failed" if failed else "error"
        answers = [t.output.text for t in trials if t.output is not None and t.output.text is not None]
        if answers:
            ET.SubElement(node, "system-out").text = xml_text("\n\n".join(answers))
        return outcome

    def skipped(self, parent: ET.Element, skipped: SkippedCase, row: RowKey) -> None:
        model, config_id, prompt_id = row
        where = f"{skipped.file}:{skipped.line}" if skipped.line is not None else skipped.file
        attrs = {
            "classname": xml_text(class_name(self.suite, model, config_id)),
            "name": xml_text(f"{skipped.case_id} [{prompt_id}]"),
            "time": "0.000",
        }
        if not self.strict:
            attrs["file"] = xml_text(skipped.file)
            if skipped.line is not None:
                attrs["line"] = str(skipped.line)
        node = ET.SubElement(parent, "testcase", attrs)
        message = f"skip: true ({where})"
        ET.SubElement(node, "skipped", {"message": xml_text(message)}).text = xml_text(
            f"{where}: the case is marked skip: true, so it was not run"
        )

    def suite_properties(self, node: ET.Element, row: RowKey) -> None:
        model, config_id, prompt_id = row
        run = self.results.run
        config = run.configs.get(config_id)
        _properties(
            node,
            [
                ("suite", run.suite),
                ("suite_file", run.suite_file),
                ("run_id", run.id),
                ("model", model),
                ("config_id", config_id),
                ("config", None if config is None else json.dumps(config, sort_keys=True)),
                ("prompt_id", prompt_id),
                ("git_revision", run.git_revision),
                ("harness_version", run.harness_version),
            ],
        )

    def tree(self) -> ET.ElementTree[ET.Element]:
        results = self.results
        by_case: dict[tuple[str, str, str, str], list[TrialRecord]] = defaultdict(list)
        for trial in results.trials:
            by_case[(trial.case_id, trial.prompt_id, trial.model, trial.config_id)].append(trial)
        groups: dict[RowKey, list[CaseVerdict]] = defaultdict(list)
        for case in results.cases:
            groups[(case.model, case.config_id, case.prompt_id)].append(case)
        root = ET.Element("testsuites", {"name": xml_text(results.run.suite)})
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        seconds_total = 0.0
        for row, cases in groups.items():
            suite = ET.SubElement(root, "testsuite", {"name": xml_text(row_label(*row))})
            suite.set("timestamp", xml_text(junit_timestamp(results.run.started_at)))
            self.suite_properties(suite, row)
            counts = {"passed": 0, "failed": 0, "error": 0}
            seconds = 0.0
            for case in cases:
                trials = sorted(by_case[(case.case_id, case.prompt_id, case.model, case.config_id)], key=_repeat)
                counts[self.testcase(suite, case, trials)] += 1
                seconds += _seconds(trials)
            for skipped in results.run.skipped:
                self.skipped(suite, skipped, row)
            skips = len(results.run.skipped)
            suite.set("tests", str(len(cases) + skips))
            suite.set("failures", str(counts["failed"]))
            suite.set("errors", str(counts["error"]))
            suite.set("skipped", str(skips))
            suite.set("time", f"{seconds:.3f}")
            totals["tests"] += len(cases) + skips
            totals["failures"] += counts["failed"]
            totals["errors"] += counts["error"]
            totals["skipped"] += skips
            seconds_total += seconds
        if self.strict:
            del totals["skipped"]  # junit-10.xsd has no skipped count on <testsuites>
        for name, value in totals.items():
            root.set(name, str(value))
        root.set("time", f"{seconds_total:.3f}")
        return ET.ElementTree(root)


def junit_tree(results: RunResults, strict: bool = False) -> ET.ElementTree[ET.Element]:
    return _Writer(results, strict).tree()


class JunitReporter(Reporter):
    name = "junit"
    description = "junit.xml: one testsuite per model/config/prompt, one testcase per case (over its repeats)"
    filename = "junit.xml"
    #: Only what junit-10.xsd (the Jenkins xUnit plugin's schema) allows.
    strict: ClassVar[bool] = False

    def write(self, results: RunResults, ctx: ReportContext) -> Path:
        ctx.out_dir.mkdir(parents=True, exist_ok=True)
        path = ctx.out_dir / self.filename
        tree = junit_tree(results, strict=self.strict)
        ET.indent(tree)
        with atomic_file(path, "wb") as handle:
            tree.write(handle, encoding="utf-8", xml_declaration=True)
        return path


class StrictJunitReporter(JunitReporter):
    name = "junit-strict"
    description = "junit.xml valid against junit-10.xsd (the Jenkins xUnit plugin's schema): no per-testcase properties"
    strict = True
