"""A store of many runs for the viewer's tests: the history of one suite whose answers drift run by run, and one
run of 10,000 trials. Records are made the way the runner makes them (the core judges each trial)."""

from __future__ import annotations

import random
from pathlib import Path

from harness.log.reasons import sentence
from harness.log.records import Output, Reason, ScoreResult, Usage
from harness.log.results import RequestRecord, RunInfo, TrialRecord
from harness.log.store import Store
from harness.log.verdicts import judge_trial

WORDS = [
    "ask",
    "not",
    "what",
    "your",
    "country",
    "can",
    "do",
    "for",
    "you",
    "ask",
    "what",
    "you",
    "can",
    "do",
    "for",
    "your",
    "country",
]
MODELS = ["gemini-2.5-flash", "gemini-2.0-flash"]


def _trial(
    run: int, case: int, model: str, config: str, repeat: int, rng: random.Random, tags: list[str]
) -> TrialRecord:
    errors = rng.random() < 0.15 + 0.1 * (run % 3 == 0) + (0.5 if case == 0 and run % 2 else 0)
    words = list(WORDS)
    if errors:
        words[rng.randrange(len(words))] = rng.choice(["lovely", "america", "while"])
    wer = (sum(a != b for a, b in zip(words, WORDS, strict=True)) + 0.0) / len(WORDS)
    passed = wer <= 0.05
    reason = None if passed else Reason(measured="wer", got=round(wer, 3), op=">", limit="max", expected=0.05)
    if reason is not None:
        reason.text = sentence(reason)
    scores = [
        ScoreResult(scorer="wer", metric="wer", value=wer, passed=passed, reason=reason),
        ScoreResult(scorer="tokens", metric="cost_usd", value=0.0004, passed=True, details={"cost_usd": 0.0004}),
    ]
    verdict, ok, weighted, reasons = judge_trial(scores, None, None)
    prompt = "Generate a transcript of the speech." if run < 30 else "Transcribe the speech, word for word."
    return TrialRecord(
        id=f"t{case:05d}-{model[-9:]}-{config}-{repeat}",
        case_id=f"case-{case:04d}",
        prompt_id="plain",
        model=model,
        config_id=config,
        repeat=repeat,
        tags=tags,
        status="ok",
        request=RequestRecord(prompt=prompt, media=[f"clip-{case}.flac"]),
        output=Output(
            text=" ".join(words),
            finish_reason="STOP",
            latency_ms=400 + rng.random() * 200,
            usage=Usage(prompt_tokens=360, output_tokens=24),
        ),
        scores=scores,
        passed=ok,
        verdict=verdict,
        reasons=reasons,
        weighted_score=weighted,
    )


def add_run(
    store: Store, number: int, cases: int, configs: list[str], run_id: str | None = None, suite: str = "history"
) -> str:
    rng = random.Random(number)
    run_id = run_id or f"20261101-{number:06d}-{number:04x}"
    info = RunInfo(
        id=run_id,
        suite=suite,
        suite_file=f"suites/{suite}.suite.yaml",
        suite_sha256="0" * 64,
        started_at=f"2026-11-{1 + number // 24:02d}T{number % 24:02d}:00:00+00:00",
        harness_version="0.1.0",
        git_revision=f"abc{number:04d}",
        status="running",
        models=MODELS,
        argv=["run", f"suites/{suite}.suite.yaml", "--emulator"],
    )
    store.start_run(info, Path("reports") / run_id)
    seq = 0
    for case in range(cases):
        tags = ["jfk" if case % 2 == 0 else "digits"]
        for model in MODELS:
            for config in configs:
                store.save_trial(run_id, seq, _trial(number, case, model, config, 0, rng, tags), [])
                seq += 1
    info.status, info.finished_at, info.duration_s = "complete", info.started_at, 12.5
    store.finish_run(info)
    return run_id


def build(path: Path, runs: int = 52, big_trials: int = 10_000) -> tuple[list[str], str]:
    """``runs`` runs of the suite 'history' (oldest first), and one run of ``big_trials`` trials."""
    store = Store(path)
    store.db.execute("PRAGMA synchronous = OFF")  # a throw-away store: no need to wait for the disk per trial
    ids = [add_run(store, n, cases=6, configs=["t0", "t1"]) for n in range(runs)]
    big = add_run(store, 999, cases=big_trials // 4, configs=["t0", "t1"], run_id="20261130-big-run", suite="big")
    store.close()
    return ids, big
