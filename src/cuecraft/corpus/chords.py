"""Chords as a timed sequence: a small chord vocabulary, Harte labels (POP909's annotations) read
into it, and a template labeller that names the chord of each beat of a note list along the best path
through them (a Viterbi path that pays for each change).

A chord is a root pitch class and one of QUALITIES. The labeller scores every root and quality by
how much of the segment's sounding time falls on the chord's tones, less what falls outside them,
with a bonus when the lowest note is the root (root position is the common case in the corpora) and
one when all three tones of its triad sound (so a first inversion with a passing tone, C/E with a B,
is not heard as E minor); sevenths must earn their extra tone and sound three of their four tones,
so a plain triad wins a tie; a suspended fourth must clearly beat the triad it usually resolves to
(a 4-3 suspension is not a sus4 chord).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cuecraft.corpus.viterbi import best_path
from cuecraft.model.events import Note
from cuecraft.theory import PITCH_CLASS_NAMES

QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8), "sus4": (0, 5, 7),
    "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10),
}  # fmt: skip
# Harte-syntax qualities (Harte et al. 2005, as POP909 writes them) folded into the vocabulary above.
HARTE_QUALITIES = {
    "maj": "maj", "min": "min", "dim": "dim", "aug": "aug", "sus4": "sus4", "sus2": "sus4", "7": "7", "maj7": "maj7",
    "min7": "min7", "hdim7": "dim", "dim7": "dim", "maj6": "maj", "min6": "min", "9": "7", "maj9": "maj7",
    "min9": "min7", "11": "7", "13": "7", "minmaj7": "min", "7sus4": "sus4", "min11": "min7", "": "maj",
}  # fmt: skip
SEGMENT_BEATS = 1.0  # harmonic grid of the labeller: a beat
CHANGE_COST = 0.4  # score given up per chord change (tuned on a tenth of POP909: 80 -> 84 % on another tenth)
SEVENTH_COST = 0.15  # share of the segment a seventh's extra tone must explain to be named
BASS_BONUS = 0.3
# Fitted on odd-numbered POP909 songs and every other RomanText chorale (bench/analysis_accuracy.py),
# measured on the rest: beats right 84.0 -> 85.3 % (even POP909 songs), 84.0 -> 87.5 % (the other chorales).
TRIAD_BONUS = 0.25  # all three triad tones sound in the segment
SUS_COST = 0.5  # what a sus4 must explain beyond the triad
THIN_SEVENTH_COST = 2.0  # a seventh chord with fewer than three of its tones sounding is out of the running


@dataclass(frozen=True)
class Chord:
    root: int  # pitch class
    quality: str

    @property
    def pitch_classes(self) -> frozenset[int]:
        return frozenset((self.root + i) % 12 for i in QUALITIES[self.quality])

    @property
    def name(self) -> str:
        return f"{PITCH_CLASS_NAMES[self.root]}:{self.quality}"

    @property
    def third(self) -> int | None:
        """The pitch class of its third, the tone that tells major from minor (None for a sus4, which has none)."""
        return None if self.quality == "sus4" else (self.root + QUALITIES[self.quality][1]) % 12

    def triad_family(self) -> str:
        """maj or min (or dim/aug/sus4): the quality with sevenths dropped, for root+quality scoring."""
        return {"7": "maj", "maj7": "maj", "min7": "min"}.get(self.quality, self.quality)


@dataclass(frozen=True)
class TimedChord:
    start: float  # beats
    end: float
    chord: Chord


def parse_harte(label: str) -> Chord | None:
    """A Harte label such as 'F#:min7', 'Bb:maj/3' or 'N' (no chord, None) in the vocabulary."""
    label = label.strip()
    if label in ("N", "X", ""):
        return None
    match = re.fullmatch(r"([A-G])([#b]*):?([a-z0-9]*)(\(.*\))?(/.*)?", label)
    if not match:
        raise ValueError(f"not a chord label: {label!r}")
    letter, accidentals, quality, _, _ = match.groups()
    root = ({"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}[letter] + accidentals.count("#") - accidentals.count("b")) % 12
    return Chord(root, HARTE_QUALITIES.get(quality, "maj"))


def _tones(root: int, intervals: Sequence[int]) -> np.ndarray:
    """A 12-long 0/1 row marking the pitch classes `intervals` above `root`."""
    return np.isin(np.arange(12), [(root + i) % 12 for i in intervals]).astype(float)


_CHORDS = [Chord(root, quality) for root in range(12) for quality in QUALITIES]
_MASKS = np.stack([_tones(c.root, QUALITIES[c.quality]) for c in _CHORDS])
_TRIADS = np.stack([_tones(c.root, QUALITIES[c.quality][:3]) for c in _CHORDS])
_ROOTS = np.array([chord.root for chord in _CHORDS])
_SEVENTHS = np.array([len(QUALITIES[c.quality]) == 4 for c in _CHORDS])
# Sevenths must earn their extra tone, and the rarer triads win only when clearly better.
_PRIOR = -SEVENTH_COST * _SEVENTHS - np.array([{"sus4": SUS_COST, "aug": 0.02, "dim": 0.02}.get(c.quality, 0.0) for c in _CHORDS])


def chord_scores(weights: np.ndarray, lowest: np.ndarray) -> np.ndarray:
    """Each segment's score for every vocabulary chord: the share of its sounding weight on the
    chord's tones less the share off them, the chord's prior, BASS_BONUS when the lowest note (a
    pitch class, or -1 for none) is the root and TRIAD_BONUS when its triad's three tones all sound.
    `weights` is (segments, 12)."""
    total = weights.sum(axis=1, keepdims=True)
    share = weights / np.where(total > 0, total, 1.0)
    sounding = (weights > 0).astype(float)
    whole_triad = sounding @ _TRIADS.T >= 3
    unsupported_seventh = _SEVENTHS & (sounding @ _MASKS.T < 3)  # two tones (a C-D step) do not make a D7
    return (share @ _MASKS.T * 2 - 1 + _PRIOR + BASS_BONUS * (lowest[:, None] == _ROOTS[None, :]) + TRIAD_BONUS * whole_triad
            - THIN_SEVENTH_COST * unsupported_seventh)  # fmt: skip


def label_chords(notes: Sequence[Note], length_beats: float | None = None, segment: float = SEGMENT_BEATS,
                 change_cost: float = CHANGE_COST) -> list[TimedChord]:  # fmt: skip
    """The chords of `notes` (pitched, in beats), one per `segment` beats, equal neighbours merged.
    Each note weighs by the time it sounds inside a segment, onsets inside it by a little more; the
    labels follow the best path that pays `change_cost` per change, so a passing tone does not
    make a chord of its own (0: every segment's best chord alone)."""
    if not notes:
        return []
    end = length_beats if length_beats is not None else max(n.onset + n.duration for n in notes)
    weights, lowest = segment_weights(notes, max(1, int(np.ceil(end / segment - 1e-9))), segment)
    return chords_from_weights(weights, lowest, segment, change_cost)


def segment_weights(notes: Sequence[Note], n_segments: int, segment: float = SEGMENT_BEATS) -> tuple[np.ndarray, np.ndarray]:
    """Each segment's weight per pitch class (segments x 12: the time a note sounds inside it, its
    onset segment a little more) and its lowest pitch class (-1 where nothing sounds)."""
    weights = np.zeros((n_segments, 12))
    lowest = np.full(n_segments, 200)
    for n in notes:
        first, last = int(n.onset // segment), int(min(n_segments - 1, (n.onset + max(n.duration, 0.1) - 1e-9) // segment))
        for s in range(max(0, first), last + 1):
            overlap = min(n.onset + n.duration, (s + 1) * segment) - max(n.onset, s * segment)
            weights[s, n.pitch % 12] += max(overlap, 0.05) + (0.25 if s == first else 0.0)
            lowest[s] = min(lowest[s], n.pitch)
    return weights, np.where(lowest < 200, lowest % 12, -1)


def chords_from_weights(weights: np.ndarray, lowest: np.ndarray, segment: float = SEGMENT_BEATS,
                        change_cost: float = CHANGE_COST) -> list[TimedChord]:  # fmt: skip
    """The chords along the best path through segments of `segment` beats, given each segment's
    weight per pitch class (segments x 12: sounding time from notes, or chroma energy from audio) and
    its lowest pitch class (-1 for none); a silent segment has no chord."""
    path = best_path(chord_scores(weights, lowest), change_cost)
    sounding = weights.sum(axis=1) > 0
    return merge_segments([_CHORDS[index] if sounding[s] else None for s, index in enumerate(path)], segment)


def merge_segments(chords: Sequence[Chord | None], segment: float) -> list[TimedChord]:
    """Chords of successive equal segments (None: no chord) as timed chords, equal neighbours merged."""
    timed: list[TimedChord] = []
    for i, chord in enumerate(chords):
        if chord is None:
            continue
        start = i * segment
        if timed and timed[-1].chord == chord and abs(timed[-1].end - start) < 1e-9:
            timed[-1] = TimedChord(timed[-1].start, start + segment, chord)
        else:
            timed.append(TimedChord(start, start + segment, chord))
    return timed


def chord_at(chords: Sequence[TimedChord], beat: float) -> Chord | None:
    """The chord sounding at `beat` (None in a gap)."""
    for timed in chords:
        if timed.start <= beat + 1e-9 < timed.end:
            return timed.chord
    return None
