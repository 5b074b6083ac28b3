"""Limits set by whoever runs the command, never by the suite: how many trials, how long a prompt, what cost.

Suites are untrusted (they arrive in pull requests and run with a paid key), so a suite cannot raise these:
they come from the command line (``--max-trials``, ``--max-prompt-chars``, ``--max-cost``) with the defaults
below, and a suite that goes past one is refused before any call, at validate time, with the numbers
(docs/security.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UserError

#: Trials one suite may plan (cases x prompts x models x configs x repeats) unless --max-trials says more.
DEFAULT_MAX_TRIALS = 2_000
#: Characters of text one request may send (system instruction and every user turn) unless --max-prompt-chars
#: says more: about 250,000 tokens.
DEFAULT_MAX_PROMPT_CHARS = 1_000_000


@dataclass(frozen=True)
class Caps:
    max_trials: int = DEFAULT_MAX_TRIALS
    max_prompt_chars: int = DEFAULT_MAX_PROMPT_CHARS
    #: USD the plan's estimated cost may reach (None: no limit).
    max_cost_usd: float | None = None

    def check_grid(self, sizes: Iterable[int], file: Path, line: int | None) -> None:
        """A config grid's combinations are trials too: refuse a grid bigger than the run allows before it is built."""
        values = list(sizes)
        combinations = math.prod(values)
        if combinations > self.max_trials:
            shape = " x ".join(str(v) for v in values)
            raise UserError(
                f"the config grid has {combinations:,} combinations ({shape}), more than the "
                f"{self.max_trials:,} trials this run allows",
                file=file,
                line=line,
                hint="shrink matrix.config, or pass --max-trials N if you mean it",
            )

    def check_trials(self, count: int, breakdown: str, file: Path) -> None:
        if count > self.max_trials:
            raise UserError(
                f"the suite plans {count:,} trials ({breakdown}), more than the {self.max_trials:,} this run allows",
                file=file,
                hint="narrow it with --filter or --repeat, or pass --max-trials N if you mean it",
            )

    def check_prompt(self, chars: int, what: str, file: Path, line: int | None) -> None:
        if chars > self.max_prompt_chars:
            raise UserError(
                f"{what} sends {chars:,} characters of text, more than the {self.max_prompt_chars:,} this run allows",
                file=file,
                line=line,
                hint="pass --max-prompt-chars N if you mean it",
            )

    def check_cost(self, usd: float, breakdown: str, file: Path) -> None:
        if self.max_cost_usd is not None and usd > self.max_cost_usd:
            raise UserError(
                f"the suite's estimated cost is ${usd:,.4f} ({breakdown}), more than --max-cost ${self.max_cost_usd:g}",
                file=file,
                hint="narrow the run with --filter, --repeat or --model, or raise --max-cost",
            )
