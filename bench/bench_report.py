"""Benchmark: a 10,000-trial HTML report — file size, write time and time to usable in headless Chromium.

"Usable" = the page has parsed its data and rendered the header, summary, charts, matrix and the first
chunk of trials (the report sets ``data-ready`` on <html>); measured from navigation start with
``performance.now()``, median of several cold loads in fresh pages. Reference: a plain static HTML table of
the same 10,000 trials (case, model, config, repeat, verdict, answer), loaded the same way in the same run.

Run: ``.venv/bin/python bench/bench_report.py`` (needs /usr/bin/chromium-headless-shell).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "reporters"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from chromium import launch, version  # noqa: E402
from factory import make_results  # noqa: E402

from bench.common import median, static_table, write_section  # noqa: E402
from harness.api.reporting import ReportContext  # noqa: E402
from harness_reporters.html import HtmlReporter  # noqa: E402

TARGET_TRIALS = 10_000
LOADS = 5


#: Marks the static table ready the way the report marks itself, for the same measurement.
READY = (
    "<script>document.documentElement.setAttribute('data-ready','1');window.harnessReadyMs=performance.now()</script>"
)


def load_times(paths: list[Path]) -> dict[Path, list[float]]:
    from playwright.sync_api import sync_playwright

    out: dict[Path, list[float]] = {p: [] for p in paths}
    with sync_playwright() as p:
        context = launch(p)
        try:
            for _ in range(LOADS):
                for path in paths:
                    page = context.new_page()
                    page.goto(path.as_uri())
                    page.wait_for_selector("html[data-ready='1']", timeout=30_000)
                    out[path].append(page.evaluate("window.harnessReadyMs") / 1000)
                    page.close()
        finally:
            context.close()
    return out


def main() -> None:
    # 7 cases x 2 models x 2 configs x 5 repeats (minus unrepeated error/hostile trials) ~ 106 trials per group.
    results = make_results(groups=95, repeats=5, vary=True)
    results.trials = results.trials[:TARGET_TRIALS]
    n = len(results.trials)
    out = Path(tempfile.mkdtemp(prefix="bench-report-"))
    writes = []
    for _ in range(3):
        start = time.perf_counter()
        report = HtmlReporter().write(results, ReportContext(out_dir=out))
        writes.append(time.perf_counter() - start)
    table = static_table(results.trials, out / "table.html", tail=READY)
    times = load_times([report, table])
    size_mb = report.stat().st_size / 1e6
    ready, ref = median(times[report]), median(times[table])
    body = f"""\
A run of {n:,} trials (synthetic but realistic: transcriptions with word alignments and per-trial answers,
JSON extractions with failing paths, errors with retries, 2 models x 2 configs x 5 repeats, a baseline).
Browser: {version()}, headless, driven by Playwright.

| measure | value | target |
|---|---:|---:|
| report.html size | {size_mb:.1f} MB | < 15 MB |
| write time (median of 3) | {median(writes):.2f} s | |
| time to usable in headless Chromium (median of {LOADS} loads) | {ready:.2f} s | < 3 s |
| reference: plain static HTML table of the same {n:,} rows | {ref:.2f} s ({table.stat().st_size / 1e6:.1f} MB) | |
| ratio report / static table | {ready / ref:.2f}x | |

Loads: report {", ".join(f"{t:.2f}" for t in times[report])} s; table {", ".join(f"{t:.2f}" for t in times[table])} s.
The report renders lazily (the matrix and the trial list in chunks as you scroll), so its load time is mostly
unpacking (gzip, base64) and parsing the embedded JSON; the static table has to lay out all {n:,} rows up front.
"""
    print(body)
    write_section("HTML report (10,000 trials)", ".venv/bin/python bench/bench_report.py", body)


if __name__ == "__main__":
    main()
