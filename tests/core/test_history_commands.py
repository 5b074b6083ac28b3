"""`harness runs`, `harness show` and `harness cache`, over a store a real run wrote."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from clirun import harness_cli

SUITE = """\
name: hist
prompts:
  - id: p
    template: "Say {{ word }}"
scorers:
  - text: {icontains: "{{ word }}"}
cases:
  - id: hello
    tags: [greeting]
    vars: {word: hello}
  - id: bye
    vars: {word: goodbye}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hist")
    (folder / "hist.suite.yaml").write_text(SUITE, encoding="utf-8")
    (folder / "responses.yaml").write_text(
        'responses:\n  - match: {case: hello}\n    text: "hello there"\n  - match: {case: bye}\n    text: "see you"\n',
        encoding="utf-8",
    )
    db = folder / "h.db"
    for _ in range(2):
        done = harness_cli(
            "run",
            "hist.suite.yaml",
            "--emulator",
            "--emulator-responses",
            "responses.yaml",
            "--store",
            str(db),
            "-q",
            cwd=folder,
        )
        assert done.returncode == 1, done.stdout + done.stderr  # bye fails: "see you" has no "goodbye"
    return db


def test_runs_lists_pass_rate_trials_cost_and_command(store: Path) -> None:
    done = harness_cli("runs", "--store", str(store), "--json")
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 2
    first = rows[0]
    assert (first["pass_rate"], first["passed"], first["failed"], first["trials"]) == (0.5, 1, 1, 2)
    assert first["argv"][:2] == ["run", "hist.suite.yaml"]
    assert first["duration_s"] is not None
    table = harness_cli("runs", "--store", str(store), "--suite", "hist")
    assert "50% (1/2)" in table.stdout and "harness run hist.suite.yaml" in table.stdout
    assert "no runs" in harness_cli("runs", "--store", str(store), "--suite", "other").stdout


def test_show_a_case_and_a_trial(store: Path) -> None:
    done = harness_cli("show", "bye", "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert "verdict: FAIL: icontains: expected goodbye" in done.stdout
    assert "Say goodbye" in done.stdout and "see you" in done.stdout
    trial_id = done.stdout.split("trial ", 2)[1].split()[0]
    as_json = json.loads(harness_cli("show", trial_id, "--store", str(store), "--json").stdout)
    assert [t["case_id"] for t in as_json["trials"]] == ["bye"]
    missing = harness_cli("show", "nope", "--store", str(store))
    assert missing.returncode == 2 and "no trial or case 'nope'" in missing.stderr


def test_cache_stats_prune_and_clear_keep_the_runs(store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    with sqlite3.connect(store) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    stats = harness_cli("cache", "stats", "--store", str(copy)).stdout
    assert "2 runs, 4 trials" in stats and "cache: 2 answers" in stats  # the second run was answered from the cache
    with sqlite3.connect(copy) as db:
        db.execute(  # the engine's store keeps answers in ``calls``, one row per request hash and run
            "UPDATE calls SET created = ? WHERE request_hash = (SELECT MIN(request_hash) FROM calls)",
            (time.time() - 40 * 86400,),
        )
    assert (
        "pruned 1 cached answers older than 30d"
        in harness_cli("cache", "prune", "--older-than", "30d", "--store", str(copy)).stdout
    )
    assert "cleared 1 cached answers" in harness_cli("cache", "clear", "--store", str(copy)).stdout
    assert "cache: 0 answers" in harness_cli("cache", "stats", "--store", str(copy)).stdout
    assert harness_cli("show", "bye", "--store", str(copy)).returncode == 0  # trials are kept
    bad = harness_cli("cache", "prune", "--older-than", "soon", "--store", str(copy))
    assert bad.returncode == 2 and "give a number and a unit" in bad.stderr
