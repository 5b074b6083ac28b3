"""Gemini Batch API through google-genai's ``client.aio.batches``: inline requests while the job fits the inline
limit, else a JSONL file through the Files API (with every media item uploaded once and sent as a file URI).

The job's handle (stored by the core) keeps its name, its model, how it was sent and the order of its keys, so a
later process can poll it, fetch its answers and join them back: inline answers come in request order, the
responses file's lines carry their key.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from google.genai import types

from harness.api import BatchJob, Output, ProviderError, ProviderRequest
from harness_gemini.answers import parse_response, wants_json
from harness_gemini.media import encoded_size

if TYPE_CHECKING:
    from harness_gemini.provider import GeminiProvider

DONE = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"}
SUCCEEDED = {"JOB_STATE_SUCCEEDED", "JOB_STATE_PARTIALLY_SUCCEEDED"}
#: Keys of the config that go at the top of a REST request rather than under generationConfig.
TOP_LEVEL = {"systemInstruction", "safetySettings", "tools", "toolConfig", "cachedContent", "labels"}
DROPPED = {"httpOptions", "automaticFunctionCalling", "shouldReturnHttpResponse"}


def _state(job: types.BatchJob) -> str:
    state = job.state
    if state is None:
        return "JOB_STATE_UNSPECIFIED"
    return str(state.value if hasattr(state, "value") else state)


def _describe(job: types.BatchJob, handle: dict[str, Any]) -> BatchJob:
    state = _state(job)
    error = None
    if job.error is not None:
        error = job.error.message or str(job.error)
    elif state in DONE and state not in SUCCEEDED:
        error = f"the job ended {state.removeprefix('JOB_STATE_').lower()}"
    return BatchJob(
        name=job.name or handle.get("name", ""),
        state=state,
        done=state in DONE or state == "JOB_STATE_PARTIALLY_SUCCEEDED",
        succeeded=state in SUCCEEDED,
        error=error,
        requests=len(handle.get("keys", [])),
        handle={**handle, "name": job.name or handle.get("name")},
    )


def rest_request(model: str, contents: list[types.Content], config: types.GenerateContentConfig) -> dict[str, Any]:
    """A GenerateContentRequest as the REST API spells it (camelCase), for a line of the JSONL input file."""
    body: dict[str, Any] = {
        "model": model if model.startswith("models/") else f"models/{model}",
        "contents": [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in contents],
    }
    fields = config.model_dump(mode="json", by_alias=True, exclude_none=True)
    generation: dict[str, Any] = {}
    for key, value in fields.items():
        if key in DROPPED:
            continue
        if key == "systemInstruction":
            body[key] = {"parts": [{"text": value}]} if isinstance(value, str) else value
        elif key in TOP_LEVEL:
            body[key] = value
        else:
            generation[key] = value
    if generation:
        body["generationConfig"] = generation
    return body


class GeminiBatches:
    def __init__(self, provider: GeminiProvider) -> None:
        self.provider = provider

    @property
    def _client(self) -> Any:
        return self.provider.client

    def _labels(self, request: ProviderRequest) -> dict[str, str]:
        """The trial's labels for a local emulator (never sent to Google), as request metadata."""
        headers = self.provider.headers(request)
        return {name.removeprefix("x-harness-"): value for name, value in headers.items()}

    async def submit(self, requests: list[tuple[str, ProviderRequest]], display_name: str) -> BatchJob:
        if not requests:
            raise ProviderError("a batch job needs at least one request")
        model = requests[0][1].model
        size = sum(_inline_size(request) for _, request in requests)
        inline = size <= self.provider.options.inline_limit_bytes
        keys = [key for key, _ in requests]
        handle: dict[str, Any] = {"model": model, "mode": "inline" if inline else "file", "keys": keys}
        json_keys = [key for key, request in requests if wants_json(request.config)]
        handle["json_keys"] = json_keys
        config = types.CreateBatchJobConfig(display_name=display_name[:128])
        if inline:
            src: Any = [await self._inlined(key, request) for key, request in requests]
        else:
            src = await self._file(requests, display_name)
        job = await self._client.aio.batches.create(model=model, src=src, config=config)
        return _describe(job, handle)

    async def _inlined(self, key: str, request: ProviderRequest) -> types.InlinedRequest:
        built = await self.provider.build(request, {})
        config = self.provider.built.config(request, {}, self.provider._config)
        return types.InlinedRequest(
            model=request.model,
            contents=built.contents,
            config=config,
            metadata={"key": key, **self._labels(request)},
        )

    async def _file(self, requests: list[tuple[str, ProviderRequest]], display_name: str) -> str:
        """Upload the JSONL input file (media uploaded once each, sent as file URIs); its file name."""
        lines = []
        for key, request in requests:
            built = await self.provider.build(request, {}, upload_all=True)
            config = self.provider.built.config(request, {}, self.provider._config)
            line: dict[str, Any] = {"key": key, "request": rest_request(request.model, built.contents, config)}
            labels = self._labels(request)
            if labels:
                line["metadata"] = labels
            lines.append(json.dumps(line, ensure_ascii=False))
        data = ("\n".join(lines) + "\n").encode("utf-8")
        uploaded = await self._client.aio.files.upload(
            file=io.BytesIO(data),
            config=types.UploadFileConfig(mime_type="application/jsonl", display_name=f"{display_name[:100]}.jsonl"),
        )
        if uploaded.name is None:
            raise ProviderError("the Files API returned no name for the batch input file", retryable=True)
        return str(uploaded.name)

    async def status(self, job: BatchJob) -> BatchJob:
        found = await self._client.aio.batches.get(name=job.name)
        return _describe(found, job.handle)

    async def cancel(self, job: BatchJob) -> BatchJob:
        await self._client.aio.batches.cancel(name=job.name)
        return await self.status(job)

    async def results(self, job: BatchJob) -> dict[str, Output | ProviderError]:
        found = await self._client.aio.batches.get(name=job.name)
        keys: list[str] = list(job.handle.get("keys", []))
        json_keys = set(job.handle.get("json_keys", []))
        dest = found.dest
        out: dict[str, Output | ProviderError] = {}
        if dest is not None and dest.inlined_responses:
            for index, item in enumerate(dest.inlined_responses):
                key = (item.metadata or {}).get("key") or (keys[index] if index < len(keys) else None)
                if key is None:
                    continue
                if item.error is not None or item.response is None:
                    out[key] = _line_error(item.error.model_dump() if item.error is not None else None)
                else:
                    out[key] = parse_response(item.response, key in json_keys)
            return out
        if dest is None or not dest.file_name:
            raise ProviderError(f"batch job {job.name} finished without answers", status=_state(found))
        data = await self._client.aio.files.download(file=dest.file_name)
        for raw in bytes(data).decode("utf-8").splitlines():
            if not raw.strip():
                continue
            line = json.loads(raw)
            key = str(line.get("key", ""))
            if "response" in line and line["response"] is not None:
                response = types.GenerateContentResponse.model_validate(line["response"])
                out[key] = parse_response(response, key in json_keys)
            else:
                out[key] = _line_error(line.get("error") or line.get("status"))
        return out


def _line_error(error: Any) -> ProviderError:
    if not isinstance(error, dict):
        return ProviderError("the batch job returned no answer for this request")
    code = error.get("code")
    return ProviderError(
        str(error.get("message") or "the request failed in the batch job"),
        code=int(code) if isinstance(code, int) else None,
        status=str(error.get("status")) if error.get("status") else None,
    )


def _inline_size(request: ProviderRequest) -> int:
    """Bytes a request takes inline: text, plus local media as base64."""
    size = len((request.system_instruction or "").encode("utf-8")) + 512
    for message in request.contents:
        for part in message.parts:
            size += len((part.text or "").encode("utf-8"))
            if part.media is not None and part.media.path is not None:
                size += encoded_size(part.media.size_bytes or 0)
    return size
