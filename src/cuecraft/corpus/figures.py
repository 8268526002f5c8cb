"""A file's bass line, accompaniment and timpani as bar figures: each note's sixteenth step, length and height
above the root of the chord it sounds over, so a figure learned over one chord can be played over any.

The bass is the file's bass instrument (GM programs 32-39), else its lowest pitched part if that lies
low (median under E3) and the file has other parts; where it strikes several notes at once, its
lowest. The accompaniment is, of the other pitched parts but the highest (the tune), the busiest one
whose median lies in the middle register (C3-E5), in files of at least three pitched parts. The
timpani are the GM timpani (program 47), their lowest note where they strike two. Chords
are the corpus labeller's, from all the file's pitched notes. A note's height is counted from its
chord's root placed at or below the bar's lowest note: a root-fifth-octave bar is (0, 7, 12).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import median

import pretty_midi

from cuecraft.corpus.chords import TimedChord, chord_at, label_chords
from cuecraft.corpus.drums import STEPS_PER_BEAT, single_meter
from cuecraft.corpus.symbolic import in_beats, main_tempo

BASS_PROGRAMS = range(32, 40)
TIMPANI_PROGRAM = 47
LOW_PART = 52  # E3: a part whose median pitch lies under this can be the bass
MIDDLE = (48, 76)  # C3-E5: where an accompaniment's median lies
FigureNote = tuple[int, int, int]  # (sixteenth step in the bar, length in sixteenths, semitones above the chord's root)


@dataclass(frozen=True)
class FigurePart:
    """A part as bar figures from its first bar with notes to its last (a bar where the labeller hears
    no chord is empty), the steps per bar and the file's main tempo."""

    bars: list[tuple[FigureNote, ...]]
    steps: int
    tempo: float


def bass_instrument(midi: pretty_midi.PrettyMIDI) -> pretty_midi.Instrument | None:
    """The part that plays the bass (see the module's note), or None."""
    pitched = _pitched(midi)
    by_program = [i for i in pitched if i.program in BASS_PROGRAMS]
    if by_program:
        return max(by_program, key=lambda i: len(i.notes))
    if len(pitched) < 2:
        return None
    lowest = min(pitched, key=lambda i: median(n.pitch for n in i.notes))
    return lowest if median(n.pitch for n in lowest.notes) < LOW_PART else None


def accompaniment_instrument(midi: pretty_midi.PrettyMIDI) -> pretty_midi.Instrument | None:
    """The part that accompanies (see the module's note), or None."""
    pitched = _pitched(midi)
    if len(pitched) < 3:
        return None
    tune = max(pitched, key=lambda i: median(n.pitch for n in i.notes))
    bass = bass_instrument(midi)
    middle = [i for i in pitched if i is not tune and i is not bass and MIDDLE[0] <= median(n.pitch for n in i.notes) < MIDDLE[1]]
    return max(middle, key=lambda i: len(i.notes), default=None)


def timpani_instrument(midi: pretty_midi.PrettyMIDI) -> pretty_midi.Instrument | None:
    """The file's timpani (the busiest, if several), or None."""
    return max((i for i in _pitched(midi) if i.program == TIMPANI_PROGRAM), key=lambda i: len(i.notes), default=None)


def file_chords(midi: pretty_midi.PrettyMIDI) -> list[TimedChord]:
    """The chords the labeller hears in all of a file's pitched notes (beats)."""
    return label_chords(in_beats(midi, [n for i in _pitched(midi) for n in i.notes]))


def bass_part(midi: pretty_midi.PrettyMIDI, chords: list[TimedChord] | None = None) -> FigurePart | None:
    """The bass line of a file in one meter of 3 or 4 quarter notes a bar; None without one.
    `chords`: the file's file_chords, when the caller has them."""
    return _figure_part(midi, bass_instrument(midi), True, chords)


def accompaniment_part(midi: pretty_midi.PrettyMIDI, chords: list[TimedChord] | None = None) -> FigurePart | None:
    """The accompaniment of a file in one meter of 3 or 4 quarter notes a bar, chords and all; None
    without one. `chords`: the file's file_chords, when the caller has them."""
    return _figure_part(midi, accompaniment_instrument(midi), False, chords)


def timpani_part(midi: pretty_midi.PrettyMIDI, chords: list[TimedChord] | None = None) -> FigurePart | None:
    """The timpani of a file in one meter of 3 or 4 quarter notes a bar; None without them.
    `chords`: the file's file_chords, when the caller has them."""
    return _figure_part(midi, timpani_instrument(midi), True, chords)


def _pitched(midi: pretty_midi.PrettyMIDI) -> list[pretty_midi.Instrument]:
    return [i for i in midi.instruments if not i.is_drum and i.notes]


def _figure_part(midi: pretty_midi.PrettyMIDI, instrument: pretty_midi.Instrument | None, lowest_only: bool,
                 chords: list[TimedChord] | None) -> FigurePart | None:  # fmt: skip
    beats_per_bar = single_meter(midi)
    if beats_per_bar is None or instrument is None:
        return None
    steps = beats_per_bar * STEPS_PER_BEAT
    chords = file_chords(midi) if chords is None else chords
    struck: defaultdict[int, dict[int, float]] = defaultdict(dict)  # step -> pitch -> length in beats
    for note in in_beats(midi, instrument.notes):
        struck[int(round(note.onset * STEPS_PER_BEAT))][note.pitch] = note.duration
    if lowest_only:
        struck = defaultdict(dict, {step: dict([min(pitches.items())]) for step, pitches in struck.items()})
    by_bar: defaultdict[int, list[int]] = defaultdict(list)
    for step in sorted(struck):
        by_bar[step // steps].append(step)
    bars = [_figure(by_bar.get(bar, []), struck, chords, steps) for bar in range(min(by_bar), max(by_bar) + 1)]
    return FigurePart(bars, steps, main_tempo(midi, midi.get_end_time()))


def _figure(steps_struck: list[int], struck: dict[int, dict[int, float]], chords: list[TimedChord], steps: int) -> tuple[FigureNote, ...]:
    """One bar's figure from the steps struck in it; empty if a note sounds where no chord is heard."""
    floor = min((p for s in steps_struck for p in struck[s]), default=0)
    figure = []
    for step in steps_struck:
        chord = chord_at(chords, step / STEPS_PER_BEAT + 1e-3)
        if chord is None:
            return ()
        root = floor - (floor - chord.root) % 12
        figure += [(step % steps, min(steps, max(1, round(length * STEPS_PER_BEAT))), pitch - root) for pitch, length in sorted(struck[step].items())]
    return tuple(figure)
