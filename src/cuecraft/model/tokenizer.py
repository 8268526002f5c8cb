"""Tokens for the transformer: MidiTok REMI for the notes, behind a prefix of condition tokens.

Sequence: BOS, Valence_*, Arousal_*, Mode_*, Tonic_*, Tempo_*, Density_*, Family_* (one or more),
then REMI tokens (Bar, Position, Pitch, Velocity, Duration), then EOS. Conditions:
  Valence/Arousal  neg | pos | unk       (sign of the label; unk for unlabelled pieces)
  Mode             major | minor
  Tonic            0..11                 (pitch class of the key's tonic)
  Tempo            0..7                  (bins with edges TEMPO_EDGES bpm)
  Density          0..6                  (notes per bar, edges DENSITY_EDGES)
  Family           a General MIDI family (corpus.features.GM_FAMILIES) or drums
All pieces are 4/4: REMI bars are four beats, with a 16th-note grid in the first beats.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
import symusic
from miditok import REMI, TokenizerConfig, TokSequence

from cuecraft.corpus.features import DRUMS, GM_FAMILIES
from cuecraft.model.events import Note
from cuecraft.theory import Key

TEMPO_EDGES = (66, 80, 94, 108, 122, 140, 160)
DENSITY_EDGES = (4, 8, 12, 16, 24, 32)
FAMILIES = (*GM_FAMILIES, DRUMS)
TICKS_PER_QUARTER = 480


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


def remi_config() -> TokenizerConfig:
    """The REMI settings: piano range, 16ths in the first 4 beats of a note, 8 velocities, no tempos."""
    return TokenizerConfig(
        pitch_range=(21, 109), beat_res={(0, 4): 4, (4, 12): 2}, num_velocities=8,
        use_chords=False, use_tempos=False, use_time_signatures=False, use_programs=False,
        special_tokens=["PAD", "BOS", "EOS"],
    )  # fmt: skip


class CueTokenizer:
    """REMI plus condition tokens, with the id tables sampling and augmentation need."""

    def __init__(self) -> None:
        self.remi = REMI(remi_config())
        for token in self.condition_token_names():
            self.remi.add_to_vocab(token)
        vocab = self.remi.vocab
        self.vocab: dict[str, int] = dict(vocab)
        self.names: list[str] = [""] * len(vocab)
        for name, index in vocab.items():
            self.names[index] = name
        self.pad, self.bos, self.eos, self.bar = (vocab[t] for t in ("PAD_None", "BOS_None", "EOS_None", "Bar_None"))
        self.pitch_ids = np.array([vocab.get(f"Pitch_{p}", -1) for p in range(128)])  # -1 outside the range
        self.condition_ids = np.array([vocab[t] for t in self.condition_token_names()])
        self.tonic_ids = [vocab[f"Tonic_{t}"] for t in range(12)]
        # lookup tables for transposition: the pitch (or tonic) each id stands for, -1 for other tokens
        self._pitch_of = np.full(len(vocab), -1)
        self._pitch_of[self.pitch_ids[self.pitch_ids >= 0]] = np.flatnonzero(self.pitch_ids >= 0)
        self._tonic_of = np.full(len(vocab), -1)
        self._tonic_of[self.tonic_ids] = np.arange(12)

    def __len__(self) -> int:
        return len(self.names)

    @staticmethod
    def condition_token_names() -> list[str]:
        return [
            *(f"Valence_{s}" for s in ("neg", "pos", "unk")),
            *(f"Arousal_{s}" for s in ("neg", "pos", "unk")),
            "Mode_major", "Mode_minor",
            *(f"Tonic_{t}" for t in range(12)),
            *(f"Tempo_{b}" for b in range(len(TEMPO_EDGES) + 1)),
            *(f"Density_{b}" for b in range(len(DENSITY_EDGES) + 1)),
            *(f"Family_{f.replace(' ', '-')}" for f in FAMILIES),
        ]  # fmt: skip

    def condition_ids_for(self, c: Conditions) -> list[int]:
        density = 10.0 if c.density is None else c.density
        names = [
            f"Valence_{_sign(c.valence)}", f"Arousal_{_sign(c.arousal)}", f"Mode_{c.key.mode}", f"Tonic_{c.key.tonic}",
            f"Tempo_{bisect.bisect(TEMPO_EDGES, c.tempo)}", f"Density_{bisect.bisect(DENSITY_EDGES, density)}",
            *sorted(f"Family_{f.replace(' ', '-')}" for f in set(c.families) if f in FAMILIES),
        ]  # fmt: skip
        return [self.bos, *(self.vocab[n] for n in names)]

    def encode_score(self, score: symusic.Score) -> list[int]:
        """REMI ids of all pitched notes of a score merged into one stream (drums left out)."""
        merged = symusic.Track(program=0)
        for track in score.tracks:
            if not track.is_drum:
                merged.notes.extend(track.notes)
        merged.notes.sort()
        single = symusic.Score(score.ticks_per_quarter)
        single.tracks.append(merged)
        tokens = self.remi.encode(single)
        sequence = tokens[0] if isinstance(tokens, list) else tokens
        return list(sequence.ids)

    def encode_notes(self, notes: list[Note]) -> list[int]:
        """REMI ids for notes given in beats (a prompt), starting at bar 0."""
        score = symusic.Score(TICKS_PER_QUARTER)
        track = symusic.Track(program=0)
        for n in notes:
            track.notes.append(symusic.Note(round(n.onset * TICKS_PER_QUARTER), max(1, round(n.duration * TICKS_PER_QUARTER)), n.pitch, n.velocity))
        score.tracks.append(track)
        return self.encode_score(score) if notes else []

    def decode_notes(self, ids: list[int]) -> list[Note]:
        """Notes in beats from REMI ids (condition and special tokens are skipped)."""
        remi_ids = [i for i in ids if self.names[i].split("_")[0] in ("Bar", "Position", "Pitch", "Velocity", "Duration")]
        if not remi_ids:
            return []
        score = self.remi.decode([TokSequence(ids=remi_ids)])
        tpq = score.ticks_per_quarter
        return sorted(
            (Note(n.time / tpq, n.duration / tpq, n.pitch, n.velocity) for t in score.tracks for n in t.notes),
            key=lambda n: (n.onset, n.pitch),
        )

    def transpose(self, ids: np.ndarray, semitones: int) -> np.ndarray | None:
        """Shift every Pitch token and the Tonic token; None if a pitch would leave the range."""
        out = ids.copy()
        pitches = self._pitch_of[ids]
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
