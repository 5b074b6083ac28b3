"""Text normalisers for error-rate scoring: ``none``, ``basic`` and ``whisper``, plus word substitutions.

Every normaliser ends by collapsing whitespace to single spaces, so words are exactly the
space-separated tokens (the same tokens jiwer's default transform produces).

``basic``: Unicode NFKC, case-folded; curly apostrophes become ``'``; an apostrophe *inside* a word is
kept (``can't`` stays ``can't``, ``it's`` stays ``it's``), so contractions are neither glued (``cant``)
nor split (``can t``); apostrophes at word edges are dropped (``'quote'`` -> ``quote``, ``dogs'`` ->
``dogs``); a ``.`` or ``,`` between two digits is kept (``3.5``, ``1,000``); every other punctuation or
symbol character becomes a space, so ``well-known`` -> ``well known`` and ``and/or`` -> ``and or``.

``whisper``: Whisper's original English normaliser (OpenAI, 2022; ``whisper_normalizer.english``): also
drops bracketed text and fillers, expands contractions, Americanises spelling and turns spelled numbers
into digits (a run like "one zero zero zero" becomes "1000").

``open_asr_2026``: the Open ASR Leaderboard's English normaliser as of 2026 (``open_asr``): Whisper's rules
plus more fillers, ``'s`` expanded only after pronouns, joined compounds (``e mail`` -> ``email``), name
variants, and spelled acronyms collapsed (``b b c`` -> ``bbc``).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Literal

from harness_scorers import open_asr

NormaliserName = Literal["none", "basic", "whisper", "open_asr_2026"]
NORMALISERS: tuple[str, ...] = ("none", "basic", "whisper", "open_asr_2026")

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
    """Whisper's original English normaliser (the Open ASR Leaderboard's until 2026)."""
    return collapse(_whisper()(text))


_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "none": collapse,
    "basic": basic,
    "whisper": whisper,
    "open_asr_2026": open_asr.normalise,
}


def _installed(package: str) -> str:
    try:
        return package_version(package)
    except PackageNotFoundError:
        return "unknown version"


@functools.cache
def describe(name: str) -> tuple[str, str]:
    """(version, what it is) of a normaliser, for saying how a figure was computed."""
    get(name)
    if name == "whisper":
        return f"whisper-normalizer {_installed('whisper-normalizer')}", "Whisper's original English rules (2022)"
    if name == "open_asr_2026":
        commit = f"{open_asr.LEADERBOARD_REPO}@{open_asr.LEADERBOARD_COMMIT[:7]} ({open_asr.LEADERBOARD_DATE})"
        return commit, "the Open ASR Leaderboard's English normaliser"
    if name == "basic":
        return f"harness {_installed('harness')}", "lower-case, punctuation to spaces, inner apostrophes kept"
    return f"harness {_installed('harness')}", "whitespace collapsed only"


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


Pairs = tuple[tuple[str, str], ...]
_CACHE: OrderedDict[tuple[str, str, Pairs], str] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_MAX_CHARS = 2_000_000
#: Above this many characters in a reference and an answer together, the reference is normalised in a
#: helper process while this one normalises the answer: Whisper's normaliser is pure Python (about
#: 0.9 s per 100,000 words), and the two texts are independent. Below it, the hand-off costs more.
PARALLEL_MIN_CHARS = 200_000


def _apply(text: str, name: str, pairs: Pairs) -> str:
    function = get(name)
    return substitute(function(text), {function(k): function(v) for k, v in pairs})


def clear_cache() -> None:
    _CACHE.clear()


def _remember(key: tuple[str, str, Pairs], value: str) -> None:
    if len(key[0]) <= _CACHE_MAX_CHARS:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)


def normalise(text: str, name: str, substitutions: Mapping[str, str] | None = None) -> str:
    """Normalise ``text``, then apply ``substitutions`` (whose keys and values go through the same
    normaliser first, so ``{"OK": "okay"}`` works with ``basic``). References repeat across trials,
    so results are cached."""
    key = (text, name, tuple(sorted((substitutions or {}).items())))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    value = _apply(*key)
    _remember(key, value)
    return value


@functools.lru_cache(maxsize=1)
def _helper() -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=1, mp_context=context)


def normalise_pair(
    reference: str, answer: str, name: str, substitutions: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """``normalise`` both texts; long uncached ones are normalised side by side on two cores."""
    key = (reference, name, tuple(sorted((substitutions or {}).items())))
    parallel = (
        name != "none"
        and key not in _CACHE
        and len(reference) + len(answer) >= PARALLEL_MIN_CHARS
        and (os.cpu_count() or 1) > 1
    )
    if not parallel:
        return normalise(reference, name, substitutions), normalise(answer, name, substitutions)
    try:
        future = _helper().submit(_apply, *key)
    except (OSError, RuntimeError):  # no helper process to be had: do both here
        return normalise(reference, name, substitutions), normalise(answer, name, substitutions)
    answer_n = normalise(answer, name, substitutions)
    try:
        reference_n = future.result()
    except (BrokenProcessPool, OSError):
        reference_n = _apply(*key)
    _remember(key, reference_n)
    return reference_n, answer_n
