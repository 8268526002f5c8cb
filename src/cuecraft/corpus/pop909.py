"""POP909 songs (Wang et al., ISMIR 2020) on a beat grid: notes, annotated chord labels and key.

The annotations are the dataset's. Its paper (arXiv 2008.07142) says the tempo curves were labelled
by hand and the beats, keys and chords made by MIR algorithms (the keys from the recordings:
key_audio.txt); the shared data README calls them human-checked. A figure against them is agreement
with those annotations, which may carry their algorithms' errors.

The MIDI is read against the song's own beat annotation (beat_midi.txt), so notes and chords are
placed in beats from the first downbeat (pickup notes before it are left out) whatever the file's
tempo events say. The key is the longest region of key_audio.txt; its regions are the local keys.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pretty_midi

from cuecraft.corpus.chords import TimedChord, parse_harte
from cuecraft.corpus.keyfinding import TimedKey
from cuecraft.errors import CuecraftError
from cuecraft.model.events import Note
from cuecraft.theory import Key

BEATS_PER_BAR = 4


@dataclass(frozen=True)
class AnnotatedSong:
    title: str
    notes: list[Note]  # beats from the first downbeat
    chords: list[TimedChord]  # the dataset's labels, beats from the first downbeat
    key: Key
    tempo: float
    keys: list[TimedKey]  # key_audio.txt's regions, beats from the first downbeat


def _table(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines() if line.strip()]


def read_song(folder: str | Path) -> AnnotatedSong:
    """One song folder (NNN/NNN.mid, beat_midi.txt, chord_midi.txt, key_audio.txt); CuecraftError if
    anything is missing or the song is not in 4/4."""
    folder = Path(folder)
    try:
        beats = np.array([[float(x) for x in row[:3]] for row in _table(folder / "beat_midi.txt")])
        chord_rows = _table(folder / "chord_midi.txt")
        key_rows = _table(folder / "key_audio.txt")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            midi = pretty_midi.PrettyMIDI(str(folder / f"{folder.name}.mid"))
    except (OSError, ValueError, IndexError) as exc:
        raise CuecraftError(folder, f"not a POP909 song folder ({exc.__class__.__name__}: {exc})") from None
    downbeats = np.flatnonzero(beats[:, 2] > 0)
    if len(downbeats) < 2 or np.median(np.diff(downbeats)) != BEATS_PER_BAR:
        raise CuecraftError(folder, "not in 4/4 by its beat annotation")
    times = beats[:, 0]
    first = downbeats[0]
    period = float(np.median(np.diff(times)))

    def beat_of(seconds: float) -> float:
        if seconds > times[-1]:
            return len(times) - 1 + (seconds - times[-1]) / period - first
        return float(np.interp(seconds, times, np.arange(len(times)))) - first

    notes = []
    for instrument in midi.instruments:
        for n in instrument.notes:
            onset = beat_of(n.start)
            if onset >= -1e-6:
                notes.append(Note(max(0.0, onset), max(0.05, beat_of(n.end) - onset), n.pitch, n.velocity))
    notes.sort(key=lambda n: (n.onset, n.pitch))
    chords = []
    for start, end, label, *_ in chord_rows:
        chord = parse_harte(label)
        b0, b1 = beat_of(float(start)), beat_of(float(end))
        if chord is not None and b1 > 0:
            chords.append(TimedChord(max(0.0, b0), b1, chord))
    keys = [TimedKey(max(0.0, beat_of(float(start))), beat_of(float(end)), _key(folder, label))
            for start, end, label, *_ in key_rows if beat_of(float(end)) > 0]  # fmt: skip
    if not keys:
        raise CuecraftError(folder, "no key region after the first downbeat")
    key = max(keys, key=lambda k: k.end - k.start).key
    return AnnotatedSong(folder.name, notes, chords, key, round(60.0 / period, 2), keys)


def _key(folder: Path, label: str) -> Key:
    """A key_audio.txt label ("Gb:maj", "F:min") as a Key."""
    tonic = parse_harte(label)
    if tonic is None:
        raise CuecraftError(folder, f"unreadable key {label!r}")
    return Key(tonic.root, "minor" if label.endswith("min") else "major")
