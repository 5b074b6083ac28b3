"""Harness overhead over the raw SDK: the same N text-only generateContent calls at the same concurrency,
once through google-genai directly (the floor) and once as a suite run through ``harness.run.session.execute``
(load, plan, provider, runner, retries, scorer, SQLite store, results.json), against the same emulator.

The emulator runs in its own process (the ``emulator`` command) so its CPU does not share this process's
GIL; floor and harness runs alternate in this one process after a warm-up of each. The plugin host is
loaded once (as the CLI does once per invocation); interpreter start-up is not part of either figure.

Run: .venv/bin/python -m bench.bench_overhead
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from google import genai
from google.genai import types

from bench.bench_emulator import server
from bench.common import median, write_section
from harness.api.host import PluginHost, load_plugins
from harness.run.retry import RetryPolicy
from harness.run.runner import RunOptions
from harness.run.session import SessionOptions, execute
from harness.suite.loader import LoadOptions
from harness.suite.yamlsource import parse_yaml

TRIALS = 200
CONCURRENCY = 16
LATENCY_MS = 50
RUNS = 5
ZERO_RUNS = 3
MODEL = "gemini-2.5-flash"
KEY = "bench-key"


def prompt(i: int) -> str:
    return f"Question {i}: in one word, what colour is item number {i}?"


def write_suite(folder: Path) -> Path:
    lines = [
        "name: overhead",
        "description: Distinct text-only prompts, one prompt variant, a cheap text scorer.",
        "defaults:",
        f"  model: {MODEL}",
        "prompts:",
        "  - id: ask",
        '    template: "{{ question }}"',
        "cases:",
    ]
    for i in range(TRIALS):
        lines += [
            f"  - id: q{i:04d}",
            f'    vars: {{question: "{prompt(i)}"}}',
            "    expect:",
            "      - text: {min_length: 1}",
        ]
    path = folder / "overhead.suite.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def _floor(base_url: str) -> int:
    client = genai.Client(api_key=KEY, http_options=types.HttpOptions(base_url=base_url, api_version="v1beta"))
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> str:
        async with gate:
            response = await client.aio.models.generate_content(model=MODEL, contents=prompt(i))
            return response.text or ""

    answers = await asyncio.gather(*(one(i) for i in range(TRIALS)))
    await client.aio.aclose()
    return sum(1 for a in answers if a)


def run_floor(base_url: str) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds for N raw SDK calls."""
    cpu, wall = time.process_time(), time.perf_counter()
    answered = asyncio.run(_floor(base_url))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert answered == TRIALS, f"floor: {answered} of {TRIALS} answered"
    return wall, cpu


def run_harness(base_url: str, suite: Path, host: PluginHost, work: Path, n: int) -> tuple[float, float, float]:
    """Wall seconds of execute(), this process's CPU seconds, and the runner's own (call-phase) seconds."""
    options = SessionOptions(
        load=LoadOptions(host=host),
        run=RunOptions(
            concurrency=CONCURRENCY,
            use_cache=False,
            retry=RetryPolicy(max_retries=4, base_delay_s=1.0),
            endpoint=base_url,
        ),
        out_dir=work / f"out{n}",
        formats=["json"],
        store_path=work / f"store{n}.db",
        base_url=base_url,
        api_key=KEY,
        fail_on="any",
    )
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = execute(suite, options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ok = sum(1 for t in outcome.results.trials if t.status == "ok" and t.passed)
    assert ok == TRIALS, f"harness: {ok} of {TRIALS} trials passed"
    return wall, cpu, float(outcome.results.run.duration_s or 0.0)


def measure(latency_ms: int, runs: int, suite: Path, host: PluginHost, work: Path) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {k: [] for k in ("floor", "floor_cpu", "harness", "harness_cpu", "runner")}
    flags = ("--latency-ms", str(latency_ms)) if latency_ms else ()
    with server(*flags) as base:
        run_floor(base)  # warm-up: imports, first client, first connections
        run_harness(base, suite, host, work, -latency_ms - 1)
        for n in range(runs):
            wall, cpu = run_floor(base)
            found["floor"].append(wall)
            found["floor_cpu"].append(cpu)
            wall, cpu, runner = run_harness(base, suite, host, work, latency_ms * 100 + n)
            found["harness"].append(wall)
            found["harness_cpu"].append(cpu)
            found["runner"].append(runner)
    return found


def row(label: str, found: dict[str, list[float]]) -> str:
    floor, harness = median(found["floor"]), median(found["harness"])
    runner = median(found["runner"])
    per_trial = (harness - floor) / TRIALS * 1000
    cpu_floor = median(found["floor_cpu"]) / TRIALS * 1000
    cpu_harness = median(found["harness_cpu"]) / TRIALS * 1000
    return (
        f"| {label} | {floor * 1000:.0f} | {harness * 1000:.0f} ({runner * 1000:.0f} in the runner) | "
        f"{harness / floor:.2f}x | {per_trial:.2f} | {cpu_floor:.2f} / {cpu_harness:.2f} |\n"
    )


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        work = Path(tmp)
        suite = write_suite(work)
        t0 = time.perf_counter()
        host = load_plugins()
        plugins_ms = (time.perf_counter() - t0) * 1000
        text = suite.read_text(encoding="utf-8")
        parse_ms = []
        for _ in range(3):
            t0 = time.perf_counter()
            parse_yaml(text, suite)
            parse_ms.append((time.perf_counter() - t0) * 1000)
        held = measure(LATENCY_MS, RUNS, suite, host, work)
        zero = measure(0, ZERO_RUNS, suite, host, work)
    ideal = -(-TRIALS // CONCURRENCY) * LATENCY_MS
    body = (
        f"{TRIALS} text-only generateContent calls, concurrency {CONCURRENCY}, `--no-cache`, json report only; "
        "emulator in its own process. Floor: google-genai `client.aio.models.generate_content` under an "
        "`asyncio.Semaphore` + `gather`. Harness: `harness.run.session.execute` in-process on a generated suite "
        f"({TRIALS} cases, one prompt, a `text` scorer), temp store.\n\n"
        "| emulator latency | floor ms | harness ms | harness / floor | overhead ms per trial (wall) | "
        "CPU ms per trial, floor / harness |\n|---|---|---|---|---|---|\n"
        + row(f"{LATENCY_MS} ms (median of {RUNS})", held)
        + row(f"0 ms (median of {ZERO_RUNS})", zero)
        + "\n"
        f"- Ideal floor at {LATENCY_MS} ms: {ideal} ms ({-(-TRIALS // CONCURRENCY)} waves of {CONCURRENCY}).\n"
        "- Harness ms is the whole `execute()` (load and plan the suite, open the store, run, score, write "
        'results.json); "in the runner" is the call-and-score phase alone (`run.duration_s`).\n'
        f"- Of the fixed cost outside the runner, parsing the {TRIALS}-case suite YAML takes {median(parse_ms):.0f} ms "
        "(`harness/suite/yamlsource.py` `parse_yaml` parses the text twice, `yaml.compose` then `yaml.safe_load`, "
        "with the pure-Python SafeLoader).\n"
        "- Overhead per trial = (harness - floor) / trials, in wall time; at 0 ms latency it is the harness's "
        "own per-trial cost. CPU is this process only (the emulator's is excluded).\n"
        f"- Not included: interpreter start-up and plugin loading, which the CLI pays once per invocation "
        f"(plugin loading here: {plugins_ms:.0f} ms).\n"
    )
    print(body)
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")
    write_section("harness overhead vs raw SDK", ".venv/bin/python -m bench.bench_overhead", body)


if __name__ == "__main__":
    main()
