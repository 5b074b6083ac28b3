"""wer / cer / mer / wil against jiwer on the real clips' references and pocketsphinx outputs."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import jiwer
import pytest
from noisy import add_errors
from scorer_kit import AUDIO, ContextFactory, run

from harness.api import CheckContext
from harness.errors import UserError
from harness.log.records import ScoreResult
from harness_scorers import alignment
from harness_scorers.normalisers import NORMALISERS, normalise
from harness_scorers.wer import CerScorer, MerScorer, WerScorer, WilScorer


def _table(text: str, header: str) -> dict[str, str]:
    """file -> last column, from the markdown table that follows ``header``."""
    section = text.split(header, 1)[1]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] and not cells[0].startswith("---") and cells[0] != "file":
            rows[cells[0]] = cells[-1]
        elif rows and not line.startswith("|"):
            break
    return rows


def _pairs() -> list[tuple[str, str, str]]:
    text = (AUDIO / "SOURCES.md").read_text(encoding="utf-8")
    references = _table(text, "| file | source")
    hypotheses = _table(text, "## Real recogniser output")
    by_file = {}
    for name, ref in references.items():
        if ref.startswith("same as "):
            ref = references[ref.removeprefix("same as ")]
        by_file[name] = ref
    return [(name, by_file[name], hyp) for name, hyp in hypotheses.items()]


PAIRS = _pairs()


def test_sources_table_parsed() -> None:
    assert len(PAIRS) == 7
    assert dict((n, h) for n, _, h in PAIRS)["sr_english.wav"] == "want to three"
    assert dict((n, r) for n, r, _ in PAIRS)["jfk.mp3"].startswith("And so, my fellow Americans")


@pytest.mark.parametrize("normaliser", NORMALISERS)
@pytest.mark.parametrize(("name", "reference", "hypothesis"), PAIRS, ids=[p[0] for p in PAIRS])
async def test_family_matches_jiwer_on_real_clips(
    ctx: ContextFactory, normaliser: str, name: str, reference: str, hypothesis: str
) -> None:
    ref_n, hyp_n = normalise(reference, normaliser), normalise(hypothesis, normaliser)
    words = jiwer.process_words(ref_n, hyp_n)
    chars = jiwer.process_characters(ref_n, hyp_n)
    options = {"reference": "{{ reference }}", "normaliser": normaliser}
    context = ctx(hypothesis, vars={"reference": reference})
    wer = await run(WerScorer, options, context)
    assert wer.value == words.wer
    assert (wer.details["substitutions"], wer.details["deletions"], wer.details["insertions"]) == (
        words.substitutions,
        words.deletions,
        words.insertions,
    )
    assert wer.details["hits"] == words.hits
    assert wer.details["reference"] == ref_n and wer.details["hypothesis"] == hyp_n
    assert wer.details["reference_words"] == len(ref_n.split())
    assert (await run(MerScorer, options, context)).value == words.mer
    assert (await run(WilScorer, options, context)).value == words.wil
    assert (await run(CerScorer, options, context)).value == chars.cer
    raw = jiwer.process_words(" ".join(reference.split()), hypothesis)
    assert wer.details["raw"]["value"] == raw.wer


@pytest.mark.parametrize("normaliser", NORMALISERS)
async def test_corpus_wer_is_total_errors_over_total_words(ctx: ContextFactory, normaliser: str) -> None:
    results = []
    for _, reference, hypothesis in PAIRS:
        score = await run(WerScorer, {"reference": reference, "normaliser": normaliser}, ctx(hypothesis))
        results.append(
            ScoreResult(scorer="wer", metric="wer", value=score.value, passed=score.passed, details=score.details)
        )
    refs = [normalise(r, normaliser) for _, r, _ in PAIRS]
    hyps = [normalise(h, normaliser) for _, _, h in PAIRS]
    corpus = jiwer.process_words(refs, hyps)
    total_words = sum(len(r.split()) for r in refs)
    errors = corpus.substitutions + corpus.deletions + corpus.insertions
    aggregate = WerScorer.aggregate(results)
    # The scorer declares corpus WER as a ratio of sums over its details; the core sums them per row.
    declared = WerScorer.corpus
    assert declared is not None and declared.name == "corpus_wer"
    corpus_wer = sum(r.details[declared.numerator] for r in results) / sum(
        r.details[declared.denominator] for r in results
    )
    assert corpus_wer == pytest.approx(errors / total_words)
    assert corpus_wer == pytest.approx(corpus.wer)
    assert aggregate["errors"] == errors and aggregate["reference_length"] == total_words
    values = [r.value for r in results if r.value is not None]
    assert aggregate["mean"] == pytest.approx(sum(values) / len(values))
    assert corpus_wer != pytest.approx(aggregate["mean"])
    raw = jiwer.process_words([" ".join(r.split()) for _, r, _ in PAIRS], [h for _, _, h in PAIRS])
    assert aggregate["corpus_wer_raw"] == pytest.approx(raw.wer)


async def test_whisper_number_merge_is_reported_beside_raw(ctx: ContextFactory) -> None:
    _, reference, hypothesis = next(p for p in PAIRS if p[0] == "vosk_test.wav")
    score = await run(WerScorer, {"reference": reference, "normaliser": "whisper"}, ctx(hypothesis))
    assert score.details["reference"].split()[0].isdigit()  # "one zero zero zero ..." became digits
    assert score.details["raw"]["normaliser"] == "none"
    assert score.details["raw"]["value"] < score.value


async def test_max_threshold_and_alignment(ctx: ContextFactory) -> None:
    score = await run(WerScorer, {"reference": "one two three", "max": 0.5}, ctx("want to three"))
    assert score.value == pytest.approx(2 / 3) and score.passed is False
    assert score.reason is not None and score.reason.text == "wer 0.6667 > max 0.5"
    assert score.details["alignment"] == [
        {"op": "substitute", "ref": ["one", "two"], "hyp": ["want", "to"]},
        {"op": "equal", "ref": ["three"], "hyp": ["three"]},
    ]
    ok = await run(WerScorer, {"reference": "one two three", "max": 0.7}, ctx("want to three"))
    assert ok.passed is True
    free = await run(WerScorer, {"reference": "a b", "alignment": False}, ctx("a c"))
    assert "alignment" not in free.details and free.passed is True


async def test_alignment_ops_cover_insert_and_delete(ctx: ContextFactory) -> None:
    score = await run(WerScorer, {"reference": "the cat sat on the mat"}, ctx("the cat sat sat on mat"))
    ops = [a["op"] for a in score.details["alignment"]]
    assert "insert" in ops and "delete" in ops
    assert [w for a in score.details["alignment"] for w in a["ref"]] == ["the", "cat", "sat", "on", "the", "mat"]
    assert [w for a in score.details["alignment"] for w in a["hyp"]] == ["the", "cat", "sat", "sat", "on", "mat"]


@pytest.mark.parametrize(
    ("answer", "value"),
    [("", 0.0), (None, 0.0), ("   ", 0.0), ("hello there", 1.0), ("!!! ...", 0.0)],
)
async def test_empty_reference_rule(ctx: ContextFactory, answer: str | None, value: float) -> None:
    score = await run(WerScorer, {"reference": "{{ r }}", "max": 0.0}, ctx(answer, vars={"r": " ?! "}))
    assert score.value == value and score.details["empty_reference"] is True
    assert score.passed is (value == 0.0)


async def test_empty_answer_and_safety_block(ctx: ContextFactory) -> None:
    score = await run(WerScorer, {"reference": "ask not"}, ctx(None, finish_reason="SAFETY"))
    assert score.value == 1.0 and score.details["deletions"] == 2
    assert "SAFETY" in score.details["no_text"]


async def test_punctuation_only_answer_under_basic(ctx: ContextFactory) -> None:
    score = await run(WerScorer, {"reference": "Yes, sir."}, ctx("... !!! ???"))
    assert score.details["hypothesis"] == "" and score.value == 1.0
    assert score.details["raw"]["value"] == 1.5  # 2 substitutions + 1 insertion over 2 words


async def test_numbers(ctx: ContextFactory) -> None:
    basic = await run(WerScorer, {"reference": "It costs $1,000.50 today"}, ctx("it costs 1,000.50 today"))
    assert basic.details["reference"] == "it costs 1,000.50 today" and basic.value == 0.0
    spelled = await run(WerScorer, {"reference": "twenty five", "normaliser": "whisper"}, ctx("25"))
    assert spelled.value == 0.0
    assert (await run(WerScorer, {"reference": "twenty five"}, ctx("25"))).value == 1.0


async def test_substitutions_apply_to_both_sides(ctx: ContextFactory) -> None:
    options = {"reference": "OK then", "substitutions": {"OK": "okay"}}
    score = await run(WerScorer, options, ctx("okay then"))
    assert score.value == 0.0 and score.details["reference"] == "okay then"
    assert score.details["raw"]["value"] == 0.5


async def test_reference_file(ctx: ContextFactory, tmp_path: Path) -> None:
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "jfk.txt").write_text("ask not what your country can do for you\n")
    context = ctx("ask not what your country can do for me", vars={"clip": "jfk"})
    score = await run(WerScorer, {"reference_file": "refs/{{ clip }}.txt"}, context)
    assert score.value == pytest.approx(1 / 9) and score.details["reference_source"] == "jfk.txt"
    with pytest.raises(UserError):
        await run(WerScorer, {"reference_file": "../outside.txt"}, context)


def test_check_reports_missing_files(tmp_path: Path) -> None:
    scorer = WerScorer(WerScorer.Options.model_validate({"reference_file": "missing.txt"}))
    assert scorer.check(CheckContext(tmp_path, lambda p: tmp_path / p, False)) == [
        "reference_file: file not found: missing.txt"
    ]
    templated = WerScorer(WerScorer.Options.model_validate({"reference_file": "{{ f }}"}))
    assert templated.check(CheckContext(tmp_path, lambda p: tmp_path / p, False)) == []


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"reference": "a", "reference_file": "b.txt"},
        {"reference": "a", "start": "00:10"},
        {"reference_subtitles": "a.srt", "start": "ten"},
        {"reference": "a", "normaliser": "fancy"},
        {"reference": "a", "max": -1},
        {"reference": "a", "unknown": 1},
    ],
)
def test_bad_options_rejected(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        WerScorer.Options.model_validate(options)


SRT = """1
00:00:01,000 --> 00:00:04,000
<i>And so,</i> my fellow Americans,

2
00:00:04,500 --> 00:00:07,900
ask not what your country
can do for you,

3
00:00:08,000 --> 00:00:11,000
ask what you can do for your country.
"""

VTT = """WEBVTT

00:01.000 --> 00:04.000
<v Kennedy>And so, my fellow Americans,

00:04.500 --> 00:07.900
ask not what your country can do for you,

00:08.000 --> 00:11.000 align:start
ask what you can do for your country.
"""


@pytest.mark.parametrize(("filename", "body"), [("jfk.srt", SRT), ("jfk.vtt", VTT)])
async def test_subtitle_window(ctx: ContextFactory, tmp_path: Path, filename: str, body: str) -> None:
    (tmp_path / filename).write_text(body)
    options = {"reference_subtitles": filename, "start": "{{ start }}", "end": "00:08"}
    context = ctx("Ask not what your country can do for you.", vars={"start": "00:04"})
    score = await run(WerScorer, options, context)
    assert score.details["reference"] == "ask not what your country can do for you"
    assert score.value == 0.0
    whole = await run(WerScorer, {"reference_subtitles": filename}, context)
    assert whole.details["reference_words"] == 22
    overlap = await run(WerScorer, {**options, "start": 3.5, "window": "overlap"}, context)
    assert overlap.details["reference"].startswith("and so my fellow americans ask not")
    midpoint = await run(WerScorer, {**options, "start": 3, "end": 9.6, "window": "midpoint"}, context)
    assert midpoint.details["reference_words"] == 9 + 8  # cues 2 and 3; cue 1 ends before its midpoint


async def test_bad_subtitles_file(ctx: ContextFactory, tmp_path: Path) -> None:
    (tmp_path / "bad.srt").write_text("just some words\nwithout timing\n")
    with pytest.raises(UserError, match="no subtitle cues"):
        await run(WerScorer, {"reference_subtitles": "bad.srt"}, ctx("x"))


def _long_pair(words: int, error_rate: float, seed: int) -> tuple[str, str]:
    """A long reference built from the real references' vocabulary, and a noisy hypothesis."""
    rng = random.Random(seed)
    vocab = sorted({w for _, r, h in PAIRS for w in re.findall(r"[a-z]+", (r + " " + h).lower())})
    vocab += [f"w{i}" for i in range(3000)]
    ref = [rng.choice(vocab) for _ in range(words)]
    hyp = add_errors(ref, vocab, error_rate, rng)
    return " ".join(ref), " ".join(hyp)


@pytest.mark.parametrize(("words", "error_rate", "seed"), [(6000, 0.1, 1), (8000, 0.3, 2), (5000, 0.05, 3)])
async def test_chunked_path_equals_unsplit_jiwer(
    ctx: ContextFactory, monkeypatch: pytest.MonkeyPatch, words: int, error_rate: float, seed: int
) -> None:
    monkeypatch.setattr(alignment, "DIRECT_LIMIT", 10_000)
    monkeypatch.setattr(alignment, "ANCHOR_SPACING", 50)
    reference, hypothesis = _long_pair(words, error_rate, seed)
    score = await run(WerScorer, {"reference": reference, "normaliser": "none"}, ctx(hypothesis))
    direct = jiwer.process_words(reference, hypothesis)
    assert score.details["chunked"] is True
    assert score.value == direct.wer
    counts = (direct.hits, direct.substitutions, direct.deletions, direct.insertions)
    d = score.details
    assert (d["hits"], d["substitutions"], d["deletions"], d["insertions"]) == counts
    cer = await run(CerScorer, {"reference": reference[:20000], "normaliser": "none"}, ctx(hypothesis[:20000]))
    assert cer.value == jiwer.cer(reference[:20000], hypothesis[:20000])


def test_unprovable_anchors_fall_back_to_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong anchor (not on any optimal path) must be caught by the distance proof."""
    monkeypatch.setattr(alignment, "DIRECT_LIMIT", 10)
    ref = [*range(1, 7), *range(100, 120)]
    hyp = [*range(100, 120), *range(1, 7)]
    # Anchoring the short run 1..6 costs 20 insertions + 20 deletions; the optimum (keep 100..119) costs 12.
    monkeypatch.setattr(alignment, "find_anchors", lambda r, h, k, spacing=0: [(0, 20)])
    result = alignment.align(ref, hyp, anchor_len=6)
    assert result.chunked is False
    assert result.errors == 12
    assert result.errors == jiwer.process_words(" ".join(map(str, ref)), " ".join(map(str, hyp))).wer * len(ref)


def test_anchors_increase_on_both_sides() -> None:
    ref = list(range(1000))
    hyp = list(range(500, 1000)) + list(range(500))
    anchors = alignment.find_anchors(ref, hyp, 6, spacing=10)
    assert anchors
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in itertools.pairwise(anchors))
