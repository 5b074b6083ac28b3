"""The aiohttp application: routes under /v1 and /v1beta, request records and the JSON-lines log."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import IO, Any

from aiohttp import web

from harness_gemini.emulator import generate, latency, sse
from harness_gemini.emulator.catalog import Catalog, strip_prefix
from harness_gemini.emulator.config import EmulatorConfig
from harness_gemini.emulator.faults import Faults, RateLimiter
from harness_gemini.emulator.files import FileStore
from harness_gemini.emulator.lab import AudioLab
from harness_gemini.emulator.readable import Reader
from harness_gemini.emulator.request import GenRequest, parse_contents, parse_generate
from harness_gemini.emulator.responses import ResponseBook
from harness_gemini.emulator.tokens import Usage, prompt_usage
from harness_gemini.emulator.wire_errors import WireError, invalid_argument, model_not_found, server_error

VERSION = "{version:v1|v1beta|v1alpha}"
SECRET_HEADERS = {"x-goog-api-key", "authorization"}


class Dropped(Exception):
    """The connection was closed on purpose without an answer."""


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    model: str = ""
    status: int = 0
    duration_ms: float = 0.0
    case: str = ""
    trial: str = ""
    answer: str = ""  # which rule answered: responses / transcription / schema / echo / error / fault
    body: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def log_line(self) -> dict[str, Any]:
        return {
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "method": self.method,
            "path": self.path,
            "model": self.model,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 2),
            "case": self.case,
            "trial": self.trial,
            "answer": self.answer,
        }


class Emulator:
    """All state of one emulator instance (files, faults, limits, caches, records)."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.catalog = Catalog(config.extra_models)
        self.reader = Reader()
        self.files = FileStore(config, self.reader)
        self.book = ResponseBook.load(config.responses)
        self.faults = Faults(config)
        self.limiter = RateLimiter(config.rpm, config.tpm)
        self.lab = AudioLab(config.cache_dir, config.asr_workers)
        self.records: deque[RequestRecord] = deque(maxlen=config.max_request_records or None)
        self.counter = 0
        self._log: IO[str] | None = None
        if config.request_log is not None:
            config.request_log.parent.mkdir(parents=True, exist_ok=True)
            self._log = config.request_log.open("a", encoding="utf-8")

    def close(self) -> None:
        self.lab.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def response_id(self) -> str:
        self.counter += 1
        digest = hashlib.sha256(f"{self.config.seed}:{self.counter}".encode()).digest()
        return base64.urlsafe_b64encode(digest).decode()[:23]

    def record(self, rec: RequestRecord) -> None:
        if self.config.max_request_records:
            self.records.append(rec)
        if self._log is not None:
            self._log.write(json.dumps(rec.log_line()) + "\n")
            self._log.flush()

    # -- reading requests ---------------------------------------------------------------------

    async def read_json(self, request: web.Request) -> Any:
        limit = self.config.inline_limit_bytes
        if request.content_length is not None and request.content_length > limit:
            await _drain(request)
            raise _too_large(limit)
        buf = bytearray()
        async for chunk in request.content.iter_chunked(1 << 16):
            buf.extend(chunk)
            if len(buf) > limit:
                await _drain(request)
                raise _too_large(limit)
        try:
            return json.loads(buf) if buf else {}
        except ValueError as exc:
            raise invalid_argument(
                "Invalid JSON payload received. Unexpected token.\n" + buf[:40].decode("utf-8", "replace")
            ) from exc

    async def parse(self, request: web.Request, model: str, method: str, rec: RequestRecord) -> GenRequest:
        version = request.match_info["version"]
        body = await self.read_json(request)
        rec.body = body
        if model not in self.catalog:
            raise model_not_found(model, version, method)
        headers = {k.lower(): v for k, v in request.headers.items()}
        return parse_generate(body, model, version, self.files.resolve_uri, headers)

    async def usage_for(self, req: GenRequest) -> Usage:
        await self.reader.annotate(req)  # video and PDF facts, for usage here and for the answer
        durations = [
            await self.lab.duration(m.sha256, m.data) if m.mime_type.startswith("audio/") else None for m in req.media
        ]
        return prompt_usage(req, self.config, durations)

    # -- handlers -------------------------------------------------------------------------------

    async def model_action(self, request: web.Request) -> web.StreamResponse:
        rec: RequestRecord = request[RECORD]
        name, _, action = request.match_info["name"].partition(":")
        rec.model = model = strip_prefix(name)
        if action in ("generateContent", "streamGenerateContent"):
            return await self.generate(request, model, stream=action == "streamGenerateContent")
        if action == "countTokens":
            return await self.count_tokens(request, model)
        raise WireError(404, f"Method not found: {action or '(none)'}.")

    async def generate(self, request: web.Request, model: str, stream: bool) -> web.StreamResponse:
        rec: RequestRecord = request[RECORD]
        arrived = time.monotonic()
        req = await self.parse(request, model, "streamGenerateContent" if stream else "generateContent", rec)
        rec.case, rec.trial = req.case_id, req.trial_id
        usage = await self.usage_for(req)
        entry = self.book.find(req)
        plan = self.faults.plan(entry, stream)
        if plan.latency_s:
            await asyncio.sleep(plan.latency_s)
        if plan.drop:
            rec.answer = "dropped"
            raise Dropped()
        if plan.error is not None:
            rec.answer = "error"
            raise plan.error
        limited = self.limiter.admit(model, usage.prompt_total)
        if limited is not None:
            rec.answer = "rate-limited"
            raise limited
        answer = await generate.choose(self.lab, req, entry)
        answer, usage.candidates = generate.shape(answer, req, self.config.chars_per_token)
        usage.thoughts = answer.thoughts
        generate.apply_override(usage, entry)
        rec.answer = answer.source
        response_id = self.response_id()
        profile, key = self.config.latency, req.trial_id or generate.request_key(req)
        if not stream:
            if profile.active:
                due = latency.whole(profile, key, self.config.seed, usage.candidates, usage.thoughts)
                await _sleep_until(arrived + due)
            return web.json_response(generate.response_body(req, answer, usage, response_id))
        payloads = sse.chunks(req, answer, usage, response_id, self.config.stream_chunks, self.config.chars_per_token)
        error = None
        if plan.stream_error_after is not None:
            error = WireError(plan.stream_error_code, _stream_message(plan.stream_error_code))
        if profile.active:
            plan_s = latency.schedule(profile, key, self.config.seed, sse.new_tokens(payloads), usage.thoughts)
            due_at = [arrived + s for s in plan_s.chunks_s]
        else:
            step = self.config.stream_chunk_delay_ms / 1000
            due_at = [time.monotonic() + i * step for i in range(len(payloads))]
        return await sse.stream(request, payloads, plan.stream_error_after, error, due_at)

    async def count_tokens(self, request: web.Request, model: str) -> web.Response:
        rec: RequestRecord = request[RECORD]
        body = await self.read_json(request)
        rec.body = body
        if model not in self.catalog:
            raise model_not_found(model, request.match_info["version"], "countTokens")
        if isinstance(body, dict) and isinstance(body.get("generateContentRequest"), dict):
            inner = dict(body["generateContentRequest"])
            inner.setdefault("contents", body.get("contents"))
            req = parse_generate(inner, model, request.match_info["version"], self.files.resolve_uri, {})
        else:
            req = GenRequest(model=model, version=request.match_info["version"])
            req.turns = parse_contents(body if isinstance(body, dict) else {}, self.files.resolve_uri, req.media)
        usage = await self.usage_for(req)
        return web.json_response({"totalTokens": usage.prompt_total, "promptTokensDetails": usage.prompt_details()})

    async def list_models(self, request: web.Request) -> web.Response:
        try:
            size = int(request.query.get("pageSize", "50"))
        except ValueError as exc:
            raise invalid_argument("Invalid value for pageSize.") from exc
        return web.json_response(self.catalog.page(size, request.query.get("pageToken", "")))

    async def get_file(self, request: web.Request) -> web.Response:
        body = self.files.lookup(request.match_info["file_id"]).resource()
        request[RECORD].answer = body["state"]  # PROCESSING / ACTIVE / FAILED, in records and the request log
        return web.json_response(body)

    async def get_model(self, request: web.Request) -> web.Response:
        model = strip_prefix(request.match_info["name"])
        request[RECORD].model = model
        if model not in self.catalog:
            raise model_not_found(model, request.match_info["version"], "get")
        return web.json_response(self.catalog.resource(model))


STATE = web.AppKey("emulator", Emulator)
RECORD = web.RequestKey("record", RequestRecord)


async def _sleep_until(deadline: float) -> None:
    wait = deadline - time.monotonic()
    if wait > 0:
        await asyncio.sleep(wait)


def _stream_message(code: int) -> str:
    return server_error(code).message if code in (500, 503) else "Request failed."


def _too_large(limit: int) -> WireError:
    return invalid_argument(f"Request payload size exceeds the limit: {limit} bytes.")


async def _drain(request: web.Request) -> None:
    async for _ in request.content.iter_chunked(1 << 16):
        pass


def _safe_query(request: web.Request) -> dict[str, str]:
    return {k: v for k, v in request.query.items() if k.lower() != "key"}


@web.middleware
async def _middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    emu = request.app[STATE]
    started = time.perf_counter()
    rec = RequestRecord(
        method=request.method,
        path=request.path,
        query=_safe_query(request),
        headers={k: v for k, v in request.headers.items() if k.lower() not in SECRET_HEADERS},
    )
    request[RECORD] = rec
    try:
        response = await handler(request)
        rec.status = response.status
        return response
    except WireError as error:
        rec.status = error.code
        rec.answer = rec.answer or "error"
        return web.json_response(error.body(), status=error.code)
    except Dropped:
        rec.status = 0
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError() from None
    except web.HTTPNotFound:
        rec.status = 404
        return web.json_response(WireError(404, f"Method not found: {request.path}").body(), status=404)
    finally:
        rec.duration_ms = (time.perf_counter() - started) * 1000
        emu.record(rec)


def build_app(config: EmulatorConfig) -> web.Application:
    app = web.Application(middlewares=[_middleware], client_max_size=64 * 1024 * 1024)
    emu = Emulator(config)
    app[STATE] = emu
    app.router.add_post(f"/{VERSION}/models/{{name}}", emu.model_action)
    app.router.add_get(f"/{VERSION}/models", emu.list_models)
    app.router.add_get(f"/{VERSION}/models/{{name}}", emu.get_model)
    app.router.add_post(f"/upload/{VERSION}/files", _upload)
    app.router.add_get(f"/{VERSION}/files", emu.files.list)
    app.router.add_get(f"/{VERSION}/files/{{file_id}}", emu.get_file)
    app.router.add_delete(f"/{VERSION}/files/{{file_id}}", emu.files.delete)

    async def _close(_: web.Application) -> None:
        emu.close()

    app.on_cleanup.append(_close)
    return app


async def _upload(request: web.Request) -> web.Response:
    files = request.app[STATE].files
    if "upload_id" in request.query:
        return await files.chunk(request)
    return await files.start(request)
