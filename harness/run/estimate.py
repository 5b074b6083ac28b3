"""What a plan would take, before any call: the one place calls are estimated and priced.

Each distinct request is estimated once by the provider (``Provider.estimate``: input tokens from the text and
media, output tokens up to max_output_tokens) and priced by it (``Provider.cost_usd``, online and at the Batch
API's rate). Two views of the same figures:

- ``estimate_cost``: the upper bound of the spend (every answer as long as allowed) that ``--max-cost`` is
  checked against at validate time. Cached and shorter answers make the real cost lower, never higher.
- ``estimate``: what ``harness validate`` prints: per model and config, trials, calls, input tokens by
  modality (``--count-tokens`` asks the API instead), the cost of the input and the upper bound, online and
  batch, and the budgets the scorers say the input would break (``Scorer.forecast``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from harness.api.provider import CallEstimate, Provider, ProviderRequest
from harness.log.records import Output, Usage
from harness.run.planning import PlannedTrial

#: Counts the prompt tokens of many requests through the API, in one go (``--count-tokens``).
Counter = Callable[[list[ProviderRequest]], list[int | None]]


@dataclass
class CostEstimate:
    usd: float = 0.0
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    #: Models whose calls have no price (left out of ``usd``), with how many calls each.
    unpriced: dict[str, int] = field(default_factory=dict)

    def breakdown(self) -> str:
        return f"{self.calls:,} calls, up to {self.input_tokens:,} input and {self.output_tokens:,} output tokens"


@dataclass
class EstimateRow:
    model: str
    config_id: str
    trials: int = 0
    calls: int = 0
    input_tokens: int = 0
    by_modality: dict[str, int] = field(default_factory=dict)
    #: The input alone (the output is not known), and with every answer as long as it may be; online and batch.
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
    #: Always True: every provider estimates (the default counts text); kept for readers of the table.
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


@dataclass
class _Call:
    trial: PlannedTrial
    request: ProviderRequest
    estimate: CallEstimate
    #: Whether the input was counted by the API.
    counted: bool = False


def _calls(provider: type[Provider], trials: list[PlannedTrial], counter: Counter | None = None) -> Iterator[_Call]:
    """Every call of the plan (a chat makes one per turn), each distinct request estimated once."""
    known: dict[str, tuple[ProviderRequest, CallEstimate]] = {}
    order: list[tuple[PlannedTrial, str]] = []
    for trial in trials:
        for turn in range(len(trial.turns)):
            request = trial.request(turn, [Output(text="") for _ in range(turn)])
            key = request.model_dump_json(exclude={"trial_id", "case_id", "prompt_id", "config_id", "repeat"})
            if key not in known:
                known[key] = (request, provider.estimate(request))
            order.append((trial, key))
    counted: dict[str, int] = {}
    if counter is not None:
        keys = list(known)
        for key, tokens in zip(keys, counter([known[k][0] for k in keys]), strict=True):
            if tokens is not None:
                counted[key] = tokens
    for trial, key in order:
        request, call = known[key]
        if key in counted:
            call = CallEstimate(counted[key], call.output_tokens, dict(call.by_modality))
        yield _Call(trial, request, call, key in counted)


def _usage(call: CallEstimate, with_output: bool) -> Usage:
    output = call.output_tokens if with_output else 0
    return Usage(
        prompt_tokens=call.input_tokens,
        output_tokens=output,
        total_tokens=call.input_tokens + output,
        prompt_by_modality=dict(call.by_modality),
    )


def estimate_cost(provider: type[Provider], trials: list[PlannedTrial]) -> CostEstimate:
    """The upper bound of what calling every planned trial costs."""
    found = CostEstimate()
    for call in _calls(provider, trials):
        usd = provider.cost_usd(call.request.model, _usage(call.estimate, True))
        found.calls += 1
        found.input_tokens += call.estimate.input_tokens
        found.output_tokens += call.estimate.output_tokens
        if usd is None:
            found.unpriced[call.request.model] = found.unpriced.get(call.request.model, 0) + 1
        else:
            found.usd += usd
    return found


def _add(total: float | None, part: float | None) -> float | None:
    if part is None:
        return total
    return part if total is None else total + part


def estimate(provider: type[Provider], trials: list[PlannedTrial], counter: Counter | None = None) -> Estimate:
    """Per model and config: trials, calls, input tokens, costs, and the budgets the input would break."""
    rows: dict[tuple[str, str], EstimateRow] = {}
    breaks: dict[tuple[str, str], None] = {}
    seen_trials: set[str] = set()
    prices: dict[tuple[str, str, bool, bool], float | None] = {}

    def price(call: _Call, with_output: bool, batch: bool) -> float | None:
        key = (call.request.model, repr(call.estimate), with_output, batch)
        if key not in prices:
            prices[key] = provider.cost_usd(call.request.model, _usage(call.estimate, with_output), batch)
        return prices[key]

    for call in _calls(provider, trials, counter):
        trial = call.trial
        row = rows.setdefault((trial.model, trial.config_id), EstimateRow(trial.model, trial.config_id))
        if trial.id not in seen_trials:
            seen_trials.add(trial.id)
            row.trials += 1
        row.calls += 1
        row.counted = row.counted or call.counted
        row.input_tokens += call.estimate.input_tokens
        for kind, tokens in call.estimate.by_modality.items():
            row.by_modality[kind] = row.by_modality.get(kind, 0) + tokens
        row.cost_usd = _add(row.cost_usd, price(call, False, False))
        row.cost_max_usd = _add(row.cost_max_usd, price(call, True, False))
        row.batch_cost_usd = _add(row.batch_cost_usd, price(call, False, True))
        row.batch_max_usd = _add(row.batch_max_usd, price(call, True, True))
        floor = _usage(call.estimate, False).model_copy(update={"output_tokens": None})
        for spec in [*trial.scorers, *(s for t in trial.turns for s in t.expect)]:
            said = spec.scorer.forecast(trial.model, floor)
            for text in said.breaks if said is not None else []:
                where = f"{spec.file}:{spec.line}" if spec.line else str(spec.file)
                breaks[(where, f"case '{trial.case_id}' [{trial.model} · {trial.config_id}]: {text}")] = None
    return Estimate(list(rows.values()), list(breaks))
