"""Ducking the score under dialogue, as a re-recording mixer rides the music: down by `depth_db`
while people speak (held through pauses shorter than a down-and-up), easing down just before each
line (attack) and back up after it (release) on raised-cosine ramps, so the music breathes rather
than steps."""

from __future__ import annotations

import numpy as np

DEPTH_DB, ATTACK_S, RELEASE_S = 10.0, 0.3, 0.8


def duck_curve(regions: list[tuple[float, float]], n_samples: int, sample_rate: int, depth_db: float = DEPTH_DB,
               attack_s: float = ATTACK_S, release_s: float = RELEASE_S, first: int = 0) -> np.ndarray:  # fmt: skip
    """A gain per sample for samples [first, first + n_samples): 1 away from speech, 10^(-depth/20) under
    it, cosine ramps in between (a block of a long programme is computed alone)."""
    floor = 10 ** (-depth_db / 20)
    held: list[tuple[float, float]] = []
    for start, end in sorted(regions):  # stay down through pauses too short to come back up and go down again
        if held and start - held[-1][1] < attack_s + release_s:
            held[-1] = (held[-1][0], max(end, held[-1][1]))
        else:
            held.append((start, end))
    depth = np.zeros(n_samples, dtype=np.float64)  # 0 = full level, 1 = fully ducked
    for start, end in held:  # each region touches only its own span, from attack to release
        lo = min(n_samples, max(0, int(np.floor((start - attack_s) * sample_rate)) - first))
        hi = min(n_samples, max(lo, int(np.ceil((end + release_s) * sample_rate)) + 1 - first))
        t = (first + np.arange(lo, hi)) / sample_rate
        into = np.clip((t - (start - attack_s)) / attack_s, 0, 1)
        out_of = np.clip(((end + release_s) - t) / release_s, 0, 1)
        shape = np.minimum(into, out_of)
        depth[lo:hi] = np.maximum(depth[lo:hi], 0.5 - 0.5 * np.cos(np.pi * shape))
    return (1.0 - depth * (1.0 - floor)).astype(np.float32)
