"""Client-side quotas shared by every worker of a run: requests and input tokens per minute per model (a sliding
minute, as Google counts them), and a concurrency limit that backs off on 429 and recovers (AIMD).

- ``acquire(model, tokens)`` waits until the model's minute has room for one more request of ``tokens`` estimated
  input tokens *and* a call slot is free; ``release`` gives the slot back and says how the call went. A request
  counts from its start until a minute after its answer came back, so the client never counts a request out of
  the minute before the server does.
- A 429 shrinks the number of call slots in proportion to the share of calls throttled since the last change
  beyond a quarter (by half when every call was; at most once per cool-down, so a burst of 429s counts once);
  every success grows it back by one slot per ``limit / 4`` successes, up to the run's ``--concurrency``. Random
  429s on a fifth of the calls therefore cost no concurrency (each retry still waits the server's delay), while a
  real quota wall, where nearly every call is throttled, halves it each second.
- Requests are also spaced by ``60 / rpm`` seconds, so a minute's quota is spread over the minute instead of
  spent in one burst that the server would answer with 429 the moment its window turns.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.api.provider import Quota

WINDOW_S = 60.0
#: A request is counted from the moment its answer is back (the server saw it no later), plus this margin.
WINDOW_MARGIN_S = 0.05
#: The share of slots given up when every call since the last change was throttled (half as much at 50%).
DECREASE = 0.5
COOLDOWN_S = 1.0
#: A share of throttled calls up to this is taken as noise (random 429s, a shared quota's passing spike): the
#: retries honour the server's delay, but the slots stay; above it they shrink in proportion to the excess.
NOISE_SHARE = 0.25
#: Calls that must have ended since the last change before a 429 shrinks the slots (one 429 is no evidence).
MIN_SAMPLE = 20
#: "Wait until a call in flight comes back" (its place in the minute is not known before).
UNTIL_RELEASE = float("inf")


@dataclass
class _Minute:
    """One model's sliding minute: requests (and estimated input tokens) in flight, and the times the finished
    ones came back. A request in flight counts in full; a finished one until a minute after its answer."""

    quota: Quota
    sent: deque[float] = field(default_factory=deque)
    tokens: deque[tuple[float, int]] = field(default_factory=deque)
    used_tokens: int = 0
    in_flight: int = 0
    in_flight_tokens: int = 0
    next_send: float = 0.0

    def wait_s(self, tokens: int, now: float) -> float:
        """Seconds until a request of ``tokens`` fits (0: now; UNTIL_RELEASE: when a call comes back)."""
        horizon = now - WINDOW_S - WINDOW_MARGIN_S
        while self.sent and self.sent[0] <= horizon:
            self.sent.popleft()
        while self.tokens and self.tokens[0][0] <= horizon:
            self.used_tokens -= self.tokens.popleft()[1]
        wait = max(0.0, self.next_send - now)
        rpm, tpm = self.quota.rpm, self.quota.tpm
        if rpm is not None:
            over = len(self.sent) + self.in_flight - rpm
            if over >= 0:
                wait = max(wait, self.sent[over] - horizon if over < len(self.sent) else UNTIL_RELEASE)
        if tpm is not None:
            # A request larger than the whole quota goes alone once the minute is empty.
            need = self.used_tokens + self.in_flight_tokens + min(tokens, tpm) - tpm
            if need > 0 and (self.used_tokens or self.in_flight_tokens):
                freed, until = 0, UNTIL_RELEASE
                for stamp, count in self.tokens:
                    freed += count
                    if freed >= need:
                        until = stamp - horizon
                        break
                wait = max(wait, until)
        return wait

    def take(self, tokens: int, now: float) -> None:
        self.in_flight += 1
        self.in_flight_tokens += tokens
        if self.quota.rpm:
            self.next_send = max(self.next_send, now) + WINDOW_S / self.quota.rpm

    def done(self, tokens: int, now: float) -> None:
        self.in_flight -= 1
        self.in_flight_tokens -= tokens
        self.sent.append(now)
        self.tokens.append((now, tokens))
        self.used_tokens += tokens


class Limiter:
    """Quotas per model and an adaptive number of call slots (see the module docstring).

    Waiters queue per model, first come first served, and are woken one at a time as a slot frees or their
    model's minute has room: a release wakes the one caller that can go, never every caller.
    """

    def __init__(
        self,
        concurrency: int,
        quotas: Callable[[str], Quota | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_slots = max(1, concurrency)
        self.limit = float(self.max_slots)
        self.in_flight = 0
        self._quotas = quotas or (lambda _model: None)
        self._minutes: dict[str, _Minute | None] = {}
        self._clock = clock
        self._last_decrease = -COOLDOWN_S
        self._successes = 0
        #: Calls ended, and calls throttled, since the slot limit last shrank.
        self._ended = 0
        self._throttled_since = 0
        self._queues: dict[str, deque[tuple[asyncio.Future[None], int]]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        #: How many 429s the run met, and the lowest the slot limit went (for the run's record and tests).
        self.throttled = 0
        self.lowest = self.limit

    def _minute(self, model: str) -> _Minute | None:
        if model not in self._minutes:
            quota = self._quotas(model)
            has_limit = quota is not None and (quota.rpm is not None or quota.tpm is not None)
            self._minutes[model] = _Minute(quota) if has_limit and quota is not None else None
        return self._minutes[model]

    def _wait(self, model: str, tokens: int, now: float) -> float:
        minute = self._minute(model)
        return minute.wait_s(tokens, now) if minute is not None else 0.0

    def _take(self, model: str, tokens: int, now: float) -> None:
        minute = self._minute(model)
        if minute is not None:
            minute.take(tokens, now)
        self.in_flight += 1

    async def acquire(self, model: str, tokens: int, retry: bool = False) -> None:
        """Wait for a call slot and room in ``model``'s minute. A retry goes to the head of the queue: a trial
        that already waited out a 429 or a backoff is not sent behind every first attempt, so retry chains end
        while the bulk of the run is still going instead of trailing after it."""
        queue = self._queues.setdefault(model, deque())
        now = self._clock()
        if not queue and self.in_flight < int(self.limit) and self._wait(model, tokens, now) <= 0:
            self._take(model, tokens, now)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if retry:
            queue.appendleft((waiter, tokens))
        else:
            queue.append((waiter, tokens))
        self._dispatch()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(model, tokens)  # woken and cancelled at once: give the slot back
            raise

    def _dispatch(self) -> None:
        """Wake the callers that can go now, each model's in arrival order; time the next look."""
        progress = True
        while progress and self.in_flight < int(self.limit):
            progress = False
            for model, queue in self._queues.items():
                while queue and queue[0][0].done():
                    queue.popleft()
                if not queue or self.in_flight >= int(self.limit):
                    continue
                waiter, tokens = queue[0]
                now = self._clock()
                wait = self._wait(model, tokens, now)
                if wait <= 0:
                    queue.popleft()
                    self._take(model, tokens, now)
                    waiter.set_result(None)
                    progress = True
                elif wait < UNTIL_RELEASE and model not in self._timers:
                    self._timers[model] = asyncio.get_running_loop().call_later(wait, self._timer_fired, model)

    def _timer_fired(self, model: str) -> None:
        self._timers.pop(model, None)
        self._dispatch()

    def release(self, model: str = "", tokens: int = 0, throttled: bool = False) -> None:
        self.in_flight -= 1
        minute = self._minutes.get(model)
        if minute is not None:
            minute.done(tokens, self._clock())
        self._ended += 1
        if throttled:
            self.throttled += 1
            self._throttled_since += 1
            now = self._clock()
            if now - self._last_decrease >= COOLDOWN_S and self._ended >= MIN_SAMPLE:
                share = self._throttled_since / self._ended
                self._last_decrease = now
                excess = max(0.0, share - NOISE_SHARE) / (1 - NOISE_SHARE)
                self.limit = max(1.0, self.limit * (1 - DECREASE * excess))
                self.lowest = min(self.lowest, self.limit)
                self._successes = self._ended = self._throttled_since = 0
        elif self.limit < self.max_slots:
            self._successes += 1
            if self._successes >= max(1.0, self.limit / 4):
                self._successes = 0
                self.limit = min(float(self.max_slots), self.limit + 1)
        if any(self._queues.values()):
            self._dispatch()


def quota_lookup(
    rpm: int | dict[str, int] | None,
    tpm: int | dict[str, int] | None,
    documented: Callable[[str], Quota | None],
) -> Callable[[str], Quota | None]:
    """Per-model quotas: the given numbers (one for all, or per model name) over the documented defaults."""

    def pick(value: int | dict[str, int] | None, model: str) -> int | None:
        if isinstance(value, dict):
            return value.get(model)
        return value

    def lookup(model: str) -> Quota | None:
        base = documented(model) or Quota()
        given_rpm, given_tpm = pick(rpm, model), pick(tpm, model)
        quota = Quota(
            rpm=given_rpm if given_rpm is not None else base.rpm,
            tpm=given_tpm if given_tpm is not None else base.tpm,
        )
        return quota if quota.rpm is not None or quota.tpm is not None else None

    return lookup
