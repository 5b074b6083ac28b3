"""Files API through the real SDK: multi-chunk resumable upload, states, get / list / delete, fileData use."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import time
import urllib.request
from pathlib import Path

import pytest
from emu_support import AUDIO, make_client, post
from google import genai
from google.genai import errors, types

from harness_gemini.emulator import RunningEmulator


def _wait_active(client: genai.Client, name: str) -> types.File:
    for _ in range(100):
        f = client.files.get(name=name)
        if f.state == types.FileState.ACTIVE:
            return f
        time.sleep(0.02)
    raise AssertionError("file never became ACTIVE")


def test_multichunk_upload_sync(emu: RunningEmulator, client: genai.Client, tmp_path: Path) -> None:
    data = os.urandom(9 * 1024 * 1024 + 123)  # > 8 MiB: two chunks
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    f = client.files.upload(file=path, config={"mime_type": "application/octet-stream", "display_name": "big"})
    assert f.state == types.FileState.PROCESSING
    assert f.size_bytes == len(data) and f.display_name == "big"
    assert f.uri == f"{emu.base_url}/v1beta/files/{f.name.split('/')[1]}"
    assert f.expiration_time - f.create_time == dt.timedelta(hours=48)
    digest = hashlib.sha256(data).hexdigest().encode()
    assert f.sha256_hash == base64.b64encode(digest).decode()
    chunks = [r for r in emu.requests if r.path == "/upload/v1beta/files" and "upload_id" in r.query]
    assert [r.headers["X-Goog-Upload-Command"] for r in chunks[-2:]] == ["upload", "upload, finalize"]
    assert [r.headers["X-Goog-Upload-Offset"] for r in chunks[-2:]] == ["0", str(8 * 1024 * 1024)]
    assert _wait_active(client, f.name).state == types.FileState.ACTIVE
    client.files.delete(name=f.name)


async def test_multichunk_upload_async(emu: RunningEmulator, tmp_path: Path) -> None:
    client = make_client(emu)
    path = tmp_path / "big.bin"
    path.write_bytes(b"a" * (8 * 1024 * 1024 + 1))
    f = await client.aio.files.upload(file=path, config={"mime_type": "text/plain"})
    got = await client.aio.files.get(name=f.name)
    assert got.size_bytes == 8 * 1024 * 1024 + 1
    await client.aio.files.delete(name=f.name)
    with pytest.raises(errors.ClientError) as info:
        await client.aio.files.get(name=f.name)
    assert info.value.code == 403 and info.value.status == "PERMISSION_DENIED"


def test_list_pages_and_delete(client: genai.Client) -> None:
    names = []
    for i in range(3):
        f = client.files.upload(
            file=AUDIO / "sr_english.wav", config={"mime_type": "audio/wav", "display_name": f"n{i}"}
        )
        names.append(f.name)
    listed = [f.name for f in client.files.list(config={"page_size": 2})]
    assert set(names) <= set(listed)
    assert listed.index(names[2]) < listed.index(names[0])  # newest first
    for name in names:
        client.files.delete(name=name)
    assert not set(names) & {f.name for f in client.files.list()}


def test_file_reference_used_in_generate(client: genai.Client) -> None:
    f = client.files.upload(file=AUDIO / "jfk.mp3", config={"mime_type": "audio/mpeg"})
    with pytest.raises(errors.ClientError) as info:  # still PROCESSING
        client.models.generate_content(model="gemini-2.5-flash", contents=[f, "Describe"])
    assert info.value.code == 400 and "not in an ACTIVE state" in info.value.message
    f = _wait_active(client, f.name)
    r = client.models.generate_content(model="gemini-2.5-flash", contents=[f, "Describe"])
    audio = [d for d in r.usage_metadata.prompt_tokens_details if d.modality == types.MediaModality.AUDIO]
    assert audio[0].token_count == 352
    missing = types.Part.from_uri(file_uri=f.uri.replace(f.name.split("/")[1], "nosuchfile"), mime_type="audio/mpeg")
    with pytest.raises(errors.ClientError) as info:
        client.models.generate_content(model="gemini-2.5-flash", contents=[missing, "x"])
    assert info.value.code == 403


def test_upload_url_uses_request_host(emu: RunningEmulator) -> None:
    req = urllib.request.Request(
        emu.base_url + "/upload/v1beta/files",
        data=b'{"file": {"display_name": "x"}}',
        headers={
            "Host": "example.test:1234",
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Length": "3",
            "X-Goog-Upload-Header-Content-Type": "text/plain",
        },
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        url = resp.headers["x-goog-upload-url"]
        assert resp.headers["x-goog-upload-status"] == "active"
    assert url.startswith("http://example.test:1234/upload/v1beta/files?upload_id=")
    local = url.replace("example.test:1234", emu.base_url.split("//")[1])
    bad = urllib.request.Request(
        local, data=b"abc", headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "7"}
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(bad, timeout=10)
    assert info.value.code == 400 and info.value.headers["x-goog-upload-status"] == "active"
    good = urllib.request.Request(
        local, data=b"abc", headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"}
    )
    with urllib.request.urlopen(good, timeout=10) as resp:
        assert resp.headers["x-goog-upload-status"] == "final"


def test_start_without_resumable_protocol_is_400(emu: RunningEmulator) -> None:
    status, body = post(emu, "/upload/v1beta/files", {"file": {}})
    assert status == 400 and body["error"]["status"] == "INVALID_ARGUMENT"
