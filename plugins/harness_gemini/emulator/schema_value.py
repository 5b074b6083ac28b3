"""A JSON value that conforms to a response schema, filled from what the emulator knows.

Handles both the Gemini OpenAPI subset (``responseSchema``: uppercase ``type``, ``nullable``,
``propertyOrdering``) and JSON Schema (``responseJsonSchema``: ``$ref``/``$defs``, ``anyOf``,
``const``, type lists). Constraints always win: ``format``, minimum/maximum, min/maxLength,
min/maxItems, enums. Within them, values come from a ``Source`` (docs/emulator.md has the table):

- strings by the field's name: transcript/text/content -> the words (of the current segment inside an
  array of objects), summary -> the extractive summary, description -> the description, language ->
  English / en, speaker -> Speaker 1, title/topic/keyword -> the clip's keywords, start/end/time ->
  MM:SS; any other string -> the text;
- numbers: word/sentence/segment/speaker/pause/channel counts, duration, start/end seconds, loudness,
  silence, confidence (the recogniser's mean word posterior), words per minute, sample rate;
- arrays of objects -> one item per sentence (segment), arrays of strings -> sentences, or keywords
  for words/keywords/topics/tags;
- enums -> the value the audio supports (one named in the transcript, prompt or facts, e.g. mono,
  English), else one chosen by a RNG seeded by the request and the seed; booleans likewise.

Without a source (``value_for(schema)``) the value is a plain placeholder: the property name as a
string, the minimum or 0 for numbers, ``true``, one array item.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass
from typing import Any

from harness_gemini.emulator.compose import description, mmss, summary
from harness_gemini.emulator.knowledge import Known, Sentence
from harness_gemini.emulator.request import pick

_FORMATS = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
}
_TEXT = {"transcript", "transcription", "text", "content", "speech", "utterance", "caption", "quote", "body", "line"}
_TEXT |= {"sentence", "words", "said", "statement", "phrase", "segment", "excerpt", "passage", "answer", "response"}
_SUMMARY = {"summary", "gist", "abstract", "synopsis", "overview", "tldr", "recap"}
_DESCRIPTION = {"description", "describe", "notes", "note", "comment", "explanation", "reasoning", "analysis"}
_KEYWORDS = {"title", "topic", "topics", "subject", "theme", "themes", "keyword", "keywords", "tag", "tags"}
_KEYWORDS |= {"label", "labels", "category", "categories", "entity", "entities"}
_TIME = {"start", "end", "begin", "time", "timestamp", "offset", "from", "to", "at"}


def _tokens(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return {t for t in re.split(r"[^a-zA-Z0-9]+", spaced.lower()) if t}


@dataclass
class Source:
    """What fills a schema: the request's media knowledge (or its prompt as text) and a seed key."""

    known: list[Known]
    key: str

    def rng(self, path: str) -> random.Random:
        digest = hashlib.sha256(f"{self.key}|{path}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    @property
    def main(self) -> Known:
        return self.known[0]

    @property
    def vocabulary(self) -> set[str]:
        words = {w.text.lower() for k in self.known for w in k.words}
        facts = self.main.facts
        if self.main.words and self.main.facts is not None:
            words |= {"english", "en", "speech", "spoken", "voice", "male", "one", "single"}
        if facts is not None:
            words.add("mono" if facts.channels == 1 else "stereo")
            words.add("audio")
        return words


@dataclass
class _Scope:
    source: Source | None
    segment: Sentence | None = None
    index: int = 0


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    node: Any = root
    for key in ref.lstrip("#/").split("/"):
        if key:
            node = node[key.replace("~1", "/").replace("~0", "~")]
    return node if isinstance(node, dict) else {}


def _bounds(schema: dict[str, Any]) -> tuple[float | None, float | None, bool, bool]:
    low, high = schema.get("minimum"), schema.get("maximum")
    ex_low, ex_high = pick(schema, "exclusiveMinimum"), pick(schema, "exclusiveMaximum")
    lo_open = hi_open = False
    if not isinstance(low, (int, float)) or isinstance(low, bool):
        low = ex_low if isinstance(ex_low, (int, float)) and not isinstance(ex_low, bool) else None
        lo_open = low is not None
    if not isinstance(high, (int, float)) or isinstance(high, bool):
        high = ex_high if isinstance(ex_high, (int, float)) and not isinstance(ex_high, bool) else None
        hi_open = high is not None
    return low, high, lo_open, hi_open


def _clamp(value: float, schema: dict[str, Any], integer: bool) -> int | float:
    """``value`` moved inside the schema's bounds (rounded to an integer, or to 3 decimals)."""
    low, high, lo_open, hi_open = _bounds(schema)
    if integer:
        lo = None if low is None else (math.floor(low) + 1 if lo_open else math.ceil(low))
        hi = None if high is None else (math.ceil(high) - 1 if hi_open else math.floor(high))
        number = round(value)
        if lo is not None:
            number = max(number, lo)
        if hi is not None:
            number = min(number, hi)
        return int(number)
    result = float(value)
    if low is not None and (result < low or (lo_open and result <= low)):
        result = low + (0.001 if lo_open else 0.0)
    if high is not None and (result > high or (hi_open and result >= high)):
        result = high - (0.001 if hi_open else 0.0)
    return round(result, 3)


def _placeholder_number(schema: dict[str, Any], integer: bool) -> int | float:
    low, high, lo_open, hi_open = _bounds(schema)
    value: float = 0
    if low is not None:
        value = low + (1 if lo_open else 0)
    elif high is not None and high <= 0:
        value = high - (1 if hi_open else 0)
    if integer:
        return int(value) if float(value).is_integer() else int(value) + 1
    return float(value)


def _measured(scope: _Scope, names: set[str]) -> float | None:
    """A number the source knows for a field with these name tokens, or None."""
    source = scope.source
    if source is None:
        return None
    k, seg = source.main, scope.segment
    words = list(seg.words) if seg is not None else k.words
    facts = k.facts
    if names & {"count", "num", "number", "total", "n"} or any(n.startswith("num") for n in names):
        if names & {"word", "words"}:
            return len(words)
        if names & {"speaker", "speakers", "voice", "voices", "people", "person", "persons"}:
            return 1 if k.words else 0
        if names & {"sentence", "sentences", "segment", "segments", "utterance", "utterances", "line", "lines"}:
            return len(k.sentences())
        if names & {"pause", "pauses", "gap", "gaps"} and facts is not None:
            return len(facts.pauses(k.start, k.end))
        if names & {"channel", "channels"} and facts is not None:
            return facts.channels
        if names & {"char", "chars", "character", "characters"}:
            return len(" ".join(w.text for w in words))
        return len(words)
    if names & {"channel", "channels"} and facts is not None:
        return facts.channels
    if seg is not None and names & _TIME:
        return seg.end if names & {"end", "to"} else seg.start
    if names & {"duration", "length", "seconds", "secs", "sec"} or (names & _TIME and names & {"s", "sec"}):
        if seg is not None and seg.start is not None and seg.end is not None:
            return round(seg.end - seg.start, 2)
        return k.length_s
    if names & {"loudness", "volume", "db", "dbfs", "level"} and facts is not None:
        return facts.loudness_dbfs(k.start, k.end)
    if names & {"silence", "silent"} and facts is not None:
        return facts.silence_s(k.start, k.end)
    if names & {"confidence", "probability", "certainty", "score"}:
        return k.confidence()
    if names & {"wpm", "rate", "speed", "pace"} and not names & {"sample"} and k.length_s:
        return round(len(k.words) / k.length_s * 60, 1)
    if names & {"sample", "hz", "samplerate"} and facts is not None:
        return facts.sample_rate
    if names & {"word", "words"}:
        return len(words)
    return None


def _number(schema: dict[str, Any], scope: _Scope, name: str, path: str, integer: bool) -> int | float:
    if scope.source is None:
        return _placeholder_number(schema, integer)
    value = _measured(scope, _tokens(name))
    if value is None:
        low, high, _, _ = _bounds(schema)
        rng = scope.source.rng(path)
        lo = low if low is not None else 0
        hi = high if high is not None else lo + 10
        value = rng.uniform(lo, hi) if not integer else rng.randint(math.ceil(lo), max(math.ceil(lo), math.floor(hi)))
    return _clamp(value, schema, integer)


def _text_for(scope: _Scope, names: set[str], path: str) -> str:
    source = scope.source
    assert source is not None
    k, seg = source.main, scope.segment
    heard = k.facts is not None  # audio; else the prompt's own text
    if heard and names & _SUMMARY:
        return summary(k)
    if heard and names & _DESCRIPTION:
        return description(k)
    if names & {"language", "lang", "locale"}:
        return "en" if names & {"code", "iso", "locale"} else "English"
    if heard and names & {"speaker", "voice", "person", "author", "name", "who"}:
        return "Speaker 1"
    if names & _TIME and (seg is not None or k.duration_s is not None):
        at = (
            (seg.end if names & {"end", "to"} else seg.start)
            if seg is not None
            else (k.end if names & {"end", "to"} else k.start)
        )
        return mmss(at or 0.0)
    if names & _KEYWORDS:
        keys = k.keywords(5) or [w.text for w in k.words[:1]]
        return keys[scope.index % len(keys)] if keys else ""
    if seg is not None:
        return seg.text
    if names & _TEXT or not names:
        return k.text
    sentences = k.sentences()
    return sentences[scope.index % len(sentences)].text if sentences else k.text


def _string(schema: dict[str, Any], scope: _Scope, name: str, path: str) -> str:
    fmt = str(schema.get("format", ""))
    if fmt in _FORMATS:
        return _FORMATS[fmt]
    text = _text_for(scope, _tokens(name), path) if scope.source is not None else (name or "text")
    min_len = int(pick(schema, "minLength", 0))
    max_len = pick(schema, "maxLength")
    if len(text) < min_len:
        text = text + "x" * (min_len - len(text))
    if isinstance(max_len, int):
        text = text[:max_len]
    return text


def _enum(options: list[Any], scope: _Scope, path: str) -> Any:
    if scope.source is None or len(options) == 1:
        return options[0]
    heard = scope.source.vocabulary
    for option in options:
        if isinstance(option, str) and option.lower() in heard:
            return option
    return scope.source.rng(path).choice(options)


def _type_of(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        non_null = [t for t in declared if str(t).lower() != "null"]
        declared = non_null[0] if non_null else "null"
    if declared:
        return str(declared).lower()
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _boolean(scope: _Scope, name: str, path: str) -> bool:
    source = scope.source
    if source is None:
        return True
    names, k = _tokens(name), source.main
    if names & {"speech", "spoken", "voice", "words", "talking"}:
        return bool(k.words)
    if names & {"silent", "silence", "empty"}:
        return not k.words
    if names & {"stereo"} and k.facts is not None:
        return k.facts.channels > 1
    if names & {"mono"} and k.facts is not None:
        return k.facts.channels == 1
    if names & {"english"}:
        return bool(k.words)
    return source.rng(path).random() < 0.5


def _array(schema: dict[str, Any], root: Any, scope: _Scope, name: str, path: str, depth: int) -> list[Any]:
    max_items = pick(schema, "maxItems")
    min_items = int(pick(schema, "minItems", 0) or 0)
    items = schema.get("items") or {}
    singular = name[:-3] + "y" if name.endswith("ies") else name[:-1] if name.endswith("s") else name
    if scope.source is None:
        count = min_items or (0 if max_items == 0 else 1)
        return [_value(items, root, scope, singular, f"{path}/{i}", depth + 1) for i in range(count)]
    k = scope.source.main
    sentences = k.sentences() or [Sentence(())]
    item = items if isinstance(items, dict) else {}
    if "$ref" in item:
        item = _resolve(str(item["$ref"]), root)
    kind = _type_of(item)
    keywords = bool(_tokens(name) & _KEYWORDS | (_tokens(name) & {"words"}))
    if kind == "string" and keywords and not item.get("enum"):
        wanted = len(k.keywords(5)) or 1
    elif kind in ("object", "string", "number", "integer"):
        wanted = len(sentences)
    else:
        wanted = 1
    count = max(min_items, wanted)
    if isinstance(max_items, int):
        count = min(count, max_items)
    out = []
    for i in range(count):
        if kind == "object" or (kind == "string" and not keywords):
            inner = _Scope(scope.source, sentences[i % len(sentences)], i)
        else:
            inner = _Scope(scope.source, scope.segment, i)
        out.append(_value(items, root, inner, singular, f"{path}/{i}", depth + 1))
    return out


def _value(schema: Any, root: Any, scope: _Scope, name: str, path: str, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > 12:
        return None if depth > 12 else "text"
    root = root if isinstance(root, dict) else schema
    if "$ref" in schema:
        return _value(_resolve(str(schema["$ref"]), root), root, scope, name, path, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return _enum(list(schema["enum"]), scope, path)
    if "example" in schema and scope.source is None:
        return schema["example"]
    if "default" in schema and scope.source is None:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            chosen = next((o for o in options if _type_of(o) != "null"), options[0])
            return _value(chosen, root, scope, name, path, depth + 1)
    if isinstance(pick(schema, "allOf"), list):
        merged: dict[str, Any] = {}
        for part in pick(schema, "allOf"):
            merged.update(_resolve(part["$ref"], root) if isinstance(part, dict) and "$ref" in part else part)
        return _value(merged, root, scope, name, path, depth + 1)
    kind = _type_of(schema)
    if kind == "object":
        props = schema.get("properties") or {}
        ordering = list(pick(schema, "propertyOrdering") or [])
        order = ordering + [k for k in props if k not in ordering]
        return {key: _value(props[key], root, scope, key, f"{path}/{key}", depth + 1) for key in order if key in props}
    if kind == "array":
        return _array(schema, root, scope, name, path, depth)
    if kind in ("integer", "number"):
        return _number(schema, scope, name, path, integer=kind == "integer")
    if kind == "boolean":
        return _boolean(scope, name, path)
    if kind == "null":
        return None
    return _string(schema, scope, name, path)


def value_for(schema: Any, source: Source | None = None) -> Any:
    """A JSON value conforming to ``schema``; filled from ``source`` when given."""
    if source is not None and not source.known:
        source = None
    return _value(schema, None, _Scope(source), "", "", 0)
