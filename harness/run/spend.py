"""What a run spends while it runs: the check behind ``--max-cost`` / the suite's ``budget:`` (the estimate of a
whole plan, checked before anything runs, is ``harness.run.estimate``).

Costs come from the provider (``Provider.cost_usd``: it knows its prices and its batch rate); the estimate of a
call from ``Provider.estimate`` (input tokens from the request, output tokens from ``max_output_tokens``). A call
starts only when what was spent plus the estimates of the calls in flight plus its own estimate stays within the
cap, so a run never knowingly passes it; what a call really cost replaces its estimate when it returns.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from harness.api.provider import CallEstimate, Provider
from harness.log.records import Output, Usage

#: What ``Spend.admit`` says when only the calls in flight stand in the way.
WAIT = "wait"


def estimated_cost(provider: type[Provider], model: str, estimate: CallEstimate, batch: bool = False) -> float | None:
    usage = Usage(
        prompt_tokens=estimate.input_tokens,
        output_tokens=estimate.output_tokens,
        total_tokens=estimate.input_tokens + estimate.output_tokens,
        prompt_by_modality=dict(estimate.by_modality),
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
