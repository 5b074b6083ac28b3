"""How each metric was computed, as its scorer said: the distinct ``details["method"]`` texts per metric."""

from __future__ import annotations

from harness.api import RunResults


def scoring_methods(results: RunResults) -> list[tuple[str, str]]:
    """(metric, method) pairs in first-seen order, each once; scores without a ``method`` are left out."""
    seen: dict[tuple[str, str], None] = {}
    for trial in results.trials:
        for score in trial.scores:
            text = score.details.get("method")
            if isinstance(text, str) and text:
                seen.setdefault((score.metric, text), None)
    return list(seen)
