"""``make demo`` wall-clock time, cold and warm, on this machine.

- cold: no harness store and an empty emulator audio cache (every clip is recognised);
- transcripts warm: a fresh store (every trial calls the emulator) but the audio cache kept, as after
  editing the emulator or a suite's wording;
- warm: the second ``make demo`` (answers from the harness cache).

Each scenario runs the demo's own command (the Makefile's recipe) in a scratch folder, median of 3.
The reference is one bare ``harness validate`` of the same suites in the same run (process start-up
and suite loading), so the ratio shows what the demo adds on top of starting the harness.

Run: .venv/bin/python -m bench.bench_demo
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, median, write_section

RUNS = 3


def demo(out: Path, cache: Path) -> float:
    suites = sorted(str(p) for p in (ROOT / "suites").glob("*.suite.yaml"))
    command = [sys.executable, "-m", "harness", "run", *suites, "--emulator"]
    command += ["--emulator-responses", str(ROOT / "suites" / "emulator-responses.yaml")]
    command += ["--out", str(out / "reports"), "--store", str(out / "harness.db")]
    command += ["--format", "html,json,markdown,junit", "--fail-on", "none", "-q"]
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def validate() -> float:
    suites = sorted(str(p) for p in (ROOT / "suites").glob("*.suite.yaml"))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "harness", "validate", *suites], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    cold, partly, warm, reference = [], [], [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as scratch:
            base = Path(scratch)
            cache = base / "xdg"
            cold.append(demo(base / "a", cache))
            warm.append(demo(base / "a", cache))
            shutil.rmtree(base / "a")
            partly.append(demo(base / "b", cache))
        reference.append(validate())
    ref = median(reference)
    rows = [
        ("cold (no store, empty audio cache)", cold, "< 60 s"),
        ("transcripts warm (fresh store, audio cache kept)", partly, ""),
        ("warm (second `make demo`)", warm, "< 15 s"),
    ]
    body = (
        "Every example suite on the emulator with `suites/emulator-responses.yaml` (realistic latency "
        "profile), exactly as `make demo` runs it, in a scratch folder; median of "
        f"{RUNS} runs each. Reference: `harness validate` of the same suites (start-up and loading), "
        f"median {ref:.2f} s.\n\n"
        "| scenario | median s | runs s | ratio to validate | target |\n|---|---:|---|---:|---|\n"
    )
    for name, values, target in rows:
        shown = ", ".join(f"{v:.1f}" for v in values)
        body += f"| {name} | {median(values):.1f} | {shown} | {median(values) / ref:.1f}x | {target} |\n"
    body += (
        "\nThe cold run is bound by recognition (pocketsphinx over about 55 s of audio in 7 clips, in one "
        "worker process per core); the transcripts-warm run by the latency profile's simulated time "
        "to first token and output speed; the warm run answers every trial from the harness cache."
    )
    write_section("make demo", ".venv/bin/python -m bench.bench_demo", body)
    print(body)


if __name__ == "__main__":
    main()
