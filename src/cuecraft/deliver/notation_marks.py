"""Performance marks for notation: what the MIDI plays as controllers, programs and note lengths,
written as a copyist would — dynamics from the expression level, hairpins where it swells or dies
away, accents, staccato dots, "pizz."/"arco" and tremolo strokes — so the MusicXML a composer opens
says what the review app plays."""

from __future__ import annotations

import bisect
from statistics import mean, median

import music21
import pretty_midi

from cuecraft.compose.articulation import PIZZICATO, TREMOLO
from cuecraft.compose.expression import EXPRESSION

DYNAMICS = ((64, "pp"), (74, "p"), (86, "mp"), (98, "mf"), (110, "f"))  # CC11 x velocity level below which each holds; above: ff
HAIRPIN_CHANGE = 12  # CC11 units a level must move within a phrase to get a hairpin
STACCATO_SHARE = 0.6  # a note sounding at most this share of the time to the next onset is marked staccato
ACCENT_ABOVE = 12  # velocity over the part's median that reads as an accent
TREMOLO_STROKES = 3


def mark_performance(score: music21.stream.Score, midi: pretty_midi.PrettyMIDI) -> None:
    """Add the performance marks of `midi` (the file `score` was notated from) to each part."""
    tracks = {i.name: i for i in midi.instruments}
    for part in score.parts:
        track = tracks.get(part.partName or "")
        notes = list(part.flatten().notes)
        if track is None or not notes or track.is_drum:
            continue
        _articulations(notes)
        if track.name.endswith(PIZZICATO.label):
            notes[0].expressions.append(music21.expressions.TextExpression(PIZZICATO.label))
        if track.name.endswith(TREMOLO.label):
            for n in notes:
                n.expressions.append(music21.expressions.Tremolo(numberOfMarks=TREMOLO_STROKES))
        _dynamics(part, notes, track, midi)


def _articulations(notes: list[music21.note.GeneralNote]) -> None:
    """Staccato on notes much shorter than the time to the next onset; accents on notes much louder
    than the part's usual."""
    usual = median(n.volume.velocity or 64 for n in notes)
    for n, following in zip(notes, notes[1:]):
        gap = float(following.offset - n.offset)
        if gap > 0 and float(n.quarterLength) <= STACCATO_SHARE * gap and float(n.quarterLength) <= 0.5:
            n.articulations.append(music21.articulations.Staccato())
    for n in notes:
        if (n.volume.velocity or 0) >= usual + ACCENT_ABOVE:
            n.articulations.append(music21.articulations.Accent())


def _dynamics(part: music21.stream.Part, notes: list[music21.note.GeneralNote], track: pretty_midi.Instrument,
              midi: pretty_midi.PrettyMIDI) -> None:  # fmt: skip
    """A dynamic at the first bar and at each bar whose level (CC11 with the notes' velocity) reads as
    another one, and hairpins over stretches where CC11 rises or falls by a phrase's swell or more."""
    curve = sorted((midi.time_to_tick(c.time) / midi.resolution, c.value) for c in track.control_changes if c.number == EXPRESSION)
    if not curve:
        return
    beats = [beat for beat, _ in curve]
    bar = midi.time_signature_changes[0].numerator if midi.time_signature_changes else 4
    levels: dict[int, list[float]] = {}
    for n in notes:
        expression = curve[max(0, bisect.bisect_right(beats, float(n.offset) + 1e-9) - 1)][1]
        levels.setdefault(int(float(n.offset) // bar), []).append(expression * (n.volume.velocity or 64) / 127 + 30)
    marked = None
    for number, values in sorted(levels.items()):
        marking = next((name for limit, name in DYNAMICS if mean(values) < limit), "ff")
        if marking != marked:
            _insert_in_measure(part, number * bar, music21.dynamics.Dynamic(marking))
            marked = marking
    for start, end, rising in _swells(curve):
        spanned = [n for n in notes if start <= float(n.offset) <= end]
        if len(spanned) >= 2:
            wedge = music21.dynamics.Crescendo if rising else music21.dynamics.Diminuendo
            part.insert(0, wedge(spanned[0], spanned[-1]))


def _insert_in_measure(part: music21.stream.Part, beat: float, element: music21.base.Music21Object) -> None:
    """Put `element` at `beat` of the part inside the measure that holds that beat (where notation
    programs look for directions), or on the part when it has no measures."""
    for measure in part.getElementsByClass(music21.stream.Measure):
        if measure.offset <= beat < measure.offset + measure.duration.quarterLength:
            measure.insert(beat - measure.offset, element)
            return
    part.insert(beat, element)


def _swells(curve: list[tuple[float, int]]) -> list[tuple[float, float, bool]]:
    """(start beat, end beat, rising) of each monotonic stretch of the curve that moves HAIRPIN_CHANGE or more."""
    stretches, start = [], 0
    for k in range(1, len(curve) + 1):
        turning = k == len(curve) or (k >= 2 and (curve[k][1] - curve[k - 1][1]) * (curve[k - 1][1] - curve[k - 2][1]) < 0)
        if turning:
            change = curve[k - 1][1] - curve[start][1]
            if abs(change) >= HAIRPIN_CHANGE:
                stretches.append((curve[start][0], curve[k - 1][0], change > 0))
            start = k - 1
    return stretches
