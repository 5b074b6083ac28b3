"""Synthetic but realistic RunResults for reporter tests, browser tests and the report benchmark.

Transcription trials use the real clips' reference transcripts and real pocketsphinx hypotheses (from
suites/media/audio/SOURCES.md), scored with a word-level WER whose details carry the alignment the wer
scorer produces. Extraction trials carry JSON answers with a failing schema path. There are errors with
retries, repeats, two models x two configs, hostile answers and file names, and a baseline run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
from pathlib import Path
from typing import Any

from harness.log.baseline import compare_runs
from harness.log.power import compare_with_power
from harness.log.records import Attempt, MediaInfo, Output, Reason, ScoreResult, TrialError, Usage
from harness.log.results import RequestRecord, RunInfo, RunResults, TrialRecord
from harness.log.summary import summarize
from harness.log.verdicts import case_verdicts, judge_trial, run_verdict, score_reason

ROOT = Path(__file__).resolve().parents[2]
AUDIO = ROOT / "suites" / "media" / "audio"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>alert(1)</script>"
JFK = "And so, my fellow Americans, ask not what your country can do for you, ask what you can do for your country."

#: (case id, file, mime, duration, reference, [hypotheses the "model" answers with])
SPEECH = [
    (
        "jfk-flac",
        "jfk.flac",
        "audio/flac",
        11.0,
        JFK,
        ["and all my fellow america and not what your country can do for you and what you can do for your lovely"],
    ),
    (
        "jfk-mp3",
        "jfk.mp3",
        "audio/mp3",
        11.0,
        JFK,
        ["and so my fellow americans ask not what your country can do for you ask what you can do for your country"],
    ),
    (
        "sr-english",
        "sr_english.wav",
        "audio/wav",
        2.745,
        "one two three",
        ["one two three", "want to three"],
    ),
    (
        "vosk-ogg",
        "vosk_test.ogg",
        "audio/ogg",
        8.308,
        "one zero zero zero one nine oh two one oh zero one eight zero three",
        ["one zero zero zero one that no two one of zero one eight zero three"],
    ),
]
WER_MAX = 0.2
MODELS = ["gemini-2.5-flash", "gemini-2.0-flash"]
CONFIGS = {"temperature=0": {"temperature": 0}, "temperature=1": {"temperature": 1.0}}
VARIANTS = ["the", "a", "country", "fellow", "ask", "want", "to", "two", "oh", "of", "no", "lovely", "americans"]
SYSTEM = "You are a careful transcriber. Answer with the words spoken and nothing else."


def words(text: str) -> list[str]:
    return [w.strip(".,?!;:").lower() for w in text.split() if w.strip(".,?!;:")]


def align(ref: list[str], hyp: list[str]) -> list[dict[str, Any]]:
    """Levenshtein word alignment as runs of {op, ref, hyp} (the wer scorer's details.alignment shape)."""
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sub = cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1])
            cost[i][j] = min(sub, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    steps: list[tuple[str, str | None, str | None]] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            steps.append(("equal" if ref[i - 1] == hyp[j - 1] else "substitute", ref[i - 1], hyp[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            steps.append(("delete", ref[i - 1], None))
            i -= 1
        else:
            steps.append(("insert", None, hyp[j - 1]))
            j -= 1
    runs: list[dict[str, Any]] = []
    for op, r, h in reversed(steps):
        if not runs or runs[-1]["op"] != op:
            runs.append({"op": op, "ref": [], "hyp": []})
        if r is not None:
            runs[-1]["ref"].append(r)
        if h is not None:
            runs[-1]["hyp"].append(h)
    return runs


def wer_score(reference: str, hypothesis: str) -> ScoreResult:
    ref, hyp = words(reference), words(hypothesis)
    alignment = align(ref, hyp)
    counts = {"substitute": 0, "delete": 0, "insert": 0}
    for run in alignment:
        if run["op"] in counts:
            counts[run["op"]] += max(len(run["ref"]), len(run["hyp"]))
    value = (counts["substitute"] + counts["delete"] + counts["insert"]) / max(1, len(ref))
    return ScoreResult(
        scorer="wer",
        metric="wer",
        value=value,
        passed=value <= WER_MAX,
        reason=None if value <= WER_MAX else Reason(measured="wer", got=value, op=">", limit="max", expected=WER_MAX),
        details={
            "max": WER_MAX,
            "substitutions": counts["substitute"],
            "deletions": counts["delete"],
            "insertions": counts["insert"],
            "reference_words": len(ref),
            # the counts the real WER scorer records, so its corpus-level aggregate applies
            "hits": sum(len(run["ref"]) for run in alignment if run["op"] == "equal"),
            "errors": counts["substitute"] + counts["delete"] + counts["insert"],
            "reference_length": len(ref),
            "hypothesis_length": len(hyp),
            "reference": " ".join(ref),
            "hypothesis": " ".join(hyp),
            "alignment": alignment,
        },
    )


@functools.cache
def _media(file: str, mime: str, duration: float) -> MediaInfo:
    path = AUDIO / file
    data = path.read_bytes() if path.exists() else file.encode()
    return MediaInfo(
        source=f"media/audio/{file}",
        mime_type=mime,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        duration_s=duration,
        channels=1,
        sample_rate=16000,
        transport="inline" if len(data) < 1_000_000 else "upload",
        file_uri=None if len(data) < 1_000_000 else "https://generativelanguage.googleapis.com/v1beta/files/abc123",
    )


def _output(text: str, rng: random.Random, audio_s: float = 0.0, parsed: Any = None) -> Output:
    audio_tokens = round(audio_s * 32)
    out_tokens = max(1, len(text.split()) + rng.randint(0, 3))
    return Output(
        text=text,
        finish_reason="STOP",
        latency_ms=round(rng.uniform(600, 2400), 1),
        ttft_ms=round(rng.uniform(200, 500), 1),
        chunks=rng.randint(2, 6),
        usage=Usage(
            prompt_tokens=audio_tokens + 24,
            output_tokens=out_tokens,
            total_tokens=audio_tokens + 24 + out_tokens,
            prompt_by_modality={"TEXT": 24, "AUDIO": audio_tokens} if audio_tokens else {"TEXT": 24},
            output_by_modality={"TEXT": out_tokens},
        ),
        parsed=parsed,
        model_version="gemini-2.5-flash-001",
    )


def _trial(case: str, model: str, config_id: str, repeat: int, **fields: Any) -> TrialRecord:
    trial_id = hashlib.sha256(f"{case}|{model}|{config_id}|plain|{repeat}".encode()).hexdigest()[:16]
    return TrialRecord(
        id=trial_id,
        case_id=case,
        prompt_id="plain",
        model=model,
        config_id=config_id,
        config=CONFIGS[config_id],
        repeat=repeat,
        started_at="2025-11-26T10:00:00Z",
        **fields,
    )


def _speech_trials(
    index: int, suffix: str, model: str, config_id: str, repeat: int, rng: random.Random, vary: bool
) -> TrialRecord:
    case, file, mime, duration, reference, hyps = SPEECH[index % len(SPEECH)]
    hypothesis = hyps[(repeat + (model == MODELS[1])) % len(hyps)]
    if vary:  # a different answer per trial, as a real run at temperature > 0 gives
        tokens = hypothesis.split()
        for _ in range(rng.randint(0, 3)):
            tokens[rng.randrange(len(tokens))] = rng.choice(VARIANTS)
        hypothesis = " ".join(tokens)
    score = wer_score(reference, hypothesis)
    latency = ScoreResult(scorer="latency", metric="latency_ms", value=None, passed=True, required=False)
    output = _output(hypothesis, rng, audio_s=duration)
    latency.value = output.latency_ms
    return _trial(
        case + suffix,
        model,
        config_id,
        repeat,
        tags=["speech", mime.split("/")[1]],
        vars={"reference": reference},
        status="ok",
        request=RequestRecord(
            system_instruction=SYSTEM, prompt="Generate a transcript of the speech.", media=[f"media/audio/{file}"]
        ),
        output=output,
        scores=[score, latency],
        passed=bool(score.passed),
        weighted_score=1.0 if score.passed else 0.0,
        media=[_media(file, mime, duration)],
    )


def _json_trial(suffix: str, model: str, config_id: str, repeat: int, rng: random.Random) -> TrialRecord:
    good = repeat % 2 == 0 and model == MODELS[0]
    parsed = {
        "invoice": "INV-2041",
        "items": [{"name": "Widget", "price": 9.5}, {"name": "Gadget", "price": 12.0 if good else "twelve"}],
        "currency": "EUR",
    }
    details: dict[str, Any] = {"schema": "invoice.schema.json"}
    if not good:
        details |= {"path": "$.items[1].price", "message": "'twelve' is not of type 'number'"}
    score = ScoreResult(scorer="json", metric="json_valid", value=1.0 if good else 0.0, passed=good, details=details)
    return _trial(
        "invoice-extract" + suffix,
        model,
        config_id,
        repeat,
        tags=["json", "extraction"],
        status="ok",
        request=RequestRecord(prompt="Extract the invoice as JSON: INV-2041, Widget 9.50, Gadget 12.00 EUR"),
        output=_output(json.dumps(parsed), rng, parsed=parsed),
        scores=[score],
        passed=good,
        weighted_score=1.0 if good else 0.0,
    )


def _hostile_trial(suffix: str, model: str, config_id: str, repeat: int, rng: random.Random) -> TrialRecord:
    answer = f"Sure! {HOSTILE_IMG} and {HOSTILE_SCRIPT} <!-- done"
    score = ScoreResult(scorer="text", metric="contains", value=0.0, passed=False, details={"icontains": "country"})
    return _trial(
        "hostile-<b>markup</b>" + suffix,
        model,
        config_id,
        repeat,
        tags=["security"],
        status="ok",
        request=RequestRecord(prompt=f"Repeat after me: {HOSTILE_SCRIPT}", media=[f"media/{HOSTILE_IMG}.wav"]),
        output=_output(answer, rng),
        scores=[score],
        passed=False,
        weighted_score=0.0,
        media=[MediaInfo(source=f"media/{HOSTILE_IMG}.wav", mime_type="audio/wav", size_bytes=10, transport="inline")],
    )


def _error_trial(suffix: str, model: str, config_id: str, repeat: int) -> TrialRecord:
    retries = [Attempt(error="429 RESOURCE_EXHAUSTED: quota exceeded", code=429, delay_s=2.5)] * 2
    return _trial(
        "rate-limited" + suffix,
        model,
        config_id,
        repeat,
        tags=["speech", "wav"],
        status="error",
        error=TrialError(
            kind="provider",
            message="429 RESOURCE_EXHAUSTED: You exceeded your current quota.",
            code=429,
            status="RESOURCE_EXHAUSTED",
            attempts=3,
            retries=retries,
        ),
        request=RequestRecord(system_instruction=SYSTEM, prompt="Generate a transcript of the speech."),
        passed=False,
    )


def scorer_lookup(scorer: str) -> Any:
    """The real built-in scorer classes, so summaries carry real aggregates and metric directions."""
    from harness_scorers.wer import WerScorer

    return WerScorer if scorer == "wer" else None


def make_trials(
    groups: int = 1, repeats: int = 3, seed: int = 0, hostile: bool = True, vary: bool = False
) -> list[TrialRecord]:
    """``groups`` copies of the case set (4 speech, 1 JSON, 1 error, 1 hostile) x 2 models x 2 configs.

    ``vary`` perturbs most transcription answers, so few trials share an answer or an alignment.
    """
    rng = random.Random(seed)
    trials = []
    for g in range(groups):
        suffix = "" if groups == 1 else f"-{g:04d}"
        for model in MODELS:
            for config_id in CONFIGS:
                for repeat in range(repeats):
                    for i in range(len(SPEECH)):
                        trials.append(_speech_trials(i, suffix, model, config_id, repeat, rng, vary))
                    trials.append(_json_trial(suffix, model, config_id, repeat, rng))
                    if repeat == 0 and config_id == "temperature=1":
                        trials.append(_error_trial(suffix, model, config_id, repeat))
                    if hostile and repeat == 0:
                        trials.append(_hostile_trial(suffix, model, config_id, repeat, rng))
    return trials


#: Paired comparisons use at most this many trials (keeps the reporter tests' set-up quick).
COMPARE_MAX_TRIALS = 1500


def build(
    trials: list[TrialRecord],
    run_id: str = "20251126-100000-abcd",
    baseline: RunResults | None = None,
    comparisons: bool = True,
) -> RunResults:
    info = RunInfo(
        id=run_id,
        suite="speech-transcription",
        suite_file=str(ROOT / "suites" / "speech.suite.yaml"),
        suite_sha256="0" * 64,
        description="Transcribe real clips; extract an invoice as JSON",
        started_at="2025-11-26T10:00:00Z",
        finished_at="2025-11-26T10:03:12Z",
        duration_s=192.4,
        harness_version="0.1.0",
        git_revision="3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a",
        models=MODELS,
        configs=CONFIGS,
        prompts=["plain"],
        repeat=3,
    )
    for trial in trials:  # judged as the runner judges: reasons on failing scores, then the trial's verdict
        for score in trial.scores:
            score.reason = score_reason(score)
        trial.verdict, trial.passed, _, trial.reasons = judge_trial(trial.scores, trial.error, None)
    results = RunResults(run=info, trials=trials, summary=summarize(trials, scorer_lookup))
    results.cases = case_verdicts(trials, info.suite)
    results.verdict = run_verdict(results.cases, trials)
    if comparisons:
        results.comparisons, results.power = compare_with_power(trials[:COMPARE_MAX_TRIALS], scorer_lookup)
    if baseline is not None:
        results.baseline = compare_runs(results, baseline)
    return results


def make_results(
    groups: int = 1, repeats: int = 3, with_baseline: bool = True, hostile: bool = True, vary: bool = False
) -> RunResults:
    """A run plus (optionally) its comparison with a baseline in which every JSON trial passed."""
    trials = make_trials(groups, repeats, hostile=hostile, vary=vary)
    base = None
    if with_baseline:
        old = make_trials(groups, repeats, seed=1, hostile=hostile, vary=vary)
        for trial in old:
            if trial.case_id.startswith("invoice-extract"):
                trial.passed = True
                trial.scores = [s.model_copy(update={"passed": True, "value": 1.0}) for s in trial.scores]
        base = build(old, run_id="20251120-090000-base", comparisons=False)
    return build(trials, baseline=base)
