"""judge (with a fake generate coroutine) and python (opt-in user functions)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scorer_kit import ContextFactory, build, run

from harness.api import CheckContext
from harness.api.provider import ProviderRequest
from harness.errors import UserError
from harness.log.records import Output, ScoreResult, Usage
from harness_scorers.judge import JudgeScorer, read_verdict
from harness_scorers.pyfunc import PythonScorer, to_score


class FakeGrader:
    def __init__(self, output: Output) -> None:
        self.output = output
        self.requests: list[ProviderRequest] = []

    async def __call__(self, request: ProviderRequest) -> Output:
        self.requests.append(request)
        return self.output


async def test_judge_asks_for_structured_verdict_and_keeps_it(ctx: ContextFactory) -> None:
    usage = Usage(prompt_tokens=200, output_tokens=40, thoughts_tokens=60, total_tokens=300)
    grader = FakeGrader(Output(text='{"reasoning": "names the speaker", "verdict": "pass", "score": 0.9}', usage=usage))
    context = ctx("It is President Kennedy speaking.", vars={"who": "Kennedy"}, generate=grader)
    score = await run(JudgeScorer, {"rubric": "Says the speaker is {{ who }}", "threshold": 0.8}, context)
    assert score.passed is True and score.value == 0.9
    assert score.details["reasoning"] == "names the speaker" and score.details["grader_model"] == "gemini-2.5-flash"
    assert score.details["grader_usage"]["prompt_tokens"] == 200
    assert score.details["cost_usd"] == pytest.approx((200 * 0.30 + 100 * 2.50) / 1_000_000)
    request = grader.requests[0]
    assert request.config["response_mime_type"] == "application/json"
    assert request.config["response_schema"]["properties"]["verdict"]["enum"] == ["pass", "fail"]
    prompt = request.contents[0].parts[0].text or ""
    assert "Says the speaker is Kennedy" in prompt and "It is President Kennedy speaking." in prompt
    strict = await run(JudgeScorer, {"rubric": "x", "threshold": 0.95}, context)
    assert strict.passed is False and strict.reason is not None
    assert strict.reason.text == "judge score 0.9 < min 0.95 (names the speaker)"


async def test_judge_sends_media_when_asked(ctx: ContextFactory) -> None:
    from harness.api.provider import MediaRef

    grader = FakeGrader(Output(parsed={"verdict": "fail", "score": 0.2, "reasoning": "no"}))
    context = ctx("a speech", generate=grader)
    context.media = [MediaRef(source="media/audio/jfk.flac")]
    score = await run(
        JudgeScorer, {"rubric": "describes the clip", "include_media": True, "model": "gemini-2.0-flash"}, context
    )
    assert score.passed is False and grader.requests[0].model == "gemini-2.0-flash"
    assert score.reason is not None and score.reason.text == "judge: expected pass, got fail (no)"
    assert grader.requests[0].contents[0].parts[1].media is not None


def test_read_verdict_is_robust() -> None:
    fenced = Output(text='Sure!\n```json\n{"verdict": "PASS", "score": "1.7"}\n```')
    assert read_verdict(fenced) == {"verdict": "pass", "score": 1.0, "reasoning": ""}
    assert read_verdict(Output(text='{"score": 0.3}'))["verdict"] == "fail"
    assert read_verdict(Output(text='{"verdict": "pass"}'))["score"] == 1.0
    with pytest.raises(ValueError, match="neither a verdict nor a score"):
        read_verdict(Output(text='{"opinion": "fine"}'))
    with pytest.raises(ValueError, match="no text"):
        read_verdict(Output(text=None, finish_reason="SAFETY"))


def test_judge_aggregate_counts_grader_cost() -> None:
    results = [ScoreResult(scorer="judge", metric="judge", value=v, details={"cost_usd": 0.001}) for v in (0.5, 1.0)]
    assert JudgeScorer.aggregate(results) == {"mean": 0.75, "cost_usd": pytest.approx(0.002)}


SCORER_FILE = """
import asyncio

def exact(answer):
    return answer["text"] == answer["vars"]["expected"]

def ratio(answer):
    return len(answer["text"]) / answer["args"]["target"]

async def rich(answer):
    await asyncio.sleep(0)
    return {"value": 0.25, "details": {"model": answer["model"]}}

def bad(answer):
    return "yes"
"""


async def test_python_scorer_needs_opt_in(ctx: ContextFactory, tmp_path: Path) -> None:
    (tmp_path / "checks.py").write_text(SCORER_FILE)
    scorer = build(PythonScorer, {"function": "checks.py:exact"})
    assert scorer.check(CheckContext(tmp_path, lambda p: tmp_path / p, False)) == [
        "python scorers run code from the suite: pass --allow-python to allow them"
    ]
    assert scorer.check(CheckContext(tmp_path, lambda p: tmp_path / p, True)) == []
    missing = build(PythonScorer, {"function": "nope.py:f"})
    assert missing.check(CheckContext(tmp_path, lambda p: tmp_path / p, True)) == ["function: file not found: nope.py"]
    with pytest.raises(UserError, match="--allow-python"):
        await scorer.score(ctx("8", vars={"expected": "8"}))


async def test_python_scorer_return_shapes(ctx: ContextFactory, tmp_path: Path) -> None:
    (tmp_path / "checks.py").write_text(SCORER_FILE)
    context = ctx("eight", vars={"expected": "eight"}, allow_python=True)
    assert (await run(PythonScorer, {"function": "checks.py:exact"}, context)).passed is True
    ratio = await run(PythonScorer, {"function": "checks.py:ratio", "args": {"target": 10}}, context)
    assert ratio.value == 0.5 and ratio.passed is True
    rich = await run(PythonScorer, {"function": "checks.py:rich"}, context)
    assert rich.value == 0.25 and rich.passed is False and rich.details["model"] == "gemini-2.5-flash"
    with pytest.raises(TypeError, match="bool, a number or a dict"):
        await run(PythonScorer, {"function": "checks.py:bad"}, context)
    with pytest.raises(UserError, match="no function 'gone'"):
        await run(PythonScorer, {"function": "checks.py:gone"}, context)
    with pytest.raises(UserError):
        await run(PythonScorer, {"function": "../escape.py:f"}, context)
    with pytest.raises(ValueError):
        PythonScorer.Options.model_validate({"function": "checks.py"})
    with pytest.raises(TypeError, match="unknown keys"):
        to_score({"score": 1}, 0.5)
    assert to_score(0.25, 0.5).reason.text == "python 0.25 < threshold 0.5"  # type: ignore[union-attr]
    said = to_score({"value": 0.1, "passed": False, "reason": "names no speaker"}, 0.5)
    assert said.reason is not None and said.reason.text == "python 0.1: names no speaker"
    assert to_score(True, 0.5).reason is None
