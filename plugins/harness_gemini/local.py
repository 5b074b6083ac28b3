"""The Gemini provider's local endpoint: the bundled emulator, started for one process (``--emulator``)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path

from harness.api import LocalEndpoint

#: What the provider sends as the key to its emulator (the emulator accepts any key; this one is never real).
EMULATOR_KEY = "emulator"


@functools.cache
def emulator_code_digest() -> str:
    """A digest of the emulator's code: a new emulator build must never answer from an old one's cache."""
    folder = Path(__file__).resolve().parent / "emulator"
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def identity(responses: Path | None) -> str:
    """Who answers: this emulator build with this responses file."""
    digest = hashlib.sha256(emulator_code_digest().encode())
    if responses is not None:
        digest.update(responses.read_bytes())
    return f"emulator:{digest.hexdigest()[:16]}"


@contextlib.contextmanager
def start_emulator(responses: Path | None) -> Iterator[LocalEndpoint]:
    from harness_gemini.emulator import EmulatorConfig, start_background

    config = EmulatorConfig.from_yaml(responses, port=0) if responses else EmulatorConfig(port=0)
    with start_background(config) as emu:
        yield LocalEndpoint(base_url=str(emu.base_url), api_key=EMULATOR_KEY, identity=identity(responses))
