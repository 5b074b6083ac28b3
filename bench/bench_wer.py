"""WER on a 100,000-word transcript: scorer time and peak memory, against jiwer on the unsplit strings.

Every normaliser, and the leaderboard's recipe (``open_asr_2026`` with compound-aware counting) on the same
pair and on one with 500 compounds written apart in the answer, so kaldialign really runs. Budget: 2 s.

Run: .venv/bin/python -m bench.bench_wer
"""

from __future__ import annotations

import asyncio
import os
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
BUDGET_S = 2.0


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


def with_split_compounds(reference: str, hypothesis: str, every: int = 200) -> tuple[str, str]:
    """The pair with a compound after every ``every`` reference words: joined in the reference, written apart
    in the answer (``whitepaper`` / ``white paper``, ``email`` / ``e mail``), so each costs nothing."""
    rng = random.Random(3)
    words = reference.split()
    ref: list[str] = []
    hyp: list[str] = []
    for n, start in enumerate(range(0, len(words), every)):
        stretch = words[start : start + every]
        joined, apart = (("whitepaper", ["white", "paper"]), ("email", ["e", "mail"]))[n % 2]
        ref += [*stretch, joined]
        hyp += [*add_errors(stretch, stretch, 0.12, rng), *apart]
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
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = []
    reference, hypothesis = transcript_pair(WORDS, 0.12)
    ctx = context(hypothesis, reference)
    jiwer_times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        direct = jiwer.process_words(reference, hypothesis)
        jiwer_times.append(time.perf_counter() - start)
    jiwer_s = median(jiwer_times)
    compound_ref, compound_hyp = with_split_compounds(reference, hypothesis)
    cases = [(f"`{n}`", n, reference, hypothesis, ctx) for n in ("none", "basic", "whisper", "open_asr_2026")] + [
        (
            "`open_asr_2026`, 500 compounds written apart",
            "open_asr_2026",
            compound_ref,
            compound_hyp,
            context(compound_hyp, compound_ref),
        )
    ]
    for label, normaliser, ref_text, hyp_text, case_ctx in cases:
        scorer = WerScorer(WerScorer.Options.model_validate({"reference": "{{ reference }}", "normaliser": normaliser}))
        runs = [score_once(scorer, case_ctx) for _ in range(RUNS)]
        seconds = median([t for t, _ in runs])
        value = runs[0][1]
        tracemalloc.start()
        score_once(scorer, case_ctx)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        plain = jiwer.process_words(
            normalisers.normalise(ref_text, normaliser), normalisers.normalise(hyp_text, normaliser)
        )
        if scorer.merge_compounds:
            # No one-call kaldialign at this size; the count is proven minimal unless marked upper_bound,
            # and each compound written apart saves the two errors the plain count gives it.
            details = asyncio.run(scorer.score(case_ctx)).details
            saved = plain.substitutions + plain.deletions + plain.insertions - details["errors"]
            proof = "not proven minimal (upper_bound)" if details.get("upper_bound") else "proven minimal"
            check = f"{proof}; {saved} fewer errors than jiwer"
        else:
            check = "equals jiwer" if value == plain.wer else "DIFFERS from jiwer"
        budget = "yes" if seconds < BUDGET_S else "NO"
        rows.append(f"| {label} | {seconds:.3f} | {budget} | {peak / 2**20:.0f} | {value:.4f} | {check} |")
    tracemalloc.start()
    jiwer.process_words(reference, hypothesis)
    _, jiwer_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    body = (
        f"A {WORDS:,}-word reference (the clips' reference sentences mixed with filler words) against a hypothesis "
        f"with about 12% word errors. Scorer time is the whole `wer` scorer (normalising both texts, the raw "
        f"figure, the normalised figure and the word alignment for the report), median of {RUNS}, with the "
        f"normaliser cache cleared; peak memory by tracemalloc. The reference is `jiwer.process_words` on the "
        f"unsplit strings in the same run. Load average (1 / 5 / 15 min) when the run began: {load} on "
        f"{os.cpu_count()} cores (other work on the machine slows every row, the reference too).\n\n"
        f"| normaliser | scorer s | under {BUDGET_S:g} s | peak MiB | WER | check |\n|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n| jiwer 4 unsplit (reference) | {jiwer_s:.3f} | - | {jiwer_peak / 2**20:.0f} | {direct.wer:.4f} | - |\n\n"
        f"Speed-up of the `none` row over jiwer: {jiwer_s / float(rows[0].split('|')[2]):.1f}x. "
        f"The `whisper` and `open_asr_2026` normalisers are pure Python (about 0.7 s per 100,000 words); for "
        f"texts this long the scorer normalises the reference in a helper process while it normalises the "
        f"answer, so the two take one core each (peak memory is this process's only; the helper starts once per "
        f"process). `open_asr_2026` counts compound-aware (kaldialign, merge_compounds): on the first pair no "
        f"compound can form, so its count is the plain one; on the second, kaldialign aligns each stretch that "
        f"holds a compound. 'check' says whether the count was proven minimal: errors right beside compounds "
        f"can leave the lower bound short of it, and a pair this long gets no one-call check, so the scorer then "
        f"marks the count `upper_bound` (docs/scorers.md, Long transcripts). 'fewer errors than jiwer' is what "
        f"compound-aware counting saved against jiwer on the same normalised texts.\n"
    )
    write_section("wer", ".venv/bin/python -m bench.bench_wer", body)
    print(body)


if __name__ == "__main__":
    main()
