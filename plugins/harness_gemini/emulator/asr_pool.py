"""A pool of recognition worker processes (``python -m harness_gemini.emulator.asr_worker``), one clip at a
time each, fed over pipes: 4-byte big-endian length + audio bytes in, length + JSON out.

Why not ``concurrent.futures.ProcessPoolExecutor``: with ``fork`` it forks a threaded server (the
emulator's event loop, the SDK's threads), which can deadlock the child; with ``spawn`` or
``forkserver`` every worker re-imports the embedding program's ``__main__``, so a script calling
``start_background()`` without an ``if __name__ == "__main__"`` guard would run itself again in each
worker. Plain subprocesses import only this package.
"""

from __future__ import annotations

import json
import os
import queue
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

_LENGTH = struct.Struct(">I")
#: The folder that holds this package, for the worker's import path, and the worker's module name.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_WORKER = f"{__package__}.asr_worker"


class WorkerDied(RuntimeError):
    """A recognition worker exited or broke the protocol; the clip can be tried again."""


def send(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def receive(stream: IO[bytes]) -> bytes | None:
    """One message, or None at a clean end of stream."""
    head = stream.read(_LENGTH.size)
    if not head:
        return None
    if len(head) < _LENGTH.size:
        raise EOFError("truncated message header")
    (size,) = _LENGTH.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        raise EOFError("truncated message")
    return body


class WorkerPool:
    """At most ``size`` workers, started on demand and reused; ``run`` blocks (call it from a thread)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: queue.LifoQueue[subprocess.Popen[bytes]] = queue.LifoQueue()
        self._all: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()
        self._closed = False

    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
        return subprocess.Popen(
            [sys.executable, "-m", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )

    def _take(self) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._closed:
                raise WorkerDied("the recognition pool is closed")
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                if len(self._all) < self.size:
                    proc = self._start()
                    self._all.append(proc)
                    return proc
        return self._idle.get()

    def _discard(self, proc: subprocess.Popen[bytes]) -> None:
        proc.kill()
        proc.wait()
        with self._lock:
            if proc in self._all:
                self._all.remove(proc)

    def run(self, data: bytes) -> dict[str, Any]:
        proc = self._take()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            send(proc.stdin, data)
            answer = receive(proc.stdout)
            if answer is None:
                raise EOFError("the worker closed its output")
            result: dict[str, Any] = json.loads(answer)
        except (OSError, EOFError, ValueError) as exc:
            code = proc.poll()
            self._discard(proc)
            raise WorkerDied(f"a recognition worker failed ({exc}; exit code {code})") from exc
        self._idle.put(proc)
        return result

    def close(self) -> None:
        with self._lock:
            self._closed = True
            procs, self._all = self._all, []
        for proc in procs:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()  # the worker exits at the end of its input
                proc.wait(2)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
