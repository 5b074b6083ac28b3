"""The ``emulator`` click command: options, a bad responses file, and a real foreground run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from harness.errors import UserError
from harness_gemini.emulator.cli import emulator_command


def test_help_lists_the_fault_flags() -> None:
    result = CliRunner().invoke(emulator_command, ["--help"])
    assert result.exit_code == 0
    for flag in ("--fail-rate-429", "--drop-rate", "--rpm", "--tpm", "--inline-limit-mb", "--request-log", "--seed"):
        assert flag in result.output


def test_bad_responses_file_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "r.yaml"
    bad.write_text("responses:\n  - colour: red\n", encoding="utf-8")
    result = CliRunner().invoke(emulator_command, ["--responses", str(bad), "--port", "0"])
    assert isinstance(result.exception, UserError) and result.exception.line == 2


def test_foreground_server_answers(tmp_path: Path) -> None:
    code = "from harness_gemini.emulator.cli import emulator_command; emulator_command()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--port", "0", "--seed", "3"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, line
        with urllib.request.urlopen(f"http://127.0.0.1:{match.group(1)}/v1/models", timeout=10) as resp:
            assert "models/gemini-2.5-flash" in {m["name"] for m in json.loads(resp.read())["models"]}
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_recognition_worker_loads_neither_the_server_nor_aiohttp() -> None:
    """A worker starts per core and after every crash: it imports what listening needs (PyAV, pocketsphinx), not
    the emulator's server; the package's public names are still all there, imported on first use."""
    import subprocess
    import sys

    import harness_gemini.emulator as package

    assert sorted(package._HOMES) == package.__all__  # one entry per public name, in both lists
    assert all(getattr(package, name) is not None for name in package.__all__)
    code = (
        "import sys, harness_gemini.emulator.asr_worker; "
        "print(sorted(m for m in ('aiohttp', 'google.genai', 'harness_gemini.emulator.app') if m in sys.modules)); "
        # every harness command loads the provider, and --emulator the app: pypdf (60 ms) waits for a PDF
        "import harness_gemini.provider, harness_gemini.emulator.app; print('pypdf' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "False"]
