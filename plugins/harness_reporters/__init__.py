"""Built-in report formats: html, junit (and junit-strict), markdown and csv (one module per format).

results.json itself is the core's run log, always written (``--format json`` names it). The hook imports the
reporters when called, so loading the plugin costs nothing until a report is written.
"""

from __future__ import annotations

from harness.api import Register, hookimpl


@hookimpl
def register_reporters(register: Register) -> None:
    from harness_reporters.csv_report import CsvReporter
    from harness_reporters.html import HtmlReporter
    from harness_reporters.junit import JunitReporter, StrictJunitReporter
    from harness_reporters.markdown import MarkdownReporter

    for cls in (HtmlReporter, JunitReporter, StrictJunitReporter, MarkdownReporter, CsvReporter):
        register(cls)
