"""Built-in scorers: wer/cer/mer/wil, json, tokens, text, latency, finish_reason, judge and python.

The hook imports the scorers when called, so loading the plugin costs nothing until a suite is read.
"""

from __future__ import annotations

from harness.api import Register, hookimpl


@hookimpl
def register_scorers(register: Register) -> None:
    from harness_scorers.catalog import SCORERS

    for scorer in SCORERS:
        register(scorer)
