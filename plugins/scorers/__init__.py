"""Built-in scorers: wer/cer/mer/wil, json, tokens, text, latency, finish_reason, judge and python."""

from __future__ import annotations

from collections.abc import Callable

from harness import hookimpl
from harness.scoring import Scorer
from plugins.scorers.finish_reason import FinishReasonScorer
from plugins.scorers.jsonvalid import JsonScorer
from plugins.scorers.judge import JudgeScorer
from plugins.scorers.latency import LatencyScorer
from plugins.scorers.pyfunc import PythonScorer
from plugins.scorers.text import TextScorer
from plugins.scorers.tokens import TokensScorer
from plugins.scorers.wer import CerScorer, MerScorer, WerScorer, WilScorer

SCORERS: tuple[type[Scorer], ...] = (
    WerScorer,
    CerScorer,
    MerScorer,
    WilScorer,
    JsonScorer,
    TokensScorer,
    TextScorer,
    LatencyScorer,
    FinishReasonScorer,
    JudgeScorer,
    PythonScorer,
)


@hookimpl
def register_scorers(register: Callable[..., None]) -> None:
    for scorer in SCORERS:
        register(scorer)
