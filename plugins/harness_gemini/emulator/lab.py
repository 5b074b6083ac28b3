"""AudioLab: listens to clips in worker processes (asr_pool), one per core, caching what it heard in memory
and on disk by the audio's sha256, so each clip is recognised once per machine, not once per request.

The disk cache is one JSON file per clip, ``<cache_dir>/audio/<sha256[:2]>/<sha256>.json``, tagged
with the recogniser's version and LISTEN_FORMAT (a stale entry is recomputed). Delete the folder to
clear it. Concurrent requests for the same clip share one recognition, within a process and across the
processes that share a cache folder: a recognition holds an exclusive lock on ``<sha256>.lock`` beside the
entry, and whoever waited for it reads the entry instead of recognising the clip again. Concurrent requests
in one process also share one measurement of a new clip's length (for its audio tokens).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: each process recognises on its own
    fcntl = None  # type: ignore[assignment]

import av

from harness_gemini.emulator.asr_pool import WorkerDied, WorkerPool
from harness_gemini.emulator.transcribe import LISTEN_FORMAT, decode, recogniser_version
from harness_gemini.emulator.wire_errors import server_error


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class _Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class DiskCache:
    """What ``listen`` returned for each clip, by sha256, as JSON files (written atomically)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.version = recogniser_version()

    def path(self, sha: str) -> Path:
        return self.folder / sha[:2] / f"{sha}.json"

    def get(self, sha: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path(sha).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != LISTEN_FORMAT:
            return None
        if data.get("recogniser", self.version) != self.version:
            return None
        return data

    @contextlib.contextmanager
    def claim(self, sha: str) -> Iterator[None]:
        """Held while this clip is recognised, so another process sharing the folder waits instead of doing it
        too (a lock the kernel drops if the holder dies). Without a usable folder, nothing is held."""
        lock = self.path(sha).with_suffix(".lock")
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            handle = lock.open("a")
        except OSError:
            yield
            return
        with handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            yield  # closing the file releases the lock

    def put(self, sha: str, data: dict[str, Any]) -> None:
        target = self.path(sha)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False, suffix=".tmp") as tmp:
                json.dump(data, tmp)
            os.replace(tmp.name, target)
        except OSError:
            pass  # a read-only or full disk only costs a recognition next time


class AudioLab:
    """Decodes and listens to audio off the event loop (see the module docstring)."""

    def __init__(self, cache_dir: Path | None = None, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self.disk = DiskCache(cache_dir / "audio") if cache_dir is not None else None
        self._heard = _Lru(1024)
        self._durations = _Lru(4096)
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._probing: dict[str, asyncio.Future[Any]] = {}
        self._pool = WorkerPool(self.workers)
        # one thread per worker process: each feeds its worker a clip and waits for the answer
        self._feeders = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="emulator-asr")
        self._probe = ThreadPoolExecutor(max_workers=2, thread_name_prefix="emulator-probe")
        self.recognitions = 0  # clips recognised by this lab (not served from a cache)

    def close(self) -> None:
        self._probe.shutdown(wait=False, cancel_futures=True)
        self._feeders.shutdown(wait=False, cancel_futures=True)
        self._pool.close()

    def cached(self, sha: str) -> dict[str, Any] | None:
        heard = self._heard.get(sha)
        if heard is None and self.disk is not None:
            heard = self.disk.get(sha)
            if heard is not None:
                self._heard.put(sha, heard)
        return heard

    async def hear(self, sha: str, data: bytes) -> dict[str, Any]:
        """What ``transcribe.listen`` returns for this clip, recognised at most once."""
        heard = self.cached(sha)
        if heard is not None:
            return heard
        return await self._once(self._pending, sha, lambda: self._recognise(sha, data))

    @staticmethod
    async def _once(pending: dict[str, asyncio.Future[Any]], sha: str, work: Callable[[], Awaitable[Any]]) -> Any:
        """``work()`` for this clip, shared by every request that asks while it is under way."""
        future = pending.get(sha)
        if future is None:
            future = asyncio.ensure_future(work())
            pending[sha] = future
            future.add_done_callback(lambda _: pending.pop(sha, None))
        return await asyncio.shield(future)

    async def _recognise(self, sha: str, data: bytes) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        try:
            heard, recognised = await loop.run_in_executor(self._feeders, self._listen_once, sha, data)
        except WorkerDied as exc:
            # a worker died (out of memory?): this request fails like a real 500; the next starts a new one
            raise server_error(500) from exc
        self.recognitions += recognised
        self._heard.put(sha, heard)
        return heard

    def _listen_once(self, sha: str, data: bytes) -> tuple[dict[str, Any], bool]:
        """What the clip holds, and whether this lab recognised it (False: another process did, meanwhile)."""
        if self.disk is None:
            return self._pool.run(data), True
        with self.disk.claim(sha):
            heard = self.disk.get(sha)
            if heard is not None:
                return heard, False
            heard = self._pool.run(data)
            if not heard.get("error"):
                self.disk.put(sha, heard)
            return heard, True

    def _probe_duration(self, data: bytes) -> float:
        try:
            return decode(data).duration_s
        except (av.FFmpegError, ValueError, OSError):
            return -1.0

    async def duration(self, sha: str, data: bytes) -> float | None:
        """Seconds of audio (for token counts), or None when PyAV cannot read it."""
        known = self._durations.get(sha)
        if known is None:
            heard = self.cached(sha)
            if heard is not None and "facts" in heard:
                known = float(heard["facts"]["duration_s"])
            else:  # ten concurrent requests with one new 25 MB clip decode it once, not ten times
                measure = partial(asyncio.get_running_loop().run_in_executor, self._probe, self._probe_duration, data)
                known = await self._once(self._probing, sha, measure)
            self._durations.put(sha, known)
        return None if known < 0 else float(known)
