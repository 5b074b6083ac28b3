"""Word-level differences between two texts (answers, prompts), for the watch diff and the viewer.

One owner: every consumer that shows a changed answer or prompt word by word uses :func:`word_diff`.
"""

from __future__ import annotations

import difflib
import re
from typing import Literal

Op = Literal["equal", "delete", "insert"]
_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> list[tuple[Op, str]]:
    """``before`` -> ``after`` as runs of equal, deleted and inserted text (white space kept, so joining the
    equal and deleted runs gives ``before`` back, and the equal and inserted runs ``after``)."""
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    out: list[tuple[Op, str]] = []

    def add(op: Op, words: list[str]) -> None:
        if not words:
            return
        text = "".join(words)
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    # Exact matching is quadratic; very long texts let difflib skip popular tokens instead.
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=len(a) * len(b) > 4_000_000)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return out


def marked(diff: list[tuple[Op, str]]) -> str:
    """A diff as plain text: ``[-deleted-]`` and ``{+inserted+}`` (as ``git diff --word-diff`` writes it)."""
    parts = []
    for op, text in diff:
        parts.append(text if op == "equal" else f"[-{text}-]" if op == "delete" else f"{{+{text}+}}")
    return "".join(parts)
