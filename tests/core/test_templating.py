from __future__ import annotations

import pytest

from harness.suite.templating import Template, TemplateError, mmss, seconds

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ namespace.__init__.__globals__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ (1).__class__.__base__ }}",
    "{{ config.__class__ }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_sandbox_refuses_escapes(source: str) -> None:
    with pytest.raises(TemplateError) as info:
        Template(source).render({"config": {}})
    assert "sandbox" in info.value.message or "undefined" in info.value.message or "no attribute" in info.value.message


def test_strict_undefined_names_known_variables() -> None:
    with pytest.raises(TemplateError, match=r"'nme' is undefined \(variables: name\)"):
        Template("hi {{ nme }}").render({"name": "x"})


def test_error_line_inside_template() -> None:
    with pytest.raises(TemplateError) as info:
        Template("one\ntwo\n{{ missing }}").render({})
    assert info.value.line == 3


def test_mmss_and_seconds() -> None:
    assert mmss(0) == "00:00"
    assert mmss(75) == "01:15"
    assert mmss(3599.6) == "1:00:00"
    assert mmss(3725) == "1:02:05"
    assert seconds("01:15") == 75
    assert seconds("1:02:05") == 3725
    assert seconds("75s") == seconds(75) == 75 and seconds("1.5s") == 1.5  # protobuf Duration strings
    for bad in ("soon", "1:2:3:4", "nan", True):
        with pytest.raises(ValueError, match="not a timestamp"):
            seconds(bad)
    assert Template("from {{ 30|mmss }} to {{ '01:30'|seconds|int }}").render({}) == "from 00:30 to 90"


def test_literal_braces() -> None:
    assert Template("{{ '{{' }}name}}").render({}) == "{{name}}"
    assert Template('{% raw %}{"a": "{{b}}"}{% endraw %}').render({}) == '{"a": "{{b}}"}'


def test_rendering_is_deterministic() -> None:
    t = Template("{% for k, v in d|dictsort %}{{ k }}={{ v }};{% endfor %}{{ d|tojson }}")
    values = {"d": {"b": 2, "a": 1, "c": [1, 2]}}
    assert len({t.render(values) for _ in range(20)}) == 1
