"""The viewer's server: loopback only, read-only, its own Host only, a strict CSP; and its JSON comes from the
core's verdicts and comparison."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness.api import RunBrowser


def _get(url: str, host: str | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_loopback_read_only_and_strict(viewer: str) -> None:
    assert viewer.startswith("http://127.0.0.1:")
    status, headers, _ = _get(viewer)
    assert status == 200
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert _get(viewer + "api/suites", host="attacker.example")[0] == 403  # DNS rebinding
    assert _get(viewer + "api/suites", method="POST")[0] == 405


def test_compare_is_the_cores_comparison(viewer: str, store: tuple[Path, list[str], str]) -> None:
    path, runs, _ = store
    _, _, body = _get(viewer + f"api/compare?a={runs[10]}&b={runs[11]}&limit=1000")
    served = json.loads(body)
    browser = RunBrowser(path)
    expected = browser.compare(runs[10], runs[11])
    browser.close()
    assert served["summary"]["regressions"] == expected.regressions
    assert sorted((c["case_id"], c["model"], c["config_id"], c["change"]) for c in served["cases"]) == sorted(
        (c.case_id, c.model, c.config_id, c.change) for c in expected.cases
    )


def test_unknown_runs_are_404(viewer: str) -> None:
    assert _get(viewer + "api/runs/nope")[0] == 404
    assert _get(viewer + "api/compare?a=nope&b=nope")[0] == 404


@pytest.mark.parametrize("args", [("view", "--store", "{empty}")])
def test_view_of_an_empty_store_is_a_clear_mistake(tmp_path: Path, args: tuple[str, ...]) -> None:
    from clirun import harness_cli

    done = harness_cli(*(a.format(empty=tmp_path / "none.db") for a in args))
    assert done.returncode == 2
    assert "no runs in the store" in done.stderr
