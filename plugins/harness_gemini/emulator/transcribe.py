"""Offline speech recognition: PyAV decodes to 16 kHz mono s16le, pocketsphinx transcribes.

What counts as "asking for a transcript": the last user turn matches TRIGGER (a word starting with
"transcri", or "speech to text", or "what is/was said") and the request carries audio. A time range
"from MM:SS to MM:SS" (or H:MM:SS, or "between A and B") cuts the audio before recognition.
"""

from __future__ import annotations

import asyncio
import io
import re
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import av

RATE = 16000
BYTES_PER_S = RATE * 2

TRIGGER = re.compile(r"\btranscri\w*|\bspeech[- ]to[- ]text\b|\bwhat (?:is|was|gets) (?:said|spoken)\b", re.I)
_TIME = r"(\d{1,2}:)?(\d{1,2}):(\d{2}(?:\.\d+)?)"
RANGE = re.compile(rf"\b(?:from|between)\s+{_TIME}\s+(?:to|and|until|-)\s+{_TIME}", re.I)


def asks_for_transcript(prompt: str) -> bool:
    return bool(TRIGGER.search(prompt))


def _seconds(hours: str | None, minutes: str, seconds: str) -> float:
    return int(hours[:-1] if hours else 0) * 3600 + int(minutes) * 60 + float(seconds)


def time_range(prompt: str) -> tuple[float, float] | None:
    """``from 0:02 to 0:05`` -> (2.0, 5.0); None when the prompt names no range."""
    match = RANGE.search(prompt)
    if not match:
        return None
    g = match.groups()
    start, end = _seconds(g[0], g[1], g[2]), _seconds(g[3], g[4], g[5])
    return (start, end) if end > start else (end, start)


def decode_pcm(data: bytes) -> bytes:
    """Any container/codec PyAV reads -> 16 kHz mono signed 16-bit little-endian PCM."""
    out: list[bytes] = []
    with av.open(io.BytesIO(data), mode="r") as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        frames: list[Any] = []
        for frame in container.decode(container.streams.audio[0]):
            frames.extend(resampler.resample(frame))
        frames.extend(resampler.resample(None))
        for frame in frames:
            out.append(bytes(frame.planes[0])[: frame.samples * 2])
    return b"".join(out)


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


class AudioLab:
    """Decodes and transcribes audio off the event loop, caching by sha256 (and range)."""

    def __init__(self) -> None:
        self._pcm = _Lru(32)
        self._durations = _Lru(4096)
        self._texts = _Lru(1024)
        self._pending: dict[Any, asyncio.Future[str]] = {}
        # one worker: recognition is CPU-bound and the machine is small; results are cached anyway
        self._asr = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emulator-asr")

    def close(self) -> None:
        self._asr.shutdown(wait=False, cancel_futures=True)

    def _pcm_for(self, sha: str, data: bytes) -> bytes:
        pcm = self._pcm.get(sha)
        if pcm is None:
            pcm = decode_pcm(data)
            self._pcm.put(sha, pcm)
            self._durations.put(sha, len(pcm) / BYTES_PER_S)
        return pcm

    async def duration(self, sha: str, data: bytes) -> float | None:
        """Seconds of audio, or None when PyAV cannot read it."""
        known = self._durations.get(sha)
        if known is not None:
            return float(known)
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._pcm_for, sha, data)
        except (av.FFmpegError, ValueError, OSError):
            self._durations.put(sha, -1.0)
            return None
        return float(self._durations.get(sha))

    def _recognise(self, sha: str, data: bytes, span: tuple[float, float] | None) -> str:
        pcm = self._pcm_for(sha, data)
        if span is not None:
            start = int(span[0] * RATE) * 2
            end = int(span[1] * RATE) * 2
            pcm = pcm[start:end]
        from pocketsphinx import Decoder

        # A fresh decoder per clip: a reused one carries its cepstral-mean adaptation over, so the
        # transcript of a clip would depend on what was transcribed before it (not deterministic).
        decoder = Decoder(loglevel="FATAL")
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return str(hyp.hypstr) if hyp is not None else ""

    async def transcribe(self, sha: str, data: bytes, span: tuple[float, float] | None) -> str:
        key = (sha, span)
        cached = self._texts.get(key)
        if cached is not None:
            return str(cached)
        # Concurrent requests for the same audio share one recognition instead of queueing copies.
        pending = self._pending.get(key)
        if pending is None:
            loop = asyncio.get_running_loop()
            pending = asyncio.ensure_future(loop.run_in_executor(self._asr, self._recognise, sha, data, span))
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        text = str(await asyncio.shield(pending))
        self._texts.put(key, text)
        return text
