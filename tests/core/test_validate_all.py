"""`harness validate` reports every mistake of a suite in one pass, each at its file:line, sorted, then exit 2;
`--set` mistakes name the flag; configs name the field and its range; model names are checked."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from clirun import harness_cli

ROOT = Path(__file__).resolve().parents[2]
CLIP = ROOT / "suites" / "media" / "audio" / "jfk.flac"

# Each line marked `#! TEXT` carries one mistake; TEXT must appear in the message reported at that line.
SUITE = """\
name: ten
defaults:
  model: gemini-2.5-flash
  config:
    temperature: 5                      #! 'temperature': 5 is out of range: the Gemini API allows 0 to 2
    top_p: hot                          #! 'top_p': Input should be a valid number
    candidate_cuont: 2                  #! did you mean 'candidate_count'
matrix:
  models: [gemini-2.5-flash, gemini-2.5-flsh]   #! unknown model 'gemini-2.5-flsh'
prompts:
  - id: plain
    template: "Transcribe {{ wrod }}"   #! 'wrod' is undefined
  - id: broken
    template: "Say {{ word"             #! template syntax error
scorers:
  - type: wer
    reference: "{{ word }}"
    maxx: 0.3                           #! unknown key 'maxx'
  - type: werr                          #! unknown scorer 'werr'
cases:
  - id: a
    varz: {word: x}                     #! did you mean 'vars'
  - id: b
    vars: {word: y}
    media: [missing.flac]               #! media file not found
  - id: c
    vars: {word: z}
    prompts: [plain, nope]              #! unknown prompt id 'nope'
  - id: b                               #! duplicate case id 'b'
    vars: {word: w}
  - more.jsonl
"""
MORE = '{"id": "d", "vars": {"word": "v"}}\n{"id": "e", "tgas": ["x"]}\n'


def _expected(text: str) -> list[tuple[int, str]]:
    return [
        (number, line.split("#! ", 1)[1].strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if "#! " in line
    ]


def _reported(message: str, path: Path) -> list[tuple[str, int]]:
    return [(m.group(1), int(m.group(2))) for m in re.finditer(r"^(\S+?):(\d+): error: ", message, re.M)]


def test_ten_mistakes_are_reported_at_once_each_at_its_line(tmp_path: Path) -> None:
    suite = tmp_path / "ten.suite.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    (tmp_path / "more.jsonl").write_text(MORE, encoding="utf-8")
    done = harness_cli("validate", str(suite), "--store", str(tmp_path / "h.db"), env={"GEMINI_API_KEY": ""})
    message = done.stdout + done.stderr
    assert done.returncode == 2, message
    assert "Traceback" not in message
    blocks = re.split(r"(?m)^(?=\S+?:\d+: error: )", message)
    expected = _expected(SUITE)
    for line, needle in expected:
        hits = [b for b in blocks if b.startswith(f"{suite}:{line}: error: ") and needle in b]
        assert hits, f"line {line}: {needle!r} not reported:\n{message}"
    assert any(b.startswith(f"{tmp_path / 'more.jsonl'}:2: error: ") and "did you mean 'tags'" in b for b in blocks)
    reported = _reported(message, suite)
    # One report per mistake, nothing that only follows from another one, in file:line order.
    assert len(reported) == len(expected) + 1, message
    assert reported == sorted(reported), message
    assert f"{len(expected) + 1} mistakes" in message


def test_a_good_suite_validates_with_an_estimate(tmp_path: Path) -> None:
    shutil.copy(CLIP, tmp_path / "jfk.flac")
    suite = tmp_path / "ok.suite.yaml"
    suite.write_text(
        "name: ok\ndefaults:\n  model: gemini-2.5-flash\n  config: {max_output_tokens: 100}\n"
        "prompts:\n  - id: p\n    template: Transcribe the speech.\n"
        "scorers:\n  - tokens: {max_audio_tokens: 100}\n"
        "cases:\n  - id: jfk\n    media: [jfk.flac]\n",
        encoding="utf-8",
    )
    done = harness_cli("validate", str(suite), "--repeat", "3", "--store", str(tmp_path / "h.db"))
    assert done.returncode == 0, done.stdout + done.stderr
    text = done.stdout
    assert "3 trials, 3 calls" in text
    # 11 s of audio at 32 tokens a second on gemini-2.5-flash, three times.
    tokens = int(re.search(r"~([\d,]+) input tokens", text).group(1).replace(",", ""))
    assert 3 * 340 < tokens < 3 * 380, text
    assert "AUDIO" in text and "$" in text
    # The tokens scorer's budget of 100 audio tokens per answer breaks, at the scorer's line.
    assert re.search(rf"{re.escape(str(suite))}:9: budget: case 'jfk' .*audio_tokens ~3\d\d > max 100", text), text


def test_set_mistakes_name_the_flag(tmp_path: Path) -> None:
    suite = tmp_path / "s.suite.yaml"
    suite.write_text(
        "name: s\nprompts:\n  - id: p\n    template: hi\nscorers:\n  - type: text\n    contains: hi\n"
        "cases:\n  - id: a\n",
        encoding="utf-8",
    )
    store = str(tmp_path / "h.db")
    done = harness_cli(
        "validate",
        str(suite),
        "--store",
        store,
        "--set",
        "defaults.config.temperature=hot",
        "--set",
        "defaults.confg.top_p=1",
        "--set",
        "scorers[3].contains=x",
        "--set",
        "scorers[0].containz=x",
    )
    message = done.stdout + done.stderr
    assert done.returncode == 2, message
    assert "--set defaults.config.temperature=hot: error: generation config 'temperature'" in message
    assert "--set defaults.confg.top_p=1: error: unknown key 'confg'" in message
    assert "did you mean 'config'?" in message
    assert "--set scorers[3].contains=x: error: 'scorers' has 1 entry; there is no [3]" in message
    assert "--set scorers[0].containz=x: error: unknown key 'containz'" in message
    assert f"{suite}:" not in message  # nothing is blamed on the file: it is fine
    # A good --set with an index applies (the bracket path reaches the scorer).
    done = harness_cli("validate", str(suite), "--store", store, "--set", "scorers[0].contains=bye", "--no-estimate")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_misspelt_model_stops_a_run_before_any_call(tmp_path: Path) -> None:
    suite = tmp_path / "m.suite.yaml"
    suite.write_text("name: m\nprompts:\n  - id: p\n    template: hi\ncases:\n  - id: a\n", encoding="utf-8")
    done = harness_cli(
        "run",
        str(suite),
        "--emulator",
        "-m",
        "gemini-2.5-flsh",
        "--store",
        str(tmp_path / "h.db"),
        "--out",
        str(tmp_path / "out"),
    )
    message = done.stdout + done.stderr
    assert done.returncode == 2, message
    assert "--model gemini-2.5-flsh: error: unknown model 'gemini-2.5-flsh'" in message
    assert "did you mean 'gemini-2.5-flash'?" in message
    assert not (tmp_path / "out").exists()


def test_count_tokens_asks_the_api_and_models_are_checked_online(tmp_path: Path) -> None:
    suite = tmp_path / "c.suite.yaml"
    suite.write_text(
        "name: c\nmatrix:\n  models: [gemini-2.5-flash, gemini-2.0-flash]\nprompts:\n  - id: p\n"
        "    template: Write a haiku about the sea, in English, with a title.\ncases:\n  - id: a\n",
        encoding="utf-8",
    )
    store = str(tmp_path / "h.db")
    done = harness_cli("validate", str(suite), "--emulator", "--count-tokens", "--store", store)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "input tokens (counted by the API)" in done.stdout
    # The emulator's models.list was asked once and kept: a typo is caught from the cached list too.
    bad = harness_cli("validate", str(suite), "--emulator", "--store", store, "-m", "gemini-2.0-flsh")
    assert bad.returncode == 2
    assert "--model gemini-2.0-flsh: error: unknown model 'gemini-2.0-flsh'" in bad.stderr
    assert "(not in the models the endpoint lists)" in bad.stderr
