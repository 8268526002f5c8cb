"""Bass lines as bar figures: each note's sixteenth step, length and height above the root of the chord
it sounds over, so a figure learned over one chord can be played over any.

The bass is the file's bass instrument (GM programs 32-39), else its lowest pitched part if that lies
low (median under E3) and the file has other parts; where it strikes several notes at once, its lowest.
Chords are the corpus labeller's, from all the file's pitched notes. A note's height is counted from
its chord's root placed at or below the bar's lowest note: a root-fifth-octave bar is (0, 7, 12).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import median

import pretty_midi

from cuecraft.corpus.chords import chord_at, label_chords
from cuecraft.corpus.drums import STEPS_PER_BEAT, single_meter
from cuecraft.corpus.symbolic import in_beats, main_tempo

BASS_PROGRAMS = range(32, 40)
LOW_PART = 52  # E3: a part whose median pitch lies under this can be the bass
FigureNote = tuple[int, int, int]  # (sixteenth step in the bar, length in sixteenths, semitones above the chord's root)


@dataclass(frozen=True)
class BassPart:
    """A file's bass line as bar figures from its first bar with bass to its last (a bar where the
    labeller hears no chord is empty), the steps per bar and the file's main tempo."""

    bars: list[tuple[FigureNote, ...]]
    steps: int
    tempo: float


def bass_instrument(midi: pretty_midi.PrettyMIDI) -> pretty_midi.Instrument | None:
    """The part that plays the bass (see the module's note), or None."""
    pitched = [i for i in midi.instruments if not i.is_drum and i.notes]
    by_program = [i for i in pitched if i.program in BASS_PROGRAMS]
    if by_program:
        return max(by_program, key=lambda i: len(i.notes))
    if len(pitched) < 2:
        return None
    lowest = min(pitched, key=lambda i: median(n.pitch for n in i.notes))
    return lowest if median(n.pitch for n in lowest.notes) < LOW_PART else None


def bass_part(midi: pretty_midi.PrettyMIDI) -> BassPart | None:
    """The bass line of a file in one meter of 3 or 4 quarter notes a bar; None without one."""
    beats_per_bar = single_meter(midi)
    bass = bass_instrument(midi)
    if beats_per_bar is None or bass is None:
        return None
    steps = beats_per_bar * STEPS_PER_BEAT
    chords = label_chords(in_beats(midi, [n for i in midi.instruments if not i.is_drum for n in i.notes]))
    lowest: dict[int, tuple[int, float]] = {}  # step -> (pitch, length in beats)
    for note in in_beats(midi, bass.notes):
        step = int(round(note.onset * STEPS_PER_BEAT))
        if step not in lowest or note.pitch < lowest[step][0]:
            lowest[step] = (note.pitch, note.duration)
    by_bar: dict[int, list[int]] = defaultdict(list)
    for step in sorted(lowest):
        by_bar[step // steps].append(step)
    bars = []
    for bar in range(min(by_bar), max(by_bar) + 1):
        struck = by_bar.get(bar, [])
        floor = min((lowest[s][0] for s in struck), default=0)
        figure = []
        for step in struck:
            chord = chord_at(chords, step / STEPS_PER_BEAT + 1e-3)
            if chord is None:
                figure = []
                break
            pitch, length = lowest[step]
            root = floor - (floor - chord.root) % 12
            figure.append((step % steps, min(steps, max(1, round(length * STEPS_PER_BEAT))), pitch - root))
        bars.append(tuple(figure))
    return BassPart(bars, steps, main_tempo(midi, midi.get_end_time()))
