"""Files written whole or not at all: a unique temporary file beside the target, renamed over it.

Two runs writing into the same folder, a full disk or a crash mid-write never leave a truncated report or a
temporary file another writer could trip over: each write has its own temporary name (``.NAME.XXXX.tmp``),
which is removed when the write fails. ``folder_lock`` lets one writer finish a whole set of files (a run's
reports) before another starts, so a folder never mixes two runs.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: writes stay atomic, sets of writes are not serialised
    fcntl = None  # type: ignore[assignment]

#: Permissions of written files (mkstemp's own are private to the owner; reports are for sharing).
FILE_MODE = 0o644


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success it replaces ``path``, on any error it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if "b" not in mode:
            open_args.setdefault("encoding", "utf-8")
        with os.fdopen(fd, mode, **open_args) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, FILE_MODE)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def write_atomic(path: Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` atomically (see the module docstring); return ``path``."""
    with atomic_file(path, "wb" if isinstance(content, bytes) else "w") as handle:
        handle.write(content)
    return path


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` itself (no lock file is left in it) while a set of files is written."""
    folder.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
