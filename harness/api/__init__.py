"""The public API: everything a plugin imports from the core, and nothing else (docs/plugins.md).

Names here are stable: fields and keyword arguments are only ever added. A plugin that needs something
that is not here should ask for it to be added, not import it from elsewhere in ``harness``.
"""

from __future__ import annotations

from harness import __version__
from harness.api.hookspecs import HOOKS, Register, hookimpl
from harness.api.provider import (
    FileMemory,
    LocalEndpoint,
    MediaRef,
    Message,
    Part,
    Provider,
    ProviderError,
    ProviderRequest,
    ProviderSettings,
)
from harness.api.reporting import ReportContext, Reporter
from harness.api.scoring import CheckContext, Score, ScoreContext, Scorer, ScorerOptions
from harness.api.timestamps import mmss, seconds
from harness.errors import PluginError, UserError, did_you_mean
from harness.log.records import Attempt, MediaInfo, Output, ScoreResult, TrialError, Usage, VideoMetadata
from harness.log.results import (
    SCHEMA_VERSION,
    BaselineComparison,
    CaseVerdict,
    MetricDelta,
    MetricSummary,
    PairedComparison,
    RunInfo,
    RunResults,
    SummaryRow,
    TrialDelta,
    TrialPlan,
    TrialRecord,
)
from harness.log.stats import percentile

__all__ = [
    "HOOKS",
    "SCHEMA_VERSION",
    "Attempt",
    "BaselineComparison",
    "CaseVerdict",
    "CheckContext",
    "FileMemory",
    "LocalEndpoint",
    "MediaInfo",
    "MediaRef",
    "Message",
    "MetricDelta",
    "MetricSummary",
    "Output",
    "PairedComparison",
    "Part",
    "PluginError",
    "Provider",
    "ProviderError",
    "ProviderRequest",
    "ProviderSettings",
    "Register",
    "ReportContext",
    "Reporter",
    "RunInfo",
    "RunResults",
    "Score",
    "ScoreContext",
    "ScoreResult",
    "Scorer",
    "ScorerOptions",
    "SummaryRow",
    "TrialDelta",
    "TrialError",
    "TrialPlan",
    "TrialRecord",
    "Usage",
    "UserError",
    "VideoMetadata",
    "__version__",
    "did_you_mean",
    "hookimpl",
    "mmss",
    "percentile",
    "seconds",
]
