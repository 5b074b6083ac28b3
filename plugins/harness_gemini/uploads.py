"""Files API uploads: once per distinct file per run, reused across runs until shortly before expiry."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from harness.api import ProviderError

#: Google keeps uploaded files 48 h; a remembered file is reused only while it has this much time left.
REUSE_MARGIN = dt.timedelta(hours=1)
FILE_LIFETIME = dt.timedelta(hours=48)
#: Polling of files.get while a file is PROCESSING: first delay, growth factor, longest delay (seconds).
POLL_FIRST, POLL_FACTOR, POLL_MAX = 0.1, 1.5, 2.0
MEMORY_KEY = "gemini"


@dataclass(frozen=True)
class RemoteFile:
    uri: str
    mime_type: str
    name: str
    #: "upload" (uploaded by this run) or "reused" (an earlier run's upload, still valid).
    transport: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _expiry(file: types.File) -> dt.datetime:
    if file.expiration_time is not None:
        return file.expiration_time
    return (file.create_time or _now()) + FILE_LIFETIME


class Uploads:
    """Shares one upload per sha256 between concurrent requests; remembers uploads in a FileMemory."""

    def __init__(
        self,
        client: genai.Client,
        *,
        memory: Any,
        base_url: str,
        reuse: bool,
        ready_timeout_s: float,
    ) -> None:
        self._client = client
        self._memory = memory
        self._base_url = base_url
        self._reuse = reuse
        self._ready_timeout_s = ready_timeout_s
        self._tasks: dict[str, asyncio.Task[RemoteFile]] = {}
        #: How many uploads this instance started (for logs and tests).
        self.started = 0

    async def get(self, path: Path, sha256: str, mime_type: str, headers: dict[str, str]) -> RemoteFile:
        """The remote file for this content, uploading it unless this run or a valid memory has it."""
        task = self._tasks.get(sha256)
        if task is None or (task.done() and _worth_retrying(task)):
            task = asyncio.ensure_future(self._obtain(path, sha256, mime_type, headers))
            self._tasks[sha256] = task
        # shield: one caller timing out must not cancel the upload the others are waiting for.
        return await asyncio.shield(task)

    async def _obtain(self, path: Path, sha256: str, mime_type: str, headers: dict[str, str]) -> RemoteFile:
        remembered = await self._recall(sha256, headers)
        if remembered is not None:
            return remembered
        self.started += 1
        config = types.UploadFileConfig(
            mime_type=mime_type, display_name=path.name, http_options=types.HttpOptions(headers=headers)
        )
        file = await self._client.aio.files.upload(file=path, config=config)
        file = await self._wait_active(file, headers)
        if file.uri is None or file.name is None:
            raise ProviderError(f"the Files API returned no URI for {path.name}", retryable=True)
        if self._memory is not None:
            self._memory.remember_file(
                MEMORY_KEY,
                sha256,
                {
                    "name": file.name,
                    "uri": file.uri,
                    "mime_type": file.mime_type or mime_type,
                    "expiration_time": _expiry(file).isoformat(),
                    "base_url": self._base_url,
                    "size_bytes": file.size_bytes,
                },
            )
        return RemoteFile(uri=file.uri, mime_type=file.mime_type or mime_type, name=file.name, transport="upload")

    async def _recall(self, sha256: str, headers: dict[str, str]) -> RemoteFile | None:
        """An earlier run's upload, if remembered for this base URL, not about to expire, and still ACTIVE."""
        if not self._reuse or self._memory is None:
            return None
        info = self._memory.recall_file(MEMORY_KEY, sha256)
        if not isinstance(info, dict) or info.get("base_url") != self._base_url:
            return None
        try:
            expires = dt.datetime.fromisoformat(str(info["expiration_time"]))
            name, uri, mime = str(info["name"]), str(info["uri"]), str(info["mime_type"])
        except (KeyError, ValueError):
            return None
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.timezone.utc)
        if expires - _now() < REUSE_MARGIN:
            return None
        # Files belong to one project (key) and may have been deleted: confirm before relying on it.
        try:
            file = await self._client.aio.files.get(
                name=name, config=types.GetFileConfig(http_options=types.HttpOptions(headers=headers))
            )
        except genai_errors.APIError:
            return None
        if file.state != types.FileState.ACTIVE or file.uri != uri:
            return None
        return RemoteFile(uri=uri, mime_type=mime, name=name, transport="reused")

    async def _wait_active(self, file: types.File, headers: dict[str, str]) -> types.File:
        """Poll files.get until the file is ACTIVE (the API processes video for a while before it can be used)."""
        deadline = time.monotonic() + self._ready_timeout_s
        delay = POLL_FIRST
        while file.state != types.FileState.ACTIVE:
            if file.state == types.FileState.FAILED:
                reason = (file.error.message if file.error is not None else None) or "no reason given"
                raise ProviderError(
                    f"the Files API could not process {file.display_name} ({file.mime_type}, {file.name}): {reason}; "
                    "check that the file plays, or re-encode it (e.g. H.264 video with AAC audio in MP4)",
                    status="FAILED_PRECONDITION",
                )
            if file.name is None:
                raise ProviderError("the Files API returned a file without a name", retryable=True)
            if time.monotonic() + delay > deadline:
                raise ProviderError(
                    f"{file.display_name} was not ACTIVE after {self._ready_timeout_s:g} s "
                    f"(state {file.state}); raise provider_options.file_ready_timeout_s",
                    status="DEADLINE_EXCEEDED",
                    retryable=True,
                )
            await asyncio.sleep(delay)
            delay = min(POLL_MAX, delay * POLL_FACTOR)
            file = await self._client.aio.files.get(
                name=file.name, config=types.GetFileConfig(http_options=types.HttpOptions(headers=headers))
            )
        return file

    async def mime_of(self, uri: str, headers: dict[str, str]) -> str | None:
        """The MIME type the Files API records for a ``.../files/<id>`` URI given in a suite."""
        marker = "/files/"
        if marker not in uri:
            return None
        name = "files/" + uri.rsplit(marker, 1)[1].split("?")[0]
        file = await self._client.aio.files.get(
            name=name, config=types.GetFileConfig(http_options=types.HttpOptions(headers=headers))
        )
        return file.mime_type

    def cancel(self) -> None:
        for task in self._tasks.values():
            task.cancel()


def _worth_retrying(task: asyncio.Task[RemoteFile]) -> bool:
    """A finished upload is started again after a cancellation or a retryable error, never after FAILED."""
    if task.cancelled():
        return True
    error = task.exception()
    return error is not None and not (isinstance(error, ProviderError) and not error.retryable)
