"""Google-shaped API errors: ``{"error": {"code", "message", "status", "details"}}`` as the real API sends."""

from __future__ import annotations

from typing import Any

STATUS_BY_CODE: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

MESSAGE_500 = (
    "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting"
)
MESSAGE_503 = "The model is overloaded. Please try again later."
MESSAGE_429 = (
    "You exceeded your current quota, please check your plan and billing details. For more information "
    "on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."
)


class WireError(Exception):
    """An error answer of the emulated API; ``body()`` is what goes on the wire."""

    def __init__(
        self, code: int, message: str, status: str | None = None, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_BY_CODE.get(code, "UNKNOWN")
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


def invalid_argument(message: str) -> WireError:
    return WireError(400, message)


def model_not_found(model: str, version: str, method: str) -> WireError:
    return WireError(
        404,
        f"models/{model} is not found for API version {version}, or is not supported for {method}. "
        "Call ListModels to see the list of available models and their supported methods.",
    )


def file_denied(file_id: str) -> WireError:
    return WireError(403, f"You do not have permission to access the File {file_id} or it may not exist.")


def format_delay(seconds: float) -> str:
    """google.protobuf.Duration JSON form as Google writes it: ``26s``, ``34.4s``."""
    return f"{round(seconds, 1):g}s"


def retry_info(seconds: float) -> dict[str, Any]:
    return {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format_delay(seconds)}


def resource_exhausted(retry_delay_s: float | None, quota_id: str) -> WireError:
    details: list[dict[str, Any]] = [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaId": quota_id}]}
    ]
    if retry_delay_s is not None:
        details.append(retry_info(retry_delay_s))
    return WireError(429, MESSAGE_429, details=details)


def server_error(code: int) -> WireError:
    return WireError(code, MESSAGE_503 if code == 503 else MESSAGE_500)
