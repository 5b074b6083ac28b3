"""Hostile suites at evaluation time: a catastrophic regex, and schemas that try to fetch from the network or
read outside the suite's folder (in the json scorer, in the Gemini config check, and at the emulator)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from harness.errors import UserError
from harness_scorers.jsonvalid import JsonScorer
from harness_scorers.text import TextScorer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scorers"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))

from scorer_kit import make_context, run

ROOT = Path(__file__).resolve().parents[2]


def test_a_catastrophic_regex_cannot_hang_the_run(tmp_path: Path) -> None:
    """``^echo: (a+)+$`` against a 47-character answer: hours for a backtracking engine, nothing for RE2.
    A real process, because a hung regex cannot be interrupted in-process (and Ctrl-C would not work either)."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "fakes.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    suite = tmp_path / "regex.suite.yaml"
    suite.write_text(
        "name: regex\nprovider: fake\ndefaults: {timeout_s: 5}\n"
        "prompts: [{id: p, template: '" + "a" * 40 + "!'}]\n"
        "scorers: [{text: {regex: '^echo: (a+)+$'}}]\ncases: [{id: a}]\n"
    )
    env = {**os.environ, "HARNESS_LOAD_PLUGINS": "scorers", "HARNESS_STORE": str(tmp_path / "h.db")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness",
            "run",
            str(suite),
            "--plugins-dir",
            str(plugins),
            "-q",
            "--out",
            "out",
            "--format",
            "json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1, done.stderr  # the check fails (the answer ends in "!"), quickly
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?<=a)b", r"a(?!b)"])
def test_regex_features_re2_lacks_are_refused_at_validate_time(pattern: str) -> None:
    with pytest.raises(ValueError, match="RE2"):
        TextScorer.Options.model_validate({"regex": pattern})


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any attempt to open a connection or a URL is recorded and fails."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network used in a test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


@pytest.mark.parametrize(
    ("ref", "needle"),
    [
        ("http://169.254.169.254/latest/meta-data/", "network"),
        ("https://attacker.example/schema.json", "network"),
        ("file:///etc/passwd", "suite's folder"),
        ("file:///dev/zero", "suite's folder"),
        ("../outside.json", "suite's folder"),
    ],
)
async def test_schema_refs_never_leave_the_suite_folder(
    tmp_path: Path, no_network: list[Any], ref: str, needle: str
) -> None:
    suite_dir = tmp_path / "suite"
    suite_dir.mkdir()
    (tmp_path / "outside.json").write_text('{"type": "object"}')
    ctx = make_context(suite_dir, '{"a": 1}')
    with pytest.raises(UserError, match=needle):
        await run(JsonScorer, {"schema": {"properties": {"a": {"$ref": ref}}}}, ctx)
    assert no_network == []


async def test_schema_refs_inside_the_folder_resolve(tmp_path: Path, no_network: list[Any]) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "main.json").write_text('{"properties": {"n": {"$ref": "count.json"}}}')
    (tmp_path / "schemas" / "count.json").write_text('{"type": "integer", "minimum": 0}')
    scorer = {"schema_file": "schemas/main.json"}
    assert (await run(JsonScorer, scorer, make_context(tmp_path, '{"n": 3}'))).passed is True
    failed = await run(JsonScorer, scorer, make_context(tmp_path, '{"n": -1}'))
    assert failed.passed is False and "minimum" in str(failed.reason)
    assert no_network == []


def test_remote_refs_are_refused_at_validate_time(tmp_path: Path) -> None:
    from clirun import harness_cli

    suite = tmp_path / "s.suite.yaml"
    suite.write_text(
        "name: s\nprovider: fake\nprompts: [{id: p, template: hi}]\ncases:\n  - id: a\n    expect:\n"
        "      - json: {schema: {$ref: 'http://169.254.169.254/latest'}}\n"
    )
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "fakes.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    done = harness_cli("validate", str(suite), "--plugins-dir", str(plugins), env={"HARNESS_LOAD_PLUGINS": "scorers"})
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{suite}:7:" in done.stderr and "network" in done.stderr


def test_the_gemini_config_check_refuses_foreign_refs() -> None:
    from harness_gemini.config_check import check_config

    problems = check_config(
        {"response_mime_type": "application/json", "response_json_schema": {"$ref": "http://example.com/s.json"}}
    )
    assert any("outside the schema" in message for _, message in problems), problems
    examples = {
        "type": "object",
        "examples": [{"$ref": "http://example.com"}],
        "properties": {"ref": {"type": "string"}},
    }
    assert check_config({"response_mime_type": "application/json", "response_json_schema": examples}) == []


def test_the_emulator_answers_a_foreign_ref_with_400() -> None:
    from emu_support import post

    from harness_gemini.emulator import EmulatorConfig, start_background

    body = {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "generationConfig": {
            "responseMimeType": "application/json",
            "responseJsonSchema": {"type": "object", "properties": {"a": {"$ref": "file:///etc/passwd"}}},
        },
    }
    with start_background(EmulatorConfig(port=0, processing_s=0.0)) as emu:
        status, answer = post(emu, "/v1beta/models/gemini-2.5-flash:generateContent", body)
        local = {
            **body,
            "generationConfig": {
                **body["generationConfig"],
                "responseJsonSchema": {"$ref": "#/$defs/a", "$defs": {"a": {"type": "string"}}},
            },
        }
        ok, _ = post(emu, "/v1beta/models/gemini-2.5-flash:generateContent", local)
    assert status == 400, answer
    assert "INVALID_ARGUMENT" in str(answer) and "$ref" in str(answer)
    assert ok == 200
