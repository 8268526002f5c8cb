"""Key finding: correlate a duration-weighted pitch-class profile with 24 rotated key profiles, for a
whole piece (its global key) or beat by beat over a window (local keys from the notes alone, smoothed by
a Viterbi path; with chords, corpus.local_key_model follows the keys chord by chord).

Default profiles are Aarden-Essen (Aarden 2003, from the Essen folksong collection; music21's default
too): on Bach chorales they confuse tonic and dominant far less than Krumhansl-Kessler (1982) probe-
tone ratings, which remain selectable (bench/key_accuracy.py compares both).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from cuecraft.corpus.viterbi import best_path
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
KEYS = [Key(tonic, mode) for tonic in range(12) for mode in ("major", "minor")]  # the 24 keys, in the order scores are given
LOCAL_WINDOW_BEATS = 16.0  # the span of music a local key is heard from: four 4/4 bars
SWITCH_COST = 1.5  # correlation given up per key change on the local-key path (about 1.5 beats of evidence)


def pitch_class_profile(notes: Iterable[tuple[int, float]]) -> np.ndarray:
    """Sum of durations per pitch class for (midi pitch, duration) pairs."""
    profile = np.zeros(12)
    for pitch, duration in notes:
        profile[pitch % 12] += duration
    return profile


def key_scores(profile: np.ndarray, profiles: str = DEFAULT_PROFILES) -> dict[Key, float]:
    """Pearson correlation of the profile with each of the 24 rotated key profiles."""
    if not profile.any() or np.allclose(profile, profile[0]):
        return {}
    return dict(zip(KEYS, map(float, key_correlations(np.asarray(profile, float)[None], profiles)[0])))


def estimate_key(profile: np.ndarray, profiles: str = DEFAULT_PROFILES) -> tuple[Key, float]:
    """The best-correlating key and its correlation; C major with 0.0 for an empty or flat profile."""
    scores = key_scores(profile, profiles)
    if not scores:
        return Key(0, "major"), 0.0
    best = max(scores, key=scores.__getitem__)
    return best, scores[best]


@dataclass(frozen=True)
class TimedKey:
    """A key in force from `start` to `end` (beats)."""

    start: float
    end: float
    key: Key


def key_at(keys: Sequence[TimedKey], beat: float) -> Key | None:
    """The key in force at `beat` (None outside the spans)."""
    return next((k.key for k in keys if k.start <= beat < k.end), None)


def beat_profiles(notes: Iterable[tuple[float, float, int]]) -> np.ndarray:
    """(beats, 12): each beat's sounding time per pitch class, for (onset, duration, pitch) notes in beats
    (a note touching a beat counts at least 0.05 there, so a short note is not lost)."""
    notes = list(notes)
    if not notes:
        return np.zeros((0, 12))
    n_beats = max(1, int(np.ceil(max(onset + duration for onset, duration, _ in notes) - 1e-9)))
    per_beat = np.zeros((n_beats, 12))
    for onset, duration, pitch in notes:
        first, last = int(onset), min(n_beats - 1, int(np.ceil(onset + duration - 1e-9)) - 1)
        for beat in range(first, max(first, last) + 1):
            per_beat[beat, pitch % 12] += max(0.05, min(onset + duration, beat + 1) - max(onset, beat))
    return per_beat


def local_keys(notes: Iterable[tuple[float, float, int]], *, window: float = LOCAL_WINDOW_BEATS, switch_cost: float = SWITCH_COST,
               profiles: str = DEFAULT_PROFILES) -> list[TimedKey]:  # fmt: skip
    """The key in force beat by beat, from (onset, duration, pitch) notes in beats alone: each beat's key
    scores are those of the `window` beats around it, and a Viterbi path over the 24 keys pays
    `switch_cost` (in correlation) per change, so a modulation is followed and a passing chord is not."""
    per_beat = beat_profiles(notes)
    n_beats = len(per_beat)
    if n_beats == 0:
        return []
    beats = np.arange(n_beats)
    lo, hi = np.maximum(0, (beats - window / 2).astype(int)), np.minimum(n_beats, (beats + window / 2).astype(int) + 1)
    return timed_keys(best_path(key_correlations(window_sums(per_beat, lo, hi), profiles), switch_cost))


def timed_keys(path: Sequence[int]) -> list[TimedKey]:
    """Spans of one key each from a key per beat (KEYS indices)."""
    timed: list[TimedKey] = []
    for beat, index in enumerate(path):
        if timed and timed[-1].key == KEYS[index]:
            timed[-1] = TimedKey(timed[-1].start, beat + 1.0, KEYS[index])
        else:
            timed.append(TimedKey(float(beat), beat + 1.0, KEYS[index]))
    return timed


def window_sums(per_beat: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Each row summed over beats lo[i]:hi[i]."""
    cumulative = np.vstack([np.zeros(per_beat.shape[1]), np.cumsum(per_beat, axis=0)])
    return cumulative[hi] - cumulative[lo]


def key_correlations(windows: np.ndarray, profiles: str) -> np.ndarray:
    """Pearson correlation of each row of `windows` (pitch-class profiles) with each of KEYS' profiles;
    -1 for a silent or flat row (no evidence for any key)."""
    major, minor = PROFILES[profiles]
    templates = np.stack([np.roll(major if k.mode == "major" else minor, k.tonic) for k in KEYS])
    templates = (templates - templates.mean(axis=1, keepdims=True)) / templates.std(axis=1, keepdims=True)
    spread = windows.std(axis=1, keepdims=True)
    standard = (windows - windows.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, 1.0)
    return np.where(spread > 0, standard @ templates.T / windows.shape[1], -1.0)
