"""Compound-aware word alignment, as the Open ASR Leaderboard counts errors: kaldialign, ``merge_compounds=True``.

With ``merge_compounds`` adjacent words on one side that spell, joined, one word of the other side are a
match at no cost (``white paper`` / ``whitepaper``: no error, both reference words are hits). kaldialign's
dynamic programme costs about 0.15 µs per (reference word x answer word) cell, so:

- pairs up to ``DIRECT_LIMIT`` cells: one kaldialign call, exactly the leaderboard's ``batch_error_rate``;
- longer pairs: first the words that could take part in a compound at all (a word of one side spelled by
  joining neighbours on the other, and those neighbours). With none, the plain edit distance (``alignment``,
  exact and fast) is the compound-aware one. Otherwise those words are taken out of both texts and the rest
  is aligned plainly; where that alignment agrees on runs of words that are neighbours in the whole texts
  too, the middles of the runs count as hits, and every stretch between them (with ``MARGIN`` agreeing
  words either side, and all the compound words) goes to kaldialign. The sum is never below kaldialign's
  one-call total, and the plain distance of the rest never above it: a compound-aware alignment, its
  compound words taken out, is a plain alignment of the rest costing no more. When the two meet, the total
  is proven kaldialign's. Otherwise (errors on words that could be parts of compounds) pairs up to
  ``FULL_LIMIT`` cells get one kaldialign call; beyond that the sum is kept and marked ``upper_bound`` (a
  stretch above ``PIECE_LIMIT`` cells is aligned plainly, which is never cheaper).

The split of a long pair's errors into substitutions, deletions and insertions can differ from one
kaldialign call where two alignments cost the same; the total cannot (unless marked ``upper_bound``).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence

import kaldialign

from harness_scorers.alignment import COMPOUND, Alignment, Opcode, to_ids
from harness_scorers.alignment import align as plain_align

KALDIALIGN_VERSION = importlib.metadata.version("kaldialign")
#: Pairs up to this many cells (len(ref) * len(hyp)) are aligned in one kaldialign call (about 40 ms).
DIRECT_LIMIT = 250_000
#: An unproven piecewise pair up to this many cells is aligned again in one kaldialign call (4,000 x 4,000
#: words: about 1.5 s and 270 MB).
FULL_LIMIT = 16_000_000
#: A piece (a stretch of disagreement) larger than this is aligned plainly instead of by kaldialign.
PIECE_LIMIT = 4_000_000
#: Agreeing words kept on each side of a disagreement, so a compound next to it is still seen.
MARGIN = 4
_EPS = ""  # kaldialign's gap symbol: no word is empty


def _opcodes(pairs: Sequence[tuple[str, str]], i: int, j: int) -> list[Opcode]:
    """kaldialign's (ref, hyp) pairs as opcodes from (i, j); a compound pair holds space-joined words."""
    out: list[Opcode] = []
    for ref, hyp in pairs:
        di = 0 if ref == _EPS else ref.count(" ") + 1
        dj = 0 if hyp == _EPS else hyp.count(" ") + 1
        if di == 0:
            tag = "insert"
        elif dj == 0:
            tag = "delete"
        elif di > 1 or dj > 1:
            tag = COMPOUND
        else:
            tag = "equal" if ref == hyp else "replace"
        last = out[-1] if out else None
        if last is not None and last[0] == tag and tag != COMPOUND:
            out[-1] = (tag, last[1], i + di, last[3], j + dj)
        else:
            out.append((tag, i, i + di, j, j + dj))
        i, j = i + di, j + dj
    return out


def _kaldi(result: Alignment, ref: list[str], hyp: list[str], i: int = 0, j: int = 0) -> None:
    result.add(_opcodes(kaldialign.align(ref, hyp, _EPS, merge_compounds=True), i, j))


def _agreements(ops: list[Opcode], ref_keep: list[int], hyp_keep: list[int]) -> list[tuple[int, int, int]]:
    """(i, j, length): runs where both whole texts agree word for word, from the equal runs of the alignment
    of what is left when compound words are taken out (``ref_keep``/``hyp_keep``: the original positions)."""
    out: list[tuple[int, int, int]] = []
    for tag, a1, a2, b1, _ in ops:
        if tag != "equal":
            continue
        start = a1
        for t in range(a1 + 1, a2 + 1):
            u = b1 + t - a1
            if t == a2 or ref_keep[t] != ref_keep[t - 1] + 1 or hyp_keep[u] != hyp_keep[u - 1] + 1:
                out.append((ref_keep[start], hyp_keep[b1 + start - a1], t - start))
                start = t
    return out


def _spans(runs: list[tuple[int, int, int]], n: int, m: int) -> list[tuple[bool, int, int, int, int]]:
    """(agreeing?, i1, i2, j1, j2) covering both texts: the middles of agreeing runs (``MARGIN`` words kept
    on each side for their neighbours) and the stretches between them."""
    out: list[tuple[bool, int, int, int, int]] = []
    i0 = j0 = 0
    for i, j, length in runs:
        left = 0 if i == j == 0 else MARGIN
        right = 0 if (i + length, j + length) == (n, m) else MARGIN
        if length <= left + right:
            continue
        if i + left > i0 or j + left > j0:
            out.append((False, i0, i + left, j0, j + left))
        i0, j0 = i + length - right, j + length - right
        out.append((True, i + left, i0, j + left, j0))
    if i0 < n or j0 < m:
        out.append((False, i0, n, j0, m))
    return out


def compound_words(ref: list[str], hyp: list[str]) -> set[str]:
    """Every word that could be part of a compound match: joined neighbours on one side spelling a word of
    the other, both the neighbours and the word."""
    found: set[str] = set()
    for one, other in ((ref, hyp), (hyp, ref)):
        targets = set(other)
        # Strict prefixes of the other side's words: a join that is none of them cannot grow into one.
        prefixes = {word[:k] for word in targets for k in range(1, len(word))}
        for start, first in enumerate(one):
            joined = first
            end = start + 1
            while joined in prefixes and end < len(one):
                joined += one[end]
                end += 1
                if joined in targets:
                    found.add(joined)
                    found.update(one[start:end])
    return found


def align(ref: list[str], hyp: list[str]) -> Alignment:
    """Compound-aware alignment of two word lists: kaldialign's counts (see the module docstring)."""
    result = Alignment(reference_length=len(ref), hypothesis_length=len(hyp))
    if len(ref) * len(hyp) <= DIRECT_LIMIT:
        _kaldi(result, ref, hyp)
        return result
    loose = compound_words(ref, hyp)
    if not loose:  # no compound can form: the plain edit distance is the compound-aware one
        return plain_align(*to_ids(ref, hyp))
    ref_keep = [i for i, word in enumerate(ref) if word not in loose]
    hyp_keep = [j for j, word in enumerate(hyp) if word not in loose]
    rest = plain_align(*to_ids([ref[i] for i in ref_keep], [hyp[j] for j in hyp_keep]))
    for agreeing, i1, i2, j1, j2 in _spans(_agreements(rest.opcodes, ref_keep, hyp_keep), len(ref), len(hyp)):
        if agreeing:
            result.add([("equal", i1, i2, j1, j2)])
        elif (i2 - i1) * (j2 - j1) <= PIECE_LIMIT:
            _kaldi(result, ref[i1:i2], hyp[j1:j2], i1, j1)
        else:  # too big for kaldialign: the plain alignment, which is never cheaper, stands in
            piece = plain_align(*to_ids(ref[i1:i2], hyp[j1:j2]))
            result.add(piece.opcodes, i1, j1)
    result.chunked = True
    # ``rest.errors`` (exact) is a lower bound of the compound-aware total, ``result.errors`` an upper one.
    if result.errors <= rest.errors:
        return result
    if len(ref) * len(hyp) <= FULL_LIMIT:
        result = Alignment(reference_length=len(ref), hypothesis_length=len(hyp))
        _kaldi(result, ref, hyp)
        return result
    result.upper_bound = True
    return result
