"""`harness watch` re-runs on real file edits, and the emulator's request log shows that only the trials whose
request changed were called (the cache answers the rest); the diff names what changed."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

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


def _wait_for_run(db: Path, runs: int, watcher: threading.Thread, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while _runs(db) < runs:
        assert watcher.is_alive() and time.monotonic() < deadline, f"the watcher did not finish run {runs}"
        time.sleep(0.02)


def _edit_until_run(path: Path, text: str, db: Path, runs: int, watcher: threading.Thread) -> None:
    """Save ``text`` into ``path`` once, right after the previous run (the watcher may not be listening yet: a save
    made while it finishes a run is seen all the same), and wait for run number ``runs``."""
    path.write_text(text, encoding="utf-8")
    _wait_for_run(db, runs, watcher)


def _start_watch(
    tmp_path: Path, suite: Path, responses: Path, max_runs: int
) -> tuple[threading.Thread, list[Done], Path]:
    """``harness watch`` of ``suite`` on the emulator in a thread: the thread, where its result goes, its store."""
    db = tmp_path / "h.db"
    done: list[Done] = []
    args = ("watch", str(suite), "--emulator", "--emulator-responses", str(responses), "--store", str(db))
    args += ("--out", str(tmp_path / "out"), "-f", "json", "--max-runs", str(max_runs))
    watcher = threading.Thread(target=lambda: done.append(harness_cli(*args, cwd=tmp_path)), daemon=True)
    watcher.start()
    return watcher, done, db


def test_watch_re_runs_only_the_trials_whose_request_changed(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    template = tmp_path / "prompts" / "ask.j2"
    template.write_text("Answer briefly: {{ question }}", encoding="utf-8")
    suite = tmp_path / "watched.suite.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    log = tmp_path / "requests.jsonl"
    responses = tmp_path / "responses.yaml"
    responses.write_text(RESPONSES.format(log=log), encoding="utf-8")
    watcher, done, db = _start_watch(tmp_path, suite, responses, max_runs=3)
    _wait_for_run(db, 1, watcher)
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


def test_a_save_made_while_a_run_is_in_progress_starts_the_next_run(tmp_path: Path) -> None:
    """The watcher only listens between runs; an author who saves while a run is going must not have to save
    again (before, the save was lost and the watcher waited for the next one)."""
    suite = tmp_path / "watched.suite.yaml"
    suite.write_text(SUITE.replace("file: prompts/ask.j2", "template: 'Answer briefly: {{ question }}'"), "utf-8")
    log = tmp_path / "requests.jsonl"
    responses = tmp_path / "responses.yaml"
    responses.write_text(RESPONSES.format(log=log).replace("emulator:", "emulator:\n  latency_ms: 400"), "utf-8")
    watcher, done, db = _start_watch(tmp_path, suite, responses, max_runs=2)
    deadline = time.monotonic() + 60
    while not _calls(log) and not log.exists():  # the first run has sent its requests and waits for answers
        assert watcher.is_alive() and time.monotonic() < deadline, done
        time.sleep(0.01)
    assert _runs(db) == 0
    suite.write_text(suite.read_text("utf-8").replace("capital of Spain", "capital of Portugal"), "utf-8")
    _wait_for_run(db, 2, watcher, seconds=20)  # no second save
    watcher.join(timeout=30)
    (result,) = done
    assert "(saved: watched.suite.yaml)" in result.stdout, result.stdout
    assert sorted(c["case"] for c in _calls(log)[6:]) == ["spain", "spain"]


def test_a_save_made_while_the_watch_is_being_set_up_is_not_lost(tmp_path: Path, monkeypatch: Any) -> None:
    """The save lands after the watcher compared the files but before its watch listens, so no event ever tells it
    (before, it then waited for the next save: the whole-suite run under load once hit this)."""
    import watchfiles

    from harness.cli import watch

    suite = tmp_path / "s.suite.yaml"
    suite.write_text("name: s\n", encoding="utf-8")
    seen = {suite: watch._signature(suite)}
    real = watchfiles.watch

    def late_watch(*args: Any, **kwargs: Any) -> Any:
        suite.write_text("name: s2\n", encoding="utf-8")  # in the window: checked already, not yet watched
        return real(*args, **kwargs)

    monkeypatch.setattr(watchfiles, "watch", late_watch)
    found: list[list[Path]] = []
    waiter = threading.Thread(target=lambda: found.append(watch._wait({suite}, seen)), daemon=True)
    waiter.start()
    waiter.join(timeout=10)
    assert found == [[suite]]
