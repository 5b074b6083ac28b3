"""End to end: the API key never lands in a report, the store, the cache, the emulator's log or the output."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harness_gemini.emulator import EmulatorConfig, start_background

SECRET = "AIzaSyTESTSECRET0123456789abcdefghijklmn"
MIDDLE = "TESTSECRET0123456789"
NEEDLES = (SECRET, MIDDLE, SECRET.encode().hex())

SUITE = """\
name: secrets
description: Two answered cases and one the emulator refuses with a 400.
defaults:
  model: gemini-2.5-flash
  config: {temperature: 0}
cases:
  - id: capital
    prompt: What is the capital of France?
    expect:
      - text: {min_length: 1}
  - id: greeting
    prompt: Say hello.
    expect:
      - text: {min_length: 1}
  - id: refused
    prompt: Please refuse this request.
    expect:
      - text: {min_length: 1}
"""

# The refusal echoes the key (as a misbehaving proxy might): the harness must scrub it from the error.
RESPONSES = f"""\
responses:
  - match: {{case: refused}}
    error: {{code: 400, message: "API key {SECRET} not valid (url ?key={SECRET})"}}
  - match: {{case: capital}}
    text: Paris.
"""


def _assert_clean(where: str, text: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"the API key ({needle!r}) leaked into {where}"


def _dump_sqlite(path: Path) -> str:
    """Every row of every table (and the schema) as text."""
    lines: list[str] = []
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for line in db.iterdump():
            lines.append(line)
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                lines.append(f"{table}: " + " | ".join(_cell(value) for value in row))
    assert tables, "the store has no tables"
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return raw.decode("utf-8", "replace") + " " + raw.hex()
    return str(value)


@pytest.mark.timeout(60)
def test_api_key_never_stored_reported_or_logged(tmp_path: Path) -> None:
    suite = tmp_path / "secrets.suite.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    responses = tmp_path / "responses.yaml"
    responses.write_text(RESPONSES, encoding="utf-8")
    log = tmp_path / "requests.jsonl"
    store = tmp_path / "store.db"
    out = tmp_path / "out"
    folder = out / "secrets"  # --out DIR writes DIR/<suite>/

    env = {k: v for k, v in os.environ.items() if k not in ("GOOGLE_API_KEY", "HARNESS_STORE", "HARNESS_BASE_URL")}
    env["GEMINI_API_KEY"] = SECRET
    env["HARNESS_STORE"] = str(tmp_path / "never-used.db")

    with start_background(EmulatorConfig(port=0, responses=responses, request_log=log)) as emu:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "harness",
                "run",
                str(suite),
                "--base-url",
                str(emu.base_url),
                "--store",
                str(store),
                "--out",
                str(out),
                "--format",
                "html,json,junit,markdown,csv",
                "--retries",
                "0",
                "-j",
                "3",
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=45,
        )

    # The run really went through the key path: two answers and the emulator's 400 as an error.
    assert done.returncode == 3, done.stdout + done.stderr  # an errored trial: the run is incomplete
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    statuses = {t["case_id"]: t["status"] for t in results["trials"]}
    assert statuses == {"capital": "ok", "greeting": "ok", "refused": "error"}, statuses
    refused = next(t for t in results["trials"] if t["case_id"] == "refused")
    assert refused["error"]["code"] == 400
    assert refused["error"]["message"].startswith("400 INVALID_ARGUMENT: API key *** not valid"), refused["error"]
    assert results["run"]["emulator"] is False  # --base-url with the real key, not --emulator's fake one
    logged = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["status"] for r in logged if ":generateContent" in r["path"]) == [200, 200, 400]

    # Every file the run wrote, the emulator's log, and both output streams.
    written = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in written} >= {".html", ".json", ".xml", ".md", ".csv"}, written
    for path in [*written, log]:
        raw = path.read_bytes()
        _assert_clean(str(path), raw.decode("utf-8", "replace"))
    _assert_clean("stdout", done.stdout)
    _assert_clean("stderr", done.stderr)

    # The store (with its cache of answers): the raw bytes, WAL/journal files, and every row as text.
    store_files = [p for p in tmp_path.iterdir() if p.name.startswith(store.name)]
    assert store in store_files
    for path in store_files:
        _assert_clean(str(path), path.read_bytes().decode("latin-1"))
    _assert_clean("the store's rows", _dump_sqlite(store))

    # Nothing else under tmp_path (e.g. a default .harness store or reports/ folder) holds it either;
    # only the responses file, which holds the key on purpose.
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != responses:
            _assert_clean(str(path), path.read_bytes().decode("latin-1"))
