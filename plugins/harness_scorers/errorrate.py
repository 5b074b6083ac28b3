"""Error-rate arithmetic shared by wer, cer, mer and wil: measuring one pair, and corpus totals.

Formulas are jiwer 4's (``N`` = reference length, ``P`` = hypothesis length, ``H`` hits, ``S``/``D``/``I``
substitutions, deletions, insertions): wer = cer = (S+D+I)/N, mer = (S+D+I)/(H+S+D+I),
wil = 1 - (H/N)(H/P) (1 when P = 0).

Empty-reference rule (jiwer 4 would return the raw insertion count as the WER): when the reference has
no words, the value is 0.0 if the hypothesis is empty too and 1.0 otherwise, for every measure. The
corpus figure needs no rule: the insertions count as errors over the other trials' reference words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from harness_scorers import compounds
from harness_scorers.alignment import ANCHOR_LEN_CHARS, ANCHOR_LEN_WORDS, COMPOUND, Alignment, align, to_ids

Measure = Literal["wer", "cer", "mer", "wil"]
Unit = Literal["word", "char"]


@dataclass
class Counts:
    hits: int
    substitutions: int
    deletions: int
    insertions: int
    reference_length: int
    hypothesis_length: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    def value(self, measure: Measure) -> float:
        n, p, h, e = self.reference_length, self.hypothesis_length, self.hits, self.errors
        if n == 0:
            return 0.0 if p == 0 else 1.0
        if measure in ("wer", "cer"):
            return float(e) / float(n)
        if measure == "mer":
            return float(e) / float(h + self.substitutions + self.deletions + self.insertions)
        wip = (float(h) / n) * (float(h) / p) if p >= 1 else 0.0
        return 1 - wip

    def as_dict(self) -> dict[str, int]:
        return {
            "hits": self.hits,
            "substitutions": self.substitutions,
            "deletions": self.deletions,
            "insertions": self.insertions,
            "reference_length": self.reference_length,
            "hypothesis_length": self.hypothesis_length,
        }

    @classmethod
    def total(cls, items: Iterable[Counts]) -> Counts:
        out = cls(0, 0, 0, 0, 0, 0)
        for c in items:
            out.hits += c.hits
            out.substitutions += c.substitutions
            out.deletions += c.deletions
            out.insertions += c.insertions
            out.reference_length += c.reference_length
            out.hypothesis_length += c.hypothesis_length
        return out

    @classmethod
    def from_details(cls, details: dict[str, Any]) -> Counts:
        return cls(
            **{
                k: int(details[k])
                for k in (
                    "hits",
                    "substitutions",
                    "deletions",
                    "insertions",
                    "reference_length",
                    "hypothesis_length",
                )
            }
        )


def tokens(text: str, unit: Unit) -> list[str]:
    """Words (split on whitespace) or characters of whitespace-collapsed text (jiwer's defaults)."""
    return text.split() if unit == "word" else list(" ".join(text.split()))


def measure_pair(
    reference: str, hypothesis: str, unit: Unit, merge_compounds: bool = False
) -> tuple[Counts, Alignment, list[str], list[str]]:
    """Counts and alignment of one pair; ``merge_compounds`` (words only) counts as kaldialign does with it."""
    ref_tokens, hyp_tokens = tokens(reference, unit), tokens(hypothesis, unit)
    if merge_compounds:
        result = compounds.align(ref_tokens, hyp_tokens)
    else:
        ref_ids, hyp_ids = to_ids(ref_tokens, hyp_tokens)
        result = align(ref_ids, hyp_ids, ANCHOR_LEN_WORDS if unit == "word" else ANCHOR_LEN_CHARS)
    counts = Counts(
        result.hits,
        result.substitutions,
        result.deletions,
        result.insertions,
        len(ref_tokens),
        len(hyp_tokens),
    )
    return counts, result, ref_tokens, hyp_tokens


_OPS = {"equal": "equal", "replace": "substitute", "delete": "delete", "insert": "insert", COMPOUND: "equal"}


def alignment_list(result: Alignment, ref: list[str], hyp: list[str]) -> list[dict[str, Any]]:
    """``[{op: equal|substitute|delete|insert, ref: [...], hyp: [...]}]`` with adjacent runs of one op merged.

    A compound match is an ``equal`` entry of its own whose ``ref`` and ``hyp`` differ in length
    (``{"op": "equal", "ref": ["white", "paper"], "hyp": ["whitepaper"]}``)."""
    out: list[dict[str, Any]] = []
    last_tag = ""
    for tag, i1, i2, j1, j2 in result.opcodes:
        op = _OPS[tag]
        if out and out[-1]["op"] == op and COMPOUND not in (tag, last_tag):
            out[-1]["ref"].extend(ref[i1:i2])
            out[-1]["hyp"].extend(hyp[j1:j2])
        else:
            out.append({"op": op, "ref": ref[i1:i2], "hyp": hyp[j1:j2]})
        last_tag = tag
    return out


def corpus(measure: Measure, details: Iterable[dict[str, Any]], key: str | None = None) -> tuple[float, Counts] | None:
    """Corpus figure over many trials' details (``key`` selects a nested record such as ``raw``)."""
    picked = [d.get(key) if key else d for d in details]
    counts = [Counts.from_details(d) for d in picked if isinstance(d, dict) and "hits" in d]
    if not counts:
        return None
    total = Counts.total(counts)
    return total.value(measure), total
