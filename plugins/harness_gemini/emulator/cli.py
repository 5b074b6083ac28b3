"""``harness emulator``: run the local Gemini emulator in the foreground."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from harness_gemini.emulator.config import EmulatorConfig
from harness_gemini.emulator.latency import PRESETS
from harness_gemini.emulator.server import serve_forever

_RATE = click.FloatRange(0.0, 1.0)


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--responses", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Responses YAML.")
@click.option("--latency-ms", type=click.FloatRange(min=0), default=None, help="Fixed latency per request.")
@click.option("--latency-jitter-ms", type=click.FloatRange(min=0), default=None, help="Extra random latency.")
@click.option("--fail-rate-429", type=_RATE, default=None, help="Fraction answered 429 RESOURCE_EXHAUSTED.")
@click.option("--fail-rate-500", type=_RATE, default=None, help="Fraction answered 500 INTERNAL.")
@click.option("--fail-rate-503", type=_RATE, default=None, help="Fraction answered 503 UNAVAILABLE.")
@click.option("--stream-error-rate", type=_RATE, default=None, help="Fraction of streams broken by an error chunk.")
@click.option("--drop-rate", type=_RATE, default=None, help="Fraction of connections closed without an answer.")
@click.option("--retry-delay-s", type=click.FloatRange(min=0), default=None, help="RetryInfo delay on 429s.")
@click.option("--rpm", type=click.IntRange(min=1), default=None, help="Requests per minute per model.")
@click.option("--tpm", type=click.IntRange(min=1), default=None, help="Input tokens per minute per model.")
@click.option("--inline-limit-mb", type=click.FloatRange(min=0, min_open=True), default=None, help="Request size cap.")
@click.option("--video-processing-s", type=click.FloatRange(min=0), default=None, help="Video upload PROCESSING time.")
@click.option("--processing-fail-rate", type=_RATE, default=None, help="Fraction of uploads that end FAILED.")
@click.option("--seed", type=int, default=None, help="Seed of every random choice (default 0).")
@click.option("--request-log", type=click.Path(dir_okay=False, path_type=Path), help="JSON-lines request log.")
@click.option(
    "--latency",
    type=click.Choice(sorted(PRESETS)),
    default=None,
    help="Latency profile: time to first token and output speed (realistic = published Gemini Flash figures).",
)
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Cache of recognised audio.")
@click.option("--no-audio-cache", is_flag=True, default=False, help="Keep recognised audio in memory only.")
@click.option("--asr-workers", type=click.IntRange(min=1), default=None, help="Recognition processes (default: cores).")
def emulator_command(**options: Any) -> None:
    """Run a local, offline server that speaks the Gemini REST API (see docs/emulator.md).

    \b
    Examples:
      harness emulator --port 8765
      harness emulator --responses suites/emulator-responses.yaml --fail-rate-429 0.2 --latency-ms 300
      harness emulator --latency realistic --cache-dir /tmp/emulator-cache
      harness run suites/chat.suite.yaml --base-url http://127.0.0.1:8765   # with GEMINI_API_KEY=anything
    """
    responses = options.pop("responses")
    if options.pop("no_audio_cache"):
        options["cache_dir"] = None
        given_none = {"cache_dir"}
    else:
        given_none = set()
    given = {k: v for k, v in options.items() if v is not None or k in given_none}
    config = EmulatorConfig.from_yaml(responses, **given) if responses else EmulatorConfig(**given)
    try:
        asyncio.run(serve_forever(config))
    except KeyboardInterrupt:
        click.echo("emulator stopped")
