"""A suite's own files: paths confined to the suite's folder, and their content digests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from harness.errors import UserError


def resolve_path(base: Path, name: str, allow_outside: bool) -> Path:
    """``name`` relative to ``base``; refuses to leave ``base`` unless allowed."""
    path = (base / name).resolve()
    if not allow_outside and not path.is_relative_to(base.resolve()):
        raise UserError(
            f"path '{name}' is outside the suite's folder",
            hint="suites are untrusted input; pass --allow-outside-files to allow this",
        )
    return path


_HASHES: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> tuple[str, int]:
    """The sha256 and size of a file, computed once per path, size and modification time."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHES:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _HASHES[key] = digest.hexdigest()
    return _HASHES[key], stat.st_size
