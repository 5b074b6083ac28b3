"""`harness schema` in a real editor's language server: yaml-language-server (npm, pinned in package.json) reads
the published schema, marks the mistakes of a suite, explains keys on hover and completes scorer options."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from clirun import harness_cli

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "node_modules" / ".bin" / "yaml-language-server"

SUITE = """\
name: edited
defaults:
  config:
    temperature: 5
    tempreature: 1
prompts:
  - id: p
    template: hi
scorers:
  - type: wer
    reference: x
    maxx: 0.3
  - werr: {}
cases:
  - id: a
    varz: {}
"""


class Client:
    """A minimal LSP client over stdio (Content-Length framed JSON-RPC)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.proc = subprocess.Popen(
            [str(SERVER), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(stream.read(length))
            if message.get("method") == "workspace/configuration":
                items = message["params"]["items"]
                self.send({"id": message["id"], "result": [self.settings.get(i.get("section", ""), {}) for i in items]})
            elif "id" in message and "method" in message:
                self.send({"id": message["id"], "result": None})
            else:
                self.inbox.put(message)

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id)["result"]

    def wait(self, wanted: Any, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            if wanted(message):
                return message
        raise AssertionError("the language server did not answer")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def client(tmp_path: Path) -> Any:
    if not SERVER.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SERVER} is missing: `make test` installs yaml-language-server with npm (package.json)")
        pytest.skip("yaml-language-server is not installed (make test installs it)")
    schema = tmp_path / "suite.schema.json"
    done = harness_cli("schema")
    assert done.returncode == 0
    schema.write_text(done.stdout, encoding="utf-8")
    settings = {
        "yaml": {
            "schemas": {schema.as_uri(): "*.suite.yaml"},
            "validate": True,
            "hover": True,
            "completion": True,
            "schemaStore": {"enable": False},
        }
    }
    lsp = Client(settings)
    lsp.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": tmp_path.as_uri(),
            "capabilities": {"workspace": {"configuration": True}},
        },
    )
    lsp.send({"method": "initialized", "params": {}})
    lsp.send({"method": "workspace/didChangeConfiguration", "params": {"settings": settings}})
    yield lsp, tmp_path
    lsp.close()


def _open(lsp: Client, folder: Path, text: str) -> tuple[str, list[dict[str, Any]]]:
    uri = (folder / "edited.suite.yaml").as_uri()
    lsp.send(
        {
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        }
    )
    found = lsp.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"]["diagnostics"]
        )
    )
    return uri, found["params"]["diagnostics"]


def test_the_language_server_marks_the_mistakes_of_a_suite(client: Any) -> None:
    lsp, folder = client
    _, diagnostics = _open(lsp, folder, SUITE)
    said = {(d["range"]["start"]["line"] + 1, d["message"]) for d in diagnostics}
    assert (4, "Value is above the maximum of 2.") in said  # the documented range of temperature
    assert (5, "Property tempreature is not allowed.") in said  # not a config field
    assert (12, "Property maxx is not allowed.") in said  # not an option of the wer scorer
    assert (13, "Property werr is not allowed.") in said  # no such scorer
    assert (16, "Property varz is not allowed.") in said  # not a case key
    assert {line for line, _ in said} == {4, 5, 12, 13, 16}  # and nothing that is right is marked


def test_hover_explains_and_completion_offers_scorer_options(client: Any) -> None:
    lsp, folder = client
    uri, _ = _open(lsp, folder, SUITE)
    hover = lsp.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 6}})
    shown = json.dumps(hover)
    assert "randomness" in shown and "0 to 2" in shown  # the SDK's description and the documented range
    completion = lsp.request(
        "textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 11, "character": 4}}
    )
    items = completion["items"] if isinstance(completion, dict) else completion
    labels = {item["label"] for item in items}
    assert {"normaliser", "max", "substitutions"} <= labels, sorted(labels)
