"""What analysis measures of a piece, symbolic or audio: one record type the catalog stores."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# The 16 General MIDI program families, in program order (8 programs each), plus drums.
GM_FAMILIES = (
    "piano", "chromatic percussion", "organ", "guitar", "bass", "strings", "ensemble", "brass",
    "reed", "pipe", "synth lead", "synth pad", "synth effects", "ethnic", "percussive", "sound effects",
)  # fmt: skip
DRUMS = "drums"


def gm_family(program: int, is_drum: bool = False) -> str:
    """The General MIDI family of a program number (0-127), or 'drums'."""
    return DRUMS if is_drum else GM_FAMILIES[program // 8]


class InstrumentUse(BaseModel):
    family: str
    program: int
    is_drum: bool
    notes: int


class WindowFeatures(BaseModel):
    """Features of one stretch (8 bars for symbolic pieces) so sections can be queried too."""

    index: int
    start_s: float
    end_s: float
    key: str | None
    key_confidence: float | None
    note_density: float
    velocity_mean: float | None


class ChordSpan(BaseModel):
    """A chord as the analysis hears it, in beats, named in its local key."""

    start_beat: float
    end_beat: float
    chord: str = Field(description="root and quality, e.g. G:7")
    numeral: str = Field(description="Roman numeral with inversion in the local key, e.g. V65")
    local_key: str


class KeySpan(BaseModel):
    """A key in force from one beat to another."""

    start_beat: float
    end_beat: float
    key: str


class SectionSpan(BaseModel):
    """A phrase and its letter in the piece's repetition structure (A, A, A', B...)."""

    start_beat: float
    end_beat: float
    label: str


class PieceFeatures(BaseModel):
    """Measured features of one piece; fields that do not apply to its kind stay None."""

    kind: Literal["symbolic", "audio"]
    duration_s: float
    tempo_bpm: float | None = None
    tempo_changes: int = 0
    meter: str | None = None
    key: str | None = None
    key_confidence: float | None = Field(None, description="Pearson correlation with the key profile")
    modal_key: str | None = Field(None, description="the key with its mode: 'A dorian', 'G mixolydian', else as key")
    note_count: int | None = None
    note_density: float | None = Field(None, description="notes per second (audio: transcribed notes)")
    polyphony: float | None = Field(None, description="mean sounding notes while any sound")
    pitch_min: int | None = None
    pitch_max: int | None = None
    velocity_mean: float | None = None
    velocity_std: float | None = None
    harmonic_rhythm: float | None = Field(None, description="chord changes per bar")
    chord_vocabulary: int | None = Field(None, description="distinct chord labels used")
    top_chords: list[str] = Field(default_factory=list)
    loudness_lufs: float | None = None
    brightness_hz: float | None = Field(None, description="mean spectral centroid")
    instruments: list[InstrumentUse] = Field(default_factory=list)
    windows: list[WindowFeatures] = Field(default_factory=list)
    chords: list[ChordSpan] = Field(default_factory=list)
    local_keys: list[KeySpan] = Field(default_factory=list)
    sections: list[SectionSpan] = Field(default_factory=list)
