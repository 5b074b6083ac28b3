"""WER on a 100,000-word transcript: scorer time and peak memory, against jiwer on the unsplit strings.

Run: .venv/bin/python -m bench.bench_wer
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
import tracemalloc
from pathlib import Path

import jiwer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "scorers"))

from noisy import add_errors

from bench.common import ROOT, median, write_section
from harness.api.scoring import ScoreContext
from harness.log.records import Output
from harness_scorers import normalisers
from harness_scorers.wer import WerScorer

WORDS = 100_000
RUNS = 5


def transcript_pair(words: int, error_rate: float, seed: int = 7) -> tuple[str, str]:
    """A long reference made of the real clips' reference sentences, and a hypothesis with errors."""
    sentences = [
        "And so, my fellow Americans, ask not what your country can do for you, ask what you can do for your country.",
        "One two three.",
        "One zero zero zero one nine oh two one oh zero one eight zero three.",
    ]
    rng = random.Random(seed)
    vocab = sorted({w.strip(".,").lower() for s in sentences for w in s.split()}) + [f"w{i}" for i in range(2000)]
    ref: list[str] = []
    while len(ref) < words:
        ref.extend(rng.choice(sentences).split())
        ref.extend(rng.choice(vocab) for _ in range(rng.randint(5, 15)))
    ref = ref[:words]
    hyp = add_errors(ref, vocab, error_rate, rng)
    return " ".join(ref), " ".join(hyp)


def context(answer: str, reference: str) -> ScoreContext:
    async def no_generate(request: object) -> Output:
        raise RuntimeError("not used")

    return ScoreContext(
        output=Output(text=answer),
        vars={"reference": reference},
        case_id="bench",
        prompt_id="p",
        model="gemini-2.5-flash",
        config={},
        prompt="",
        system_instruction=None,
        media=[],
        turn=None,
        suite_dir=ROOT,
        render=lambda s: reference,
        resolve_path=Path,
        generate=no_generate,
    )


def score_once(scorer: WerScorer, ctx: ScoreContext) -> tuple[float, float | None]:
    normalisers.clear_cache()  # no help from the reference cache
    start = time.perf_counter()
    score = asyncio.run(scorer.score(ctx))
    return time.perf_counter() - start, score.value


def main() -> None:
    rows = []
    reference, hypothesis = transcript_pair(WORDS, 0.12)
    ctx = context(hypothesis, reference)
    jiwer_times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        direct = jiwer.process_words(reference, hypothesis)
        jiwer_times.append(time.perf_counter() - start)
    jiwer_s = median(jiwer_times)
    for normaliser in ("none", "basic", "whisper"):
        scorer = WerScorer(WerScorer.Options.model_validate({"reference": "{{ reference }}", "normaliser": normaliser}))
        runs = [score_once(scorer, ctx) for _ in range(RUNS)]
        seconds = median([t for t, _ in runs])
        value = runs[0][1]
        tracemalloc.start()
        score_once(scorer, ctx)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        expected = jiwer.process_words(
            normalisers.normalise(reference, normaliser), normalisers.normalise(hypothesis, normaliser)
        ).wer
        same = "yes" if value == expected else "NO"
        rows.append(f"| `{normaliser}` | {seconds:.3f} | {peak / 2**20:.0f} | {value:.4f} | {same} |")
    tracemalloc.start()
    jiwer.process_words(reference, hypothesis)
    _, jiwer_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    body = (
        f"A {WORDS:,}-word reference (the clips' reference sentences mixed with filler words) against a hypothesis "
        f"with about 12% word errors. Scorer time is the whole `wer` scorer (normalising both texts, the raw "
        f"figure, the normalised figure and the word alignment for the report), median of {RUNS}, with the "
        f"normaliser cache cleared; peak memory by tracemalloc. The reference is `jiwer.process_words` on the "
        f"unsplit strings in the same run.\n\n"
        f"| normaliser | scorer s | peak MiB | WER | equals jiwer |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n| jiwer 4 unsplit (reference) | {jiwer_s:.3f} | {jiwer_peak / 2**20:.0f} | {direct.wer:.4f} | - |\n\n"
        f"Speed-up of the `none` row over jiwer: {jiwer_s / float(rows[0].split('|')[2]):.1f}x. "
        f"Whisper's normaliser is pure Python (about 0.9 s per 100,000 words); for texts this long the scorer "
        f"normalises the reference in a helper process while it normalises the answer, so the two take one "
        f"core each (peak memory is this process's only; the helper starts once per process).\n"
    )
    write_section("wer", ".venv/bin/python -m bench.bench_wer", body)
    print(body)


if __name__ == "__main__":
    main()
