"""The runner: executes planned trials concurrently, retries, caches, scores and stores each one."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.api.host import PluginHost
from harness.api.provider import Provider, ProviderRequest
from harness.api.scoring import ScoreContext
from harness.errors import UserError
from harness.log.records import Output, ScoreResult, TrialError
from harness.log.results import RequestRecord, RunInfo, TrialRecord, TurnRecord
from harness.log.store import Store
from harness.log.verdicts import judge_trial, score_reason
from harness.run.planning import PlannedTrial
from harness.run.retry import RetriesExhausted, RetryPolicy, call_with_retry
from harness.suite.loader import LoadedSuite
from harness.suite.scorers import ScorerSpec
from harness.suite.templating import render_string


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


def request_hash(request: ProviderRequest, provider: str, endpoint: str, repeat: int) -> str:
    """Cache key of one call: everything sent, the endpoint and the repeat index (repeats stay distinct)."""
    body = request.model_dump(mode="json", exclude={"trial_id"})
    for message in body["contents"]:
        for part in message["parts"]:
            if part.get("media"):
                media = part["media"]
                part["media"] = {
                    "sha256": media.get("sha256"),
                    "uri": media.get("uri"),
                    "mime": media.get("mime_type"),
                }
                if media.get("video_metadata"):  # only when set, so keys of earlier runs stay valid
                    part["media"]["video_metadata"] = media["video_metadata"]
    key = json.dumps([provider, endpoint, repeat, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


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
        self.interrupted = False
        #: Seconds the trials took (the call-and-score phase), set when run() ends.
        self.elapsed = 0.0
        self._workers: list[asyncio.Task[None]] = []

    # one model call ---------------------------------------------------------------------------
    async def generate(self, request: ProviderRequest, repeat: int = 0) -> tuple[Output, str]:
        digest = request_hash(request, self.provider.name, self.options.endpoint, repeat)
        if self.options.use_cache:
            cached = self.store.cached_output(digest)
            if cached is not None:
                return cached.model_copy(update={"cached": True, "retries": []}), digest
        output, attempts = await call_with_retry(lambda: self.provider.generate(request), self.options.retry)
        if attempts:
            output = output.model_copy(update={"retries": [*attempts, *output.retries]})
        return output, digest

    async def _judge_call(self, request: ProviderRequest) -> Output:
        output, _ = await self.generate(request)
        return output

    # one trial --------------------------------------------------------------------------------
    async def _converse(self, trial: PlannedTrial, answers: list[Output], hashes: list[str]) -> None:
        for turn in range(len(trial.turns)):
            output, digest = await self.generate(trial.request(turn, answers), trial.repeat)
            answers.append(output)
            hashes.append(digest)

    async def _score_one(self, spec: ScorerSpec, ctx: ScoreContext) -> ScoreResult:
        base = {
            "scorer": spec.name,
            "metric": spec.metric,
            "weight": spec.weight,
            "required": spec.required,
            "turn": ctx.turn,
        }
        try:
            score = await spec.scorer.score(ctx)
        except UserError as exc:
            result = ScoreResult(**base, passed=False, error=exc.message)
        except Exception as exc:  # a broken scorer must not stop the run
            result = ScoreResult(**base, passed=False, error=f"{type(exc).__name__}: {exc}")
        else:
            result = ScoreResult(
                **base, value=score.value, passed=score.passed, details=score.details, reason=score.reason
            )
        result.reason = score_reason(result)
        return result

    async def _score(self, trial: PlannedTrial, answers: list[Output]) -> list[ScoreResult]:
        scope = {
            **trial.vars,
            "case": {"id": trial.case.id, "tags": trial.case.case.tags},
            "model": trial.model,
        }
        results: list[ScoreResult] = []
        jobs: list[tuple[ScorerSpec, int | None, int]] = []
        for index, turn in enumerate(trial.turns):
            if len(trial.turns) > 1:
                jobs.extend((spec, index, index) for spec in turn.expect)
        jobs.extend((spec, None, len(answers) - 1) for spec in trial.scorers)
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
                generate=self._judge_call,
                allow_python=self.options.allow_python,
                previous=list(results),
                outputs=answers[: answer_index + 1],
            )
            results.append(await self._score_one(spec, ctx))
        return results

    async def run_trial(self, trial: PlannedTrial) -> tuple[TrialRecord, list[str]]:
        started = now_iso()
        answers: list[Output] = []
        hashes: list[str] = []
        error: TrialError | None = None
        timeout = self.options.timeout_s or trial.timeout_s
        try:
            await asyncio.wait_for(self._converse(trial, answers, hashes), timeout)
        except asyncio.TimeoutError:
            error = TrialError(kind="timeout", message=f"no answer within {timeout:g} s (per-trial timeout)")
        except RetriesExhausted as exc:
            err = exc.error
            error = TrialError(
                kind="provider",
                message=err.message,
                code=err.code,
                status=err.status,
                attempts=len(exc.attempts) + 1,
                retries=exc.attempts,
            )
        except UserError:
            raise
        except Exception as exc:
            error = TrialError(kind="internal", message=f"{type(exc).__name__}: {exc}")
        scores = await self._score(trial, answers) if error is None else []
        threshold = trial.case.case.threshold if trial.case.case.threshold is not None else self.loaded.suite.threshold
        verdict, passed, weighted, reasons = judge_trial(scores, error, threshold)
        final = answers[-1] if answers and error is None else None
        record = TrialRecord(
            id=trial.id,
            case_id=trial.case.id,
            prompt_id=trial.prompt_id,
            model=trial.model,
            config_id=trial.config_id,
            config=trial.config,
            repeat=trial.repeat,
            tags=list(trial.case.case.tags),
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
            min_pass_rate=trial.case.case.min_pass_rate
            if trial.case.case.min_pass_rate is not None
            else self.loaded.suite.min_pass_rate,
        )
        return record, hashes

    # the run ----------------------------------------------------------------------------------
    async def _worker(self, queue: asyncio.Queue[tuple[int, PlannedTrial]]) -> None:
        while True:
            try:
                seq, trial = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            record, hashes = await self.run_trial(trial)
            # Stored before it is reported: nothing finished is ever lost.
            self.store.save_trial(self.info.id, seq, record, hashes)
            self.records[seq] = record
            self.host.pm.hook.trial_finished(trial=record)
            if self.on_trial is not None:
                self.on_trial(record)

    def interrupt(self) -> None:
        self.interrupted = True
        for task in self._workers:
            task.cancel()

    async def run(self) -> list[TrialRecord]:
        queue: asyncio.Queue[tuple[int, PlannedTrial]] = asyncio.Queue()
        for item in enumerate(self.trials):
            queue.put_nowait(item)
        loop = asyncio.get_running_loop()
        installed = False
        try:
            loop.add_signal_handler(signal.SIGINT, self.interrupt)
            installed = True
        except (NotImplementedError, RuntimeError, ValueError):
            pass
        start = time.monotonic()
        try:
            count = max(1, min(self.options.concurrency, len(self.trials)))
            self._workers = [asyncio.create_task(self._worker(queue)) for _ in range(count)]
            results = await asyncio.gather(*self._workers, return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                    raise result
        finally:
            if installed:
                loop.remove_signal_handler(signal.SIGINT)
            self.elapsed = time.monotonic() - start
        return [self.records[i] for i in sorted(self.records)]
