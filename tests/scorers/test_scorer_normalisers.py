"""The basic normaliser's documented rules, substitutions, and the whisper normaliser's wiring."""

from __future__ import annotations

import pytest

from plugins.scorers.normalisers import basic, get, normalise, substitute, whisper


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
