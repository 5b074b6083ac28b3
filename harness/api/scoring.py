"""The scorer interface: what a scorer plugin implements, and what it is given."""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from harness.api.provider import MediaRef, ProviderRequest
from harness.log.records import MetricKind, MetricRole, Output, RatioOfSums, Reason, ScoreResult, Usage


class ScorerOptions(BaseModel):
    """Base for a scorer's options. Unknown keys are errors, reported at validate time with file:line.

    String options that contain ``{{`` are rendered with the case's variables before scoring
    (use ``ctx.render``). A docstring under a field is its description in ``harness schema`` (editors show it).
    """

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


@dataclass
class Score:
    """What a scorer returns; the core adds scorer name, metric, weight and turn."""

    value: float | None
    passed: bool | None
    details: dict[str, Any] = field(default_factory=dict)
    #: Why it failed: what was measured, the limit or expectation, what was got (give it whenever passed is
    #: False; reports, the terminal and pytest print its sentence).
    reason: Reason | None = None


@dataclass
class Forecast:
    """What a scorer expects of an answer before the call (``harness validate`` prints it): the budgets its
    estimated usage would break. (Prices are the provider's: ``Provider.cost_usd``.)"""

    #: Budgets the usage would break, each in words ("audio_tokens ~352 > max 300").
    breaks: list[str] = field(default_factory=list)


@dataclass
class CheckContext:
    """What a scorer may use for its validate-time checks (fields are only ever added)."""

    suite_dir: Path
    #: Resolve a path named in the suite (confined to the suite's folder unless the user allowed more).
    resolve_path: Callable[[str], Path]
    #: True when the user opted in to running Python code from the suite (--allow-python).
    allow_python: bool = False


@dataclass
class ScoreContext:
    """Everything a scorer may look at for one answer."""

    output: Output
    #: The case's variables (after loading), plus ``case_id`` etc. are on the attributes below.
    vars: dict[str, Any]
    case_id: str
    prompt_id: str
    model: str
    config: dict[str, Any]
    #: The rendered prompt text of the judged turn, and the system instruction.
    prompt: str
    system_instruction: str | None
    media: list[MediaRef]
    #: The turn being judged (0-based) for chat cases, else None.
    turn: int | None
    suite_dir: Path
    #: Render a template string with the case's variables (sandboxed, StrictUndefined).
    render: Callable[[str], str]
    #: Resolve a path named in the suite (confined to the suite's folder unless allowed).
    resolve_path: Callable[[str], Path]
    #: Make a model call through the run's provider (retried and cached like any call).
    generate: Callable[[ProviderRequest], Awaitable[Output]]
    #: True when the user opted in to running Python code from the suite (--allow-python).
    allow_python: bool = False
    #: Other scores already computed for this answer.
    previous: list[ScoreResult] = field(default_factory=list)
    #: Every answer of the conversation up to and including the judged one (one item for single-turn
    #: cases), e.g. to count the cost of a whole chat.
    outputs: list[Output] = field(default_factory=list)


class Scorer(abc.ABC):
    """A scorer. ``Options`` validates the YAML; ``score`` judges one answer."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    Options: ClassVar[type[ScorerOptions]] = ScorerOptions
    #: The option that a one-value shorthand fills, e.g. ``- contains: dog`` -> {"contains": "dog"}
    #: when the scorer is ``text``; None when the scorer has no shorthand.
    shorthand: ClassVar[str | None] = None
    #: Whether a larger value is better (a pass rate, a judge's score) or worse (WER, latency, cost);
    #: reports use it to mark baseline deltas as improvements or regressions.
    higher_is_better: ClassVar[bool] = True
    #: What the values are (see ``MetricKind``); decides the interval and the paired test (docs/statistics.md).
    metric_kind: ClassVar[MetricKind] = "continuous"
    #: ``cost`` for cost, token and latency measures: compared apart from quality, never headlined.
    metric_role: ClassVar[MetricRole] = "quality"
    #: A corpus-level ratio of sums over the score details (None: the mean is the headline figure).
    corpus: ClassVar[RatioOfSums | None] = None
    #: For a categorical metric: the details key holding each answer's class (e.g. "finish_reason").
    category_key: ClassVar[str | None] = None

    def __init__(self, options: ScorerOptions) -> None:
        self.options = options

    def check(self, ctx: CheckContext) -> list[str]:
        """Extra validate-time checks (files exist, opt-ins given). Return messages; empty = fine."""
        return []

    def default_metric(self) -> str:
        """The metric name when the suite does not give one."""
        return self.name

    def forecast(self, model: str, usage: Usage) -> Forecast | None:
        """Before any call: the budgets ``usage`` (the provider's estimate of the prompt; ``output_tokens`` is
        None, the answer being unknown) would break. None (the default): this scorer sets no budget."""
        return None

    @abc.abstractmethod
    async def score(self, ctx: ScoreContext) -> Score:
        """Judge one answer."""

    @classmethod
    def aggregate(cls, results: list[ScoreResult]) -> dict[str, float]:
        """Summary figures for one metric over many trials (one model/config).

        The default is the mean value. A scorer overrides it for corpus-level figures (e.g. WER as
        total errors / total reference words) or totals (cost).
        """
        values = [r.value for r in results if r.value is not None]
        return {"mean": sum(values) / len(values)} if values else {}
