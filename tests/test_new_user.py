"""A new user's first session, from an empty folder, with only the commands the README gives: harness init,
validate (with its estimate), run on the emulator, runs, show, cache, and the viewer answering."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

from clirun import harness_cli

ROOT = Path(__file__).resolve().parents[1]
RESPONSES = "--emulator-responses"


def test_first_session_from_an_empty_folder(tmp_path: Path) -> None:
    env = {"HARNESS_STORE": str(tmp_path / ".harness" / "harness.db"), "GEMINI_API_KEY": "", "GOOGLE_API_KEY": ""}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("harness init my-evals", "harness validate starter.suite.yaml", "harness view"):
        assert command in readme, command

    done = harness_cli("init", "my-evals", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "my-evals"
    assert "harness validate starter.suite.yaml" in done.stdout
    assert (folder / "media" / "jfk.mp3").is_file() and (folder / "media" / "LICENSE-jfk.mp3.txt").is_file()
    assert (
        (folder / "starter.suite.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=suite.schema.json")
    )
    assert "GenerationConfig" in json.loads((folder / "suite.schema.json").read_text(encoding="utf-8"))["$defs"]

    done = harness_cli("validate", "starter.suite.yaml", cwd=folder, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok: starter.suite.yaml: 3 cases, 4 trials" in done.stdout
    assert re.search(r"estimate: 4 trials, 4 calls, ~[\d,]+ input tokens", done.stdout)

    done = harness_cli(
        "run", "starter.suite.yaml", "--emulator", RESPONSES, "emulator-responses.yaml", cwd=folder, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("report: ")
    assert done.stdout.rstrip().endswith("report.html")

    done = harness_cli("runs", cwd=folder, env=env)
    assert done.returncode == 0
    assert "100% (4/4)" in done.stdout and "starter" in done.stdout

    done = harness_cli("show", "jfk", cwd=folder, env=env)
    assert done.returncode == 0, done.stderr
    assert "Generate a transcript of the speech." in done.stdout and "wer" in done.stdout
    assert "media: media/jfk.mp3" in done.stdout

    done = harness_cli("cache", "stats", cwd=folder, env=env)
    assert "cache: 4 answers" in done.stdout

    from harness_viewer.server import running

    with running(Path(env["HARNESS_STORE"])) as url, urllib.request.urlopen(url + "api/suites", timeout=30) as answer:
        suites = json.loads(answer.read())
    assert [s["suite"] for s in suites] == ["starter"]
