"""Shared pieces of the engine benchmarks: suites, the raw references (google-genai, aiohttp), a harness run."""

from __future__ import annotations

import asyncio
import base64
import json
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from google import genai
from google.genai import types

from harness.api.host import PluginHost
from harness.run.retry import RetryPolicy
from harness.run.runner import RunOptions
from harness.run.session import Outcome, SessionOptions, execute
from harness.suite.loader import LoadOptions

ROOT = Path(__file__).resolve().parent.parent
MODEL = "gemini-2.5-flash"
KEY = "bench-key"
JFK = ROOT / "suites" / "media" / "audio" / "jfk.flac"


def prompt(i: int) -> str:
    return f"Question {i}: in one word, what colour is item number {i}?"


def text_suite(folder: Path, trials: int, name: str = "engine") -> Path:
    """``trials`` distinct text cases, one prompt variant, a cheap text scorer."""
    lines = [f"name: {name}", "defaults:", f"  model: {MODEL}", "prompts:", "  - id: ask", '    template: "{{ q }}"']
    lines += ["scorers:", "  - text: {min_length: 1}", "cases:"]
    lines += [f'  - {{id: q{i:05d}, vars: {{q: "{prompt(i)}"}}}}' for i in range(trials)]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.suite.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def audio_suite(folder: Path, repeat: int, transport: str = "inline") -> Path:
    """One inline jfk.flac case repeated ``repeat`` times."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jfk.flac").write_bytes(JFK.read_bytes())
    path = folder / "audio.suite.yaml"
    path.write_text(
        f"name: audio\ndefaults: {{model: {MODEL}, media_transport: {transport}}}\nrepeat: {repeat}\n"
        "prompts: [{id: p, template: Generate a transcript of the speech.}]\n"
        "scorers: [{text: {min_length: 1}}]\ncases:\n  - id: jfk\n    media: [jfk.flac]\n",
        encoding="utf-8",
    )
    return path


@dataclass
class Measured:
    wall_s: float
    cpu_s: float
    extra: dict[str, Any]


def _client(base_url: str) -> genai.Client:
    return genai.Client(
        api_key=KEY,
        http_options=types.HttpOptions(
            base_url=base_url, api_version="v1beta", retry_options=types.HttpRetryOptions(attempts=1)
        ),
    )


def raw_sdk(base_url: str, count: int, concurrency: int, contents: Any = None) -> Measured:
    """The floor: google-genai's async client making ``count`` calls under a semaphore."""

    async def main() -> int:
        client = _client(base_url)
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> bool:
            async with gate:
                response = await client.aio.models.generate_content(
                    model=MODEL, contents=contents if contents is not None else prompt(i)
                )
                return bool(response.text)

        answered = sum(await asyncio.gather(*(one(i) for i in range(count))))
        await client.aio.aclose()
        return answered

    cpu, wall = time.process_time(), time.perf_counter()
    answered = asyncio.run(main())
    measured = Measured(time.perf_counter() - wall, time.process_time() - cpu, {})
    assert answered == count, f"raw SDK: {answered} of {count} answered"
    return measured


def raw_aiohttp(base_url: str, count: int, concurrency: int) -> Measured:
    """A plain aiohttp client posting the same JSON bodies (no SDK at all)."""

    async def main() -> int:
        url = f"{base_url}/v1beta/models/{MODEL}:generateContent"
        headers = {"x-goog-api-key": KEY, "Content-Type": "application/json"}
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
            gate = asyncio.Semaphore(concurrency)

            async def one(i: int) -> bool:
                body = {"contents": [{"role": "user", "parts": [{"text": prompt(i)}]}]}
                async with gate, session.post(url, data=json.dumps(body)) as resp:
                    data = await resp.json()
                    return bool(data["candidates"][0]["content"]["parts"][0]["text"])

            return sum(await asyncio.gather(*(one(i) for i in range(count))))

    cpu, wall = time.process_time(), time.perf_counter()
    answered = asyncio.run(main())
    measured = Measured(time.perf_counter() - wall, time.process_time() - cpu, {})
    assert answered == count
    return measured


def inline_audio_contents() -> list[types.Content]:
    data = JFK.read_bytes()
    return [
        types.Content(
            role="user",
            parts=[types.Part.from_bytes(data=data, mime_type="audio/flac"), types.Part(text="Transcribe.")],
        )
    ]


def harness_run(
    base_url: str,
    suite: Path,
    host: PluginHost,
    work: Path,
    tag: str,
    concurrency: int,
    use_cache: bool = False,
    store: Path | None = None,
    **run: Any,
) -> tuple[Measured, Outcome]:
    """``harness.run.session.execute`` in this process: wall, CPU, and the runner's own seconds."""
    options = SessionOptions(
        load=LoadOptions(host=host),
        run=RunOptions(
            concurrency=concurrency,
            use_cache=use_cache,
            retry=RetryPolicy(max_retries=6, base_delay_s=0.5),
            endpoint=base_url,
            **run,
        ),
        out_dir=work / f"out-{tag}",
        formats=["json"],
        store_path=store or work / f"store-{tag}.db",
        base_url=base_url,
        api_key=KEY,
        fail_on="none",
    )
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = execute(suite, options)
    measured = Measured(
        time.perf_counter() - wall, time.process_time() - cpu, {"runner_s": float(outcome.results.run.duration_s or 0)}
    )
    return measured, outcome


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
