"""A corpus of hostile suites (beside the broken-suite corpus): each must be refused by ``harness validate``
with exit 2, one message naming file:line, no traceback, in well under a second or two and without
allocating what the suite asked for.

In each suite text, the line carrying ``#!`` is where the refusal must be reported (without one: the suite
file, or the extra file the trouble is in). The findings are those of the attack pass in the security issue (docs/security.md).
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from pathlib import Path

import pytest
from clirun import harness_cli

ROOT = Path(__file__).resolve().parents[2]

HEAD = """name: hostile
provider: fake
prompts:
  - id: p
    template: "Say {{ word }}"
"""


def _template(expression: str) -> str:
    return f'name: hostile\nprovider: fake\nprompts:\n  - id: p\n    template: "{expression}" #!\ncases:\n  - vars: {{word: x}}\n'


BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)

#: (name, suite text, extra files, extra arguments, what the message must say)
CORPUS: list[tuple[str, str, dict[str, str], list[str], str]] = [
    ("template-repeat-1gb", _template("{{ 'a' * 10**9 }}"), {}, [], "1,000,000,000 characters"),
    ("template-repeat-20gb", _template("{{ 'ab' * 10**10 }}"), {}, [], "20,000,000,000 characters"),
    ("template-lipsum", _template("{{ lipsum(n=3000000) }}"), {}, [], "'lipsum' is undefined"),
    (
        "template-nested-loops",
        _template("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"),
        {},
        [],
        "iterations",
    ),
    ("template-config-update", _template("{{ config.update({'temperature': 2}) }}"), {}, [], "unsafe"),
    (
        "template-doubling",
        _template("{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"),
        {},
        [],
        "characters",
    ),
    ("template-ljust", _template("{{ 'x'.ljust(10**10) }}"), {}, [], "characters"),
    ("template-width", _template("{{ '%0999999999d' % 1 }}"), {}, [], "characters"),
    ("template-format-width", _template("{{ '{:>999999999}'.format(1) }}"), {}, [], "1,000,000,013 characters"),
    (
        "template-macro-buffer",
        _template("{% macro m() %}{% for i in range(2000) %}{{ word * 9000000 }}{% endfor %}{% endmacro %}{{ m() }}"),
        {},
        [],
        "characters",
    ),
    ("template-recursion", _template("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"), {}, [], "too deep"),
    ("yaml-alias-bomb", HEAD + BOMB.replace("i: &i", "i: &i") + "cases:\n  - vars: {word: *i}\n", {}, [], "expands to"),
    (
        "yaml-self-alias",
        HEAD + "cases:\n  - vars: &v {word: x, again: *v} #!\n",
        {},
        [],
        "refers to a node that contains it",
    ),
    (
        "vars-too-deep",
        HEAD + "cases:\n  - vars:\n      word: x\n      deep: " + "[" * 300 + "]" * 300 + " #!\n",
        {},
        [],
        "nested deeper than",
    ),
    ("vars-date", HEAD + "cases:\n  - vars: {word: x, when: 2024-01-01} #!\n", {}, [], "quote it"),
    ("vars-binary", HEAD + "cases:\n  - vars: {word: x, blob: !!binary aGVsbG8=} #!\n", {}, [], "binary"),
    ("vars-nan", HEAD + "cases:\n  - vars: {word: x, n: .nan} #!\n", {}, [], "cannot be stored"),
    (
        "jsonl-too-deep",
        HEAD + "cases:\n  - rows.jsonl\n",
        {"rows.jsonl": '{"vars": {"word": "x", "deep": ' + "[" * 100 + "]" * 100 + "}}\n"},
        [],
        "nested deeper than",
    ),
    (
        "suite-file-too-big",
        HEAD + "cases: [{vars: {word: x}}]\n" + "#" * 10_000_001 + "\n",
        {},
        [],
        "at most 10,000,000",
    ),
    (
        "template-file-too-big",
        "name: hostile\nprovider: fake\nprompts: [{id: p, file: big.txt}]\ncases: [{vars: {word: x}}]\n",
        {"big.txt": "x" * 10_000_001},
        [],
        "template files may have at most",
    ),
    (
        "a-million-trials",
        "name: hostile\nprovider: fake\nmatrix:\n  config: {temperature: ["
        + ", ".join(str(i / 100) for i in range(100))
        + "], seed: ["
        + ", ".join(str(i) for i in range(100))
        + "]} #!\nrepeat: 100\nprompts: [{id: p, template: hi}]\ncases: [{id: a}]\n",
        {},
        [],
        "10,000 combinations",
    ),
    (
        "too-many-trials",
        HEAD
        + "repeat: 1000\ncases:\n  - {id: a, vars: {word: x}}\n  - {id: b, vars: {word: y}}\n  - {id: c, vars: {word: z}}\n",
        {},
        [],
        "plans 3,000 trials",
    ),
    (
        "prompt-too-long",
        HEAD.replace("Say {{ word }}", "{{ word * 300000 }}") + "cases:\n  - id: long #!\n    vars: {word: abcd}\n",
        {},
        [],
        "sends 1,200,000 characters",
    ),
]


@pytest.fixture(scope="module")
def plugins_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plugins")
    shutil.copy(ROOT / "tests" / "fakes.py", folder / "fakes.py")
    return folder


def _expected_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if "#!" in line:
            return number
    return None


@pytest.mark.parametrize(("name", "suite", "files", "args", "needle"), CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_suite_is_refused(
    tmp_path: Path, plugins_dir: Path, name: str, suite: str, files: dict[str, str], args: list[str], needle: str
) -> None:
    folder = tmp_path / "suites"
    folder.mkdir()
    path = folder / "hostile.suite.yaml"
    path.write_text(suite.replace(" #!", ""), encoding="utf-8")
    for file_name, content in files.items():
        (folder / file_name).write_text(content, encoding="utf-8")
    tracemalloc.start()
    started = time.monotonic()
    try:
        done = harness_cli(
            "validate", str(path), "--plugins-dir", str(plugins_dir), *args, env={"HARNESS_LOAD_PLUGINS": ""}
        )
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = done.stderr + done.stdout
    assert done.returncode == 2, message
    assert "Traceback" not in message
    assert needle in message, message
    line = _expected_line(suite)
    # No #! marker: the refusal names the suite file, or the extra file the trouble is in.
    where = f"{path}:{line}:" if line else f"{folder / next(iter(files))}:" if files else f"{path}"
    assert where in message, message
    assert message.count(": error: ") == 1, message
    assert elapsed < 3.0, f"{name} took {elapsed:.1f} s"
    assert peak < 200_000_000, f"{name} allocated {peak / 1e6:.0f} MB"


def test_the_limits_are_the_runners_to_raise(tmp_path: Path, plugins_dir: Path) -> None:
    """The same suite passes when whoever runs the command allows it, and a suite cannot allow itself."""
    path = tmp_path / "many.suite.yaml"
    path.write_text(
        HEAD
        + "repeat: 1000\ncases:\n  - {id: a, vars: {word: x}}\n  - {id: b, vars: {word: y}}\n  - {id: c, vars: {word: z}}\n"
    )
    env = {"HARNESS_LOAD_PLUGINS": ""}
    refused = harness_cli("validate", str(path), "--plugins-dir", str(plugins_dir), env=env)
    assert refused.returncode == 2 and "--max-trials" in refused.stderr
    allowed = harness_cli("validate", str(path), "--plugins-dir", str(plugins_dir), "--max-trials", "3000", env=env)
    assert allowed.returncode == 0, allowed.stderr
    assert "3000 trials" in allowed.stdout
    lowered = harness_cli("validate", str(path), "--plugins-dir", str(plugins_dir), "--repeat", "5", env=env)
    assert lowered.returncode == 0, lowered.stderr
