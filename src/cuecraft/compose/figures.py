"""Learned figures (model.grooves) played over a cue's chords (its harmony plan's, which the
transformer wrote to): bass figures for BASS_FIGURE parts, accompaniment figures for OSTINATO parts,
timpani figures for TIMPANI parts.

A part plays one learned figure through the cue, chosen by the cue's tempo and intensity; each phrase
(four bars) opens on it and goes on with figures soundtracks play after it there
(PhrasePatterns.bar_of_cue, as the drum kit's grooves do). A figure note lands on the tone of the
chord sounding under it nearest its learned height above the root (a learned third becomes the
chord's own third, a passing second the nearest chord tone), in the octave it was learned in.
"""

from __future__ import annotations

import numpy as np

from cuecraft.corpus.chords import QUALITIES, TimedChord, chord_at
from cuecraft.corpus.drums import STEPS_PER_BEAT
from cuecraft.model.events import Note
from cuecraft.model.phrase_patterns import PhrasePatterns


def chord_tone(height: int, quality: str) -> int:
    """The tone of a chord of `quality` (semitones above its root, in any octave) nearest `height`; of
    two as near, the lower."""
    return min((tone + 12 * octave for tone in QUALITIES[quality] for octave in range(height // 12 - 1, height // 12 + 2)),
               key=lambda pitch: (abs(pitch - height), pitch))  # fmt: skip


def figure_notes(figures: PhrasePatterns, chords: list[TimedChord], bars: int, beats_per_bar: int, intensity: float,
                 velocity: int, tempo: float, seed: int, low: int) -> list[Note]:  # fmt: skip
    """`bars` bars of a learned figure over `chords` (beats), each chord's root placed at or above `low`
    (the part's lowest pitch); nothing where no chord sounds."""
    steps = beats_per_bar * STEPS_PER_BEAT
    opening = figures.choose(steps, intensity, tempo, np.random.default_rng(seed))
    notes: list[Note] = []
    for bar in range(bars if opening else 0):
        for step, length, height in figures.bar_of_cue(opening, bar, seed):
            onset = bar * beats_per_bar + step / STEPS_PER_BEAT
            chord = chord_at(chords, onset + 1e-6)
            if step >= steps or chord is None:
                continue
            root = low + (chord.root - low) % 12
            notes.append(Note(onset, length / STEPS_PER_BEAT, root + chord_tone(height, chord.quality), velocity))
    return notes
