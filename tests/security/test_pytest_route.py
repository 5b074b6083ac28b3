"""``pytest --harness suites/`` must not run a pull request's code: a conftest.py, a test module or a pytest
configuration inside the suites' folder is refused before pytest imports anything from it (a real pytest
process: conftest files are imported while pytest starts, which an in-process run cannot show)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test is a real pytest process

SUITE = "name: s\nprovider: fake\nprompts: [{id: p, template: hi}]\ncases: [{id: a}]\n"
#: What a hostile pull request adds: code that reads the CI's key and leaves it where the attacker can see it.
STEAL = "import os, pathlib\npathlib.Path({leak!r}).write_text(os.environ.get('GEMINI_API_KEY', 'none'))\n"


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GEMINI_API_KEY": "secret-key-123", "HARNESS_LOAD_PLUGINS": ""}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--harness", "-p", "no:cacheprovider", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("conftest.py", STEAL),
        ("test_evil.py", STEAL),
        ("pytest.ini", "[pytest]\naddopts = -p no:warnings\n"),
        ("nested/conftest.py", STEAL),
    ],
)
def test_code_from_the_suites_tree_is_refused(tmp_path: Path, name: str, content: str) -> None:
    suites = tmp_path / "suites"
    (suites / "nested").mkdir(parents=True)
    (suites / "s.suite.yaml").write_text(SUITE)
    leak = tmp_path / "leaked.txt"
    (suites / name).write_text(content.format(leak=str(leak)))
    done = _pytest(tmp_path, "suites")
    assert done.returncode == 4, done.stdout + done.stderr  # pytest's usage error
    assert "refusing to collect suites" in done.stderr
    assert str(suites / name) in done.stderr
    assert not leak.exists(), "the pull request's code ran and read the key"
    assert "Traceback" not in done.stderr


def test_a_trusted_tree_is_run_as_asked(tmp_path: Path) -> None:
    """The opt-in works (and shows the attack is real without the refusal): the conftest runs."""
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "s.suite.yaml").write_text(SUITE)
    leak = tmp_path / "leaked.txt"
    (suites / "conftest.py").write_text(STEAL.format(leak=str(leak)))
    _pytest(tmp_path, "suites", "--harness-trust-tree", "--collect-only")
    assert leak.read_text() == "secret-key-123"


def test_suites_alone_are_collected(tmp_path: Path) -> None:
    """A folder of suites, with the project's pytest configuration outside it, is collected as before."""
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "s.suite.yaml").write_text(SUITE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text("")  # the project's own, outside the suites' folder
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "fakes.py").write_text((Path(__file__).resolve().parents[1] / "fakes.py").read_text())
    done = _pytest(tmp_path, "suites", "--harness-plugins-dir", "plugins", "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "s.suite.yaml::a" in done.stdout
