"""Requests built once, not once per trial: SDK contents (media described, read and base64-ready), SDK config
objects and countTokens answers, each kept per distinct request. Repeats, models and configs that send the same
contents share one build; concurrent trials wait for the same one. Also the provider's call estimate."""

from __future__ import annotations

import asyncio
import functools
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from google.genai import types

from harness.api import CallEstimate, MediaInfo, MediaRef, ProviderRequest
from harness_gemini import media_tokens
from harness_gemini.media import describe, media_key, text_bytes
from harness_gemini.options import GeminiOptions

T = TypeVar("T")
#: Distinct requests kept built at once (a run usually has far fewer distinct contents than trials).
KEEP = 512
DEFAULT_OUTPUT_TOKENS = 1024


def _never(_self: object, _key: object) -> bool:
    return False


def _lean(base: type[Any]) -> Any:
    """``base`` with a ``__contains__`` that answers at once.

    The SDK reads every field of a request with ``getv(obj, [name])``, which begins ``if name in obj``; a pydantic
    model has no ``__contains__``, so Python iterates all of its fields for each lookup (about 50 x 50 for a
    GenerateContentConfig: more CPU than the HTTP request). A pydantic model never contains a string, so the
    answer is always False and the SDK goes on to ``getattr`` exactly as before; only the wasted iteration goes.
    Made with type() because a class statement makes mypy evaluate the SDK's optional PIL annotations.
    """
    return type(f"Lean{base.__name__}", (base,), {"__contains__": _never, "__module__": __name__})


LeanConfig: Any = _lean(types.GenerateContentConfig)
LeanContent: Any = _lean(types.Content)
LeanPart: Any = _lean(types.Part)


def lean(contents: list[types.Content]) -> list[types.Content]:
    """The same contents as Lean* objects (built once per distinct request, sent many times)."""
    return [
        LeanContent(
            role=content.role,
            parts=[
                LeanPart(**{name: getattr(part, name) for name in part.model_fields_set})
                for part in content.parts or []
            ],
        )
        for content in contents
    ]


@dataclass
class BuiltContents:
    key: str
    contents: list[types.Content]
    media: list[MediaInfo]
    warnings: list[str]


class _Memo(Generic[T]):
    """A bounded map of futures: the first caller builds, concurrent callers wait, failures are not kept."""

    def __init__(self, size: int = KEEP) -> None:
        self.size = size
        self.items: OrderedDict[str, asyncio.Future[T]] = OrderedDict()

    async def get(self, key: str, build: Callable[[], Awaitable[T]]) -> T:
        future = self.items.get(key)
        if future is None or (future.done() and (future.cancelled() or future.exception() is not None)):
            future = asyncio.ensure_future(build())
            self.items[key] = future
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        else:
            self.items.move_to_end(key)
        return await asyncio.shield(future)


def contents_key(request: ProviderRequest, upload_all: bool) -> str:
    turns = [
        [
            [part.text, media_key(part.media) if part.media else None, part.media.mime_type if part.media else None]
            for part in message.parts
        ]
        + [message.role]
        for message in request.contents
    ]
    return json.dumps([turns, len(request.system_instruction or ""), upload_all], ensure_ascii=False)


class RequestCache:
    def __init__(self) -> None:
        self._contents: _Memo[BuiltContents] = _Memo()
        self._counts: _Memo[int | None] = _Memo()
        self._configs: OrderedDict[str, types.GenerateContentConfig] = OrderedDict()

    async def contents(
        self,
        request: ProviderRequest,
        upload_all: bool,
        build: Callable[[], Awaitable[tuple[list[types.Content], list[Any], list[str]]]],
    ) -> BuiltContents:
        key = contents_key(request, upload_all)

        async def make() -> BuiltContents:
            contents, media, warnings = await build()
            return BuiltContents(key, lean(contents), media, warnings)

        return await self._contents.get(key, make)

    async def counted(self, key: str, count: Callable[[], Awaitable[int | None]]) -> int | None:
        return await self._counts.get(key, count)

    def config(
        self,
        request: ProviderRequest,
        headers: dict[str, str],
        make: Callable[[ProviderRequest, dict[str, str]], types.GenerateContentConfig],
    ) -> types.GenerateContentConfig:
        """The SDK config without headers built once per distinct config; headers added by a cheap copy."""
        key = json.dumps([request.config, request.system_instruction], sort_keys=True, default=str)
        base = self._configs.get(key)
        if base is None:
            made = make(request, {})
            base = LeanConfig(**{name: getattr(made, name) for name in made.model_fields_set})
            self._configs[key] = base
            while len(self._configs) > KEEP:
                self._configs.popitem(last=False)
        if not headers:
            return base
        return base.model_copy(update={"http_options": types.HttpOptions(headers=headers)})


@functools.lru_cache(maxsize=1024)
def _probed(path: str, size: int | None, mime: str | None) -> MediaInfo | None:
    """What a local media file is (probed once per file), or None when it cannot be read."""
    try:
        return describe(MediaRef(source=path, path=path, size_bytes=size, mime_type=mime)).info
    except ValueError:
        return None


def estimate_call(request: ProviderRequest, most_output: int = DEFAULT_OUTPUT_TOKENS) -> CallEstimate:
    """Input tokens: text at four bytes a token, media by Google's documented rates (harness_gemini.media_tokens:
    audio per second, video per frame, images and PDF pages), each file probed once per process; output: the
    config's max_output_tokens, else ``most_output``."""
    opts = GeminiOptions()
    rate = opts.tokens_per_second(request.model)
    resolution = media_tokens.resolution_of(request.config)
    text = text_bytes(request) // 4 + 1
    media: dict[str, int] = {}
    seen: set[str] = set()
    for message in request.contents:
        for part in message.parts:
            ref = part.media
            if ref is None or media_key(ref) in seen:
                continue
            seen.add(media_key(ref))
            info = _probed(str(ref.path), ref.size_bytes, ref.mime_type) if ref.path is not None else None
            if info is None:
                continue
            if ref.video_metadata is not None:
                info = info.model_copy(update={"video_metadata": ref.video_metadata})
            for modality, count in media_tokens.estimate(info, request.model, resolution, rate).items():
                media[modality] = media.get(modality, 0) + count
    limit = request.config.get("max_output_tokens")
    output = int(limit) if isinstance(limit, int) and limit > 0 else most_output
    return CallEstimate(text + sum(media.values()), output, {"TEXT": text, **media})
