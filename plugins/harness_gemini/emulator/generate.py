"""Choosing and shaping an answer: responses file, schema JSON, an answer from the audio, echo; then
stop sequences, maxOutputTokens, usage and the GenerateContentResponse body."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from harness_gemini.emulator import compose
from harness_gemini.emulator.catalog import is_legacy
from harness_gemini.emulator.intent import classify
from harness_gemini.emulator.knowledge import Known, Listener, learn
from harness_gemini.emulator.readable import knowable
from harness_gemini.emulator.request import GenRequest
from harness_gemini.emulator.responses import ResponseEntry
from harness_gemini.emulator.sampling import sample
from harness_gemini.emulator.schema_value import Source, value_for
from harness_gemini.emulator.tokens import Usage, text_tokens, thought_tokens

BLOCKING = {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION"}
ECHO_PREFIX = "Echo: "


@dataclass
class Answer:
    text: str
    finish_reason: str
    source: str  # responses | transcription | audio | schema | echo | blocked
    thoughts: int = 0


def echo_text(req: GenRequest) -> str:
    return ECHO_PREFIX + req.prompt


def request_key(req: GenRequest) -> str:
    """What identifies a request's content (not its trial): same request and seed, same choices."""
    digest = hashlib.sha256()
    for part in (req.model, str(req.seed), req.system, req.prompt, *(m.sha256 for m in req.media)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


async def knowledge(lab: Listener, req: GenRequest) -> list[Known]:
    """What the emulator knows about the request's media, in the window the prompt names."""
    return await learn(lab, req.media, req.media_names, classify(req.prompt).window)


async def from_audio(lab: Listener, req: GenRequest) -> Answer | None:
    """An answer grounded in the request's audio, whatever the prompt's wording; None without audio."""
    if not any(knowable(m) for m in req.media):
        return None
    intent = classify(req.prompt)
    known = await learn(lab, req.media, req.media_names, intent.window)
    text = compose.answer(intent, known)
    return Answer(text, "STOP", "transcription" if intent.wants_words else "audio")


async def schema_text(lab: Listener, req: GenRequest) -> str | None:
    schema = req.response_json_schema if req.response_json_schema is not None else req.response_schema
    if schema is None and req.response_mime_type != "application/json":
        return None
    known = await knowledge(lab, req)
    if schema is None:
        if not known:
            return json.dumps({"echo": req.prompt}, indent=2, ensure_ascii=False)
        heard = compose.answer(classify(req.prompt), known)
        return json.dumps({"answer": heard}, indent=2, ensure_ascii=False)
    if not known:
        known = [Known.from_text("prompt", req.prompt)]
    value = value_for(schema, Source(known, request_key(req)))
    if req.response_mime_type == "text/x.enum" and isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


async def choose(lab: Listener, req: GenRequest, entry: ResponseEntry | None) -> Answer:
    if entry is not None:
        finish = entry.finish_reason or "STOP"
        if entry.text is not None:
            return Answer(entry.text, finish, "responses")
        if entry.json_value is not None:
            return Answer(json.dumps(entry.json_value, indent=2, ensure_ascii=False), finish, "responses")
        if finish in BLOCKING:
            return Answer("", finish, "blocked")
    finish = entry.finish_reason if entry is not None and entry.finish_reason else "STOP"
    # Like the real API, a response schema always wins: the answer is JSON (filled from the audio).
    structured = await schema_text(lab, req)
    if structured is not None:
        return Answer(structured, finish, "schema")
    heard = await from_audio(lab, req)
    if heard is not None:
        return Answer(_sampled(heard.text, req), finish, heard.source)
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
