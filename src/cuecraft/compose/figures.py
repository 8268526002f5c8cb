"""Learned figures (model.grooves) played over a cue's chords (its harmony plan's, which the
transformer wrote to): bass figures for BASS_FIGURE parts, accompaniment figures for OSTINATO parts,
timpani figures for TIMPANI parts.

A part plays one learned figure through the cue, chosen by the cue's tempo and intensity; each phrase
(four bars) opens on it and goes on with figures soundtracks play after it there
(PhrasePatterns.bar_of_cue, as the drum kit's grooves do). A figure note keeps its learned height above
the chord's root where that lands on a chord tone, or, for a step off the triad (a second, fourth,
sixth or seventh), on a pitch class the short score sounds in that bar (a passing tone the music
already uses); else it moves to the chord tone nearest that height (a learned third becomes the
chord's own third). It stays in the octave it was learned in. Tuned drums (timpani) play only their
own pitches: a note goes to the drum nearest its height among those that are tones of the chord,
and rests over a chord none of them belongs to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from cuecraft.corpus.chords import QUALITIES, Chord, TimedChord, chord_at
from cuecraft.corpus.drums import STEPS_PER_BEAT
from cuecraft.model.events import Note
from cuecraft.model.phrase_patterns import PhrasePatterns


THIRDS_AND_FIFTHS = frozenset({3, 4, 6, 7, 8})  # intervals that always follow the chord's own third and fifth


def chord_tone(height: int, quality: str) -> int:
    """The tone of a chord of `quality` (semitones above its root, in any octave) nearest `height`; of
    two as near, the lower."""
    return min((tone + 12 * octave for tone in QUALITIES[quality] for octave in range(height // 12 - 1, height // 12 + 2)),
               key=lambda pitch: (abs(pitch - height), pitch))  # fmt: skip


def figure_notes(figures: PhrasePatterns, chords: list[TimedChord], bars: int, beats_per_bar: int, intensity: float,
                 velocity: int, tempo: float, seed: int, low: int, score: Sequence[Note] = (),
                 tuning: frozenset[int] | None = None) -> list[Note]:  # fmt: skip
    """`bars` bars of a learned figure over `chords` (beats), each chord's root placed at or above `low`
    (the part's lowest pitch); nothing where no chord sounds. `score`: the short score, whose pitch
    classes in each bar a figure's passing tones may take. `tuning`: the pitch classes of tuned drums,
    the only ones the part may play."""
    steps = beats_per_bar * STEPS_PER_BEAT
    opening = figures.choose(steps, intensity, tempo, np.random.default_rng(seed))
    sounding: dict[int, set[int]] = defaultdict(set)
    for n in score:
        sounding[int(n.onset // beats_per_bar)].add(n.pitch % 12)
    notes: list[Note] = []
    for bar in range(bars if opening else 0):
        for step, length, height in figures.bar_of_cue(opening, bar, seed):
            onset = bar * beats_per_bar + step / STEPS_PER_BEAT
            chord = chord_at(chords, onset + 1e-6)
            if step >= steps or chord is None:
                continue
            root = low + (chord.root - low) % 12
            if tuning is not None:
                pitch = drum_for(root + height, chord, tuning)
            else:
                interval = height % 12
                kept = interval in QUALITIES[chord.quality] or (interval not in THIRDS_AND_FIFTHS and (root + height) % 12 in sounding[bar])
                pitch = root + (height if kept else chord_tone(height, chord.quality))
            if pitch is not None:
                notes.append(Note(onset, length / STEPS_PER_BEAT, pitch, velocity))
    return notes


def drum_for(height: int, chord: Chord, tuning: frozenset[int]) -> int | None:
    """The pitch of the tuned drum nearest `height` whose pitch class is a tone of the chord (None if none is)."""
    fitting = tuning & chord.pitch_classes
    drums = [p for p in range(height - 6, height + 7) if p % 12 in fitting]
    return min(drums, key=lambda p: (abs(p - height), p)) if drums else None
