"""The embedded store (SQLite): runs, trials, outputs, scores, and remembered file uploads.

Each trial is committed as it finishes, so an interrupted or crashed run loses nothing that finished.
Outputs double as the response cache: a request seen before (same hash) can be answered from here.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

from harness.log.records import Output
from harness.log.results import RunInfo, TrialRecord

SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, suite TEXT NOT NULL, suite_file TEXT NOT NULL, suite_sha256 TEXT NOT NULL,
  started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, info_json TEXT NOT NULL,
  out_dir TEXT, owner TEXT
);
CREATE TABLE IF NOT EXISTS trials (
  run_id TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, case_id TEXT NOT NULL,
  prompt_id TEXT NOT NULL, model TEXT NOT NULL, config_id TEXT NOT NULL, repeat INTEGER NOT NULL,
  status TEXT NOT NULL, passed INTEGER, finished_at TEXT, record_json TEXT NOT NULL,
  PRIMARY KEY (run_id, id)
);
CREATE TABLE IF NOT EXISTS outputs (
  run_id TEXT NOT NULL, trial_id TEXT NOT NULL, turn INTEGER NOT NULL, request_hash TEXT NOT NULL,
  created REAL NOT NULL, output_json TEXT NOT NULL, PRIMARY KEY (run_id, trial_id, turn)
);
CREATE INDEX IF NOT EXISTS outputs_by_hash ON outputs (request_hash, created);
CREATE TABLE IF NOT EXISTS scores (
  run_id TEXT NOT NULL, trial_id TEXT NOT NULL, idx INTEGER NOT NULL, scorer TEXT NOT NULL,
  metric TEXT NOT NULL, value REAL, passed INTEGER, turn INTEGER, error TEXT, details_json TEXT NOT NULL,
  PRIMARY KEY (run_id, trial_id, idx)
);
CREATE TABLE IF NOT EXISTS files (
  provider TEXT NOT NULL, sha256 TEXT NOT NULL, info_json TEXT NOT NULL, updated REAL NOT NULL,
  PRIMARY KEY (provider, sha256)
);
"""


#: Where runs are stored unless ``--store`` or ``$HARNESS_STORE`` says otherwise.
DEFAULT_STORE = Path(".harness") / "harness.db"


def default_store_path() -> Path:
    return Path(os.environ.get("HARNESS_STORE", str(DEFAULT_STORE)))


def _bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _started(pid: int) -> str:
    """When process ``pid`` started (Linux: clock ticks since boot), so a reused pid is not taken for it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def run_owner() -> str:
    """Who is running a run: host, process id and the process's start time."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid())}"


def owner_gone(owner: str | None) -> bool:
    """True when the process that started a run on this host no longer runs it (crashed, killed). A run
    started on another host, or a process that may still be it, is never taken for gone."""
    if not owner:
        return True  # recorded before owners were: no process of this version can still be running it
    host, _, rest = owner.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return bool(started) and _started(int(pid_text)) not in ("", started)


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(runs)")}
        if "owner" not in columns:  # a store written before runs had owners
            self.db.execute("ALTER TABLE runs ADD COLUMN owner TEXT")

    def close(self) -> None:
        self.db.close()

    # runs -------------------------------------------------------------------------------------
    def start_run(self, info: RunInfo, out_dir: Path) -> None:
        """Record a run as running (and first mark interrupted any run whose process is gone)."""
        self.mark_stale_runs()
        self.db.execute(
            "INSERT OR REPLACE INTO runs (id, suite, suite_file, suite_sha256, started_at, finished_at, status, "
            "info_json, out_dir, owner) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                info.id,
                info.suite,
                info.suite_file,
                info.suite_sha256,
                info.started_at,
                None,
                info.status,
                info.model_dump_json(),
                str(out_dir),
                run_owner(),
            ),
        )

    def mark_stale_runs(self) -> list[str]:
        """Runs still marked ``running`` whose process is gone (a crash, kill -9, a full disk): marked
        ``interrupted``, so their finished trials can be reported and the run resumed. Their ids."""
        stale = []
        for run_id, info_json, owner in self.db.execute(
            "SELECT id, info_json, owner FROM runs WHERE status='running'"
        ).fetchall():
            if owner_gone(owner):
                info = RunInfo.model_validate_json(info_json)
                info.status = "interrupted"
                self.db.execute(
                    "UPDATE runs SET status='interrupted', info_json=? WHERE id=? AND status='running'",
                    (info.model_dump_json(), run_id),
                )
                stale.append(run_id)
        return stale

    def finish_run(self, info: RunInfo) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, status=?, info_json=? WHERE id=?",
            (info.finished_at, info.status, info.model_dump_json(), info.id),
        )

    def run_info(self, run_id: str) -> tuple[RunInfo, str | None] | None:
        row = self.db.execute("SELECT info_json, out_dir FROM runs WHERE id=?", (run_id,)).fetchone()
        return (RunInfo.model_validate_json(row[0]), row[1]) if row else None

    def runs(self, limit: int = 20) -> list[RunInfo]:
        rows = self.db.execute("SELECT info_json FROM runs ORDER BY started_at DESC LIMIT ?", (limit,))
        return [RunInfo.model_validate_json(r[0]) for r in rows]

    # trials -----------------------------------------------------------------------------------
    def save_trial(self, run_id: str, seq: int, trial: TrialRecord, request_hashes: list[str]) -> None:
        """Store one finished trial with its outputs and scores, in one transaction."""
        db = self.db
        db.execute("BEGIN")
        try:
            db.execute(
                "INSERT OR REPLACE INTO trials VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    run_id,
                    trial.id,
                    seq,
                    trial.case_id,
                    trial.prompt_id,
                    trial.model,
                    trial.config_id,
                    trial.repeat,
                    trial.status,
                    _bool(trial.passed),
                    trial.finished_at,
                    trial.model_dump_json(),
                ),
            )
            outputs = [t.output for t in trial.turns] if trial.turns else [trial.output]
            now = time.time()
            for turn, (output, digest) in enumerate(zip(outputs, request_hashes, strict=False)):
                if output is not None and not output.cached:
                    db.execute(
                        "INSERT OR REPLACE INTO outputs VALUES (?,?,?,?,?,?)",
                        (run_id, trial.id, turn, digest, now, output.model_dump_json()),
                    )
            db.executemany(
                "INSERT OR REPLACE INTO scores VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        run_id,
                        trial.id,
                        i,
                        s.scorer,
                        s.metric,
                        s.value,
                        _bool(s.passed),
                        s.turn,
                        s.error,
                        json.dumps(s.details, default=str),
                    )
                    for i, s in enumerate(trial.scores)
                ],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def trials(self, run_id: str) -> list[TrialRecord]:
        rows = self.db.execute("SELECT record_json FROM trials WHERE run_id=? ORDER BY seq", (run_id,))
        return [TrialRecord.model_validate_json(r[0]) for r in rows]

    # cache ------------------------------------------------------------------------------------
    def cached_output(self, request_hash: str) -> Output | None:
        row = self.db.execute(
            "SELECT output_json FROM outputs WHERE request_hash=? ORDER BY created DESC LIMIT 1",
            (request_hash,),
        ).fetchone()
        return Output.model_validate_json(row[0]) if row else None

    # uploaded files (harness.api.provider.FileMemory) ----------------------------------------------
    def recall_file(self, provider: str, sha256: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT info_json FROM files WHERE provider=? AND sha256=?", (provider, sha256)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def remember_file(self, provider: str, sha256: str, info: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?,?,?,?)", (provider, sha256, json.dumps(info), time.time())
        )
