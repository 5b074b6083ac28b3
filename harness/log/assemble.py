"""A run's results record from its trials: summary rows and comparisons, case verdicts, the run verdict.

The one way results are put together, for a run that just finished, a stored run and a results file alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.log.casetotals import ScorerLookup
from harness.log.power import compare_with_power
from harness.log.results import RunInfo, RunResults, TrialRecord
from harness.log.summary import summarize
from harness.log.verdicts import case_verdicts, run_verdict


def _none(_: str) -> None:
    return None


def assemble(info: RunInfo, trials: Sequence[TrialRecord], scorers: ScorerLookup | None = None) -> RunResults:
    records = list(trials)
    lookup = scorers or _none
    cases = case_verdicts(records, info.suite)
    comparisons, power = compare_with_power(records, lookup)
    return RunResults(
        run=info,
        trials=records,
        summary=summarize(records, lookup),
        comparisons=comparisons,
        power=power,
        cases=cases,
        verdict=run_verdict(cases, records),
    )


def rejudged(results: RunResults) -> RunResults:
    """Verdicts recomputed from the trials, so files of any 1.x version are judged by today's rules."""
    results.cases = case_verdicts(results.trials, results.run.suite)
    results.verdict = run_verdict(results.cases, results.trials)
    return results
