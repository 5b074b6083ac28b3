"""Suite- and server-controlled text cannot drive the terminal, the CI log or the Markdown summary: no escape
sequences or control characters, no rich markup (a config id ``[/bold]`` is text), no workflow command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from clirun import harness_cli

from harness.log.sanitise import ZERO_WIDTH_SPACE, safe_text

PLUGINS = Path(__file__).resolve().parent / "plugins"
SUITE = """\
name: "::warning title=harness::all checks green"
provider: hostile
matrix:
  configs: [{id: "[/bold]"}, {id: "[link=https://attacker.example]x[/link]"}]
prompts: [{id: "p", template: "{{ word }}"}]
scorers: [{text: {contains: "never"}}]
cases:
  - {id: "::error::x", vars: {word: answer}}
  - {id: errs, vars: {word: fail}}
"""


def _assert_inert(text: str, where: str) -> None:
    assert "\x1b" not in text and "\x9b" not in text, f"escape sequence in {where}"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", text), f"control character in {where}"
    for line in text.splitlines():
        assert not line.lstrip().startswith(("::", "##[", "##vso[")), f"workflow command in {where}: {line!r}"
    assert "Traceback" not in text and "MarkupError" not in text, where


def test_poisoned_names_answers_and_errors_stay_text(tmp_path: Path) -> None:
    suite = tmp_path / "poison.suite.yaml"
    suite.write_text(SUITE)
    out = tmp_path / "out"
    done = harness_cli(
        "run",
        str(suite),
        "--plugins-dir",
        str(PLUGINS),
        "--out",
        str(out),
        "--format",
        "json,markdown",
        env={"HARNESS_LOAD_PLUGINS": "scorers,reporters", "HARNESS_STORE": str(tmp_path / "h.db")},
    )
    assert done.returncode == 3, done.stdout + done.stderr  # errored trials: incomplete, but reported
    _assert_inert(done.stdout, "standard output")
    _assert_inert(done.stderr, "standard error")
    for summary in (out / "summary.md", out / "poison" / "summary.md"):
        _assert_inert(summary.read_text(), str(summary))
    # What was said is still shown, as text.
    assert "ALL PASSED" in done.stdout and "[/bold]" in done.stdout
    assert "all checks green" in done.stdout


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J\x1b[1;32mALL PASSED\x1b[0m", "ALL PASSED"),
        ("\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1b]0;title\x07after", "after"),
        ("a\x00b\x7fc\x9b31md", "abcd"),
        ("\u202eevil", "evil"),
        ("::warning::x", ZERO_WIDTH_SPACE + "::warning::x"),
        ("ok\n  ::add-mask::y", "ok\n  " + ZERO_WIDTH_SPACE + "::add-mask::y"),
        ("ok\r::set-output name=a::b", "ok\n" + ZERO_WIDTH_SPACE + "::set-output name=a::b"),
        ("x\u2028##vso[task.setvariable]y", "x\n" + ZERO_WIDTH_SPACE + "##vso[task.setvariable]y"),
        ("tabs\tstay; a::b mid-line stays", "tabs\tstay; a::b mid-line stays"),
    ],
)
def test_safe_text(raw: str, shown: str) -> None:
    assert safe_text(raw) == shown


def test_one_line() -> None:
    assert safe_text("a\nb\r\n::c", one_line=True) == "a b ::c"
