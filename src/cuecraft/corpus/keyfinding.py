"""Key finding: correlate a duration-weighted pitch-class profile with 24 rotated key profiles.

Default profiles are Aarden-Essen (Aarden 2003, from the Essen folksong collection; music21's default
too): on Bach chorales they confuse tonic and dominant far less than Krumhansl-Kessler (1982) probe-
tone ratings, which remain selectable (bench/key_accuracy.py compares both).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from cuecraft.theory import Key

PROFILES: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "aarden-essen": (
        np.array([17.7661, 0.145624, 14.9265, 0.160186, 19.8049, 11.3587, 0.291248, 22.062, 0.145624, 8.15494, 0.232998, 4.95122]),
        np.array([18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362, 0.702494, 18.6161, 4.56621, 1.93186, 7.37619, 1.75623]),
    ),
    "krumhansl-kessler": (
        np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]),
        np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]),
    ),
}
DEFAULT_PROFILES = "aarden-essen"


def pitch_class_profile(notes: Iterable[tuple[int, float]]) -> np.ndarray:
    """Sum of durations per pitch class for (midi pitch, duration) pairs."""
    profile = np.zeros(12)
    for pitch, duration in notes:
        profile[pitch % 12] += duration
    return profile


def key_scores(profile: np.ndarray, profiles: str = DEFAULT_PROFILES) -> dict[Key, float]:
    """Pearson correlation of the profile with each of the 24 rotated key profiles."""
    scores: dict[Key, float] = {}
    if not profile.any() or np.allclose(profile, profile[0]):
        return scores
    major, minor = PROFILES[profiles]
    for tonic in range(12):
        for mode, template in (("major", major), ("minor", minor)):
            scores[Key(tonic, mode)] = float(np.corrcoef(profile, np.roll(template, tonic))[0, 1])
    return scores


def estimate_key(profile: np.ndarray, profiles: str = DEFAULT_PROFILES) -> tuple[Key, float]:
    """The best-correlating key and its correlation; C major with 0.0 for an empty or flat profile."""
    scores = key_scores(profile, profiles)
    if not scores:
        return Key(0, "major"), 0.0
    best = max(scores, key=scores.__getitem__)
    return best, scores[best]
