"""Issue 15's reproduction: rewording the transcription prompt ("Write down everything said in this
meeting") must not change WER on the emulator. It used to answer ``Echo: ...`` with WER 1.0 on every
trial. The suite is the example transcription suite's cases with several wordings of the prompt, run
through ``harness run --emulator`` as a user would."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from clirun import harness_cli

ROOT = Path(__file__).resolve().parents[2]
WORDINGS = {
    "plain": "Generate a transcript of the speech.",
    "meeting": "Write down everything said in this meeting.",
    "said": "What is being said in this recording?",
    "type-out": "Please type out what the speaker says, word for word.",
    "notes": "Could you jot down what was said?",
}


@pytest.mark.slow
def test_reworded_prompt_gives_the_same_wer(tmp_path: Path) -> None:
    example = yaml.safe_load((ROOT / "suites" / "transcription.suite.yaml").read_text(encoding="utf-8"))
    shutil.copytree(ROOT / "suites" / "media" / "audio", tmp_path / "media" / "audio")
    suite = {
        "name": "reworded",
        "defaults": {"model": "gemini-2.5-flash", "config": {"temperature": 0}},
        "prompts": [{"id": key, "template": text} for key, text in WORDINGS.items()],
        "scorers": [{"type": "wer", "reference": "{{ reference }}", "normaliser": "basic"}],
        "cases": example["cases"],
    }
    path = tmp_path / "reworded.suite.yaml"
    path.write_text(yaml.safe_dump(suite, sort_keys=False), encoding="utf-8")
    out, store = str(tmp_path / "out"), str(tmp_path / "store.db")
    done = harness_cli(
        "run", str(path), "--emulator", "--out", out, "--store", store, "--format=json", "--fail-on=none", "-q"
    )
    assert done.returncode == 0, done.stderr
    trials = json.loads((tmp_path / "out" / "reworded" / "results.json").read_text())["trials"]
    wer: dict[str, dict[str, float]] = defaultdict(dict)
    for trial in trials:
        assert not trial["output"]["text"].startswith("Echo:")
        wer[trial["case_id"]][trial["prompt_id"]] = next(s["value"] for s in trial["scores"] if s["metric"] == "wer")
    assert len(wer) == len(example["cases"])
    for case, by_prompt in wer.items():
        assert set(by_prompt) == set(WORDINGS), case
        assert len(set(by_prompt.values())) == 1, (case, by_prompt)  # every wording: the same WER
        assert by_prompt["plain"] < 1.0, case
