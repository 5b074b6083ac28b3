"""The embedded store (SQLite): runs, what each run was asked to do, finished calls, trials, scores, batch
jobs, and remembered file uploads.

Every finished call is committed before anything scores it, and every trial before anyone is told of it, so an
interrupted or killed run loses nothing that finished and a resume calls only what has not (docs/engine.md).
Finished calls double as the response cache: a request seen before (same hash) can be answered from here.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Sequence
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
CREATE TABLE IF NOT EXISTS calls (
  request_hash TEXT NOT NULL, run_id TEXT NOT NULL, model TEXT NOT NULL, created REAL NOT NULL,
  output_json TEXT NOT NULL, PRIMARY KEY (request_hash, run_id)
);
CREATE INDEX IF NOT EXISTS calls_by_run ON calls (run_id);
CREATE TABLE IF NOT EXISTS run_requests (
  run_id TEXT PRIMARY KEY, suite_file TEXT NOT NULL, created REAL NOT NULL, request_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_jobs (
  run_id TEXT NOT NULL, name TEXT NOT NULL, round INTEGER NOT NULL, state TEXT NOT NULL, done INTEGER NOT NULL,
  created REAL NOT NULL, updated REAL NOT NULL, job_json TEXT NOT NULL, keys_json TEXT NOT NULL,
  PRIMARY KEY (run_id, name)
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


class StoreFull(Exception):
    """A write failed (full disk, read-only file): the run must stop cleanly, its earlier work intact."""

    def __init__(self, path: Path, error: sqlite3.Error) -> None:
        super().__init__(f"cannot write the store {path}: {error}")
        self.path = path
        self.error = error


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

    def _write(self, statements: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
        """Run ``statements`` (SQL, rows) in one transaction; a failure rolls back and raises StoreFull."""
        db = self.db
        try:
            db.execute("BEGIN")
            for sql, rows in statements:
                if rows:
                    db.executemany(sql, rows)
            db.execute("COMMIT")
        except sqlite3.Error as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreFull(self.path, error) from error
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    # runs -------------------------------------------------------------------------------------
    def start_run(self, info: RunInfo, out_dir: Path, request: tuple[str, dict[str, Any]] | None = None) -> None:
        """Record a run as running (and first mark interrupted any run whose process is gone), with the command
        that started it (``request``: the suite file and what ``harness resume`` replays) in the same
        transaction, so a run killed at its very start is never left without the request to resume it."""
        self.mark_stale_runs()
        statements: list[tuple[str, list[tuple[Any, ...]]]] = [
            (
                "INSERT OR REPLACE INTO runs (id, suite, suite_file, suite_sha256, started_at, finished_at, "
                "status, info_json, out_dir, owner) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
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
                    )
                ],
            )
        ]
        if request is not None:
            statements.append(self._request_statement(info.id, *request))
        self._write(statements)

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
        self._write(
            [
                (
                    "UPDATE runs SET finished_at=?, status=?, info_json=? WHERE id=?",
                    [(info.finished_at, info.status, info.model_dump_json(), info.id)],
                )
            ]
        )

    def run_info(self, run_id: str) -> tuple[RunInfo, str | None] | None:
        row = self.db.execute("SELECT info_json, out_dir FROM runs WHERE id=?", (run_id,)).fetchone()
        return (RunInfo.model_validate_json(row[0]), row[1]) if row else None

    def runs(self, limit: int = 20) -> list[RunInfo]:
        rows = self.db.execute("SELECT info_json FROM runs ORDER BY started_at DESC LIMIT ?", (limit,))
        return [RunInfo.model_validate_json(r[0]) for r in rows]

    # what a run was asked to do (so it can be resumed) ---------------------------------------------
    @staticmethod
    def _request_statement(run_id: str, suite_file: str, request: dict[str, Any]) -> tuple[str, list[tuple[Any, ...]]]:
        row = (run_id, suite_file, time.time(), json.dumps(request, sort_keys=True))
        return "INSERT OR REPLACE INTO run_requests VALUES (?,?,?,?)", [row]

    def request_of(self, run_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT request_json FROM run_requests WHERE run_id=?", (run_id,)).fetchone()
        return dict(json.loads(row[0])) if row else None

    def unfinished_run(self, suite_file: str) -> str | None:
        """The latest run of this suite that did not complete (interrupted, killed, stopped by a limit)."""
        row = self.db.execute(
            "SELECT r.id FROM runs r JOIN run_requests q ON q.run_id = r.id "
            "WHERE q.suite_file=? AND r.status != 'complete' ORDER BY r.started_at DESC LIMIT 1",
            (suite_file,),
        ).fetchone()
        return str(row[0]) if row else None

    # trials -----------------------------------------------------------------------------------
    _TRIAL_SQL = "INSERT OR REPLACE INTO trials VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
    _SCORE_SQL = "INSERT OR REPLACE INTO scores VALUES (?,?,?,?,?,?,?,?,?,?)"
    _CALL_SQL = "INSERT OR REPLACE INTO calls VALUES (?,?,?,?,?)"

    def save(
        self,
        run_id: str,
        trials: Sequence[tuple[int, TrialRecord]] = (),
        calls: Sequence[tuple[str, str, Output]] = (),
    ) -> None:
        """Store finished calls ``(request hash, model, output)`` and trials (with their scores) in one
        transaction."""
        now = time.time()
        trial_rows: list[tuple[Any, ...]] = []
        score_rows: list[tuple[Any, ...]] = []
        for seq, trial in trials:
            trial_rows.append(
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
                )
            )
            score_rows.extend(
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
            )
        call_rows = [(digest, run_id, model, now, output.model_dump_json()) for digest, model, output in calls]
        self._write([(self._CALL_SQL, call_rows), (self._TRIAL_SQL, trial_rows), (self._SCORE_SQL, score_rows)])

    def save_trial(self, run_id: str, seq: int, trial: TrialRecord, request_hashes: Sequence[str] = ()) -> None:
        """Store one finished trial and its answers (one per turn, keyed by ``request_hashes``) in one
        transaction: for callers outside the engine, which stores calls as they come back."""
        outputs = [t.output for t in trial.turns] if trial.turns else [trial.output]
        calls = [
            (digest, trial.model, output)
            for output, digest in zip(outputs, request_hashes, strict=False)
            if output is not None and not output.cached
        ]
        self.save(run_id, trials=[(seq, trial)], calls=calls)

    def trials(self, run_id: str) -> list[TrialRecord]:
        rows = self.db.execute("SELECT record_json FROM trials WHERE run_id=? ORDER BY seq", (run_id,))
        return [TrialRecord.model_validate_json(r[0]) for r in rows]

    # finished calls: resume and the cache ----------------------------------------------------------
    def run_calls(self, run_id: str) -> dict[str, tuple[str, Output]]:
        """Every call this run finished: request hash -> (model, output). A resume never repeats them."""
        rows = self.db.execute("SELECT request_hash, model, output_json FROM calls WHERE run_id=?", (run_id,))
        return {r[0]: (r[1], Output.model_validate_json(r[2])) for r in rows}

    def cached_output(self, request_hash: str) -> Output | None:
        row = self.db.execute(
            "SELECT output_json FROM calls WHERE request_hash=? ORDER BY created DESC LIMIT 1",
            (request_hash,),
        ).fetchone()
        if row is None:  # stores written before calls had their own table
            row = self.db.execute(
                "SELECT output_json FROM outputs WHERE request_hash=? ORDER BY created DESC LIMIT 1",
                (request_hash,),
            ).fetchone()
        return Output.model_validate_json(row[0]) if row else None

    # batch jobs -------------------------------------------------------------------------------------
    def save_batch_job(
        self, run_id: str, name: str, round_no: int, state: str, done: bool, job: dict[str, Any], keys: dict[str, str]
    ) -> None:
        now = time.time()
        self._write(
            [
                (
                    "INSERT INTO batch_jobs VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (run_id, name) DO UPDATE SET "
                    "state=excluded.state, done=excluded.done, updated=excluded.updated, job_json=excluded.job_json",
                    [(run_id, name, round_no, state, int(done), now, now, json.dumps(job), json.dumps(keys))],
                )
            ]
        )

    def batch_jobs(self, run_id: str) -> list[dict[str, Any]]:
        """The run's batch jobs, oldest first: name, round, state, done, job (the provider's handle), keys."""
        rows = self.db.execute(
            "SELECT name, round, state, done, job_json, keys_json FROM batch_jobs WHERE run_id=? ORDER BY created",
            (run_id,),
        )
        return [
            {
                "name": r[0],
                "round": r[1],
                "state": r[2],
                "done": bool(r[3]),
                "job": json.loads(r[4]),
                "keys": json.loads(r[5]),
            }
            for r in rows
        ]

    # uploaded files (harness.api.provider.FileMemory) ----------------------------------------------
    def recall_file(self, provider: str, sha256: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT info_json FROM files WHERE provider=? AND sha256=?", (provider, sha256)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def remember_file(self, provider: str, sha256: str, info: dict[str, Any]) -> None:
        self._write(
            [("INSERT OR REPLACE INTO files VALUES (?,?,?,?)", [(provider, sha256, json.dumps(info), time.time())])]
        )
