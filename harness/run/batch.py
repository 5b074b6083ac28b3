"""The batch executor: a round of call jobs becomes one provider batch job per model, polled until it ends.

The job is recorded in the store (with the key of every request in it) before the first poll, so Ctrl-C or
``kill -9`` while it runs loses nothing: a resumed run finds the job in the store and polls it again instead of
submitting the same requests twice. Answers are joined back by key; a line the provider failed becomes that call's
error (an errored trial, with the provider's message); a failed, cancelled or expired job errors all of its calls.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from harness.api.provider import BatchJob, Provider, ProviderError, ProviderRequest
from harness.log.records import Output, TrialError
from harness.log.store import Store
from harness.run.calls import CallJob
from harness.run.retry import RetriesExhausted, RetryPolicy, call_with_retry


@dataclass
class PollPolicy:
    """Polling of a running batch job: first delay, growth factor, longest delay (seconds)."""

    first_s: float = 1.0
    factor: float = 1.5
    max_s: float = 30.0


def _error(error: ProviderError) -> TrialError:
    return TrialError(kind="provider", message=error.message, code=error.code, status=error.status)


class BatchExecutor:
    def __init__(
        self,
        provider: Provider,
        store: Store,
        run_id: str,
        poll: PollPolicy,
        on_state: Callable[[BatchJob], None] | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.provider = provider
        #: Submitting a job and fetching its answers are retried like any call (429, 5xx, dropped connections).
        self.retry = retry or RetryPolicy()
        self.store = store
        self.run_id = run_id
        self.poll = poll
        self.on_state = on_state
        #: The turn this round sends (stored with the job).
        self.round = 0
        #: Jobs submitted by this process, and jobs found in the store and polled again.
        self.submitted = 0
        self.reattached = 0

    async def run(self, jobs: Sequence[CallJob]) -> dict[str, Output | TrialError]:
        wanted = {job.digest: job for job in jobs}
        out: dict[str, Output | TrialError] = {}
        running: list[tuple[BatchJob, dict[str, str]]] = []
        # Jobs an earlier process of this run submitted and did not collect: poll them again.
        for stored in self.store.batch_jobs(self.run_id):
            keys: dict[str, str] = stored["keys"]
            if not any(digest in wanted for digest in keys.values()):
                continue
            job = BatchJob.model_validate(stored["job"])
            try:
                job = await self.provider.batch_status(job)
            except ProviderError as error:
                if error.code != 404:
                    raise
                # The provider no longer knows the job (a local emulator that restarted): submit it again.
                lost = job.model_copy(update={"state": "LOST", "done": True, "error": error.message})
                self.store.save_batch_job(self.run_id, job.name, stored["round"], "LOST", True, lost.model_dump(), keys)
                continue
            self._record(job, keys)
            running.append((job, keys))
            self.reattached += 1
            for digest in keys.values():
                wanted.pop(digest, None)
        by_model: dict[str, list[tuple[str, ProviderRequest]]] = {}
        for digest, call in wanted.items():
            by_model.setdefault(call.request.model, []).append((digest, call.request))
        for model, requests in by_model.items():
            name = f"harness {self.run_id} round {self.round + 1} {model}"
            try:
                submitted, _ = await call_with_retry(
                    functools.partial(self.provider.batch_submit, requests, name), self.retry
                )
            except RetriesExhausted as exc:
                for digest, _ in requests:
                    out[digest] = exc.trial_error()
                continue
            keys = {digest: digest for digest, _ in requests}
            self._record(submitted, keys)
            self.submitted += 1
            running.append((submitted, keys))
        finished = await asyncio.gather(*(self._follow(job, keys) for job, keys in running))
        for answers in finished:
            out.update(answers)
        return out

    def _record(self, job: BatchJob, keys: dict[str, str]) -> None:
        self.store.save_batch_job(self.run_id, job.name, self.round, job.state, job.done, job.model_dump(), keys)
        if self.on_state is not None:
            self.on_state(job)

    async def _follow(self, job: BatchJob, keys: dict[str, str]) -> dict[str, Output | TrialError]:
        """Poll ``job`` with backoff until it ends, then join its answers back by key."""
        delay = self.poll.first_s
        while not job.done:
            await asyncio.sleep(delay)
            delay = min(self.poll.max_s, delay * self.poll.factor)
            try:
                job = await self.provider.batch_status(job)
            except ProviderError as error:
                if not error.retryable:
                    raise
                continue  # a failed poll is tried again at the next delay
            self._record(job, keys)
        out: dict[str, Output | TrialError] = {}
        if not job.succeeded:
            why = job.error or f"the batch job ended in state {job.state}"
            for digest in keys.values():
                out[digest] = TrialError(kind="provider", message=f"batch job {job.name}: {why}", status=job.state)
            return out
        try:
            answers, _ = await call_with_retry(functools.partial(self.provider.batch_results, job), self.retry)
        except RetriesExhausted as exc:
            # The job's answers stay with the provider: a resume fetches them again (the job is still stored).
            return {digest: exc.trial_error() for digest in keys.values()}
        for key, digest in keys.items():
            answer = answers.get(key)
            if isinstance(answer, Output):
                out[digest] = answer.model_copy(update={"batch": True})
            elif isinstance(answer, ProviderError):
                out[digest] = _error(answer)
            else:
                out[digest] = TrialError(kind="provider", message=f"batch job {job.name} returned no answer for {key}")
        return out


async def cancel_jobs(provider: Provider, store: Store, run_id: str) -> list[BatchJob]:
    """Cancel every batch job of a run that has not ended; returns their states afterwards."""
    cancelled = []
    for stored in store.batch_jobs(run_id):
        if stored["done"]:
            continue
        job = await provider.batch_cancel(BatchJob.model_validate(stored["job"]))
        store.save_batch_job(run_id, job.name, stored["round"], job.state, job.done, job.model_dump(), stored["keys"])
        cancelled.append(job)
    return cancelled
