"""Tokens for the transformer: MidiTok REMI for the notes, behind a prefix of condition tokens.

Sequence: BOS, Valence_*, Arousal_*, Mode_*, Tonic_*, Tempo_*, Density_*, Family_* (one or more),
then REMI tokens (Bar, Position, Program, Pitch, Velocity, Duration) with chord tokens woven in, then EOS.
Program names the General MIDI family that plays the note (its first program: FAMILY_PROGRAMS), so the
model learns who carries the line, who holds the harmony and who plays the bass from the soundtracks.
Chord_<degree>_<quality> (degree = root in semitones above the tonic, so transposition leaves it be)
follows each Bar with the chord in force there, and Position_8 when the chord changes at the half
bar: the harmony plan is read before the notes it governs. Conditions:
  Valence/Arousal  neg | pos | unk       (sign of the label; unk for unlabelled pieces)
  Mode             major | minor
  Tonic            0..11                 (pitch class of the key's tonic)
  Tempo            0..7                  (bins with edges TEMPO_EDGES bpm)
  Density          0..6                  (notes per bar, edges DENSITY_EDGES)
  Family           a General MIDI family (corpus.features.GM_FAMILIES) or drums
All pieces are 4/4: REMI bars are four beats, with a 16th-note grid in the first beats.
"""

from __future__ import annotations

import sys

import symusic

# miditok imports its PyTorch dataset helpers, and torch with them, whenever torch is installed.
# cuecraft uses its tokenizers only; without this a process that only samples (a cue worker, which
# decodes in NumPy) would load torch for nothing (about 200 MB). A None entry makes that import fail,
# which miditok expects and passes over.
sys.modules.setdefault("miditok.pytorch_data", None)  # type: ignore[arg-type]
from miditok import REMI, TokenizerConfig, TokSequence  # noqa: E402

from cuecraft.corpus.chords import QUALITIES, Chord, TimedChord, chord_at
from cuecraft.corpus.features import DRUMS, GM_FAMILIES
from cuecraft.model.events import Note
from cuecraft.model.vocabulary import DENSITY_EDGES, HALF_BAR_POSITION, TEMPO_EDGES, Conditions, Vocabulary

__all__ = ["Conditions", "CueTokenizer", "ChordWeaver"]

FAMILIES = (*GM_FAMILIES, DRUMS)
FAMILY_PROGRAMS = tuple(range(0, 128, 8))  # each pitched GM family by its first program (drums are not written)
TICKS_PER_QUARTER = 480


def family_program(program: int) -> int:
    """The program standing for `program`'s General MIDI family in the tokens (8 programs a family)."""
    return program // 8 * 8


def family_programs(families: tuple[str, ...]) -> set[int]:
    """The Program tokens' programs for GM family names (the piano's when none is a pitched family)."""
    return {FAMILY_PROGRAMS[GM_FAMILIES.index(f)] for f in families if f in GM_FAMILIES} or {FAMILY_PROGRAMS[0]}


def remi_config() -> TokenizerConfig:
    """The REMI settings: piano range, 16ths in the first 4 beats of a note, 8 velocities, no tempos,
    a Program token (the family) before each note's pitch, all families in one stream."""
    return TokenizerConfig(
        pitch_range=(21, 109), beat_res={(0, 4): 4, (4, 12): 2}, num_velocities=8,
        use_chords=False, use_tempos=False, use_time_signatures=False, use_programs=True,
        one_token_stream_for_programs=True, programs=list(FAMILY_PROGRAMS), special_tokens=["PAD", "BOS", "EOS"],
    )  # fmt: skip


class CueTokenizer(Vocabulary):
    """REMI plus condition and chord tokens: the vocabulary's tables with MidiTok's encoding and decoding."""

    def __init__(self) -> None:
        self.remi = REMI(remi_config())
        for token in (*self.condition_token_names(), *self.chord_token_names()):
            self.remi.add_to_vocab(token)
        names = [""] * len(self.remi.vocab)
        for name, index in self.remi.vocab.items():
            names[index] = name
        super().__init__(names)

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

    @staticmethod
    def chord_token_names() -> list[str]:
        return [f"Chord_{degree}_{quality}" for degree in range(12) for quality in QUALITIES]

    def chord_id(self, chord: Chord, tonic: int) -> int:
        """The token of `chord` in a key on `tonic` (its root as semitones above the tonic)."""
        return self.vocab[f"Chord_{(chord.root - tonic) % 12}_{chord.quality}"]

    def velocity_id(self, velocity: int) -> int:
        """The Velocity token nearest a MIDI velocity."""
        return min(self.velocity_of, key=lambda token: abs(self.velocity_of[token] - velocity))

    def chord_of(self, token: int, tonic: int) -> Chord:
        """The chord a Chord token names in a key on `tonic`."""
        _, degree, quality = self.names[token].split("_")
        return Chord((int(degree) + tonic) % 12, quality)

    def encode_with_chords(self, notes: list[Note], chords: list[TimedChord], tonic: int) -> list[int]:
        """REMI ids of `notes` (beats) with the timed chords woven in (see ChordWeaver)."""
        weaver = ChordWeaver(self, chords, tonic)
        return [out for token in self.encode_notes(notes) for out in weaver.feed(token)]

    def encode_score(self, score: symusic.Score) -> list[int]:
        """REMI ids of all pitched notes of a score in one stream, each behind its family's Program
        (drums left out); at one position the families come in program order, each low to high."""
        by_family: dict[int, symusic.Track] = {}
        for track in score.tracks:
            if not track.is_drum:
                program = family_program(track.program)
                by_family.setdefault(program, symusic.Track(program=program)).notes.extend(track.notes)
        single = symusic.Score(score.ticks_per_quarter)
        for program in sorted(by_family):
            by_family[program].notes.sort(key=lambda n: (n.time, n.pitch))
            single.tracks.append(by_family[program])
        if not single.tracks:
            return []
        tokens = self.remi.encode(single)
        sequence = tokens[0] if isinstance(tokens, list) else tokens
        return list(sequence.ids)

    def encode_notes(self, notes: list[Note]) -> list[int]:
        """REMI ids for notes given in beats (a prompt), starting at bar 0."""
        score = symusic.Score(TICKS_PER_QUARTER)
        tracks: dict[int, symusic.Track] = {}
        for n in notes:
            track = tracks.setdefault(n.program, symusic.Track(program=n.program))
            track.notes.append(symusic.Note(round(n.onset * TICKS_PER_QUARTER), max(1, round(n.duration * TICKS_PER_QUARTER)), n.pitch, n.velocity))
        score.tracks.extend(tracks.values())
        return self.encode_score(score)

    def decode_notes(self, ids: list[int]) -> list[Note]:
        """Notes in beats, with their family's program, from REMI ids (condition and special tokens skipped)."""
        remi_ids = [i for i in ids if self.names[i].split("_")[0] in ("Bar", "Position", "Program", "Pitch", "Velocity", "Duration")]
        remi_ids = [i for k, i in enumerate(remi_ids) if not (i in self.position_of and k + 1 < len(remi_ids) and remi_ids[k + 1] in self.position_of)]
        if not remi_ids:
            return []
        score = self.remi.decode(TokSequence(ids=remi_ids))
        tpq = score.ticks_per_quarter
        return sorted(
            (Note(n.time / tpq, n.duration / tpq, n.pitch, n.velocity, t.program) for t in score.tracks for n in t.notes),
            key=lambda n: (n.onset, n.pitch),
        )


class ChordWeaver:
    """Weaves chord tokens into a REMI stream as it is read or written: after each Bar the chord in
    force at the bar's start; at the half bar (before the first note at or after it, or before the
    next Bar if none) Position_8 and the new chord when the harmony changes there. Training data and
    sampling both pass every REMI token through `feed`, so the model always sees the same layout."""

    def __init__(self, tokenizer: CueTokenizer, chords: list[TimedChord], tonic: int) -> None:
        self.tokenizer, self.chords, self.tonic = tokenizer, chords, tonic
        self.bar = -1
        self.pending: int | None = None  # the half-bar chord token not yet written in this bar

    def _chord_token(self, beat: float) -> int | None:
        chord = chord_at(self.chords, beat)
        return None if chord is None else self.tokenizer.chord_id(chord, self.tonic)

    def feed(self, token: int) -> list[int]:
        """`token` with the chord tokens that belong before or after it."""
        t = self.tokenizer
        if token == t.bar:
            out = [t.half_bar, self.pending] if self.pending is not None else []
            self.bar += 1
            first = self._chord_token(self.bar * 4.0)
            second = self._chord_token(self.bar * 4.0 + 2.0)
            self.pending = second if second is not None and second != first else None
            return [*out, token, *([first] if first is not None else [])]
        position = t.position_of.get(token)
        if position is not None and position >= HALF_BAR_POSITION and self.pending is not None:
            chord, self.pending = self.pending, None
            return [t.half_bar, chord] if position == HALF_BAR_POSITION else [t.half_bar, chord, token]
        return [token]
