"""The run engine: planned trials -> call jobs -> an executor (online or batch) -> stored outputs -> scores ->
stored trials (docs/engine.md).

Online, each trial walks its turns (a chat turn waits for the one before it) and its calls go through the run's
quotas and call slots; batch, every pending trial's next turn goes into one provider batch job per round. Either
way every answer is stored as it arrives, scoring reads the stored answers, and each trial is stored before anyone
is told of it. Trials a limit kept from starting are recorded as not run; a resume runs them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from harness.api.host import PluginHost
from harness.api.provider import BatchJob, Provider, ProviderRequest
from harness.errors import UserError
from harness.log.records import Output, ScoreResult, TrialError
from harness.log.results import RequestRecord, RunInfo, TrialRecord, TurnRecord
from harness.log.store import Store, StoreFull
from harness.log.verdicts import judge_trial, parse_max_errors
from harness.run.batch import BatchExecutor, PollPolicy
from harness.run.calls import CallBook, CallFailed, CallJob, NotRun, request_hash
from harness.run.limits import Limiter, quota_lookup
from harness.run.online import OnlineExecutor
from harness.run.planning import PlannedTrial
from harness.run.retry import RetryPolicy
from harness.run.scoring import Scoring, ScoringPool
from harness.run.spend import Spend
from harness.run.writer import StoreWriter
from harness.suite.loader import LoadedSuite

__all__ = ["RunOptions", "Runner", "now_iso", "request_hash"]


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class RunOptions:
    concurrency: int = 8
    #: Overrides each trial's timeout when set.
    timeout_s: float | None = None
    use_cache: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    allow_python: bool = False
    #: Identifies the endpoint in cache keys, so emulator answers never stand in for real ones.
    endpoint: str = "default"
    #: Send pending calls through the provider's batch mode (``--batch``).
    batch: bool = False
    #: Stop starting calls when spent plus in-flight estimates would pass this (``--max-cost``, ``budget:``).
    max_cost_usd: float | None = None
    #: Stop starting calls once this many trials errored ("N" or "P%"; None: never stop, only the exit code).
    stop_after_errors: str | None = None
    #: Requests and input tokens per minute (one number, or per model), and a provider quota tier.
    rpm: int | dict[str, int] | None = None
    tpm: int | dict[str, int] | None = None
    quota_tier: str | None = None
    poll: PollPolicy = field(default_factory=PollPolicy)
    #: Told of every batch job state the engine sees (the progress line).
    on_batch: Callable[[BatchJob], None] | None = None
    #: Threads that run scorers.
    scoring_threads: int = 2
    #: Score the answers of this stored run and make no call at all (``harness rescore``).
    answers_from: str | None = None


class Runner:
    def __init__(
        self,
        loaded: LoadedSuite,
        trials: list[PlannedTrial],
        provider: Provider,
        store: Store,
        host: PluginHost,
        info: RunInfo,
        options: RunOptions,
        on_trial: Callable[[TrialRecord], None] | None = None,
        done: dict[str, TrialRecord] | None = None,
    ) -> None:
        self.loaded = loaded
        self.trials = trials
        self.provider = provider
        self.store = store
        self.host = host
        self.info = info
        self.options = options
        self.on_trial = on_trial
        self.records: dict[int, TrialRecord] = {}
        for seq, trial in enumerate(trials):
            stored = (done or {}).get(trial.id)
            if stored is not None and not (stored.error is not None and stored.error.kind == "not_run"):
                self.records[seq] = stored
        self.interrupted = False
        #: Why the run stopped early (a limit), or None.
        self.stopped: str | None = None
        #: Seconds the trials took (the call-and-score phase), set when run() ends.
        self.elapsed = 0.0
        self.errors = sum(1 for r in self.records.values() if r.status == "error")
        self._tasks: list[asyncio.Task[None]] = []
        kind = type(provider)
        tier = options.quota_tier
        self.limiter = Limiter(
            options.concurrency,
            quota_lookup(options.rpm, options.tpm, lambda model: kind.quota(model, tier) if tier else None),
        )
        self.writer = StoreWriter(store, info.id)
        self.spend = Spend(kind, options.max_cost_usd, options.batch)
        self.online = OnlineExecutor(
            provider, self.limiter, options.retry, stopped=lambda: self.calls.stopped, failed=self._call_failed
        )
        self.calls = CallBook(
            self.online,
            self.writer,
            store,
            self.spend,
            kind,
            options.endpoint,
            use_cache=options.use_cache,
        )
        # A resumed run reuses every call it finished, and its spend limit counts what they cost.
        for digest, (model, output) in store.run_calls(info.id).items():
            self.calls.finished[digest] = output
            self.spend.add(model, output)
        if options.answers_from is not None:
            for digest, (_, output) in store.run_calls(options.answers_from).items():
                self.calls.finished.setdefault(digest, output.model_copy(update={"cached": True, "retries": []}))
            self.calls.stopped = (
                f"harness rescore makes no calls, and run {options.answers_from} has no answer to this request "
                "(the suite changed it since)"
            )
        self.pool = ScoringPool(options.scoring_threads)
        self.scoring = Scoring(loaded, self.pool, self._judge_call, options.allow_python)

    @property
    def pending(self) -> list[tuple[int, PlannedTrial]]:
        return [(seq, trial) for seq, trial in enumerate(self.trials) if seq not in self.records]

    # calls --------------------------------------------------------------------------------------
    async def _judge_call(self, request: ProviderRequest) -> Output:
        return await self.calls.answer(self.calls.job(request, 0, kind="judge", label=request.trial_id or ""))

    async def _converse(self, trial: PlannedTrial, answers: list[Output]) -> None:
        for turn in range(len(answers), len(trial.turns)):
            job = self.calls.job(trial.request(turn, answers), trial.repeat, label=trial.key)
            answers.append(await self.calls.answer(job))

    # one trial ----------------------------------------------------------------------------------
    def _timeout(self, trial: PlannedTrial) -> float:
        return self.options.timeout_s or trial.timeout_s

    async def _call_phase(self, trial: PlannedTrial, answers: list[Output]) -> TrialError | None:
        timeout = self._timeout(trial)
        try:
            await asyncio.wait_for(self._converse(trial, answers), timeout)
        except asyncio.TimeoutError:
            return TrialError(kind="timeout", message=f"no answer within {timeout:g} s (per-trial timeout)")
        except CallFailed as exc:
            return exc.error
        except NotRun as exc:
            return not_run(str(exc))
        except UserError:
            raise
        except Exception as exc:
            return TrialError(kind="internal", message=f"{type(exc).__name__}: {exc}")
        return None

    async def _finish(
        self, seq: int, trial: PlannedTrial, answers: list[Output], error: TrialError | None, started: str
    ) -> None:
        scores = await self.scoring.score(trial, answers, self._timeout(trial)) if error is None else []
        record = build_record(self.loaded, trial, answers, error, scores, started)
        # Stored before it is reported: nothing finished is ever lost.
        try:
            await self.writer.trial(seq, record)
        except StoreFull as failure:
            # No new call starts; calls in flight finish but cannot be stored; a resume redoes only those.
            self.calls.stopped = self.calls.stopped or str(failure)
            return
        self.records[seq] = record
        if error is not None and error.kind == "timeout":
            self._count_error()
        self.host.pm.hook.trial_finished(trial=record)
        if self.on_trial is not None:
            self.on_trial(record)

    def _call_failed(self, job: CallJob, _error: TrialError) -> None:
        if job.kind == "trial":
            self._count_error()

    def _count_error(self) -> None:
        """One more errored trial; past --max-errors no new call starts (the API looks down)."""
        self.errors += 1
        limit = self.options.stop_after_errors
        if limit is None or self.calls.stopped is not None:
            return
        count, share = parse_max_errors(limit)
        allowed = count if count is not None else (share or 0.0) * len(self.trials)
        if self.errors > allowed:
            self.calls.stopped = (
                f"{self.errors} trials errored, more than --max-errors {limit}: the API looks down, "
                "so no new call was started"
            )

    async def _online_trial(self, seq: int, trial: PlannedTrial) -> None:
        started = now_iso()
        answers: list[Output] = []
        error = await self._call_phase(trial, answers)
        await self._finish(seq, trial, answers, error, started)

    # the run ------------------------------------------------------------------------------------
    async def _online(self, pending: list[tuple[int, PlannedTrial]]) -> None:
        queue: asyncio.Queue[tuple[int, PlannedTrial]] = asyncio.Queue()
        for item in pending:
            queue.put_nowait(item)

        async def worker() -> None:
            while True:
                try:
                    seq, trial = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await self._online_trial(seq, trial)

        # More trials in flight than call slots, so a trial waiting to retry never holds a slot idle.
        count = max(1, min(len(pending), max(16, self.options.concurrency * 4)))
        await self._gather([worker() for _ in range(count)])

    async def _batch(self, pending: list[tuple[int, PlannedTrial]]) -> None:
        executor = BatchExecutor(
            self.provider, self.store, self.info.id, self.options.poll, self.options.on_batch, self.options.retry
        )
        started = {seq: now_iso() for seq, _ in pending}
        answers: dict[int, list[Output]] = {seq: [] for seq, _ in pending}
        errors: dict[int, TrialError] = {}
        rounds = max((len(t.turns) for _, t in pending), default=0)
        for turn in range(rounds):
            jobs = {
                seq: self.calls.job(trial.request(turn, answers[seq]), trial.repeat, label=trial.key)
                for seq, trial in pending
                if seq not in errors and turn < len(trial.turns)
            }
            executor.round = turn
            results = await self.calls.answer_many(list(jobs.values()), executor)
            for seq, job in jobs.items():
                result = results[job.digest]
                if isinstance(result, Output):
                    answers[seq].append(result)
                elif isinstance(result, NotRun):
                    errors[seq] = not_run(str(result))
                else:
                    errors[seq] = result
        gate = asyncio.Semaphore(max(4, self.options.concurrency))

        async def finish(seq: int, trial: PlannedTrial) -> None:
            async with gate:
                await self._finish(seq, trial, answers[seq], errors.get(seq), started[seq])

        await self._gather([finish(seq, trial) for seq, trial in pending])

    async def _gather(self, coroutines: list[Coroutine[Any, Any, None]]) -> None:
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        self._tasks.extend(tasks)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                raise result

    def interrupt(self) -> None:
        self.interrupted = True
        for task in self._tasks:
            task.cancel()

    async def run(self) -> list[TrialRecord]:
        loop = asyncio.get_running_loop()
        installed = False
        try:
            loop.add_signal_handler(signal.SIGINT, self.interrupt)
            installed = True
        except (NotImplementedError, RuntimeError, ValueError):
            pass
        start = time.monotonic()
        try:
            pending = self.pending
            if self.options.batch:
                # A task of its own, so Ctrl-C (interrupt) cancels a round that is polling its job.
                await self._gather([self._batch(pending)])
            else:
                await self._online(pending)
        finally:
            if installed:
                loop.remove_signal_handler(signal.SIGINT)
            self.writer.flush()
            self.pool.close()
            self.elapsed = time.monotonic() - start
        if self.writer.failed is not None:
            self.stopped = f"{self.writer.failed}; every earlier trial is stored"
        elif self.calls.stopped is not None:
            self.stopped = self.calls.stopped
        return [self.records[i] for i in sorted(self.records)]


def not_run(why: str) -> TrialError:
    return TrialError(kind="not_run", message=f"not run: {why}")


def build_record(
    loaded: LoadedSuite,
    trial: PlannedTrial,
    answers: list[Output],
    error: TrialError | None,
    scores: list[ScoreResult],
    started: str,
) -> TrialRecord:
    """The stored record of one trial (the one place a TrialRecord is put together from a run)."""
    case = trial.case.case
    threshold = case.threshold if case.threshold is not None else loaded.suite.threshold
    verdict, passed, weighted, reasons = judge_trial(scores, error, threshold)
    final = answers[-1] if answers and error is None else None
    return TrialRecord(
        id=trial.id,
        case_id=trial.case.id,
        prompt_id=trial.prompt_id,
        model=trial.model,
        config_id=trial.config_id,
        config=trial.config,
        repeat=trial.repeat,
        tags=list(case.tags),
        vars=trial.vars,
        status="error" if error else "ok",
        error=error,
        request=RequestRecord(
            system_instruction=trial.system,
            prompt=trial.turns[-1].prompt,
            media=[m.source for t in trial.turns for m in t.media],
            stream=trial.stream,
        ),
        output=final,
        turns=[
            TurnRecord(prompt=t.prompt, output=answers[i] if i < len(answers) else None)
            for i, t in enumerate(trial.turns)
        ]
        if len(trial.turns) > 1
        else [],
        scores=scores,
        passed=passed,
        verdict=verdict,
        reasons=reasons,
        weighted_score=weighted,
        started_at=started,
        finished_at=now_iso(),
        media=[m for a in answers for m in a.media],
        min_pass_rate=case.min_pass_rate if case.min_pass_rate is not None else loaded.suite.min_pass_rate,
    )
