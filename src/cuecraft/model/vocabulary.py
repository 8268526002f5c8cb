"""The transformer's vocabulary as plain tables: token names and the id lookups that training
windows, augmentation and condition prefixes need. It imports neither MidiTok nor symusic, so a
training-only machine (a lent GPU) can build batches from a token pack (`CueTokenizer` adds the
REMI encoding and decoding on top)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from cuecraft.theory import Key

TEMPO_EDGES = (66, 80, 94, 108, 122, 140, 160)
DENSITY_EDGES = (4, 8, 12, 16, 24, 32)
HALF_BAR_POSITION = 8  # REMI position (16ths) of beat 3 in a 4/4 bar: where a second chord may enter


@dataclass(frozen=True)
class Conditions:
    """What a piece is asked (or known) to be: the model's steering inputs."""

    key: Key
    tempo: float
    valence: float | None = None
    arousal: float | None = None
    density: float | None = None  # notes per bar; None = a middle density
    families: tuple[str, ...] = ("piano",)


def _sign(value: float | None) -> str:
    return "unk" if value is None or value == 0 else ("pos" if value > 0 else "neg")


class Vocabulary:
    """Token names by id, with the tables sampling, transposition and condition prefixes use."""

    def __init__(self, names: list[str]) -> None:
        self.names: list[str] = list(names)
        vocab = self.vocab = {name: index for index, name in enumerate(self.names)}
        self.pad, self.bos, self.eos, self.bar = (vocab[t] for t in ("PAD_None", "BOS_None", "EOS_None", "Bar_None"))
        self.pitch_ids = np.array([vocab.get(f"Pitch_{p}", -1) for p in range(128)])  # -1 outside the range
        self.tonic_ids = [vocab[f"Tonic_{t}"] for t in range(12)]
        # lookup tables for transposition: the pitch (or tonic) each id stands for, -1 for other tokens
        self.pitch_of = np.full(len(vocab), -1)
        self.pitch_of[self.pitch_ids[self.pitch_ids >= 0]] = np.flatnonzero(self.pitch_ids >= 0)
        self.pitch_class_of = np.where(self.pitch_of >= 0, self.pitch_of % 12, -1)  # per id; -1 for other tokens
        self._tonic_of = np.full(len(vocab), -1)
        self._tonic_of[self.tonic_ids] = np.arange(12)
        self.half_bar = vocab[f"Position_{HALF_BAR_POSITION}"]
        self.position_of = {vocab[f"Position_{p}"]: p for p in range(64) if f"Position_{p}" in vocab}
        self.is_chord = np.array([name.startswith("Chord_") for name in self.names])
        self.velocity_of = {vocab[n]: int(n.split("_")[1]) for n in vocab if n.startswith("Velocity_")}
        self.program_of = {vocab[n]: int(n.split("_")[1]) for n in vocab if n.startswith("Program_")}

    def __len__(self) -> int:
        return len(self.names)

    def condition_ids_for(self, c: Conditions) -> list[int]:
        """BOS and the condition tokens of `c` (families the vocabulary lacks are left out)."""
        density = 10.0 if c.density is None else c.density
        families = sorted({f"Family_{f.replace(' ', '-')}" for f in c.families} & self.vocab.keys())
        names = [
            f"Valence_{_sign(c.valence)}", f"Arousal_{_sign(c.arousal)}", f"Mode_{c.key.mode}", f"Tonic_{c.key.tonic}",
            f"Tempo_{bisect.bisect(TEMPO_EDGES, c.tempo)}", f"Density_{bisect.bisect(DENSITY_EDGES, density)}", *families,
        ]  # fmt: skip
        return [self.bos, *(self.vocab[n] for n in names)]

    def program_mask(self, programs: set[int]) -> np.ndarray:
        """A mask of the Program tokens of `programs`."""
        mask = np.zeros(len(self.names), dtype=bool)
        mask[[i for i, program in self.program_of.items() if program in programs]] = True
        return mask

    def transpose(self, ids: np.ndarray, semitones: int) -> np.ndarray | None:
        """Shift every Pitch token and the Tonic token; None if a pitch would leave the range."""
        out = ids.copy()
        pitches = self.pitch_of[ids]
        is_pitch = pitches >= 0
        if is_pitch.any():
            shifted = pitches[is_pitch] + semitones
            if shifted.min() < 21 or shifted.max() > 108:
                return None
            out[is_pitch] = self.pitch_ids[shifted]
        tonics = self._tonic_of[ids]
        is_tonic = tonics >= 0
        out[is_tonic] = np.array(self.tonic_ids)[(tonics[is_tonic] + semitones) % 12]
        return out

