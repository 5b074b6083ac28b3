"""Turning google-genai and transport exceptions into ProviderError (retryable or not), key scrubbed."""

from __future__ import annotations

import asyncio
import importlib
import re
from typing import Any

import aiohttp
from google.genai import errors as genai_errors

from harness.api import ProviderError

#: HTTP codes worth retrying: rate limit, request timeout, and transient server failures.
RETRYABLE_CODES = frozenset({408, 429, 500, 502, 503, 504})
_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")
#: Google API keys, and key= query parameters, in case anything echoes them.
_KEY_PATTERNS = (re.compile(r"AIza[0-9A-Za-z_\-]{35}"), re.compile(r"(?i)(key=)[^&\s\"']+"))


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Connection-level failures of every HTTP stack google-genai may use (aiohttp, httpx, httpx2)."""
    found: list[type[BaseException]] = [
        aiohttp.ClientConnectionError,  # connector errors, ServerDisconnectedError, ClientOSError
        aiohttp.ClientPayloadError,  # the body was cut off mid-stream
        ConnectionError,
        TimeoutError,
        asyncio.TimeoutError,
    ]
    for module_name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found.append(module.TransportError)  # ConnectError, RemoteProtocolError, timeouts, ...
    return tuple(found)


TRANSPORT_ERRORS = _transport_errors()


def scrub(text: str, api_key: str | None) -> str:
    """Remove the API key (and anything shaped like one) from text meant for logs or results."""
    if api_key:
        text = text.replace(api_key, "***")
    text = _KEY_PATTERNS[0].sub("***", text)
    return _KEY_PATTERNS[1].sub(r"\1***", text)


def parse_duration(value: Any) -> float | None:
    """'26s' / '1.5s' (protobuf Duration JSON) -> seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return float(match.group(1))
    return None


def retry_delay(details: Any) -> float | None:
    """The RetryInfo retryDelay in an error body (the whole body, its ``error`` or its ``details`` list)."""
    if isinstance(details, dict):
        inner = details.get("error", details)
        details = inner.get("details") if isinstance(inner, dict) else None
    if not isinstance(details, list):
        return None
    for item in details:
        if isinstance(item, dict) and item.get("@type") == _RETRY_INFO:
            return parse_duration(item.get("retryDelay"))
    return None


def _retry_after_header(error: genai_errors.APIError) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None)
    if headers is None:
        return None
    try:
        value = headers.get("retry-after") or headers.get("Retry-After")
    except (AttributeError, TypeError):
        return None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def from_api_error(error: genai_errors.APIError, api_key: str | None, *, mid_stream: bool) -> ProviderError:
    code = error.code if isinstance(error.code, int) else None
    status = error.status if isinstance(error.status, str) else None
    text = error.message or str(error)
    where = " (mid-stream)" if mid_stream else ""
    message = scrub(f"{code} {status or ''}{where}: {text}".replace("  ", " "), api_key)
    # An error chunk inside a stream means the server failed while generating: always worth retrying.
    retryable = mid_stream or (code in RETRYABLE_CODES)
    after = retry_delay(error.details) or _retry_after_header(error)
    return ProviderError(message, code=code, status=status, retryable=retryable, retry_after=after)


def classify(error: BaseException, api_key: str | None, *, mid_stream: bool = False) -> ProviderError:
    """Map any exception from a call to a ProviderError; the caller raises it ``from`` the original."""
    if isinstance(error, ProviderError):
        error.message = scrub(error.message, api_key)
        return error
    if isinstance(error, genai_errors.APIError):
        return from_api_error(error, api_key, mid_stream=mid_stream)
    if isinstance(error, TRANSPORT_ERRORS):
        kind = type(error).__name__
        detail = str(error) or "connection dropped"
        where = " mid-stream" if mid_stream else ""
        message = scrub(f"connection error{where} ({kind}): {detail}", api_key)
        return ProviderError(message, status="UNAVAILABLE", retryable=True)
    kind = type(error).__name__
    return ProviderError(scrub(f"unexpected answer ({kind}): {error}", api_key), retryable=False)
