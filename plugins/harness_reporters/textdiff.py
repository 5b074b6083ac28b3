"""A word-level diff of two texts (the baseline's prompt and this run's), with the standard library's difflib.

The result is a list of runs ``[op, old, new]``: ``"="`` (the same text, ``new`` omitted), ``"-"`` (only in the
old text), ``"+"`` (only in the new one) and ``"~"`` (replaced). Words keep the whitespace that follows them, so
joining the old (or the new) sides gives back the old (or the new) text exactly.
"""

from __future__ import annotations

import difflib
import re

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
#: Texts longer than this (in tokens) are compared line by line instead: difflib is quadratic at worst.
MAX_TOKENS = 20_000


def _tokens(text: str) -> list[str]:
    if len(text) > MAX_TOKENS * 4:
        return text.splitlines(keepends=True)
    return _TOKENS.findall(text)


def word_diff(old: str, new: str) -> list[list[str]]:
    a, b = _tokens(old), _tokens(new)
    runs: list[list[str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            runs.append(["=", before])
        elif tag == "delete":
            runs.append(["-", before, ""])
        elif tag == "insert":
            runs.append(["+", "", after])
        else:
            runs.append(["~", before, after])
    return runs
