"""One suite run end to end: load, plan, call, score, store, summarise, report, exit code."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import secrets
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness import __version__
from harness.api.host import PluginHost
from harness.api.provider import Provider, ProviderSettings
from harness.api.reporting import ReportContext
from harness.api.scoring import Scorer
from harness.errors import UserError
from harness.log.baseline import compare_runs
from harness.log.results import RunInfo, RunResults, RunSpec, SchemaVersionError, ScorerSpecRecord, TrialRecord
from harness.log.store import Store
from harness.log.summary import case_verdicts, compare, summarize
from harness.run.endpoints import LocalEndpoints
from harness.run.planning import PlannedTrial, check_requests, plan
from harness.run.runner import Runner, RunOptions, now_iso
from harness.suite.loader import LoadedSuite, LoadOptions, load_suite

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_STORE = Path(".harness") / "harness.db"


def default_store_path() -> Path:
    return Path(os.environ.get("HARNESS_STORE", str(DEFAULT_STORE)))


@dataclass
class SessionOptions:
    """Everything one run of one suite needs: built the same way by the CLI and the pytest plugin."""

    load: LoadOptions
    run: RunOptions = field(default_factory=RunOptions)
    filters: list[str] = field(default_factory=list)
    out_dir: Path | None = None
    reports_root: Path = Path("reports")
    formats: list[str] = field(default_factory=lambda: ["html", "json"])
    baseline: Path | None = None
    store_path: Path = field(default_factory=default_store_path)
    #: Send calls here instead of the provider's default endpoint (``--base-url``).
    base_url: str | None = None
    #: A key given by the caller (tests); otherwise the provider reads its own environment variables.
    api_key: str | None = None
    #: Send calls to each provider's local stand-in (``--emulator``), started on first use.
    local: LocalEndpoints | None = None
    #: "any": fail when a case fails (a failed or errored trial, or with min_pass_rate too few passed
    #: repeats); "regressions": only on regressions against the baseline (and errors); "none": always
    #: exit 0 unless interrupted.
    fail_on: str = "any"
    argv: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    results: RunResults
    out_dir: Path
    exit_code: int
    written: list[Path]


def git_revision(folder: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=folder, capture_output=True, text=True, timeout=5)
    return done.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def new_run_id() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def load_baseline(path: Path, store: Store | None = None) -> RunResults:
    """A baseline from a results.json, a run folder, or a run id in the store."""
    if path.is_dir():
        path = path / "results.json"
    if path.is_file():
        try:
            return RunResults.read(path)
        except SchemaVersionError as exc:
            raise UserError(f"cannot read this results file: {exc}", file=path) from None
        except ValueError as exc:
            raise UserError(f"not a harness results file: {exc.__class__.__name__}", file=path) from None
    if store is not None:
        found = store.run_info(str(path))
        if found is not None:
            return results_from_store(store, str(path))
    raise UserError(f"baseline not found: {path}", hint="give a results.json, a run folder, or a run id")


def results_from_store(store: Store, run_id: str, host: PluginHost | None = None) -> RunResults:
    found = store.run_info(run_id)
    if found is None:
        raise UserError(f"no run '{run_id}' in the store {store.path}", hint="`harness runs` lists them")
    info, _ = found
    trials = store.trials(run_id)
    return build_results(info, trials, host)


def build_results(info: RunInfo, trials: list[TrialRecord], host: PluginHost | None) -> RunResults:
    def lookup(scorer: str) -> type[Scorer] | None:
        if host is None or scorer not in host.scorers:
            return None
        cls: type[Scorer] = host.scorers.get(scorer)
        return cls

    return RunResults(
        run=info,
        trials=trials,
        summary=summarize(trials, lookup),
        comparisons=compare(trials),
        cases=case_verdicts(trials),
    )


def write_reports(
    results: RunResults, out_dir: Path, formats: list[str], host: PluginHost, baseline: RunResults | None
) -> list[Path]:
    # results.json is the core's own record (the run log), always written; "json" names it as a format.
    written = [results.write(out_dir / "results.json")]
    ctx = ReportContext(out_dir=out_dir, baseline=baseline)
    for name in formats:
        if name == CORE_FORMAT:
            continue
        reporter = host.reporters.get(name)()
        path = reporter.write(results, ctx)
        if path not in written:
            written.append(path)
    return written


#: The format the core writes itself: results.json, the versioned run log (docs/results-json.md).
CORE_FORMAT = "json"


def check_formats(formats: list[str], host: PluginHost) -> None:
    for name in formats:
        if name != CORE_FORMAT:
            host.reporters.get(name)


def prepare(path: Path, options: SessionOptions) -> tuple[LoadedSuite, list[PlannedTrial]]:
    """Load, plan and check a suite without calling any model (``harness validate``)."""
    loaded = load_suite(path, options.load)
    trials = plan(loaded, options.filters)
    check_requests(loaded, trials)
    return loaded, trials


def execute(
    path: Path,
    options: SessionOptions,
    on_start: Callable[[RunInfo, list[PlannedTrial]], None] | None = None,
    on_trial: Callable[[TrialRecord], None] | None = None,
) -> Outcome:
    host = options.load.host
    check_formats(options.formats, host)
    loaded, trials = prepare(path, options)
    if not trials:
        raise UserError(
            "no trial matches the filters",
            hint="check --filter (globs over case, prompt and model; tag:NAME)",
        )
    store = Store(options.store_path)
    baseline = load_baseline(options.baseline, store) if options.baseline else None
    endpoint, base_url, api_key = _endpoint(loaded.provider_cls, options)
    provider = loaded.provider_cls(
        ProviderSettings(
            base_url=base_url,
            api_key=api_key,
            options=loaded.suite.provider_options,
            files=store,
        )
    )
    run_options = dataclasses.replace(options.run, endpoint=endpoint)
    run_id = new_run_id()
    out_dir = options.out_dir or options.reports_root / run_id
    info = RunInfo(
        id=run_id,
        suite=loaded.suite.name,
        suite_file=str(path),
        suite_sha256=loaded.sha256,
        description=loaded.suite.description,
        started_at=now_iso(),
        harness_version=__version__,
        git_revision=git_revision(loaded.dir),
        status="running",
        provider=loaded.provider_cls.name,
        models=loaded.models,
        configs={cid: {**loaded.base_config, **cfg} for cid, cfg in loaded.configs},
        prompts=sorted({t.prompt_id for t in trials}),
        repeat=loaded.suite.repeat,
        argv=options.argv,
        emulator=options.local is not None,
        spec=run_spec(loaded, options, host),
    )
    store.start_run(info, out_dir)
    host.pm.hook.run_started(run=info, trials=[t.plan() for t in trials])
    if on_start is not None:
        on_start(info, trials)
    runner = Runner(loaded, trials, provider, store, host, info, run_options, on_trial=on_trial)

    async def main() -> list[TrialRecord]:
        try:
            return await runner.run()
        finally:
            await provider.aclose()

    try:
        records = asyncio.run(main())
    except KeyboardInterrupt:
        runner.interrupted = True
        records = [runner.records[i] for i in sorted(runner.records)]
    info.status = "interrupted" if runner.interrupted else "complete"
    info.finished_at = now_iso()
    info.duration_s = round(runner.elapsed, 3)
    store.finish_run(info)
    results = build_results(info, records, host)
    if baseline is not None:
        results.baseline = compare_runs(results, baseline)
    written = write_reports(results, out_dir, options.formats, host, baseline)
    host.pm.hook.run_finished(results=results)
    store.close()
    return Outcome(results, out_dir, exit_code(results, options.fail_on), written)


def exit_code(results: RunResults, fail_on: str) -> int:
    if results.run.status == "interrupted":
        return EXIT_INTERRUPTED
    if fail_on == "none":
        return EXIT_OK
    errored = any(t.status == "error" for t in results.trials)
    if fail_on == "regressions" and results.baseline is not None:
        return EXIT_FAILED if results.baseline.regressions or errored else EXIT_OK
    # Each case's repeats are judged together (every repeat must pass unless min_pass_rate says less).
    failed = any(v.ok is False for v in results.cases)
    return EXIT_FAILED if failed else EXIT_OK


def _endpoint(provider: type[Provider], options: SessionOptions) -> tuple[str, str | None, str | None]:
    """(cache identity of who answers, base URL, key) for this run: a local stand-in, a given URL, or the default."""
    if options.local is not None:
        local = options.local.get(provider)
        return local.identity, local.base_url, local.api_key
    return options.base_url or "default", options.base_url, options.api_key


def run_spec(loaded: LoadedSuite, options: SessionOptions, host: PluginHost) -> RunSpec:
    """What ran, with which parameters (results.json ``run.spec``)."""
    scorers = [(spec, "suite") for spec in loaded.scorers]
    for case in loaded.cases:
        scorers += [(spec, f"case:{case.id}") for spec in case.expect]
        for turn, specs in enumerate(case.turn_expect):
            scorers += [(spec, f"case:{case.id}:turn:{turn + 1}") for spec in specs]
    return RunSpec(
        scorers=[
            ScorerSpecRecord(
                name=spec.name,
                metric=spec.metric,
                weight=spec.weight,
                required=spec.required,
                scope=scope,
                options=spec.scorer.options.model_dump(mode="json", exclude_defaults=True),
            )
            for spec, scope in scorers
        ],
        provider_options=loaded.suite.provider_options,
        filters=options.filters,
        plugins=host.versions(),
    )
