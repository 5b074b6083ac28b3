"""Benchmark: `harness view` on a run of 10,000 trials — time to the first rows of the run's page in Chromium.

The store is the viewer tests' (tests/viewer/storefactory.py: 52 runs of a small suite and one run of 10,000
trials). "First rows" = the run's trial table has its first page of rows, measured from the click-free navigation
to ``#/run/<id>`` with ``performance.now()`` in the page. The first load is cold (the server has never added up
that run); the others are warm. Reference: a plain static HTML table of the same 10,000 trials (case, model,
config, repeat, verdict, answer), loaded in the same browser in the same run.

Run: ``.venv/bin/python -m bench.bench_viewer`` (needs /usr/bin/chromium-headless-shell).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "tests" / "viewer"))

from chromium import launch, version  # noqa: E402
from storefactory import build  # noqa: E402

from bench.common import median, static_table, write_section  # noqa: E402
from harness.log.store import Store  # noqa: E402
from harness_viewer.server import running  # noqa: E402

LOADS = 5
#: In the page: milliseconds from navigation start until the trial table has rows.
FIRST_ROWS = """() => new Promise(resolve => {
  const done = () =>
    document.querySelector('#trials tbody tr') ? resolve(performance.now()) : requestAnimationFrame(done);
  done();
})"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-viewer-"))
    store = folder / "harness.db"
    _, big = build(store)
    table = static_table(Store(store).trials(big), folder / "table.html")
    viewer_ms: list[float] = []
    table_ms: list[float] = []
    with running(store) as url, sync_playwright() as p:
        context = launch(p, viewport={"width": 1400, "height": 900}, bypass_csp=True)
        try:
            for _ in range(LOADS):
                for target, out in ((f"{url}#/run/{big}", viewer_ms), (table.as_uri(), table_ms)):
                    page = context.new_page()
                    page.goto(target)
                    out.append(page.evaluate(FIRST_ROWS) / 1000)
                    page.close()
        finally:
            context.close()
    warm = median(viewer_ms[1:])
    ref = median(table_ms)
    body = f"""\
The viewer's store holds 52 runs of a small suite and one run of 10,000 trials (2 models x 2 configs); the run's
page asks the server for its first page of 200 trials and adds the totals up after it has painted.
Browser: {version()}, headless, driven by Playwright.

| measure | value | target |
|---|---:|---:|
| first rows of the 10,000-trial run, cold (first load) | {viewer_ms[0]:.2f} s | < 1 s |
| first rows, warm (median of {LOADS - 1} loads) | {warm:.2f} s | |
| reference: plain static HTML table of the same 10,000 rows (median of {LOADS}) | {ref:.2f} s | |
| ratio viewer (warm) / static table | {warm / ref:.2f}x | |

Loads: viewer {", ".join(f"{t:.2f}" for t in viewer_ms)} s; table {", ".join(f"{t:.2f}" for t in table_ms)} s.
"""
    print(body)
    write_section("Viewer (10,000 trials)", ".venv/bin/python -m bench.bench_viewer", body)


if __name__ == "__main__":
    main()
