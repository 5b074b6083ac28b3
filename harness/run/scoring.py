"""The scoring stage: every scorer of a trial, run on the trial's stored answers, off the event loop.

Scorers run in a few worker threads, each with its own event loop, so a slow or CPU-bound scorer never stalls the
calls in flight and Ctrl-C always works. A trial's scoring has the trial's timeout: what has not finished by then
becomes an errored score ("no result within ..."). A scorer that calls a model (``ctx.generate``, the judge) has
its call made on the run's loop, through the same call jobs as every other call: cached, resumed, limited.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from harness.api.provider import ProviderRequest
from harness.api.scoring import ScoreContext
from harness.errors import UserError
from harness.log.records import Output, ScoreResult
from harness.log.verdicts import score_reason
from harness.run.planning import PlannedTrial
from harness.suite.loader import LoadedSuite
from harness.suite.scorers import ScorerSpec
from harness.suite.templating import render_string

Generate = Callable[[ProviderRequest], Awaitable[Output]]


class _Worker:
    """A daemon thread running an event loop forever; scoring coroutines run as its tasks."""

    def __init__(self, name: str, main: asyncio.AbstractEventLoop) -> None:
        self.main = main
        self.loop = asyncio.new_event_loop()
        self.tasks: dict[int, asyncio.Task[Any]] = {}
        self._outbox: list[tuple[asyncio.Future[Any], BaseException | None, Any]] = []
        self._posting = False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    # on the worker's loop --------------------------------------------------------------------------
    def start(self, batch: list[tuple[int, Coroutine[Any, Any, Any], asyncio.Future[Any]]]) -> None:
        for token, coro, done in batch:
            task = self.loop.create_task(coro)
            self.tasks[token] = task
            task.add_done_callback(functools.partial(self._finished, token, done=done))

    def _finished(self, token: int, task: asyncio.Task[Any], *, done: asyncio.Future[Any]) -> None:
        self.tasks.pop(token, None)
        if task.cancelled():
            return
        error = task.exception()
        self._outbox.append((done, error, None if error is not None else task.result()))
        if not self._posting:
            # One wake-up of the run's loop for every result finished in this turn of the worker's loop.
            self._posting = True
            self.loop.call_soon(self._post)

    def _post(self) -> None:
        outbox, self._outbox, self._posting = self._outbox, [], False
        self.main.call_soon_threadsafe(_deliver, outbox)

    def cancel(self, token: int) -> None:
        task = self.tasks.get(token)
        if task is not None:
            task.cancel()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


def _deliver(outbox: list[tuple[asyncio.Future[Any], BaseException | None, Any]]) -> None:
    for done, error, result in outbox:
        if done.done():
            continue
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(result)


class ScoringPool:
    """Worker threads for scorers (started on first use). Work handed over in one turn of the run's loop goes to a
    worker in one wake-up, and results come back the same way: a thread hand-over per trial would cost more
    (each one makes the two threads trade the GIL) than most scorers do."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = max(1, workers)
        self._threads: list[_Worker] = []
        self._next = 0
        self._tokens = itertools.count()
        self._pending: list[tuple[int, Coroutine[Any, Any, Any], asyncio.Future[Any]]] = []
        self._owner: dict[int, _Worker] = {}

    def submit(self, coro: Coroutine[Any, Any, Any]) -> tuple[int, asyncio.Future[Any]]:
        """Run ``coro`` on a worker; its token (for ``cancel``) and a future of the run's loop."""
        main = asyncio.get_running_loop()
        if not self._threads:
            self._threads = [_Worker(f"harness-scoring-{i}", main) for i in range(self.workers)]
        token = next(self._tokens)
        done: asyncio.Future[Any] = main.create_future()
        if not self._pending:
            main.call_soon(self._hand_over)
        self._pending.append((token, coro, done))
        return token, done

    def _hand_over(self) -> None:
        batch, self._pending = self._pending, []
        worker = self._threads[self._next % len(self._threads)]
        self._next += 1
        for token, _, done in batch:
            self._owner[token] = worker
            done.add_done_callback(functools.partial(self._forget, token))
        worker.loop.call_soon_threadsafe(worker.start, batch)

    def _forget(self, token: int, _done: asyncio.Future[Any]) -> None:
        self._owner.pop(token, None)

    def cancel(self, token: int) -> None:
        worker = self._owner.pop(token, None)
        if worker is not None:
            worker.loop.call_soon_threadsafe(worker.cancel, token)

    def close(self) -> None:
        for worker in self._threads:
            worker.stop()
        self._threads = []


class Scoring:
    def __init__(self, loaded: LoadedSuite, pool: ScoringPool, generate: Generate, allow_python: bool) -> None:
        self.loaded = loaded
        self.pool = pool
        self._generate = generate
        self.allow_python = allow_python

    def _bridge(self, main: asyncio.AbstractEventLoop) -> Generate:
        """ctx.generate for a scorer on a worker loop: the call runs on the run's loop."""

        async def generate(request: ProviderRequest) -> Output:
            async def on_main() -> Output:
                return await self._generate(request)

            return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(on_main(), main))

        return generate

    async def score(self, trial: PlannedTrial, answers: list[Output], timeout_s: float) -> list[ScoreResult]:
        """Every score of ``trial`` (turn expectations, then the final answer's scorers)."""
        jobs = self.jobs(trial, answers)
        if not jobs:
            return []
        results: list[ScoreResult] = []
        generate = self._bridge(asyncio.get_running_loop())
        token, done = self.pool.submit(self._score_all(trial, answers, jobs, results, generate))
        try:
            await asyncio.wait_for(done, timeout_s)
        except asyncio.TimeoutError:
            self.pool.cancel(token)
            scored = list(results)  # the worker may still add to ``results``: keep what was there at the timeout
            for spec, turn_no, _ in jobs[len(scored) :]:
                result = ScoreResult(
                    **_base(spec, turn_no),
                    passed=False,
                    error=f"no result within {timeout_s:g} s (the trial's timeout)",
                )
                result.reason = score_reason(result)
                scored.append(result)
            return scored
        return list(results)

    def jobs(self, trial: PlannedTrial, answers: list[Output]) -> list[tuple[ScorerSpec, int | None, int]]:
        jobs: list[tuple[ScorerSpec, int | None, int]] = []
        if len(trial.turns) > 1:
            for index, turn in enumerate(trial.turns):
                jobs.extend((spec, index, index) for spec in turn.expect)
        jobs.extend((spec, None, len(answers) - 1) for spec in trial.scorers)
        return jobs

    async def _score_all(
        self,
        trial: PlannedTrial,
        answers: list[Output],
        jobs: list[tuple[ScorerSpec, int | None, int]],
        results: list[ScoreResult],
        generate: Generate,
    ) -> None:
        scope = {**trial.vars, "case": {"id": trial.case.id, "tags": trial.case.case.tags}, "model": trial.model}
        for spec, turn_no, answer_index in jobs:
            ctx = ScoreContext(
                output=answers[answer_index],
                vars=trial.vars,
                case_id=trial.case.id,
                prompt_id=trial.prompt_id,
                model=trial.model,
                config=trial.config,
                prompt=trial.turns[answer_index].prompt,
                system_instruction=trial.system,
                media=[m for t in trial.turns[: answer_index + 1] for m in t.media],
                turn=turn_no,
                suite_dir=self.loaded.dir,
                render=lambda source: render_string(source, scope),
                resolve_path=self.loaded.resolve_path,
                generate=generate,
                allow_python=self.allow_python,
                previous=list(results),
                outputs=answers[: answer_index + 1],
            )
            results.append(await _score_one(spec, ctx))


def _base(spec: ScorerSpec, turn: int | None) -> dict[str, Any]:
    return {"scorer": spec.name, "metric": spec.metric, "weight": spec.weight, "required": spec.required, "turn": turn}


async def _score_one(spec: ScorerSpec, ctx: ScoreContext) -> ScoreResult:
    base = _base(spec, ctx.turn)
    try:
        score = await spec.scorer.score(ctx)
    except UserError as exc:
        result = ScoreResult(**base, passed=False, error=exc.message)
    except Exception as exc:  # a broken scorer must not stop the run
        result = ScoreResult(**base, passed=False, error=f"{type(exc).__name__}: {exc}")
    else:
        result = ScoreResult(**base, value=score.value, passed=score.passed, details=score.details, reason=score.reason)
    result.reason = score_reason(result)
    return result
