"""The scoring stage: every scorer of a trial, run on the trial's stored answers, off the event loop.

Scorers run in a few worker threads, each with its own event loop, so a slow or CPU-bound scorer never stalls the
calls in flight and Ctrl-C always works. A trial's scoring has the trial's timeout: what has not finished by then
becomes an errored score ("no result within ..."). A scorer that calls a model (``ctx.generate``, the judge) has
its call made on the run's loop, through the same call jobs as every other call: cached, resumed, limited.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
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


class _LoopThread:
    """A daemon thread running an event loop forever."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


class ScoringPool:
    """Worker threads for scorers (started on first use)."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = max(1, workers)
        self._threads: list[_LoopThread] = []
        self._next = 0

    def submit(self, coro: Awaitable[Any]) -> Future[Any]:
        if not self._threads:
            self._threads = [_LoopThread(f"harness-scoring-{i}") for i in range(self.workers)]
        worker = self._threads[self._next % len(self._threads)]
        self._next += 1
        return asyncio.run_coroutine_threadsafe(coro, worker.loop)  # type: ignore[arg-type]

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
        future = self.pool.submit(self._score_all(trial, answers, jobs, results, generate))
        try:
            await asyncio.wait_for(asyncio.wrap_future(future), timeout_s)
        except asyncio.TimeoutError:
            future.cancel()
            done = len(results)
            for spec, turn_no, _ in jobs[done:]:
                result = ScoreResult(
                    **_base(spec, turn_no),
                    passed=False,
                    error=f"no result within {timeout_s:g} s (the trial's timeout)",
                )
                result.reason = score_reason(result)
                results.append(result)
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
