"""The basic normaliser's documented rules, substitutions, and the whisper normaliser's wiring."""

from __future__ import annotations

import pytest

from harness_scorers.normalisers import basic, get, normalise, substitute, whisper


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Well-known  facts", "well known facts"),
        ("I can't go; it's fine.", "i can't go it's fine"),
        ("It\u2019s \u2018quoted\u2019 and the dogs' bowls", "it's quoted and the dogs bowls"),
        ("and/or", "and or"),
        ("Pi is 3.14, not 1,000.", "pi is 3.14 not 1,000"),
        ("end. Start", "end start"),
        ("snake_case\tand\nnewlines", "snake case and newlines"),
        ("... !!! ???", ""),
        ("Ｆｕｌｌｗｉｄｔｈ ÉCOLE", "fullwidth école"),
        ("nul\x00byte", "nul byte"),
    ],
)
def test_basic(text: str, expected: str) -> None:
    assert basic(text) == expected


def test_whisper_and_none() -> None:
    assert whisper("I can't — twenty five colours [laughs]") == "i can not 25 colors"
    assert get("none")("  a \n b ") == "a b"
    with pytest.raises(ValueError, match="unknown normaliser"):
        get("fancy")


def test_substitutions_whole_words_longest_first() -> None:
    table = {"ok": "okay", "ok then": "fine", "a": "the"}
    assert substitute("ok then a cat ok okay", table) == "fine the cat okay okay"
    assert normalise("OK, then.", "basic", {"OK": "okay"}) == "okay then"


def test_long_pairs_normalise_on_two_cores_with_identical_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above PARALLEL_MIN_CHARS the reference goes to a helper process; the result must not change."""
    from harness_scorers import normalisers

    reference = "Mr. Smith paid $20.50 for twenty five colour pencils, didn't he? " * 40
    answer = "mister smith payed 20.50 dollars for 25 color pencils did not he " * 40
    normalisers.clear_cache()
    serial = (normalisers._apply(reference, "whisper", ()), normalisers._apply(answer, "whisper", ()))
    monkeypatch.setattr(normalisers, "PARALLEL_MIN_CHARS", 1000)
    submitted: list[str] = []
    real = normalisers._helper()
    monkeypatch.setattr(normalisers, "_helper", lambda: _Spy(real, submitted))
    assert normalisers.normalise_pair(reference, answer, "whisper") == serial
    assert submitted == [reference]
    assert normalisers.normalise_pair(reference, answer, "whisper") == serial  # cached: no second hand-off
    assert submitted == [reference]
    assert normalisers.normalise_pair("a b", "c d", "whisper") == ("a b", "c d")  # short: done in-process
    assert submitted == [reference]


class _Spy:
    def __init__(self, pool: object, seen: list[str]) -> None:
        self.pool, self.seen = pool, seen

    def submit(self, fn: object, text: str, *args: object) -> object:
        self.seen.append(text)
        return self.pool.submit(fn, text, *args)  # type: ignore[attr-defined]
