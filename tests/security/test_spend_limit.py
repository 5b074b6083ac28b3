"""--max-cost is whoever runs the command's: a suite whose estimated cost (every call answered at
max_output_tokens) passes it is refused at validate time with the numbers; so is one that cannot be priced."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clirun import harness_cli

AUDIO = Path(__file__).resolve().parents[2] / "suites" / "media" / "audio"
SUITE = """\
name: pro
defaults:
  model: gemini-2.5-pro
  config: {max_output_tokens: 65536}
repeat: 10
prompts: [{id: p, template: Transcribe the speech.}]
cases:
  - id: jfk
    media: [jfk.flac]
"""


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    shutil.copy(AUDIO / "jfk.flac", tmp_path / "jfk.flac")
    path = tmp_path / "pro.suite.yaml"
    path.write_text(SUITE)
    return path


def _validate(*args: str) -> tuple[int, str]:
    done = harness_cli("validate", *args, env={"HARNESS_LOAD_PLUGINS": "gemini,scorers"})
    return done.returncode, done.stdout + done.stderr


def test_a_plan_over_the_limit_is_refused_with_the_numbers(suite: Path) -> None:
    code, message = _validate(str(suite), "--max-cost", "1")
    assert code == 2, message
    # 10 calls x 65,536 output tokens at $10 per million, plus 11 s of audio at 32 tokens a second.
    assert "$6.5581" in message and "10 calls" in message and "655,360 output tokens" in message
    assert "--max-cost $1" in message and "Traceback" not in message


def test_within_the_limit_validate_says_the_estimate(suite: Path) -> None:
    code, message = _validate(str(suite), "--max-cost", "10")
    assert code == 0, message
    assert "estimated cost at most $6.5581 of --max-cost $10" in message
    assert _validate(str(suite), "--max-cost", "1", "--repeat", "1")[0] == 0  # narrowed by the runner


def test_a_plan_that_cannot_be_priced_is_refused(tmp_path: Path) -> None:
    """The fake provider prices nothing: the limit cannot be checked, so the plan is refused."""
    (tmp_path / "plugins").mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "fakes.py", tmp_path / "plugins" / "fakes.py")
    path = tmp_path / "s.suite.yaml"
    path.write_text("name: s\nprovider: fake\nprompts: [{id: p, template: hi}]\ncases: [{id: a}]\n")
    done = harness_cli(
        "validate",
        str(path),
        "--plugins-dir",
        str(tmp_path / "plugins"),
        "--max-cost",
        "10",
        env={"HARNESS_LOAD_PLUGINS": ""},
    )
    assert done.returncode == 2 and "no price is known for fake-model (1 calls)" in done.stderr, done.stderr


def test_without_the_flag_no_limit_is_checked(suite: Path) -> None:
    # validate always prints the run's estimate (docs/suite-format.md); without --max-cost nothing is held to a
    # limit, and --no-estimate leaves the estimate out too.
    code, message = _validate(str(suite))
    assert code == 0 and "--max-cost" not in message, message
    code, message = _validate(str(suite), "--no-estimate")
    assert code == 0 and "estimate" not in message, message
