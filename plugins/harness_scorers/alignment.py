"""Edit-distance alignment of token sequences: the same answer as jiwer, fast on very long inputs.

jiwer 4 aligns with ``rapidfuzz.distance.Levenshtein.opcodes`` on word ids, which is O(N*M/64): one
100,000-word pair takes about 2 s. For long pairs we cut both sequences at *anchors* (runs of
``ANCHOR_LEN`` tokens that occur exactly once in each sequence, kept in increasing order on both
sides), align the gaps between anchors with the very call jiwer makes, and then *prove* the joined
alignment optimal: its cost must equal the true edit distance, which rapidfuzz computes quickly with a
score cutoff (a banded algorithm). When the proof fails we align the whole pair in one call, as jiwer
does. So the error total (and the WER) is always exactly jiwer's; short pairs take jiwer's own path.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

#: Pairs smaller than this (len(ref) * len(hyp)) are aligned in one call, exactly as jiwer does.
DIRECT_LIMIT = 4_000_000
#: Tokens in an anchor run; words need fewer than characters to be unique.
ANCHOR_LEN_WORDS = 6
ANCHOR_LEN_CHARS = 24
#: Minimum tokens between kept anchors, so gaps are a useful size.
ANCHOR_SPACING = 200

Opcode = tuple[str, int, int, int, int]
#: Opcode tag of a compound match (k words on one side, one on the other; see ``compounds``): a match.
COMPOUND = "compound"


@dataclass
class Alignment:
    """Counts and opcodes (jiwer's tags: equal, replace, delete, insert) over the whole sequences."""

    hits: int = 0
    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0
    reference_length: int = 0
    hypothesis_length: int = 0
    opcodes: list[Opcode] = field(default_factory=list)
    #: True when the anchored (split) path was used and proven optimal.
    chunked: bool = False
    #: True when the error total could not be proven minimal and may be above it (compound-aware
    #: counting of very long pairs only, see ``compounds``).
    upper_bound: bool = False

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    def add(self, ops: list[Opcode], ref_offset: int = 0, hyp_offset: int = 0) -> None:
        """Append opcodes (shifted by the offsets) and count them."""
        for tag, i1, i2, j1, j2 in ops:
            if tag in ("equal", COMPOUND):
                self.hits += i2 - i1
            elif tag == "replace":
                self.substitutions += i2 - i1
            elif tag == "delete":
                self.deletions += i2 - i1
            else:
                self.insertions += j2 - j1
            self.opcodes.append((tag, i1 + ref_offset, i2 + ref_offset, j1 + hyp_offset, j2 + hyp_offset))


def to_ids(reference: Sequence[Hashable], hypothesis: Sequence[Hashable]) -> tuple[list[int], list[int]]:
    """Map tokens to integers (as jiwer's ``_word2int`` does) for rapidfuzz."""
    ids: dict[Hashable, int] = {}
    ref = [ids.setdefault(token, len(ids)) for token in reference]
    hyp = [ids.setdefault(token, len(ids)) for token in hypothesis]
    return ref, hyp


def _opcodes(ref: Sequence[int], hyp: Sequence[int]) -> list[Opcode]:
    return [tuple(op) for op in Levenshtein.opcodes(ref, hyp)]  # type: ignore[misc]


def _unique_runs(seq: list[int], k: int) -> dict[tuple[int, ...], int]:
    runs = list(zip(*(seq[i:] for i in range(k)), strict=False))
    counts = Counter(runs)
    return {run: i for i, run in enumerate(runs) if counts[run] == 1}


def find_anchors(ref: list[int], hyp: list[int], k: int, spacing: int = ANCHOR_SPACING) -> list[tuple[int, int]]:
    """(ref index, hyp index) of unique shared runs of k tokens, increasing on both sides, spaced out."""
    in_ref = _unique_runs(ref, k)
    in_hyp = _unique_runs(hyp, k)
    pairs = sorted((i, in_hyp[run]) for run, i in in_ref.items() if run in in_hyp)
    # Longest chain increasing in hyp index (patience sorting), so the anchors never cross.
    tails: list[int] = []
    tail_index: list[int] = []
    parent = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_index.append(n)
        else:
            tails[pos] = j
            tail_index[pos] = n
        parent[n] = tail_index[pos - 1] if pos else -1
    chain: list[tuple[int, int]] = []
    n = tail_index[-1] if tail_index else -1
    while n >= 0:
        chain.append(pairs[n])
        n = parent[n]
    chain.reverse()
    kept: list[tuple[int, int]] = []
    last_i, last_j = -spacing, -1
    for i, j in chain:
        if i >= last_i + k + spacing and j >= last_j + k:
            kept.append((i, j))
            last_i, last_j = i, j
    return kept


def align(ref: list[int], hyp: list[int], anchor_len: int = ANCHOR_LEN_WORDS) -> Alignment:
    """Align two id sequences; the error total always equals the one-call edit distance."""
    result = Alignment(reference_length=len(ref), hypothesis_length=len(hyp))
    if len(ref) * len(hyp) <= DIRECT_LIMIT:
        result.add(_opcodes(ref, hyp))
        return result
    anchors = find_anchors(ref, hyp, anchor_len)
    if anchors:
        i0 = j0 = 0
        for i, j in [*anchors, (len(ref), len(hyp))]:
            result.add(_opcodes(ref[i0:i], hyp[j0:j]), i0, j0)
            end_i, end_j = min(i + anchor_len, len(ref)), min(j + anchor_len, len(hyp))
            if end_i > i:
                result.add([("equal", 0, end_i - i, 0, end_j - j)], i, j)
            i0, j0 = end_i, end_j
        cost = result.errors
        # distance() with a cutoff returns cutoff + 1 when the distance exceeds the cutoff.
        if cost == 0 or Levenshtein.distance(ref, hyp, score_cutoff=cost - 1, score_hint=cost) >= cost:
            result.chunked = True
            return result
    result = Alignment(reference_length=len(ref), hypothesis_length=len(hyp))
    result.add(_opcodes(ref, hyp))
    return result
