"""Key finding by correlating a duration-weighted pitch-class profile with Krumhansl-Kessler key profiles."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from cuecraft.theory import Key

# Probe-tone ratings, Krumhansl & Kessler (1982), as used by Krumhansl-Schmuckler key finding.
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def pitch_class_profile(notes: Iterable[tuple[int, float]]) -> np.ndarray:
    """Sum of durations per pitch class for (midi pitch, duration) pairs."""
    profile = np.zeros(12)
    for pitch, duration in notes:
        profile[pitch % 12] += duration
    return profile


def key_scores(profile: np.ndarray) -> dict[Key, float]:
    """Pearson correlation of the profile with each of the 24 rotated key profiles."""
    scores: dict[Key, float] = {}
    if not profile.any() or np.allclose(profile, profile[0]):
        return scores
    for tonic in range(12):
        for mode, template in (("major", KK_MAJOR), ("minor", KK_MINOR)):
            scores[Key(tonic, mode)] = float(np.corrcoef(profile, np.roll(template, tonic))[0, 1])
    return scores


def estimate_key(profile: np.ndarray) -> tuple[Key, float]:
    """The best-correlating key and its correlation; C major with 0.0 for an empty or flat profile."""
    scores = key_scores(profile)
    if not scores:
        return Key(0, "major"), 0.0
    best = max(scores, key=scores.__getitem__)
    return best, scores[best]
