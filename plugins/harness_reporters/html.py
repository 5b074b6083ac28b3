"""The ``html`` format: one self-contained report.html that works from ``file://`` with no network request.

The run is embedded as JSON in a ``<script type="application/json">`` block (with ``<``, ``>`` and ``&``
written as ``\\u003c`` etc., so no answer can close the block; a large run as gzip in base64, see
:func:`embed_data`), and rendered by the inline script made of
``assets/report-*.js`` (in :data:`SCRIPTS` order, in one function scope), which builds the page with
``textContent`` only. A Content-Security-Policy allows that one script (by hash) and nothing from the network.
Numbers that tables show are formatted here (``numbers.py``), so every report writes them alike; without
JavaScript the ``<noscript>`` block (``html_static.py``) still gives the totals and the failures.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from harness.api import BaselineComparison, ReportContext, Reporter, RunResults, SummaryRow, TrialRecord, write_atomic
from harness.api import __version__ as harness_version
from harness_reporters.html_static import static_report
from harness_reporters.methods import scoring_methods
from harness_reporters.numbers import (
    Notation,
    column_notations,
    interval,
    notation_for,
    percent_interval,
    summary_notations,
    usd,
)
from harness_reporters.textdiff import word_diff
from harness_reporters.verdicts import baseline_of

#: Local audio and video files up to this size get an in-page player (embedded as a data: URI).
MEDIA_EMBED_MAX_BYTES = 512 * 1024
#: Stop embedding media once this much has been embedded.
MEDIA_EMBED_BUDGET_BYTES = 4 * 1024 * 1024
#: Embedded data larger than this (characters of JSON) is written gzip-compressed in base64 (:func:`embed_data`).
COMPRESS_ABOVE_BYTES = 1_000_000
#: MIME types the report plays in an <audio> or <video> element.
PLAYABLE = ("audio/", "video/")
_PLACEHOLDER = re.compile(r"\{\{(CSP|VERSION|TITLE|CSS|DATA_ATTRS|DATA|JS|NOSCRIPT)\}\}")
#: The report's script, in order: helpers and data, tables, the matrix and trial lists, the dialogs, start-up.
SCRIPTS = ("report-base.js", "report-tables.js", "report-lists.js", "report-detail.js", "report-boot.js")


def asset(name: str) -> str:
    return resources.files("harness_reporters").joinpath("assets", name).read_text(encoding="utf-8")


def embed_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: it can never contain ``</script`` or ``<!--``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Texts:
    """Interns long strings repeated across trials (rendered prompts, system instructions)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def ref(self, value: str | None) -> int | str | None:
        if value is None or len(value) < 24:
            return value
        index = self._index.get(value)
        if index is None:
            index = self._index[value] = len(self.items)
            self.items.append(value)
        return index

    def json_ref(self, value: Any) -> Any:
        """A JSON value repeated across trials (case vars, media facts) as ``{"$j": index}`` of its text."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        if len(text) < 40:
            return value
        return {"$j": self.ref(text)}

    def tagged(self, value: str) -> str | dict[str, int]:
        """For fields that may hold any JSON value: an interned string is written as ``{"$t": index}``."""
        ref = self.ref(value)
        return {"$t": ref} if isinstance(ref, int) else value


_ALIGN_CODES = {"equal": "=", "substitute": "s", "delete": "d", "insert": "i"}


def compact_alignment(alignment: Any) -> Any:
    """``[{op, ref: [...], hyp: [...]}]`` as ``{"$align": [[code, "ref words", "hyp words"], ...]}``.

    Equal runs keep only the reference words. Anything not in that exact shape is left as it is.
    """
    if not isinstance(alignment, list):
        return alignment
    rows: list[list[str]] = []
    for item in alignment:
        if not isinstance(item, dict) or set(item) - {"op", "ref", "hyp"} or item.get("op") not in _ALIGN_CODES:
            return alignment
        ref, hyp = item.get("ref", []), item.get("hyp", [])
        for words in (ref, hyp):
            if not isinstance(words, list) or not all(isinstance(w, str) and w and " " not in w for w in words):
                return alignment
        code = _ALIGN_CODES[item["op"]]
        if code == "=" and ref == hyp:
            rows.append([code, " ".join(ref)])
        else:
            rows.append([code, " ".join(ref), " ".join(hyp)])
    return {"$align": rows}


def _trial_payload(trial: TrialRecord, texts: _Texts) -> dict[str, Any]:
    data = trial.model_dump(mode="json", exclude_defaults=True)
    data["status"] = trial.status
    request = data.setdefault("request", {})
    request["prompt"] = texts.ref(trial.request.prompt)
    if trial.request.system_instruction is not None:
        request["system_instruction"] = texts.ref(trial.request.system_instruction)
    for score in data.get("scores", []):
        details = score.get("details")
        if details and "alignment" in details:
            details["alignment"] = compact_alignment(details["alignment"])
        for key, value in (details or {}).items():
            if isinstance(value, str):
                details[key] = texts.tagged(value)
        if isinstance(score.get("value"), float):
            score["value"] = significant(score["value"])
    for key in ("vars", "media", "config"):
        if key in data:
            data[key] = texts.json_ref(data[key])
    return data


def significant(value: float, digits: int = 6) -> float:
    """The value rounded to ``digits`` significant digits (the report shows at most four)."""
    return float(f"{value:.{digits}g}")


def _asked(trial: TrialRecord) -> str:
    """What was asked, as the baseline comparison compares it (the turns' prompts, for a chat)."""
    return "\n\n".join(t.prompt for t in trial.turns) if trial.turns else trial.request.prompt


def _baseline_payload(comparison: BaselineComparison, results: RunResults) -> dict[str, Any]:
    """The comparison without what each trial already says: unchanged trials with no metric change drop."""
    trial_ids = {t.id for t in results.trials}
    data = comparison.model_dump(mode="json", exclude={"trials"})
    first: dict[tuple[str, str, str, str], TrialRecord] = {}
    for trial in results.trials:
        first.setdefault((trial.case_id, trial.prompt_id, trial.model, trial.config_id), trial)
    for case, item in zip(comparison.cases, data["cases"], strict=True):
        now = first.get((case.case_id, case.prompt_id, case.model, case.config_id))
        if case.before_prompt is not None and now is not None:
            item["prompt_diff"] = word_diff(case.before_prompt, _asked(now))
    shown = column_notations((m.metric, v) for m in comparison.metrics for v in (m.before, m.after))
    for metric, item in zip(comparison.metrics, data["metrics"], strict=True):
        notation = shown[metric.metric]
        item["before_text"], item["after_text"] = notation.text(metric.before), notation.text(metric.after)
        item["delta_text"] = interval(metric.delta, sign=True)
    deltas = []
    for delta in comparison.trials:
        if delta.change == "unchanged" and not any(delta.metric_deltas.values()) and not delta.changed:
            continue
        item = delta.model_dump(mode="json", exclude_defaults=True)
        if "metric_deltas" in item:
            item["metric_deltas"] = {k: significant(v) for k, v in item["metric_deltas"].items()}
        if delta.trial_id in trial_ids:  # the trial itself carries case, model, config, prompt and repeat
            keep = ("trial_id", "change", "before_passed", "metric_deltas", "changed", "before_answer")
            item = {k: v for k, v in item.items() if k in keep}
        deltas.append(item)
    data["trials"] = deltas
    return data


def _media_file(source: str, suite_file: str) -> Path | None:
    path = Path(source)
    candidates = [path] if path.is_absolute() else [Path(suite_file).parent / path, path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def media_players(results: RunResults) -> dict[str, str]:
    """sha256 -> data: URI for small local audio and video files whose content still matches the recorded hash."""
    out: dict[str, str] = {}
    budget = MEDIA_EMBED_BUDGET_BYTES
    for trial in results.trials:
        for media in trial.media:
            sha = media.sha256
            if not sha or sha in out or not (media.mime_type or "").startswith(PLAYABLE):
                continue
            if media.size_bytes is not None and media.size_bytes > MEDIA_EMBED_MAX_BYTES:
                continue
            path = _media_file(media.source, results.run.suite_file)
            if path is None or path.stat().st_size > min(MEDIA_EMBED_MAX_BYTES, budget):
                continue
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != sha:
                continue
            budget -= len(data)
            out[sha] = f"data:{media.mime_type};base64,{base64.b64encode(data).decode('ascii')}"
    return out


def _summary_payload(rows: list[SummaryRow], shown: dict[str, Notation]) -> list[dict[str, Any]]:
    """Summary rows with the texts the table shows, formatted as every report formats them."""
    cost = notation_for(row.cost_usd for row in rows)
    out = []
    for row in rows:
        item = row.model_dump(mode="json", exclude_none=True)
        item["pass_text"] = percent_interval(row.pass_rate, row.pass_rate_ci)
        item["cost_text"] = usd(row.cost_usd, cost)
        for metric, data in zip(row.metrics, item["metrics"], strict=True):
            data["text"] = interval(metric.mean, metric.ci_low, metric.ci_high, shown.get(metric.metric))
            if metric.corpus is not None:
                corpus = metric.corpus
                data["corpus"]["text"] = interval(corpus.value, corpus.ci_low, corpus.ci_high, shown.get(corpus.name))
        out.append(item)
    return out


def _comparisons_payload(results: RunResults) -> list[dict[str, Any]]:
    sides = column_notations((c.metric, v) for c in results.comparisons for v in (c.a_value, c.b_value))
    out = []
    for c in results.comparisons:
        item = c.model_dump(mode="json")
        item["a_text"], item["b_text"] = sides[c.metric].text(c.a_value), sides[c.metric].text(c.b_value)
        item["diff_text"] = interval(c.mean_diff, c.ci_low, c.ci_high, sign=True)
        out.append(item)
    return out


def _notations(results: RunResults) -> dict[str, dict[str, int]]:
    """Per metric, the notation of its values (the summary's column, or over the trials' own values)."""
    shown = summary_notations(results.summary)
    values = column_notations((s.metric, s.value) for t in results.trials for s in t.scores if s.metric not in shown)
    return {name: notation.as_json() for name, notation in {**values, **shown}.items()}


def config_text(config: dict[str, Any]) -> str:
    """``max_output_tokens 256 · temperature 1.0``: keys bare, each value as JSON writes it (types kept)."""
    return " · ".join(f"{k} {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(config.items())) or "defaults"


def report_payload(results: RunResults, ctx: ReportContext, embed_media: bool = True) -> dict[str, Any]:
    texts = _Texts()
    trials = [_trial_payload(t, texts) for t in results.trials]
    baseline = baseline_of(results, ctx)
    run = results.run.model_dump(mode="json")
    run["config_texts"] = {cid: config_text(cfg) for cid, cfg in results.run.configs.items()}
    return {
        "schema_version": results.schema_version,
        "run": run,
        "summary": _summary_payload(results.summary, summary_notations(results.summary)),
        "notations": _notations(results),
        "comparisons": _comparisons_payload(results),
        "power": [p.model_dump(mode="json") for p in results.power],
        # The case verdicts (repeats judged together, with min_pass_rate): the matrix cells show them.
        "cases": [v.model_dump(mode="json", exclude_none=True) for v in results.cases],
        "verdict": results.verdict.model_dump(mode="json"),
        "baseline": None if baseline is None else _baseline_payload(baseline, results),
        "texts": texts.items,
        "trials": trials,
        "methods": [{"metric": metric, "method": text} for metric, text in scoring_methods(results)],
        "players": media_players(results) if embed_media else {},
    }


def csp_for(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; "
        f"script-src 'sha256-{digest}'; "
        "style-src 'unsafe-inline'; img-src data:; media-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def report_script() -> str:
    """The report's script: every part in one function scope (strict mode), in :data:`SCRIPTS` order, started
    with the run's data by the loader (``report-load.js``)."""
    parts = "\n".join(asset(name) for name in SCRIPTS)
    loader = asset("report-load.js")
    return f'(function () {{\n"use strict";\n{loader}\nfunction report(DATA) {{\n{parts}\n}}\nreadData(report);\n}})();'


def embed_data(value: Any) -> tuple[str, str]:
    """The run's data for the page: the ``<script>`` element's attributes and its text. Plain JSON
    (:func:`embed_json`) up to :data:`COMPRESS_ABOVE_BYTES`; above that, gzip (deterministic: no timestamp) in
    base64, which the page unpacks with DecompressionStream: a 10,000-trial run is a few MB instead of 18."""
    text = embed_json(value)
    if len(text) <= COMPRESS_ABOVE_BYTES:
        return 'type="application/json"', text
    packed = base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)).decode("ascii")
    return 'type="application/gzip" data-encoding="gzip-base64"', packed


_DATA_BLOCK = re.compile(r'<script ([^>]*)id="harness-data">(.*?)</script>', re.S)


def read_embedded_data(page: str) -> Any:
    """The run embedded in a report.html written by this reporter (either encoding): for tools and tests."""
    match = _DATA_BLOCK.search(page)
    if match is None:
        raise ValueError("no harness-data block: not a harness report")
    attributes, text = match.groups()
    if 'data-encoding="gzip-base64"' in attributes:
        text = gzip.decompress(base64.b64decode(text)).decode("utf-8")
    return json.loads(text)


def render_html(results: RunResults, ctx: ReportContext, embed_media: bool = True) -> str:
    # The script element's content is "\n" + js + "\n" (see the template); the CSP hash covers exactly that.
    script = report_script()
    attributes, data = embed_data(report_payload(results, ctx, embed_media))
    values = {
        "NOSCRIPT": static_report(results),
        "CSS": asset("report.css"),
        "JS": script,
        "DATA_ATTRS": attributes,
        "DATA": data,
        "TITLE": html.escape(f"harness · {results.run.suite} · {results.run.id}"),
        "VERSION": html.escape(harness_version),
        "CSP": html.escape(csp_for("\n" + script + "\n")),
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], asset("report.html"))


class HtmlReporter(Reporter):
    name = "html"
    description = "report.html: a self-contained interactive report (no network, works from file://)"
    filename = "report.html"

    def write(self, results: RunResults, ctx: ReportContext) -> Path:
        return write_atomic(ctx.out_dir / self.filename, render_html(results, ctx))
