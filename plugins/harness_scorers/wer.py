"""The transcript error-rate family: ``wer``, ``cer``, ``mer`` and ``wil`` (jiwer 4 definitions)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, model_validator

from harness.api import (
    CheckContext,
    MetricKind,
    RatioOfSums,
    Reason,
    Score,
    ScoreContext,
    Scorer,
    ScoreResult,
    ScorerOptions,
    UserError,
    seconds,
)
from harness_scorers import errorrate, method, subtitles
from harness_scorers.normalisers import NormaliserName, collapse, normalise_pair
from harness_scorers.templated import check_file, read_file, render


class ErrorRateOptions(ScorerOptions):
    reference: str | None = None
    """The reference transcript (usually a template such as "{{ reference }}")."""
    reference_file: str | None = None
    """A UTF-8 text file holding the reference transcript."""
    reference_subtitles: str | None = None
    """An SRT or WebVTT file; with ``start``/``end`` only the cues in that window are used."""
    start: str | float | None = None
    """Window bounds as "MM:SS", "H:MM:SS" or seconds (templates allowed)."""
    end: str | float | None = None
    """End of the window, as "MM:SS", "H:MM:SS" or seconds (templates allowed)."""
    window: subtitles.WindowRule = "inside"
    """Which cues count as inside the window: inside (wholly), overlap, midpoint."""
    normaliser: NormaliserName = "basic"
    """How both texts are normalised before comparing: none, basic (lower case, no punctuation), whisper
    (Whisper's English normaliser), ..."""
    merge_compounds: bool | None = None
    """Count as kaldialign does with merge_compounds=True: adjacent words that spell one word of the other text
    when joined are a match (words only). Unset: on with ``open_asr_2026``, off otherwise."""
    substitutions: dict[str, str] = Field(default_factory=dict)
    """Whole-word (or phrase) replacements applied after normalisation to both texts."""
    max: float | None = Field(default=None, ge=0)
    """Pass when the (normalised) value is at most this."""
    alignment: bool = True
    """Keep the word-by-word alignment in the details (for the HTML diff)."""

    @model_validator(mode="after")
    def _one_reference(self) -> ErrorRateOptions:
        given = [n for n in ("reference", "reference_file", "reference_subtitles") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'reference', 'reference_file' or 'reference_subtitles'"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if (self.start is not None or self.end is not None) and self.reference_subtitles is None:
            raise ValueError("'start' and 'end' need 'reference_subtitles'")
        for bound in (self.start, self.end):
            if isinstance(bound, str) and "{{" not in bound:
                try:
                    seconds(bound)
                except ValueError:
                    raise ValueError(f"not a time: {bound!r} (use MM:SS, H:MM:SS or seconds)") from None
        return self


class ErrorRateScorer(Scorer):
    """Shared implementation; subclasses pick the measure and the unit."""

    higher_is_better = False
    metric_kind: ClassVar[MetricKind] = "continuous"  # a rate, but no proportion: insertions push it past 1

    Options: ClassVar[type[ScorerOptions]] = ErrorRateOptions
    measure: ClassVar[errorrate.Measure] = "wer"
    unit: ClassVar[errorrate.Unit] = "word"

    @property
    def opts(self) -> ErrorRateOptions:
        assert isinstance(self.options, ErrorRateOptions)
        return self.options

    @property
    def merge_compounds(self) -> bool:
        """The counting rule in force: the option, or its default for the normaliser."""
        if self.opts.merge_compounds is not None:
            return self.opts.merge_compounds
        return self.unit == "word" and self.opts.normaliser == "open_asr_2026"

    def check(self, ctx: CheckContext) -> list[str]:
        if self.unit != "word" and self.opts.merge_compounds:
            return [f"merge_compounds joins words, and {self.name} counts characters (remove the option)"]
        return check_file("reference_file", self.opts.reference_file, ctx.resolve_path) + check_file(
            "reference_subtitles", self.opts.reference_subtitles, ctx.resolve_path
        )

    def _bound(self, ctx: ScoreContext, value: str | float | None) -> float | None:
        if value is None:
            return None
        text = render(ctx, value) if isinstance(value, str) else value
        try:
            return seconds(text)
        except ValueError:
            raise UserError(f"{self.name}: not a time: {text!r} (use MM:SS, H:MM:SS or seconds)") from None

    def reference(self, ctx: ScoreContext) -> tuple[str, str]:
        """(reference text, where it came from)."""
        o = self.opts
        if o.reference is not None:
            return render(ctx, o.reference), "reference"
        if o.reference_file is not None:
            path, text = read_file(ctx, "reference_file", o.reference_file)
            return text, path.name
        assert o.reference_subtitles is not None
        path = ctx.resolve_path(render(ctx, o.reference_subtitles))
        start, end = self._bound(ctx, o.start), self._bound(ctx, o.end)
        try:
            text = subtitles.reference_text(path, start, end, o.window)
        except subtitles.SubtitleError as exc:
            raise UserError(f"reference_subtitles: {exc}") from exc
        window = "" if start is None and end is None else f" [{start or 0:g}s, {'end' if end is None else f'{end:g}s'}]"
        return text, f"{path.name}{window} ({o.window})"

    async def score(self, ctx: ScoreContext) -> Score:
        o = self.opts
        reference, source = self.reference(ctx)
        answer = ctx.output.text or ""
        ref_n, hyp_n = normalise_pair(reference, answer, o.normaliser, o.substitutions)
        merge = self.merge_compounds
        counts, result, ref_tokens, hyp_tokens = errorrate.measure_pair(ref_n, hyp_n, self.unit, merge)
        value = counts.value(self.measure)
        if o.normaliser == "none" and not o.substitutions and not merge:
            raw_counts = counts
        else:
            raw_counts = errorrate.measure_pair(collapse(reference), collapse(answer), self.unit)[0]
        details: dict[str, Any] = {
            "measure": self.measure,
            "unit": self.unit,
            "normaliser": o.normaliser,
            **method.describe(self.measure, self.unit, o.normaliser, merge, bool(o.substitutions)),
            "reference_source": source,
            "reference": ref_n,
            "hypothesis": hyp_n,
            **counts.as_dict(),
            "errors": counts.errors,
            "reference_words": len(ref_n.split()),
            # hits + substitutions + deletions + insertions: the denominator of corpus MER.
            "alignment_length": counts.hits + counts.errors,
            "hypothesis_words": len(hyp_n.split()),
            "value": value,
            "raw": {
                "normaliser": "none",
                "merge_compounds": False,
                "value": raw_counts.value(self.measure),
                **raw_counts.as_dict(),
            },
        }
        if o.substitutions:
            details["applied_substitutions"] = dict(o.substitutions)
        if counts.reference_length == 0:
            details["empty_reference"] = True
            details["note"] = "empty reference: value is 0 for an empty answer and 1 otherwise"
        if ctx.output.text is None:
            details["no_text"] = f"the answer had no text (finish_reason {ctx.output.finish_reason})"
        if result.chunked:
            details["chunked"] = True
        if result.upper_bound:
            details["upper_bound"] = True
            details["note"] = (
                "a very long pair scored in pieces: the compound-aware error count could not be proven "
                "minimal, so it may be above kaldialign's (never above the plain count)"
            )
        if o.alignment:
            details["alignment"] = errorrate.alignment_list(result, ref_tokens, hyp_tokens)
        passed = True if o.max is None else value <= o.max
        reason = None
        if o.max is not None:
            details["max"] = o.max
            if not passed:
                note = "the answer had no text" if ctx.output.text is None else None
                reason = Reason(measured=self.name, got=value, op=">", limit="max", expected=o.max, note=note)
        return Score(value=value, passed=passed, details=details, reason=reason)

    @classmethod
    def aggregate(cls, results: list[ScoreResult]) -> dict[str, float]:
        """Error and reference totals, the corpus figure without normalisation (``_raw``), and the mean.

        Where the corpus figure is a ratio of sums (wer, cer, mer) the scorer declares it in ``corpus`` and the
        core computes it, with its interval; wil (1 - (H/N)(H/P)) is no ratio of sums and is computed here.
        """
        out = super().aggregate(results)
        details = [r.details for r in results if r.error is None and r.value is not None]
        norm = errorrate.corpus(cls.measure, details)
        if norm is not None:
            value, total = norm
            if cls.corpus is None:
                out[f"corpus_{cls.name}"] = value
            out["errors"] = float(total.errors)
            out["reference_length"] = float(total.reference_length)
        raw = errorrate.corpus(cls.measure, details, "raw")
        if raw is not None:
            out[f"corpus_{cls.name}_raw"] = raw[0]
        return out


class WerScorer(ErrorRateScorer):
    name = "wer"
    description = "Word error rate of a transcript against a reference (jiwer 4), with normalisers"
    measure = "wer"
    unit = "word"
    corpus = RatioOfSums("corpus_wer", "errors", "reference_length")


class CerScorer(ErrorRateScorer):
    name = "cer"
    description = "Character error rate of a transcript against a reference (jiwer 4)"
    measure = "cer"
    unit = "char"
    corpus = RatioOfSums("corpus_cer", "errors", "reference_length")


class MerScorer(ErrorRateScorer):
    name = "mer"
    description = "Match error rate of a transcript against a reference (jiwer 4)"
    measure = "mer"
    unit = "word"
    corpus = RatioOfSums("corpus_mer", "errors", "alignment_length")


class WilScorer(ErrorRateScorer):
    name = "wil"
    description = "Word information lost of a transcript against a reference (jiwer 4)"
    measure = "wil"
    unit = "word"
