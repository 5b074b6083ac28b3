"""Local endpoints (``--emulator``): each provider's local stand-in, started on first use, stopped at the end.

The core knows no emulator: it asks the suite's provider for one (``Provider.local_endpoint``), so a third-party
provider can offer its own. One endpoint per provider serves every suite of a command (or a pytest session).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from types import TracebackType

from harness.api.provider import LocalEndpoint, Provider


class LocalEndpoints:
    def __init__(self, responses: Path | None = None) -> None:
        #: The responses file the user gave (``--emulator-responses``), handed to every local endpoint.
        self.responses = responses
        self._stack = contextlib.ExitStack()
        self._started: dict[str, LocalEndpoint] = {}

    def get(self, provider: type[Provider]) -> LocalEndpoint:
        if provider.name not in self._started:
            self._started[provider.name] = self._stack.enter_context(provider.local_endpoint(self.responses))
        return self._started[provider.name]

    def close(self) -> None:
        self._stack.close()
        self._started.clear()

    def __enter__(self) -> LocalEndpoints:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
