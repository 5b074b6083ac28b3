"""harness: a plugin-based prompt-evaluation harness for the Gemini API.

Plugins import :mod:`harness.api` and nothing else from this package (docs/plugins.md).
"""

from __future__ import annotations

import pluggy

__version__ = "0.1.0"

#: Marks a plugin's hook implementations; plugins use it as ``harness.api.hookimpl``.
hookimpl = pluggy.HookimplMarker("harness")

__all__ = ["__version__", "hookimpl"]
