"""Reading stored runs, for plugins that show them (``harness view``): read-only, and every verdict, reason and
comparison comes from the core (harness.log.verdicts, harness.log.baseline), never from the reader."""

from __future__ import annotations

import functools
from pathlib import Path

from harness.api.host import load_plugins
from harness.api.scoring import Scorer
from harness.log.baseline import compare_runs
from harness.log.deltas import BaselineComparison
from harness.log.history import RunTotals, find_trials, history, run_facets, run_totals, suites, trial_page
from harness.log.results import RunInfo, RunResults, TrialRecord
from harness.log.sources import results_from_store
from harness.log.store import Store, default_store_path


def _lookup(name: str) -> type[Scorer] | None:
    scorers = load_plugins().scorers
    if name not in scorers:
        return None
    found: type[Scorer] = scorers.get(name)
    return found


class RunBrowser:
    """The runs of one store. Methods return the public records of harness.api (RunTotals, TrialRecord, ...)."""

    def __init__(self, path: Path | None = None) -> None:
        """``path``: the store's file (default: ``$HARNESS_STORE`` or .harness/harness.db)."""
        self.store = Store(path or default_store_path())

    def close(self) -> None:
        self.store.close()

    def suites(self) -> list[tuple[str, str, int]]:
        """(suite name, suite file, runs) of every suite, most recently run first."""
        return suites(self.store)

    def history(self, suite: str | None = None, limit: int | None = None) -> list[RunTotals]:
        """Runs newest first, each with its totals (pass rate, trials, cost, metric means)."""
        return history(self.store, suite, limit)

    def info(self, run_id: str) -> RunInfo | None:
        found = self.store.run_info(run_id)
        return found[0] if found else None

    def totals(self, run_id: str) -> RunTotals | None:
        info = self.info(run_id)
        return run_totals(self.store, info) if info else None

    def trials(
        self,
        run_id: str,
        offset: int = 0,
        limit: int = 200,
        failing: bool = False,
        tag: str | None = None,
        model: str | None = None,
        case: str | None = None,
    ) -> tuple[int, list[TrialRecord]]:
        """One page of a run's trials, filtered: (how many match, the page)."""
        return trial_page(self.store, run_id, offset, limit, failing, tag, model, case)

    def facets(self, run_id: str) -> dict[str, list[str]]:
        return run_facets(self.store, run_id)

    def find(self, ident: str, run_id: str | None = None) -> tuple[str, list[TrialRecord]] | None:
        """The trials a trial id or a case id names (in ``run_id``, or the latest run that has them)."""
        return find_trials(self.store, ident, run_id)

    @functools.lru_cache(maxsize=4)  # noqa: B019 - one browser per process; results of a finished run never change
    def results(self, run_id: str) -> RunResults:
        """A whole stored run, with its case verdicts and summary."""
        return results_from_store(self.store, run_id, _lookup)

    def compare(self, before: str, after: str) -> BaselineComparison:
        """Run ``after`` against run ``before``, case by case (the core's baseline comparison)."""
        return compare_runs(self.results(after), self.results(before))
