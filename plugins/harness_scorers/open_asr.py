"""The Open ASR Leaderboard's English normaliser as of 2026 (normaliser ``open_asr_2026``).

It reproduces ``EnglishTextNormalizer`` of huggingface/open_asr_leaderboard (``normalizer/normalizer.py``) at
``LEADERBOARD_COMMIT``, step for step, in this order: lower-case; drop ``[...]``/``<...>`` and ``(...)``;
drop fillers; expand contractions and titles (``'s`` only after the pronouns and question words listed in
``_CONTRACTIONS``: after a noun it later becomes a separate ``s``); drop commas between digits and periods not
before a digit; symbols and diacritics out (keeping ``. % $ ¢ € £`` for numbers); join listed compounds
(``e mail`` -> ``email``, ``o k`` -> ``okay``); spelled numbers to digits (Whisper's number normaliser);
British -> American spelling; name variants -> one spelling; runs of single letters or digits joined
(``b b c`` -> ``bbc``; a run holding ``a`` or ``i`` needs three); leftover symbols out; whitespace collapsed.

Where the leaderboard's code is Whisper's unchanged (the number normaliser) this module uses the
``whisper-normalizer`` package; its word tables are data files in ``data/open_asr_2026/`` (Apache-2.0,
source inside). Rules are applied to the whole text in the leaderboard's order, so the output is the same
string, including on texts these rules were not written for.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The leaderboard commit whose normaliser and scoring this module reproduces.
LEADERBOARD_REPO = "huggingface/open_asr_leaderboard"
LEADERBOARD_COMMIT = "d1e99b25524814332d6868a5645e568670834cfb"
LEADERBOARD_DATE = "2026-08-21"
DATA = Path(__file__).resolve().parent / "data" / "open_asr_2026"

_BRACKETS = re.compile(r"[<\[][^>\]]*[>\]]")
_PARENTHESES = re.compile(r"\(([^)]+?)\)")
_FILLERS = re.compile(r"\b(hmm|mm|mhm|mmm|uh|um|ah|aha|ahh|ahm|eh|ehehe|em|hm|huh|hum|mhum|uhm|umm|uhuh)\b")
_SPACE_APOSTROPHE = re.compile(r"\s+'")
_DIGIT_COMMA = re.compile(r"(\d),(\d)")
_PERIOD = re.compile(r"\.([^0-9]|$)")
_LOOSE_PREFIX = re.compile(r"[.$¢€£]([^0-9])")
_LOOSE_PERCENT = re.compile(r"([^0-9])%")
#: Kept through symbol removal, for the number normaliser.
_KEEP = ".%$¢€£"

#: Applied one after another, in this order (a later rule sees the earlier ones' output).
_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bwon't\b", "will not"),
    (r"\bcan't\b", "can not"),
    (r"\blet's\b", "let us"),
    (r"\bain't\b", "aint"),
    (r"\by'all\b", "you all"),
    (r"\bwanna\b", "want to"),
    (r"\bgotta\b", "got to"),
    (r"\bgonna\b", "going to"),
    (r"\bi'ma\b", "i am going to"),
    (r"\bimma\b", "i am going to"),
    (r"\bwoulda\b", "would have"),
    (r"\bcoulda\b", "could have"),
    (r"\bshoulda\b", "should have"),
    (r"\bma'am\b", "madam"),
    (r"\bmr\b", "mister "),
    (r"\bmrs\b", "missus "),
    (r"\bst\b", "saint "),
    (r"\bdr\b", "doctor "),
    (r"\bprof\b", "professor "),
    (r"\bcapt\b", "captain "),
    (r"\bgov\b", "governor "),
    (r"\bald\b", "alderman "),
    (r"\bgen\b", "general "),
    (r"\bsen\b", "senator "),
    (r"\brep\b", "representative "),
    (r"\bpres\b", "president "),
    (r"\brev\b", "reverend "),
    (r"\bhon\b", "honorable "),
    (r"\basst\b", "assistant "),
    (r"\bassoc\b", "associate "),
    (r"\blt\b", "lieutenant "),
    (r"\bcol\b", "colonel "),
    (r"\bjr\b", "junior "),
    (r"\bsr\b", "senior "),
    (r"\besq\b", "esquire "),
    (r"'d been\b", " had been"),
    (r"'s been\b", " has been"),
    (r"'d gone\b", " had gone"),
    (r"'s gone\b", " has gone"),
    (r"'d done\b", " had done"),
    (r"'s got\b", " has got"),
    (r"n't\b", " not"),
    (r"'re\b", " are"),
    (r"\b(it|he|she|what|that|who|here|there|how|when|where|why|this)'s\b", r"\1 is"),
    (r"'d\b", " would"),
    (r"'ll\b", " will"),
    (r"'t\b", " not"),
    (r"'ve\b", " have"),
    (r"'m\b", " am"),
)

#: Letters that NFKD does not split off (Whisper's table).
_LETTERS = {
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "æ": "ae",
    "Æ": "AE",
    "ß": "ss",
    "ẞ": "SS",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "th",
    "ł": "l",
    "Ł": "L",
}


class _SymbolTable(dict[int, str]):
    """``str.translate`` table: a kept symbol stays, a listed letter is spelled out, a combining mark goes,
    any other mark, symbol or punctuation becomes a space. Filled in as characters are met."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in _KEEP:
            value = char
        elif char in _LETTERS:
            value = _LETTERS[char]
        else:
            category = unicodedata.category(char)
            value = "" if category == "Mn" else " " if category[0] in "MSP" else char
        self[code] = value
        return value


_SYMBOLS = _SymbolTable()


def remove_symbols_and_diacritics(text: str) -> str:
    """NFKD, then each character through ``_SymbolTable`` (Whisper's rule, with ``_KEEP`` kept)."""
    return unicodedata.normalize("NFKD", text).translate(_SYMBOLS)


def _table(name: str) -> dict[str, str]:
    table: dict[str, str] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return table


def _word_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"\b" + r"\s+".join(re.escape(word) for word in phrase.split()) + r"\b")


Substitutions = tuple[tuple[re.Pattern[str], str], ...]


@dataclass(frozen=True)
class _Rules:
    contractions: Substitutions
    compounds: Substitutions
    #: Spelling first, then names, word by word: one lookup does both.
    words: dict[str, str]
    numbers: Any  # whisper_normalizer.english.EnglishNumberNormalizer


@functools.lru_cache(maxsize=1)
def _rules() -> _Rules:
    from whisper_normalizer.english import EnglishNumberNormalizer

    spellings, names = _table("spellings.json"), _table("names.json")
    return _Rules(
        contractions=tuple((re.compile(pattern), replacement) for pattern, replacement in _CONTRACTIONS),
        compounds=tuple((_word_pattern(phrase), word) for phrase, word in _table("compounds.json").items()),
        words={word: names.get(spellings.get(word, word), spellings.get(word, word)) for word in {*spellings, *names}},
        numbers=EnglishNumberNormalizer(),
    )


_NUMERIC = re.compile(r"\d+(\.\d+)?")
#: Stretches of at least this many words the number normaliser cannot change are passed by, not through it.
PLAIN_STRETCH = 16


def spell_numbers(numbers: Any, text: str) -> str:
    """``numbers(text)`` (Whisper's ``EnglishNumberNormalizer``), faster on long texts: its word loop skips long
    stretches of words it cannot change. A word outside its vocabulary, not numeric and not starting with a
    sign or currency symbol passes through that loop unchanged, flushes any pending number first, and leaves
    no state behind; as a neighbour it counts only as "not a number word", exactly like the text's start or
    end. So the loop can run part by part, each part from one number-like word to the last one before a
    stretch of ``PLAIN_STRETCH`` other words, with the stretches between passed through as they are."""
    words = numbers.preprocess(text).split()
    vocabulary, prefixes = numbers.words, numbers.prefixes
    marked = [i for i, w in enumerate(words) if w in vocabulary or w[0] in prefixes or _NUMERIC.fullmatch(w)]
    out: list[str] = []
    done = 0  # words[:done] are in ``out``
    k = 0
    while k < len(marked):
        start = last = marked[k]
        k += 1
        while k < len(marked) and marked[k] - last <= PLAIN_STRETCH:
            last = marked[k]
            k += 1
        out.extend(words[done:start])
        done = last + 1
        out.extend(word for word in numbers.process_words(words[start:done]) if word is not None)
    out.extend(words[done:])
    result: str = numbers.postprocess(" ".join(out))
    return result


def join_single_characters(words: list[str]) -> list[str]:
    """Runs of one-character letters or digits become one word (``b b c`` -> ``bbc``, ``5 g`` -> ``5g``);
    a run that holds ``a`` or ``i`` is joined only from three characters on."""
    out: list[str] = []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and len(words[j]) == 1 and words[j].isalnum():
            j += 1
        if j == i:
            out.append(words[i])
            i += 1
            continue
        run = words[i:j]
        if len(run) >= (3 if "a" in run or "i" in run else 2):
            out.append("".join(run))
        else:
            out.extend(run)
        i = j
    return out


def normalise(text: str) -> str:
    """The leaderboard's ``EnglishTextNormalizer()(text)``, with the result's whitespace collapsed and trimmed."""
    rules = _rules()
    s = text.lower()
    s = _BRACKETS.sub("", s)
    s = _PARENTHESES.sub("", s)
    s = _FILLERS.sub("", s)
    s = _SPACE_APOSTROPHE.sub("'", s)
    for pattern, replacement in rules.contractions:
        s = pattern.sub(replacement, s)
    s = _DIGIT_COMMA.sub(r"\1\2", s)
    s = _PERIOD.sub(r" \1", s)
    s = remove_symbols_and_diacritics(s)
    for pattern, word in rules.compounds:
        s = pattern.sub(word, s)
    s = spell_numbers(rules.numbers, s)
    s = " ".join(join_single_characters([rules.words.get(word, word) for word in s.split()]))
    s = _LOOSE_PREFIX.sub(r" \1", s)
    s = _LOOSE_PERCENT.sub(r"\1 ", s)
    return " ".join(s.split())
