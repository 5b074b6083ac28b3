"""Noisy hypotheses for long-transcript WER tests and the WER benchmark."""

from __future__ import annotations

import random


def add_errors(ref: list[str], vocab: list[str], error_rate: float, rng: random.Random) -> list[str]:
    """A copy of ``ref`` with about ``error_rate`` of its words substituted, deleted or followed by an insertion."""
    hyp: list[str] = []
    for word in ref:
        roll = rng.random()
        if roll < error_rate / 2:
            hyp.append(rng.choice(vocab))
        elif roll < error_rate * 3 / 4:
            continue
        elif roll < error_rate:
            hyp += [word, rng.choice(vocab)]
        else:
            hyp.append(word)
    return hyp
