"""Transitions between cues in the mix, as a music editor rides them: where one cue runs straight into
the next (a segue), the incoming cue may not enter more than MAX_STEP_DB above where the outgoing one
left off; if it would, it comes in that much lower and rises to its own level over RIDE_S."""

from __future__ import annotations

import numpy as np

from cuecraft.project import Cue

MAX_STEP_DB = 5.0  # the most the level may rise at a segue (an audible step begins around 6 dB)
RIDE_S = 3.0  # how long the incoming cue takes to reach its own level
MAX_RIDE_DB = 12.0  # the most the incoming cue is held down: further, and its entrance would be a hole
WINDOW_S, SPAN_S = 0.1, 1.0  # level windows, and how much of each cue's edge is measured


def runs_into(previous: Cue | None, cue: Cue) -> bool:
    """Whether `previous` is a segue that ends where `cue` begins."""
    take = previous.chosen_take() if previous is not None and previous.music else None
    return take is not None and take.settings.ending == "segue" and previous.end_frame == cue.start_frame


def _levels_db(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    window = max(1, round(WINDOW_S * sample_rate))
    n = audio.shape[1] // window * window
    power = np.mean(audio[:, :n].reshape(audio.shape[0], -1, window) ** 2, axis=(0, 2))
    return 10 * np.log10(power + 1e-12)


def ride_in(incoming: np.ndarray, outgoing: np.ndarray, outgoing_length: int, sample_rate: int) -> np.ndarray:
    """Gain per sample for the incoming cue (channels x n) after `outgoing` (its audio, whose out point
    is at sample `outgoing_length`): 1 unless the incoming opening is more than MAX_STEP_DB louder than
    the outgoing ending (the incoming's loud moments against the outgoing's median level), else a raised-cosine
    rise from the level that keeps the step at MAX_STEP_DB (held down MAX_RIDE_DB at most)."""
    span = round(SPAN_S * sample_rate)
    before = _levels_db(outgoing[:, max(0, outgoing_length - span) : outgoing_length], sample_rate)
    after = _levels_db(incoming[:, :span], sample_rate)
    gain = np.ones(incoming.shape[1], dtype=np.float32)
    if not before.size or not after.size:
        return gain
    excess = min(MAX_RIDE_DB, float(np.percentile(after, 90) - np.median(before)) - MAX_STEP_DB)
    if excess <= 0:
        return gain
    ride = min(incoming.shape[1], round(RIDE_S * sample_rate))
    rise = 0.5 - 0.5 * np.cos(np.pi * np.arange(ride) / ride)
    floor = 10 ** (-excess / 20)
    gain[:ride] = (floor + (1 - floor) * rise).astype(np.float32)
    return gain
