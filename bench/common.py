"""Shared helpers for benchmarks: machine facts, medians, and writing a section of docs/benchmarks.md."""

from __future__ import annotations

import datetime as _dt
import html
import os
import platform
import re
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "Written by `make bench` (each section by one script in `bench/`). Figures are medians of several runs;\n"
    "ratios compare against a reference measured in the same run on the same machine.\n"
)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def median(values: list[float]) -> float:
    return statistics.median(values)


def write_section(name: str, command: str, body: str) -> None:
    """Replace (or append) the section ``name`` of docs/benchmarks.md."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"<!-- bench:{name} -->\n## {name}\n\n"
        f"- machine: {machine()}\n- date: {stamp}\n- command: `{command}`\n\n{body.strip()}\n"
        f"<!-- /bench:{name} -->\n"
    )
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->\n", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")


def static_table(trials: Iterable[Any], path: Path, tail: str = "") -> Path:
    """The reference the report and viewer benchmarks load: a plain HTML table of the trials (case, model, config,
    repeat, verdict, answer), laid out all at once; ``tail`` is appended (a script that marks the page ready)."""
    rows = []
    for t in trials:
        verdict = "error" if t.status == "error" else "pass" if t.passed else "fail"
        answer = t.output.text if t.output and t.output.text else ""
        cells = (t.case_id, t.model, t.config_id, str(t.repeat), verdict, answer)
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    path.write_text(
        "<!doctype html><meta charset=utf-8><title>table</title><table id=trials><tbody>"
        "<tr><th>case<th>model<th>config<th>repeat<th>verdict<th>answer</tr>"
        + "".join(rows)
        + "</tbody></table>"
        + tail,
        encoding="utf-8",
    )
    return path
