"""Batch mode end to end: `harness run --batch` with the real google-genai SDK against the emulator's Batch API."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clirun import harness_cli
from engine_kit import ROOT, cli_env, text_suite

pytestmark = pytest.mark.slow


def _results(out: Path, suite: str = "engine") -> dict:
    return json.loads((out / suite / "results.json").read_text())


def _batch_posts(emu) -> list:
    return [r for r in emu.requests if r.path.endswith(":batchGenerateContent")]


def test_batch_run_answers_every_trial_at_half_price(tmp_path: Path, emulator) -> None:
    emu = emulator(batch_delay_s=0.1)
    suite = text_suite(tmp_path, 6, extra="scorers: [{tokens: {}}]")
    done = harness_cli(
        "run", str(suite), "--base-url", emu.base_url, "--batch", "--poll-interval", "0.05",
        "--out", str(tmp_path / "out"), "--format", "json", env=cli_env(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    data = _results(tmp_path / "out")
    assert data["run"]["mode"] == "batch"
    trials = data["trials"]
    assert [t["status"] for t in trials] == ["ok"] * 6
    assert all(t["output"]["batch"] for t in trials)
    # one job for the whole round, and not a single online call
    assert len(_batch_posts(emu)) == 1
    assert not [r for r in emu.requests if r.path.endswith(":generateContent")]
    # the answer is joined back to its own trial by key
    for trial in trials:
        assert trial["case_id"] in trial["output"]["text"]
    cost = trials[0]["scores"][0]["details"]
    assert cost["batch"] is True
    usage = trials[0]["output"]["usage"]
    full = (usage["prompt_tokens"] * 0.30 + usage["output_tokens"] * 2.50) / 1e6
    assert abs(cost["cost_usd"] - full / 2) < 1e-12
    assert "batch batches/" in done.stderr  # the progress line names the job and its state


def test_chat_advances_one_batch_round_per_turn(tmp_path: Path, emulator) -> None:
    emu = emulator(batch_delay_s=0.05)
    suite = tmp_path / "chat.suite.yaml"
    suite.write_text(
        "name: chat\ndefaults: {model: gemini-2.5-flash}\ncases:\n"
        "  - id: talk\n    turns:\n      - prompt: first question\n      - prompt: second question\n"
        "      - prompt: third question\n",
        encoding="utf-8",
    )
    done = harness_cli(
        "run", str(suite), "--base-url", emu.base_url, "--batch", "--poll-interval", "0.05",
        "--out", str(tmp_path / "out"), "--format", "json", env=cli_env(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (trial,) = _results(tmp_path / "out", "chat")["trials"]
    assert [t["output"]["text"] is not None for t in trial["turns"]] == [True, True, True]
    assert len(_batch_posts(emu)) == 3  # one round per turn: turn 2 needs turn 1's answer


def test_a_failed_job_and_failed_lines_become_errored_trials(tmp_path: Path, emulator) -> None:
    responses = tmp_path / "responses.yaml"
    responses.write_text(
        "responses:\n  - match: {case: c001}\n    error: {code: 400, message: 'line rejected by the drill'}\n",
        encoding="utf-8",
    )
    emu = emulator(batch_delay_s=0.05, responses=responses)
    suite = text_suite(tmp_path, 3)
    args = ["--base-url", emu.base_url, "--batch", "--poll-interval", "0.05", "--format", "json"]
    done = harness_cli("run", str(suite), *args, "--out", str(tmp_path / "a"), env=cli_env(tmp_path))
    trials = {t["case_id"]: t for t in _results(tmp_path / "a")["trials"]}
    assert trials["c000"]["status"] == "ok" and trials["c002"]["status"] == "ok"
    assert trials["c001"]["status"] == "error"
    assert trials["c001"]["error"]["message"] == "line rejected by the drill"
    assert trials["c001"]["error"]["code"] == 400
    assert done.returncode == 3  # errored trials beyond --max-errors 0

    failing = emulator(batch_delay_s=0.05, batch_fail_rate=1.0)
    args[1] = failing.base_url
    done = harness_cli("run", str(suite), *args, "--no-cache", "--out", str(tmp_path / "b"), env=cli_env(tmp_path))
    trials = _results(tmp_path / "b")["trials"]
    assert [t["status"] for t in trials] == ["error"] * 3
    assert all("batch job batches/" in t["error"]["message"] for t in trials)
    assert "JOB_STATE_FAILED" in trials[0]["error"]["status"]
    assert done.returncode == 3


def test_large_batches_go_as_a_jsonl_file_with_media_uploaded_once(tmp_path: Path, emulator) -> None:
    emu = emulator(batch_delay_s=0.05)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "jfk.flac").write_bytes((ROOT / "suites/media/audio/jfk.flac").read_bytes())
    suite = tmp_path / "audio.suite.yaml"
    suite.write_text(
        "name: audio\ndefaults: {model: gemini-2.5-flash}\nrepeat: 3\n"
        "provider_options: {inline_limit_mb: 1}\n"
        "prompts: [{id: p, template: Transcribe the speech.}]\n"
        "cases:\n  - id: jfk\n    media: [media/jfk.flac]\n",
        encoding="utf-8",
    )
    done = harness_cli(
        "run", str(suite), "--base-url", emu.base_url, "--batch", "--poll-interval", "0.05",
        "--out", str(tmp_path / "out"), "--format", "json", env=cli_env(tmp_path),
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    trials = _results(tmp_path / "out", "audio")["trials"]
    assert [t["status"] for t in trials] == ["ok"] * 3
    uploads = [r for r in emu.requests if r.path.endswith("/files") and r.method == "POST" and not r.query]
    assert len(uploads) == 2  # the clip once, then the JSONL input file
    (post,) = _batch_posts(emu)
    assert "fileName" in json.dumps(post.body)
    assert "jfk" in (trials[0]["output"]["text"] or "").lower() or trials[0]["output"]["text"]


def _start_batch_run(tmp_path: Path, suite: Path, base_url: str) -> subprocess.Popen[str]:
    """A real `harness run --batch` process (so it can be killed or interrupted while its job runs)."""
    env = {**os.environ, **cli_env(tmp_path)}
    env.pop("HARNESS_LOAD_PLUGINS", None)
    return subprocess.Popen(
        [sys.executable, "-m", "harness", "run", str(suite), "--base-url", base_url, "--batch",
         "--poll-interval", "0.1", "--out", str(tmp_path / "out"), "--format", "json", "-q"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_restart_while_the_job_runs_polls_the_same_job(tmp_path: Path, emulator) -> None:
    """kill -9 of a real `harness run --batch` while its job runs; `harness resume` finds the job, submits nothing."""
    emu = emulator(batch_delay_s=1.0)  # ten times what the kill takes once the job is recorded
    suite = text_suite(tmp_path, 5)
    proc = _start_batch_run(tmp_path, suite, emu.base_url)
    run_id = _wait_for_job(tmp_path / "store.db")
    proc.kill()
    proc.wait(10)
    assert len(_batch_posts(emu)) == 1
    done = harness_cli("resume", run_id, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr + done.stdout
    data = _results(tmp_path / "out")
    assert data["run"]["id"] == run_id and data["run"]["status"] == "complete" and data["run"]["resumed"] == 1
    assert [t["status"] for t in data["trials"]] == ["ok"] * 5
    assert len(_batch_posts(emu)) == 1  # polled again, never resubmitted


def test_ctrl_c_while_polling_keeps_the_job_for_a_resume(tmp_path: Path, emulator) -> None:
    emu = emulator(batch_delay_s=1.0)
    suite = text_suite(tmp_path, 3)
    proc = _start_batch_run(tmp_path, suite, emu.base_url)
    run_id = _wait_for_job(tmp_path / "store.db")
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and f"harness resume {run_id}" in stderr
    done = harness_cli("resume", run_id, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert [t["status"] for t in _results(tmp_path / "out")["trials"]] == ["ok"] * 3
    assert len(_batch_posts(emu)) == 1


def _wait_for_job(store: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if store.exists():
            try:
                row = sqlite3.connect(store).execute("SELECT run_id FROM batch_jobs").fetchone()
            except sqlite3.OperationalError:
                row = None
            if row:
                return str(row[0])
        time.sleep(0.05)
    raise AssertionError("no batch job was recorded")


def test_cancel_stops_a_running_job(tmp_path: Path, emulator) -> None:
    emu = emulator(batch_delay_s=30.0)
    suite = text_suite(tmp_path, 2)
    proc = _start_batch_run(tmp_path, suite, emu.base_url)
    run_id = _wait_for_job(tmp_path / "store.db")
    done = harness_cli("cancel", run_id, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "JOB_STATE_CANCELLED" in done.stdout
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 3, stderr  # every trial errored: the job was cancelled
    data = _results(tmp_path / "out")
    assert all("cancelled" in t["error"]["message"] for t in data["trials"])
