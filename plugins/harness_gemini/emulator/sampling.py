"""Sampling noise: at temperature > 0, generated answers vary the way sampled answers do.

Transcripts and echoes lose, repeat or swap words with a probability proportional to the temperature
(0.06 per word at temperature 1). The noise is seeded by the trial id the harness sends (or, without
one, by the request itself), the generation seed and the model, so a given trial always gets the same
answer while the repeats of a trial differ, as they would at a real sampling temperature. Answers from
the responses file and schema-conforming JSON are never altered.
"""

from __future__ import annotations

import hashlib
import random

#: Chance that a word is changed, per unit of temperature.
RATE_PER_UNIT = 0.06


def sample(text: str, temperature: float | None, *, trial_id: str, seed: int | None, model: str, prompt: str) -> str:
    if not temperature or temperature <= 0 or not text:
        return text
    words = text.split()
    if len(words) < 2:
        return text
    key = f"{trial_id or prompt}|{seed}|{model}|{temperature}".encode()
    rng = random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))
    rate = min(0.5, RATE_PER_UNIT * temperature)
    out: list[str] = []
    for word in words:
        roll = rng.random()
        if roll < rate / 3:
            continue  # dropped
        if roll < 2 * rate / 3:
            out += [word, word]  # repeated
        elif roll < rate:
            out.append(rng.choice(words))  # another word of the answer
        else:
            out.append(word)
    return " ".join(out) if out else words[0]
