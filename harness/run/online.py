"""The online executor: one provider call per job, retried, through the run's quotas and call slots."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from harness.api.provider import Provider
from harness.errors import UserError
from harness.log.records import Output, TrialError
from harness.run.calls import CallJob, NotRun
from harness.run.limits import Limiter
from harness.run.retry import RetriesExhausted, RetryPolicy, call_with_retry


class _JobGate:
    """One job's way through the limiter: its model and its estimated input tokens. An attempt about to start
    after the run stopped (a limit) does not: the call is left for a resume."""

    def __init__(self, limiter: Limiter, job: CallJob, stopped: Callable[[], str | None]) -> None:
        self.limiter = limiter
        self.model = job.request.model
        self.tokens = job.estimate.input_tokens
        self.stopped = stopped
        self.attempts = 0

    async def acquire(self) -> None:
        await self.limiter.acquire(self.model, self.tokens, retry=self.attempts > 0)
        self.attempts += 1
        why = self.stopped()
        if why is not None:
            self.limiter.release(self.model, self.tokens)
            raise NotRun(why)

    def release(self, throttled: bool = False) -> None:
        self.limiter.release(self.model, self.tokens, throttled)


class OnlineExecutor:
    def __init__(
        self,
        provider: Provider,
        limiter: Limiter,
        retry: RetryPolicy,
        stopped: Callable[[], str | None] = lambda: None,
        failed: Callable[[CallJob, TrialError], None] = lambda job, error: None,
    ) -> None:
        self.provider = provider
        self.limiter = limiter
        self.retry = retry
        #: Why no attempt may start any more (checked as each attempt gets its slot), or None.
        self.stopped = stopped
        #: Told of a call that failed for good, before any other call can take its slot.
        self.failed = failed

    async def run(self, jobs: Sequence[CallJob]) -> dict[str, Output | TrialError]:
        if len(jobs) == 1:
            return {jobs[0].digest: await self.one(jobs[0])}
        answers = await asyncio.gather(*(self.one(job) for job in jobs))
        return {job.digest: answer for job, answer in zip(jobs, answers, strict=True)}

    async def one(self, job: CallJob) -> Output | TrialError:
        result = await self._attempts(job)
        if isinstance(result, TrialError):
            self.failed(job, result)
        return result

    async def _attempts(self, job: CallJob) -> Output | TrialError:
        try:
            output, attempts = await call_with_retry(
                lambda: self.provider.generate(job.request), self.retry, gate=_JobGate(self.limiter, job, self.stopped)
            )
        except RetriesExhausted as exc:
            return exc.trial_error()
        except (UserError, NotRun, asyncio.CancelledError):
            raise
        except Exception as exc:  # a provider bug: this call errors, the run goes on
            return TrialError(kind="internal", message=f"{type(exc).__name__}: {exc}")
        if attempts:
            output = output.model_copy(update={"retries": [*attempts, *output.retries]})
        return output
