"""The provider's google-genai client, and the trial labels a local emulator reads.

A local emulator matches answers to trials by ``x-harness-*`` headers. Sent as per-request SDK options they cost
more CPU than the call itself (the SDK copies its whole HTTP configuration for every request that has options), so
for a loopback endpoint the client gets its own aiohttp session whose trace hook adds the labels of the trial
being called (a context variable) to each request. The client is made on first use, inside the running loop,
because an aiohttp session belongs to a loop. Remote endpoints get the SDK's own session and no labels.

For a plain ``http://`` endpoint (the emulator) no TLS handshake can happen, yet the SDK would load the CA bundle
three times for every client (httpx, aiohttp and websockets: about 50 ms a client). Such a client gets one
process-wide client context with no CA loaded instead, which would refuse any certificate if TLS were ever tried.
"""

from __future__ import annotations

import contextvars
import ssl
from types import SimpleNamespace
from typing import Any

import aiohttp
from google import genai
from google.genai import types

#: The labels of the call being made (empty: none).
LABELS: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("harness_gemini_labels", default=None)


async def _add_labels(_session: aiohttp.ClientSession, _ctx: SimpleNamespace, params: Any) -> None:
    labels = LABELS.get()
    if labels:
        params.headers.update(labels)


def _no_tls_needed() -> ssl.SSLContext:
    global _PLAIN_HTTP_CONTEXT
    if _PLAIN_HTTP_CONTEXT is None:
        _PLAIN_HTTP_CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, and trusts nothing
    return _PLAIN_HTTP_CONTEXT


_PLAIN_HTTP_CONTEXT: ssl.SSLContext | None = None


def plain_http_options(options: types.HttpOptions) -> types.HttpOptions:
    """``options`` for a plain ``http://`` base URL without the SDK's per-client CA loading (module docstring);
    any other endpoint, or options that already carry client arguments, unchanged."""
    fields = types.HttpOptions.model_fields
    if not (options.base_url or "").startswith("http://") or "async_client_args" not in fields:
        return options
    if options.client_args or options.async_client_args:
        return options
    context = _no_tls_needed()
    return options.model_copy(
        update={"client_args": {"verify": context}, "async_client_args": {"verify": context, "ssl": context}}
    )


def session_labels_supported() -> bool:
    """True when this SDK accepts a caller's aiohttp session (``HttpOptions.aiohttp_client``)."""
    return "aiohttp_client" in types.HttpOptions.model_fields


class Client:
    """A ``genai.Client`` made on first use (see the module docstring); ``aio`` as the SDK's."""

    def __init__(self, api_key: str, http_options: types.HttpOptions, labelled: bool) -> None:
        self._api_key = api_key
        self._http_options = http_options
        self.labelled = labelled and session_labels_supported()
        self._client: genai.Client | None = None
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> genai.Client:
        if self._client is None:
            options = plain_http_options(self._http_options)
            if self.labelled:
                trace = aiohttp.TraceConfig()
                trace.on_request_start.append(_add_labels)
                self._session = aiohttp.ClientSession(trace_configs=[trace])
                options = options.model_copy(update={"aiohttp_client": self._session})
            # Kept for the provider's lifetime: a collected client closes the streams it opened.
            self._client = genai.Client(api_key=self._api_key, http_options=options)
        return self._client

    @property
    def aio(self) -> Any:
        return self.get().aio

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aio.aclose()
        if self._session is not None:
            await self._session.close()
