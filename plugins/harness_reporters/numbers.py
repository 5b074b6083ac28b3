"""Numbers as every report shows them, decided in one place.

A **notation** is fixed-point with a number of decimals, or scientific with a number of significant digits. It is
chosen from the largest magnitude among the values it will show, so:

- the three numbers of an interval share one notation (``-1.250e-6 [-3.450e-6, 9.450e-7]``, never
  ``-0.00000125 [-0.00000345, 9.45e-7]``), and the same decimals (``0.424 [-2.656, 3.505]``);
- a metric keeps one notation across a table (:func:`notation_for` over all the values of its column), so its
  column reads with the same digits in every row: four significant digits for the largest value (as many as
  the reasons' ``number_text`` gives, and the Open ASR Leaderboard's two decimals of a percentage).

Scientific notation is used below 0.001 and from ten million up. Lone values in sentences (reasons, score lines)
keep the core's ``number_text``; this module is for tables and intervals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from harness.api import SummaryRow

#: Significant digits of the largest value a notation shows (as many as the reasons give: ``number_text``).
SIGNIFICANT = 4
_SMALL, _LARGE = 1e-3, 1e7


@dataclass(frozen=True)
class Notation:
    """Fixed-point with ``decimals`` places, or (``decimals`` None) scientific with ``digits`` significant digits."""

    decimals: int | None
    digits: int = SIGNIFICANT

    def text(self, value: float | None, sign: bool = False) -> str:
        if value is None:
            return "-"
        if not math.isfinite(value):
            return str(value)
        if self.decimals is None:
            if value == 0:
                out = "0"
            else:
                mantissa, exponent = f"{value:.{self.digits - 1}e}".split("e")
                out = f"{mantissa}e{int(exponent)}"
        else:
            out = f"{value:.{self.decimals}f}"
            if float(out) == 0:
                out = out.lstrip("-")  # never "-0.000"
        return "+" + out if sign and value > 0 and float(out) != 0 else out

    def as_json(self) -> dict[str, int]:
        """What the HTML report's script needs to apply the same notation."""
        return {"digits": self.digits} if self.decimals is None else {"decimals": self.decimals}


def notation_for(values: Iterable[float | None], digits: int = SIGNIFICANT) -> Notation:
    """The notation that shows every one of ``values`` (None and non-finite ones are ignored)."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    magnitudes = [abs(v) for v in finite if v != 0]
    if not magnitudes:
        return Notation(0, digits)
    top = max(magnitudes)
    if top < _SMALL or top >= _LARGE:
        return Notation(None, digits)
    if all(float(v).is_integer() for v in finite):
        return Notation(0, digits)
    return Notation(max(0, digits - 1 - math.floor(math.log10(top))), digits)


def interval(
    estimate: float | None,
    low: float | None = None,
    high: float | None = None,
    notation: Notation | None = None,
    sign: bool = False,
) -> str:
    """``0.42 [-2.66, 3.50]``: the estimate and its bounds in one notation (``-`` for no estimate)."""
    if estimate is None:
        return "-"
    shown = notation or notation_for([estimate, low, high])
    text = shown.text(estimate, sign)
    if low is None or high is None:
        return text
    return f"{text} [{shown.text(low)}, {shown.text(high)}]"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def percent_interval(value: float | None, bounds: tuple[float, float] | None) -> str:
    """``85.7% [48.7%, 97.4%]``."""
    if value is None:
        return "-"
    return percent(value) + (f" [{percent(bounds[0])}, {percent(bounds[1])}]" if bounds is not None else "")


def usd(value: float | None, notation: Notation | None = None) -> str:
    """A cost in dollars with four significant digits (``$0.001569``, ``$1.570``, ``$1.200e-6``), or in the
    notation of its column."""
    if value is None:
        return "-"
    return "$" + (notation or notation_for([value])).text(value)


def milliseconds(value: float | None) -> str:
    """A latency: whole milliseconds, seconds with one decimal from 10 s up."""
    if value is None:
        return "-"
    return f"{value / 1000:.1f} s" if value >= 10_000 else f"{round(value)} ms"


def p_value(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def column_notations(values: Iterable[tuple[str, float | None]], digits: int = SIGNIFICANT) -> dict[str, Notation]:
    """One notation per key (a metric, a statistic) over every value shown under it."""
    grouped: dict[str, list[float | None]] = {}
    for key, value in values:
        grouped.setdefault(key, []).append(value)
    return {key: notation_for(found, digits) for key, found in grouped.items()}


def summary_notations(rows: Iterable[SummaryRow]) -> dict[str, Notation]:
    """Per metric (and per corpus figure, under its own name): the notation of its column in a summary table."""

    def values() -> Iterable[tuple[str, float | None]]:
        for row in rows:
            for metric in row.metrics:
                for value in (metric.mean, metric.ci_low, metric.ci_high):
                    yield metric.metric, value
                if metric.corpus is not None:
                    corpus = metric.corpus
                    for value in (corpus.value, corpus.ci_low, corpus.ci_high):
                        yield corpus.name, value

    return column_notations(values())
