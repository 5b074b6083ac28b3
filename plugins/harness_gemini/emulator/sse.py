"""streamGenerateContent?alt=sse: ``data: <json>\\r\\n\\r\\n`` chunks with cumulative usage and the
finishReason only on the last one; optionally an error chunk in the middle."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from aiohttp import web

from harness_gemini.emulator.catalog import is_legacy
from harness_gemini.emulator.generate import Answer, candidate
from harness_gemini.emulator.request import GenRequest
from harness_gemini.emulator.tokens import Usage, text_tokens
from harness_gemini.emulator.wire_errors import WireError

SSE_HEADERS = {"Content-Type": "text/event-stream", "Content-Disposition": "attachment"}


def split_text(text: str, pieces: int) -> list[str]:
    """Split at word boundaries into at most ``pieces`` non-empty parts that join back to ``text``."""
    words = re.findall(r"\S+\s*|\s+", text)
    if not words:
        return [text]
    pieces = max(1, min(pieces, len(words)))
    size, extra = divmod(len(words), pieces)
    out, at = [], 0
    for i in range(pieces):
        n = size + (1 if i < extra else 0)
        out.append("".join(words[at : at + n]))
        at += n
    return out


def frame(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\r\n\r\n"


def chunks(
    req: GenRequest, answer: Answer, usage: Usage, response_id: str, pieces: int, chars_per_token: float
) -> list[dict[str, Any]]:
    parts = split_text(answer.text, pieces)
    legacy = is_legacy(req.model)
    out: list[dict[str, Any]] = []
    sent = ""
    for i, piece in enumerate(parts):
        last = i == len(parts) - 1
        sent += piece
        partial = Usage(prompt=usage.prompt, thoughts=usage.thoughts)
        partial.candidates = usage.candidates if last else min(text_tokens(sent, chars_per_token), usage.candidates)
        thought = req.include_thoughts and usage.thoughts > 0 and i == 0
        out.append(
            {
                "candidates": [candidate(req, piece, answer.finish_reason if last else None, thought, logprobs=False)],
                "usageMetadata": partial.metadata(legacy),
                "modelVersion": req.model,
                "responseId": response_id,
            }
        )
    return out


def new_tokens(payloads: list[dict[str, Any]]) -> list[int]:
    """Answer tokens each chunk adds (its usage is cumulative: the difference to the chunk before)."""
    out, before = [], 0
    for payload in payloads:
        total = int(payload["usageMetadata"].get("candidatesTokenCount", 0))
        out.append(max(0, total - before))
        before = max(before, total)
    return out


async def stream(
    request: web.Request,
    payloads: list[dict[str, Any]],
    error_after: int | None,
    error: WireError | None,
    due_at: list[float],
) -> web.StreamResponse:
    """Send each chunk at its due time (``time.monotonic()`` values), the first as soon as it is due."""
    first_wait = due_at[0] - time.monotonic() if due_at else 0.0
    if first_wait > 0:
        await asyncio.sleep(first_wait)  # before the headers: TTFT is the time to the first chunk
    response = web.StreamResponse(status=200, headers=SSE_HEADERS)
    await response.prepare(request)
    for i, payload in enumerate(payloads):
        if error_after is not None and error is not None and i >= error_after:
            break
        wait = due_at[i] - time.monotonic() if i < len(due_at) else 0.0
        if i and wait > 0:
            await asyncio.sleep(wait)
        await response.write(frame(payload))

    if error_after is not None and error is not None:
        await response.write(frame(error.body()))
    await response.write_eof()
    return response
