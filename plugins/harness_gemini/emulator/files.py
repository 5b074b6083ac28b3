"""Files API: resumable upload (start, chunks with offsets, finalize) and get / list / delete.

Files live in memory for the emulator's lifetime (or until deleted / 48 h), stay PROCESSING for
``processing_s`` after upload (``video_processing_s`` for video), then ACTIVE, or FAILED when the video or
PDF cannot be read (readable.py) or the ``processing_fail_rate`` drill picks them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from harness_gemini.emulator.config import EmulatorConfig
from harness_gemini.emulator.readable import Reader
from harness_gemini.emulator.request import file_id_from_uri, pick
from harness_gemini.emulator.wire_errors import WireError, file_denied, invalid_argument

EXPIRY = dt.timedelta(hours=48)
STATUS = "x-goog-upload-status"


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class StoredFile:
    file_id: str
    display_name: str
    mime_type: str
    data: bytes
    created: dt.datetime
    ready_at: float
    base: str
    #: Why processing fails (the file turns FAILED at ready_at); None: it turns ACTIVE.
    failure: str | None = None

    def state(self) -> str:
        if time.monotonic() < self.ready_at:
            return "PROCESSING"
        return "FAILED" if self.failure is not None else "ACTIVE"

    def resource(self) -> dict[str, Any]:
        digest = hashlib.sha256(self.data).hexdigest().encode()
        body: dict[str, Any] = {"name": f"files/{self.file_id}"}
        if self.display_name:
            body["displayName"] = self.display_name
        body.update(
            {
                "mimeType": self.mime_type,
                "sizeBytes": str(len(self.data)),
                "createTime": _stamp(self.created),
                "updateTime": _stamp(self.created),
                "expirationTime": _stamp(self.created + EXPIRY),
                "sha256Hash": base64.b64encode(digest).decode(),
                "uri": f"{self.base}/files/{self.file_id}",
                "state": self.state(),
                "source": "UPLOADED",
            }
        )
        if body["state"] == "FAILED":
            body["error"] = {"code": 3, "message": self.failure}  # google.rpc.Status, 3 = INVALID_ARGUMENT
        return body


@dataclass
class UploadSession:
    display_name: str
    mime_type: str
    declared_size: int | None
    version: str
    buffer: bytearray = field(default_factory=bytearray)


class FileStore:
    def __init__(self, config: EmulatorConfig, reader: Reader) -> None:
        self.config = config
        self.reader = reader
        self.rng = random.Random(config.seed)
        self.files: dict[str, StoredFile] = {}
        self.sessions: dict[str, UploadSession] = {}

    async def processing(self, mime: str, data: bytes) -> tuple[float, str | None]:
        """How long the upload stays PROCESSING, and why it then fails (None: it turns ACTIVE)."""
        delay = self.config.video_processing_s if mime.startswith("video/") else self.config.processing_s
        facts = await self.reader.facts(mime, hashlib.sha256(data).hexdigest(), data)
        if facts is not None and facts.problem is not None:
            return delay, f"The file could not be processed: {facts.problem}."
        if self.rng.random() < self.config.processing_fail_rate:
            return delay, "File processing failed. Please try uploading the file again."
        return delay, None

    def lookup(self, file_id: str) -> StoredFile:
        stored = self.files.get(file_id)
        if stored is None or dt.datetime.now(dt.timezone.utc) >= stored.created + EXPIRY:
            raise file_denied(file_id)
        return stored

    def resolve_uri(self, uri: str) -> tuple[str, bytes]:
        """A fileData URI -> (mime type, bytes); only ACTIVE files may be used."""
        stored = self.lookup(file_id_from_uri(uri))
        if stored.state() != "ACTIVE":
            raise invalid_argument(f"The File {stored.file_id} is not in an ACTIVE state and usage is not allowed.")
        return stored.mime_type, stored.data

    # -- resumable upload ---------------------------------------------------------------------

    async def start(self, request: web.Request) -> web.Response:
        version = request.match_info["version"]
        if request.headers.get("X-Goog-Upload-Protocol", "").lower() != "resumable":
            raise invalid_argument("Upload protocol must be 'resumable' (X-Goog-Upload-Protocol header).")
        if request.headers.get("X-Goog-Upload-Command", "").lower() != "start":
            raise invalid_argument("The first resumable upload request must carry X-Goog-Upload-Command: start.")
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError as exc:
            raise invalid_argument("Invalid JSON payload received.") from exc
        meta = (pick(body, "file") or {}) if isinstance(body, dict) else {}
        declared = request.headers.get("X-Goog-Upload-Header-Content-Length")
        mime = request.headers.get("X-Goog-Upload-Header-Content-Type") or str(pick(meta, "mimeType", "") or "")
        if not mime:
            raise invalid_argument("* File.mime_type: mime_type is required\n")
        session_id = secrets.token_urlsafe(24)
        self.sessions[session_id] = UploadSession(
            display_name=str(pick(meta, "displayName", "") or ""),
            mime_type=mime,
            declared_size=int(declared) if declared and declared.isdigit() else None,
            version=version,
        )
        url = (
            f"{request.scheme}://{request.host}/upload/{version}/files?upload_id={session_id}&upload_protocol=resumable"
        )
        headers = {
            "x-goog-upload-url": url,
            "x-goog-upload-control-url": url,
            "x-goog-upload-chunk-granularity": str(8 * 1024 * 1024),
            STATUS: "active",
        }
        return web.Response(status=200, headers=headers, text="")

    async def chunk(self, request: web.Request) -> web.Response:
        session_id = request.query.get("upload_id", "")
        session = self.sessions.get(session_id)
        if session is None:
            return _upload_error(WireError(404, "Upload session not found or already finalized."), "final")
        command = {c.strip().lower() for c in request.headers.get("X-Goog-Upload-Command", "").split(",")}
        data = await request.read()
        if command == {"query"}:
            return web.Response(headers={STATUS: "active", "x-goog-upload-size-received": str(len(session.buffer))})
        offset_text = request.headers.get("X-Goog-Upload-Offset", "")
        if "upload" in command:
            if not offset_text.isdigit() or int(offset_text) != len(session.buffer):
                error = invalid_argument(
                    f"Invalid X-Goog-Upload-Offset {offset_text!r}: expected {len(session.buffer)}."
                )
                return _upload_error(error, "active", len(session.buffer))
            session.buffer.extend(data)
        elif command != {"finalize"}:
            return _upload_error(invalid_argument("Unknown X-Goog-Upload-Command."), "active")
        if "finalize" not in command:
            return web.Response(headers={STATUS: "active"})
        del self.sessions[session_id]
        if session.declared_size is not None and session.declared_size != len(session.buffer):
            error = invalid_argument(
                f"Upload size {len(session.buffer)} does not match the declared size {session.declared_size}."
            )
            return _upload_error(error, "final")
        base = f"{request.scheme}://{request.host}/{session.version}"
        data = bytes(session.buffer)
        delay, failure = await self.processing(session.mime_type, data)
        stored = StoredFile(
            file_id=secrets.token_hex(6),
            display_name=session.display_name,
            mime_type=session.mime_type,
            data=data,
            created=dt.datetime.now(dt.timezone.utc),
            ready_at=time.monotonic() + delay,
            base=base,
            failure=failure,
        )
        self.files[stored.file_id] = stored
        return web.json_response({"file": stored.resource()}, headers={STATUS: "final"})

    # -- list / delete (get is the app's, which records the state it answered) ----------------------

    async def delete(self, request: web.Request) -> web.Response:
        stored = self.lookup(request.match_info["file_id"])
        del self.files[stored.file_id]
        return web.json_response({})

    async def list(self, request: web.Request) -> web.Response:
        try:
            size = int(request.query.get("pageSize", "10"))
        except ValueError as exc:
            raise invalid_argument("Invalid value for pageSize.") from exc
        size = min(max(size, 1), 100)
        token = request.query.get("pageToken", "")
        start = int(token) if token.isdigit() else 0
        newest = sorted(self.files.values(), key=lambda f: f.created, reverse=True)
        body: dict[str, Any] = {}
        page = newest[start : start + size]
        if page:
            body["files"] = [f.resource() for f in page]
        if start + size < len(newest):
            body["nextPageToken"] = str(start + size)
        return web.json_response(body)


def _upload_error(error: WireError, status: str, received: int | None = None) -> web.Response:
    headers = {STATUS: status}
    if received is not None:
        headers["x-goog-upload-size-received"] = str(received)
    return web.json_response(error.body(), status=error.code, headers=headers)
