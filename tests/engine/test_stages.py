"""The seams between the stages: scorers off the event loop under the trial's timeout, a store that cannot be
written (the run stops cleanly and resumes), store writes batched in the event loop, identical calls made once."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from engine_kit import ROOT  # noqa: F401  (puts tests/core on the path)
from helpers import run_suite, write_suite

from harness.log import store as store_module
from harness.run.retry import RetryPolicy
from harness.run.runner import RunOptions


def _suite(prompts: list[str], extra: str = "", repeat: int = 1) -> str:
    cases = "\n".join(f"  - id: c{i}\n    vars: {{text: '{p}'}}" for i, p in enumerate(prompts))
    return (
        f'name: stages\nprovider: fake\nrepeat: {repeat}\nprompts: [{{id: p, template: "{{{{ text }}}}"}}]\n'
        f"{extra}\ncases:\n{cases}\n"
    )


def _opts(**kw: Any) -> RunOptions:
    kw.setdefault("retry", RetryPolicy(max_retries=1, base_delay_s=0.001))
    return RunOptions(**kw)


def test_a_blocking_scorer_errors_at_the_timeout_and_never_stalls_the_calls(tmp_path: Path, fake_host: Any) -> None:
    """Four trials whose scorer blocks its thread for 1.5 s, with a 0.3 s timeout: each score errors at the
    timeout while the calls of the other trials go on; run on the event loop this would take over 6 s."""
    path = write_suite(
        tmp_path, _suite([f"[sleep=0.05] q{i}" for i in range(4)], "scorers: [{blocking: {seconds: 1.5}}]")
    )
    started = time.monotonic()
    outcome = run_suite(fake_host, path, tmp_path, run=_opts(concurrency=4, timeout_s=0.3))
    assert time.monotonic() - started < 3.5
    for trial in outcome.results.trials:
        (score,) = trial.scores
        assert score.error == "no result within 0.3 s (the trial's timeout)"
        assert trial.verdict == "fail" and "scorer error" in trial.reasons[0]


def test_a_store_that_fills_up_stops_the_run_cleanly_and_the_rest_resumes(
    tmp_path: Path, fake_host: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fakes

    path = write_suite(tmp_path, _suite([f"question {i} " + "x" * 3000 for i in range(30)]))
    db = tmp_path / "store.db"
    opened = store_module.Store.__init__

    def tiny(self: store_module.Store, where: Path) -> None:
        opened(self, where)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages + 100}")  # a disk with 400 KB left

    monkeypatch.setattr(store_module.Store, "__init__", tiny)
    outcome = run_suite(fake_host, path, tmp_path, run=_opts(concurrency=2), store_path=db)
    run = outcome.results.run
    assert run.status == "stopped" and "database or disk is full" in (run.stop_reason or "")
    assert outcome.exit_code == 3
    kept = sqlite3.connect(db).execute("SELECT count(*) FROM trials").fetchone()[0]
    assert 0 < kept < 30
    assert len(outcome.results.trials) >= kept  # every stored trial is in the results

    monkeypatch.setattr(store_module.Store, "__init__", opened)  # space freed
    calls_before = len(fakes.FakeProvider.calls)
    resumed = run_suite(fake_host, path, tmp_path, run=_opts(concurrency=2), store_path=db, resume=run.id)
    assert resumed.results.run.status == "complete"
    assert sorted(t.case_id for t in resumed.results.trials) == sorted(f"c{i}" for i in range(30))
    assert all(t.status == "ok" for t in resumed.results.trials)
    # only what was not stored is called again
    stored_calls = sqlite3.connect(db).execute("SELECT count(*) FROM calls").fetchone()[0]
    assert stored_calls == 30
    assert len(fakes.FakeProvider.calls) - calls_before <= 30 - kept


def test_identical_grader_calls_are_one_call_job_and_cached(tmp_path: Path, fake_host: Any) -> None:
    """Five trials whose scorer asks the model the same question at once share one call; a re-run makes none."""
    import fakes

    path = write_suite(tmp_path, _suite([f"[sleep=0.05] q{i}" for i in range(5)], "scorers: [{asks: {}}]"))
    outcome = run_suite(fake_host, path, tmp_path, run=_opts(concurrency=5))
    assert [t.status for t in outcome.results.trials] == ["ok"] * 5
    asked = [c for c in fakes.FakeProvider.calls if "is it good?" in c.contents[-1].parts[-1].text]
    assert len(asked) == 1
    fakes.FakeProvider.reset()
    again = run_suite(fake_host, path, tmp_path, run=_opts(concurrency=5), out_dir=tmp_path / "again")
    assert fakes.FakeProvider.calls == []  # trials and grader calls all from the cache
    assert all(t.scores[0].details["cached"] for t in again.results.trials)


def test_store_writes_are_batched(tmp_path: Path, fake_host: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.run import writer

    transactions: list[int] = []
    flush = writer.StoreWriter.flush

    def counting(self: writer.StoreWriter) -> None:
        flush(self)
        transactions.append(self.transactions)

    monkeypatch.setattr(writer.StoreWriter, "flush", counting)
    path = write_suite(tmp_path, _suite([f"q{i}" for i in range(200)]))
    outcome = run_suite(fake_host, path, tmp_path, run=_opts(concurrency=50))
    assert len(outcome.results.trials) == 200
    # 200 calls and 200 trials in far fewer transactions than one per write
    assert max(transactions) < 200
