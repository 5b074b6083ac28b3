"""Text normalisers for error-rate scoring: ``none``, ``basic`` and ``whisper``, plus word substitutions.

Every normaliser ends by collapsing whitespace to single spaces, so words are exactly the
space-separated tokens (the same tokens jiwer's default transform produces).

``basic``: Unicode NFKC, case-folded; curly apostrophes become ``'``; an apostrophe *inside* a word is
kept (``can't`` stays ``can't``, ``it's`` stays ``it's``), so contractions are neither glued (``cant``)
nor split (``can t``); apostrophes at word edges are dropped (``'quote'`` -> ``quote``, ``dogs'`` ->
``dogs``); a ``.`` or ``,`` between two digits is kept (``3.5``, ``1,000``); every other punctuation or
symbol character becomes a space, so ``well-known`` -> ``well known`` and ``and/or`` -> ``and or``.

``whisper``: Whisper's English normaliser (``whisper_normalizer.english.EnglishTextNormalizer``): also
drops bracketed text and fillers, expands contractions, Americanises spelling and turns spelled numbers
into digits (a run like "one zero zero zero" becomes "1000").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Literal

NormaliserName = Literal["none", "basic", "whisper"]
NORMALISERS: tuple[str, ...] = ("none", "basic", "whisper")

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_DIGIT_SEPARATOR = re.compile(r"(?<=\d)[.,](?=\d)")
_KEEP = "\x00"  # stands in for a kept digit separator while punctuation is removed
_INNER_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_NOT_WORD = re.compile(r"[^\w\x00\x01]+")
_UNDERSCORE = re.compile(r"_+")


def collapse(text: str) -> str:
    """Whitespace runs -> one space, trimmed (the ``none`` normaliser)."""
    return " ".join(text.split())


def basic(text: str) -> str:
    """Lowercase and remove punctuation without gluing words (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    text = text.replace("\x00", " ").replace("\x01", " ")
    separators: list[str] = []

    def keep_separator(match: re.Match[str]) -> str:
        separators.append(match.group(0))
        return _KEEP

    text = _DIGIT_SEPARATOR.sub(keep_separator, text)
    text = _INNER_APOSTROPHE.sub("\x01", text)
    text = _UNDERSCORE.sub(" ", _NOT_WORD.sub(" ", text))
    text = text.replace("\x01", "'")
    if separators:
        pieces = text.split(_KEEP)
        text = pieces[0] + "".join(sep + piece for sep, piece in zip(separators, pieces[1:], strict=True))
    return collapse(text)


@functools.lru_cache(maxsize=1)
def _whisper() -> Callable[[str], str]:
    from whisper_normalizer.english import EnglishTextNormalizer

    normaliser: Callable[[str], str] = EnglishTextNormalizer()
    return normaliser


def whisper(text: str) -> str:
    """Whisper's English normaliser (Open ASR Leaderboard practice)."""
    return collapse(_whisper()(text))


_FUNCTIONS: dict[str, Callable[[str], str]] = {"none": collapse, "basic": basic, "whisper": whisper}


def get(name: str) -> Callable[[str], str]:
    try:
        return _FUNCTIONS[name]
    except KeyError:
        raise ValueError(f"unknown normaliser '{name}' (choose from {', '.join(NORMALISERS)})") from None


def substitute(text: str, substitutions: Mapping[str, str]) -> str:
    """Replace whole words or phrases (space-delimited), longest key first, in one pass."""
    if not substitutions or not text:
        return text
    keys = sorted((k for k in substitutions if k), key=len, reverse=True)
    if not keys:
        return text
    pattern = re.compile(r"(?<!\S)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\S)")
    return collapse(pattern.sub(lambda m: substitutions[m.group(0)], text))


@functools.lru_cache(maxsize=64)
def _normalise_cached(text: str, name: str, pairs: tuple[tuple[str, str], ...]) -> str:
    function = get(name)
    table = {function(k): function(v) for k, v in pairs}
    return substitute(function(text), table)


def normalise(text: str, name: str, substitutions: Mapping[str, str] | None = None) -> str:
    """Normalise ``text``, then apply ``substitutions`` (whose keys and values go through the same
    normaliser first, so ``{"OK": "okay"}`` works with ``basic``). References repeat across trials,
    so results are cached."""
    pairs = tuple(sorted((substitutions or {}).items()))
    if len(text) > 2_000_000:
        function = get(name)
        return substitute(function(text), {function(k): function(v) for k, v in pairs})
    return _normalise_cached(text, name, pairs)
