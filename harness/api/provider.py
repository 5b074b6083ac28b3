"""The provider interface: what a model back-end plugin implements."""

from __future__ import annotations

import abc
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import UserError
from harness.log.records import Output, Usage, VideoMetadata


class MediaRef(BaseModel):
    """A media item as the suite names it, resolved by the core (path confined, hashed)."""

    model_config = ConfigDict(extra="forbid")

    source: str
    #: Absolute path on disk, or None when the suite gives a URI of an already uploaded file.
    path: Path | None = None
    uri: str | None = None
    #: MIME type given in the suite; when None the provider detects it from the content.
    mime_type: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    #: How many calls of this run send this item (cases x prompts x models x configs x repeats, chats once per
    #: turn), so the provider can upload media used many times once instead of inlining it every time.
    uses: int = 1
    #: For video: the clip (start and end offsets) and frame rate to send.
    video_metadata: VideoMetadata | None = None


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    media: MediaRef | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "model"]
    parts: list[Part]


class ProviderRequest(BaseModel):
    """Everything one model call needs. ``contents`` is the whole conversation so far."""

    model_config = ConfigDict(extra="forbid")

    model: str
    contents: list[Message]
    system_instruction: str | None = None
    #: Generation config as written in the suite (snake_case keys, provider-specific).
    config: dict[str, Any] = Field(default_factory=dict)
    stream: bool = False
    count_tokens: bool = False
    #: Ids for logs and emulator matching; never sent as prompt content.
    trial_id: str | None = None
    case_id: str | None = None
    prompt_id: str | None = None
    config_id: str | None = None
    repeat: int | None = None


class ProviderError(Exception):
    """A failed call. ``retryable`` and ``retry_after`` drive the core's retry loop."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        status: str | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class FileMemory(Protocol):
    """Remembers uploaded files across runs (implemented by the store)."""

    def recall_file(self, provider: str, sha256: str) -> dict[str, Any] | None: ...

    def remember_file(self, provider: str, sha256: str, info: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class CallEstimate:
    """What one call will probably use, before it is made: for token-per-minute quotas and spend limits."""

    input_tokens: int
    #: The most output tokens the call may produce (its max_output_tokens, or the provider's default).
    output_tokens: int
    #: The input tokens by modality, when the provider knows them (e.g. {"TEXT": 12, "AUDIO": 352}).
    by_modality: dict[str, int] = field(default_factory=dict)


class ProviderSettings(BaseModel):
    """How the core configures a provider for one run."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    base_url: str | None = None
    api_key: str | None = None
    #: Provider options from the suite's ``provider_options`` (validated by the provider).
    options: dict[str, Any] = Field(default_factory=dict)
    files: Any = None  # a FileMemory, or None
    #: How media travel: "inline" (bytes in every request while it fits), "upload" (always the provider's file
    #: API) or "auto" (upload what a run sends more than the provider's documented number of times).
    media_transport: Literal["auto", "inline", "upload"] = "auto"


@dataclass(frozen=True)
class Quota:
    """A per-model request and token budget per minute (a provider's documented default, or the suite's)."""

    rpm: int | None = None
    tpm: int | None = None


class BatchJob(BaseModel):
    """A batch job as the provider describes it; ``handle`` is all it needs to poll, fetch or cancel it again,
    in a later process too (the core stores it)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    #: The provider's own word for the state, e.g. "JOB_STATE_RUNNING".
    state: str
    done: bool = False
    #: True when the job finished and its answers can be fetched (some lines may still have failed).
    succeeded: bool = False
    #: Why the job failed, was cancelled or expired.
    error: str | None = None
    #: Requests in the job, and how many have finished (when the provider reports it).
    requests: int = 0
    finished: int | None = None
    handle: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class LocalEndpoint:
    """A local stand-in for a provider's API (the Gemini emulator, say), running for this process."""

    base_url: str
    #: The key to send it (never a real one).
    api_key: str
    #: Who answers, for cache keys: must change whenever the answers could (its code, its responses file).
    identity: str


class Provider(abc.ABC):
    """A model back-end. One instance serves a whole run and may be called concurrently."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: The model a suite gets when it names none.
    default_model: ClassVar[str | None] = None
    #: With several providers installed, the one a suite without ``provider:`` gets.
    is_default: ClassVar[bool] = False
    #: Generation-config keys that name a file in the suite's folder, and the key its parsed JSON/YAML
    #: content replaces them with (e.g. ``response_schema_file`` -> ``response_schema``).
    config_file_keys: ClassVar[dict[str, str]] = {}

    def __init__(self, settings: ProviderSettings) -> None:
        self.settings = settings

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
        """Validate a generation config at suite-validation time.

        Return a list of (key path, message); an empty list means valid. Must not call the network.
        """
        return []

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
        """Validate the suite's ``provider_options`` (same contract as check_config)."""
        return [((key,), f"unknown provider option '{key}'") for key in options]

    @classmethod
    def check_request(cls, request: ProviderRequest) -> list[str]:
        """Validate one planned request at suite-validation time (e.g. total audio duration)."""
        return []

    @classmethod
    def config_schema(cls) -> dict[str, Any] | None:
        """The JSON Schema of a generation config (``type: object`` with ``properties``, each with a description,
        and optional ``$defs`` referred to as ``#/$defs/NAME``), for ``harness schema``; None: not published."""
        return None

    @classmethod
    def known_models(cls) -> list[str] | None:
        """Model names this provider knows without any network call (its local emulator's catalogue, say), for
        ``harness validate`` offline; None when it cannot tell (then model names are not checked offline)."""
        return None

    async def list_models(self) -> list[str] | None:
        """The model names the configured endpoint serves (one call, e.g. Gemini's ``models.list``); the core
        caches the answer in the store. None when the endpoint cannot list them. Raise ProviderError when the
        call fails (the core then skips the check)."""
        return None

    async def count_tokens(self, request: ProviderRequest) -> int | None:
        """The prompt tokens of ``request`` as the API counts them (one call; ``harness validate --count-tokens``).
        None when the provider cannot count."""
        return None

    @classmethod
    def estimate(cls, request: ProviderRequest) -> CallEstimate:
        """What a call will probably use (never calls the network). The default counts four characters of text
        per token and the config's ``max_output_tokens`` (else 1024) as the output."""
        chars = len(request.system_instruction or "")
        chars += sum(len(part.text or "") for message in request.contents for part in message.parts)
        limit = request.config.get("max_output_tokens")
        return CallEstimate(chars // 4 + 1, int(limit) if isinstance(limit, int) and limit > 0 else 1024)

    @classmethod
    def cost_usd(cls, model: str, usage: Usage, batch: bool = False) -> float | None:
        """The price of one call with this usage (at the batch rate when ``batch``); None when unknown."""
        return None

    @classmethod
    def local_endpoint(cls, responses: Path | None = None) -> contextlib.AbstractContextManager[LocalEndpoint]:
        """Start a local stand-in for this provider's API (``--emulator``); it stops when the context exits.

        ``responses`` is a file of canned answers in the provider's own format, when the user gave one.
        """
        raise UserError(f"provider '{cls.name}' has no local emulator", hint="drop --emulator and give --base-url")

    #: True when the provider implements the batch methods below (``harness run --batch``).
    supports_batch: ClassVar[bool] = False

    @classmethod
    def quota(cls, model: str, tier: str) -> Quota | None:
        """The documented per-minute limits of ``model`` in the provider's quota ``tier`` (None: unknown)."""
        return None

    @classmethod
    def quota_tiers(cls) -> list[str]:
        """The tier names ``quota`` knows (for messages)."""
        return []

    @abc.abstractmethod
    async def generate(self, request: ProviderRequest) -> Output:
        """Make one call. Raise ProviderError on failure (retryable when a retry may help)."""

    async def batch_submit(self, requests: list[tuple[str, ProviderRequest]], display_name: str) -> BatchJob:
        """Submit ``(key, request)`` pairs as one batch job (only when ``supports_batch``)."""
        raise ProviderError(f"provider '{self.name}' has no batch mode")

    async def batch_status(self, job: BatchJob) -> BatchJob:
        """The job's current state."""
        raise ProviderError(f"provider '{self.name}' has no batch mode")

    async def batch_results(self, job: BatchJob) -> dict[str, Output | ProviderError]:
        """The answers of a finished job by key; a failed line is its ProviderError."""
        raise ProviderError(f"provider '{self.name}' has no batch mode")

    async def batch_cancel(self, job: BatchJob) -> BatchJob:
        """Ask the provider to cancel the job; returns its state afterwards."""
        raise ProviderError(f"provider '{self.name}' has no batch mode")

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release clients and connections at the end of a run."""
