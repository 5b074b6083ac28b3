"""Offline listening: PyAV decodes any container to 16 kHz mono s16le, pocketsphinx recognises the
words with their times, and audio_facts measures the clip. ``listen`` is what a recognition worker
process runs; its result is plain JSON so it can be cached on disk by the audio's sha256.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from typing import Any

import av

from harness_gemini.emulator.audio_facts import RATE, measure
from harness_gemini.mime import detect_data
from harness_gemini.probe import DEMUXERS, open_media

BYTES_PER_S = RATE * 2
#: Bump when what ``listen`` returns changes, so cached results on disk are recomputed.
LISTEN_FORMAT = 2
#: A clip whose loudest sample is this quiet (|s| <= 32 of 32768) has nothing to hear. Fed such a signal,
#: pocketsphinx names a word anyway ("dog" for 30 s of digital silence), and not the same one every time.
INAUDIBLE_DBFS = -60.0
_ALTERNATE = re.compile(r"\(\d+\)$")


@dataclass
class Decoded:
    pcm: bytes
    channels: int
    sample_rate: int
    codec: str
    container: str

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / BYTES_PER_S


def decode(data: bytes) -> Decoded:
    """Any container/codec PyAV reads -> 16 kHz mono signed 16-bit little-endian PCM and stream facts."""
    out: list[bytes] = []
    mime = detect_data(data)
    if mime is None or mime not in DEMUXERS:
        raise ValueError("not a recognised audio or video container")
    # As what the content says, never ffmpeg's guess: a playlist sent inline must not open local files.
    with open_media(io.BytesIO(data), mime) as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        frames: list[Any] = []
        for frame in container.decode(stream):
            frames.extend(resampler.resample(frame))
        frames.extend(resampler.resample(None))
        for frame in frames:
            out.append(bytes(frame.planes[0])[: frame.samples * 2])
        channels = int(stream.codec_context.channels or 0)
        return Decoded(
            pcm=b"".join(out),
            channels=channels,
            sample_rate=int(stream.codec_context.sample_rate or 0),
            codec=str(stream.codec_context.name or ""),
            container=str(container.format.name or ""),
        )


def decode_pcm(data: bytes) -> bytes:
    return decode(data).pcm


_DECODER: Any = None
_DECODER_LOCK = threading.Lock()


def recognise(pcm: bytes) -> tuple[str, list[dict[str, Any]]]:
    """Pocketsphinx's hypothesis and its words as ``{"w", "s", "e", "p"}`` (word, start/end s, posterior)."""
    with _DECODER_LOCK:
        return _recognise(pcm)


def _recognise(pcm: bytes) -> tuple[str, list[dict[str, Any]]]:
    global _DECODER
    if _DECODER is None:
        from pocketsphinx import Decoder

        _DECODER = Decoder(loglevel="FATAL")  # loads the dictionary and the language model: 0.2 s
    else:
        # A reused decoder carries its cepstral-mean state over, so a clip's transcript would depend on what was
        # heard before it; with its feature extraction reset it hears each clip as a fresh decoder does.
        _DECODER.reinit_feat()
    decoder = _DECODER
    frame_rate = int(decoder.config["frate"] or 100)
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    words = []
    for seg in decoder.seg():
        word = str(seg.word)
        if word.startswith(("<", "[", "+")):
            continue  # <s>, </s>, <sil>, [NOISE], ++filler++
        words.append(
            {
                "w": _ALTERNATE.sub("", word),
                "s": round(seg.start_frame / frame_rate, 2),
                "e": round((seg.end_frame + 1) / frame_rate, 2),
                "p": round(float(seg.prob), 3),
            }
        )
    return (str(hyp.hypstr) if hyp is not None else ""), words


def recogniser_version() -> str:
    from importlib.metadata import version

    return f"pocketsphinx {version('pocketsphinx')}"


def listen(data: bytes) -> dict[str, Any]:
    """Everything the emulator learns from one clip, as JSON (run in a worker process)."""
    try:
        decoded = decode(data)
    except (av.FFmpegError, ValueError, OSError) as exc:
        return {"format": LISTEN_FORMAT, "error": f"the audio could not be decoded ({exc})"}
    facts = measure(decoded.pcm, decoded.channels, decoded.sample_rate, decoded.codec, decoded.container)
    text, words = recognise(decoded.pcm) if facts.peak_dbfs > INAUDIBLE_DBFS else ("", [])
    return {
        "format": LISTEN_FORMAT,
        "recogniser": recogniser_version(),
        "text": text,
        "words": words,
        "facts": facts.to_json(),
    }
