"""Key finding: correlate a duration-weighted pitch-class profile with 24 rotated key profiles, for a
whole piece (its global key) or beat by beat over a window (local keys, smoothed by a Viterbi path).

Local keys also weigh the harmony when the caller has it: how many of the window's chords are
triads of the key's scale (a profile hears C major and A minor alike; I-IV-V chords do not), and the
home key's standing (a song returns home; a local key must earn its way off it).

Default profiles are Aarden-Essen (Aarden 2003, from the Essen folksong collection; music21's default
too): on Bach chorales they confuse tonic and dominant far less than Krumhansl-Kessler (1982) probe-
tone ratings, which remain selectable (bench/key_accuracy.py compares both).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from cuecraft.corpus.chords import TimedChord
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
LOCAL_WINDOW_BEATS = 16.0  # without chords, the span of music a local key is heard from: four 4/4 bars
SWITCH_COST = 1.5  # without chords, correlation given up per key change on the local-key path (about 1.5 beats of evidence)
# With chords, both are counted in chords (harmony_span): a chorale changing chord on nearly every beat
# hears a key over five beats, a song changing every three beats over twelve. Chosen on odd-numbered
# POP909 songs, every other chorale and every other madrigal, like the weights below:
LOCAL_WINDOW_CHORDS = 4.0
SWITCH_COST_CHORDS = 0.45
MIN_WINDOW_BEATS = 2.0
# Fitted on odd-numbered POP909 songs, every other chorale and every other madrigal (bench/analysis_accuracy.py):
DIATONIC_WEIGHT = 0.3  # per beat, times the share of the window's beats on a triad of the key's scale
HOME_WEIGHT = 0.1  # per beat, the home key's advantage on the path
# The triads of each mode's scale by semitones above the tonic (minor: natural minor's, with harmonic
# minor's V and vii° in place of the minor v).
SCALE_TRIADS = {
    "major": {(0, "maj"), (2, "min"), (4, "min"), (5, "maj"), (7, "maj"), (9, "min"), (11, "dim")},
    "minor": {(0, "min"), (2, "dim"), (3, "maj"), (5, "min"), (7, "maj"), (8, "maj"), (10, "maj"), (11, "dim")},
}  # fmt: skip


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
    return dict(zip(KEYS, map(float, _correlations(np.asarray(profile, float)[None], profiles)[0])))


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


def local_keys(notes: Iterable[tuple[float, float, int]], chords: Sequence[TimedChord] = (), home: Key | None = None,
               window: float | None = None, switch_cost: float | None = None, profiles: str = DEFAULT_PROFILES,
               ) -> list[TimedKey]:  # fmt: skip
    """The key in force beat by beat, for (onset, duration, pitch) notes in beats: each beat's key
    scores are those of the `window` beats around it, and a Viterbi path over the 24 keys pays
    `switch_cost` (in correlation) per change, so a modulation is followed and a passing chord is not.
    With the notes' `chords` and `home` key, the scores also weigh the harmony (see the module's note),
    and the window and cost left unset follow its harmonic rhythm (harmony_span)."""
    notes = list(notes)
    if not notes:
        return []
    n_beats = max(1, int(np.ceil(max(onset + duration for onset, duration, _ in notes) - 1e-9)))
    per_beat = np.zeros((n_beats, 12))
    for onset, duration, pitch in notes:
        first, last = int(onset), min(n_beats - 1, int(np.ceil(onset + duration - 1e-9)) - 1)
        for beat in range(first, max(first, last) + 1):
            per_beat[beat, pitch % 12] += max(0.05, min(onset + duration, beat + 1) - max(onset, beat))
    return local_keys_from_profiles(per_beat, chords, home, window, switch_cost, profiles)


def local_keys_from_profiles(per_beat: np.ndarray, chords: Sequence[TimedChord] = (), home: Key | None = None,
                             window: float | None = None, switch_cost: float | None = None,
                             profiles: str = DEFAULT_PROFILES) -> list[TimedKey]:  # fmt: skip
    """local_keys from each beat's weight per pitch class (beats x 12: sounding time from notes, or
    chroma energy from audio), and the chords and home key heard in them when there are."""
    n_beats = len(per_beat)
    if n_beats == 0:
        return []
    span_window, span_cost = harmony_span(chords)
    window = span_window if window is None else window
    switch_cost = span_cost if switch_cost is None else switch_cost
    beats = np.arange(n_beats)
    lo, hi = np.maximum(0, (beats - window / 2).astype(int)), np.minimum(n_beats, (beats + window / 2).astype(int) + 1)
    scores = _correlations(_window_sums(per_beat, lo, hi), profiles)
    if chords:
        on_scale = _on_scale(chords, n_beats)
        scores += DIATONIC_WEIGHT * _window_sums(on_scale, lo, hi) / (hi - lo)[:, None]
    if home is not None:
        scores[:, KEYS.index(home)] += HOME_WEIGHT
    path = best_path(scores, switch_cost)
    timed: list[TimedKey] = []
    for beat, index in enumerate(path):
        if timed and timed[-1].key == KEYS[index]:
            timed[-1] = TimedKey(timed[-1].start, beat + 1.0, KEYS[index])
        else:
            timed.append(TimedKey(float(beat), beat + 1.0, KEYS[index]))
    return timed


def harmony_span(chords: Sequence[TimedChord]) -> tuple[float, float]:
    """The local-key window (beats) and switch cost for music with these chords: LOCAL_WINDOW_CHORDS
    chords and SWITCH_COST_CHORDS per chord at its harmonic rhythm (chords per beat), since an analyst
    hears a key over a few chords, whether they change every beat (a chorale) or every bar (a song);
    without chords, LOCAL_WINDOW_BEATS and SWITCH_COST."""
    span = chords[-1].end - chords[0].start if chords else 0.0
    if span <= 0:
        return LOCAL_WINDOW_BEATS, SWITCH_COST
    beats_per_chord = span / len(chords)
    return max(MIN_WINDOW_BEATS, LOCAL_WINDOW_CHORDS * beats_per_chord), SWITCH_COST_CHORDS * beats_per_chord


def _window_sums(per_beat: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Each row summed over beats lo[i]:hi[i]."""
    cumulative = np.vstack([np.zeros(per_beat.shape[1]), np.cumsum(per_beat, axis=0)])
    return cumulative[hi] - cumulative[lo]


def _on_scale(chords: Sequence[TimedChord], n_beats: int) -> np.ndarray:
    """(beats, 24): 1 where the chord sounding at the beat's middle (sevenths by their triad) is a
    triad of the scale of KEYS' key; the chords are walked once, each filling the beats it covers."""
    table = np.zeros((n_beats, len(KEYS)))
    filled = np.zeros(n_beats, bool)
    for timed in chords:
        first, end = max(0, math.ceil(timed.start - 0.5 - 1e-9)), min(n_beats, math.ceil(timed.end - 0.5 - 1e-9))
        beats = np.arange(first, max(first, end))[~filled[first:end]]
        if beats.size:
            family = timed.chord.triad_family()
            table[beats] = [((timed.chord.root - k.tonic) % 12, family) in SCALE_TRIADS[k.mode] for k in KEYS]
            filled[beats] = True
    return table


def _correlations(windows: np.ndarray, profiles: str) -> np.ndarray:
    """Pearson correlation of each row of `windows` (pitch-class profiles) with each of KEYS' profiles;
    -1 for a silent or flat row (no evidence for any key)."""
    major, minor = PROFILES[profiles]
    templates = np.stack([np.roll(major if k.mode == "major" else minor, k.tonic) for k in KEYS])
    templates = (templates - templates.mean(axis=1, keepdims=True)) / templates.std(axis=1, keepdims=True)
    spread = windows.std(axis=1, keepdims=True)
    standard = (windows - windows.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, 1.0)
    return np.where(spread > 0, standard @ templates.T / windows.shape[1], -1.0)
