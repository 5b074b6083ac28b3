"""Choosing and shaping an answer: responses file, transcription, schema value, echo; then
stop sequences, maxOutputTokens, usage and the GenerateContentResponse body."""

from __future__ import annotations

import json
from dataclasses import dataclass

from harness_gemini.emulator.catalog import is_legacy
from harness_gemini.emulator.readable import heard_or_read
from harness_gemini.emulator.request import GenRequest
from harness_gemini.emulator.responses import ResponseEntry
from harness_gemini.emulator.sampling import sample
from harness_gemini.emulator.schema_value import value_for
from harness_gemini.emulator.tokens import Usage, text_tokens, thought_tokens
from harness_gemini.emulator.transcribe import AudioLab

BLOCKING = {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION"}
ECHO_PREFIX = "Echo: "


@dataclass
class Answer:
    text: str
    finish_reason: str
    source: str  # responses | transcription | schema | echo | blocked
    thoughts: int = 0


def echo_text(req: GenRequest) -> str:
    return ECHO_PREFIX + req.prompt


async def transcription(lab: AudioLab, req: GenRequest) -> str | None:
    """Pocketsphinx transcript of the request's audio and video tracks when the prompt asks for one, or
    the text of its PDFs when the prompt asks for that (readable.py); else None."""
    if req.response_schema is not None or req.response_json_schema is not None:
        return None  # like the real API, a response schema always wins: the answer is JSON
    return await heard_or_read(lab, req)


def schema_text(req: GenRequest) -> str | None:
    if req.response_json_schema is not None:
        value = value_for(req.response_json_schema)
    elif req.response_schema is not None:
        value = value_for(req.response_schema)
    elif req.response_mime_type == "application/json":
        value = {"echo": req.prompt}
    else:
        return None
    if req.response_mime_type == "text/x.enum" and isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


async def choose(lab: AudioLab, req: GenRequest, entry: ResponseEntry | None) -> Answer:
    if entry is not None:
        finish = entry.finish_reason or "STOP"
        if entry.text is not None:
            return Answer(entry.text, finish, "responses")
        if entry.json_value is not None:
            return Answer(json.dumps(entry.json_value, indent=2, ensure_ascii=False), finish, "responses")
        if finish in BLOCKING:
            return Answer("", finish, "blocked")
    finish = entry.finish_reason if entry is not None and entry.finish_reason else "STOP"
    heard = await transcription(lab, req)
    if heard is not None:
        return Answer(_sampled(heard, req), finish, "transcription")
    structured = schema_text(req)
    if structured is not None:
        return Answer(structured, finish, "schema")
    return Answer(_sampled(echo_text(req), req), finish, "echo")


def _sampled(text: str, req: GenRequest) -> str:
    return sample(text, req.temperature, trial_id=req.trial_id, seed=req.seed, model=req.model, prompt=req.prompt)


def shape(answer: Answer, req: GenRequest, chars_per_token: float) -> tuple[Answer, int]:
    """Apply stopSequences then maxOutputTokens; return the answer and its candidate token count."""
    text, finish = answer.text, answer.finish_reason
    for stop in req.stop_sequences:
        at = text.find(stop)
        if at >= 0:
            text = text[:at]
    tokens = text_tokens(text, chars_per_token)
    if req.max_output_tokens is not None and tokens > req.max_output_tokens:
        text = text[: int(req.max_output_tokens * chars_per_token)]
        tokens, finish = req.max_output_tokens, "MAX_TOKENS"
    shaped = Answer(text, finish, answer.source)
    shaped.thoughts = thought_tokens(req, tokens)
    return shaped, tokens


def apply_override(usage: Usage, entry: ResponseEntry | None) -> None:
    if entry is None or entry.usage is None:
        return
    o = entry.usage
    if o.prompt_tokens is not None:
        usage.prompt.clear()
        usage.prompt["TEXT"] = o.prompt_tokens
    if o.candidates_tokens is not None:
        usage.candidates = o.candidates_tokens
    if o.thoughts_tokens is not None:
        usage.thoughts = o.thoughts_tokens


def candidate(
    req: GenRequest, text: str, finish: str | None, thought: bool, logprobs: bool = True
) -> dict[str, object]:
    parts: list[dict[str, object]] = []
    if thought:
        parts.append({"text": "**Answering**\n\nWorking out the reply to the request.", "thought": True})
    if text or not parts:
        parts.append({"text": text})
    cand: dict[str, object] = {"content": {"parts": parts, "role": "model"}}
    if finish in BLOCKING and not text:
        cand["content"] = {}
    if finish is not None:
        cand["finishReason"] = finish
    if is_legacy(req.model):
        if finish is not None and logprobs and text:
            cand["avgLogprobs"] = -0.125
    else:
        cand["index"] = 0
    return cand


def response_body(req: GenRequest, answer: Answer, usage: Usage, response_id: str) -> dict[str, object]:
    thought = req.include_thoughts and usage.thoughts > 0
    return {
        "candidates": [candidate(req, answer.text, answer.finish_reason, thought)],
        "usageMetadata": usage.metadata(is_legacy(req.model)),
        "modelVersion": req.model,
        "responseId": response_id,
    }
