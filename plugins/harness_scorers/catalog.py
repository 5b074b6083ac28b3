"""Every built-in scorer class, in the order ``harness plugins`` lists them."""

from __future__ import annotations

from harness.api import Scorer
from harness_scorers.finish_reason import FinishReasonScorer
from harness_scorers.jsonvalid import JsonScorer
from harness_scorers.judge import JudgeScorer
from harness_scorers.latency import LatencyScorer
from harness_scorers.pyfunc import PythonScorer
from harness_scorers.text import TextScorer
from harness_scorers.tokens import TokensScorer
from harness_scorers.wer import CerScorer, MerScorer, WerScorer, WilScorer

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
