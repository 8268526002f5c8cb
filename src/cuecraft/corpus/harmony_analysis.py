"""A piece's harmony as timed sequences a model can learn from: the key in force beat by beat, the
chords with their bass and Roman numeral in that key, and phrase sections named by what they repeat.

Roman numerals are counted from the local key's tonic on its major scale (major keys) or natural
minor scale (minor keys): in C minor, E flat major is III and G major V; in C major, A flat major is
bVI. Case gives the third (upper major, lower minor), ° diminished, + augmented; the figure gives the
inversion from the bass (6 and 64 for triads, 65, 43 and 42 for sevenths).
Sections: the piece is cut into phrases of PHRASE_BARS bars; a phrase takes the letter of the first
earlier phrase whose notes it mostly shares (position in the phrase and pitch), else a new letter.
"""

from __future__ import annotations

import bisect
import string
from collections.abc import Sequence

from cuecraft.corpus.chords import QUALITIES, Chord, TimedChord, label_chords
from cuecraft.corpus.global_key import find_key
from cuecraft.corpus.features import ChordSpan, KeySpan, SectionSpan
from cuecraft.corpus.keyfinding import TimedKey
from cuecraft.corpus.local_key_model import note_local_keys
from cuecraft.model.events import Note
from cuecraft.theory import Key

PHRASE_BARS = 4
ALIKE = 0.6  # share of notes two phrases must have in common to be the same section (A and A)
SAME = 0.9  # above this, a restatement; between ALIKE and SAME, a varied one (A')
# Scale degrees in semitones above the tonic and their numerals, for major keys and (natural) minor keys.
_DEGREES = {
    "major": {0: "I", 1: "bII", 2: "II", 3: "bIII", 4: "III", 5: "IV", 6: "#IV", 7: "V", 8: "bVI", 9: "VI", 10: "bVII", 11: "VII"},
    "minor": {0: "I", 1: "bII", 2: "II", 3: "III", 4: "#III", 5: "IV", 6: "#IV", 7: "V", 8: "VI", 9: "#VI", 10: "VII", 11: "#VII"},
}  # fmt: skip
_TRIAD_FIGURES = {0: "", 1: "6", 2: "64"}
_SEVENTH_FIGURES = {0: "7", 1: "65", 2: "43", 3: "42"}


def roman_numeral(chord: Chord, bass: int | None, key: Key) -> str:
    """The chord's numeral in `key`, with its inversion if `bass` (a pitch class) is one of its tones."""
    numeral = _DEGREES[key.mode][(chord.root - key.tonic) % 12]
    if chord.quality in ("min", "dim", "min7"):
        numeral = numeral.lower()
    numeral += {"dim": "°", "aug": "+", "sus4": "sus4"}.get(chord.quality, "")
    tones = [(chord.root + i) % 12 for i in QUALITIES[chord.quality]]
    position = tones.index(bass) if bass in tones else 0
    if len(tones) == 4:
        figure = _SEVENTH_FIGURES[position]
        return numeral + ("maj" + figure if chord.quality == "maj7" else figure)
    return numeral + ("" if chord.quality == "sus4" else _TRIAD_FIGURES.get(position, ""))


def harmony_of(notes: Sequence[Note], beats_per_bar: int = 4, labelled: Sequence[TimedChord] | None = None,
               home: Key | None = None) -> tuple[list[KeySpan], list[ChordSpan], list[SectionSpan]]:  # fmt: skip
    """The local keys, numbered chords and sections of pitched notes in beats; `labelled` and `home`:
    the notes' chords (label_chords) and home key (find_key) when the caller has them."""
    ordered = sorted(notes, key=lambda n: n.onset)
    onsets = [n.onset for n in ordered]
    chords = label_chords(ordered) if labelled is None else list(labelled)
    home = find_key(ordered, chords)[0] if home is None else home
    keys = note_local_keys(ordered, chords, home)
    basses = []
    for timed in chords:
        first, last = bisect.bisect_left(onsets, timed.start - 1e-6), bisect.bisect_left(onsets, timed.start + 1)
        struck = ordered[first:last] or [n for n in ordered[:first] if timed.start + 1e-6 < n.onset + n.duration]  # else what still sounds
        basses.append(min(n.pitch for n in struck) % 12 if struck else None)
    return key_spans(keys), numbered_chords(chords, basses, keys), phrase_sections(ordered, beats_per_bar)


def key_spans(keys: Sequence[TimedKey]) -> list[KeySpan]:
    return [KeySpan(start_beat=k.start, end_beat=k.end, key=k.key.name) for k in keys]


def numbered_chords(chords: Sequence[TimedChord], basses: Sequence[int | None], keys: Sequence[TimedKey]) -> list[ChordSpan]:
    """The chords as catalog spans, each with its Roman numeral (inversion from its bass pitch class,
    None if unknown) in the local key in force where it starts (the key paths cover every beat)."""
    key_starts = [k.start for k in keys]
    spans = []
    for timed, bass in zip(chords, basses):
        local = keys[max(0, bisect.bisect_right(key_starts, timed.start) - 1)].key
        spans.append(ChordSpan(start_beat=timed.start, end_beat=timed.end, chord=timed.chord.name,
                               numeral=roman_numeral(timed.chord, bass, local), local_key=local.name))  # fmt: skip
    return spans


def phrase_sections(notes: Sequence[Note], beats_per_bar: int = 4, phrase_bars: int = PHRASE_BARS) -> list[SectionSpan]:
    """Phrases of `phrase_bars` bars lettered by repetition: A, A (restated), A' (varied), B..."""
    if not notes:
        return []
    length = phrase_bars * beats_per_bar * 4  # in sixteenths: a note a hair early belongs to the phrase it starts
    count = max(round(n.onset * 4) for n in notes) // length + 1
    phrases: list[set[tuple[int, int]]] = [set() for _ in range(count)]
    for n in notes:
        sixteenth = round(n.onset * 4)
        phrases[sixteenth // length].add((sixteenth % length, n.pitch))
    letters: list[str] = []
    sections = []
    for i, content in enumerate(phrases):
        best, likeness = None, 0.0
        for j in range(i):
            shared = len(content & phrases[j]) / max(1, len(content | phrases[j]))
            if shared > likeness and letters[j][0] != "-":
                best, likeness = j, shared
        if not content:
            label = "-"  # a silent phrase
        elif best is not None and likeness >= ALIKE:
            label = letters[best][0] + ("" if likeness >= SAME else "'")
        else:
            used = {letter[0] for letter in letters}
            label = next(c for c in string.ascii_uppercase if c not in used) if len(used) < 26 else "Z"
        letters.append(label)
        sections.append(SectionSpan(start_beat=i * length / 4, end_beat=(i + 1) * length / 4, label=label))
    return sections
