"""``harness run`` on the emulator, answers = the leaderboard vectors' hypotheses: the corpus WER in results.json,
the HTML report and summary.md is the Open ASR Leaderboard's, and every report says how it was computed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from clirun import harness_cli
from scorer_kit import REPO

from harness_reporters.html import read_embedded_data
from harness_scorers import open_asr

DATA = REPO / "tests" / "data" / "open-asr-scoring"


def _pairs() -> list[dict[str, Any]]:
    lines = (DATA / "wer.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("open-asr")
    pairs = _pairs()
    suite = {
        "name": "open-asr",
        "defaults": {"model": "gemini-2.5-flash", "config": {"temperature": 0}},
        "prompts": [{"id": "say", "template": "Say this sentence back: {{ reference }}"}],
        "scorers": [{"type": "wer", "reference": "{{ reference }}", "normaliser": "open_asr_2026"}],
        "cases": [{"id": f"pair-{n:03d}", "vars": {"reference": p["ref"]}} for n, p in enumerate(pairs)],
    }
    responses = {"responses": [{"match": {"case": f"pair-{n:03d}"}, "text": p["hyp"]} for n, p in enumerate(pairs)]}
    (folder / "open-asr.suite.yaml").write_text(yaml.safe_dump(suite, allow_unicode=True), encoding="utf-8")
    (folder / "responses.yaml").write_text(yaml.safe_dump(responses, allow_unicode=True), encoding="utf-8")
    done = harness_cli(
        "run", str(folder / "open-asr.suite.yaml"), "--emulator", "--emulator-responses", str(folder / "responses.yaml"),
        "--out", str(folder / "out"), "--store", str(folder / "store.db"), "--format", "json,html,markdown",
        "--fail-on", "none", "-q", cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / "out" / "open-asr"  # the run folder: --out DIR/<suite name>


def _metric(summary: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(summary) == 1
    (metric,) = [m for m in summary[0]["metrics"] if m["metric"] == "wer"]
    return metric  # type: ignore[no-any-return]


def test_results_json_has_the_leaderboards_corpus_wer_and_counts(run_dir: Path) -> None:
    corpus = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    pairs = {f"pair-{n:03d}": p for n, p in enumerate(_pairs())}
    assert len(results["trials"]) == 150
    for trial in results["trials"]:
        pair = pairs[trial["case_id"]]
        assert trial["output"]["text"] == pair["hyp"]
        (wer,) = trial["scores"]
        d = wer["details"]
        assert (d["substitutions"], d["deletions"], d["insertions"]) == (pair["sub"], pair["del"], pair["ins"])
        assert d["leaderboard_commit"] == f"{open_asr.LEADERBOARD_REPO}@{open_asr.LEADERBOARD_COMMIT}"
    metric = _metric(results["summary"])
    assert metric["corpus"]["name"] == "corpus_wer"
    assert metric["corpus"]["value"] == metric["aggregate"]["corpus_wer"] == corpus["merge_compounds"]["err_rate"]
    assert round(100 * metric["corpus"]["value"], 2) == corpus["wer_percent"]


def test_html_report_has_the_same_corpus_wer_and_says_how(run_dir: Path) -> None:
    corpus = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
    payload = read_embedded_data((run_dir / "report.html").read_text(encoding="utf-8"))
    metric = _metric(payload["summary"])
    assert metric["corpus"]["value"] == metric["aggregate"]["corpus_wer"] == corpus["merge_compounds"]["err_rate"]
    (method,) = payload["methods"]
    assert method["metric"] == "wer"
    for part in ("open_asr_2026", "merge_compounds=True", open_asr.LEADERBOARD_COMMIT):
        assert part in method["method"]


def test_summary_md_shows_the_corpus_wer_and_how(run_dir: Path) -> None:
    text = (run_dir / "summary.md").read_text(encoding="utf-8")
    assert " · corpus 0.1612 [" in text  # the corpus WER with its interval, beside the mean
    assert "How the metrics were computed" in text and open_asr.LEADERBOARD_COMMIT in text


def test_cer_with_merge_compounds_is_a_suite_mistake(tmp_path: Path) -> None:
    suite = tmp_path / "bad.suite.yaml"
    suite.write_text(
        "name: bad\nprompts: [{id: p, template: hi}]\nscorers:\n  - type: cer\n    reference: x\n"
        "    merge_compounds: true\ncases: [{id: c}]\n",
        encoding="utf-8",
    )
    done = harness_cli("validate", str(suite))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "bad.suite.yaml:4" in done.stderr and "merge_compounds joins words, and cer counts characters" in done.stderr
