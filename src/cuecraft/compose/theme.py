"""The film's main theme: written once by the model, then quoted by each cue in the cue's key and mode."""

from __future__ import annotations

from cuecraft.model.composer import Composer, GenerationRequest, tonic_shift
from cuecraft.model.events import Note
from cuecraft.project import Theme, ThemeNote
from cuecraft.theory import Key

THEME_BARS = 2
# Scale degrees that differ between major and minor, as semitones above the tonic.
MAJOR_TO_MINOR = {4: 3, 9: 8, 11: 10}
MINOR_TO_MAJOR = {3: 4, 8: 9, 10: 11}


def write_theme(composer: Composer, key: Key, seed: int, beats_per_bar: int = 4) -> Theme:
    """Ask the model for the opening bars of a piece in `key` and keep them as the film's main theme."""
    request = GenerationRequest(key=key, length_beats=THEME_BARS * beats_per_bar, beats_per_bar=beats_per_bar, seed=seed)
    shift = tonic_shift(key.tonic)
    notes = [
        ThemeNote(onset=n.onset, duration=n.duration, pitch=n.pitch - shift)
        for n in composer.generate(request)
    ]
    return Theme(id="T1", name="Main theme", key=key.name, notes=notes)


def theme_in_key(theme: Theme, key: Key) -> list[Note]:
    """The theme's notes moved to `key`: transposed to its tonic, with 3rd/6th/7th changed for its mode."""
    source_mode = Key.parse(theme.key).mode
    degree_map = {} if source_mode == key.mode else (MAJOR_TO_MINOR if key.mode == "minor" else MINOR_TO_MAJOR)
    shift = tonic_shift(key.tonic)
    notes = []
    for n in theme.notes:
        octave, degree = divmod(n.pitch, 12)
        pitch = octave * 12 + degree_map.get(degree, degree) + shift
        notes.append(Note(n.onset, n.duration, pitch))
    return notes
