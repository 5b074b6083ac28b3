"""Fault drills: seeded latency, 429 / 500 / 503 answers, stream error chunks, dropped connections,
and an RPM / TPM limiter over a sliding minute (per model, like Google's per-model quotas)."""

from __future__ import annotations

import random
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from harness_gemini.emulator.config import EmulatorConfig
from harness_gemini.emulator.responses import ResponseEntry
from harness_gemini.emulator.wire_errors import WireError, resource_exhausted, retry_info, server_error

WINDOW_S = 60.0


@dataclass
class FaultPlan:
    latency_s: float = 0.0
    drop: bool = False
    error: WireError | None = None
    stream_error_after: int | None = None
    stream_error_code: int = 500


class Faults:
    """Draws a FaultPlan per request from a seeded RNG (deterministic for a given arrival order)."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)

    def plan(self, entry: ResponseEntry | None, stream: bool) -> FaultPlan:
        c = self.config
        plan = FaultPlan(latency_s=c.latency_ms / 1000)
        if c.latency_jitter_ms:
            plan.latency_s += self.rng.uniform(0, c.latency_jitter_ms) / 1000
        roll = self.rng.random()
        if roll < c.drop_rate:
            plan.drop = True
        elif roll < c.drop_rate + c.fail_rate_429:
            plan.error = resource_exhausted(c.retry_delay_s, "GenerateRequestsPerMinutePerProjectPerModel")
        elif roll < c.drop_rate + c.fail_rate_429 + c.fail_rate_500:
            plan.error = server_error(500)
        elif roll < c.drop_rate + c.fail_rate_429 + c.fail_rate_500 + c.fail_rate_503:
            plan.error = server_error(503)
        if stream and plan.error is None and not plan.drop and self.rng.random() < c.stream_error_rate:
            plan.stream_error_after = 1
        if entry is not None:
            _apply_entry(plan, entry)
        return plan


def _apply_entry(plan: FaultPlan, entry: ResponseEntry) -> None:
    if entry.error is not None:
        spec = entry.error
        if spec.code == 429 and spec.message is None and spec.status is None:
            plan.error = resource_exhausted(spec.retry_delay_s, "GenerateRequestsPerMinutePerProjectPerModel")
        elif spec.message is None and spec.code in (500, 503):
            plan.error = server_error(spec.code)
        else:
            details = [retry_info(spec.retry_delay_s)] if spec.retry_delay_s is not None else None
            plan.error = WireError(spec.code, spec.message or "Request failed.", spec.status, details)
    fault = entry.fault
    if fault is not None:
        if fault.latency_ms is not None:
            plan.latency_s = fault.latency_ms / 1000
        plan.drop = plan.drop or fault.drop
        if fault.stream_error_after is not None:
            plan.stream_error_after = fault.stream_error_after
            plan.stream_error_code = fault.stream_error_code


class RateLimiter:
    """Sliding-minute request and input-token limits per model."""

    def __init__(self, rpm: int | None, tpm: int | None) -> None:
        self.rpm = rpm
        self.tpm = tpm
        self.requests: dict[str, deque[float]] = defaultdict(deque)
        self.tokens: dict[str, deque[tuple[float, int]]] = defaultdict(deque)

    def admit(self, model: str, tokens: int, now: float | None = None) -> WireError | None:
        """Record the request, or return the 429 to send (with the wait until a slot frees)."""
        now = time.monotonic() if now is None else now
        reqs, toks = self.requests[model], self.tokens[model]
        while reqs and reqs[0] <= now - WINDOW_S:
            reqs.popleft()
        while toks and toks[0][0] <= now - WINDOW_S:
            toks.popleft()
        if self.rpm is not None and len(reqs) >= self.rpm:
            return resource_exhausted(reqs[0] + WINDOW_S - now, "GenerateRequestsPerMinutePerProjectPerModel")
        if self.tpm is not None:
            used = sum(n for _, n in toks)
            if used + tokens > self.tpm:
                wait = WINDOW_S
                freed = 0
                for stamp, n in toks:
                    freed += n
                    if used - freed + tokens <= self.tpm:
                        wait = stamp + WINDOW_S - now
                        break
                return resource_exhausted(max(wait, 0.0), "GenerateContentInputTokensPerModelPerMinute")
        reqs.append(now)
        toks.append((now, tokens))
        return None
