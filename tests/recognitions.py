"""What pocketsphinx heard of every clip a whole test session sends the emulator, recorded once, so a session
does not recognise the same clips again (about 25 s of CPU on the 2-core machine, a fifth of the session).

The recording is the emulator's own disk-cache entries (``<sha256>.json``, what ``transcribe.listen`` returned),
kept in ``tests/data/recognitions/`` with a fingerprint of everything that decides them: LISTEN_FORMAT, the
versions of pocketsphinx, PyAV and numpy, and the source of the modules on the listening path. conftest.py seeds
the session's shared emulator cache with them only when the fingerprint is the current one; otherwise the
session recognises every clip itself (slower, never wrong) and ``test_the_recorded_recognitions_are_current``
fails, saying how to record them again::

    make recognitions     # python tests/recognitions.py: runs the whole suite unseeded and keeps what it heard

Tests of the recogniser itself do not use the recording: they call ``listen`` or start emulators with their own
cache, and one of them checks a live recognition against its recorded entry, field by field.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "tests" / "data" / "recognitions"
FINGERPRINT = RECORDED / "fingerprint.json"
#: The modules whose code decides what ``listen`` returns (decoding, measuring, recognising).
LISTENING_PATH = [
    ROOT / "plugins" / "harness_gemini" / name
    for name in ("emulator/transcribe.py", "emulator/audio_facts.py", "probe.py", "mime.py")
]
#: Set to record: the session neither seeds its cache nor expects the recording to be current.
RECORDING = "HARNESS_TEST_RECORDING_RECOGNITIONS"


def fingerprint() -> dict[str, object]:
    from harness_gemini.emulator.transcribe import LISTEN_FORMAT

    sources = hashlib.sha256()
    for path in LISTENING_PATH:
        sources.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return {
        "listen_format": LISTEN_FORMAT,
        "versions": {name: version(name) for name in ("pocketsphinx", "av", "numpy")},
        "sources_sha256": sources.hexdigest(),
    }


def recorded_fingerprint() -> dict[str, object] | None:
    try:
        return json.loads(FINGERPRINT.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


def entries(folder: Path | None = None) -> list[Path]:
    return sorted(p for p in (folder or RECORDED).rglob("*.json") if len(p.stem) == 64)


def seed(audio_cache: Path) -> int:
    """Copy the recording into an emulator audio cache (``<cache_dir>/audio``); how many entries, 0 if stale."""
    if os.environ.get(RECORDING) or recorded_fingerprint() != fingerprint():
        return 0
    copied = 0
    for entry in entries():
        target = audio_cache / entry.stem[:2] / entry.name
        target.parent.mkdir(parents=True, exist_ok=True)
        # each xdist worker seeds the shared folder: never let one read a file another is half-way through
        partial = target.with_name(f"{entry.name}.{os.getpid()}.tmp")
        shutil.copyfile(entry, partial)
        os.replace(partial, target)
        copied += 1
    return copied


def record() -> int:
    """Run the whole test suite unseeded and keep every clip it heard (replacing the old recording)."""
    with tempfile.TemporaryDirectory(prefix="harness-recognitions-") as tmp:
        basetemp = Path(tmp) / "basetemp"
        env = {**os.environ, RECORDING: "1"}
        command = [sys.executable, "-m", "pytest", "-q", "-n", "auto", "-p", "no:cacheprovider"]
        done = subprocess.run([*command, "--basetemp", str(basetemp)], cwd=ROOT, env=env, check=False)
        if done.returncode != 0:
            print("the test session failed: nothing recorded", file=sys.stderr)
            return done.returncode
        heard = entries(basetemp / "xdg-cache" / "harness" / "emulator" / "audio")
        RECORDED.mkdir(parents=True, exist_ok=True)
        for old in entries():
            old.unlink()
        for entry in heard:
            shutil.copyfile(entry, RECORDED / entry.name)
    FINGERPRINT.write_text(json.dumps(fingerprint(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"recorded {len(heard)} recognitions in {RECORDED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "plugins"))
    raise SystemExit(record())
