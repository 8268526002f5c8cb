"""Drum parts as bar patterns: which kit pieces strike on which sixteenth of each bar.

General MIDI drum keys are folded into DRUM_CLASSES (the several snares, toms and cymbals a file may
use play one role each); other percussion (shakers, cowbells, congas) is left out. A bar's pattern
holds one bit mask per class over the bar's sixteenth-note steps (16 in 4/4, 12 in 3/4).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pretty_midi

from cuecraft.corpus.symbolic import in_beats, main_tempo

STEPS_PER_BEAT = 4
# class name -> (the GM key it is played on, the GM keys read as it)
DRUM_CLASSES: dict[str, tuple[int, tuple[int, ...]]] = {
    "kick": (36, (35, 36)),
    "snare": (38, (37, 38, 39, 40)),
    "closed hat": (42, (42, 44)),
    "open hat": (46, (46,)),
    "low tom": (45, (41, 43, 45)),
    "high tom": (48, (47, 48, 50)),
    "crash": (49, (49, 52, 55, 57)),
    "ride": (51, (51, 53, 59)),
}
CLASS_OF = {key: i for i, (_, (_, keys)) in enumerate(DRUM_CLASSES.items()) for key in keys}
Pattern = tuple[int, ...]  # one step mask per class of DRUM_CLASSES


@dataclass(frozen=True)
class DrumPart:
    """A file's drum part: its bar patterns from its first bar with drums to its last, the steps per
    bar, its main tempo, and each class's median velocity less the part's median (its accents; NaN for
    a class it does not play)."""

    bars: list[Pattern]
    steps: int
    tempo: float
    velocity_offsets: tuple[float, ...]


def hits(pattern: Pattern) -> int:
    """Strokes in a bar pattern."""
    return sum(bin(mask).count("1") for mask in pattern)


def single_meter(midi: pretty_midi.PrettyMIDI) -> int | None:
    """Quarter notes a bar if the file keeps one meter of 3/4 or 4/4 throughout (none given: 4/4), else None."""
    signatures = {(s.numerator, s.denominator) for s in midi.time_signature_changes} or {(4, 4)}
    return next(iter(signatures))[0] if len(signatures) == 1 and next(iter(signatures)) in ((3, 4), (4, 4)) else None


def drum_part(midi: pretty_midi.PrettyMIDI) -> DrumPart | None:
    """The drum part of a file in one meter of 3 or 4 quarter notes a bar; None if it has no drums
    of DRUM_CLASSES or another or changing meter."""
    beats_per_bar = single_meter(midi)
    drums = [n for inst in midi.instruments if inst.is_drum for n in inst.notes if n.pitch in CLASS_OF]
    if beats_per_bar is None or not drums:
        return None
    steps = beats_per_bar * STEPS_PER_BEAT
    masks: dict[int, list[int]] = defaultdict(lambda: [0] * len(DRUM_CLASSES))
    velocities: dict[int, list[int]] = defaultdict(list)
    for note, timed in zip(drums, in_beats(midi, drums)):
        step = int(round(timed.onset * STEPS_PER_BEAT))
        masks[step // steps][CLASS_OF[note.pitch]] |= 1 << (step % steps)
        velocities[CLASS_OF[note.pitch]].append(note.velocity)
    first, last = min(masks), max(masks)
    overall = float(np.median([v for vs in velocities.values() for v in vs]))
    offsets = tuple(float(np.median(velocities[c])) - overall if velocities[c] else float("nan") for c in range(len(DRUM_CLASSES)))
    bars = [tuple(masks[bar]) if bar in masks else (0,) * len(DRUM_CLASSES) for bar in range(first, last + 1)]
    return DrumPart(bars, steps, main_tempo(midi, midi.get_end_time()), offsets)
