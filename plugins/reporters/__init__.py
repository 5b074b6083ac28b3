"""Built-in report formats: html, json, junit, markdown and csv (one module per format)."""

from __future__ import annotations

from collections.abc import Callable

from harness import hookimpl
from plugins.reporters.csv_report import CsvReporter
from plugins.reporters.html import HtmlReporter
from plugins.reporters.json_report import JsonReporter
from plugins.reporters.junit import JunitReporter
from plugins.reporters.markdown import MarkdownReporter

REPORTERS = (HtmlReporter, JsonReporter, JunitReporter, MarkdownReporter, CsvReporter)


@hookimpl
def register_reporters(register: Callable[..., None]) -> None:
    for cls in REPORTERS:
        register(cls)


__all__ = ["REPORTERS", "CsvReporter", "HtmlReporter", "JsonReporter", "JunitReporter", "MarkdownReporter"]
