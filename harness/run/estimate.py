"""The most a plan may cost, before any call: what ``--max-cost`` is checked against at validate time.

Each trial's calls (a chat makes one per turn) are estimated by the provider (``Provider.estimate``: input
tokens from the text and media, output tokens up to max_output_tokens) and priced by it
(``Provider.cost_usd``). Cached answers and shorter answers make the real cost lower, never higher, so
this is an upper bound of the spend, and a limit checked against it is never passed knowingly. (What a run
really spends while it runs is the run engine's to count.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.api.provider import Provider
from harness.log.records import Output, Usage
from harness.run.planning import PlannedTrial


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


def estimate_cost(provider: type[Provider], trials: list[PlannedTrial]) -> CostEstimate:
    """The upper bound of what calling every planned trial costs (identical requests are estimated once)."""
    found = CostEstimate()
    priced: dict[str, tuple[float | None, int, int]] = {}
    for trial in trials:
        for turn in range(len(trial.turns)):
            request = trial.request(turn, [Output(text="") for _ in range(turn)])
            key = request.model_dump_json(exclude={"trial_id", "case_id", "prompt_id", "config_id", "repeat"})
            if key not in priced:
                call = provider.estimate(request)
                usage = Usage(
                    prompt_tokens=call.input_tokens,
                    output_tokens=call.output_tokens,
                    total_tokens=call.input_tokens + call.output_tokens,
                    prompt_by_modality=dict(call.by_modality),
                )
                priced[key] = (provider.cost_usd(request.model, usage), call.input_tokens, call.output_tokens)
            usd, tokens_in, tokens_out = priced[key]
            found.calls += 1
            found.input_tokens += tokens_in
            found.output_tokens += tokens_out
            if usd is None:
                found.unpriced[request.model] = found.unpriced.get(request.model, 0) + 1
            else:
                found.usd += usd
    return found
