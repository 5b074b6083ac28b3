"""`harness watch` re-runs on real file edits, and the emulator's request log shows that only the trials whose
request changed were called (the cache answers the rest); the diff names what changed."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from clirun import Done, harness_cli

SUITE = """\
name: watched
defaults: {model: gemini-2.5-flash}
prompts:
  - id: ask
    file: prompts/ask.j2
  - id: short
    template: "In one word: {{ question }}"
scorers:
  - text: {icontains: "{{ answer }}"}
cases:
  - id: france
    vars: {question: "What is the capital of France?", answer: paris}
  - id: spain
    vars: {question: "What is the capital of Spain?", answer: madrid}
  - id: italy
    vars: {question: "What is the capital of Italy?", answer: rome}
"""
RESPONSES = """\
emulator:
  request_log: {log}
responses:
  - match: {{prompt: "France"}}
    text: "Paris is the capital of France."
  - match: {{prompt: "Spain"}}
    text: "Madrid is the capital of Spain."
  - match: {{prompt: "Italy"}}
    text: "Rome is the capital of Italy."
  - match: {{prompt: "Portugal"}}
    text: "Lisbon is the capital of Portugal."
"""


def _calls(log: Path) -> list[dict]:
    if not log.exists():
        return []
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [line for line in lines if line.get("path", "").endswith(":generateContent")]


def _runs(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("SELECT COUNT(*) FROM runs WHERE status='complete'").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def _edit_until_run(path: Path, text: str, db: Path, runs: int, watcher: threading.Thread) -> None:
    """Save ``text`` into ``path`` until the watcher has finished run number ``runs`` (a save made before the
    watcher was listening is made again; it changes nothing else, the cache answers repeats)."""
    deadline = time.monotonic() + 60
    while _runs(db) < runs:
        assert watcher.is_alive() and time.monotonic() < deadline, "the watcher did not re-run"
        path.write_text(text, encoding="utf-8")
        for _ in range(30):
            if _runs(db) >= runs:
                return
            time.sleep(0.1)


def test_watch_re_runs_only_the_trials_whose_request_changed(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    template = tmp_path / "prompts" / "ask.j2"
    template.write_text("Answer briefly: {{ question }}", encoding="utf-8")
    suite = tmp_path / "watched.suite.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    log = tmp_path / "requests.jsonl"
    responses = tmp_path / "responses.yaml"
    responses.write_text(RESPONSES.format(log=log), encoding="utf-8")
    db = tmp_path / "h.db"
    done: list[Done] = []
    args = ("watch", str(suite), "--emulator", "--emulator-responses", str(responses), "--store", str(db))
    args += ("--out", str(tmp_path / "out"), "-f", "json", "--max-runs", "3")
    watcher = threading.Thread(target=lambda: done.append(harness_cli(*args, cwd=tmp_path)), daemon=True)
    watcher.start()
    deadline = time.monotonic() + 60
    while _runs(db) < 1:
        assert watcher.is_alive() and time.monotonic() < deadline, done
        time.sleep(0.05)
    first = _calls(log)
    assert len(first) == 6  # 3 cases x 2 prompts, all called

    # 1. One case's question changes (Spain -> Portugal): its two trials are called again, nothing else.
    _edit_until_run(suite, SUITE.replace("capital of Spain", "capital of Portugal"), db, 2, watcher)
    second = _calls(log)[len(first) :]
    assert sorted(c["case"] for c in second) == ["spain", "spain"], second

    # 2. The template file of one prompt changes: that prompt's trial of every case is called again.
    _edit_until_run(template, "Answer in a sentence: {{ question }}", db, 3, watcher)
    watcher.join(timeout=60)
    third = _calls(log)[len(first) + len(second) :]
    assert sorted(c["case"] for c in third) == ["france", "italy", "spain"], third
    assert not watcher.is_alive()

    (result,) = done
    text = result.stdout
    assert result.returncode == 1, text + result.stderr  # spain now fails (answer madrid, got Lisbon)
    assert "6 trials: 6 called, 0 from the cache" in text
    assert "6 trials: 2 called, 4 from the cache" in text
    assert "6 trials: 3 called, 3 from the cache" in text
    assert "NEWLY FAILING spain [gemini-2.5-flash · default · ask]" in text
    assert "icontains: expected madrid" in text
    assert "[-Madrid-]{+Lisbon+}" in text  # the changed answer, word by word
    assert "saved: watched.suite.yaml" in text and "saved: ask.j2" in text
    assert "inputs changed in 3 trials (prompt in 3)" in text  # the template edit: answers and verdicts kept
