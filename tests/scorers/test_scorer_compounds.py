"""Compound-aware counting: kaldialign's merge_compounds counts, on short and on long (piecewise) pairs."""

from __future__ import annotations

import random

import kaldialign
import pytest
from noisy import add_errors
from scorer_kit import ContextFactory, run

from harness_reporters.html import compact_alignment
from harness_scorers import compounds, errorrate
from harness_scorers.alignment import Alignment
from harness_scorers.wer import WerScorer

#: Words that join into other words of the list, so compounds are everywhere.
JOINABLE = ["a", "b", "ab", "c", "bc", "abc", "d", "cd", "e"]
VOCAB = ["the", "white", "paper", "whitepaper", "some", "one", "someone", "to", "day", "today", "e", "mail", "email"]
VOCAB += [f"w{i}" for i in range(300)]


def _kaldi(ref: list[str], hyp: list[str]) -> tuple[int, int, int]:
    e = kaldialign.edit_distance(ref, hyp, merge_compounds=True)
    return int(e["sub"]), int(e["del"]), int(e["ins"])


def _counts(result: Alignment) -> tuple[int, int, int]:
    return result.substitutions, result.deletions, result.insertions


def _covers(result: Alignment, ref: list[str], hyp: list[str]) -> None:
    """Opcodes tile both texts in order, and hits + substitutions + deletions = reference length."""
    i = j = 0
    for _, i1, i2, j1, j2 in result.opcodes:
        assert (i1, j1) == (i, j)
        i, j = i2, j2
    assert (i, j) == (len(ref), len(hyp))
    assert result.hits + result.substitutions + result.deletions == len(ref)


def test_short_pairs_are_kaldialigns_counts() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        ref = [rng.choice(JOINABLE) for _ in range(rng.randint(0, 8))]
        hyp = [rng.choice(JOINABLE) for _ in range(rng.randint(0, 8))]
        result = compounds.align(ref, hyp)
        assert _counts(result) == _kaldi(ref, hyp), (ref, hyp)
        _covers(result, ref, hyp)
        assert not result.chunked and not result.upper_bound


def _stretches(rng: random.Random, count: int, size: int, rate: float) -> tuple[list[str], list[str]]:
    """Stretches of ordinary words with errors, joined by compounds written apart on one side or the other."""
    words = [f"w{i}" for i in range(300)]
    joins = [(["whitepaper"], ["white", "paper"]), (["to", "day"], ["today"]), (["e", "mail"], ["email"])]
    ref: list[str] = []
    hyp: list[str] = []
    for _ in range(count):
        stretch = [rng.choice(words) for _ in range(size)]
        ref_join, hyp_join = rng.choice(joins)
        ref += [*stretch, *ref_join]
        hyp += [*add_errors(stretch, words, rate, rng), *hyp_join]
    return ref, hyp


@pytest.mark.parametrize("seed", range(4))
def test_long_pairs_piecewise_are_proven_equal_to_one_kaldialign_call(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    ref, hyp = _stretches(random.Random(seed), 12, 50, (0.05, 0.15, 0.3, 0.5)[seed])
    monkeypatch.setattr(compounds, "DIRECT_LIMIT", 0)
    monkeypatch.setattr(compounds, "FULL_LIMIT", 0)  # no one-call fallback: the proof must hold
    result = compounds.align(ref, hyp)
    assert result.chunked and not result.upper_bound
    assert result.errors == kaldialign.edit_distance(ref, hyp, merge_compounds=True)["total"]
    _covers(result, ref, hyp)


@pytest.mark.parametrize("seed", range(6))
def test_long_pairs_always_have_kaldialigns_total(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Joinable words everywhere, errors on them too: proven piecewise or aligned in one call, never off."""
    rng = random.Random(seed)
    ref = [rng.choice(VOCAB[:13]) for _ in range(rng.randint(300, 500))]
    hyp = add_errors(ref, VOCAB[:13], (0.05, 0.15, 0.3)[seed % 3], rng)
    monkeypatch.setattr(compounds, "DIRECT_LIMIT", 0)
    result = compounds.align(ref, hyp)
    assert not result.upper_bound
    assert result.errors == kaldialign.edit_distance(ref, hyp, merge_compounds=True)["total"]
    _covers(result, ref, hyp)


def test_unproven_long_pair_falls_back_to_one_call_or_says_upper_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lost word that could be part of a compound ("paper") is not in the lower bound: it falls short."""
    ref = [
        "the",
        "white",
        "paper",
        "is",
        "here",
        "and",
        "one",
        "paper",
        "is",
        "there",
        "and",
        "some",
        "one",
        "came",
        "today",
    ] * 3
    hyp = ["the", "whitepaper", "is", "here", "and", "one", "is", "there", "and", "someone", "came", "to", "day"] * 3
    monkeypatch.setattr(compounds, "DIRECT_LIMIT", 0)
    expected = kaldialign.edit_distance(ref, hyp, merge_compounds=True)
    exact = compounds.align(ref, hyp)  # proof fails, the pair is small: one kaldialign call
    assert not exact.chunked and not exact.upper_bound
    assert _counts(exact) == (expected["sub"], expected["del"], expected["ins"])
    monkeypatch.setattr(compounds, "FULL_LIMIT", 0)
    bound = compounds.align(ref, hyp)
    assert bound.chunked and bound.upper_bound
    plain = errorrate.measure_pair(" ".join(ref), " ".join(hyp), "word")[0]
    assert expected["total"] <= bound.errors <= plain.errors
    _covers(bound, ref, hyp)


def test_compound_words_are_both_the_parts_and_the_whole() -> None:
    assert compounds.compound_words(["we", "saw", "the", "white", "paper"], ["we", "saw", "whitepaper"]) == {
        "white",
        "paper",
        "whitepaper",
    }
    assert compounds.compound_words(["a", "b", "c"], ["abc", "d"]) == {"a", "b", "c", "abc"}
    assert compounds.compound_words(["one", "two"], ["three", "four"]) == set()


async def test_alignment_view_shows_a_merged_compound_as_a_match(ctx: ContextFactory) -> None:
    context = ctx("We watched whitepaper to day.", vars={"reference": "We watched the white paper today."})
    score = await run(WerScorer, {"reference": "{{ reference }}", "normaliser": "open_asr_2026"}, context)
    assert score.details["alignment"] == [
        {"op": "equal", "ref": ["we", "watched"], "hyp": ["we", "watched"]},
        {"op": "delete", "ref": ["the"], "hyp": []},
        {"op": "equal", "ref": ["white", "paper"], "hyp": ["whitepaper"]},
        {"op": "equal", "ref": ["today"], "hyp": ["to", "day"]},
    ]
    assert (score.details["hits"], score.details["deletions"], score.details["errors"]) == (5, 1, 1)
    assert score.value == pytest.approx(1 / 6)
    # The HTML report's compact form keeps the answer's spelling of a compound.
    assert compact_alignment(score.details["alignment"]) == {
        "$align": [["=", "we watched"], ["d", "the", ""], ["=", "white paper", "whitepaper"], ["=", "today", "to day"]]
    }


async def test_a_long_pair_scores_piecewise_through_the_scorer(ctx: ContextFactory) -> None:
    """20,000 words with split compounds between stretches of ordinary errors: counted piecewise, proven,
    and equal to kaldialign on each stretch (a compound costs nothing)."""
    rng = random.Random(11)
    words = [f"w{i}" for i in range(500)]
    ref: list[str] = []
    hyp: list[str] = []
    expected = 0
    for _ in range(40):
        stretch = [rng.choice(words) for _ in range(500)]
        noisy = add_errors(stretch, words, 0.12, rng)
        expected += int(kaldialign.edit_distance(stretch, noisy, merge_compounds=True)["total"])
        ref += [*stretch, "whitepaper"]
        hyp += [*noisy, "white", "paper"]
    context = ctx(" ".join(hyp), vars={"reference": " ".join(ref)})
    score = await run(WerScorer, {"reference": "{{ reference }}", "merge_compounds": True}, context)
    d = score.details
    assert d["chunked"] is True and "upper_bound" not in d
    assert d["errors"] == expected
    assert d["hits"] + d["substitutions"] + d["deletions"] == d["reference_length"] == len(ref)
    compound = {"op": "equal", "ref": ["whitepaper"], "hyp": ["white", "paper"]}
    assert sum(entry == compound for entry in d["alignment"]) == 40
    plain = await run(WerScorer, {"reference": "{{ reference }}"}, context)
    assert plain.details["errors"] >= expected + 2 * 40
