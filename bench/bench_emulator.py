"""Emulator throughput: generateContent requests/s at zero latency, and 200 concurrent connections
with latency injected. The server runs in its own process (the ``emulator`` command); the client is a
tight aiohttp loop in this process.

Run: .venv/bin/python -m bench.bench_emulator
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp

from bench.common import median, write_section

BODY = json.dumps({"contents": [{"role": "user", "parts": [{"text": "What is the capital of France?"}]}]})
PATH = "/v1beta/models/gemini-2.5-flash:generateContent"
SERVER = "from harness_gemini.emulator.cli import emulator_command; emulator_command()"


@contextmanager
def server(*flags: str) -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, "--port", "0", *flags], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        match = re.search(r"http://[\d.]+:\d+", proc.stdout.readline())
        assert match, "emulator did not start"
        yield match.group(0)
    finally:
        proc.terminate()
        proc.wait(10)


async def hammer(base: str, concurrency: int, total: int) -> tuple[float, int]:
    """Send ``total`` requests over ``concurrency`` connections; return (seconds, non-200 count)."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Content-Type": "application/json", "x-goog-api-key": "bench"}
    failures = 0
    remaining = total

    async with aiohttp.ClientSession(base, connector=connector, headers=headers) as session:

        async def worker() -> None:
            nonlocal remaining, failures
            while remaining > 0:
                remaining -= 1
                async with session.post(PATH, data=BODY) as resp:
                    await resp.read()
                    failures += resp.status != 200

        start = time.perf_counter()
        remaining = total
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start, failures


def main() -> None:
    runs = 3
    with server() as base:
        zero = [asyncio.run(hammer(base, 16, 4000)) for _ in range(runs)]
    rps = median([4000 / s for s, _ in zero])
    zero_fail = sum(f for _, f in zero)
    latency_ms = 200
    with server("--latency-ms", str(latency_ms)) as base:
        held = [asyncio.run(hammer(base, 200, 2000)) for _ in range(runs)]
    held_s = median([s for s, _ in held])
    held_fail = sum(f for _, f in held)
    ideal = 2000 / 200 * latency_ms / 1000
    body = (
        "| scenario | result | target |\n|---|---|---|\n"
        f"| generateContent, zero latency, 16 connections, 4000 requests | {rps:.0f} requests/s "
        f"({zero_fail} failures) | >= 500 requests/s |\n"
        f"| 200 concurrent connections, {latency_ms} ms latency, 2000 requests | {held_s:.2f} s "
        f"({2000 / held_s:.0f} requests/s; ideal {ideal:.1f} s; {held_fail} failures) | all 200 held at once |\n"
    )
    print(body)
    write_section("emulator", ".venv/bin/python -m bench.bench_emulator", body)


if __name__ == "__main__":
    main()
