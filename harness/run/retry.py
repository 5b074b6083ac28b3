"""Retrying failed calls: exponential backoff with jitter, honouring the server's retry delay."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from harness.api.provider import ProviderError
from harness.log.records import Attempt

T = TypeVar("T")


@dataclass
class RetryPolicy:
    #: Retries after the first attempt (so at most max_retries + 1 calls).
    max_retries: int = 4
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0
    #: Full jitter: each backoff delay is drawn from [delay * (1 - jitter), delay].
    jitter: float = 0.5
    #: A server-requested delay longer than this is not waited for; the trial errors instead.
    max_retry_after_s: float = 300.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, error: ProviderError) -> float:
        if error.retry_after is not None:
            # The server said when: wait that long, plus a little jitter so clients do not stampede.
            return error.retry_after * (1 + 0.1 * self.rng.random())
        backoff = min(self.max_delay_s, self.base_delay_s * (2**attempt))
        return backoff * (1 - self.jitter * self.rng.random())


class RetriesExhausted(Exception):
    def __init__(self, error: ProviderError, attempts: list[Attempt]) -> None:
        super().__init__(error.message)
        self.error = error
        self.attempts = attempts


async def call_with_retry(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> tuple[T, list[Attempt]]:
    """Run ``call`` until it succeeds, a non-retryable error occurs, or retries run out.

    Returns the result and the failed attempts before it; raises RetriesExhausted otherwise.
    """
    attempts: list[Attempt] = []
    for attempt in range(policy.max_retries + 1):
        try:
            return await call(), attempts
        except ProviderError as error:
            if not error.retryable or attempt == policy.max_retries:
                raise RetriesExhausted(error, attempts) from error
            delay = policy.delay(attempt, error)
            if delay > policy.max_retry_after_s:
                raise RetriesExhausted(error, attempts) from error
            attempts.append(Attempt(error=error.message, code=error.code, delay_s=round(delay, 3)))
            await sleep(delay)
    raise AssertionError("unreachable")
