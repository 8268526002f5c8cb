"""Humanisation: the small, deterministic unevenness of players — each part a few milliseconds early
or late and a little louder or softer, chords struck together — with hit points left exact, and
nothing pushed before its bar line or the cue's start."""

from __future__ import annotations

import numpy as np

TIMING_SD, TIMING_LIMIT = 0.006, 0.015  # seconds
VELOCITY_SD, VELOCITY_LIMIT = 3.0, 6


def timing_offsets(onsets: list[float], seed: int, part_index: int, hits: tuple[float, ...], beats_per_bar: int) -> dict[float, float]:
    """Seconds to move each distinct onset (in beats) of one part: one draw per onset, so a chord
    stays together; zero on hit points; never earlier than a bar line on it (or the cue's start)."""
    rng = np.random.default_rng([abs(seed), part_index, 1])
    offsets = {}
    for onset in sorted(set(onsets)):
        shift = float(np.clip(rng.normal(0.0, TIMING_SD), -TIMING_LIMIT, TIMING_LIMIT))
        if onset in hits:
            shift = 0.0
        elif onset % beats_per_bar == 0:
            shift = abs(shift)
        offsets[onset] = shift
    return offsets


def velocity_changes(count: int, seed: int, part_index: int) -> np.ndarray:
    """A small velocity change for each of `count` notes of one part."""
    rng = np.random.default_rng([abs(seed), part_index, 2])
    return np.clip(np.round(rng.normal(0.0, VELOCITY_SD, count)), -VELOCITY_LIMIT, VELOCITY_LIMIT).astype(int)
