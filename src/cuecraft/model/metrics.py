"""Objective music metrics in the manner of Yang & Lerch (2018) and MusPy (Dong et al. 2020), on notes
in beats of 4/4 music, and the overlapping area of two metric distributions."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.stats import gaussian_kde

from cuecraft.model.events import Note
from cuecraft.theory import MAJOR_SCALE

STEPS_PER_BAR = 16


def pitch_class_entropy(notes: Sequence[Note]) -> float:
    """Shannon entropy (bits) of the pitch-class histogram: 0 one pitch class, 3.58 all twelve equally."""
    counts = np.bincount([n.pitch % 12 for n in notes], minlength=12).astype(float)
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


def scale_consistency(notes: Sequence[Note]) -> float:
    """Largest fraction of notes inside one major (or its relative natural minor) scale."""
    pcs = np.array([n.pitch % 12 for n in notes])
    return max(float(np.isin(pcs, [(t + s) % 12 for s in MAJOR_SCALE]).mean()) for t in range(12))


def _bar_patterns(notes: Sequence[Note]) -> np.ndarray:
    bars = int(max(n.onset for n in notes) // 4) + 1
    patterns = np.zeros((bars, STEPS_PER_BAR), dtype=bool)
    for n in notes:
        step = int(round(n.onset * 4))
        patterns[min(bars - 1, step // STEPS_PER_BAR), step % STEPS_PER_BAR] = True
    return patterns


def groove_consistency(notes: Sequence[Note]) -> float:
    """1 minus the mean Hamming distance between consecutive bars' onset patterns (16th grid)."""
    patterns = _bar_patterns(notes)
    if len(patterns) < 2:
        return 1.0
    return float(1 - np.mean([(a != b).mean() for a, b in zip(patterns[:-1], patterns[1:])]))


def polyphony(notes: Sequence[Note]) -> float:
    """Mean number of notes struck together (per distinct onset)."""
    onsets = np.unique([round(n.onset * 4) for n in notes], return_counts=True)[1]
    return float(onsets.mean())


def pitch_range(notes: Sequence[Note]) -> float:
    return float(max(n.pitch for n in notes) - min(n.pitch for n in notes))


def note_density(notes: Sequence[Note]) -> float:
    """Notes per 4/4 bar."""
    return len(notes) / len(_bar_patterns(notes))


def empty_beat_rate(notes: Sequence[Note]) -> float:
    """Fraction of beats in which no note sounds."""
    beats = len(_bar_patterns(notes)) * 4
    sounding = np.zeros(beats, dtype=bool)
    for n in notes:
        sounding[int(n.onset) : max(int(n.onset) + 1, int(np.ceil(n.onset + n.duration)))] = True
    return float(1 - sounding[:beats].mean())


METRICS: dict[str, Callable[[Sequence[Note]], float]] = {
    "pitch-class entropy": pitch_class_entropy, "scale consistency": scale_consistency,
    "groove consistency": groove_consistency, "polyphony": polyphony, "pitch range": pitch_range,
    "note density": note_density, "empty-beat rate": empty_beat_rate,
}  # fmt: skip


def overlapping_area(a: Sequence[float], b: Sequence[float], points: int = 512) -> float:
    """Area under min(p, q) of Gaussian KDEs of two samples: 1 for identical distributions, 0 disjoint."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    low, high = min(a.min(), b.min()), max(a.max(), b.max())
    if np.isclose(low, high):
        return 1.0
    span = high - low
    grid = np.linspace(low - 0.25 * span, high + 0.25 * span, points)
    jitter = 1e-6 * span  # KDEs need spread: a constant sample becomes a narrow bump
    p = gaussian_kde(a + np.random.default_rng(0).normal(0, jitter, a.size))(grid)
    q = gaussian_kde(b + np.random.default_rng(1).normal(0, jitter, b.size))(grid)
    return float(np.trapezoid(np.minimum(p, q), grid))
