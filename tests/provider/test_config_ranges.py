"""Generation-config fields are named exactly and checked against the Gemini API's documented ranges."""

from __future__ import annotations

import pytest

from harness_gemini.config_check import check_config


@pytest.mark.parametrize(
    ("config", "path", "needle"),
    [
        ({"temperature": 5}, ("temperature",), "allows 0 to 2"),
        ({"temperature": -0.1}, ("temperature",), "allows 0 to 2"),
        ({"top_p": 1.5}, ("top_p",), "allows 0 to 1"),
        ({"top_k": 0}, ("top_k",), "at least 1"),
        ({"candidate_count": 9}, ("candidate_count",), "allows 1 to 8"),
        ({"max_output_tokens": 0}, ("max_output_tokens",), "at least 1"),
        ({"presence_penalty": 2.0}, ("presence_penalty",), "-2 to below 2"),
        ({"logprobs": 3}, ("logprobs",), "needs 'response_logprobs: true'"),
        ({"logprobs": 30, "response_logprobs": True}, ("logprobs",), "0 to 20"),
        ({"thinking_config": {"thinking_budget": -5}}, ("thinking_config", "thinking_budget"), "-1 to 32768"),
        ({"temperature": "hot"}, ("temperature",), "valid number"),
    ],
)
def test_a_bad_value_names_its_field_and_the_allowed_range(config: dict, path: tuple, needle: str) -> None:
    problems = check_config(config)
    assert [p for p, _ in problems] == [path], problems
    assert needle in problems[0][1]


def test_good_values_and_bounds_pass() -> None:
    assert check_config({"temperature": 0, "top_p": 1.0, "top_k": 40, "candidate_count": 1}) == []
    assert check_config({"temperature": 2.0, "thinking_config": {"thinking_budget": -1}}) == []


def test_an_unknown_field_does_not_hide_the_others() -> None:
    problems = check_config({"temprature": 1, "top_p": 7})
    assert {p for p, _ in problems} == {("temprature",), ("top_p",)}
