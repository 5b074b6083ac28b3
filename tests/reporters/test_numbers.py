"""One formatter for every report: an interval's numbers share a notation, a metric's column shares its digits."""

from __future__ import annotations

from harness_reporters.numbers import Notation, interval, notation_for, percent_interval, usd


def test_an_interval_never_mixes_notations() -> None:
    assert interval(-0.00000125, -0.00000345, 9.45e-7) == "-1.250e-6 [-3.450e-6, 9.450e-7]"
    assert interval(0.4242, -2.656, 3.505) == "0.424 [-2.656, 3.505]"
    assert interval(0.0123, -0.034, 0.0094, sign=True) == "+0.01230 [-0.03400, 0.00940]"
    assert interval(12_345_678.0, 1.0, 2.0e7) == "1.235e7 [1.000e0, 2.000e7]"
    assert interval(None) == "-" and interval(0.5) == "0.5000"
    assert (
        interval(-0.00000125, -0.00000345, 9.45e-7, notation_for([3.45e-6], digits=3)) == "-1.25e-6 [-3.45e-6, 9.45e-7]"
    )


def test_a_column_notation_follows_its_largest_value() -> None:
    column = notation_for([0.21, 0.1, 0.32, 0.05])
    assert column == Notation(4) and [column.text(v) for v in (0.21, 0.05)] == ["0.2100", "0.0500"]
    assert (
        notation_for([0.16115702479338842, 0.13, 0.19]).text(0.16115702479338842) == "0.1612"
    )  # the leaderboard's 16.12
    assert notation_for([812.0, 1200.0]) == Notation(0)  # whole numbers stay whole
    assert notation_for([2e-6, 3e-6]).decimals is None
    assert Notation(3).text(-0.0001) == "0.000"  # never "-0.000"


def test_rates_and_costs() -> None:
    assert percent_interval(0.857, (0.487, 0.974)) == "85.7% [48.7%, 97.4%]"
    assert usd(0.00157) == "$0.001570" and usd(0.0000012) == "$1.200e-6" and usd(None) == "-"
