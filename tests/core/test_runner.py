from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from clirun import harness_cli
from helpers import run_suite, write_suite

from harness.log.results import SCHEMA_VERSION, RunResults, results_json_schema

ROOT = Path(__file__).resolve().parents[2]


def suite_with(prompts: list[str], extra: str = "", repeat: int = 1) -> str:
    cases = "\n".join(f"  - id: c{i}\n    vars: {{text: '{p}'}}" for i, p in enumerate(prompts))
    return f"""
name: runner
provider: fake
prompts: [{{id: p, template: "{{{{ text }}}}"}}]
repeat: {repeat}
{extra}
cases:
{cases}
"""


def test_concurrency_is_bounded(tmp_path: Path, fake_host: Any) -> None:
    import fakes

    path = write_suite(tmp_path, suite_with([f"[sleep=0.05] {i}" for i in range(12)]))
    outcome = run_suite(fake_host, path, tmp_path, run=_opts(concurrency=3))
    assert len(outcome.results.trials) == 12
    assert fakes.FakeProvider.max_in_flight == 3


def test_parallelism_actually_happens(tmp_path: Path, fake_host: Any) -> None:
    path = write_suite(tmp_path, suite_with([f"[sleep=0.2] {i}" for i in range(8)]))
    start = time.monotonic()
    run_suite(fake_host, path, tmp_path, run=_opts(concurrency=8))
    assert time.monotonic() - start < 1.2  # 8 x 0.2 s sequentially would be 1.6 s


def _opts(**kw: Any) -> Any:
    from harness.run.retry import RetryPolicy
    from harness.run.runner import RunOptions

    kw.setdefault("retry", RetryPolicy(max_retries=3, base_delay_s=0.001))
    return RunOptions(**kw)


def test_errors_are_recorded_not_raised(tmp_path: Path, fake_host: Any) -> None:
    path = write_suite(tmp_path, suite_with(["ok", "[fail=400]", "[fail=503]", "[crash]"]))
    outcome = run_suite(fake_host, path, tmp_path, run=_opts())
    by_case = {t.case_id: t for t in outcome.results.trials}
    assert by_case["c0"].status == "ok"
    bad = by_case["c1"]
    assert bad.status == "error" and bad.error.code == 400 and bad.error.attempts == 1 and bad.passed is False
    retried = by_case["c2"]
    assert retried.error.code == 503 and retried.error.attempts == 4 and len(retried.error.retries) == 3
    assert by_case["c3"].error.kind == "internal" and "provider bug" in by_case["c3"].error.message
    assert [t.verdict for t in outcome.results.trials] == ["unscored", "error", "error", "error"]
    assert bad.reasons == ["provider error 400: boom 400"] or bad.reasons[0].startswith("provider error 400")
    assert outcome.exit_code == 3  # errored trials beyond --max-errors (0): the run is incomplete


def test_retry_then_success_keeps_attempts(tmp_path: Path, fake_host: Any) -> None:
    path = write_suite(tmp_path, suite_with(["[flaky=2] hello"]))
    outcome = run_suite(fake_host, path, tmp_path, run=_opts())
    (trial,) = outcome.results.trials
    assert trial.status == "ok"
    assert [a.code for a in trial.output.retries] == [503, 503]
    assert all(0.01 <= a.delay_s <= 0.02 for a in trial.output.retries)  # server's retry delay honoured


def test_timeout_per_trial(tmp_path: Path, fake_host: Any) -> None:
    path = write_suite(tmp_path, suite_with(["[sleep=5] slow", "fast"]))
    outcome = run_suite(fake_host, path, tmp_path, run=_opts(timeout_s=0.3))
    by_case = {t.case_id: t for t in outcome.results.trials}
    assert by_case["c0"].error.kind == "timeout"
    assert by_case["c1"].status == "ok"


def test_scorer_error_recorded_and_run_goes_on(tmp_path: Path, fake_host: Any) -> None:
    path = write_suite(tmp_path, suite_with(["one", "two"], extra="scorers:\n  - boom: {}\n  - has: echo"))
    outcome = run_suite(fake_host, path, tmp_path, run=_opts())
    for trial in outcome.results.trials:
        boom, has = trial.scores
        assert boom.error == "ValueError: scorer exploded" and boom.passed is False
        assert has.passed is True
        assert trial.passed is False


def test_threshold_and_optional_scorers(tmp_path: Path, fake_host: Any) -> None:
    extra = "scorers:\n  - has: echo\n  - has: nothere\n    required: false"
    outcome = run_suite(
        fake_host, write_suite(tmp_path / "a", suite_with(["x"], extra=extra)), tmp_path / "a", run=_opts()
    )
    assert outcome.results.trials[0].passed is True
    extra2 = "threshold: 0.75\nscorers:\n  - has: echo\n    weight: 3\n  - has: nothere"
    outcome = run_suite(
        fake_host, write_suite(tmp_path / "b", suite_with(["x"], extra=extra2)), tmp_path / "b", run=_opts()
    )
    trial = outcome.results.trials[0]
    assert trial.weighted_score == 0.75 and trial.passed is True


def test_cache_serves_second_run_and_keeps_repeats_distinct(tmp_path: Path, fake_host: Any) -> None:
    import fakes

    path = write_suite(tmp_path, suite_with(["a", "b"], repeat=2))
    first = run_suite(fake_host, path, tmp_path, run=_opts(), out_dir=tmp_path / "o1")
    assert len(fakes.FakeProvider.calls) == 4  # repeats are separate calls, not one cached answer
    second = run_suite(fake_host, path, tmp_path, run=_opts(), out_dir=tmp_path / "o2")
    assert len(fakes.FakeProvider.calls) == 4
    assert all(t.output.cached for t in second.results.trials)
    assert [t.output.text for t in first.results.trials] == [t.output.text for t in second.results.trials]
    run_suite(fake_host, path, tmp_path, run=_opts(use_cache=False), out_dir=tmp_path / "o3")
    assert len(fakes.FakeProvider.calls) == 8


def test_every_trial_stored_with_scores(tmp_path: Path, fake_host: Any) -> None:
    path = write_suite(tmp_path, suite_with(["a", "[fail=400]"], extra="scorers: [{has: echo}]"))
    outcome = run_suite(fake_host, path, tmp_path, run=_opts())
    db = sqlite3.connect(tmp_path / "store.db")
    run_id = outcome.results.run.id
    assert db.execute("SELECT count(*) FROM trials WHERE run_id=?", (run_id,)).fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM scores WHERE run_id=?", (run_id,)).fetchone()[0] == 1
    assert db.execute("SELECT status FROM runs WHERE id=?", (run_id,)).fetchone()[0] == "complete"


def test_results_json_validates_against_published_schema(tmp_path: Path, fake_host: Any) -> None:
    path = write_suite(tmp_path, suite_with(["a", "[fail=400]", "c"], extra="scorers: [{has: echo}]", repeat=2))
    outcome = run_suite(fake_host, path, tmp_path, run=_opts())
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    jsonschema.Draft202012Validator(results_json_schema()).validate(data)
    assert data["schema_version"] == SCHEMA_VERSION
    trial = data["trials"][0]
    for key in ("id", "case_id", "prompt_id", "model", "config", "repeat", "status", "output", "scores"):
        assert key in trial
    for key in ("text", "finish_reason", "latency_ms", "usage"):
        assert key in trial["output"]
    assert set(trial["output"]["usage"]) >= {
        "prompt_tokens",
        "output_tokens",
        "thoughts_tokens",
        "total_tokens",
        "prompt_by_modality",
    }
    for key in ("id", "suite", "suite_file", "suite_sha256", "started_at", "finished_at", "harness_version"):
        assert key in data["run"]
    assert RunResults.model_validate(data).summary[0].trials == 6
    assert outcome.results.summary[0].pass_rate_ci is not None


def test_ctrl_c_keeps_finished_trials(tmp_path: Path) -> None:
    """A real SIGINT to a real `harness run`: exit 130, finished trials stored and written."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "fakes.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    prompts = ["quick"] * 3 + ["[sleep=30] slow"] * 3
    path = write_suite(tmp_path / "s", suite_with(prompts))
    env = {**os.environ, "HARNESS_LOAD_PLUGINS": "", "HARNESS_STORE": str(tmp_path / "store.db")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness",
            "run",
            str(path),
            "--plugins-dir",
            str(plugins),
            "-j",
            "6",
            "--out",
            str(tmp_path / "out"),
            "--format",
            "json",
            "-q",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    db_path = tmp_path / "store.db"
    while time.monotonic() < deadline:
        if db_path.exists():
            try:
                count = sqlite3.connect(db_path).execute("SELECT count(*) FROM trials").fetchone()[0]
            except sqlite3.OperationalError:
                count = 0
            if count >= 3:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    data = json.loads((tmp_path / "out" / "t" / "results.json").read_text())
    assert data["run"]["status"] == "interrupted"
    assert sorted(t["case_id"] for t in data["trials"]) == ["c0", "c1", "c2"]
    status = sqlite3.connect(db_path).execute("SELECT status FROM runs").fetchone()[0]
    assert status == "interrupted"


@pytest.mark.parametrize(("fail_on", "expected"), [("any", 1), ("none", 0)])
def test_fail_on(tmp_path: Path, fake_host: Any, fail_on: str, expected: int) -> None:
    path = write_suite(tmp_path, suite_with(["x"], extra="scorers: [{has: nothere}]"))
    assert run_suite(fake_host, path, tmp_path, run=_opts(), fail_on=fail_on).exit_code == expected


def test_baseline_regressions(tmp_path: Path, fake_host: Any) -> None:
    before = write_suite(tmp_path / "v1", suite_with(["alpha", "beta"], extra="scorers: [{has: a}]"))
    first = run_suite(fake_host, before, tmp_path / "v1", run=_opts())
    after = write_suite(tmp_path / "v2", suite_with(["alpha", "gmm"], extra="scorers: [{has: a}]"))
    second = run_suite(
        fake_host,
        after,
        tmp_path / "v2",
        run=_opts(),
        baseline=tmp_path / "v1" / "out",
        fail_on="regressions",
    )
    comparison = second.results.baseline
    assert comparison.run_id == first.results.run.id
    assert comparison.regressions == 1
    assert {d.case_id: d.change for d in comparison.trials} == {"c0": "unchanged", "c1": "regressed"}
    assert second.exit_code == 1


def test_baseline_folder_per_suite_with_several_suites(tmp_path: Path) -> None:
    """`--out DIR` with several suites writes DIR/<suite>/; `--baseline DIR` then matches each suite."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "fakes.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    one = write_suite(tmp_path / "s", suite_with(["alpha"], extra="scorers: [{has: a}]"), name="one.suite.yaml")
    two = write_suite(
        tmp_path / "s",
        suite_with(["beta"], extra="scorers: [{has: b}]").replace("name: runner", "name: two"),
        name="two.suite.yaml",
    )
    env = {"HARNESS_LOAD_PLUGINS": "", "HARNESS_STORE": str(tmp_path / "store.db")}
    base = ["run", str(one), str(two), "--plugins-dir", str(plugins), "--format", "json", "-q"]
    first = harness_cli(*base, "--out", str(tmp_path / "main"), env=env)
    assert first.returncode == 0, first.stderr
    second = harness_cli(
        *base, "--out", str(tmp_path / "pr"), "--baseline", str(tmp_path / "main"), "--fail-on", "regressions", env=env
    )
    assert second.returncode == 0, second.stderr
    for name in ("one", "two"):
        data = json.loads((tmp_path / "pr" / name / "results.json").read_text())
        assert data["baseline"]["trials"][0]["change"] == "unchanged"


def test_scorers_see_the_whole_conversation(tmp_path: Path, fake_host: Any) -> None:
    import fakes

    from harness.api.scoring import Score, ScoreContext, Scorer

    seen: list[tuple[int | None, int]] = []

    class Counting(Scorer):
        name = "counting"

        async def score(self, ctx: ScoreContext) -> Score:
            seen.append((ctx.turn, len(ctx.outputs)))
            assert ctx.outputs[-1] is ctx.output
            return Score(value=None, passed=True)

    fake_host.scorers.add(Counting, "test")
    suite = """
name: chat
provider: fake
scorers: [{counting: {}}]
cases:
  - turns:
      - prompt: one
        expect: [{counting: {}}]
      - prompt: two
      - prompt: three
"""
    run_suite(fake_host, write_suite(tmp_path, suite), tmp_path, run=_opts())
    assert sorted(seen, key=str) == sorted([(0, 1), (None, 3)], key=str)
    assert len(fakes.FakeProvider.calls) == 3


def test_metric_direction_comes_from_the_scorer(tmp_path: Path, fake_host: Any) -> None:
    """A lower-is-better metric that rises is 'worse'; the direction is the scorer's, not a name guess."""
    import fakes

    fakes.LengthScorer.higher_is_better = False
    try:
        extra = "scorers: [{length: {max: 1000}, metric: accuracy_like_name}]"
        run_suite(fake_host, write_suite(tmp_path / "a", suite_with(["hi"], extra=extra)), tmp_path / "a", run=_opts())
        second = run_suite(
            fake_host,
            write_suite(tmp_path / "b", suite_with(["hello there"], extra=extra)),
            tmp_path / "b",
            run=_opts(),
            baseline=tmp_path / "a" / "out",
        )
    finally:
        fakes.LengthScorer.higher_is_better = True
    (metric,) = second.results.summary[0].metrics
    assert metric.higher_is_better is False
    (delta,) = second.results.baseline.metrics
    assert delta.delta > 0 and delta.verdict == "worse"


def test_min_pass_rate_decides_the_exit_code(tmp_path: Path, fake_host: Any) -> None:
    """Two cases x 4 repeats; one case fails every repeat. The gate follows min_pass_rate."""
    extra = "scorers: [{has: alpha}]"
    path = write_suite(tmp_path / "s", suite_with(["alpha", "beta"], extra=extra, repeat=4))
    strict = run_suite(fake_host, path, tmp_path / "1", run=_opts())
    assert strict.exit_code == 1
    assert {(v.case_id, v.pass_rate, v.ok) for v in strict.results.cases} == {("c0", 1.0, True), ("c1", 0.0, False)}
    lenient = run_suite(fake_host, path, tmp_path / "2", run=_opts(), overrides=["min_pass_rate=0"])
    assert lenient.exit_code == 0 and all(t.min_pass_rate == 0 for t in lenient.results.trials)
    case_level = run_suite(
        fake_host,
        write_suite(tmp_path / "c", suite_with(["alpha"], extra=extra, repeat=2)),
        tmp_path / "3",
        run=_opts(),
        overrides=["cases.0.min_pass_rate=0.5"],
    )
    assert case_level.results.cases[0].min_pass_rate == 0.5 and case_level.exit_code == 0


def test_baseline_says_what_changed_and_keeps_the_old_answer(tmp_path: Path, fake_host: Any) -> None:
    extra = "scorers: [{has: alpha}]"
    first = write_suite(tmp_path / "v1", suite_with(["alpha", "beta"], extra=extra))
    run_suite(fake_host, first, tmp_path / "v1", run=_opts())
    # c0's prompt is edited (and now fails); c1 is untouched.
    second = write_suite(tmp_path / "v2", suite_with(["gamma", "beta"], extra=extra))
    outcome = run_suite(fake_host, second, tmp_path / "v2", run=_opts(), baseline=tmp_path / "v1" / "out")
    deltas = {d.case_id: d for d in outcome.results.baseline.trials}
    assert deltas["c0"].change == "regressed"
    assert deltas["c0"].changed == ["prompt", "vars", "answer"]  # the prompt changed because its variable did
    cases = {c.case_id: c for c in outcome.results.baseline.cases}
    assert cases["c0"].change == "regressed" and cases["c0"].changed == ["prompt", "vars", "answer"]
    assert cases["c0"].before_prompt is not None and "alpha" in cases["c0"].before_prompt
    assert deltas["c0"].before_answer == "echo: alpha"
    assert deltas["c1"].changed == [] and deltas["c1"].before_answer is None


def test_results_json_is_written_once(tmp_path: Path, fake_host: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.log.results import RunResults
    from harness.run.outputs import write_reports

    writes: list[Path] = []
    original = RunResults.write

    def counting(self: RunResults, path: Path) -> Path:
        writes.append(path)
        return original(self, path)

    from harness.api.host import load_plugins

    outcome = run_suite(fake_host, write_suite(tmp_path, suite_with(["a"])), tmp_path, run=_opts())
    monkeypatch.setenv("HARNESS_LOAD_PLUGINS", "reporters")
    with_reporters = load_plugins()
    assert "json" not in with_reporters.reporters  # results.json is the core's run log, not a plugin's...
    monkeypatch.setattr(RunResults, "write", counting)
    write_reports(outcome.results, tmp_path / "again", ["json", "markdown"], with_reporters, None)
    assert writes == [tmp_path / "again" / "results.json"]  # ...and "json" asks for it once


def test_logs_get_plain_progress_lines(tmp_path: Path) -> None:
    """Not a terminal (CI): one progress line per tenth of the run, on stderr; -q prints none."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "fakes.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    path = write_suite(tmp_path / "s", suite_with([f"t{i}" for i in range(20)]))
    env = {"HARNESS_LOAD_PLUGINS": "", "HARNESS_STORE": str(tmp_path / "store.db")}
    base = ["run", str(path), "--plugins-dir", str(plugins), "--format", "json"]
    done = harness_cli(*base, "--out", str(tmp_path / "a"), env=env)
    lines = [line for line in done.stderr.splitlines() if line.startswith("runner: ")]
    assert len(lines) == 10, done.stderr
    assert lines[0].startswith("runner: 2/20 trials (10%), 2 ok, 0 failed, 0 errors")
    assert lines[-1].startswith("runner: 20/20 trials (100%)")
    quiet = harness_cli(*base, "--out", str(tmp_path / "b"), "-q", env=env)
    assert "trials (" not in quiet.stderr


def test_cache_key_follows_video_metadata() -> None:
    """A different clip or frame rate of the same file is a different request, never a cached answer."""
    from harness.api import MediaRef, Message, Part, ProviderRequest, VideoMetadata
    from harness.run.runner import request_hash

    def key(meta: VideoMetadata | None) -> str:
        media = MediaRef(source="v.mp4", path=Path("/x/v.mp4"), sha256="ab" * 32, video_metadata=meta)
        request = ProviderRequest(model="m", contents=[Message(role="user", parts=[Part(media=media), Part(text="t")])])
        return request_hash(request, "gemini", "default", 0)

    keys = {
        key(None),
        key(VideoMetadata(end_offset_s=4)),
        key(VideoMetadata(end_offset_s=5)),
        key(VideoMetadata(fps=2)),
    }
    assert len(keys) == 4
    assert key(None) == key(None)


def test_git_revision_of_a_tree_and_none_outside_one_without_running_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.run import session

    tree = tmp_path / "repo"
    (tree / "suites").mkdir(parents=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    for args in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "one"]):
        subprocess.run(["git", *args], cwd=tree, env=env, check=True)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True).stdout
    assert session.git_revision(tree / "suites") == head.strip()
    (tree / "suites" / "new.suite.yaml").write_text("name: x\n")
    assert session.git_revision(tree / "suites") == head.strip() + "-dirty"

    outside = tmp_path / "plain"
    outside.mkdir()
    if any((parent / ".git").exists() for parent in outside.resolve().parents):
        pytest.skip("the temporary folder is inside a git tree")
    monkeypatch.delenv("GIT_DIR", raising=False)

    def no_git(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("git was run for a folder outside any repository")

    monkeypatch.setattr(session.subprocess, "run", no_git)
    assert session.git_revision(outside) is None
