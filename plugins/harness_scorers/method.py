"""How an error-rate figure was computed, said once: the ``method`` and related keys of the scorer's details.

Reports show ``method`` beside the figures (the HTML report and summary.md list each metric's methods), and
results.json keeps it with every trial, so a WER can always be traced to its normaliser (name and version),
its counting rule and, for the leaderboard's own recipe, the Open ASR Leaderboard commit it reproduces.
"""

from __future__ import annotations

import functools
from typing import Any

from harness_scorers import compounds, normalisers, open_asr

FORMULAS = {
    "wer": "(S + D + I) / N",
    "cer": "(S + D + I) / N",
    "mer": "(S + D + I) / (H + S + D + I)",
    "wil": "1 - (H / N) * (H / P)",
}
PLAIN = "edit distance, each substitution, deletion and insertion costs 1 (as jiwer 4)"
MERGED = (
    f"kaldialign {compounds.KALDIALIGN_VERSION} edit distance with merge_compounds=True "
    "(adjacent words that spell one word of the other text when joined are a match)"
)


@functools.lru_cache(maxsize=64)
def _describe(measure: str, unit: str, normaliser: str, merge_compounds: bool, substitutions: bool) -> dict[str, Any]:
    version, what = normalisers.describe(normaliser)
    counting = MERGED if merge_compounds else PLAIN
    text = (
        f"{measure.upper()} = {FORMULAS[measure]} over {unit}s; normaliser {normaliser} ({what}, {version})"
        + ("; then the suite's substitutions" if substitutions else "")
        + f"; {counting}"
    )
    out: dict[str, Any] = {"normaliser_version": version, "merge_compounds": merge_compounds}
    leaderboard = measure == "wer" and normaliser == "open_asr_2026" and merge_compounds and not substitutions
    if leaderboard:
        out["leaderboard_commit"] = f"{open_asr.LEADERBOARD_REPO}@{open_asr.LEADERBOARD_COMMIT}"
        text += f"; the Open ASR Leaderboard's score_results at {out['leaderboard_commit']}"
    out["method"] = text
    return out


def describe(measure: str, unit: str, normaliser: str, merge_compounds: bool, substitutions: bool) -> dict[str, Any]:
    """``method`` (one sentence), ``normaliser_version``, ``merge_compounds`` and, only when the figure is the
    leaderboard's (WER, ``open_asr_2026``, compounds merged, no substitutions), ``leaderboard_commit``."""
    return dict(_describe(measure, unit, normaliser, merge_compounds, substitutions))
