"""Spend limits while running, re-scoring without calls, judge calls cached, token counts once per contents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from clirun import harness_cli
from engine_kit import ROOT, cli_env, generate_calls, text_suite

FLASH_IN, FLASH_OUT = 0.30e-6, 2.50e-6


def _results(out: Path, suite: str = "engine") -> dict:
    return json.loads((out / suite / "results.json").read_text())


def test_the_spend_limit_stops_new_calls_and_a_resume_with_a_higher_cap_finishes(tmp_path: Path, emulator) -> None:
    emu = emulator()
    suite = text_suite(tmp_path, 30)
    # Each call is estimated at its 64 max output tokens (about $0.00016) and really costs about $0.00002,
    # so a $0.0005 cap admits calls while their real cost leaves room for one more estimate: about 20 of 30.
    args = ["--base-url", emu.base_url, "-j", "4", "--format", "json", "--out", str(tmp_path / "out")]
    done = harness_cli("run", str(suite), *args, "--max-cost", "0.0005", env=cli_env(tmp_path))
    assert done.returncode == 3, done.stderr
    assert "stopped: the spend limit $0.0005 was reached" in done.stderr
    data = _results(tmp_path / "out")
    assert data["run"]["status"] == "stopped" and "spend limit" in data["run"]["stop_reason"]
    ran = [t for t in data["trials"] if t["status"] == "ok"]
    not_run = [t for t in data["trials"] if t["error"] and t["error"]["kind"] == "not_run"]
    assert len(ran) + len(not_run) == 30 and ran and not_run
    spent = sum(
        t["output"]["usage"]["prompt_tokens"] * FLASH_IN + t["output"]["usage"]["output_tokens"] * FLASH_OUT
        for t in ran
    )
    estimate = 9 * FLASH_IN + 64 * FLASH_OUT
    assert spent <= 0.0005 and spent + estimate > 0.0005 - 4 * estimate
    assert len(generate_calls(emu)) == len(ran)

    done = harness_cli("resume", data["run"]["id"], "--max-cost", "1", env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    data = _results(tmp_path / "out")
    assert data["run"]["status"] == "complete" and [t["status"] for t in data["trials"]] == ["ok"] * 30
    assert len(generate_calls(emu)) == 30  # the finished calls were not made again


def test_the_suite_budget_is_the_default_cap(tmp_path: Path, emulator) -> None:
    emu = emulator()
    suite = text_suite(tmp_path, 10, extra="budget: {max_cost_usd: 0.0002}")
    done = harness_cli("run", str(suite), "--base-url", emu.base_url, "-j", "1", "--out", str(tmp_path / "o"),
                       "--format", "json", env=cli_env(tmp_path))  # fmt: skip
    assert done.returncode == 3
    assert 1 <= len(generate_calls(emu)) < 10


def test_max_errors_stops_a_run_whose_api_is_down(tmp_path: Path, emulator) -> None:
    emu = emulator(fail_rate_500=1.0)
    suite = text_suite(tmp_path, 20)
    done = harness_cli(
        "run", str(suite), "--base-url", emu.base_url, "-j", "1", "--retries", "1", "--retry-base-delay", "0.01",
        "--max-errors", "2", "--format", "json", "--out", str(tmp_path / "o"), env=cli_env(tmp_path),
    )  # fmt: skip
    assert done.returncode == 3
    data = _results(tmp_path / "o")
    kinds = [t["error"]["kind"] for t in data["trials"]]
    assert kinds.count("provider") == 3 and kinds.count("not_run") == 17
    assert "--max-errors 2" in data["run"]["stop_reason"]
    # Retries do not hold a call slot, so other trials' first attempts ran meanwhile; once the third trial
    # errored no attempt started (without the stop: 20 trials x 2 attempts = 40 calls).
    assert len(generate_calls(emu)) < 20


def test_rescore_uses_the_stored_answers_and_calls_nothing(tmp_path: Path, emulator) -> None:
    emu = emulator()
    suite = text_suite(tmp_path, 4, extra="scorers: [{text: {max_length: 100}}]")
    env = cli_env(tmp_path)
    done = harness_cli("run", str(suite), "--base-url", emu.base_url, "--format", "json",
                       "--out", str(tmp_path / "a"), env=env)  # fmt: skip
    assert done.returncode == 0
    run_id = _results(tmp_path / "a")["run"]["id"]
    calls = len(emu.requests)
    # a stricter threshold, and a case whose prompt changed since
    suite.write_text(
        suite.read_text().replace("max_length: 100", "max_length: 5") + "  - id: brand-new\n", encoding="utf-8"
    )
    done = harness_cli("rescore", run_id, "--out", str(tmp_path / "b"), env=env)
    assert len(emu.requests) == calls  # no call at all
    data = _results(tmp_path / "b")
    assert data["run"]["id"] != run_id
    by_case = {t["case_id"]: t for t in data["trials"]}
    assert all(by_case[f"c{i:03d}"]["verdict"] == "fail" for i in range(4))
    assert all(by_case[f"c{i:03d}"]["output"]["cached"] for i in range(4))
    assert by_case["brand-new"]["error"]["kind"] == "not_run"
    assert "rescore makes no calls" in by_case["brand-new"]["error"]["message"]
    assert done.returncode == 3  # stopped: a trial had no stored answer


def test_judge_calls_are_cached_so_an_unchanged_rerun_makes_none(tmp_path: Path, emulator) -> None:
    """The issue's measurement: describe.suite.yaml re-run made 1 call (the grader's); it must make 0."""
    emu = emulator()
    folder = tmp_path / "suites"
    shutil.copytree(ROOT / "suites" / "media", folder / "media")
    shutil.copy(ROOT / "suites" / "describe.suite.yaml", folder)
    suite = folder / "describe.suite.yaml"
    args = ["run", str(suite), "--base-url", emu.base_url, "--format", "json", "--fail-on", "none"]
    first = harness_cli(*args, "--out", str(tmp_path / "a"), env=cli_env(tmp_path))
    assert first.returncode == 0, first.stderr
    judged = [s for t in _results(tmp_path / "a", "describe")["trials"] for s in t["scores"] if s["scorer"] == "judge"]
    assert judged and judged[0]["error"] is None
    before = len(generate_calls(emu))
    second = harness_cli(*args, "--out", str(tmp_path / "b"), env=cli_env(tmp_path))
    assert second.returncode == 0
    assert len(generate_calls(emu)) == before
    judged = [s for t in _results(tmp_path / "b", "describe")["trials"] for s in t["scores"] if s["scorer"] == "judge"]
    assert judged[0]["details"]["grader_cached"] is True


def test_count_tokens_once_per_distinct_contents(tmp_path: Path, emulator) -> None:
    emu = emulator()
    suite = text_suite(tmp_path, 2, extra="repeat: 4\n")
    suite.write_text(suite.read_text().replace("  config:", "  count_tokens: true\n  config:"), encoding="utf-8")
    done = harness_cli("run", str(suite), "--base-url", emu.base_url, "--format", "json",
                       "--out", str(tmp_path / "o"), env=cli_env(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    counts = [r for r in emu.requests if r.path.endswith(":countTokens")]
    assert len(counts) == 2 and len(generate_calls(emu)) == 8
    assert all(t["output"]["counted_tokens"] for t in _results(tmp_path / "o")["trials"])


def test_media_a_run_sends_many_times_is_uploaded_once(tmp_path: Path, emulator) -> None:
    emu = emulator()
    (tmp_path / "media").mkdir()
    shutil.copy(ROOT / "suites/media/audio/sr_english.wav", tmp_path / "media" / "clip.wav")
    suite = tmp_path / "audio.suite.yaml"
    suite.write_text(
        "name: audio\ndefaults: {model: gemini-2.5-flash}\nrepeat: 6\n"
        "prompts: [{id: p, template: Transcribe the speech.}]\ncases:\n  - id: clip\n    media: [media/clip.wav]\n",
        encoding="utf-8",
    )
    base = ["run", str(suite), "--base-url", emu.base_url, "--format", "json", "--no-cache"]
    done = harness_cli(*base, "--out", str(tmp_path / "auto"), env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    starts = [r for r in emu.requests if r.path.endswith("/files") and r.method == "POST" and not r.query]
    assert len(starts) == 1
    media = [t["output"]["media"][0]["transport"] for t in _results(tmp_path / "auto", "audio")["trials"]]
    assert set(media) == {"upload"}
    done = harness_cli(*base, "--media-transport", "inline", "--out", str(tmp_path / "inline"), env=cli_env(tmp_path))
    media = [t["output"]["media"][0]["transport"] for t in _results(tmp_path / "inline", "audio")["trials"]]
    assert set(media) == {"inline"}
