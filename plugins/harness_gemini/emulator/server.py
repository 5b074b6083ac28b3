"""Running the emulator: in a daemon thread (tests, ``harness run --emulator``) or in the foreground."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Any

from aiohttp import web

from harness_gemini.emulator.app import STATE, Emulator, RequestRecord, build_app
from harness_gemini.emulator.config import EmulatorConfig


async def _serve(config: EmulatorConfig) -> tuple[web.AppRunner, int]:
    app = build_app(config)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port, backlog=1024, reuse_address=True)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    port = sockets[0].getsockname()[1] if sockets else config.port
    return runner, int(port)


class RunningEmulator:
    """A live emulator on its own event loop in a daemon thread. Use as a context manager."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="gemini-emulator", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        if not self._ready.is_set():
            raise RuntimeError("the emulator did not start within 30 s")

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self._runner, self.port = self.loop.run_until_complete(_serve(self.config))
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self._runner.cleanup())
        self.loop.close()

    @property
    def host(self) -> str:
        return "127.0.0.1" if self.config.host in ("0.0.0.0", "") else self.config.host

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def http_options(self, api_version: str = "v1beta", **fields: Any) -> Any:
        """``google.genai.types.HttpOptions`` for a client of this emulator: its base URL, the API version, any other
        ``fields``, and no CA bundle loaded for plain http (``harness_gemini.session.plain_http_options``)."""
        from google.genai import types

        from harness_gemini.session import plain_http_options

        return plain_http_options(types.HttpOptions(base_url=self.base_url, api_version=api_version, **fields))

    @property
    def state(self) -> Emulator:
        assert self._runner is not None
        return self._runner.app[STATE]

    @property
    def requests(self) -> list[RequestRecord]:
        """Records of the requests received so far (oldest first), API keys removed."""
        return list(self.state.records)

    def stop(self) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_background(config: EmulatorConfig | None = None) -> RunningEmulator:
    """Start an emulator in a daemon thread; ``port=0`` picks a free port (see ``.base_url``)."""
    return RunningEmulator(config or EmulatorConfig(port=0))


async def serve_forever(config: EmulatorConfig, announce: bool = True) -> None:
    runner, port = await _serve(config)
    if announce:
        print(f"Gemini emulator listening on http://{config.host}:{port} (Ctrl-C to stop)", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
