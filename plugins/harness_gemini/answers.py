"""Reading GenerateContentResponse objects (whole or streamed) into harness Output records."""

from __future__ import annotations

import enum
import json
from typing import Any

from google.genai import types

from harness.api import Output, Usage


def _name(value: Any) -> str | None:
    """An enum's name (finish reasons, block reasons, modalities), or the string as given."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return str(value.name) if isinstance(value.name, str) else str(value.value)
    return str(value)


def _by_modality(details: list[types.ModalityTokenCount] | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in details or []:
        modality = _name(item.modality) or "MODALITY_UNSPECIFIED"
        counts[modality] = counts.get(modality, 0) + (item.token_count or 0)
    return counts


def parse_usage(metadata: types.GenerateContentResponseUsageMetadata | None) -> Usage:
    if metadata is None:
        return Usage()
    return Usage(
        prompt_tokens=metadata.prompt_token_count,
        output_tokens=metadata.candidates_token_count,
        thoughts_tokens=metadata.thoughts_token_count,
        cached_tokens=metadata.cached_content_token_count,
        tool_use_prompt_tokens=metadata.tool_use_prompt_token_count,
        total_tokens=metadata.total_token_count,
        prompt_by_modality=_by_modality(metadata.prompt_tokens_details),
        output_by_modality=_by_modality(metadata.candidates_tokens_details),
    )


def answer_text(response: types.GenerateContentResponse) -> str | None:
    """Text parts of the first candidate joined, thought parts excluded; None when there are none."""
    if not response.candidates:
        return None
    content = response.candidates[0].content
    if content is None or not content.parts:
        return None
    texts = [part.text for part in content.parts if part.text is not None and not part.thought]
    return "".join(texts) if texts else None


def _safety(candidate: types.Candidate | None) -> list[dict[str, Any]]:
    if candidate is None or not candidate.safety_ratings:
        return []
    return [rating.model_dump(mode="json", exclude_none=True) for rating in candidate.safety_ratings]


def parse_json(text: str | None) -> tuple[Any, str | None]:
    """(parsed value, None) or (None, error message); never raises."""
    if text is None:
        return None, "no text to parse as JSON"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, f"invalid JSON: {error}"


def wants_json(config: dict[str, Any]) -> bool:
    return str(config.get("response_mime_type", "")).lower() == "application/json"


def fill_output(output: Output, last: types.GenerateContentResponse, text: str | None, json_out: bool) -> None:
    """Set the answer fields of ``output`` from the final response (or last stream chunk) and text."""
    candidate = last.candidates[0] if last.candidates else None
    output.text = text
    output.finish_reason = _name(candidate.finish_reason) if candidate else None
    output.usage = parse_usage(last.usage_metadata)
    output.model_version = last.model_version
    output.response_id = last.response_id
    output.safety_ratings = _safety(candidate)
    feedback = last.prompt_feedback
    output.block_reason = _name(feedback.block_reason) if feedback is not None else None
    if output.block_reason is not None:
        output.warnings.append(f"the prompt was blocked ({output.block_reason}); no answer was generated")
    elif output.finish_reason not in (None, "STOP") and text is None:
        output.warnings.append(f"the answer finished with {output.finish_reason} and has no text")
    if json_out:
        output.parsed, output.parse_error = parse_json(text)


def parse_response(response: types.GenerateContentResponse, json_out: bool) -> Output:
    """An Output for a non-streamed answer (latency, media and counts are set by the caller)."""
    output = Output()
    fill_output(output, response, answer_text(response), json_out)
    return output


class StreamCollector:
    """Accumulates streamed chunks: text, chunk count, time to first text, and the last chunk's metadata."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.chunks = 0
        self.ttft_ms: float | None = None
        self.last: types.GenerateContentResponse | None = None
        self.safety: types.Candidate | None = None
        self.finish_reason: str | None = None

    def add(self, chunk: types.GenerateContentResponse, elapsed_ms: float) -> None:
        self.chunks += 1
        text = answer_text(chunk)
        if text:
            self.parts.append(text)
            if self.ttft_ms is None:
                self.ttft_ms = elapsed_ms
        if chunk.candidates and chunk.candidates[0].safety_ratings:
            self.safety = chunk.candidates[0]
        if chunk.candidates and chunk.candidates[0].finish_reason is not None:
            self.finish_reason = _name(chunk.candidates[0].finish_reason)
        self.last = chunk

    def output(self, json_out: bool) -> Output:
        output = Output(chunks=self.chunks, ttft_ms=self.ttft_ms)
        if self.last is None:
            output.warnings.append("the stream ended without any chunk")
            return output
        text = "".join(self.parts) if self.parts else None
        fill_output(output, self.last, text, json_out)
        if not output.safety_ratings and self.safety is not None:
            output.safety_ratings = _safety(self.safety)
        # A closing chunk may carry only usage; the finish reason came with an earlier one.
        output.finish_reason = output.finish_reason or self.finish_reason
        return output
