"""What a prompt asks of its media: the words, a summary, a description, what is said about a topic,
or a measurable fact (how long, how loud, how many words), and which MM:SS window it names.

The emulator answers any prompt that carries audio from the audio itself, so a harmless rewording of a
transcription prompt ("Write down everything said in this meeting") must still get the transcript.
The heuristics, in the order they are applied (docs/emulator.md lists them with examples):

1. Cues are found anywhere in the last user turn, case-insensitively. A cue preceded within four
   words by a negation ("do not summarise", "without a description", "no speaker labels") is dropped.
2. "What does the speaker say about X", "what is said regarding X", "does she mention X", "anything
   on X" ask about a *topic*; the words after the preposition (up to the end of the clause or the
   time window) are the topic.
3. Strong transcript cues always ask for the words: transcribe/transcript (except "of the
   transcript" or "summarise the transcript", which only name the text), verbatim, word for word,
   dictation, speech to text, captions, subtitles, exact words. Weak cues ("write down", "type out",
   "everything said", "what is said", "what do they say", "repeat", "the words") ask for the words
   only when no other task is asked.
4. Summary cues (summarise, summary, gist, recap, tl;dr, main points, overview, what is it about...)
   and description cues (describe, characterise, what kind of, analyse, tone, what do you hear...).
5. Fact questions (how long, duration, how many words/speakers/sentences/pauses, what language,
   loudness, silence, mono or stereo, sample rate) are answered from measurements.
6. Tasks are answered in the order the prompt names them ("transcribe it, then summarise it").
   A prompt with audio and no cue at all gets a description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TRANSCRIBE = "transcribe"
SUMMARISE = "summarise"
DESCRIBE = "describe"
ABOUT = "about"
FACT = "fact"

_NEGATION = re.compile(
    r"(?:\b(?:do not|don't|dont|does not|doesn't|never|no|without|rather than|instead of|not|avoid|skip|omit|"
    r"leave out|no need to|nor)\b)(?:\W+\w+){0,3}\W*$",
    re.I,
)

_STRONG = re.compile(
    r"\btranscri\w*|\bspeech[- ]to[- ]text\b|\bverbatim\b|\bword[- ]for[- ]word\b|\bword by word\b|\bdictat\w*"
    r"|\bcaption\w*|\bsubtitl\w*|\b(?:exact|actual|precise|literal) (?:words|wording)\b|\bsay exactly\b"
    r"|\bexactly what (?:is|was|gets|got) (?:said|spoken)\b",
    re.I,
)
#: "summary of the transcript", "based on the transcription": the noun names the text, it asks for nothing.
_TRANSCRIPT_REFERENCE = re.compile(
    r"\b(?:of|from|in|on|using|based on|with)\s+(?:the|this|that|a|its|your)?\s*(?:own\s+)?transcri\w*"
    r"|\b(?:summar\w*|describ\w*|analy[sz]\w*|review|check|translate|sum up)\s+(?:the\s+|this\s+|that\s+|its\s+)?"
    r"transcri(?:pt|ption)s?\b",
    re.I,
)
_WEAK = re.compile(
    r"\b(?:write|type|jot|note|copy|put|set|print|spell|take|get|read)\s+(?:\w+\s+){0,2}?(?:down|out|up)\b"
    r"|\b(?:convert|turn|render|change|put)\b[^.?!]{0,40}?\b(?:in|into|to|as)\s+(?:plain\s+|written\s+)?"
    r"(?:text|writing|words)\b"
    r"|\b(?:in|into)\s+(?:written|text) form\b|\bwritten (?:version|record|form|copy)\b"
    r"|\bwhat (?:exactly )?(?:is|was|are|were|gets|got|'s) (?:being )?(?:said|spoken|uttered|read out|sung)\b"
    r"|\bwhat(?:'s| is) being said\b"
    r"|\bwhat (?:does|did|do|is|are|was|were) (?:the |this |that |a )?(?:\w+ )?(?:speaker|person|man|woman|narrator|"
    r"voice|he|she|they|someone|somebody|people|presenter|caller|host|guest|reader|\w+er)\s+"
    r"(?:say|said|saying|speak|speaking|read|reading|telling us)\b"
    r"|\beverything (?:that )?(?:is |was |gets |got |they |he |she |you )?(?:said|spoken|say|hear|heard)\b"
    r"|\b(?:all|each|every) (?:of )?(?:the )?(?:words?|things? said)\b|\bthe words\b|\bwords spoken\b"
    r"|\b(?:repeat|recite|reproduce|quote)\b|\bthe lyrics\b|\bspoken (?:content|text)\b|\bthe text of\b"
    r"|\bwhat (?:words|numbers|digits) (?:are|were|is|was)\b|\bwhich (?:words|numbers|digits)\b",
    re.I,
)
_SUMMARY = re.compile(
    r"\bsummar\w*|\bsum (?:it |this |that |them )?up\b|\bgist\b|\btl;?dr\b|\brecap\w*|\bsynops\w+|\babstract\b"
    r"|\b(?:main|key|central|core|principal) (?:points?|ideas?|message|messages|takeaways?|themes?|argument|topics?)\b"
    r"|\boverview\b|\bin a nutshell\b|\bcondense\b|\bboil\w* (?:it |this )?down\b|\bhighlights\b|\bparaphrase\b"
    r"|\bwhat(?:'s| is| was) (?:it|this|that|the)(?: \w+)?(?: all)? about\b"
    r"|\bin (?:one|a single|two|a few) sentences?\b",
    re.I,
)
_DESCRIBE = re.compile(
    r"\bdescrib\w*|\bdescription\b|\bcharacteri[sz]\w*|\bwhat (?:kind|type|sort) of\b"
    r"|\bwhat (?:do|can|did|would) (?:you|i|we|one) hear\b|\btell me about (?:this|the|that)\b|\banaly[sz]\w*"
    r"|\bidentify\b|\bwhat(?:'s| is) (?:in|on) (?:this|the|that)\b"
    r"|\bhow (?:does|do) (?:it|this|that|the)(?: \w+)? sound\b"
    r"|\bsounds? like\b|\btone\b|\bmood\b|\bassess\b|\bprofile\b|\bwho is (?:speaking|talking)\b|\bwho(?:'s| is) the\b",
    re.I,
)
_TOPIC_END = (
    r"(?=\s*(?:[.?!;\n(\[]|,\s*(?:and|then|please)\b|,?\s*(?:\d{1,2}:)?\d{1,2}:\d{2}"
    r"|\s(?:from|between|in the first|in the last|during|after|before|until|up to|starting)\b|$))"
)
_ABOUT = re.compile(
    r"\b(?:say|says|said|saying|talk|talks|talked|talking|speak|speaks|spoke|speaking|mention|mentions|mentioned|"
    r"tell|tells|told|think|thinks|claim|claims|state|states|discuss|discusses|discussed|ask|asks|asked|"
    r"words|comments|remarks|thoughts|views|anything|something|is said|was said|are said|were said|"
    r"is mentioned|was mentioned)"
    r"\s+(?:\w+\s+){0,2}?(?:about|regarding|concerning|on the (?:topic|subject) of|on|re:?|of)\s+"
    rf"(?P<topic>[^.?!;\n]+?){_TOPIC_END}",
    re.I,
)
_MENTION = re.compile(
    r"\b(?:does|did|do|is|was|are|were)\b[^.?!]{0,40}?\b(?:mention|mentioned|refer to|referred to|bring up|brought up|"
    rf"say the word|use the word)\s+(?P<topic>[^.?!;\n]+?){_TOPIC_END}",
    re.I,
)
_FACTS: dict[str, re.Pattern[str]] = {
    "duration": re.compile(r"\bhow long\b|\bduration\b|\blength of\b|\bhow many (?:seconds|minutes)\b", re.I),
    "words": re.compile(r"\bhow many words\b|\bword count\b|\bnumber of words\b", re.I),
    "speakers": re.compile(r"\bhow many (?:speakers|people|voices|persons)\b|\bnumber of speakers\b", re.I),
    "sentences": re.compile(r"\bhow many (?:sentences|segments|utterances|phrases)\b", re.I),
    "pauses": re.compile(r"\bhow many (?:pauses|breaks|gaps)\b|\bpauses?\b", re.I),
    "language": re.compile(r"\b(?:what|which) language\b|\blanguage (?:is|of)\b", re.I),
    "loudness": re.compile(r"\bhow loud\b|\bloudness\b|\bvolume\b|\bdecibels?\b|\bdbfs\b", re.I),
    "silence": re.compile(r"\bsilen(?:ce|t)\b|\bquiet parts?\b", re.I),
    "channels": re.compile(r"\bmono\b|\bstereo\b|\bchannels?\b", re.I),
    "sample_rate": re.compile(r"\bsample rate\b|\bsampling rate\b|\bkhz\b", re.I),
}

# -- time windows ---------------------------------------------------------------------------------

_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?"
_UNITS = r"(?:s|sec|secs|seconds?|m|min|mins|minutes?|h|hrs?|hours?)"
_SPAN = rf"(?:{_CLOCK}|\d+(?:\.\d+)?\s*{_UNITS}\b(?:\s*(?:and\s+)?\d+(?:\.\d+)?\s*{_UNITS}\b)?)"


def _t(name: str) -> str:
    return f"(?P<{name}>{_SPAN})"


_RANGE = re.compile(
    rf"\b(?:from|between|starting at|starting from|beginning at|start at)\s+(?:the\s+)?(?:timestamp\s+)?{_t('a')}"
    rf"\s*(?:to|and|until|till|through|thru|-|–|—|up to)\s*(?:the\s+)?{_t('b')}"
    rf"|(?P<c>{_CLOCK})\s*(?:-|–|—|to|until|through)\s*(?P<d>{_CLOCK})",
    re.I,
)
_OPEN_START = re.compile(
    rf"\b(?:from|after|starting at|starting from|beginning at|onwards? from|since)\s+(?:the\s+)?{_t('a')}", re.I
)
_OPEN_END = re.compile(rf"\b(?:up to|until|till|before|through)\s+(?:the\s+)?{_t('b')}", re.I)
_FIRST = re.compile(rf"\b(?:the\s+)?first\s+{_t('a')}", re.I)
_LAST = re.compile(rf"\b(?:the\s+)?(?:last|final)\s+{_t('a')}", re.I)


@dataclass(frozen=True)
class Window:
    """A span of the audio in seconds. ``end`` None means "to the end"; ``last`` the final N seconds."""

    start: float = 0.0
    end: float | None = None
    last: float | None = None

    def resolve(self, duration: float) -> tuple[float, float]:
        if self.last is not None:
            return max(0.0, duration - self.last), duration
        end = duration if self.end is None else min(self.end, duration)
        return min(self.start, duration), end


def seconds(text: str) -> float:
    """``1:02`` -> 62.0, ``1:00:05.5`` -> 3605.5, ``5 seconds`` -> 5.0, ``1 minute 30 seconds`` -> 90.0."""
    text = text.strip()
    if ":" in text:
        total = 0.0
        for piece in text.split(":"):
            total = total * 60 + float(piece)
        return total
    total = 0.0
    for number, unit in re.findall(rf"(\d+(?:\.\d+)?)\s*({_UNITS})", text, re.I):
        scale = 3600 if unit[0].lower() == "h" else 60 if unit[0].lower() == "m" else 1
        total += float(number) * scale
    return total


_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER_WORDS = {w: i + 1 for i, w in enumerate(_ONES)} | {w: i + 10 for i, w in enumerate(_TEENS)}
_NUMBER_WORDS |= {w: (i + 2) * 10 for i, w in enumerate(_TENS)}
_SPELLED = re.compile(
    rf"\b(?:(?P<half>half(?:\s+(?:of\s+)?an?)?)|(?P<a>an?)|(?P<tens>{'|'.join(_TENS)})(?:[\s-](?P<ones>{'|'.join(_ONES)}))?"
    rf"|(?P<word>{'|'.join(_ONES + _TEENS)}))\s+(?P<unit>{_UNITS})\b",
    re.I,
)


def _spelled_out(match: re.Match[str]) -> str:
    unit = match.group("unit")
    if match.group("half"):
        return (
            "30 seconds"
            if unit.lower().startswith("m")
            else "30 minutes"
            if unit.lower().startswith("h")
            else "0.5 seconds"
        )
    if match.group("a"):
        return f"1 {unit}"
    if match.group("tens"):
        value = _NUMBER_WORDS[match.group("tens").lower()] + _NUMBER_WORDS.get((match.group("ones") or "").lower(), 0)
    else:
        value = _NUMBER_WORDS[match.group("word").lower()]
    return f"{value} {unit}"


def time_window(prompt: str) -> Window | None:
    """The window of the audio a prompt names, or None for the whole clip. Durations may be spelled out
    ("the first ten seconds", "half a minute", "twenty-five seconds")."""
    prompt = _SPELLED.sub(_spelled_out, prompt)
    match = _RANGE.search(prompt)
    if match:
        a, b = match.group("a") or match.group("c"), match.group("b") or match.group("d")
        start, end = seconds(a), seconds(b)
        return Window(min(start, end), max(start, end)) if end != start else Window(start, None)
    match = _LAST.search(prompt)
    if match:
        return Window(last=seconds(match.group("a")))
    match = _FIRST.search(prompt)
    if match:
        return Window(0.0, seconds(match.group("a")))
    opens, closes = _OPEN_START.search(prompt), _OPEN_END.search(prompt)
    if opens or closes:
        return Window(seconds(opens.group("a")) if opens else 0.0, seconds(closes.group("b")) if closes else None)
    return None


def time_range(prompt: str) -> tuple[float, float] | None:
    """A closed ``from A to B`` range in seconds (the window with both ends), else None."""
    window = time_window(prompt)
    if window is None or window.end is None or window.last is not None:
        return None
    return window.start, window.end


# -- tasks ----------------------------------------------------------------------------------------


@dataclass
class Intent:
    """What the prompt asks for, in the order it asks. ``topic`` for ABOUT, ``facts`` for FACT."""

    tasks: list[str] = field(default_factory=list)
    topic: str = ""
    facts: list[str] = field(default_factory=list)
    window: Window | None = None

    @property
    def wants_words(self) -> bool:
        return self.tasks == [TRANSCRIBE]


def _negated(prompt: str, at: int) -> bool:
    """A negation within four words before ``at``, in the same clause."""
    before = re.split(r"[,.;:!?\n]|\bthen\b|\bbut\b", prompt[max(0, at - 40) : at])[-1]
    return bool(_NEGATION.search(before))


def _hits(pattern: re.Pattern[str], prompt: str) -> list[re.Match[str]]:
    return [m for m in pattern.finditer(prompt) if not _negated(prompt, m.start())]


def _clean_topic(topic: str) -> str:
    topic = re.sub(r"\s+", " ", topic).strip(" ,:'\"“”‘’")
    topic = re.sub(r"^(?:the|a|an|his|her|their|its|our|my|your)\s+", "", topic, flags=re.I)
    return re.sub(r"\s+(?:in|on|within)\s+(?:this|the|that)\s+(?:\w+)$", "", topic, flags=re.I)


_MEDIUM = {"it", "this", "that", "them", "here", "there", "the", "a", "an", "recording", "audio", "clip", "file"}
_MEDIUM |= {"speech", "sound", "track", "meeting", "call", "video", "talk", "message", "voice", "note", "memo"}


def _names_the_medium(topic: str) -> bool:
    """ "this recording", "the audio", "it": the prompt asks about the medium, not about a topic in it."""
    return all(word in _MEDIUM for word in re.findall(r"[\w']+", topic.lower()))


def classify(prompt: str) -> Intent:
    """The tasks a prompt asks of its media (see the module docstring for the rules)."""
    intent = Intent(window=time_window(prompt))
    found: list[tuple[int, str]] = []
    about = [m for m in [*_hits(_ABOUT, prompt), *_hits(_MENTION, prompt)] if _clean_topic(m.group("topic"))]
    about = [m for m in about if not _names_the_medium(_clean_topic(m.group("topic")))]
    taken: list[tuple[int, int]] = []
    if about:
        first = min(about, key=lambda m: m.start())
        intent.topic = _clean_topic(first.group("topic"))
        found.append((first.start(), ABOUT))
        taken = [m.span() for m in about]
    references = [m.span() for m in _TRANSCRIPT_REFERENCE.finditer(prompt)]

    def free(m: re.Match[str]) -> bool:
        inside = any(a <= m.start() < b for a, b in taken)
        as_reference = any(a <= m.start() < b for a, b in references)
        return not inside and not as_reference

    for m in _hits(_SUMMARY, prompt):
        found.append((m.start(), SUMMARISE))
    for m in _hits(_DESCRIBE, prompt):
        if free(m):
            found.append((m.start(), DESCRIBE))
    for m in _hits(_STRONG, prompt):
        if free(m):
            found.append((m.start(), TRANSCRIBE))
    others = {task for _, task in found if task != TRANSCRIBE}
    if not found or not others:
        weak = [m for m in _hits(_WEAK, prompt) if free(m)]
        found.extend((m.start(), TRANSCRIBE) for m in weak)
    for name, pattern in _FACTS.items():
        hits = _hits(pattern, prompt)
        if hits:
            intent.facts.append(name)
            found.append((hits[0].start(), FACT))
    for _, task in sorted(found):
        if task not in intent.tasks:
            intent.tasks.append(task)
    if TRANSCRIBE in intent.tasks and FACT in intent.tasks and "channels" in intent.facts and len(intent.facts) == 1:
        # "a mono transcript", "transcribe the left channel": the channel words qualify the transcript
        intent.tasks.remove(FACT)
        intent.facts = []
    if not intent.tasks:
        intent.tasks = [DESCRIBE]
    return intent
