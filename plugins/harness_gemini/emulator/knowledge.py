"""What the emulator knows about the media of a request: timed words, sentences, keywords and the
measured facts of each medium. ``learn`` is the one place that maps a request's media to that
knowledge; every answer (transcripts, summaries, descriptions, schema JSON) is built from it.

A new kind of medium plugs in by returning a ``Known`` from ``learn``: words without times are fine
(windows and pauses then do not apply). Video soundtracks (cut to the part's clip) and PDF text, read by
readable.py, come in that way.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from harness_gemini.emulator.audio_facts import AudioFacts
from harness_gemini.emulator.intent import Window
from harness_gemini.emulator.readable import document_text, hearable
from harness_gemini.emulator.request import Clip, Media

#: A gap between two words at least this long ends a sentence (the recogniser gives no punctuation).
SENTENCE_GAP_S = 0.3
MAX_SENTENCE_WORDS = 25
_STOP = """a an and are as at be but by can could did do does for from had has have he her his i if in into is
it its me my no not of on or our she so than that the their them then there these they this to up us was we were
what when where which while who why will with would you your yes oh um uh ah also just very all any"""
STOPWORDS = frozenset(_STOP.split())


@dataclass(frozen=True)
class Word:
    text: str
    start: float | None = None
    end: float | None = None
    prob: float | None = None

    @property
    def middle(self) -> float | None:
        return None if self.start is None or self.end is None else (self.start + self.end) / 2


@dataclass(frozen=True)
class Sentence:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def start(self) -> float | None:
        return self.words[0].start if self.words else None

    @property
    def end(self) -> float | None:
        return self.words[-1].end if self.words else None


@dataclass
class Known:
    """One medium as the emulator understands it (optionally narrowed to a window)."""

    name: str
    mime: str
    sha256: str
    words: list[Word] = field(default_factory=list)
    duration_s: float | None = None
    facts: AudioFacts | None = None
    error: str = ""
    #: The window (start, end) in seconds this view covers, when the prompt named one.
    span: tuple[float, float] | None = None
    #: Indices of words that end a sentence, for text without times (a prompt, a document).
    breaks: frozenset[int] = frozenset()

    @classmethod
    def from_text(cls, name: str, text: str) -> Known:
        """Knowledge of plain text: its words, with sentences ending at . ! ? and line breaks."""
        words: list[Word] = []
        breaks: set[int] = set()
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
            tokens = re.findall(r"[\w'’-]+", sentence)
            words.extend(Word(t) for t in tokens)
            if tokens:
                breaks.add(len(words) - 1)
        return cls(name, "text/plain", "", words=words, breaks=frozenset(breaks))

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def start(self) -> float:
        return self.span[0] if self.span else 0.0

    @property
    def end(self) -> float | None:
        return self.span[1] if self.span else self.duration_s

    @property
    def length_s(self) -> float | None:
        end = self.end
        return None if end is None else max(0.0, end - self.start)

    def window(self, window: Window | None) -> Known:
        """The part of this medium inside ``window``: words whose middle lies in it."""
        if window is None or self.duration_s is None:
            return self
        start, end = window.resolve(self.duration_s)
        inside = [w for w in self.words if w.middle is None or start <= w.middle < end]
        return replace(self, words=inside, span=(start, end))

    def sentences(self) -> list[Sentence]:
        """Words grouped at pauses of SENTENCE_GAP_S or more (and at most MAX_SENTENCE_WORDS each)."""
        out: list[list[Word]] = []
        for i, word in enumerate(self.words):
            last = out[-1][-1] if out else None
            gap = word.start - last.end if last is not None and word.start is not None and last.end is not None else 0.0
            ended = i - 1 in self.breaks
            if last is None or ended or gap >= SENTENCE_GAP_S or len(out[-1]) >= MAX_SENTENCE_WORDS:
                out.append([word])
            else:
                out[-1].append(word)
        return [Sentence(tuple(s)) for s in out]

    def keywords(self, limit: int = 3) -> list[str]:
        """The most frequent content words (ties: first heard first)."""
        counts = Counter(w.text.lower() for w in self.words if _content(w.text))
        order = {word: i for i, word in reversed(list(enumerate(w.text.lower() for w in self.words)))}
        return sorted(counts, key=lambda w: (-counts[w], order[w]))[:limit]

    def confidence(self) -> float | None:
        probs = [w.prob for w in self.words if w.prob is not None]
        return round(sum(probs) / len(probs), 3) if probs else None


def _content(word: str) -> bool:
    return len(word) > 2 and word.lower() not in STOPWORDS and not word.isdigit()


def stem(word: str) -> str:
    """A crude English stem for matching a topic to the transcript (countries ~ country)."""
    word = word.lower().strip("'\"")
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def topic_terms(topic: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[\w']+", topic) if _content(w) or w.isdigit()}


class Listener(Protocol):
    async def hear(self, sha256: str, data: bytes) -> dict[str, Any]: ...


def from_heard(heard: dict[str, Any], name: str, mime: str, sha256: str) -> Known:
    """A Known from the JSON that ``transcribe.listen`` returns (fresh or from the disk cache)."""
    if heard.get("error"):
        return Known(name, mime, sha256, error=str(heard["error"]))
    facts = AudioFacts.from_json(heard["facts"])
    words = [Word(str(w["w"]), float(w["s"]), float(w["e"]), float(w["p"])) for w in heard.get("words", [])]
    return Known(name, mime, sha256, words=words, duration_s=facts.duration_s, facts=facts)


async def learn(lab: Listener, media: list[Media], names: list[str], window: Window | None) -> list[Known]:
    """What the emulator knows about each medium it can read, narrowed to ``window``.

    ``names`` are the media's file names when the harness sent them (else the MIME type stands in).
    Media it cannot read (images here, videos without a soundtrack) are left out.
    """
    known: list[Known] = []
    for i, item in enumerate(media):
        name = names[i] if i < len(names) and names[i] else item.mime_type
        text = document_text(item)
        if text is not None:
            known.append(replace(Known.from_text(name, text), mime=item.mime_type, sha256=item.sha256))
        elif hearable(item):
            heard = await lab.hear(item.sha256, item.data)
            known.append(clipped(from_heard(heard, name, item.mime_type, item.sha256), item.clip, window))
    return known


def clipped(known: Known, clip: Clip | None, window: Window | None) -> Known:
    """The prompt's window of a medium, within the clip a video part's videoMetadata sends (both are
    positions in the whole file)."""
    view = known.window(window)
    if clip is None or known.duration_s is None or (clip.start_s is None and clip.end_s is None):
        return view
    low, high = view.span if view.span else (0.0, known.duration_s)
    low = max(low, clip.start_s or 0.0)
    high = min(high, clip.end_s if clip.end_s is not None else known.duration_s)
    inside = [w for w in view.words if w.middle is None or low <= w.middle < high]
    return replace(view, words=inside, span=(low, max(low, high)))
