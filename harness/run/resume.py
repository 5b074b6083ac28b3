"""Going on with a stored run (``harness resume``), and the run options a suite adds to the command line's."""

from __future__ import annotations

import dataclasses

from harness.errors import UserError, did_you_mean
from harness.log.results import RunInfo
from harness.log.store import Store
from harness.run.runner import RunOptions
from harness.suite.loader import LoadedSuite


def resumable(run_id: str, loaded: LoadedSuite, store: Store) -> tuple[RunInfo, str | None]:
    """The stored run to go on with, and its report folder; a user error when it cannot be resumed."""
    found = store.run_info(run_id)
    if found is None:
        raise UserError(f"no run '{run_id}' in the store {store.path}", hint="`harness runs` lists the stored runs")
    info, out_dir = found
    if info.suite_sha256 != loaded.sha256:
        raise UserError(
            f"the suite {info.suite_file} changed since run {run_id} started, so its finished trials would not match",
            hint="resume with the suite as it was, or start a new run (unchanged calls are answered from the cache)",
        )
    return info, out_dir


def suite_run_options(given: RunOptions, loaded: LoadedSuite, endpoint: str) -> RunOptions:
    """The run's options: the command line's, then the suite's ``limits:`` and ``budget:`` where it gave none."""
    limits = loaded.suite.limits
    budget = loaded.suite.budget
    tier = given.quota_tier or limits.tier
    known = loaded.provider_cls.quota_tiers()
    if tier is not None and tier not in known:
        hint = did_you_mean(tier, known)
        names = ", ".join(known) or "none"
        raise UserError(
            f"provider '{loaded.provider_cls.name}' has no quota tier '{tier}' (known: {names})",
            hint=hint or "give limits: {rpm: N, tpm: N} instead",
        )
    return dataclasses.replace(
        given,
        endpoint=endpoint,
        max_cost_usd=given.max_cost_usd if given.max_cost_usd is not None else budget.max_cost_usd if budget else None,
        rpm=given.rpm if given.rpm is not None else limits.rpm,
        tpm=given.tpm if given.tpm is not None else limits.tpm,
        quota_tier=given.quota_tier or limits.tier,
    )
