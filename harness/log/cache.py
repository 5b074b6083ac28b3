"""The store's caches: the response cache (stored answers keyed by request hash) and the model lists providers
served, with what ``harness cache stats|prune|clear`` reports and does.

Answers stored with a run double as the response cache; clearing or pruning them keeps every run's trials
(their records carry their own copy of each answer), so reports, ``harness show`` and ``harness view`` still
work; only re-runs call the model again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from harness.log.store import Store

MODEL_LISTS = """
CREATE TABLE IF NOT EXISTS model_lists (
  provider TEXT NOT NULL, endpoint TEXT NOT NULL, fetched REAL NOT NULL, names_json TEXT NOT NULL,
  PRIMARY KEY (provider, endpoint)
);
"""
#: How long a provider's model list is trusted.
MODEL_LIST_TTL_S = 24 * 3600.0


def _ensure(store: Store) -> None:
    store.db.executescript(MODEL_LISTS)


def cached_models(store: Store, provider: str, endpoint: str, max_age_s: float = MODEL_LIST_TTL_S) -> list[str] | None:
    _ensure(store)
    row = store.db.execute(
        "SELECT fetched, names_json FROM model_lists WHERE provider=? AND endpoint=?", (provider, endpoint)
    ).fetchone()
    if row is None or time.time() - row[0] > max_age_s:
        return None
    names: list[str] = json.loads(row[1])
    return names


def remember_models(store: Store, provider: str, endpoint: str, names: list[str]) -> None:
    _ensure(store)
    store.db.execute(
        "INSERT OR REPLACE INTO model_lists VALUES (?,?,?,?)", (provider, endpoint, time.time(), json.dumps(names))
    )


@dataclass
class CacheStats:
    path: Path
    file_bytes: int
    runs: int
    trials: int
    answers: int
    answer_bytes: int
    oldest: float | None
    newest: float | None
    model_lists: int


def stats(store: Store) -> CacheStats:
    _ensure(store)
    db = store.db
    answers, answer_bytes, oldest, newest = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(LENGTH(output_json)), 0), MIN(created), MAX(created) FROM "
        "(SELECT output_json, created FROM calls UNION ALL SELECT output_json, created FROM outputs)"
    ).fetchone()
    size = sum(p.stat().st_size for p in store.path.parent.glob(store.path.name + "*") if p.is_file())
    return CacheStats(
        path=store.path,
        file_bytes=size,
        runs=db.execute("SELECT COUNT(*) FROM runs").fetchone()[0],
        trials=db.execute("SELECT COUNT(*) FROM trials").fetchone()[0],
        answers=answers,
        answer_bytes=answer_bytes,
        oldest=oldest,
        newest=newest,
        model_lists=db.execute("SELECT COUNT(*) FROM model_lists").fetchone()[0],
    )


#: Answers of runs that have not finished stay: ``harness resume`` relies on them never being called again.
_FINISHED = "run_id NOT IN (SELECT id FROM runs WHERE status != 'complete')"


def prune(store: Store, older_than_s: float) -> int:
    """Drop cached answers stored more than ``older_than_s`` seconds ago (not those of unfinished runs, which a
    resume needs); returns how many went."""
    cutoff = time.time() - older_than_s
    gone = store.db.execute(f"DELETE FROM calls WHERE created < ? AND {_FINISHED}", (cutoff,)).rowcount
    gone += store.db.execute("DELETE FROM outputs WHERE created < ?", (cutoff,)).rowcount
    _compact(store)
    return int(gone)


def clear(store: Store) -> int:
    """Drop every cached answer (but those of unfinished runs) and model list; returns how many answers went."""
    _ensure(store)
    gone = store.db.execute(f"DELETE FROM calls WHERE {_FINISHED}").rowcount
    gone += store.db.execute("DELETE FROM outputs").rowcount
    store.db.execute("DELETE FROM model_lists")
    _compact(store)
    return int(gone)


def _compact(store: Store) -> None:
    """Give the freed pages back to the file system (the file shrinks)."""
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.execute("VACUUM")


def parse_age(text: str) -> float:
    """``30d``, ``12h``, ``45m``, ``90s`` or ``2w`` -> seconds; ValueError otherwise."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    value = text.strip().lower()
    if len(value) < 2 or value[-1] not in units:
        raise ValueError(f"'{text}' is not an age")
    number = float(value[:-1])
    if number < 0:
        raise ValueError(f"'{text}' is negative")
    return number * units[value[-1]]
