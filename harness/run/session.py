"""One suite run end to end: load, plan, call, score, store, summarise, report, exit code."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import __version__
from harness.api.host import PluginHost
from harness.api.provider import Provider, ProviderSettings
from harness.api.scoring import Scorer
from harness.errors import UserError
from harness.log.assemble import assemble
from harness.log.baseline import compare_runs
from harness.log.casetotals import ScorerLookup
from harness.log.deltas import BaselineComparison
from harness.log.results import RunInfo, RunResults, RunSpec, ScorerSpecRecord, TrialRecord
from harness.log.sources import load_results, suite_slug

# The store's default place is defined with the store; these names stay importable from here.
from harness.log.store import DEFAULT_STORE as DEFAULT_STORE
from harness.log.store import Store
from harness.log.store import default_store_path as default_store_path
from harness.log.verdicts import exit_code
from harness.run.endpoints import LocalEndpoints
from harness.run.estimate import CostEstimate, estimate_cost
from harness.run.models import check_models, served_models
from harness.run.outputs import check_formats, write_reports
from harness.run.planning import PlannedTrial, check_requests, count_media_uses, plan
from harness.run.resume import resumable, suite_run_options
from harness.run.runner import Runner, RunOptions, now_iso
from harness.suite.loader import LoadedSuite, LoadOptions, load_suite
from harness.suite.problems import Problems


@dataclass
class SessionOptions:
    """Everything one run of one suite needs: built the same way by the CLI and the pytest plugin."""

    load: LoadOptions
    run: RunOptions = field(default_factory=RunOptions)
    filters: list[str] = field(default_factory=list)
    out_dir: Path | None = None
    reports_root: Path = Path("reports")
    formats: list[str] = field(default_factory=lambda: ["html", "json"])
    #: Compare with this (a results.json, run folder, folder of suite folders, baseline.json or run id).
    baseline: str | Path | None = None
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
    #: Errored trials a run may have and still count as complete: a count ("3") or a share ("5%"); beyond
    #: it the exit code is 3 (incomplete).
    max_errors: str = "0"
    argv: list[str] = field(default_factory=list)
    #: Resume this stored run: call only what it has not finished (``harness resume``).
    resume: str | None = None
    #: What started the run, as the command line can replay it (stored, so ``harness resume`` can rebuild it).
    request: dict[str, Any] | None = None
    #: How media travel ("auto", "inline", "upload"); None: the suite's ``defaults.media_transport``.
    media_transport: str | None = None


@dataclass
class Outcome:
    results: RunResults
    out_dir: Path
    exit_code: int
    written: list[Path]


def _in_a_git_tree(folder: Path) -> bool:
    """Whether git could find a repository from ``folder`` (a ``.git`` folder or file above it, or $GIT_DIR): most
    suites outside one are spared two git processes a run."""
    if os.environ.get("GIT_DIR"):
        return True
    start = folder.resolve()
    return any((parent / ".git").exists() for parent in (start, *start.parents))


def git_revision(folder: Path) -> str | None:
    if not _in_a_git_tree(folder):
        return None
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


def scorer_lookup(host: PluginHost | None) -> ScorerLookup:
    """The installed scorer classes, for summaries (None when a scorer is not installed here)."""

    def lookup(scorer: str) -> type[Scorer] | None:
        if host is None or scorer not in host.scorers:
            return None
        cls: type[Scorer] = host.scorers.get(scorer)
        return cls

    return lookup


def baseline_for(source: str | Path, suite: Path, store: Store | None, host: PluginHost | None) -> Baseline:
    """This suite's baseline in ``source`` (see harness.log.sources), or a note saying it has none."""
    found = load_results(source, store, scorer_lookup(host))
    slug = suite_slug(suite)
    if slug in found:
        return Baseline(found[slug], None)
    if len(found) == 1 and not Path(source).is_dir():
        # A single run given directly (a results.json or a run id) is the baseline whatever its file name.
        return Baseline(next(iter(found.values())), None)
    names = ", ".join(sorted(found)) or "none"
    note = f"the baseline {source} has no results for suite '{slug}' (it has: {names}): every case is new"
    return Baseline(None, note)


@dataclass
class Baseline:
    results: RunResults | None
    #: Why there is none, when the source has no results for this suite.
    missing: str | None = None


def compare_with(results: RunResults, baseline: Baseline) -> BaselineComparison:
    if baseline.results is not None:
        return compare_runs(results, baseline.results)
    empty = RunResults(run=results.run.model_copy(update={"id": ""}))
    comparison = compare_runs(results, empty)
    comparison.run_id, comparison.note = "", baseline.missing
    return comparison


def prepare(path: Path, options: SessionOptions) -> tuple[LoadedSuite, list[PlannedTrial]]:
    """Load, plan and check a suite without calling any model (``harness validate``): every mistake of the
    suite is found in this one pass and raised together (sorted by file:line), within the limits of whoever
    runs the command (``options.load.caps``: trials and prompt length while planning, cost here)."""
    problems = Problems()
    loaded = load_suite(path, options.load, problems)
    trials = plan(loaded, options.filters, problems)
    check_requests(loaded, trials, problems)
    problems.raise_any()
    check_cost(loaded, trials)
    return loaded, trials


def check_cost(loaded: LoadedSuite, trials: list[PlannedTrial]) -> CostEstimate | None:
    """With --max-cost: refuse a plan whose estimated cost (an upper bound) passes it, or cannot be priced."""
    caps = loaded.options.caps
    if caps.max_cost_usd is None:
        return None
    found = estimate_cost(loaded.provider_cls, trials)
    if found.unpriced:
        models = ", ".join(f"{model} ({calls} calls)" for model, calls in sorted(found.unpriced.items()))
        raise UserError(
            f"--max-cost ${caps.max_cost_usd:g} cannot be checked: no price is known for {models}",
            file=loaded.path,
            hint="use models the provider prices, or leave out --max-cost",
        )
    caps.check_cost(found.usd, found.breakdown(), loaded.path)
    return found


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
    try:
        return _execute(path, options, loaded, trials, store, on_start, on_trial)
    finally:
        store.close()


def _execute(
    path: Path,
    options: SessionOptions,
    loaded: LoadedSuite,
    trials: list[PlannedTrial],
    store: Store,
    on_start: Callable[[RunInfo, list[PlannedTrial]], None] | None,
    on_trial: Callable[[TrialRecord], None] | None,
) -> Outcome:
    host = options.load.host
    resumed = resumable(options.resume, loaded, store) if options.resume is not None else None
    baseline = baseline_for(options.baseline, path, store, host) if options.baseline is not None else None
    endpoint, base_url, api_key = _endpoint(loaded.provider_cls, options)
    count_media_uses(trials)
    settings = ProviderSettings(
        base_url=base_url,
        api_key=api_key,
        options=loaded.suite.provider_options,
        files=store,
        media_transport=options.media_transport or loaded.suite.defaults.media_transport,
    )
    # A misspelt model is a mistake in the suite (exit 2), found before the first trial calls it.
    if options.run.answers_from is None:  # a re-score calls nothing, so it asks the endpoint nothing either
        problems = Problems()
        served = served_models(loaded.provider_cls, settings, store, endpoint)
        check_models(loaded, served, problems, "the models the endpoint lists")
        problems.raise_any()
    provider = loaded.provider_cls(settings)
    run_options = suite_run_options(options.run, loaded, endpoint)
    if run_options.batch and not loaded.provider_cls.supports_batch:
        raise UserError(f"provider '{loaded.provider_cls.name}' has no batch mode", hint="drop --batch")
    if resumed is not None:
        info, stored_dir = resumed
        out_dir = options.out_dir or Path(stored_dir or options.reports_root / info.id)
        info.status, info.finished_at, info.stop_reason = "running", None, None
        info.resumed += 1
        info.mode = "batch" if run_options.batch else "online"
        info.skipped = loaded.skipped
        done = {t.id: t for t in store.trials(info.id)}
    else:
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
            mode="batch" if run_options.batch else "online",
            skipped=loaded.skipped,
        )
        done = {}
    request = None if options.request is None else (str(path.resolve()), options.request)
    store.start_run(info, out_dir, request)
    host.pm.hook.run_started(run=info, trials=[t.plan() for t in trials])
    if on_start is not None:
        on_start(info, trials)
    runner = Runner(loaded, trials, provider, store, host, info, run_options, on_trial=on_trial, done=done)

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
    if runner.interrupted:
        info.status = "interrupted"
    elif runner.stopped is not None:
        info.status, info.stop_reason = "stopped", runner.stopped
    else:
        info.status = "complete"
    info.finished_at = now_iso()
    info.duration_s = round((info.duration_s or 0.0) + runner.elapsed, 3) if resumed else round(runner.elapsed, 3)
    if runner.writer.failed is None:
        store.finish_run(info)
    results = assemble(info, records, scorer_lookup(host))
    if baseline is not None:
        results.baseline = compare_with(results, baseline)
    # A run killed while it writes its reports is complete in the store: `harness resume` (or `harness report`)
    # writes them, calling nothing.
    written = write_reports(results, out_dir, options.formats, host, baseline.results if baseline else None)
    host.pm.hook.run_finished(results=results)
    return Outcome(results, out_dir, exit_code(results, options.fail_on, options.max_errors), written)


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
