"""Helpers for scorer tests: ScoreContext objects built directly, and running a scorer as the core does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from harness.api.provider import ProviderRequest
from harness.api.scoring import Score, ScoreContext, Scorer
from harness.errors import UserError
from harness.log.records import Output
from harness.suite.templating import render_string

REPO = Path(__file__).resolve().parents[2]
AUDIO = REPO / "suites" / "media" / "audio"
WIRE = REPO / "tests" / "data" / "gemini-wire"


async def _no_generate(request: ProviderRequest) -> Output:
    raise AssertionError("this test must not call the model")


def make_context(
    suite_dir: Path,
    text: str | None = "",
    *,
    vars: dict[str, Any] | None = None,
    model: str = "gemini-2.5-flash",
    config: dict[str, Any] | None = None,
    prompt: str = "Generate a transcript of the speech.",
    generate: Callable[[ProviderRequest], Awaitable[Output]] = _no_generate,
    allow_python: bool = False,
    **output: Any,
) -> ScoreContext:
    variables = dict(vars or {})

    def resolve(name: str) -> Path:
        path = (suite_dir / name).resolve()
        if not path.is_relative_to(suite_dir.resolve()):
            raise UserError(f"path '{name}' leaves the suite's folder")
        return path

    return ScoreContext(
        output=Output(text=text, **output),
        vars=variables,
        case_id="case-1",
        prompt_id="plain",
        model=model,
        config=dict(config or {}),
        prompt=prompt,
        system_instruction=None,
        media=[],
        turn=None,
        suite_dir=suite_dir,
        render=lambda source: render_string(source, variables),
        resolve_path=resolve,
        generate=generate,
        allow_python=allow_python,
    )


ContextFactory = Callable[..., ScoreContext]


def build(cls: type[Scorer], options: dict[str, Any]) -> Scorer:
    """Validate options as the suite loader does and make the scorer."""
    return cls(cls.Options.model_validate(options))


async def run(cls: type[Scorer], options: dict[str, Any], context: ScoreContext) -> Score:
    return await build(cls, options).score(context)
