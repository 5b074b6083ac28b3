"""One verdict everywhere: `harness run`, `--fail-on regressions`, `harness compare`, pytest, JUnit and Markdown
agree on a sampled case (3 repeats, min_pass_rate 0.6), on the emulator with a responses file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from clirun import harness_cli

pytest_plugins = ["pytester"]

SUITE = """\
name: sampled
defaults: {model: gemini-2.5-flash, config: {temperature: 0.7}}
repeat: 3
min_pass_rate: 0.6
prompts: [{id: ask, template: "Name a primary colour."}]
scorers: [{text: {icontains: red}}]
cases: [{id: colour}]
"""


def _responses(folder: Path, failing_repeats: list[int]) -> Path:
    path = folder / f"responses-{len(failing_repeats)}.yaml"
    path.write_text(
        "responses:\n"
        f"  - match: {{case: colour, repeat: {failing_repeats}}}\n    text: Green.\n"
        "  - match: {case: colour}\n    text: Red.\n"
    )
    return path


def _six_answers(tmp: Path, pytester: pytest.Pytester, baseline: Path, failing: list[int]) -> dict[str, object]:
    suite = tmp / "sampled.suite.yaml"
    responses = _responses(tmp, failing)
    out = tmp / f"run-{len(failing)}"
    env = {"HARNESS_STORE": str(tmp / "store.db")}
    emulator = ["--emulator", "--emulator-responses", str(responses)]
    formats = ["--format", "junit,markdown,baseline"]
    plain = harness_cli("run", str(suite), *emulator, "--out", str(out), *formats, "-q", env=env)
    gated = harness_cli(
        "run",
        str(suite),
        *emulator,
        "--out",
        str(tmp / f"gated-{len(failing)}"),
        "-q",
        "--baseline",
        str(baseline),
        "--fail-on",
        "regressions",
        env=env,
    )
    compared = harness_cli("compare", str(baseline), str(out), env=env)
    plugin = (
        []
        if any(ep.value == "harness.pytest_plugin" for ep in entry_points(group="pytest11"))
        else ["-p", "harness.pytest_plugin"]
    )
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    tested = pytester.runpytest(
        *plugin,
        "--harness",
        "--harness-emulator",
        "--harness-responses",
        str(responses),
        str(suite),
        "-p",
        "no:cacheprovider",
    )
    junit = ET.parse(out / "sampled" / "junit.xml").getroot()
    summary = (out / "summary.md").read_text()
    explanation = json.loads((out / "sampled" / "results.json").read_text())["cases"][0]["explanation"]
    failure = junit.find(".//failure")
    return {
        "run": plain.returncode,
        "fail-on regressions": gated.returncode,
        "compare": compared.returncode,
        "pytest": tested.parseoutcomes().get("failed", 0) > 0,
        "junit": int(junit.get("failures", "0")) > 0,
        "markdown": "| sampled | FAILED |" in summary,
        "_texts": plain.stdout + gated.stdout + compared.stdout + summary,
        "_explanation": explanation,
        "_everywhere": [plain.stdout, gated.stdout, compared.stdout, summary, tested.stdout.str()]
        + ([failure.get("message", "")] if failure is not None else []),
    }


def test_every_consumer_gives_the_same_verdict(
    tmp_path: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_STORE", str(tmp_path / "store.db"))
    (tmp_path / "sampled.suite.yaml").write_text(SUITE)
    # The baseline: every repeat passes.
    base = harness_cli(
        "run",
        str(tmp_path / "sampled.suite.yaml"),
        "--emulator",
        "--emulator-responses",
        str(_responses(tmp_path, [])),
        "--out",
        str(tmp_path / "base"),
        "--format",
        "baseline",
        "-q",
        env={"HARNESS_STORE": str(tmp_path / "store.db")},
    )
    assert base.returncode == 0, base.stderr
    baseline = tmp_path / "base" / "baseline.json"

    # One repeat of three fails: 2/3 >= 0.6, so the case passes everywhere.
    one = _six_answers(tmp_path, pytester, baseline, [2])
    texts = one.pop("_texts")
    one.pop("_explanation"), one.pop("_everywhere")
    assert one == {"run": 0, "fail-on regressions": 0, "compare": 0, "pytest": False, "junit": False, "markdown": False}
    assert "0 regressed" in str(texts) and "1 repeats flipped inside cases that kept their verdict" in str(texts)

    # Two of three fail: 1/3 < 0.6, so the case fails - and regressed - everywhere, with the same reason.
    two = _six_answers(tmp_path, pytester, baseline, [1, 2])
    two.pop("_texts")
    explanation, everywhere = str(two.pop("_explanation")), two.pop("_everywhere")
    assert two == {"run": 1, "fail-on regressions": 1, "compare": 1, "pytest": True, "junit": True, "markdown": True}
    assert explanation == "1 of 3 passed (min 60%): icontains: expected red, got Green. (r1, r2)"
    assert isinstance(everywhere, list) and len(everywhere) == 6
    for text in everywhere:  # the terminal (twice), compare, Markdown, pytest and JUnit print the same sentence
        assert explanation in text, text
