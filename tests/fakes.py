"""A fake provider and simple scorers for core tests (registered like any plugin, via hookimpls)."""

from __future__ import annotations

import asyncio
import re
from typing import Any, ClassVar

from harness import hookimpl
from harness.api.provider import Provider, ProviderError, ProviderRequest
from harness.api.scoring import Score, ScoreContext, Scorer, ScorerOptions
from harness.log.records import Output, Reason, Usage


class FakeProvider(Provider):
    """Echoes the last user text. Behaviour is steered by markers in the prompt:

    ``[sleep=0.2]`` waits, ``[fail=500]`` always fails with that code, ``[flaky=2]`` fails twice
    with 503 then answers, ``[crash]`` raises a non-provider exception.
    """

    name = "fake"
    default_model = "fake-model"
    description = "test provider"
    calls: ClassVar[list[ProviderRequest]] = []
    in_flight: ClassVar[int] = 0
    max_in_flight: ClassVar[int] = 0
    attempts: ClassVar[dict[str, int]] = {}

    @classmethod
    def reset(cls) -> None:
        cls.calls = []
        cls.in_flight = 0
        cls.max_in_flight = 0
        cls.attempts = {}

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
        allowed = {"temperature", "max_output_tokens", "top_p", "seed"}
        return [((k,), f"unknown config field '{k}'") for k in config if k not in allowed]

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
        return [((k,), f"unknown provider option '{k}'") for k in options if k != "flavour"]

    async def generate(self, request: ProviderRequest) -> Output:
        type(self).calls.append(request)
        text = " ".join(p.text or "" for p in request.contents[-1].parts if p.text)
        cls = type(self)
        cls.in_flight += 1
        cls.max_in_flight = max(cls.max_in_flight, cls.in_flight)
        try:
            if m := re.search(r"\[sleep=([\d.]+)\]", text):
                await asyncio.sleep(float(m.group(1)))
            if m := re.search(r"\[fail=(\d+)\]", text):
                code = int(m.group(1))
                raise ProviderError(f"fake failure {code}", code=code, status="FAKE", retryable=code >= 500)
            if m := re.search(r"\[flaky=(\d+)\]", text):
                key = f"{request.trial_id}:{len(request.contents)}"
                cls.attempts[key] = cls.attempts.get(key, 0) + 1
                if cls.attempts[key] <= int(m.group(1)):
                    raise ProviderError("overloaded", code=503, status="UNAVAILABLE", retryable=True, retry_after=0.01)
            if "[crash]" in text:
                raise RuntimeError("provider bug")
        finally:
            cls.in_flight -= 1
        words = len(text.split())
        return Output(
            text=f"echo: {text}",
            finish_reason="STOP",
            latency_ms=1.0,
            usage=Usage(
                prompt_tokens=words,
                output_tokens=words + 1,
                total_tokens=2 * words + 1,
                prompt_by_modality={"TEXT": words},
            ),
        )


class ContainsOptions(ScorerOptions):
    value: str


class ContainsScorer(Scorer):
    name = "has"
    description = "answer contains a string"
    Options = ContainsOptions
    shorthand = "value"

    async def score(self, ctx: ScoreContext) -> Score:
        assert isinstance(self.options, ContainsOptions)
        needle = ctx.render(self.options.value)
        found = needle in (ctx.output.text or "")
        why = None if found else Reason(measured="has", expected=needle, got=ctx.output.text)
        return Score(value=1.0 if found else 0.0, passed=found, details={"needle": needle}, reason=why)


class LengthOptions(ScorerOptions):
    max: int = 1000


class LengthScorer(Scorer):
    name = "length"
    Options = LengthOptions

    async def score(self, ctx: ScoreContext) -> Score:
        assert isinstance(self.options, LengthOptions)
        n = len(ctx.output.text or "")
        return Score(value=float(n), passed=n <= self.options.max)


class BoomScorer(Scorer):
    name = "boom"

    async def score(self, ctx: ScoreContext) -> Score:
        raise ValueError("scorer exploded")


@hookimpl
def register_providers(register: Any) -> None:
    register(FakeProvider)


@hookimpl
def register_scorers(register: Any) -> None:
    register(ContainsScorer)
    register(LengthScorer)
    register(BoomScorer)
