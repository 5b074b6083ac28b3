"""Every built-in scorer declares what its values are, so the summary never guesses from them."""

from __future__ import annotations

import jiwer
from scorer_kit import ContextFactory, run

from harness_scorers.catalog import SCORERS
from harness_scorers.finish_reason import FinishReasonScorer
from harness_scorers.latency import LatencyScorer
from harness_scorers.text import TextScorer
from harness_scorers.tokens import TokensScorer
from harness_scorers.wer import CerScorer, MerScorer, WerScorer, WilScorer

EXPECTED = {
    "wer": ("continuous", "quality", "corpus_wer"),
    "cer": ("continuous", "quality", "corpus_cer"),
    "mer": ("continuous", "quality", "corpus_mer"),
    "wil": ("continuous", "quality", None),
    "json": ("proportion", "quality", None),
    "tokens": ("continuous", "cost", None),
    "text": ("proportion", "quality", None),
    "latency": ("continuous", "cost", None),
    "finish_reason": ("categorical", "quality", None),
    "judge": ("continuous", "quality", None),
    "python": ("continuous", "quality", None),
}


def test_every_built_in_scorer_declares_kind_role_and_corpus() -> None:
    declared = {s.name: (s.metric_kind, s.metric_role, s.corpus.name if s.corpus else None) for s in SCORERS}
    assert declared == EXPECTED


async def test_declared_ratio_keys_are_in_the_details_and_sum_to_jiwer_corpus_figures(ctx: ContextFactory) -> None:
    pairs = [("one two three four", "one too three"), ("the cat sat", "the cat sat on the mat"), ("a b c d e", "a x c")]
    for cls, measure in ((WerScorer, "wer"), (CerScorer, "cer"), (MerScorer, "mer")):
        assert cls.corpus is not None
        details = [(await run(cls, {"reference": r, "normaliser": "none"}, ctx(h))).details for r, h in pairs]
        total = sum(d[cls.corpus.numerator] for d in details) / sum(d[cls.corpus.denominator] for d in details)
        refs, hyps = [r for r, _ in pairs], [h for _, h in pairs]
        expected = (
            jiwer.process_characters(refs, hyps).cer
            if measure == "cer"
            else getattr(jiwer.process_words(refs, hyps), measure)
        )
        assert total == expected
    assert WilScorer.corpus is None  # 1 - (H/N)(H/P) is no ratio of sums


async def test_finish_reason_names_its_class_in_the_declared_key(ctx: ContextFactory) -> None:
    assert FinishReasonScorer.category_key is not None
    score = await run(FinishReasonScorer, {"expected": "STOP"}, ctx("hi"))
    assert FinishReasonScorer.category_key in score.details


def test_cost_and_latency_are_not_quality() -> None:
    assert TokensScorer.metric_role == "cost" and LatencyScorer.metric_role == "cost"
    assert TextScorer.metric_role == "quality"
