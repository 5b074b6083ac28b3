"""Batch API: ``models/{model}:batchGenerateContent`` (inline requests or a JSONL file uploaded through the Files
API), ``batches.get / list / cancel / delete``, and the responses file's ``files/{id}:download``.

A job is PENDING, then RUNNING, then SUCCEEDED once ``batch_delay_s`` has passed and every line is answered (by the
same rules as generateContent: the responses file, the audio, the fault drills of a case's entry). Drills: a share
of jobs ends FAILED (``batch_fail_rate``); a responses-file entry with ``error:`` fails its lines one by one, as
Google reports a line that failed inside a job that succeeded. Jobs live in memory for the emulator's lifetime.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from harness_gemini.emulator import generate
from harness_gemini.emulator.files import StoredFile
from harness_gemini.emulator.request import file_id_from_uri, parse_generate, pick
from harness_gemini.emulator.wire_errors import WireError, invalid_argument

if TYPE_CHECKING:
    from harness_gemini.emulator.app import Emulator

TYPE_BATCH = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"
TYPE_OUTPUT = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"
ENDED = {"BATCH_STATE_SUCCEEDED", "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED", "BATCH_STATE_EXPIRED"}


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Line:
    key: str | None
    body: dict[str, Any]
    labels: dict[str, str]
    result: dict[str, Any] | None = None


@dataclass
class Job:
    job_id: str
    model: str
    version: str
    display_name: str
    lines: list[Line]
    from_file: bool
    created: dt.datetime
    due: float
    fail: bool
    state: str = "BATCH_STATE_PENDING"
    ended: dt.datetime | None = None
    output_file: str | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return f"batches/{self.job_id}"

    def stats(self) -> dict[str, str]:
        answered = [line for line in self.lines if line.result is not None]
        failed = sum(1 for line in answered if "error" in (line.result or {}))
        return {
            "requestCount": str(len(self.lines)),
            "successfulRequestCount": str(len(answered) - failed),
            "failedRequestCount": str(failed),
            "pendingRequestCount": str(len(self.lines) - len(answered)),
        }

    def resource(self) -> dict[str, Any]:
        updated = self.ended or dt.datetime.now(dt.timezone.utc)
        metadata: dict[str, Any] = {
            "@type": TYPE_BATCH,
            "model": f"models/{self.model}",
            "displayName": self.display_name,
            "createTime": _stamp(self.created),
            "updateTime": _stamp(updated),
            "batchStats": self.stats(),
            "state": self.state,
            "name": self.name,
        }
        body: dict[str, Any] = {"name": self.name, "metadata": metadata}
        if self.ended is not None:
            metadata["endTime"] = _stamp(self.ended)
            body["done"] = True
        if self.state == "BATCH_STATE_SUCCEEDED":
            output: dict[str, Any]
            if self.output_file is not None:
                output = {"responsesFile": f"files/{self.output_file}"}
            else:
                responses = []
                for line in self.lines:
                    item = dict(line.result or {})
                    if line.key is not None:
                        item["metadata"] = {"key": line.key}
                    responses.append(item)
                output = {"inlinedResponses": {"inlinedResponses": responses}}
            metadata["output"] = output
            body["response"] = {"@type": TYPE_OUTPUT, **output}
        elif self.state == "BATCH_STATE_FAILED":
            body["error"] = {"code": 13, "message": "The batch job failed (emulator drill: batch_fail_rate)."}
        return body


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Batches:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.jobs: dict[str, Job] = {}

    def add_routes(self, router: web.UrlDispatcher, version: str) -> None:
        router.add_get(f"/{version}/batches", self.list)
        router.add_get(f"/{version}/batches/{{name}}", self.get)
        router.add_post(f"/{version}/batches/{{name}}", self.action)
        router.add_delete(f"/{version}/batches/{{name}}", self.delete)
        router.add_get(f"/{version}/files/{{file_id}}:download", self.download)

    async def close(self) -> None:
        for job in self.jobs.values():
            if job.task is not None:
                job.task.cancel()

    # -- create -----------------------------------------------------------------------------------

    async def create(self, request: web.Request, model: str, body: Any) -> web.Response:
        version = request.match_info["version"]
        batch = pick(body, "batch") if isinstance(body, dict) else None
        if not isinstance(batch, dict):
            raise invalid_argument("Invalid JSON payload received. Expected a 'batch' object.")
        source = pick(batch, "inputConfig") or {}
        lines, from_file = self._lines(source)
        if not lines:
            raise invalid_argument("The batch has no requests.")
        config = self.emu.config
        job = Job(
            job_id=secrets.token_hex(8),
            model=model,
            version=version,
            display_name=str(pick(batch, "displayName", "") or ""),
            lines=lines,
            from_file=from_file,
            created=dt.datetime.now(dt.timezone.utc),
            due=time.monotonic() + config.batch_delay_s,
            fail=self.emu.faults.rng.random() < config.batch_fail_rate,
        )
        self.jobs[job.job_id] = job
        job.task = asyncio.ensure_future(self._process(job))
        return web.json_response(job.resource())

    def _lines(self, source: Any) -> tuple[list[Line], bool]:
        if not isinstance(source, dict):
            raise invalid_argument("Invalid value at 'batch.input_config'.")
        file_name = pick(source, "fileName")
        if isinstance(file_name, str) and file_name:
            stored = self.emu.files.lookup(file_id_from_uri(file_name))
            lines = []
            for number, raw in enumerate(stored.data.decode("utf-8").splitlines(), 1):
                if not raw.strip():
                    continue
                try:
                    item = json.loads(raw)
                except ValueError as exc:
                    raise invalid_argument(f"Line {number} of {file_name} is not JSON.") from exc
                if not isinstance(item, dict) or not isinstance(item.get("request"), dict):
                    raise invalid_argument(f"Line {number} of {file_name} has no 'request' object.")
                labels = {k: str(v) for k, v in _mapping(item.get("metadata")).items()}
                lines.append(Line(str(item.get("key", number)), item["request"], labels))
            return lines, True
        requests = pick(source, "requests") or {}
        items = pick(requests, "requests") if isinstance(requests, dict) else None
        if not isinstance(items, list):
            raise invalid_argument("A batch needs input_config.requests.requests or input_config.file_name.")
        lines = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("request"), dict):
                raise invalid_argument("Every inlined request needs a 'request' object.")
            metadata = _mapping(item.get("metadata"))
            labels = {k: str(v) for k, v in metadata.items() if k != "key"}
            key = metadata.get("key")
            lines.append(Line(str(key) if key is not None else None, item["request"], labels))
        return lines, False

    # -- processing -----------------------------------------------------------------------------------

    async def _process(self, job: Job) -> None:
        job.state = "BATCH_STATE_RUNNING"
        if not job.fail:
            for line in job.lines:
                if job.state == "BATCH_STATE_CANCELLED":
                    return
                line.result = await self._answer(job, line)
        wait = job.due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        if job.state == "BATCH_STATE_CANCELLED":
            return
        if job.fail:
            job.state = "BATCH_STATE_FAILED"
        else:
            if job.from_file:
                job.output_file = self._responses_file(job)
            job.state = "BATCH_STATE_SUCCEEDED"
        job.ended = dt.datetime.now(dt.timezone.utc)

    async def _answer(self, job: Job, line: Line) -> dict[str, Any]:
        emu = self.emu
        headers = {f"x-harness-{name}": value for name, value in line.labels.items()}
        try:
            req = parse_generate(line.body, job.model, job.version, emu.files.resolve_uri, headers)
            usage = await emu.usage_for(req)
            entry = emu.book.find(req)
            plan = emu.faults.plan(entry, stream=False)
            if plan.error is not None:
                raise plan.error
            if plan.drop:
                raise WireError(500, "The request was dropped (emulator drill: drop_rate).")
            answer = await emu.compose(req, entry, usage)
        except WireError as error:
            return {"error": error.body()["error"]}
        return {"response": generate.response_body(req, answer, usage, emu.response_id())}

    def _responses_file(self, job: Job) -> str:
        rows = []
        for line in job.lines:
            rows.append(json.dumps({"key": line.key, **(line.result or {})}, ensure_ascii=False))
        data = ("\n".join(rows) + "\n").encode("utf-8")
        file_id = secrets.token_hex(6)
        self.emu.files.files[file_id] = StoredFile(
            file_id=file_id,
            display_name=f"{job.job_id}-responses.jsonl",
            mime_type="application/jsonl",
            data=data,
            created=dt.datetime.now(dt.timezone.utc),
            ready_at=0.0,
            base=f"http://emulator/{job.version}",
        )
        return file_id

    # -- get / list / cancel / delete / download ------------------------------------------------

    def _job(self, name: str) -> Job:
        job = self.jobs.get(name.removeprefix("batches/"))
        if job is None:
            raise WireError(404, f"Batch batches/{name} not found.", "NOT_FOUND")
        return job

    async def get(self, request: web.Request) -> web.Response:
        return web.json_response(self._job(request.match_info["name"]).resource())

    async def list(self, request: web.Request) -> web.Response:
        try:
            size = min(max(int(request.query.get("pageSize", "50")), 1), 1000)
        except ValueError as exc:
            raise invalid_argument("Invalid value for pageSize.") from exc
        token = request.query.get("pageToken", "")
        start = int(token) if token.isdigit() else 0
        newest = sorted(self.jobs.values(), key=lambda j: j.created, reverse=True)
        body: dict[str, Any] = {"operations": [job.resource() for job in newest[start : start + size]]}
        if start + size < len(newest):
            body["nextPageToken"] = str(start + size)
        return web.json_response(body)

    async def action(self, request: web.Request) -> web.Response:
        name, _, verb = request.match_info["name"].partition(":")
        if verb != "cancel":
            raise WireError(404, f"Method not found: {verb or '(none)'}.")
        job = self._job(name)
        if job.state not in ENDED:
            job.state = "BATCH_STATE_CANCELLED"
            job.ended = dt.datetime.now(dt.timezone.utc)
        return web.json_response({})

    async def delete(self, request: web.Request) -> web.Response:
        job = self._job(request.match_info["name"])
        if job.task is not None:
            job.task.cancel()
        del self.jobs[job.job_id]
        return web.json_response({})

    async def download(self, request: web.Request) -> web.Response:
        stored = self.emu.files.lookup(request.match_info["file_id"])
        return web.Response(body=stored.data, content_type="application/octet-stream")
