"""What every music model offers the composition stage: notes for a request in a key and length."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from cuecraft.corpus.chords import TimedChord
from cuecraft.model.events import Note
from cuecraft.theory import Key


RETRY_SEED_STEP = 7919  # a further attempt's seed is the request's plus a multiple of this prime


@dataclass(frozen=True)
class GenerationRequest:
    """Write `length_beats` of music in `key`, continuing `prompt` (notes already in that key).

    Emotion (valence/arousal in [-1, 1]), tempo, density (notes per bar) and instrument families
    steer models that are conditioned on them; `cadence` asks for a V7-I close in the last two bars.
    `chords` is the harmony plan (beats from the start, prompt included) for models that follow one;
    `repeats` lists (bar, earlier bar) pairs: bars that restate an earlier bar's notes (phrase form).
    `velocity` (1-127), when given, is the dynamic every note is written at: the arrangement shapes
    dynamics afterwards, so a model need not choose them note by note. `chromatic` is the share of
    notes outside the key the music of this emotion carries, `colour_weights` how often each pitch class
    is the chromatic note in this key (both from the learned emotion profile; no weights: any).
    """

    key: Key
    length_beats: float
    beats_per_bar: int = 4
    prompt: list[Note] = field(default_factory=list)
    seed: int = 0
    temperature: float = 1.0
    tempo: float = 100.0
    valence: float | None = None
    arousal: float | None = None
    density: float | None = None
    families: tuple[str, ...] = ("piano",)
    cadence: bool = False
    chords: tuple[TimedChord, ...] = ()
    repeats: tuple[tuple[int, int], ...] = ()
    velocity: int | None = None
    chromatic: float = 0.0
    colour_weights: tuple[float, ...] = ()


class Composer(Protocol):
    """A trained model that writes notes on request."""

    name: str

    def generate(self, request: GenerationRequest) -> list[Note]: ...


@runtime_checkable
class Listener(Protocol):
    """A model that can also say how likely it finds music: used to choose, among new bars, those
    that lead best into the music after them."""

    def log_likelihood(self, request: GenerationRequest, notes: list[Note], from_beat: float) -> float:
        """Mean log-probability per token of `notes` from `from_beat` on, having heard those before."""
        ...


def tonic_shift(tonic: int) -> int:
    """Semitones from C to the tonic, taken within -5..+6 so transposed music stays in its register."""
    return tonic if tonic <= 6 else tonic - 12
