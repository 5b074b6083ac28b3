"""The prompt-phrasing corpus: 52 wordings of "transcribe", "summarise", "describe" and "what does the
speaker say about X", each with and without an MM:SS window, on all six audio formats.

Every answer must be grounded in the audio whatever the wording. Expectations are computed here from
the recogniser's timed words (read from the emulator's cache of each clip), not from the emulator's
own composing code: a transcript is exactly the words whose middle lies in the window, a summary
quotes only words of the window, a description states the clip's duration, layout and format, and an
answer about a topic quotes the sentence naming it or says the topic is not mentioned.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from emu_support import AUDIO, post

from harness_gemini.emulator import RunningEmulator
from harness_gemini.emulator.intent import ABOUT, DESCRIBE, SUMMARISE, TRANSCRIBE, classify, time_window

TRANSCRIBE_PROMPTS = [
    "Generate a transcript of the speech.",
    "Transcribe this audio.",
    "Write down everything said in this meeting.",
    "Please type out what the speaker says.",
    "What is being said in this recording?",
    "Give me a verbatim record of the audio.",
    "Convert this recording to text.",
    "Can you write out the words spoken here?",
    "Speech to text, please.",
    "Produce captions for this clip.",
    "Put the spoken words into writing.",
    "What does the speaker say?",
    "Repeat back exactly what you hear.",
    "Dictate the audio word for word.",
    "I need the exact words from this clip.",
    "Could you jot down what was said?",
]
SUMMARY_PROMPTS = [
    "Summarise the recording.",
    "Give me a short summary of this audio.",
    "What's the gist of this clip?",
    "TL;DR of this recording, please.",
    "Sum up what the speaker says.",
    "What are the main points made here?",
    "Recap the speech in one sentence.",
    "Provide a brief overview of the audio.",
    "Summarize what is said in this meeting.",
    "Boil this recording down to its key message.",
    "What is this recording about?",
    "Condense the speech into a sentence.",
]
DESCRIBE_PROMPTS = [
    "Describe this audio clip.",
    "Give a description of the recording.",
    "What kind of audio is this?",
    "Characterise the speaker's delivery.",
    "What do you hear in this file?",
    "Tell me about this recording.",
    "Analyse the audio.",
    "How does this recording sound?",
    "Describe the speaker's tone.",
    "Identify what is in this audio.",
    "What's in this clip?",
    "Hello there",
]
ABOUT_PROMPTS = [
    "What does the speaker say about {t}?",
    "What is said about {t}?",
    "Does the speaker mention {t}?",
    "What did they say regarding {t}?",
    "Tell me what the speaker says concerning {t}.",
    "Is anything said about {t}?",
    "What does the narrator say on the topic of {t}?",
    "Does she talk about {t}?",
    "What are the speaker's words about {t}?",
    "Find the part where the speaker talks about {t}.",
    "What is mentioned about {t}?",
    "Anything on {t} in this recording?",
]
#: Window syntaxes, used in turn: every phrasing is also asked about a part of the clip.
WINDOWS = [" from {a} to {b}", " between {a} and {b}", " ({a}-{b})", " from {a} until {b}", ", {a} to {b}"]

# clip -> (MIME type, window start s, window end s, a topic the clip's speech names, channels, format name)
CLIPS: dict[str, tuple[str, int, int, str, int, str]] = {
    "jfk.flac": ("audio/flac", 5, 11, "their country", 2, "FLAC"),
    "jfk.mp3": ("audio/mp3", 5, 11, "their country", 1, "MP3"),
    "jfk.aac": ("audio/aac", 5, 11, "their country", 1, "AAC"),
    "sr_one_two_three.aiff": ("audio/aiff", 1, 3, "the number three", 1, "AIFF"),
    "vosk_test.ogg": ("audio/ogg", 4, 8, "the number zero", 1, "Ogg"),
    "vosk_test.wav": ("audio/wav", 4, 8, "the number zero", 1, "WAV"),
}


def _mmss(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def corpus() -> list[tuple[str, str, bool]]:
    """(family, prompt, windowed) for every phrasing, with and without a window."""
    out = []
    families = [
        (TRANSCRIBE, TRANSCRIBE_PROMPTS),
        (SUMMARISE, SUMMARY_PROMPTS),
        (DESCRIBE, DESCRIBE_PROMPTS),
        (ABOUT, ABOUT_PROMPTS),
    ]
    n = 0
    for family, prompts in families:
        for prompt in prompts:
            out.append((family, prompt, False))
            out.append((family, prompt, True))
            n += 1
    assert n >= 40
    return out


def render(prompt: str, windowed: bool, clip: str, index: int) -> str:
    _, a, b, topic, _, _ = CLIPS[clip]
    text = prompt.replace("{t}", topic)
    if not windowed:
        return text
    window = WINDOWS[index % len(WINDOWS)].format(a=_mmss(a), b=_mmss(b))
    stripped = text.rstrip(".?!")
    return stripped + window + text[len(stripped) :]


def ask(emu: RunningEmulator, clip: str, prompt: str) -> str:
    mime = CLIPS[clip][0]
    data = base64.b64encode((AUDIO / clip).read_bytes()).decode()
    body = {
        "contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": mime, "data": data}}, {"text": prompt}]}]
    }
    status, answer = post(emu, "/v1beta/models/gemini-2.5-flash:generateContent", body)
    assert status == 200, answer
    return str(answer["candidates"][0]["content"]["parts"][0]["text"])


@pytest.fixture(scope="module")
def heard(emu: RunningEmulator) -> dict[str, dict[str, Any]]:
    """What the recogniser heard in each clip (timed words), recognised once for the session."""
    out = {}
    for clip in CLIPS:
        ask(emu, clip, "Transcribe this.")  # warms the cache (a no-op when another test already did)
        sha = __import__("hashlib").sha256((AUDIO / clip).read_bytes()).hexdigest()
        cached = emu.state.lab.cached(sha)
        assert cached is not None and cached["words"], clip
        out[clip] = cached
    return out


def _words(heard: dict[str, Any], window: tuple[int, int] | None) -> list[str]:
    words = heard["words"]
    if window is not None:
        words = [w for w in words if window[0] <= (w["s"] + w["e"]) / 2 < window[1]]
    return [w["w"] for w in words]


def _stem(word: str) -> str:
    return re.sub(r"(?:ies|es|s)$", "", word.lower())


@pytest.mark.parametrize("clip", sorted(CLIPS))
def test_corpus_on_every_format(emu: RunningEmulator, heard: dict[str, dict[str, Any]], clip: str) -> None:
    _, a, b, topic, channels, fmt = CLIPS[clip]
    duration = heard[clip]["facts"]["duration_s"]
    for index, (family, prompt, windowed) in enumerate(corpus()):
        asked = render(prompt, windowed, clip, index)
        answer = ask(emu, clip, asked)
        where = f"{clip}: {asked!r} -> {answer!r}"
        window = (a, b) if windowed else None
        spoken = _words(heard[clip], window)
        assert not answer.startswith("Echo:"), where
        assert classify(asked).tasks[0] == family, where
        if window is not None:
            assert time_window(asked) is not None and time_window(asked).start == a, where  # type: ignore[union-attr]
        if family == TRANSCRIBE:
            assert answer == " ".join(spoken), where
        elif family == SUMMARISE:
            quote = re.search(r"“(.*)”", answer)
            assert quote is not None, where
            assert set(quote.group(1).replace("…", " ").split()) <= set(spoken), where
            assert answer.startswith(f"From {_mmss(a)} to {_mmss(b)}, " if window else "In this recording, "), where
        elif family == DESCRIBE:
            assert f"{duration:.1f}-second {'stereo' if channels == 2 else 'mono'} {fmt}" in answer, where
            assert f"{len(spoken)} word" in answer, where
            if window is not None:
                assert f"from {_mmss(a)} to {_mmss(b)}" in answer, where
        else:
            terms = {_stem(t) for t in topic.split() if len(t) > 3}
            named = [w for w in spoken if _stem(w) in terms]
            if named:
                assert "bout " in answer and named[0] in answer.split("“", 1)[1], where
            else:
                assert "does not mention" in answer, where


def test_corpus_is_large_enough() -> None:
    families = {family for family, _, _ in corpus()}
    assert families == {TRANSCRIBE, SUMMARISE, DESCRIBE, ABOUT}
    assert len({prompt for _, prompt, _ in corpus()}) >= 40


@pytest.mark.parametrize(
    ("prompt", "tasks"),
    [
        ("Summarise the transcript.", [SUMMARISE]),
        ("Give a summary based on the transcription.", [SUMMARISE]),
        ("Transcribe the speech. Do not summarise it.", [TRANSCRIBE]),
        ("Generate a verbatim transcript of the speech.\nDo not add a summary or speaker labels.", [TRANSCRIBE]),
        ("Transcribe the clip, then summarise it.", [TRANSCRIBE, SUMMARISE]),
        ("Describe the recording and transcribe it.", [DESCRIBE, TRANSCRIBE]),
        ("Write down a summary of the meeting.", [SUMMARISE]),
        ("How long is this recording?", ["fact"]),
        ("Without describing it, transcribe the audio.", [TRANSCRIBE]),
    ],
)
def test_tasks_and_negation(prompt: str, tasks: list[str]) -> None:
    assert classify(prompt).tasks == tasks


@pytest.mark.parametrize(
    ("prompt", "window"),
    [
        ("Transcribe from 01:02 to 1:03:04.5", (62.0, 3784.5, None)),
        ("between 0:10 and 0:05", (5.0, 10.0, None)),
        ("the part 0:03–0:07 please", (3.0, 7.0, None)),
        ("from 3 seconds to 7.5 seconds", (3.0, 7.5, None)),
        ("starting at 0:04", (4.0, None, None)),
        ("up to 00:06", (0.0, 6.0, None)),
        ("in the first 5 seconds", (0.0, 5.0, None)),
        ("the last 4 seconds", (0.0, None, 4.0)),
        ("from 1 minute 30 seconds to 2 minutes", (90.0, 120.0, None)),
        ("Transcribe the first ten seconds.", (0.0, 10.0, None)),
        ("what is said in the last twenty-five seconds?", (0.0, None, 25.0)),
        ("the first half minute", (0.0, 30.0, None)),
        ("from one minute to ninety seconds", (60.0, 90.0, None)),
        ("the first half a minute", (0.0, 30.0, None)),
    ],
)
def test_time_windows(prompt: str, window: tuple[float, float | None, float | None]) -> None:
    found = time_window(prompt)
    assert found is not None and (found.start, found.end, found.last) == window
    assert time_window("Transcribe the whole thing, all 3 parts.") is None
