"""A corpus of broken suites: each must give exit 2, one message naming the right file:line, no traceback.

In each suite text, the line carrying ``#!`` is where the error must be reported. Extra files are
written beside the suite; when the error is in one of them, ``where`` names it and its line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clirun import harness_cli

ROOT = Path(__file__).resolve().parents[2]

OK_HEAD = """name: broken
provider: fake
prompts:
  - id: p
    template: "Say {{ word }}"
"""

CASES: list[tuple[str, str, dict[str, str], tuple[str, int] | None, str]] = [
    (
        "yaml-indent",
        "name: x\nprompts:\n  - id: p\n   template: bad #!\ncases: []\n",
        {},
        None,
        "YAML syntax error",
    ),
    ("yaml-tab", "name: x\ncases:\n\t- id: a #!\n", {}, None, "YAML syntax error"),
    ("yaml-unclosed-quote", 'name: "x #!\ncases: []\n', {}, None, "YAML syntax error"),
    ("not-a-mapping", "- just\n- a list\n", {}, ("suite", 1), "must be a YAML mapping"),
    (
        "duplicate-key",
        OK_HEAD + "cases:\n  - id: a\n    vars: {word: x}\n    vars: {word: y} #!\n",
        {},
        None,
        "duplicate key 'vars'",
    ),
    (
        "unknown-top-key",
        OK_HEAD + "repeats: 3 #!\ncases:\n  - vars: {word: x}\n",
        {},
        None,
        "did you mean 'repeat'",
    ),
    (
        "unknown-case-key",
        OK_HEAD + "cases:\n  - id: a\n    varz: {word: x} #!\n",
        {},
        None,
        "did you mean 'vars'",
    ),
    (
        "unknown-defaults-key",
        OK_HEAD + "defaults:\n  modle: m #!\ncases:\n  - vars: {word: x}\n",
        {},
        None,
        "did you mean 'model'",
    ),
    (
        "unknown-prompt-key",
        "name: b\nprovider: fake\nprompts:\n  - id: p\n    templat: hi #!\ncases:\n  - vars: {}\n",
        {},
        None,
        "did you mean 'template'",
    ),
    (
        "unknown-matrix-key",
        OK_HEAD + "matrix:\n  model: [a] #!\ncases:\n  - vars: {word: x}\n",
        {},
        None,
        "did you mean 'models'",
    ),
    (
        "wrong-type-repeat",
        OK_HEAD + "repeat: lots #!\ncases:\n  - vars: {word: x}\n",
        {},
        None,
        "valid integer",
    ),
    (
        "repeat-zero",
        OK_HEAD + "repeat: 0 #!\ncases:\n  - vars: {word: x}\n",
        {},
        None,
        "greater than or equal to 1",
    ),
    (
        "wrong-type-tags",
        OK_HEAD + "cases:\n  - id: a\n    tags: {a: 1} #!\n    vars: {word: x}\n",
        {},
        None,
        "tags",
    ),
    (
        "missing-name",
        "provider: fake #!\nprompts: [{id: p, template: hi}]\ncases: [{vars: {}}]\n",
        {},
        ("suite", 1),
        "missing required key 'name'",
    ),
    (
        "missing-cases",
        "name: x #!\nprovider: fake\nprompts: [{id: p, template: hi}]\n",
        {},
        ("suite", 1),
        "missing required key 'cases'",
    ),
    (
        "prompt-both-sources",
        "name: b\nprovider: fake\nprompts:\n  - id: p #!\n    template: hi\n    file: x.j2\ncases: [{vars: {}}]\n",
        {},
        None,
        "exactly one of 'template' or 'file'",
    ),
    (
        "prompt-file-missing",
        "name: b\nprovider: fake\nprompts:\n  - id: p\n    file: nope.j2 #!\ncases: [{vars: {}}]\n",
        {},
        None,
        "template file not found",
    ),
    (
        "media-missing",
        OK_HEAD + "cases:\n  - vars: {word: x}\n    media: [audio/none.wav] #!\n",
        {},
        None,
        "media file not found",
    ),
    (
        "media-escape",
        OK_HEAD + "cases:\n  - vars: {word: x}\n    media: [../../etc/passwd] #!\n",
        {},
        None,
        "outside the suite's folder",
    ),
    ("cases-file-missing", OK_HEAD + "cases:\n  - more.csv #!\n", {}, None, "cases file not found"),
    (
        "undefined-var",
        OK_HEAD + "cases:\n  - id: a\n    vars: {wrd: x}\n",
        {},
        ("suite", 5),
        "'word' is undefined",
    ),
    (
        "undefined-var-block",
        "name: b\nprovider: fake\nprompts:\n  - id: p\n    template: |\n      line one\n      {{ nope }} #!\ncases: [{vars: {}}]\n",
        {},
        None,
        "'nope' is undefined",
    ),
    (
        "sandbox-mro",
        "name: b\nprovider: fake\nprompts:\n  - id: p\n    template: \"{{ ''.__class__.__mro__ }}\" #!\ncases: [{vars: {}}]\n",
        {},
        None,
        "sandbox",
    ),
    (
        "sandbox-globals",
        'name: b\nprovider: fake\nprompts:\n  - id: p\n    template: "{{ cycler.__init__.__globals__ }}" #!\ncases: [{vars: {}}]\n',
        {},
        None,
        "sandbox",
    ),
    (
        "template-syntax",
        'name: b\nprovider: fake\nprompts:\n  - id: p\n    template: "{{ word " #!\ncases: [{vars: {word: x}}]\n',
        {},
        None,
        "template syntax error",
    ),
    (
        "template-file-undefined",
        "name: b\nprovider: fake\nprompts:\n  - id: p\n    file: t.j2\ncases: [{vars: {}}]\n",
        {"t.j2": "hello\n{{ missing }}\n"},
        ("t.j2", 2),
        "'missing' is undefined",
    ),
    (
        "unknown-scorer",
        OK_HEAD + "scorers:\n  - type: hass #!\ncases:\n  - vars: {word: x}\n",
        {},
        None,
        "did you mean 'has'",
    ),
    (
        "unknown-scorer-short",
        OK_HEAD + "cases:\n  - vars: {word: x}\n    expect:\n      - lenght: {max: 3} #!\n",
        {},
        None,
        "did you mean 'length'",
    ),
    (
        "scorer-bad-option",
        OK_HEAD + "cases:\n  - vars: {word: x}\n    expect:\n      - length:\n          maxx: 3 #!\n",
        {},
        None,
        "unknown key 'maxx'",
    ),
    (
        "scorer-wrong-type",
        OK_HEAD + "cases:\n  - vars: {word: x}\n    expect:\n      - length: {max: many} #!\n",
        {},
        None,
        "valid integer",
    ),
    (
        "scorer-no-shorthand",
        OK_HEAD + "cases:\n  - vars: {word: x}\n    expect:\n      - length: 3 #!\n",
        {},
        None,
        "needs a mapping of options",
    ),
    (
        "scorer-bad-weight",
        OK_HEAD + "scorers:\n  - type: has\n    value: x\n    weight: -1 #!\ncases:\n  - vars: {word: x}\n",
        {},
        None,
        "'weight' must be a number",
    ),
    (
        "scorer-template-undefined",
        OK_HEAD + 'scorers:\n  - has: "{{ expected }}" #!\ncases:\n  - vars: {word: x}\n',
        {},
        None,
        "'expected' is undefined",
    ),
    (
        "unknown-provider",
        "name: b\nprovider: gemeni #!\nprompts: [{id: p, template: hi}]\ncases: [{vars: {}}]\n",
        {},
        None,
        "unknown provider 'gemeni'",
    ),
    (
        "bad-config-key",
        OK_HEAD + "defaults:\n  config:\n    temprature: 0 #!\ncases:\n  - vars: {word: x}\n",
        {},
        None,
        "unknown config field",
    ),
    (
        "bad-provider-option",
        OK_HEAD + "provider_options:\n  colour: red #!\ncases:\n  - vars: {word: x}\n",
        {},
        None,
        "unknown provider option",
    ),
    (
        "duplicate-case-id",
        OK_HEAD + "cases:\n  - id: a\n    vars: {word: x}\n  - id: a #!\n    vars: {word: y}\n",
        {},
        None,
        "duplicate case id 'a'",
    ),
    (
        "duplicate-prompt-id",
        "name: b\nprovider: fake\nprompts:\n  - id: p\n    template: a\n  - id: p #!\n    template: b\ncases: [{vars: {}}]\n",
        {},
        None,
        "duplicate prompt id",
    ),
    (
        "unknown-prompt-ref",
        OK_HEAD + "cases:\n  - id: a\n    vars: {word: x}\n    prompts: [q] #!\n",
        {},
        None,
        "unknown prompt id 'q'",
    ),
    (
        "nothing-to-send",
        "name: b\nprovider: fake\ncases:\n  - id: a #!\n    vars: {}\n",
        {},
        None,
        "has nothing to send",
    ),
    ("empty-turns", OK_HEAD + "cases:\n  - id: a #!\n    turns: []\n", {}, None, "at least one turn"),
    (
        "matrix-empty-values",
        OK_HEAD + "matrix:\n  config: #!\n    temperature: []\ncases:\n  - vars: {word: x}\n",
        {},
        None,
        "at least one value",
    ),
    (
        "csv-bad-row",
        OK_HEAD + "cases:\n  - rows.csv\n",
        {"rows.csv": "id,word\na,x\nb,y,extra\n"},
        ("rows.csv", 3),
        "more cells",
    ),
    (
        "csv-short-row",
        OK_HEAD + "cases:\n  - rows.csv\n",
        {"rows.csv": "id,word\na,x\nb\nc,z\n"},
        ("rows.csv", 3),
        "row has 1 cell but the header has 2 columns",
    ),
    (
        "csv-open-quote",
        OK_HEAD + "cases:\n  - rows.csv\n",
        {"rows.csv": 'id,word\na,x\nb,"never closed\nc,z\n'},
        ("rows.csv", 3),
        "unexpected end of data",
    ),
    (
        "jsonl-bad-json",
        OK_HEAD + "cases:\n  - rows.jsonl\n",
        {"rows.jsonl": '{"id": "a", "vars": {"word": "x"}}\n{"id": "b", vars}\n'},
        ("rows.jsonl", 2),
        "invalid JSON",
    ),
    (
        "jsonl-unknown-key",
        OK_HEAD + "cases:\n  - rows.jsonl\n",
        {"rows.jsonl": '{"id": "a", "vars": {"word": "x"}}\n{"id": "b", "vras": {}}\n'},
        ("rows.jsonl", 2),
        "did you mean 'vars'",
    ),
    (
        "yaml-cases-unknown-key",
        OK_HEAD + "cases:\n  - more.yaml\n",
        {"more.yaml": "- id: a\n  vars: {word: x}\n- id: b\n  tgas: [x]\n"},
        ("more.yaml", 4),
        "did you mean 'tags'",
    ),
    (
        "cases-file-type",
        OK_HEAD + "cases:\n  - rows.txt\n",
        {"rows.txt": "a\n"},
        ("rows.txt", 0),
        "unknown cases file type",
    ),
]


def _expected_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if "#!" in line:
            return number
    raise AssertionError("no #! marker")


@pytest.fixture(scope="module")
def plugins_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plugins")
    shutil.copy(ROOT / "tests" / "fakes.py", folder / "fakes.py")
    return folder


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(("name", "suite", "files", "where", "needle"), CASES, ids=[c[0] for c in CASES])
def test_broken_suite(
    tmp_path: Path,
    plugins_dir: Path,
    name: str,
    suite: str,
    files: dict[str, str],
    where: tuple[str, int] | None,
    needle: str,
) -> None:
    folder = tmp_path / "suites"
    folder.mkdir()
    path = folder / "broken.suite.yaml"
    path.write_text(suite.replace(" #!", ""), encoding="utf-8")
    for file_name, content in files.items():
        (folder / file_name).write_text(content, encoding="utf-8")
    done = harness_cli("validate", str(path), "--plugins-dir", str(plugins_dir), env={"HARNESS_LOAD_PLUGINS": ""})
    message = done.stderr + done.stdout
    assert done.returncode == 2, message
    assert "Traceback" not in message
    assert needle in message, message
    if where is None:
        location = f"{path}:{_expected_line(suite)}:"
    elif where[0] == "suite":
        location = f"{path}:{where[1]}:"
    else:
        target = folder / where[0]
        location = f"{target}:{where[1]}:" if where[1] else f"{target}:"
    assert location in message, message
    assert message.count(": error: ") + message.startswith("error: ") == 1, message
