"""The gemini provider: one google-genai async client per run; calls sent as the SDK's chats send them."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import os
import time
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlparse

import pydantic
from google.genai import errors as genai_errors
from google.genai import types

from harness.api import (
    BatchJob,
    CallEstimate,
    LocalEndpoint,
    Output,
    Provider,
    ProviderError,
    ProviderRequest,
    ProviderSettings,
    Quota,
    Usage,
    UserError,
)
from harness_gemini.answers import StreamCollector, parse_response, wants_json
from harness_gemini.batch import GeminiBatches
from harness_gemini.built import BuiltContents, RequestCache, estimate_call
from harness_gemini.config_check import Problem, check_config
from harness_gemini.errors import TRANSPORT_ERRORS, classify
from harness_gemini.local import start_emulator
from harness_gemini.media import (
    Described,
    assess,
    by_transport,
    choose_uploads,
    describe,
    distinct_media,
    media_key,
    text_bytes,
)
from harness_gemini.media import to_part as media_part
from harness_gemini.media_tokens import total
from harness_gemini.options import GeminiOptions, option_errors
from harness_gemini.quotas import TIERS, documented
from harness_gemini.session import LABELS, Client
from harness_gemini.uploads import Uploads


def _max_output(model: str) -> int:
    """The most output tokens a model may produce when the request sets no max_output_tokens (Gemini API
    models page: 65,536 for the 2.5 and 3 families, 8,192 before them)."""
    name = model.removeprefix("models/")
    return 8_192 if name.startswith(("gemini-1", "gemini-2.0")) else 65_536


@functools.cache
def _price_table() -> Any:
    from harness_scorers import prices

    return prices.shipped()


#: Environment variables holding the key, in the order google-genai itself prefers them.
KEY_VARIABLES = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
#: Exceptions a call may raise that become ProviderError (anything else is a harness bug and propagates).
CALL_ERRORS: tuple[type[BaseException], ...] = (
    genai_errors.APIError,
    genai_errors.UnknownApiResponseError,
    ProviderError,
    *TRANSPORT_ERRORS,
)
_HEADER_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "%")
_NAME_SAFE = _HEADER_SAFE.replace(",", "")


def resolve_api_key(settings: ProviderSettings) -> str:
    if settings.api_key:
        return settings.api_key
    for variable in KEY_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return value
    raise UserError(
        "no Gemini API key: set GOOGLE_API_KEY or GEMINI_API_KEY",
        hint="to run offline against the local Gemini emulator instead, add --emulator",
    )


def is_loopback(base_url: str | None) -> bool:
    host = urlparse(base_url).hostname if base_url else None
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class GeminiProvider(Provider):
    """Google's Gemini API through google-genai's async client (or the local emulator via base_url)."""

    name: ClassVar[str] = "gemini"
    description: ClassVar[str] = "Google Gemini API (google-genai): text, audio, images, video, PDF, structured output"
    default_model: ClassVar[str | None] = "gemini-2.5-flash"
    is_default: ClassVar[bool] = True
    config_file_keys: ClassVar[dict[str, str]] = {
        "response_schema_file": "response_schema",
        "response_json_schema_file": "response_json_schema",
    }

    def __init__(self, settings: ProviderSettings) -> None:
        super().__init__(settings)
        problems = option_errors(settings.options)
        if problems:
            path, message = problems[0]
            where = ".".join(str(part) for part in path)
            raise UserError(f"provider_options.{where}: {message}")
        self.options = GeminiOptions.model_validate(settings.options)
        self._api_key = resolve_api_key(settings)
        self.base_url = settings.base_url or os.environ.get("GOOGLE_GEMINI_BASE_URL") or DEFAULT_BASE_URL
        self._local = is_loopback(self.base_url)
        http_options = types.HttpOptions(
            api_version=self.options.api_version,
            # One attempt: the core owns retries (backoff, RetryInfo), and SDK-level retries would hide them.
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        if settings.base_url:
            http_options.base_url = settings.base_url
        self.client = Client(self._api_key, http_options, labelled=self._local)
        self.uploads = Uploads(
            self.client,
            memory=settings.files,
            base_url=self.base_url,
            reuse=self.options.upload_reuse,
            ready_timeout_s=self.options.file_ready_timeout_s,
        )
        self.built = RequestCache()
        self.batches = GeminiBatches(self)

    supports_batch: ClassVar[bool] = True

    @classmethod
    def estimate(cls, request: ProviderRequest) -> CallEstimate:
        """Text at four bytes a token, media at their documented token rates (media_tokens; each file probed once),
        and as many output tokens as max_output_tokens allows (unset: the model's documented maximum)."""
        return estimate_call(request, _max_output(request.model))

    @classmethod
    def cost_usd(cls, model: str, usage: Usage, batch: bool = False) -> float | None:
        """The price of a call with this usage, from the shipped price table (prices.yaml), at the batch rate for
        an answer of batch mode; None for a model it does not list."""
        from harness_scorers import prices

        found = prices.lookup(model, _price_table().models)
        return None if found is None else float(prices.cost(usage, found[1], batch=batch)["cost_usd"])

    @classmethod
    def quota(cls, model: str, tier: str) -> Quota | None:
        return documented(model, tier)

    @classmethod
    def quota_tiers(cls) -> list[str]:
        return list(TIERS)

    @classmethod
    def local_endpoint(cls, responses: Path | None = None) -> contextlib.AbstractContextManager[LocalEndpoint]:
        """The bundled Gemini emulator on a free loopback port (docs/emulator.md)."""
        return start_emulator(responses)

    # validate time ----------------------------------------------------------------------------
    @classmethod
    def check_config(cls, config: dict[str, Any]) -> list[Problem]:
        return check_config(config)

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[Problem]:
        return option_errors(options)

    @classmethod
    def config_schema(cls) -> dict[str, Any] | None:
        from harness_gemini.config_schema import config_schema

        return config_schema()

    @classmethod
    def known_models(cls) -> list[str] | None:
        """Offline, the emulator's catalogue: the Gemini models it (and so this harness) knows by name."""
        from harness_gemini.emulator.catalog import KNOWN_MODELS

        return sorted(KNOWN_MODELS)

    async def list_models(self) -> list[str] | None:
        """``models.list`` on the configured endpoint (Google's, or the emulator's with its extra models)."""
        names: list[str] = []
        try:
            pager = await self.client.aio.models.list(config={"page_size": 1000})
            async for model in pager:
                if model.name:
                    names.append(model.name.removeprefix("models/"))
        except CALL_ERRORS as error:
            raise classify(error, self._api_key) from None
        return names

    async def count_tokens(self, request: ProviderRequest) -> int | None:
        try:
            headers = self.headers(request)
            contents, _, _ = await self._contents(request, headers)
            return await self._count(request.model, contents, headers)
        except CALL_ERRORS as error:
            raise classify(error, self._api_key) from None

    @classmethod
    def check_request(cls, request: ProviderRequest) -> list[str]:
        problems: list[str] = []
        described: list[Described] = []
        for ref in distinct_media(request):
            try:
                described.append(describe(ref))
            except ValueError as error:
                problems.append(str(error))
        # Option overrides are not known here (a classmethod): the built-in rates and limits apply.
        return problems + assess(described, request, GeminiOptions())

    # calls ------------------------------------------------------------------------------------
    def headers(self, request: ProviderRequest) -> dict[str, str]:
        """Per-request headers naming the trial (case, prompt, config, repeat, trial id, media file
        names) so a local emulator can match answers to them; never sent to Google."""
        if not self._local:
            return {}
        labels = {
            "x-harness-case": request.case_id,
            "x-harness-trial": request.trial_id,
            "x-harness-prompt": request.prompt_id,
            "x-harness-config": request.config_id,
            "x-harness-repeat": None if request.repeat is None else str(request.repeat),
        }
        headers = {name: quote(value, safe=_HEADER_SAFE) for name, value in labels.items() if value is not None}
        names = [part.media.source for message in request.contents for part in message.parts if part.media]
        if names:
            headers["x-harness-media"] = ",".join(quote(name, safe=_NAME_SAFE) for name in names)
        return headers

    async def generate(self, request: ProviderRequest) -> Output:
        try:
            return await self._generate(request)
        except CALL_ERRORS as error:
            raise classify(error, self._api_key) from None

    async def _generate(self, request: ProviderRequest) -> Output:
        headers = self.headers(request)
        if self.client.labelled:
            # The session adds the labels (harness_gemini.session): no per-request options for the SDK to copy.
            LABELS.set(headers)
            headers = {}
        built = await self.build(request, headers)
        config = self.built.config(request, headers, self._config)
        counted: int | None = None
        if request.count_tokens:
            # Once per distinct contents: repeats of a request send the same contents.
            counted = await self.built.counted(built.key, lambda: self._count(request.model, built.contents, headers))
        json_out = wants_json(request.config)
        started = time.perf_counter()
        if request.stream:
            output = await self._stream(request.model, built.contents, config, json_out, started)
        else:
            response = await self.client.aio.models.generate_content(
                model=request.model, contents=built.contents, config=config
            )
            output = parse_response(response, json_out)
        output.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        self.finish(output, request, built, counted)
        return output

    def finish(self, output: Output, request: ProviderRequest, built: BuiltContents, counted: int | None) -> None:
        """What the provider adds to every answer: media, warnings, token counts, the media token estimates."""
        output.counted_tokens = counted
        output.media = [info.model_copy() for info in built.media]
        output.warnings = built.warnings + output.warnings
        estimate = total([m.tokens_estimate for m in built.media])
        if estimate:
            output.extra["tokens_estimate"] = estimate
        if "AUDIO" in estimate:
            output.extra["audio_tokens_estimate"] = estimate["AUDIO"]

    async def build(self, request: ProviderRequest, headers: dict[str, str], upload_all: bool = False) -> BuiltContents:
        """The SDK contents of a request, built once per distinct contents (media described, read, encoded)."""
        return await self.built.contents(
            request, upload_all, lambda: self._contents(request, headers, upload_all=upload_all)
        )

    @staticmethod
    def _config(request: ProviderRequest, headers: dict[str, str]) -> types.GenerateContentConfig:
        """The SDK config: the suite's fields plus the system instruction and per-request headers."""
        fields = dict(request.config)
        fields["system_instruction"] = request.system_instruction
        fields["http_options"] = types.HttpOptions(headers=headers) if headers else None
        try:
            return types.GenerateContentConfig(**fields)
        except pydantic.ValidationError as error:
            # check_config catches these when the suite is validated; a request built elsewhere may not be.
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise ProviderError(f"invalid generation config: {problems}") from None

    async def _stream(
        self,
        model: str,
        contents: list[types.Content],
        config: types.GenerateContentConfig,
        json_out: bool,
        started: float,
    ) -> Output:
        collector = StreamCollector()
        stream = await self.client.aio.models.generate_content_stream(model=model, contents=contents, config=config)
        try:
            async for chunk in stream:
                collector.add(chunk, round((time.perf_counter() - started) * 1000, 3))
        except CALL_ERRORS as error:
            # An error chunk or a dropped connection after the stream began: the server accepted the
            # request, so trying again may well succeed.
            raise classify(error, self._api_key, mid_stream=True) from None
        return collector.output(json_out)

    async def _count(self, model: str, contents: list[types.Content], headers: dict[str, str]) -> int | None:
        config = types.CountTokensConfig(http_options=types.HttpOptions(headers=headers)) if headers else None
        counted = await self.client.aio.models.count_tokens(model=model, contents=contents, config=config)
        return counted.total_tokens

    async def _contents(
        self, request: ProviderRequest, headers: dict[str, str], upload_all: bool = False
    ) -> tuple[list[types.Content], list[Any], list[str]]:
        """The whole conversation as SDK Content objects (user/model turns, as chats send them)."""
        described: dict[str, Described] = {}
        for ref in distinct_media(request):
            try:
                described[media_key(ref)] = await asyncio.to_thread(describe, ref)
            except ValueError as error:
                raise ProviderError(str(error)) from None
        beyond = assess(list(described.values()), request, self.options)
        if beyond:
            raise ProviderError(beyond[0])
        upload = choose_uploads(list(described.values()), text_bytes(request), self.options.inline_limit_bytes)
        upload |= by_transport(list(described.values()), self.settings.media_transport, upload_all)
        parts: dict[str, tuple[types.Part, Any]] = {}
        for key, item in described.items():
            parts[key] = await media_part(item, key in upload, self.uploads, headers)
        contents: list[types.Content] = []
        for message in request.contents:
            wire: list[types.Part] = []
            for part in message.parts:
                if part.media is not None:
                    wire.append(parts[media_key(part.media)][0])
                if part.text is not None:
                    wire.append(types.Part(text=part.text))
            contents.append(types.Content(role=message.role, parts=wire))
        warnings = [note for item in described.values() for note in item.warnings]
        return contents, [info for _, info in parts.values()], warnings

    # batch mode (harness_gemini.batch) --------------------------------------------------------------
    async def batch_submit(self, requests: list[tuple[str, ProviderRequest]], display_name: str) -> BatchJob:
        return await self._batch_call(self.batches.submit(requests, display_name))

    async def batch_status(self, job: BatchJob) -> BatchJob:
        return await self._batch_call(self.batches.status(job))

    async def batch_results(self, job: BatchJob) -> dict[str, Output | ProviderError]:
        return await self._batch_call(self.batches.results(job))

    async def batch_cancel(self, job: BatchJob) -> BatchJob:
        return await self._batch_call(self.batches.cancel(job))

    async def _batch_call(self, call: Any) -> Any:
        try:
            return await call
        except CALL_ERRORS as error:
            raise classify(error, self._api_key) from None

    async def aclose(self) -> None:
        self.uploads.cancel()
        await self.client.aclose()
