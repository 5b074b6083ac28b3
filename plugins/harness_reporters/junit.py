"""The ``junit`` format: JUnit XML for CI test tabs.

One ``<testsuite>`` per model x config x prompt, one ``<testcase>`` per case there, judged like the exit code:
by the case verdict over its repeats (min_pass_rate). A failing case carries a ``<failure>`` whose message is
the core's explanation and whose body lists each repeat's reasons and scores; an errored case an ``<error>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from harness.api import CaseVerdict, ReportContext, Reporter, RunResults, TrialRecord, atomic_file
from harness_reporters.verdicts import describe_score, failure_reason, row_label

# Characters XML 1.0 cannot carry at all (ElementTree would write them and produce a broken file).
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    return _INVALID_XML.sub("\ufffd", str(value))


def _seconds(trials: list[TrialRecord]) -> float:
    return sum((t.output.latency_ms or 0.0) / 1000 for t in trials if t.output is not None)


def _body(trials: list[TrialRecord]) -> str:
    lines = []
    for trial in trials:
        tag = f"r{trial.repeat}: " if len(trials) > 1 else ""
        reason = failure_reason(trial)
        lines.append(
            f"{tag}{trial.verdict or ('error' if trial.status == 'error' else 'ok')}"
            + (f": {reason}" if reason else "")
        )
        lines += [f"  {describe_score(s)}" for s in trial.scores]
    return "\n".join(lines)


def _testcase(parent: ET.Element, case: CaseVerdict, trials: list[TrialRecord], suite_name: str) -> str:
    """Add one testcase for a case verdict; return its outcome: "passed", "failed" or "error"."""
    node = ET.SubElement(
        parent,
        "testcase",
        {
            "classname": xml_text(f"{suite_name}.{case.model}.{case.config_id}"),
            "name": xml_text(f"{case.case_id} [{case.prompt_id}]"),
            "time": f"{_seconds(trials):.3f}",
        },
    )
    props = ET.SubElement(node, "properties")
    for key, value in (("case_key", case.id), ("model", case.model), ("config_id", case.config_id)):
        ET.SubElement(props, "property", {"name": key, "value": xml_text(value)})
    if case.verdict in ("fail", "error"):
        kind = "failure" if case.verdict == "fail" else "error"
        child = ET.SubElement(node, kind, {"message": xml_text(case.explanation), "type": "CaseVerdict"})
        child.text = xml_text(_body(trials))
        outcome = "failed" if kind == "failure" else "error"
    else:
        outcome = "passed"
    answers = [t.output.text for t in trials if t.output is not None and t.output.text is not None]
    if answers:
        out = ET.SubElement(node, "system-out")
        out.text = xml_text("\n\n".join(answers))
    return outcome


def junit_tree(results: RunResults) -> ET.ElementTree[ET.Element]:
    by_case: dict[tuple[str, str, str, str], list[TrialRecord]] = defaultdict(list)
    for trial in results.trials:
        by_case[(trial.case_id, trial.prompt_id, trial.model, trial.config_id)].append(trial)
    groups: dict[tuple[str, str, str], list[CaseVerdict]] = defaultdict(list)
    for case in results.cases:
        groups[(case.model, case.config_id, case.prompt_id)].append(case)
    root = ET.Element("testsuites", {"name": xml_text(results.run.suite)})
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for (model, config_id, prompt_id), cases in groups.items():
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(row_label(model, config_id, prompt_id))})
        if results.run.started_at:
            suite.set("timestamp", xml_text(results.run.started_at))
        counts = {"passed": 0, "failed": 0, "error": 0}
        seconds = 0.0
        for case in cases:
            trials = sorted(by_case[(case.case_id, case.prompt_id, case.model, case.config_id)], key=lambda t: t.repeat)
            counts[_testcase(suite, case, trials, results.run.suite)] += 1
            seconds += _seconds(trials)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(counts["failed"]))
        suite.set("errors", str(counts["error"]))
        suite.set("skipped", "0")
        suite.set("time", f"{seconds:.3f}")
        totals["tests"] += len(cases)
        totals["failures"] += counts["failed"]
        totals["errors"] += counts["error"]
    for key, value in totals.items():
        root.set(key, str(value))
    return ET.ElementTree(root)


class JunitReporter(Reporter):
    name = "junit"
    description = "junit.xml: one testsuite per model/config/prompt, one testcase per case (over its repeats)"
    filename = "junit.xml"

    def write(self, results: RunResults, ctx: ReportContext) -> Path:
        ctx.out_dir.mkdir(parents=True, exist_ok=True)
        path = ctx.out_dir / self.filename
        tree = junit_tree(results)
        ET.indent(tree)
        with atomic_file(path, "wb") as handle:
            tree.write(handle, encoding="utf-8", xml_declaration=True)
        return path
