"""Deterministic answers built from what the emulator knows about a request's media: the transcript,
an extractive summary, a description from the measured facts, what is said about a topic, and
answers to fact questions. Same knowledge and intent, same text, every time.
"""

from __future__ import annotations

from collections import Counter

from harness_gemini.emulator.intent import ABOUT, DESCRIBE, FACT, SUMMARISE, TRANSCRIBE, Intent
from harness_gemini.emulator.knowledge import Known, Sentence, stem, topic_terms

LANGUAGE = "English"  # the recogniser's model is en-us
#: A description quotes a clip of up to this many words whole, else its opening.
QUOTE_WORDS = 30
_FORMATS = {
    "wav": "WAV",
    "aiff": "AIFF",
    "mp3": "MP3",
    "flac": "FLAC",
    "aac": "AAC",
    "ogg": "Ogg",
    "mov,mp4,m4a,3gp,3g2,mj2": "MP4",
}


def format_name(container: str, codec: str) -> str:
    """A readable name of a clip's format: "MP3", "Ogg Vorbis", "WAV"."""
    name = _FORMATS.get(container, container.split(",")[0].upper())
    if container == "ogg" and codec:
        name += f" {codec.capitalize()}"
    return name


def mmss(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def quoted(text: str) -> str:
    return f"“{text}”"


def _where(k: Known) -> str:
    if k.span is None:
        return ""
    return f"From {mmss(k.span[0])} to {mmss(k.span[1])}, "


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def transcript(known: list[Known]) -> str:
    """The words of each medium, one line each (a medium with no words adds nothing)."""
    return "\n".join(k.text for k in known if k.text)


def top_sentences(k: Known, limit: int = 2) -> list[Sentence]:
    """Luhn-style extract: the sentences whose content words are most frequent in the clip, in order."""
    sentences = k.sentences()
    if len(sentences) <= limit:
        return sentences
    counts = Counter(stem(w.text) for w in k.words)
    keys = set(k.keywords(5))

    def score(s: Sentence) -> float:
        content = [stem(w.text) for w in s.words if w.text.lower() in keys]
        return sum(counts[c] for c in content) / (len(s.words) ** 0.5)

    best = sorted(range(len(sentences)), key=lambda i: (-score(sentences[i]), i))[:limit]
    return [sentences[i] for i in sorted(best)]


def _no_speech(k: Known) -> str:
    if k.error:
        return f"I could not listen to {k.name}: {k.error}."
    length = k.length_s or 0.0
    level = k.facts.loudness_dbfs(k.start, k.end) if k.facts else None
    where = _where(k) or "The recording "
    tail = f" (average level {level:.0f} dBFS)" if level is not None else ""
    verb = "has" if not k.span else "there is"
    return f"{where}{verb} no recognisable speech in {length:.1f} seconds of audio{tail}."


def summary(k: Known) -> str:
    if not k.words:
        return _no_speech(k)
    keys = k.keywords(3)
    picked = " … ".join(s.text for s in top_sentences(k))
    about = ", ".join(keys[:-1]) + f" and {keys[-1]}" if len(keys) > 1 else (keys[0] if keys else "")
    lead = _where(k) or "In this recording, "
    topic = f" talks about {about}" if about else " speaks"
    return f"{lead}a speaker{topic}, saying {quoted(picked)}."


def description(k: Known) -> str:
    if k.error:
        return _no_speech(k)
    facts = k.facts
    length = k.length_s or 0.0
    parts: list[str] = []
    if facts is not None:
        layout = "mono" if facts.channels == 1 else "stereo" if facts.channels == 2 else f"{facts.channels}-channel"
        kind = f"{format_name(facts.container, facts.codec)} " if facts.container else ""
        rate = f", {facts.sample_rate / 1000:g} kHz" if facts.sample_rate else ""
        whole = f"A {facts.duration_s:.1f}-second {layout} {kind}recording{rate}"
        if k.span is not None:
            parts.append(f"{whole}; from {mmss(k.span[0])} to {mmss(k.span[1])} ({length:.1f} seconds):")
        else:
            parts.append(f"{whole}:")
        level = facts.loudness_dbfs(k.start, k.end)
        silence = facts.silence_s(k.start, k.end)
        pauses = len(facts.pauses(k.start, k.end))
        share = round(100 * silence / length) if length else 0
        sound = (
            f"one voice speaking {LANGUAGE}, {_plural(len(k.words), 'word')} "
            f"({len(k.words) / length * 60:.0f} words a minute)"
            if k.words and length
            else "no recognisable speech"
        )
        parts.append(
            f"{sound}, at an average level of {level:.0f} dBFS (peak {facts.peak_dbfs:.0f} dBFS), "
            f"with {silence:.1f} seconds of silence ({share}%) and {_plural(pauses, 'pause')}."
        )
    else:
        parts.append(f"A recording with {_plural(len(k.words), 'word')}.")
    if 0 < len(k.words) <= QUOTE_WORDS:
        parts.append(f"The speaker says: {quoted(k.text)}.")
    elif k.words:
        opening: list[str] = []
        for sentence in k.sentences():
            opening.append(sentence.text)
            if sum(len(s.split()) for s in opening) >= 8:
                break
        parts.append(f"It begins: {quoted(' '.join(opening))} …")
    return " ".join(parts)


def about(k: Known, topic: str) -> str:
    """What the medium says about ``topic``: the sentences that name it, or that it does not."""
    terms = topic_terms(topic)
    matching = [s for s in k.sentences() if terms & {stem(w.text) for w in s.words}]
    lead = _where(k)
    if matching:
        said = " … ".join(s.text for s in matching)
        at = matching[0].start
        when = f" (at {mmss(at)})" if at is not None else ""
        return f"{lead}{'a' if lead else 'A'}bout {topic}, the speaker says{when}: {quoted(said)}."
    if not k.words:
        return _no_speech(k)
    return f"{lead}{'t' if lead else 'T'}he speaker does not mention {topic}. What is said is: {quoted(k.text)}."


def fact(k: Known, name: str) -> str:
    facts = k.facts
    length = k.length_s or 0.0
    where = _where(k)
    subject = f"{where}the recording" if where else "The recording"
    if name == "duration":
        return f"{subject} lasts {length:.1f} seconds ({mmss(length)})."
    if name == "words":
        return f"{subject} has {_plural(len(k.words), 'spoken word')}."
    if name == "speakers":
        return f"{subject} has {'one speaker' if k.words else 'no speaker'}."
    if name == "sentences":
        return f"{subject} has {_plural(len(k.sentences()), 'sentence')} (split at pauses)."
    if name == "language":
        return f"{subject} is in {LANGUAGE}." if k.words else f"{subject} has no speech to identify a language."
    if facts is None:
        return f"{subject}: no measurements are available."
    if name == "pauses":
        pauses = facts.pauses(k.start, k.end)
        listed = ", ".join(f"{mmss(a)} ({b - a:.1f} s)" for a, b in pauses[:5])
        return f"{subject} has {_plural(len(pauses), 'pause')}{': ' + listed if listed else ''}."
    if name == "loudness":
        level = facts.loudness_dbfs(k.start, k.end)
        return f"{subject} averages {level:.0f} dBFS, peaking at {facts.peak_dbfs:.0f} dBFS."
    if name == "silence":
        return f"{subject} has {facts.silence_s(k.start, k.end):.1f} seconds of silence in {length:.1f} seconds."
    if name == "channels":
        layout = "mono" if facts.channels == 1 else "stereo" if facts.channels == 2 else f"{facts.channels} channels"
        return f"{subject} is {layout}."
    return f"{subject} is sampled at {facts.sample_rate} Hz."


def _label(k: Known, many: bool, text: str) -> str:
    return f"{k.name}: {text}" if many else text


def answer(intent: Intent, known: list[Known]) -> str:
    """The answer to ``intent`` over the request's media, one part per task in the order asked."""
    many = len(known) > 1
    parts: list[str] = []
    for task in intent.tasks:
        if task == TRANSCRIBE:
            parts.append(transcript(known))
            continue
        for k in known:
            if task == SUMMARISE:
                text = summary(k)
            elif task == DESCRIBE:
                text = description(k)
            elif task == ABOUT:
                text = about(k, intent.topic)
            elif task == FACT:
                text = " ".join(fact(k, name) for name in intent.facts)
            else:  # pragma: no cover - classify only returns the tasks above
                raise ValueError(task)
            parts.append(_label(k, many, text))
    return "\n\n".join(p for p in parts if p)
