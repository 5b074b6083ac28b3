"""The ``junit`` format: JUnit XML for CI test tabs.

One ``<testsuite>`` per model x config x prompt, one ``<testcase>`` per case x prompt x repeat. A failed
trial carries a ``<failure>`` listing its scores; an errored trial an ``<error>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from harness.api import ReportContext, Reporter, RunResults, TrialRecord
from harness_reporters.verdicts import describe_score, failure_reason, row_label

# Characters XML 1.0 cannot carry at all (ElementTree would write them and produce a broken file).
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    return _INVALID_XML.sub("\ufffd", str(value))


def _seconds(trial: TrialRecord) -> str:
    latency = trial.output.latency_ms if trial.output else None
    return f"{(latency or 0.0) / 1000:.3f}"


def _testcase(parent: ET.Element, trial: TrialRecord, suite_name: str) -> str:
    """Add one testcase; return its outcome: "passed", "failed" or "error"."""
    case = ET.SubElement(
        parent,
        "testcase",
        {
            "classname": xml_text(f"{suite_name}.{trial.model}.{trial.config_id}"),
            "name": xml_text(f"{trial.case_id} [{trial.prompt_id}] #{trial.repeat}"),
            "time": _seconds(trial),
        },
    )
    props = ET.SubElement(case, "properties")
    for key, value in (("trial_id", trial.id), ("model", trial.model), ("config_id", trial.config_id)):
        ET.SubElement(props, "property", {"name": key, "value": xml_text(value)})
    scores = "\n".join(describe_score(s) for s in trial.scores)
    if trial.status == "error":
        error = trial.error
        node = ET.SubElement(
            case,
            "error",
            {"message": xml_text(failure_reason(trial)), "type": xml_text(error.kind if error else "error")},
        )
        if error is not None and error.retries:
            node.text = xml_text("\n".join(f"retry: {a.error} (code {a.code})" for a in error.retries))
        outcome = "error"
    elif trial.passed is False:
        node = ET.SubElement(case, "failure", {"message": xml_text(failure_reason(trial)), "type": "ScoreFailure"})
        node.text = xml_text(scores)
        outcome = "failed"
    else:
        outcome = "passed"
    if trial.output is not None and trial.output.text is not None:
        out = ET.SubElement(case, "system-out")
        out.text = xml_text(trial.output.text)
    return outcome


def junit_tree(results: RunResults) -> ET.ElementTree[ET.Element]:
    groups: dict[tuple[str, str, str], list[TrialRecord]] = defaultdict(list)
    for trial in results.trials:
        groups[(trial.model, trial.config_id, trial.prompt_id)].append(trial)
    root = ET.Element("testsuites", {"name": xml_text(results.run.suite)})
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for (model, config_id, prompt_id), trials in groups.items():
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(row_label(model, config_id, prompt_id))})
        if results.run.started_at:
            suite.set("timestamp", xml_text(results.run.started_at))
        counts = {"passed": 0, "failed": 0, "error": 0}
        seconds = 0.0
        for trial in sorted(trials, key=lambda t: (t.case_id, t.repeat)):
            counts[_testcase(suite, trial, results.run.suite)] += 1
            seconds += float(_seconds(trial))
        suite.set("tests", str(len(trials)))
        suite.set("failures", str(counts["failed"]))
        suite.set("errors", str(counts["error"]))
        suite.set("skipped", "0")
        suite.set("time", f"{seconds:.3f}")
        totals["tests"] += len(trials)
        totals["failures"] += counts["failed"]
        totals["errors"] += counts["error"]
    for key, value in totals.items():
        root.set(key, str(value))
    return ET.ElementTree(root)


class JunitReporter(Reporter):
    name = "junit"
    description = "junit.xml: one testsuite per model/config/prompt, one testcase per trial"
    filename = "junit.xml"

    def write(self, results: RunResults, ctx: ReportContext) -> Path:
        ctx.out_dir.mkdir(parents=True, exist_ok=True)
        path = ctx.out_dir / self.filename
        tree = junit_tree(results)
        ET.indent(tree)
        tree.write(path, encoding="utf-8", xml_declaration=True)
        return path
