"""Summaries of a run: per model x config x prompt rows and their metric statistics (clustered by case)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from harness.log.casetotals import MetricSource, ScorerLookup, case_totals, metric_statistics, pass_statistic
from harness.log.intervals import bootstrap_corpus, clustered_proportion, interval_for
from harness.log.records import ScoreResult
from harness.log.resampling import seed_for
from harness.log.results import CorpusFigure, MetricSummary, SummaryRow, TrialRecord
from harness.log.stats import percentile

RowKey = tuple[str, str, str]

#: Aggregate key a cost-reporting scorer uses for the total cost of the trials it saw.
COST_KEY = "cost_usd"


def row_key(trial: TrialRecord) -> RowKey:
    return (trial.model, trial.config_id, trial.prompt_id)


def _metric_summary(
    metric: str, scorer: str, scores: list[ScoreResult], trials: list[TrialRecord], cls: type[MetricSource] | None
) -> MetricSummary:
    summary = MetricSummary(metric=metric, scorer=scorer, n=len(scores))
    judged = [s for s in scores if s.passed is not None]
    if judged:
        summary.pass_rate = sum(1 for s in judged if s.passed) / len(judged)
    mean_stat, *corpus_stat = metric_statistics(metric, scorer, cls)
    if cls is not None:
        summary.higher_is_better = cls.higher_is_better
        summary.kind, summary.role = cls.metric_kind, cls.metric_role
        try:
            summary.aggregate = dict(cls.aggregate(scores))
        except Exception as exc:  # a scorer's aggregate must not break the summary
            summary.aggregate = {}
            summary.scorer = f"{scorer} (aggregate failed: {type(exc).__name__})"
    totals = case_totals(trials, mean_stat.pairs)
    summary.cases = totals.k
    if mean_stat.kind == "categorical":
        key = cls.category_key if cls is not None else None
        found = (s.details.get(key) if key else None for s in scores if s.error is None)
        summary.categories = dict(Counter("none" if c is None else str(c) for c in found))
    elif totals.k:
        interval = interval_for(mean_stat.kind, totals)
        if interval is not None:
            summary.mean, summary.ci_low, summary.ci_high = interval.estimate, interval.low, interval.high
            summary.interval = interval.method
    for stat in corpus_stat:
        assert stat.ratio is not None
        ratio_totals = case_totals(trials, stat.pairs)
        corpus = bootstrap_corpus(ratio_totals, seed_for(stat.name, *row_key(trials[0]))) if ratio_totals.k else None
        if corpus is not None:
            summary.corpus = CorpusFigure(
                name=stat.name, value=corpus.estimate, ci_low=corpus.low, ci_high=corpus.high, interval=corpus.method
            )
            # The scorer's own aggregate table keeps showing the corpus figure under its name.
            summary.aggregate[stat.name] = corpus.estimate
    return summary


def _metric_summaries(trials: list[TrialRecord], scorers: ScorerLookup) -> list[MetricSummary]:
    by_metric: dict[tuple[str, str], list[ScoreResult]] = defaultdict(list)
    for trial in trials:
        for score in trial.scores:
            by_metric[(score.metric, score.scorer)].append(score)
    return [
        _metric_summary(metric, scorer, scores, trials, scorers(scorer))
        for (metric, scorer), scores in by_metric.items()
    ]


def summarize(trials: Iterable[TrialRecord], scorers: ScorerLookup) -> list[SummaryRow]:
    groups: dict[RowKey, list[TrialRecord]] = defaultdict(list)
    for trial in trials:
        groups[row_key(trial)].append(trial)
    rows = []
    for (model, config_id, prompt_id), members in groups.items():
        ok = [t for t in members if t.status == "ok"]
        judged = [t for t in members if t.passed is not None]
        passed = sum(1 for t in judged if t.passed)
        row = SummaryRow(
            model=model,
            config_id=config_id,
            prompt_id=prompt_id,
            trials=len(members),
            ok=len(ok),
            errors=len(members) - len(ok),
            passed=passed,
            failed=len(judged) - passed,
        )
        verdicts = case_totals(members, pass_statistic().pairs)
        row.cases = len({t.case_id for t in members})
        if judged:
            row.pass_rate = passed / len(judged)
            interval = clustered_proportion(verdicts)
            if interval is not None and interval.low is not None and interval.high is not None:
                row.pass_rate_ci = (interval.low, interval.high)
        by_case: dict[str, list[bool]] = defaultdict(list)
        for trial in members:
            if trial.passed is not None or trial.status == "error":
                by_case[trial.case_id].append(bool(trial.passed))
        if by_case and max(len(v) for v in by_case.values()) > 1:
            row.pass_all_repeats = sum(all(v) for v in by_case.values()) / len(by_case)
            row.pass_any_repeat = sum(any(v) for v in by_case.values()) / len(by_case)
        latencies = [
            t.output.latency_ms for t in ok if t.output and t.output.latency_ms is not None and not t.output.cached
        ]
        if latencies:
            row.latency_ms_p50 = percentile(latencies, 50)
            row.latency_ms_p95 = percentile(latencies, 95)
        for trial in ok:
            outputs = [t.output for t in trial.turns if t.output] if trial.turns else [trial.output]
            for output in outputs:
                if output is None:
                    continue
                row.prompt_tokens += output.usage.prompt_tokens or 0
                row.output_tokens += output.usage.output_tokens or 0
                row.total_tokens += output.usage.total_tokens or 0
        row.metrics = _metric_summaries(members, scorers)
        costs = [m.aggregate[COST_KEY] for m in row.metrics if COST_KEY in m.aggregate]
        if costs:
            row.cost_usd = sum(costs)
        rows.append(row)
    return rows


__all__ = ["COST_KEY", "row_key", "summarize"]
