"""The run history of a store: one line of totals per run (pass rate, trials, cost, duration, revision, command),
for ``harness runs`` and ``harness view``; and finding the stored trials of a trial or case id (``harness show``).

Totals come from the core's case verdicts (harness.log.verdicts), never decided here. A finished run's totals
are computed once and kept in their own table, so listing a long history reads one small row per run.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import Field

from harness.log.records import Record
from harness.log.results import RunInfo, TrialRecord, Verdict
from harness.log.store import Store
from harness.log.verdicts import case_verdicts, run_verdict

TOTALS = """
CREATE TABLE IF NOT EXISTS run_totals (run_id TEXT PRIMARY KEY, version INTEGER NOT NULL, totals_json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS trials_by_case ON trials (case_id);
CREATE INDEX IF NOT EXISTS trials_by_id ON trials (id);
"""
#: Bumped when RunTotals changes meaning, so kept rows are computed again.
VERSION = 1


class RunTotals(Record):
    """One run in one line."""

    run_id: str
    suite: str
    suite_file: str
    started_at: str
    status: str
    duration_s: float | None = None
    git_revision: str | None = None
    argv: list[str] = Field(default_factory=list)
    models: list[str] = Field(default_factory=list)
    trials: int = 0
    errored_trials: int = 0
    cases: int = 0
    passed: int = 0
    failed: int = 0
    errored: int = 0
    #: Passed cases over judged ones (None: nothing judged).
    pass_rate: float | None = None
    verdict: Verdict = "unscored"
    #: Total cost of the answers (and graders) that the scorers priced; None when nothing was priced.
    cost_usd: float | None = None
    #: Mean value of each metric over the run's scored trials (for trend lines).
    metrics: dict[str, float] = Field(default_factory=dict)


def _ensure(store: Store) -> None:
    store.db.executescript(TOTALS)


def _cost(trial: TrialRecord) -> float | None:
    """What one trial cost: the first priced figure of each scorer (a tokens scorer, a grader)."""
    seen: dict[str, float] = {}
    for score in trial.scores:
        value = score.details.get("cost_usd")
        if isinstance(value, (int, float)) and score.scorer not in seen:
            seen[score.scorer] = float(value)
    return sum(seen.values()) if seen else None


def compute(info: RunInfo, trials: list[TrialRecord]) -> RunTotals:
    cases = case_verdicts(trials, info.suite)
    verdict = run_verdict(cases, trials)
    judged = verdict.passed + verdict.failed
    costs = [c for c in (_cost(t) for t in trials) if c is not None]
    values: dict[str, list[float]] = defaultdict(list)
    for trial in trials:
        for score in trial.scores:
            if score.value is not None and score.error is None and score.turn is None:
                values[score.metric].append(score.value)
    return RunTotals(
        run_id=info.id,
        suite=info.suite,
        suite_file=info.suite_file,
        started_at=info.started_at,
        status=info.status,
        duration_s=info.duration_s,
        git_revision=info.git_revision,
        argv=info.argv,
        models=info.models,
        trials=verdict.trials,
        errored_trials=verdict.errored_trials,
        cases=verdict.cases,
        passed=verdict.passed,
        failed=verdict.failed,
        errored=verdict.errored,
        pass_rate=verdict.passed / judged if judged else None,
        verdict=verdict.verdict,
        cost_usd=sum(costs) if costs else None,
        metrics={name: sum(v) / len(v) for name, v in sorted(values.items())},
    )


def run_totals(store: Store, info: RunInfo) -> RunTotals:
    """The totals of one run (kept once the run has finished)."""
    _ensure(store)
    row = store.db.execute("SELECT version, totals_json FROM run_totals WHERE run_id=?", (info.id,)).fetchone()
    if row is not None and row[0] == VERSION:
        return RunTotals.model_validate_json(row[1])
    totals = compute(info, store.trials(info.id))
    if info.status != "running":
        store.db.execute(
            "INSERT OR REPLACE INTO run_totals VALUES (?,?,?)", (info.id, VERSION, totals.model_dump_json())
        )
    return totals


def history(store: Store, suite: str | None = None, limit: int | None = 20) -> list[RunTotals]:
    """Runs newest first (of one suite, by name or file, when given)."""
    query = "SELECT info_json FROM runs"
    args: list[Any] = []
    if suite is not None:
        query += " WHERE suite=? OR suite_file=?"
        args += [suite, suite]
    query += " ORDER BY started_at DESC, id DESC"
    if limit is not None:
        query += " LIMIT ?"
        args.append(limit)
    infos = [RunInfo.model_validate_json(r[0]) for r in store.db.execute(query, args)]
    return [run_totals(store, info) for info in infos]


def suites(store: Store) -> list[tuple[str, str, int]]:
    """(suite name, suite file, number of runs) of every suite in the store, most recently run first."""
    rows = store.db.execute(
        "SELECT suite, suite_file, COUNT(*), MAX(started_at) FROM runs GROUP BY suite, suite_file "
        "ORDER BY MAX(started_at) DESC"
    )
    return [(r[0], r[1], r[2]) for r in rows]


def find_trials(store: Store, ident: str, run_id: str | None = None) -> tuple[str, list[TrialRecord]] | None:
    """The stored trials a trial id or a case id names, in the given run or the latest run that has them.

    A case id is the suite's own (``jfk-flac``) or a case verdict's id (one prompt, model and config).
    """
    _ensure(store)
    for column in ("id", "case_id"):
        query = f"SELECT t.run_id FROM trials t JOIN runs r ON r.id = t.run_id WHERE t.{column}=?"
        args: list[Any] = [ident]
        if run_id is not None:
            query += " AND t.run_id=?"
            args.append(run_id)
        found = store.db.execute(query + " ORDER BY r.started_at DESC LIMIT 1", args).fetchone()
        if found is not None:
            rows = store.db.execute(
                f"SELECT record_json FROM trials WHERE run_id=? AND {column}=? ORDER BY seq", (found[0], ident)
            )
            return found[0], [TrialRecord.model_validate_json(r[0]) for r in rows]
    recent = store.db.execute("SELECT id FROM runs ORDER BY started_at DESC LIMIT 50")
    runs = [run_id] if run_id else [r[0] for r in recent]
    for rid in runs:
        info = store.run_info(rid)
        if info is None:
            continue
        trials = store.trials(rid)
        for case in case_verdicts(trials, info[0].suite):
            if case.id == ident:
                keys = (case.case_id, case.prompt_id, case.model, case.config_id)
                return rid, [t for t in trials if (t.case_id, t.prompt_id, t.model, t.config_id) == keys]
    return None


def trial_page(
    store: Store,
    run_id: str,
    offset: int = 0,
    limit: int = 200,
    failing: bool = False,
    tag: str | None = None,
    model: str | None = None,
    case: str | None = None,
) -> tuple[int, list[TrialRecord]]:
    """One page of a run's trials in run order, filtered in SQL (a run of 10,000 trials reads one page):
    (how many trials match, the page)."""
    _ensure(store)
    where = ["run_id=?"]
    args: list[Any] = [run_id]
    if failing:
        where.append("(status='error' OR passed=0)")
    if model:
        where.append("model=?")
        args.append(model)
    if case:
        where.append("case_id=?")
        args.append(case)
    if tag:
        where.append("EXISTS (SELECT 1 FROM json_each(record_json, '$.tags') WHERE value=?)")
        args.append(tag)
    clause = " AND ".join(where)
    total = store.db.execute(f"SELECT COUNT(*) FROM trials WHERE {clause}", args).fetchone()[0]
    rows = store.db.execute(
        f"SELECT record_json FROM trials WHERE {clause} ORDER BY seq LIMIT ? OFFSET ?", [*args, limit, offset]
    )
    return int(total), [TrialRecord.model_validate_json(r[0]) for r in rows]


def run_facets(store: Store, run_id: str) -> dict[str, list[str]]:
    """The models, configs, prompts and tags a run has (for the viewer's filters)."""
    db = store.db
    out = {
        column: [r[0] for r in db.execute(f"SELECT DISTINCT {column} FROM trials WHERE run_id=? ORDER BY 1", (run_id,))]
        for column in ("model", "config_id", "prompt_id")
    }
    out["tags"] = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT j.value FROM trials, json_each(trials.record_json, '$.tags') j WHERE run_id=? ORDER BY 1",
            (run_id,),
        )
    ]
    return out
