"""docs/ci.md's plain-shell recipe, run as written on two commits of a suite (on the local emulator)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import harness_cli

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ci.md"

SUITE = """\
name: greetings
defaults: {model: gemini-2.5-flash}
prompts:
  - id: ask
    template: "{{ question }}"
scorers:
  - text: {icontains: "{{ expected }}"}
cases:
  - id: capital
    vars: {question: "What is the capital of France?", expected: paris}
  - id: colour
    vars: {question: "What colour is the sky?", expected: blue}
"""

RESPONSES = """\
responses:
  - match: {prompt: "capital of France"}
    text: "Paris is the capital of France."
  - match: {prompt: "colour is the sky"}
    text: "The sky is blue on a clear day."
"""


def _steps() -> dict[str, str]:
    blocks = re.findall(r"```sh\n# ci: ([\w-]+)\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return {name: body for name, body in blocks}


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def _sh(repo: Path, script: str, summary: Path) -> subprocess.CompletedProcess[str]:
    """One documented step, with the harness pointed at the local emulator (no key in tests)."""
    emulator = f"harness run --emulator --emulator-responses {repo / 'responses.yaml'} -q"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GEMINI", "GOOGLE", "HARNESS_"))},
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "HARNESS_STORE": str(repo.parent / "store.db"),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    return subprocess.run(
        ["bash", "-c", script.replace("harness run", emulator)],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.slow
def test_the_documented_shell_recipe_gates_a_pull_request(tmp_path: Path) -> None:
    steps = _steps()
    assert set(steps) == {"main", "pull-request"}
    repo = tmp_path / "repo"
    (repo / "suites").mkdir(parents=True)
    (repo / "suites" / "greetings.suite.yaml").write_text(SUITE)
    (repo / "responses.yaml").write_text(RESPONSES)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "first")

    main = _sh(repo, steps["main"], tmp_path / "main-summary.md")
    assert main.returncode == 0, main.stderr
    assert (repo / "reports" / "main" / "baseline.json").is_file()

    same = _sh(repo, steps["pull-request"], tmp_path / "same-summary.md")  # a pull request that changes nothing
    assert same.returncode == 0, same.stdout + same.stderr
    assert "| greetings | passed | 2 | 2 | 0 | 0 | 0 |" in (tmp_path / "same-summary.md").read_text()

    # The second commit rewords a prompt so one answer no longer says what the case expects.
    (repo / "suites" / "greetings.suite.yaml").write_text(SUITE.replace("expected: blue", "expected: green"))
    _git(repo, "commit", "-qam", "second")
    worse = _sh(repo, steps["pull-request"], tmp_path / "worse-summary.md")
    assert worse.returncode == 1, worse.stdout + worse.stderr
    summary = (tmp_path / "worse-summary.md").read_text()
    assert "| greetings | FAILED | 2 | 1 | 1 | 0 | 1 |" in summary
    assert "**regressed** **colour**" in summary and 'icontains: expected green, got "The sky is blue' in summary
    assert "changed: vars" in summary  # the edited expectation, named as the cause
    assert (repo / "reports" / "pr" / "greetings" / "junit.xml").is_file()

    env = {"HARNESS_STORE": str(tmp_path / "s.db")}
    compare = harness_cli("compare", "reports/main", "reports/pr", cwd=repo, env=env)
    assert compare.returncode == 1 and "1 regressed" in compare.stdout, compare.stdout + compare.stderr
    again = harness_cli("compare", "reports/main", "reports/main", cwd=repo, env=env)
    assert again.returncode == 0 and "0 regressed" in again.stdout, again.stdout + again.stderr
