"""The example suites in suites/ validate, and run end to end on the emulator with real answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from clirun import Done, harness_cli

ROOT = Path(__file__).resolve().parent.parent
SUITES = sorted((ROOT / "suites").glob("*.suite.yaml"))


def harness(*args: str, cwd: Path = ROOT) -> Done:
    return harness_cli(*args, cwd=cwd)


def test_there_are_example_suites_for_each_capability() -> None:
    names = {p.name.removesuffix(".suite.yaml") for p in SUITES}
    assert names >= {
        "transcription",
        "segment",
        "describe",
        "temperature",
        "streaming",
        "chat",
        "structured",
        "budget",
        "video",
        "documents",
    }


@pytest.mark.parametrize("suite", SUITES, ids=[p.name for p in SUITES])
def test_example_suite_validates(suite: Path) -> None:
    done = harness("validate", str(suite))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok:")


def _hypotheses() -> dict[str, str]:
    """The real pocketsphinx outputs listed in suites/media/audio/SOURCES.md."""
    text = (ROOT / "suites" / "media" / "audio" / "SOURCES.md").read_text()
    section = text.split("## Real recogniser output", 1)[1]
    return dict(re.findall(r"^\| (\S+\.\w+) \| ([^|]+?) \|$", section, re.M))


@pytest.mark.slow
def test_demo_suites_give_real_transcripts_and_wer(example_runs: Path) -> None:
    results = json.loads((example_runs / "transcription" / "results.json").read_text())
    expected = _hypotheses()
    seen = 0
    for trial in results["trials"]:
        source = Path(trial["request"]["media"][0]).name
        assert trial["output"]["text"] == expected[source], source
        wer = next(s for s in trial["scores"] if s["metric"] == "wer")
        assert 0 <= wer["value"] < 1 and wer["details"]["hypothesis"]
        assert trial["output"]["usage"]["prompt_by_modality"]["AUDIO"] > 0
        seen += 1
    assert seen == 12
    chat = json.loads((example_runs / "chat" / "results.json").read_text())["trials"][0]
    assert chat["passed"] is True and len(chat["turns"]) == 2
    structured = json.loads((example_runs / "structured" / "results.json").read_text())["trials"]
    assert all(t["passed"] for t in structured)
    assert isinstance(structured[0]["output"]["parsed"], list)
    judged = json.loads((example_runs / "describe" / "results.json").read_text())["trials"]
    verdicts = [s for t in judged for s in t["scores"] if s["scorer"] == "judge"]
    assert verdicts and verdicts[0]["passed"] is True and verdicts[0]["details"]["reasoning"]
    assert (example_runs / "transcription" / "report.html").stat().st_size > 10_000


def test_documented_suite_example_is_a_valid_suite() -> None:
    from harness.suite.model import Suite

    doc = (ROOT / "docs" / "suite-format.md").read_text()
    block = doc.split("```yaml", 1)[1].split("```", 1)[0]
    suite = Suite.model_validate(yaml.safe_load(block))
    assert suite.repeat == 3 and len(suite.prompts) == 2


def test_readme_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make demo") < 600 and "make test" in readme[:800]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_readme_plugin_example_loads_and_scores(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    code = readme.split("```python", 1)[1].split("```", 1)[0]
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "shout.py").write_text(code)
    suite = tmp_path / "s.suite.yaml"
    suite.write_text("name: s\nprompts: [{id: p, template: hi}]\ncases:\n  - expect: [{shout: {min_ratio: 0.9}}]\n")
    listed = harness("plugins", "--json", "--plugins-dir", str(plugins))
    assert listed.returncode == 0 and '"name": "shout"' in listed.stdout
    done = harness("validate", str(suite), "--plugins-dir", str(plugins))
    assert done.returncode == 0, done.stderr
    bad = tmp_path / "bad.suite.yaml"
    bad.write_text("name: s\nprompts: [{id: p, template: hi}]\ncases:\n  - expect: [{shout: {min_ration: 0.9}}]\n")
    done = harness("validate", str(bad), "--plugins-dir", str(plugins))
    assert done.returncode == 2 and "did you mean 'min_ratio'" in done.stderr


def test_the_terminal_summary_shows_categorical_metrics_by_class(example_runs: Path) -> None:
    """finish_reason has no mean: the terminal shows its answers per class, as the reports do (never "=-")."""
    from rich.console import Console

    from harness.cli.console import summary_table
    from harness.log.results import RunResults

    results = RunResults.read(example_runs / "streaming" / "results.json")
    console = Console(width=200, record=True)
    console.print(summary_table(results))
    text = console.export_text()
    assert "finish_reason: STOP 2" in text and "finish_reason=-" not in text, text
