from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import planned, write_suite

SUITE = """
name: plan
provider: fake
defaults:
  model: base-model
  config: {temperature: 0.5, max_output_tokens: 100}
  system: "You are {{ persona }}."
vars: {persona: a tester}
prompts:
  - id: short
    template: "Say {{ word }}"
  - id: long
    template: "Please say {{ word }} at {{ 75 | mmss }}"
matrix:
  models: [m1, m2, m3]
  config: {temperature: [0, 0.7, 1.0], top_p: [0.5, 1]}
repeat: 2
cases:
  - id: a
    vars: {word: dog}
  - id: b
    tags: [animal]
    vars: {word: cat}
    prompts: [short]
    config: {max_output_tokens: 5}
"""


def test_matrix_size(tmp_path: Path, fake_host: Any) -> None:
    trials = planned(fake_host, write_suite(tmp_path, SUITE))
    # case a: 2 prompts, case b: 1 prompt; x 3 models x 6 configs x 2 repeats
    assert len(trials) == (2 + 1) * 3 * 6 * 2
    assert len({t.id for t in trials}) == len(trials)


def test_config_merging_and_rendering(tmp_path: Path, fake_host: Any) -> None:
    trials = planned(fake_host, write_suite(tmp_path, SUITE))
    b = next(t for t in trials if t.case_id == "b" and t.config_id == "temperature=0.7,top_p=1")
    assert b.config == {"temperature": 0.7, "max_output_tokens": 5, "top_p": 1}
    assert b.system == "You are a tester."
    long = next(t for t in trials if t.prompt_id == "long")
    assert long.turns[0].prompt == "Please say dog at 01:15"


def test_ids_stable_across_loads_and_prompt_edits(tmp_path: Path, fake_host: Any) -> None:
    first = planned(fake_host, write_suite(tmp_path / "one", SUITE))
    again = planned(fake_host, write_suite(tmp_path / "two", SUITE))
    assert [t.id for t in first] == [t.id for t in again]
    edited = planned(fake_host, write_suite(tmp_path / "three", SUITE.replace("Say {{ word }}", "Now say {{ word }}!")))
    assert [t.id for t in first] == [t.id for t in edited]
    assert first[0].turns[0].prompt != edited[0].turns[0].prompt


def test_ids_differ_by_each_dimension(tmp_path: Path, fake_host: Any) -> None:
    trials = planned(fake_host, write_suite(tmp_path, SUITE))
    keys = {(t.case_id, t.prompt_id, t.model, t.config_id, t.repeat) for t in trials}
    assert len(keys) == len(trials) == len({t.id for t in trials})


def test_cli_overrides(tmp_path: Path, fake_host: Any) -> None:
    path = write_suite(tmp_path, SUITE)
    trials = planned(fake_host, path, models=["x"], repeat=1, overrides=["matrix.config.temperature=[0]"])
    assert {t.model for t in trials} == {"x"}
    assert len(trials) == 3 * 1 * 2 * 1


def test_filters(tmp_path: Path, fake_host: Any) -> None:
    from harness.run.planning import plan
    from harness.suite.loader import LoadOptions, load_suite

    loaded = load_suite(write_suite(tmp_path, SUITE), LoadOptions(host=fake_host))
    assert {t.case_id for t in plan(loaded, ["tag:animal"])} == {"b"}
    assert {t.prompt_id for t in plan(loaded, ["long"])} == {"long"}
    assert {t.model for t in plan(loaded, ["m2"])} == {"m2"}


def test_chat_turns_and_history(tmp_path: Path, fake_host: Any) -> None:
    from harness.log.records import Output

    suite = """
name: chat
provider: fake
cases:
  - id: paws
    turns:
      - prompt: "I have two dogs in my house."
      - prompt: "How many paws are in my house?"
        expect: [{has: "8"}]
"""
    (trial,) = planned(fake_host, write_suite(tmp_path, suite))
    assert trial.prompt_id == "chat"
    request = trial.request(1, [Output(text="Nice!")])
    assert [m.role for m in request.contents] == ["user", "model", "user"]
    assert request.contents[1].parts[0].text == "Nice!"
    assert request.contents[2].parts[0].text == "How many paws are in my house?"


def test_cases_from_files(tmp_path: Path, fake_host: Any) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "rows.csv").write_text('id,tags,word\nc1,"x,y",dog\nc2,,cat\n', encoding="utf-8")
    (folder / "rows.jsonl").write_text(
        '{"id": "j1", "vars": {"word": "eel"}}\n\n{"id": "j2", "vars": {"word": "emu"}}\n', encoding="utf-8"
    )
    (folder / "rows.yaml").write_text("- id: y1\n  vars: {word: yak}\n", encoding="utf-8")
    suite = "name: f\nprovider: fake\nprompts: [{id: p, template: 'Say {{ word }}'}]\ncases: [rows.csv, rows.jsonl, rows.yaml]\n"
    trials = planned(fake_host, write_suite(folder, suite))
    assert [t.case_id for t in trials] == ["c1", "c2", "j1", "j2", "y1"]
    assert trials[0].case.case.tags == ["x", "y"]
    assert [t.turns[0].prompt for t in trials] == ["Say dog", "Say cat", "Say eel", "Say emu", "Say yak"]


def test_media_resolved_and_hashed(tmp_path: Path, fake_host: Any) -> None:
    folder = tmp_path / "s"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "clip.wav").write_bytes(b"RIFF0000WAVE")
    suite = "name: m\nprovider: fake\nprompts: [{id: p, template: hi}]\ncases:\n  - media: [media/clip.wav, {uri: 'https://x/files/abc', mime_type: audio/mp3}]\n"
    (trial,) = planned(fake_host, write_suite(folder, suite))
    local, remote = trial.turns[0].media
    assert local.path == (folder / "media" / "clip.wav").resolve()
    assert local.size_bytes == 12 and local.sha256 and len(local.sha256) == 64
    assert remote.uri == "https://x/files/abc" and remote.path is None
    request = trial.request(0, [])
    assert request.contents[0].parts[0].media == local
    assert request.contents[0].parts[-1].text == "hi"


def test_outside_media_allowed_only_when_asked(tmp_path: Path, fake_host: Any) -> None:
    (tmp_path / "outside.wav").write_bytes(b"x")
    suite = "name: m\nprovider: fake\nprompts: [{id: p, template: hi}]\ncases:\n  - media: [../outside.wav]\n"
    path = write_suite(tmp_path / "s", suite)
    (trial,) = planned(fake_host, path, allow_outside=True)
    assert trial.turns[0].media[0].path == (tmp_path / "outside.wav").resolve()
