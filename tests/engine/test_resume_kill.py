"""Resume after `kill -9` of a real `harness run` at three moments: before any answer, mid-run, and while the
reports are written. The emulator's request log is the evidence: no call whose answer was stored is made again,
and every call that was not is made exactly once by the resume."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from clirun import harness_cli
from engine_kit import cli_env, text_suite

pytestmark = pytest.mark.slow  # real processes killed and resumed

CASES = 12
SLOW_REPORTER = """
import pathlib, time
from harness.api import Reporter, hookimpl

class Slow(Reporter):
    name = "slow"
    filename = "slow.txt"

    def write(self, results, ctx):
        marker = ctx.out_dir / "writing-started"
        if not marker.exists():  # the first time only: the resumed run writes its reports at once
            marker.write_text("x")
            time.sleep(60)
        (ctx.out_dir / self.filename).write_text("done")
        return ctx.out_dir / self.filename

@hookimpl
def register_reporters(register):
    register(Slow)
"""


def _stored_cases(store: Path) -> set[str]:
    """Cases whose call the killed run had stored (the answer echoes the prompt, which names the case)."""
    rows = sqlite3.connect(store).execute("SELECT output_json FROM calls").fetchall()
    found = set()
    for (text,) in rows:
        match = re.search(r"c\d{3}", json.loads(text)["text"] or "")
        assert match, text
        found.add(match.group(0))
    return found


def _count(store: Path, sql: str) -> int:
    if not store.exists():
        return 0
    try:
        return int(sqlite3.connect(store).execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize("moment", ["before any answer", "mid-run", "during report writing"])
def test_resume_after_kill_9_repeats_no_finished_call(tmp_path: Path, emulator, moment: str) -> None:
    # Before any answer: a whole second for the kill to land first, even on a busy machine (a starved test
    # process once saw answers stored within the 0.3 s the other moments use); the resume is answered at 0.3 s.
    latency_s = 1.0 if moment == "before any answer" else 0.3
    emu = emulator(latency_ms=latency_s * 1000)
    suite = text_suite(tmp_path / "suite", CASES)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "slow.py").write_text(SLOW_REPORTER)
    out = tmp_path / "out"
    env = {**os.environ, **cli_env(tmp_path)}
    env.pop("HARNESS_LOAD_PLUGINS", None)
    formats = "json,slow" if moment == "during report writing" else "json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness", "run", str(suite), "--base-url", emu.base_url, "-j", "3",
         "--plugins-dir", str(plugins), "--out", str(out), "--format", formats, "-q"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    store = tmp_path / "store.db"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if moment == "before any answer" and _count(store, "SELECT count(*) FROM runs"):
            break
        if moment == "mid-run" and _count(store, "SELECT count(*) FROM calls") >= CASES // 2:
            break
        if moment == "during report writing" and (out / "engine" / "writing-started").exists():
            break
        time.sleep(0.01)
    else:
        pytest.fail(f"never reached {moment}: {proc.communicate(timeout=5)}")
    proc.kill()  # SIGKILL: no handler, no cleanup
    proc.wait(10)
    time.sleep(2 * latency_s)  # calls the killed process left in flight finish at the emulator (answers lost)
    emu.config.latency_ms = 300
    killed_calls = len(emu.requests)
    stored = _stored_cases(store)
    if moment == "before any answer":
        assert stored == set()
    elif moment == "mid-run":
        assert CASES // 2 <= len(stored) < CASES
    else:
        assert len(stored) == CASES
    run_id = sqlite3.connect(store).execute("SELECT id FROM runs").fetchone()[0]

    done = harness_cli("resume", run_id, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr + done.stdout

    again = Counter(r.case for r in emu.requests[killed_calls:] if r.path.endswith(":generateContent"))
    assert set(again) & stored == set(), "a finished call was made again"
    assert set(again) | stored == {f"c{i:03d}" for i in range(CASES)}
    assert set(again.values()) <= {1}, "the resume made a call twice"
    data = json.loads((out / "engine" / "results.json").read_text())
    assert data["run"]["id"] == run_id and data["run"]["status"] == "complete"
    assert sorted(t["case_id"] for t in data["trials"]) == [f"c{i:03d}" for i in range(CASES)]
    assert all(t["status"] == "ok" for t in data["trials"])
    if moment == "during report writing":
        assert (out / "engine" / "slow.txt").read_text() == "done"
