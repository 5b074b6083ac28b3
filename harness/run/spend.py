"""What a run spends: the running check behind ``--max-cost`` / the suite's ``budget:``, and the estimate of a
whole plan (``estimate_run_cost``, for a check before anything runs).

Costs come from the provider (``Provider.cost_usd``: it knows its prices and its batch rate); the estimate of a
call from ``Provider.estimate`` (input tokens from the request, output tokens from ``max_output_tokens``). A call
starts only when what was spent plus the estimates of the calls in flight plus its own estimate stays within the
cap, so a run never knowingly passes it; what a call really cost replaces its estimate when it returns.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from harness.api.provider import CallEstimate, Provider, ProviderRequest
from harness.log.records import Output, Usage
from harness.run.planning import PlannedTrial

#: What ``Spend.admit`` says when only the calls in flight stand in the way.
WAIT = "wait"


def estimated_cost(provider: type[Provider], model: str, estimate: CallEstimate, batch: bool = False) -> float | None:
    usage = Usage(
        prompt_tokens=estimate.input_tokens,
        output_tokens=estimate.output_tokens,
        total_tokens=estimate.input_tokens + estimate.output_tokens,
    )
    return provider.cost_usd(model, usage, batch)


@dataclass
class Spend:
    provider: type[Provider]
    #: The cap in USD (None: no cap, costs are still counted).
    cap: float | None = None
    batch: bool = False
    spent: float = 0.0
    #: Calls whose model has no price (their cost cannot be counted).
    unpriced: int = 0
    _in_flight: dict[str, float] = field(default_factory=dict)
    #: Set whenever a reservation is released (a call waiting for room looks again).
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def in_flight(self) -> float:
        return sum(self._in_flight.values())

    def admit(self, key: str, model: str, estimate: CallEstimate) -> str | None:
        """Reserve the call's estimated cost; "wait" when only the calls in flight are in the way (their real
        cost may leave room), or the reason the run must start no more calls."""
        if self.cap is None:
            return None
        cost = estimated_cost(self.provider, model, estimate, self.batch) or 0.0
        if self.cap is not None:
            if self.spent + cost > self.cap + 1e-12:
                return (
                    f"the spend limit ${self.cap:g} was reached: ${self.spent:.4f} spent and the next call may cost "
                    f"${cost:.4f}"
                )
            if self.spent + self.in_flight + cost > self.cap + 1e-12:
                return WAIT
        self._in_flight[key] = self._in_flight.get(key, 0.0) + cost
        return None

    def cap_reached(self, model: str, estimate: CallEstimate) -> str:
        """Why a call that does not fit beside the ones already reserved may not start (a batch round)."""
        cost = estimated_cost(self.provider, model, estimate, self.batch) or 0.0
        return (
            f"the spend limit ${self.cap:g} was reached: ${self.spent:.4f} spent, ${self.in_flight:.4f} reserved by "
            f"this round, and the next call may cost ${cost:.4f}"
        )

    def settle(self, key: str, _output: Output | None) -> None:
        self._in_flight.pop(key, None)
        self.changed.set()

    def add(self, model: str, output: Output) -> None:
        """Count what an answered call cost (cached answers cost nothing; without a cap nothing is counted)."""
        if output.cached or self.cap is None:
            return
        cost = self.provider.cost_usd(model, output.usage, output.batch)
        if cost is None:
            self.unpriced += 1
        else:
            self.spent += cost


@dataclass
class RunCostEstimate:
    """The estimated cost of a plan's first-turn calls and later turns (chat turns counted by their prompts)."""

    usd: float
    calls: int
    #: Calls whose model has no price (left out of ``usd``).
    unpriced: int
    input_tokens: int
    output_tokens: int


def estimate_run_cost(
    provider: type[Provider], requests: list[tuple[ProviderRequest, int]], batch: bool = False
) -> RunCostEstimate:
    """The estimated cost of calling every ``(request, repeat)`` once (for plan-time checks such as
    ``--max-cost`` in ``harness validate``). Identical requests of the same repeat are counted once, as the run
    makes them once. Build the list with :func:`plan_requests`."""
    seen: set[tuple[str, int]] = set()
    usd, unpriced, tokens_in, tokens_out = 0.0, 0, 0, 0
    for request, repeat in requests:
        key = (request.model_dump_json(exclude={"trial_id", "case_id", "prompt_id", "config_id", "repeat"}), repeat)
        if key in seen:
            continue
        seen.add(key)
        estimate = provider.estimate(request)
        tokens_in += estimate.input_tokens
        tokens_out += estimate.output_tokens
        cost = estimated_cost(provider, request.model, estimate, batch)
        if cost is None:
            unpriced += 1
        else:
            usd += cost
    return RunCostEstimate(usd, len(seen), unpriced, tokens_in, tokens_out)


def plan_requests(trials: list[PlannedTrial]) -> list[tuple[ProviderRequest, int]]:
    """Every call a plan makes, as ``(request, repeat)``; a chat's later turns carry empty earlier answers."""
    out: list[tuple[ProviderRequest, int]] = []
    for trial in trials:
        for turn in range(len(trial.turns)):
            out.append((trial.request(turn, [Output(text="") for _ in range(turn)]), trial.repeat))
    return out
