"""Call jobs: one per distinct request hash, answered once per run.

A job is answered, in this order, from the calls this run already finished (a resume never repeats one), from the
cache (an earlier run's identical request, unless ``--no-cache``), from an identical call already in flight, or by
the executor. Whatever the executor answers is stored (``calls`` table) before anything scores it. Judge calls are
jobs too, so they are cached and resumed like any other call.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from harness.api.provider import CallEstimate, Provider, ProviderRequest
from harness.log.records import Output, TrialError
from harness.log.store import Store
from harness.run.spend import WAIT, Spend
from harness.run.writer import StoreWriter


def request_hash(request: ProviderRequest, provider: str, endpoint: str, repeat: int) -> str:
    """Cache key of one call: everything sent, the labels a local emulator answers by (case, prompt, config), the
    endpoint and the repeat index (repeats stay distinct)."""
    body = request.model_dump(mode="json", exclude={"trial_id"})
    for message in body["contents"]:
        for part in message["parts"]:
            if part.get("media"):
                media = part["media"]
                part["media"] = {"sha256": media.get("sha256"), "uri": media.get("uri"), "mime": media.get("mime_type")}
                if media.get("video_metadata"):  # only when set, so keys of earlier runs stay valid
                    part["media"]["video_metadata"] = media["video_metadata"]
    key = json.dumps([provider, endpoint, repeat, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass
class CallJob:
    digest: str
    request: ProviderRequest
    estimate: CallEstimate
    #: "trial" (a turn of a trial) or "judge" (a grader-model call made by a scorer).
    kind: str = "trial"
    #: A readable name for messages (case/prompt/model/config#repeat).
    label: str = ""


class CallFailed(Exception):
    """The call was made and failed for good (retries exhausted, or not retryable)."""

    def __init__(self, error: TrialError) -> None:
        super().__init__(error.message)
        self.error = error


class NotRun(Exception):
    """The call was never started: a spend limit or ``--max-errors`` stopped the run first."""


class Executor(Protocol):
    """Turns call jobs into outputs (online: one call each; batch: one provider job for all of them)."""

    async def run(self, jobs: Sequence[CallJob]) -> dict[str, Output | TrialError]: ...


@dataclass
class CallBook:
    """Every call of one run by request hash (see the module docstring)."""

    executor: Executor
    writer: StoreWriter
    store: Store
    spend: Spend
    provider: type[Provider]
    endpoint: str
    use_cache: bool = True
    #: Calls this run finished before (a resumed run), by hash.
    finished: dict[str, Output] = field(default_factory=dict)
    #: Why new calls are no longer started (a spend limit, --max-errors), once they are not.
    stopped: str | None = None
    #: Calls made by the executor in this process, and answers found in the cache or this run's store.
    made: int = 0
    reused: int = 0
    _flight: dict[str, asyncio.Future[Output]] = field(default_factory=dict)

    def job(self, request: ProviderRequest, repeat: int, kind: str = "trial", label: str = "") -> CallJob:
        digest = request_hash(request, self.provider.name, self.endpoint, repeat)
        return CallJob(digest, request, self.provider.estimate(request), kind, label)

    def known(self, job: CallJob) -> Output | None:
        """The answer without calling: this run's own, or the cache's."""
        own = self.finished.get(job.digest)
        if own is not None:
            self.reused += 1
            return own
        if self.use_cache:
            cached = self.store.cached_output(job.digest)
            if cached is not None:
                self.reused += 1
                return cached.model_copy(update={"cached": True, "retries": []})
        return None

    def admit(self, job: CallJob) -> bool:
        """True when the job may start now, False when it must wait for calls in flight; raise NotRun when no
        new call may start."""
        if self.stopped is not None:
            raise NotRun(self.stopped)
        verdict = self.spend.admit(job.digest, job.request.model, job.estimate)
        if verdict == WAIT:
            return False
        if verdict is not None:
            self.stopped = verdict
            raise NotRun(verdict)
        return True

    async def admitted(self, job: CallJob) -> None:
        while not self.admit(job):
            self.spend.changed.clear()
            await self.spend.changed.wait()

    async def answer(self, job: CallJob) -> Output:
        """One job's answer (raises CallFailed or NotRun)."""
        found = self.known(job)
        if found is not None:
            return found
        flight = self._flight.get(job.digest)
        if flight is None:
            await self.admitted(job)
            flight = self._flight.get(job.digest)  # an identical call may have started meanwhile
        if flight is None:
            found = self.known(job)
            if found is not None:
                self.spend.settle(job.digest, None)
                return found
            flight = asyncio.ensure_future(self._call([job]))
            self._flight[job.digest] = flight
            flight.add_done_callback(lambda _: self._flight.pop(job.digest, None))
        # shield: one trial timing out must not cancel a call that others share.
        return await asyncio.shield(flight)

    async def _call(self, jobs: Sequence[CallJob]) -> Output:
        results = await self.run_jobs(jobs, self.executor)
        result = results[jobs[0].digest]
        if isinstance(result, TrialError):
            raise CallFailed(result)
        return result

    async def run_jobs(self, jobs: Sequence[CallJob], executor: Executor) -> dict[str, Output | TrialError]:
        """Run admitted jobs through ``executor``; store every answer as soon as it is back."""
        try:
            results = await executor.run(jobs)
        finally:
            for job in jobs:
                self.spend.settle(job.digest, None)
        for job in jobs:
            result = results.get(job.digest)
            if isinstance(result, Output):
                self.made += 1
                self.spend.add(job.request.model, result)
                self.finished[job.digest] = result
        self.writer.calls(
            [(job.digest, job.request.model, r) for job in jobs if isinstance(r := results.get(job.digest), Output)]
        )
        return results

    async def answer_many(self, jobs: Sequence[CallJob], executor: Executor) -> dict[str, Output | TrialError | NotRun]:
        """Answers for many jobs at once (a batch round): known ones first, the rest in one run of ``executor``."""
        out: dict[str, Output | TrialError | NotRun] = {}
        todo: dict[str, CallJob] = {}
        for job in jobs:
            if job.digest in out or job.digest in todo:
                continue
            found = self.known(job)
            if found is not None:
                out[job.digest] = found
                continue
            try:
                # A round is sent whole: calls in flight cannot free room, so a call that must wait is refused.
                if not self.admit(job):
                    self.stopped = self.spend.cap_reached(job.request.model, job.estimate)
                    raise NotRun(self.stopped)
            except NotRun as refusal:
                out[job.digest] = refusal
                continue
            todo[job.digest] = job
        if todo:
            out.update(await self.run_jobs(list(todo.values()), executor))
        return out
