"""The models the emulator knows: names, limits and the ``models`` list/get resources."""

from __future__ import annotations

from typing import Any

GENERATE_METHODS = ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"]

KNOWN_MODELS: dict[str, str] = {
    "gemini-1.5-flash": "Gemini 1.5 Flash",
    "gemini-1.5-pro": "Gemini 1.5 Pro",
    "gemini-2.0-flash": "Gemini 2.0 Flash",
    "gemini-2.0-flash-001": "Gemini 2.0 Flash 001",
    "gemini-2.0-flash-exp": "Gemini 2.0 Flash Experimental",
    "gemini-2.0-flash-lite": "Gemini 2.0 Flash-Lite",
    "gemini-2.5-flash": "Gemini 2.5 Flash",
    "gemini-2.5-flash-lite": "Gemini 2.5 Flash-Lite",
    "gemini-2.5-pro": "Gemini 2.5 Pro",
    "gemini-3-flash-preview": "Gemini 3 Flash Preview",
    "gemini-3-pro-preview": "Gemini 3 Pro Preview",
    "gemini-flash-latest": "Gemini Flash Latest",
    "gemini-pro-latest": "Gemini Pro Latest",
}


def strip_prefix(name: str) -> str:
    return name[len("models/") :] if name.startswith("models/") else name


def is_legacy(model: str) -> bool:
    """1.5 / 2.0 answers carry candidatesTokensDetails and avgLogprobs and no candidate index."""
    return model.startswith(("gemini-1.5", "gemini-2.0"))


def thinks(model: str) -> bool:
    return model.startswith(("gemini-2.5", "gemini-3", "gemini-flash-latest", "gemini-pro-latest"))


class Catalog:
    def __init__(self, extra: list[str]) -> None:
        self.names = dict(KNOWN_MODELS)
        for name in extra:
            self.names.setdefault(strip_prefix(name), strip_prefix(name))

    def __contains__(self, model: str) -> bool:
        return model in self.names

    def resource(self, model: str) -> dict[str, Any]:
        version = "3.0" if model.startswith("gemini-3") else model.split("-")[1] if "-" in model else "1"
        body: dict[str, Any] = {
            "name": f"models/{model}",
            "version": version,
            "displayName": self.names[model],
            "description": f"{self.names[model]} (local emulator)",
            "inputTokenLimit": 1048576,
            "outputTokenLimit": 65536 if thinks(model) else 8192,
            "supportedGenerationMethods": GENERATE_METHODS,
            "temperature": 1,
            "topP": 0.95,
            "topK": 64,
            "maxTemperature": 2,
        }
        if thinks(model):
            body["thinking"] = True
        return body

    def page(self, page_size: int, token: str) -> dict[str, Any]:
        names = sorted(self.names)
        start = int(token) if token.isdigit() else 0
        size = min(max(page_size, 1), 1000) if page_size else 50
        out: dict[str, Any] = {"models": [self.resource(n) for n in names[start : start + size]]}
        if start + size < len(names):
            out["nextPageToken"] = str(start + size)
        return out
