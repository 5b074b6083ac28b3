"""Failure reasons as sentences: the one place that turns what was measured into words.

``wer 0.67 > max 0.6``, ``output_tokens 38 > max 5``, ``/speaker_count: expected 1, got 0``,
``finish_reason: expected STOP, got MAX_TOKENS``. Every consumer prints these strings as they are stored.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.log.records import Reason

#: Longest shown value (answers and JSON values are cut with an ellipsis), and longest note.
MAX_VALUE = 80
MAX_NOTE = 200


def value_text(value: Any) -> str:
    """A value as a reason shows it: numbers with at most four significant digits, enums bare, text quoted."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, (list, tuple)):
        return " or ".join(value_text(v) for v in value) if value else "nothing"
    if isinstance(value, str):
        bare = value and len(value) <= 40 and all(c.isalnum() or c in "_-./:" for c in value)
        text = value if bare else json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def number_text(value: float) -> str:
    """At most four significant digits; an exponent only below 1e-4 (so tiny costs read 1.25e-06)."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    magnitude = abs(value)
    if magnitude < 1e-4:
        return f"{value:.3g}"
    digits = max(0, 3 - math.floor(math.log10(magnitude)))
    return f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".")


def join_reasons(reasons: list[Reason]) -> Reason | None:
    """Several failures of one score as one reason: the first, with the others' sentences as its note."""
    if not reasons:
        return None
    first = reasons[0]
    if len(reasons) == 1:
        return first
    others = "; ".join(r.text for r in reasons[1:])
    note = f"{first.note}; and {others}" if first.note else f"and {others}"
    return type(first)(**first.model_dump(exclude={"text", "note"}), note=note)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sentence(reason: Reason) -> str:
    """The sentence of a reason, from its parts."""
    note = _cut(reason.note, MAX_NOTE) if reason.note else None
    if reason.op is not None:
        limit = f"{reason.limit} " if reason.limit else ""
        text = f"{reason.measured} {value_text(reason.got)} {reason.op} {limit}{value_text(reason.expected)}"
    elif reason.expected is not None:
        text = f"{reason.measured}: expected {value_text(reason.expected)}, got {value_text(reason.got)}"
    else:
        # Nothing to compare with: what was got (if anything), and the note or plainly "failed".
        head = reason.measured if reason.got is None else f"{reason.measured} {value_text(reason.got)}"
        return f"{head}: {note}" if note else f"{head} failed"
    return f"{text} ({note})" if note else text
