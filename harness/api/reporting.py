"""The reporter interface: what a report-format plugin implements."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from harness.log.results import RunResults


@dataclass
class ReportContext:
    """What a reporter gets besides the results."""

    out_dir: Path
    #: The baseline run to compare against, when the user gave one.
    baseline: RunResults | None = None


class Reporter(abc.ABC):
    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: The file the reporter writes inside the output folder, e.g. "report.html".
    filename: ClassVar[str]

    @abc.abstractmethod
    def write(self, results: RunResults, ctx: ReportContext) -> Path:
        """Write the report of one suite's run into ``ctx.out_dir`` and return the path written."""

    def write_combined(self, runs: list[RunResults], out_dir: Path) -> Path | None:
        """Write one file covering every suite of a command into ``out_dir`` (e.g. a summary for a CI step), or
        return None when the format has none (the default)."""
        return None
