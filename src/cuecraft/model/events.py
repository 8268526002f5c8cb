"""Notes in beats, read from MIDI, and the onset-group tokens the Markov baseline models.

A token is one onset on a 16th-note grid: (position in the bar, pitches sounding from it, duration).
Pitches are stored relative to the piece's tonic so one model serves every key.
"""

from __future__ import annotations

from collections.abc import Sequence
import warnings
from dataclasses import dataclass
from pathlib import Path

import pretty_midi

from cuecraft.errors import CuecraftError

STEPS_PER_BEAT = 4
MAX_DURATION_STEPS = 16
MAX_CHORD_NOTES = 6

Token = tuple[int, tuple[int, ...], int]
BOS: Token = (-2, (), 0)  # beginning of a piece: lets generation start the way pieces start
REST_BAR: Token = (-1, (), 0)  # a whole bar without onsets


@dataclass(frozen=True)
class Note:
    """A note in beats (quarter notes) from the start of its piece, and the General MIDI program that
    plays it (the model writes which instrument family carries each note)."""

    onset: float
    duration: float
    pitch: int
    velocity: int = 80
    program: int = 0


@dataclass(frozen=True)
class Piece:
    """The pitched notes of a MIDI file in beats, with its meter (beats per bar)."""

    notes: list[Note]
    beats_per_bar: int


def read_piece(path: str | Path) -> Piece:
    """Read the non-drum notes of a MIDI file; raise CuecraftError if it cannot be parsed."""
    try:
        with warnings.catch_warnings():  # pretty_midi warns about meta events on non-zero tracks: common, harmless
            warnings.simplefilter("ignore")
            midi = pretty_midi.PrettyMIDI(str(path))
    except Exception as exc:  # pretty_midi/mido raise many types (OSError, EOFError, KeySignatureError…)
        raise CuecraftError(path, f"not a readable MIDI file ({exc.__class__.__name__}: {exc})") from None
    notes = midi_notes(midi)
    signatures = midi.time_signature_changes
    beats_per_bar = 4
    if signatures:
        first = signatures[0]
        beats_per_bar = round(first.numerator * 4 / first.denominator)
    return Piece(notes, beats_per_bar)


def midi_notes(midi: pretty_midi.PrettyMIDI) -> list[Note]:
    """The pitched notes of a MIDI in beats (by its own tempo map, through ticks), in time order."""
    resolution = midi.resolution
    notes = [
        Note(
            onset=midi.time_to_tick(n.start) / resolution,
            duration=max(0.0, (midi.time_to_tick(n.end) - midi.time_to_tick(n.start)) / resolution),
            pitch=n.pitch,
            velocity=n.velocity,
        )
        for inst in midi.instruments
        if not inst.is_drum
        for n in inst.notes
    ]
    return sorted(notes, key=lambda n: (n.onset, n.pitch))


def encode(notes: Sequence[Note], beats_per_bar: int, transpose: int = 0) -> list[Token]:
    """Tokenize notes (shifted by `transpose` semitones) into onset groups, starting with BOS."""
    bar_steps = beats_per_bar * STEPS_PER_BEAT
    groups: dict[int, list[Note]] = {}
    for note in notes:
        groups.setdefault(round(note.onset * STEPS_PER_BEAT), []).append(note)
    tokens: list[Token] = [BOS]
    previous_bar = -1
    for step in sorted(groups):
        bar, position = divmod(step, bar_steps)
        tokens.extend([REST_BAR] * max(0, bar - previous_bar - 1))
        previous_bar = bar
        group = groups[step]
        pitches = sorted({n.pitch + transpose for n in group})[-MAX_CHORD_NOTES:]
        duration = max(round(n.duration * STEPS_PER_BEAT) for n in group)
        tokens.append((position, tuple(pitches), min(MAX_DURATION_STEPS, max(1, duration))))
    return tokens


class GridCursor:
    """Follows a token stream and tells the 16th-note grid step of each onset.

    The bar rule: a position not after the previous one opens a new bar; REST_BAR skips a bar.
    """

    def __init__(self, beats_per_bar: int) -> None:
        self.bar_steps = beats_per_bar * STEPS_PER_BEAT
        self.bar = -1
        self.last_position = self.bar_steps  # "past the end of bar -1": the first onset opens bar 0

    def peek(self, token: Token) -> int | None:
        """The grid step `token` would start at, without advancing; None for tokens without notes."""
        if token in (BOS, REST_BAR):
            return None
        bar = self.bar + (1 if token[0] <= self.last_position else 0)
        return bar * self.bar_steps + token[0]

    def advance(self, token: Token) -> int | None:
        """Consume `token` and return its grid step (None for tokens without notes)."""
        if token == REST_BAR:
            self.bar, self.last_position = self.bar + 1, self.bar_steps
            return None
        step = self.peek(token)
        if step is not None:
            self.bar, self.last_position = divmod(step, self.bar_steps)
        return step


def decode(tokens: Sequence[Token], beats_per_bar: int, transpose: int = 0, velocity: int = 80) -> list[Note]:
    """Turn tokens back into notes (shifted by `transpose` semitones)."""
    cursor = GridCursor(beats_per_bar)
    notes: list[Note] = []
    for token in tokens:
        step = cursor.advance(token)
        if step is None:
            continue
        _, pitches, duration = token
        notes.extend(
            Note(step / STEPS_PER_BEAT, duration / STEPS_PER_BEAT, pitch + transpose, velocity) for pitch in pitches
        )
    return notes
