"""The public API: everything a plugin imports from the core, and nothing else (docs/plugins.md).

Names here are stable: fields and keyword arguments are only ever added. A plugin that needs something
that is not here should ask for it to be added, not import it from elsewhere in ``harness``.
"""

from __future__ import annotations

from harness import __version__
from harness.api.browse import RunBrowser
from harness.api.hookspecs import HOOKS, Register, hookimpl
from harness.api.provider import (
    BatchJob,
    CallEstimate,
    FileMemory,
    LocalEndpoint,
    MediaRef,
    Message,
    Part,
    Provider,
    ProviderError,
    ProviderRequest,
    ProviderSettings,
    Quota,
)
from harness.api.reporting import ReportContext, Reporter
from harness.api.scoring import CheckContext, Forecast, Score, ScoreContext, Scorer, ScorerOptions
from harness.api.timestamps import mmss, seconds
from harness.errors import PluginError, UserError, did_you_mean
from harness.log.atomic import atomic_file, write_atomic
from harness.log.deltas import BaselineComparison, CaseDelta, MetricDelta, TrialDelta
from harness.log.history import RunTotals
from harness.log.reasons import join_reasons, number_text, value_text
from harness.log.records import (
    Attempt,
    MediaInfo,
    MetricKind,
    MetricRole,
    Output,
    RatioOfSums,
    Reason,
    ScoreResult,
    TrialError,
    Usage,
    VideoMetadata,
)
from harness.log.results import (
    SCHEMA_VERSION,
    CaseVerdict,
    CorpusFigure,
    DetectableEffect,
    MetricSummary,
    PairedComparison,
    RunInfo,
    RunResults,
    RunVerdict,
    SkippedCase,
    SummaryRow,
    TrialPlan,
    TrialRecord,
    Verdict,
)
from harness.log.sanitise import safe_text
from harness.log.stats import percentile
from harness.log.worddiff import word_diff

__all__ = [
    "HOOKS",
    "SCHEMA_VERSION",
    "Attempt",
    "BaselineComparison",
    "BatchJob",
    "CallEstimate",
    "CaseDelta",
    "CaseVerdict",
    "CheckContext",
    "CorpusFigure",
    "DetectableEffect",
    "FileMemory",
    "Forecast",
    "LocalEndpoint",
    "MediaInfo",
    "MediaRef",
    "Message",
    "MetricDelta",
    "MetricKind",
    "MetricRole",
    "MetricSummary",
    "Output",
    "PairedComparison",
    "Part",
    "PluginError",
    "Provider",
    "ProviderError",
    "ProviderRequest",
    "ProviderSettings",
    "Quota",
    "RatioOfSums",
    "Reason",
    "Register",
    "ReportContext",
    "Reporter",
    "RunBrowser",
    "RunInfo",
    "RunResults",
    "RunTotals",
    "RunVerdict",
    "Score",
    "ScoreContext",
    "ScoreResult",
    "Scorer",
    "ScorerOptions",
    "SkippedCase",
    "SummaryRow",
    "TrialDelta",
    "TrialError",
    "TrialPlan",
    "TrialRecord",
    "Usage",
    "UserError",
    "Verdict",
    "VideoMetadata",
    "__version__",
    "atomic_file",
    "did_you_mean",
    "hookimpl",
    "join_reasons",
    "mmss",
    "number_text",
    "percentile",
    "safe_text",
    "seconds",
    "value_text",
    "word_diff",
    "write_atomic",
]
