"""The built-in ``harness view``: a local, read-only web viewer over the runs in the store.

Registered through the ``harness`` entry-point group like any plugin; it reads runs through
``harness.api.RunBrowser`` and serves one ordinary page (assets/) from aiohttp on 127.0.0.1.
"""

from __future__ import annotations

from harness.api import Register, hookimpl


@hookimpl
def register_commands(register: Register) -> None:
    from harness_viewer.command import view

    register(view)
