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


class PieceFeatures(BaseModel):
    """Measured features of one piece; fields that do not apply to its kind stay None."""

    kind: Literal["symbolic", "audio"]
    duration_s: float
    tempo_bpm: float | None = None
    tempo_changes: int = 0
    meter: str | None = None
    key: str | None = None
    key_confidence: float | None = Field(None, description="Pearson correlation with the key profile")
    note_count: int | None = None
    note_density: float | None = Field(None, description="notes (symbolic) or onsets (audio) per second")
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
