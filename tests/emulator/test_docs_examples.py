"""Every example in docs/emulator.md runs: the shell commands parse into a valid config, the Python
example prints what its comments say, the responses file answers each of its entries as documented,
and the latency example loads. A new fenced block in the page fails here until it is covered."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from emu_support import ROOT, post
from google import genai
from google.genai import errors, types

from harness_gemini.emulator import EmulatorConfig, RunningEmulator, start_background
from harness_gemini.emulator import cli as emulator_cli

DOC = ROOT / "docs" / "emulator.md"
GENERATE = "/v1beta/models/{model}:generateContent"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_every_fenced_block_is_covered() -> None:
    kinds = re.findall(r"```(\w*)\n.*?```", DOC.read_text(encoding="utf-8"), re.S)
    assert sorted(kinds) == ["bash", "python", "yaml", "yaml"], "add the new example to this test"


def test_shell_commands_give_valid_configs(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[EmulatorConfig] = []

    async def capture(config: EmulatorConfig, announce: bool = True) -> None:
        seen.append(config)

    monkeypatch.setattr(emulator_cli, "serve_forever", capture)
    commands = [line.split("#")[0].strip() for line in blocks("bash")[0].splitlines() if line.strip()]
    assert len(commands) == 3
    for command in commands:
        args = shlex.split(command)
        assert args[:2] == ["harness", "emulator"]
        args = [str(ROOT / a) if a.endswith(".yaml") else a for a in args[2:]]
        done = CliRunner().invoke(emulator_cli.emulator_command, args)
        assert done.exit_code == 0, done.output
    assert seen[1].latency.ttft_ms == 400 and seen[1].fail_rate_429 == 0.1 and seen[1].seed == 7
    assert seen[2].latency_ms == 300 and seen[2].cache_dir == Path("/tmp/emulator-cache") and seen[2].asr_workers == 2


def test_python_example_prints_what_it_says() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks("python")[0], str(DOC), "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == "Echo: hi"
    assert lines[1] == "/v1beta/models/gemini-2.5-flash:generateContent 200"


@pytest.fixture(scope="module")
def documented(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("docs") / "responses.yaml"
    path.write_text(blocks("yaml")[0], encoding="utf-8")
    config = EmulatorConfig.from_yaml(path, port=0, latency="none")  # flags win over the file's section
    assert config.seed == 7
    with start_background(config) as emu:
        yield emu


def ask(
    emu: RunningEmulator, text: str, model: str = "gemini-2.5-flash", system: str = "", **labels: str
) -> tuple[int, Any]:
    body: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    named = {f"x-harness-{k}": v for k, v in labels.items()}
    return post(emu, GENERATE.format(model=model), body, named)


def text_of(answer: Any) -> str:
    return "".join(p.get("text", "") for p in answer["candidates"][0].get("content", {}).get("parts", []))


def test_responses_example_answers_each_entry(documented: RunningEmulator) -> None:
    entries = yaml.safe_load(blocks("yaml")[0])["responses"]
    assert len(entries) == 10
    emu = documented
    assert text_of(ask(emu, "hi", case="jfk-flac")[1]) == "and so my fellow americans"
    assert text_of(ask(emu, "hi", case="digits-ogg", prompt="verbatim")[1]) == "one zero zero zero one"
    assert text_of(ask(emu, "hi", case="digits-ogg", prompt="plain")[1]) == "Echo: hi"
    assert text_of(ask(emu, "hi", config="temperature=1", repeat="2")[1]) == "A sampled answer."
    assert text_of(ask(emu, "hi", config="temperature=1", repeat="0")[1]) == "Echo: hi"
    assert text_of(ask(emu, "hi", media="media/audio/vosk_test.wav")[1]) == "Heard the vosk clip."
    status, paris = ask(emu, "What is the capital of France?", model="gemini-2.0-flash")
    assert status == 200
    assert text_of(paris) == "Paris." and paris["usageMetadata"]["promptTokenCount"] == 12
    assert text_of(ask(emu, "What is the capital of France?")[1]).startswith("Echo:")  # 2.5: no match
    assert text_of(ask(emu, "greet me", system="You are a Pirate.")[1]) == "Ahoy!"
    assert json.loads(text_of(ask(emu, "the city as json")[1])) == {"city": "Paris", "country": "France"}
    blocked = ask(emu, "tell me a joke")[1]["candidates"][0]
    assert blocked["finishReason"] == "SAFETY" and blocked["content"] == {}
    flaky = {"case": "c", "prompt": "p", "config": "default", "repeat": "1"}
    assert ask(emu, "flaky call", **flaky)[0] == 503
    assert ask(emu, "flaky call", **flaky)[0] == 503
    assert ask(emu, "flaky call", **flaky)[0] == 200  # times: 2 used up
    client = genai.Client(api_key="k", http_options=types.HttpOptions(base_url=emu.base_url, api_version="v1beta"))
    chunks = []
    with pytest.raises(errors.APIError) as broken:
        for chunk in client.models.generate_content_stream(model="gemini-2.5-flash", contents="a broken stream"):
            chunks.append(chunk)
    assert len(chunks) == 1 and broken.value.code == 500


def test_latency_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "latency.yaml"
    path.write_text(blocks("yaml")[1], encoding="utf-8")
    profile = EmulatorConfig.from_yaml(path).latency
    assert (profile.ttft_ms, profile.tokens_per_s, profile.jitter) == (400, 250, 0.1)
    other = yaml.safe_load(blocks("yaml")[1].split("# or:", 1)[1].split("|")[-1])
    assert EmulatorConfig(latency=other).latency.tokens_per_s == 180
