"""The pytest plugin: ``pytest --harness`` collects ``*.suite.yaml`` files, one test per trial."""

from __future__ import annotations

import sqlite3
from importlib.metadata import entry_points
from pathlib import Path

import pytest

# Imported here, not first inside pytester's in-process runs, which drop modules imported during a run.
import harness.run.session  # noqa: F401

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent

SUITE = """\
name: outcomes
provider: fake
matrix: {models: [m1, m2]}
prompts: [{id: p, template: "{{ text }}"}]
cases:
  - id: good
    vars: {text: hello}
    expect: [{has: hello}]
  - id: bad
    vars: {text: hello}
    expect: [{has: nothere}]
  - id: err
    vars: {text: "[fail=400]"}
  - id: unscored
    vars: {text: plain}
  - id: exploded
    vars: {text: hi}
    expect: [{boom: {}}]
"""


def _plugin_args() -> list[str]:
    """``-p`` only while the pytest11 entry point is not installed (pytest refuses a plugin twice). These
    projects keep their pytest configuration beside the suites, so they say the tree is trusted."""
    installed = any(ep.value == "harness.pytest_plugin" for ep in entry_points(group="pytest11"))
    return ["--harness-trust-tree"] + ([] if installed else ["-p", "harness.pytest_plugin"])


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A folder with the fake provider as a loose plugin, an isolated store, and only that plugin loaded."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    plugins = pytester.mkdir("plugins")
    (plugins / "fakes.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    monkeypatch.setenv("HARNESS_LOAD_PLUGINS", "")
    monkeypatch.setenv("HARNESS_STORE", str(pytester.path / "store.db"))
    monkeypatch.delenv("HARNESS_BASE_URL", raising=False)
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*_plugin_args(), "--harness-plugins-dir", "plugins", "-p", "no:cacheprovider", *args)


def store_counts(pytester: pytest.Pytester) -> tuple[int, int]:
    db = sqlite3.connect(pytester.path / "store.db")
    try:
        return db.execute("SELECT count(*) FROM runs").fetchone()[0], db.execute(
            "SELECT count(*) FROM trials"
        ).fetchone()[0]
    finally:
        db.close()


def test_nothing_is_collected_without_the_flag(project: pytest.Pytester) -> None:
    (project.path / "a.suite.yaml").write_text(SUITE)
    result = run(project)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert not (project.path / "store.db").exists()


def test_only_suite_files_are_collected(project: pytest.Pytester) -> None:
    (project.path / "a.suite.yaml").write_text(SUITE)
    (project.path / "fixture.yaml").write_text("not: [a, suite")  # a project's own (broken) YAML
    result = run(project, "--harness", "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["a.suite.yaml::good[[]p-m1-default[]]", "*10 tests collected*"])
    assert "fixture.yaml" not in result.stdout.str()
    assert not (project.path / "store.db").exists()  # collection never calls a model


def test_outcomes_and_messages(project: pytest.Pytester) -> None:
    (project.path / "a.suite.yaml").write_text(SUITE)
    result = run(project, "--harness", "-v")
    result.assert_outcomes(passed=4, failed=6)
    result.stdout.fnmatch_lines(
        [
            "*a.suite.yaml::good[[]p-m1-default[]] PASSED*",
            "*a.suite.yaml::bad[[]p-m1-default[]] FAILED*",
            "*a.suite.yaml::unscored[[]p-m2-default[]] PASSED*",
        ]
    )
    out = result.stdout.str()
    # The case's explanation, then a small table: repeat, score, threshold, got, reason (the core's sentence).
    assert 'bad [p m1 default] (a.suite.yaml:9): failed: 0 of 1 passed: has: expected nothere, got "echo: hello"' in out
    assert "  repeat  score  threshold         got            reason" in out
    assert '  r0      has    expected nothere  "echo: hello"  has: expected nothere, got "echo: hello"' in out
    assert "  answer: echo: hello" in out
    assert "err [p m2 default] (a.suite.yaml:12): errored: 1 of 1 errored: provider error 400: fake failure 400" in out
    assert "boom: scorer error: ValueError: scorer exploded" in out
    assert "Traceback" not in out and "def runtest" not in out


def test_report_location_points_at_the_case(project: pytest.Pytester) -> None:
    (project.path / "a.suite.yaml").write_text(SUITE)
    reprec = project.inline_run(*_plugin_args(), "--harness-plugins-dir", "plugins", "--harness", "-k", "bad")
    reports = [r for r in reprec.getreports("pytest_runtest_logreport") if r.when == "call"]
    assert [r.location for r in reports] == [
        ("a.suite.yaml", 8, "case bad[p-m1-default]"),
        ("a.suite.yaml", 8, "case bad[p-m2-default]"),
    ]
    assert reports[0].user_properties[0][0] == "case_key" and ("verdict", "fail") in reports[0].user_properties


def test_broken_suite_is_a_collection_error_without_traceback(project: pytest.Pytester) -> None:
    (project.path / "ok.suite.yaml").write_text(SUITE)
    (project.path / "broken.suite.yaml").write_text(
        "name: b\nprovider: fake\nprompts: [{id: p, template: hi}]\ncases:\n  - id: x\n    expect: [{nosuch: 1}]\n"
    )
    result = run(project, "--harness")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["*ERROR collecting broken.suite.yaml*", "broken.suite.yaml:6: error: unknown scorer 'nosuch'"]
    )
    out = result.stdout.str()
    assert "Traceback" not in out and "UserError" not in out and "harness/" not in out
    assert not (project.path / "store.db").exists()


def test_broken_plugins_dir_is_a_collection_error(project: pytest.Pytester) -> None:
    (project.path / "a.suite.yaml").write_text(SUITE)
    result = project.runpytest(*_plugin_args(), "--harness", "--harness-plugins-dir", "missing")
    result.stdout.fnmatch_lines(["error: plugins folder not found: missing"])
    assert "Traceback" not in result.stdout.str()


def test_each_suite_runs_once(project: pytest.Pytester) -> None:
    (project.path / "a.suite.yaml").write_text(SUITE)
    (project.path / "sub").mkdir()
    (project.path / "sub" / "b.suite.yaml").write_text(SUITE.replace("outcomes", "other"))
    result = run(project, "--harness", "--harness-concurrency", "2", f"--basetemp={project.path / 'bt'}")
    result.assert_outcomes(passed=8, failed=12)
    assert store_counts(project) == (2, 20)  # one run per file, every trial once
    written = sorted(p.relative_to(project.path / "bt") for p in (project.path / "bt").glob("harness-*/*"))
    # by default only results.json, under pytest's basetemp
    assert [str(p) for p in written if not p.parent.name.endswith("current")] == [
        "harness-a0/results.json",
        "harness-sub-b0/results.json",
    ]


def test_deselected_cases_are_not_run(project: pytest.Pytester) -> None:
    (project.path / "a.suite.yaml").write_text(SUITE)
    result = run(project, "--harness", "-k", "good or unscored")
    result.assert_outcomes(passed=4)
    assert store_counts(project) == (1, 4)


def test_reports_folder(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_LOAD_PLUGINS", "reporters")
    (project.path / "a.suite.yaml").write_text(SUITE)
    (project.path / "sub").mkdir()
    (project.path / "sub" / "a.suite.yaml").write_text(SUITE.replace("outcomes", "other"))
    result = run(project, "--harness", "--harness-out", "out", "-k", "good")
    result.assert_outcomes(passed=4)
    for folder in (project.path / "out" / "a", project.path / "out" / "sub" / "a"):
        written = sorted(p.name for p in folder.iterdir())
        assert "results.json" in written and any(name.endswith(".html") for name in written)


@pytest.mark.slow
def test_gemini_provider_on_the_emulator(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    monkeypatch.delenv("HARNESS_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("HARNESS_BASE_URL", raising=False)
    monkeypatch.setenv("HARNESS_STORE", str(pytester.path / "store.db"))
    result = pytester.runpytest(
        *_plugin_args(),
        "--harness",
        "--harness-emulator",
        "--harness-responses",
        str(ROOT / "suites" / "emulator-responses.yaml"),
        str(ROOT / "suites" / "chat.suite.yaml"),
        "-v",
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*chat.suite.yaml::two-dogs[[]chat-gemini-2.5-flash-default[]] PASSED*"])
