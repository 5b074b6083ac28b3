"""What a run would take, before any call: trials, calls, input tokens and cost per model and config, and the
budgets it would break (``harness validate`` prints it).

The provider estimates each request's prompt tokens (``Provider.estimate_usage``; with ``--count-tokens`` it
asks the API instead); scorers price them and name the budgets they would break (``Scorer.forecast``): the
suite's own scorers first, so a suite's price overrides count, else any installed scorer that prices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from harness.api.host import PluginHost
from harness.api.provider import ProviderRequest
from harness.api.scoring import Forecast, Scorer
from harness.log.records import Output, Usage
from harness.run.planning import PlannedTrial
from harness.suite.loader import LoadedSuite
from harness.suite.scorers import ScorerSpec

#: Counts the prompt tokens of many requests through the API, in one go (``--count-tokens``).
Counter = Callable[[list[ProviderRequest]], list[int | None]]


@dataclass
class EstimateRow:
    model: str
    config_id: str
    trials: int = 0
    calls: int = 0
    input_tokens: int = 0
    by_modality: dict[str, int] = field(default_factory=dict)
    #: Input only (the output is not known), and with every answer as long as max_output_tokens allows.
    cost_usd: float | None = None
    cost_max_usd: float | None = None
    batch_cost_usd: float | None = None
    batch_max_usd: float | None = None
    #: True when the input tokens were counted by the API (``--count-tokens``), not estimated.
    counted: bool = False


@dataclass
class Estimate:
    rows: list[EstimateRow]
    #: Budgets the run would break: (where the scorer is configured, what it says).
    breaks: list[tuple[str, str]]
    #: False when the provider gives no estimate (then only trials and calls are known).
    estimated: bool = True

    @property
    def trials(self) -> int:
        return sum(r.trials for r in self.rows)

    @property
    def calls(self) -> int:
        return sum(r.calls for r in self.rows)

    @property
    def input_tokens(self) -> int:
        return sum(r.input_tokens for r in self.rows)


def _pricers(loaded: LoadedSuite, host: PluginHost) -> list[Scorer]:
    """Scorers that price usage: the suite's own (their options, e.g. price overrides, apply), else defaults."""
    overridden = [spec.scorer for spec in _all_specs(loaded) if type(spec.scorer).forecast is not Scorer.forecast]
    if overridden:
        return overridden[:1]
    found = []
    for cls in host.scorers.items.values():
        if cls.forecast is not Scorer.forecast:
            try:
                found.append(cls(cls.Options()))
            except ValueError:
                continue
    return found[:1]


def _all_specs(loaded: LoadedSuite) -> list[ScorerSpec]:
    specs = list(loaded.scorers)
    for case in loaded.cases:
        specs += case.expect
        for turn in case.turn_expect:
            specs += turn
    return specs


def _add(total: float | None, part: float | None) -> float | None:
    if part is None:
        return total
    return part if total is None else total + part


def estimate(
    loaded: LoadedSuite, trials: list[PlannedTrial], host: PluginHost, counter: Counter | None = None
) -> Estimate:
    """The estimate of running ``trials`` (no model call, unless ``counter`` counts tokens through the API)."""
    provider = loaded.provider_cls
    options = loaded.suite.provider_options
    pricers = _pricers(loaded, host)
    requests: dict[tuple[str, str, str, str, int], ProviderRequest] = {}
    for trial in trials:
        for turn in range(len(trial.turns)):
            key = (trial.case_id, trial.prompt_id, trial.model, trial.config_id, turn)
            if key not in requests:
                requests[key] = trial.request(turn, [Output(text="") for _ in range(turn)])
    usages = {key: provider.estimate_usage(request, options) for key, request in requests.items()}
    counted = dict(zip(requests, counter(list(requests.values())), strict=True)) if counter else {}
    for key, tokens in counted.items():
        if tokens is not None:
            usages[key] = (usages[key] or Usage()).model_copy(update={"prompt_tokens": tokens})
    rows: dict[tuple[str, str], EstimateRow] = {}
    breaks: dict[tuple[str, str], None] = {}
    estimated = True
    for trial in trials:
        row = rows.setdefault((trial.model, trial.config_id), EstimateRow(trial.model, trial.config_id))
        row.trials += 1
        for turn in range(len(trial.turns)):
            row.calls += 1
            key = (trial.case_id, trial.prompt_id, trial.model, trial.config_id, turn)
            row.counted = row.counted or counted.get(key) is not None
            usage = usages[key]
            if usage is None:
                estimated = False
                continue
            row.input_tokens += usage.prompt_tokens or 0
            for kind, tokens in usage.prompt_by_modality.items():
                row.by_modality[kind] = row.by_modality.get(kind, 0) + tokens
            _price(row, trial, usage, pricers, breaks)
    return Estimate(list(rows.values()), list(breaks), estimated)


def _price(
    row: EstimateRow, trial: PlannedTrial, usage: Usage, pricers: list[Scorer], breaks: dict[tuple[str, str], None]
) -> None:
    floor = usage.model_copy(update={"output_tokens": None})
    for pricer in pricers:
        low: Forecast | None = pricer.forecast(trial.model, floor)
        high = pricer.forecast(trial.model, usage) if usage.output_tokens is not None else low
        if low is not None and low.cost_usd is not None:
            row.cost_usd = _add(row.cost_usd, low.cost_usd)
            row.batch_cost_usd = _add(row.batch_cost_usd, low.batch_cost_usd)
        if high is not None and high.cost_usd is not None:
            row.cost_max_usd = _add(row.cost_max_usd, high.cost_usd)
            row.batch_max_usd = _add(row.batch_max_usd, high.batch_cost_usd)
    for spec in [*trial.scorers, *(s for t in trial.turns for s in t.expect)]:
        said = spec.scorer.forecast(trial.model, floor)
        for text in said.breaks if said is not None else []:
            where = f"{spec.file}:{spec.line}" if spec.line else str(spec.file)
            breaks[(where, f"case '{trial.case_id}' [{trial.model} · {trial.config_id}]: {text}")] = None
