"""A recognition worker: reads clips from stdin and writes what ``transcribe.listen`` heard to stdout
(framed as in asr_pool), until its input ends. Started by asr_pool.WorkerPool, never by hand."""

from __future__ import annotations

import json
import os
import sys

from harness_gemini.emulator.asr_pool import receive, send
from harness_gemini.emulator.transcribe import LISTEN_FORMAT, listen


def main() -> None:
    source = sys.stdin.buffer
    # Answers go to a private copy of stdout; fd 1 then points at stderr, so anything a library
    # prints can never corrupt the protocol.
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    while True:
        data = receive(source)
        if data is None:
            return
        try:
            heard = listen(data)
        except Exception as exc:  # the parent gets a readable error instead of a dead worker
            heard = {"format": LISTEN_FORMAT, "error": f"recognition failed: {type(exc).__name__}: {exc}"}
        send(sink, json.dumps(heard).encode())


if __name__ == "__main__":
    main()
