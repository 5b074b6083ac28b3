"""Conformance check of whatever google-genai SDK is importable against a running emulator.

Usage: python tests/emulator/sdk1_conformance.py BASE_URL

Meant to be run with SDK 1.x (``PYTHONPATH=.venv/sdk1``) as well as with the venv's SDK 3.x; it
uses only the SDK's public surface, as a user would, sync and async. Prints ``OK <sdk version>``
and exits 0 when every check passes; otherwise prints ``FAIL [<surface>] <step>: <reason>`` on
stderr and exits 1. Imports nothing from the harness, so the SDK under test is the only variable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from google import genai
from google.genai import errors, types
from pydantic import BaseModel

MODEL = "gemini-2.5-flash"
AUDIO = Path(__file__).resolve().parents[2] / "suites" / "media" / "audio" / "sr_english.wav"
#: Built by `make media` (tools/example_media.py): 11 s of video with a soundtrack, and a two-page PDF.
VIDEO = Path(__file__).resolve().parents[2] / "suites" / "media" / "video" / "jfk-disc.mp4"
PDF = Path(__file__).resolve().parents[2] / "suites" / "media" / "documents" / "call-notes.pdf"
BIG_FILE_BYTES = 9 * 1024 * 1024 + 4321  # > 8 MiB: the SDK sends it in two chunks
STREAM_PROMPT = "count with me one two three four five six seven eight nine ten eleven twelve"


class Failure(Exception):
    pass


class City(BaseModel):
    name: str
    population: int
    landmarks: list[str]


def check(cond: object, what: str) -> None:
    if not cond:
        raise Failure(what)


@contextlib.contextmanager
def step(surface: str, name: str) -> Iterator[None]:
    try:
        yield
    except Failure as exc:
        raise Failure(f"[{surface}] {name}: {exc}") from exc
    except Exception as exc:
        raise Failure(f"[{surface}] {name}: unexpected {type(exc).__name__}: {exc}") from exc


def make_client(base_url: str, api_version: str | None = "v1beta") -> genai.Client:
    options = types.HttpOptions(base_url=base_url, api_version=api_version) if api_version else None
    if options is None:
        options = types.HttpOptions(base_url=base_url)
    return genai.Client(api_key="conformance-key", http_options=options)


def big_text_file(directory: str) -> Path:
    path = Path(directory) / "big-notes.txt"
    line = b"the quick brown fox jumps over the lazy dog 0123456789\n"
    data = line * (BIG_FILE_BYTES // len(line) + 1)
    path.write_bytes(data[:BIG_FILE_BYTES])
    return path


def audio_tokens(response: types.GenerateContentResponse) -> int:
    usage = response.usage_metadata
    check(usage is not None, "no usage_metadata")
    assert usage is not None
    details = usage.prompt_tokens_details or []
    return sum(d.token_count or 0 for d in details if d.modality == types.MediaModality.AUDIO)


def prompt_tokens(response: types.GenerateContentResponse) -> dict[str, int]:
    details = response.usage_metadata.prompt_tokens_details if response.usage_metadata else None
    return {str(getattr(d.modality, "value", d.modality)): d.token_count or 0 for d in details or []}


def check_text(response: types.GenerateContentResponse, expected_in: str) -> None:
    text = response.text
    check(text, f"empty text (candidates: {response.candidates!r})")
    assert text is not None
    check(expected_in in text, f"text {text!r} does not contain {expected_in!r}")
    usage = response.usage_metadata
    check(usage is not None and (usage.prompt_token_count or 0) > 0, f"no prompt tokens in {usage!r}")
    assert usage is not None
    total = (usage.prompt_token_count or 0) + (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
    check(usage.total_token_count == total, f"total_token_count {usage.total_token_count} != {total}")
    check(response.candidates and response.candidates[0].finish_reason == types.FinishReason.STOP, "not STOP")


def check_stream(chunks: list[types.GenerateContentResponse]) -> None:
    check(len(chunks) >= 2, f"expected several chunks, got {len(chunks)}")
    reasons = [c.candidates[0].finish_reason if c.candidates else None for c in chunks]
    check(reasons[-1] == types.FinishReason.STOP, f"last chunk finish_reason {reasons[-1]!r}")
    check(all(r is None for r in reasons[:-1]), f"finish_reason before the last chunk: {reasons!r}")
    text = "".join(c.text or "" for c in chunks)
    check(STREAM_PROMPT in text, f"joined stream text {text!r}")
    last_usage = chunks[-1].usage_metadata
    check(last_usage is not None and (last_usage.total_token_count or 0) > 0, "no usage on the last chunk")


def check_uploaded(f: types.File, display_name: str) -> None:
    check(f.name and f.name.startswith("files/"), f"file name {f.name!r}")
    check(f.size_bytes == BIG_FILE_BYTES, f"size_bytes {f.size_bytes!r} != {BIG_FILE_BYTES}")
    check(f.display_name == display_name, f"display_name {f.display_name!r}")
    check(f.mime_type == "text/plain", f"mime_type {f.mime_type!r}")
    check(f.uri and f.name.split("/", 1)[1] in f.uri, f"uri {f.uri!r}")


def check_structured(response: types.GenerateContentResponse) -> None:
    check(isinstance(response.parsed, City), f"parsed is {type(response.parsed).__name__}: {response.parsed!r}")
    data = json.loads(response.text or "")
    check(set(data) == {"name", "population", "landmarks"}, f"JSON keys {sorted(data)}")
    City.model_validate(data)


def check_json_schema(response: types.GenerateContentResponse) -> None:
    data = json.loads(response.text or "")
    check(data.get("unit") in ("celsius", "fahrenheit"), f"enum value {data!r}")
    check(isinstance(data.get("degrees"), (int, float)) and data["degrees"] >= -90, f"number {data!r}")


JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "degrees": {"type": "number", "minimum": -90},
    },
    "required": ["unit", "degrees"],
}


def check_not_found(exc: BaseException | None) -> None:
    check(isinstance(exc, errors.ClientError), f"expected errors.ClientError, got {exc!r}")
    assert isinstance(exc, errors.ClientError)
    check(exc.code == 404, f"code {exc.code}")
    check(exc.status == "NOT_FOUND", f"status {exc.status!r}")


def wait_active(client: genai.Client, name: str) -> types.File:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        f = client.files.get(name=name)
        if f.state == types.FileState.ACTIVE:
            return f
        check(f.state == types.FileState.PROCESSING, f"state {f.state!r}")
        time.sleep(0.05)
    raise Failure("file never became ACTIVE")


async def wait_active_async(client: genai.Client, name: str) -> types.File:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        f = await client.aio.files.get(name=name)
        if f.state == types.FileState.ACTIVE:
            return f
        check(f.state == types.FileState.PROCESSING, f"state {f.state!r}")
        await asyncio.sleep(0.05)
    raise Failure("file never became ACTIVE")


def run_sync(base_url: str, workdir: str) -> None:
    s = "sync"
    client = make_client(base_url)
    wav = AUDIO.read_bytes()

    with step(s, "generate_content text"):
        check_text(client.models.generate_content(model=MODEL, contents="hello from the sync surface"), "hello from")

    with step(s, "generate_content default api_version"):
        plain = make_client(base_url, api_version=None)
        check_text(plain.models.generate_content(model=MODEL, contents="default version"), "default version")

    with step(s, "generate_content inline audio"):
        response = client.models.generate_content(
            model=MODEL,
            contents=[types.Part.from_bytes(data=wav, mime_type="audio/wav"), "Transcribe this audio."],
        )
        check((response.text or "").strip(), f"empty transcript: {response!r}")
        check(audio_tokens(response) > 0, f"no AUDIO prompt tokens: {response.usage_metadata!r}")

    with step(s, "generate_content inline video with video_metadata"):
        part = types.Part.from_bytes(data=VIDEO.read_bytes(), mime_type="video/mp4")
        part.video_metadata = types.VideoMetadata(start_offset="0s", end_offset="4s", fps=2)
        response = client.models.generate_content(model=MODEL, contents=[part, "Transcribe the speech."])
        # 4 s at 2 fps: 8 frames x 258 + 4 timestamps x 5 = 2084 VIDEO; the soundtrack 4 s x 32 = 128 AUDIO.
        tokens = prompt_tokens(response)
        check(tokens.get("VIDEO") == 2084 and tokens.get("AUDIO") == 128, f"video usage {tokens}")
        check((response.text or "").strip(), f"empty transcript of the soundtrack: {response!r}")

    with step(s, "generate_content inline PDF"):
        part = types.Part.from_bytes(data=PDF.read_bytes(), mime_type="application/pdf")
        response = client.models.generate_content(model=MODEL, contents=[part, "Extract the text of this document."])
        check(prompt_tokens(response).get("DOCUMENT") == 2 * 258, f"document usage {prompt_tokens(response)}")
        check_text(response, "ask not what your country can do for you")

    with step(s, "generate_content_stream"):
        check_stream(list(client.models.generate_content_stream(model=MODEL, contents=STREAM_PROMPT)))

    with step(s, "count_tokens"):
        counted = client.models.count_tokens(model=MODEL, contents="how many tokens is this sentence")
        check((counted.total_tokens or 0) > 0, f"total_tokens {counted.total_tokens!r}")

    with step(s, "files.upload (multi-chunk)"):
        path = big_text_file(workdir)
        uploaded = client.files.upload(file=path, config={"mime_type": "text/plain", "display_name": "sync-big"})
        check_uploaded(uploaded, "sync-big")
        assert uploaded.name is not None and uploaded.uri is not None

    with step(s, "files.get until ACTIVE"):
        active = wait_active(client, uploaded.name)
        check(active.sha256_hash, "no sha256_hash")

    with step(s, "generate_content with the file uri"):
        response = client.models.generate_content(
            model=MODEL,
            contents=[types.Part.from_uri(file_uri=uploaded.uri, mime_type="text/plain"), "Summarize these notes."],
        )
        check_text(response, "Summarize these notes.")
        check((response.usage_metadata.prompt_token_count or 0) > 1000, "file content not counted")  # type: ignore[union-attr]

    with step(s, "files.list"):
        names = [f.name for f in client.files.list(config={"page_size": 5})]
        check(uploaded.name in names, f"{uploaded.name} not listed in {names}")

    with step(s, "files.delete"):
        client.files.delete(name=uploaded.name)
        gone: BaseException | None = None
        try:
            client.files.get(name=uploaded.name)
        except errors.APIError as exc:
            gone = exc
        check(isinstance(gone, errors.ClientError), f"get after delete gave {gone!r}")

    with step(s, "models.list / models.get"):
        listed = [m.name for m in client.models.list()]
        check(f"models/{MODEL}" in listed, f"models/{MODEL} not in {listed}")
        model = client.models.get(model=MODEL)
        check(model.name == f"models/{MODEL}", f"models.get name {model.name!r}")
        check((model.input_token_limit or 0) > 0, f"input_token_limit {model.input_token_limit!r}")

    with step(s, "structured output (response_schema)"):
        response = client.models.generate_content(
            model=MODEL,
            contents="A city as JSON.",
            config=types.GenerateContentConfig(response_mime_type="application/json", response_schema=City),
        )
        check_structured(response)

    with step(s, "structured output (response_json_schema)"):
        response = client.models.generate_content(
            model=MODEL,
            contents="The temperature as JSON.",
            config=types.GenerateContentConfig(response_mime_type="application/json", response_json_schema=JSON_SCHEMA),
        )
        check_json_schema(response)

    with step(s, "chat of two turns"):
        chat = client.chats.create(model=MODEL, config=types.GenerateContentConfig(system_instruction="Be brief."))
        check_text(chat.send_message("first sync turn"), "first sync turn")
        check_text(chat.send_message("second sync turn"), "second sync turn")
        history = chat.get_history()
        check([c.role for c in history] == ["user", "model", "user", "model"], f"history {history!r}")

    with step(s, "unknown model -> 404"):
        caught: BaseException | None = None
        try:
            client.models.generate_content(model="gemini-does-not-exist", contents="hi")
        except Exception as exc:
            caught = exc
        check_not_found(caught)

    with contextlib.suppress(Exception):
        client.close()  # type: ignore[attr-defined]


async def run_async(base_url: str, workdir: str) -> None:
    s = "async"
    client = make_client(base_url)
    aio = client.aio
    wav = AUDIO.read_bytes()

    with step(s, "generate_content text"):
        check_text(
            await aio.models.generate_content(model=MODEL, contents="hello from the async surface"), "hello from"
        )

    with step(s, "generate_content inline audio"):
        response = await aio.models.generate_content(
            model=MODEL,
            contents=[types.Part.from_bytes(data=wav, mime_type="audio/wav"), "Please transcribe the speech."],
        )
        check((response.text or "").strip(), f"empty transcript: {response!r}")
        check(audio_tokens(response) > 0, f"no AUDIO prompt tokens: {response.usage_metadata!r}")

    with step(s, "generate_content_stream"):
        chunks = [c async for c in await aio.models.generate_content_stream(model=MODEL, contents=STREAM_PROMPT)]
        check_stream(chunks)

    with step(s, "count_tokens"):
        counted = await aio.models.count_tokens(model=MODEL, contents="how many tokens is this sentence")
        check((counted.total_tokens or 0) > 0, f"total_tokens {counted.total_tokens!r}")

    with step(s, "files.upload (multi-chunk)"):
        path = big_text_file(workdir)
        uploaded = await aio.files.upload(file=path, config={"mime_type": "text/plain", "display_name": "async-big"})
        check_uploaded(uploaded, "async-big")
        assert uploaded.name is not None and uploaded.uri is not None

    with step(s, "files.get until ACTIVE"):
        await wait_active_async(client, uploaded.name)

    with step(s, "generate_content with the file uri"):
        response = await aio.models.generate_content(
            model=MODEL,
            contents=[types.Part.from_uri(file_uri=uploaded.uri, mime_type="text/plain"), "Summarize these notes."],
        )
        check_text(response, "Summarize these notes.")

    with step(s, "files.list"):
        names = [f.name async for f in await aio.files.list(config={"page_size": 5})]
        check(uploaded.name in names, f"{uploaded.name} not listed in {names}")

    with step(s, "files.delete"):
        await aio.files.delete(name=uploaded.name)
        gone: BaseException | None = None
        try:
            await aio.files.get(name=uploaded.name)
        except errors.APIError as exc:
            gone = exc
        check(isinstance(gone, errors.ClientError), f"get after delete gave {gone!r}")

    with step(s, "models.list / models.get"):
        listed = [m.name async for m in await aio.models.list()]
        check(f"models/{MODEL}" in listed, f"models/{MODEL} not in {listed}")
        model = await aio.models.get(model=MODEL)
        check(model.name == f"models/{MODEL}", f"models.get name {model.name!r}")

    with step(s, "structured output (response_schema)"):
        response = await aio.models.generate_content(
            model=MODEL,
            contents="A city as JSON.",
            config=types.GenerateContentConfig(response_mime_type="application/json", response_schema=City),
        )
        check_structured(response)

    with step(s, "chat of two turns"):
        chat = aio.chats.create(model=MODEL, config=types.GenerateContentConfig(system_instruction="Be brief."))
        check_text(await chat.send_message("first async turn"), "first async turn")
        check_text(await chat.send_message("second async turn"), "second async turn")
        history = chat.get_history()
        check([c.role for c in history] == ["user", "model", "user", "model"], f"history {history!r}")

    with step(s, "chat stream"):
        chat = aio.chats.create(model=MODEL)
        streamed = [c async for c in await chat.send_message_stream(STREAM_PROMPT)]
        check_stream(streamed)

    with step(s, "unknown model -> 404"):
        caught: BaseException | None = None
        try:
            await aio.models.generate_content(model="gemini-does-not-exist", contents="hi")
        except Exception as exc:
            caught = exc
        check_not_found(caught)

    with contextlib.suppress(Exception):
        await aio.aclose()  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} BASE_URL", file=sys.stderr)
        return 2
    base_url = argv[1].rstrip("/")
    version = getattr(genai, "__version__", "?")
    print(f"google-genai {version} from {os.path.dirname(genai.__file__ or '?')} against {base_url}")
    try:
        with tempfile.TemporaryDirectory(prefix="sdk-conformance-") as workdir:
            run_sync(base_url, workdir)
            asyncio.run(run_async(base_url, workdir))
    except Failure as exc:
        cause = exc.__cause__
        if cause is not None and not isinstance(cause, Failure):
            traceback.print_exception(cause, file=sys.stderr)
        print(f"FAIL google-genai {version} {exc}", file=sys.stderr)
        return 1
    print(f"OK {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
